## Error messages: the translation of each API error code; the key is error- and the code with . and _ as -.

## Error pages
error-title-403 = Not allowed
error-title-404 = Page not found
error-title-other = Something went wrong
error-back-home = Back to the home page

## The request as a whole
error-auth-unauthenticated = Please sign in.
error-auth-forbidden = Your role may not do this.
error-password-change-required = Change your password first.
error-csrf = This form has expired: reload the page and submit it again.
error-not-found = No such record, or you may not see it.
error-request-malformed = The request is malformed.
error-validation-failed = Please check what you entered.
error-media-type-unsupported = This file type is not supported.
error-body-too-large = What you sent is too large.
error-throttle-too-many-attempts = Too many failed attempts; try again later.
error-throttle-too-many-requests = Too many requests from your address; try again in a minute.
error-service-unavailable = The database is unavailable; try again shortly.
error-service-busy = The system is busy; try again shortly.
error-internal = An internal error occurred; it has been logged.

## One field
error-field-required = Please fill in this field.
error-field-too-long = This is too long; please shorten it.
error-field-email = Enter a valid e-mail address.
error-field-not-positive = Enter a number greater than 0.
error-field-out-of-range = This number is outside the allowed range.
error-field-date-order = The end date cannot be before the start date.
error-field-date = Enter the date as year-month-day, e.g. 2026-03-01.
error-field-in-future = The date cannot be later than today.
error-field-outside-period = The date must lie within the period of the contract or post.
error-field-unknown = This field may not be sent (unknown, or set by the system).
error-field-type = This value has the wrong type.
error-field-number = Enter a number.
error-field-choice = Choose one of the listed options.
error-field-invalid = This value is not valid.
error-field-not-for-role = This role does not take this field.
error-reference-unknown = The selected record does not exist or cannot be used.
error-cursor-invalid = This page link is no longer valid; start again from the first page.
error-idempotency-key-invalid = The Idempotency-Key must be 1 to 128 visible ASCII characters.
error-money-not-a-number = Enter an amount, e.g. 1234.50.
error-money-too-precise = An amount has at most 2 decimal places.
error-money-negative = An amount cannot be negative.
error-money-too-large = This amount is too large.
error-quantity-invalid = Enter a number of at least 0 with at most 4 decimals.
error-score-invalid = A score is 0 to 100 with at most one decimal.
error-division-invalid = A division code has 6, 9 or 12 digits.
error-division-not-local = Enter the division code of a township (9 digits) or village (12 digits).
error-credit-code-invalid = A unified social credit code has 18 characters and a valid check character.
error-id-number-invalid = An ID number has 18 characters and a valid check character.
error-period-too-long = A service period runs at most one year, or three with a multi-year reason.
error-password-wrong = This is not your current password.
error-password-too-short = The password needs at least 10 characters.
error-password-too-long = The password may have at most 256 characters.
error-password-unchanged = The new password must differ from the current one.

## Rules between fields and records
error-budget-reason-required = Give a reason when you change the budget line's amount.
error-organisation-status-reason-required = Give a reason when you suspend or blacklist a social organisation.
error-user-self-deactivate = You cannot deactivate your own account.
error-tender-purchaser-mismatch = The purchaser must be the budget line's purchaser.
error-tender-deadline-too-soon = The bid deadline is too soon: it must be in the future and allow the method's minimum bid period.
error-tender-service-before-deadline = The service cannot start before the bid deadline.
error-bid-above-ceiling = A bid cannot be above the tender's ceiling amount.
error-contract-officer-invalid = The responsible officer must be an active finance officer of the purchaser.
error-performance-rule-order = The minimum score for payment cannot be above the score for full payment.
error-contract-value-fixed = A tendered contract keeps the amount of the awarded bid.
error-contract-period-excludes-milestones = The contract period must still contain every milestone's due date.
error-contract-period-excludes-posts = The contract period must still contain every post's dates.
error-amendment-empty = Give a new value, a new end date, or both.
error-post-dates-exclude-assignments = The post's dates must still contain its workers' assignments.
error-post-qualification-low = The worker's qualification is below what the post requires.
error-report-measured-twice = An indicator is measured twice.
error-report-too-many-measurements = The report has more measurements than the contract has indicators.
error-payment-before-signing = The payment date cannot be before the contract was signed.

## State and rule conflicts
error-state-transition = The record's current status does not allow this.
error-record-duplicate = A record with the same value already exists.
error-budget-insufficient = The budget line does not have enough available.
error-budget-below-committed = The budget line's amount cannot be below what is committed and reserved.
error-budget-line-duplicate = Your purchaser already has a budget line with this code in this fiscal year.
error-user-email-taken = Another user already has this e-mail address.
error-organisation-duplicate = A social organisation with this credit code already exists.
error-organisation-not-active = The social organisation is suspended or blacklisted, so this is not possible.
error-tender-not-draft = Only a draft tender can be edited.
error-tender-deadline-not-passed = The bid deadline has not passed yet.
error-tender-deadline-passed = The bid deadline has passed: no more bids are taken.
error-tender-not-published = The tender is not published or no longer open, so it takes no bids.
error-tender-too-few-bids = There are too few bids to award; mark the tender unsuccessful.
error-contract-not-draft = Only a draft contract can be edited; amend an active one.
error-contract-not-active = The contract is not active, so this is not possible.
error-contract-closed = The contract has ended: its milestones, indicators and posts no longer change.
error-contract-not-payable = The contract is not signed or was cancelled, so it cannot be paid.
error-contract-milestones-open = Some milestones are neither accepted nor cancelled, so the contract cannot be completed yet.
error-amendment-below-paid = The contract value cannot be below what has been paid.
error-amendment-over-limit = Increases may total at most 10 % of the signed value.
error-milestones-exceed-value = The milestones' amounts and the advances paid cannot exceed the contract value.
error-milestone-not-planned = Only a planned milestone can be edited.
error-milestone-no-report-expected = This milestone takes no report in its current status.
error-milestone-no-pending-report = This milestone has no report awaiting a decision.
error-indicators-weights-not-100 = The indicators' weights must add up to 100.
error-indicator-duplicate = The contract already has an indicator with this code.
error-post-occupied = The post is already filled on some of these days; end that assignment first.
error-worker-already-posted = This worker already holds a funded post on some of these days.
error-assignment-ended = This assignment has already ended.
error-payment-milestone-not-accepted = A milestone is paid only after its report is accepted.
error-payment-above-payable = The amount is above what remains of the milestone's payable.
error-payment-no-advance = This contract takes no advance; pay its accepted milestones.
error-payment-advance-too-large = An advance may be at most the value not planned in milestones, less earlier advances.
error-payment-above-value = Payments cannot exceed the contract value.
error-voucher-duplicate = This voucher number is already used by another payment.
error-notification-not-dead = Only a failed notification can be sent again.
