## What a form says about a field it could not read (before any rule of the services).
error-form-required = Please fill in this field.
error-form-choice = Please choose one of the options.
error-form-date = Please enter a date (year-month-day).
error-form-datetime = Please enter a date and a time.
error-form-number = Please enter a number.
error-money-not-a-number = Please enter an amount such as 1234.50.
error-money-too-precise = An amount has at most two decimals (fen).
error-money-negative = An amount cannot be negative.
error-money-too-large = This amount is too large.
