## 表单无法读取某一栏时的提示（在业务规则检查之前）。
error-form-required = 请填写此项。
error-form-choice = 请从选项中选择一项。
error-form-date = 请输入日期（年-月-日）。
error-form-datetime = 请输入日期和时间。
error-form-number = 请输入数字。
error-money-not-a-number = 请输入金额，例如 1234.50。
error-money-too-precise = 金额最多保留两位小数（到分）。
error-money-negative = 金额不能为负数。
error-money-too-large = 金额过大。
