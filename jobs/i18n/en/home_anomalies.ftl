## The supervisor's home: the anomaly counts computed in the background.

sup-home-anomalies-as-of = As of
sup-home-anomalies-computing = Anomalies are being computed; refresh in a moment.
