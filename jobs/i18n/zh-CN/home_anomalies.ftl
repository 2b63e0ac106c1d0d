## The supervisor's home: the anomaly counts computed in the background.

sup-home-anomalies-as-of = 截至
sup-home-anomalies-computing = 异常统计计算中，请稍后刷新。
