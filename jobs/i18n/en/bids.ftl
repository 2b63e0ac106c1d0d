## An organisation's tenders and bids: the countdown, submitting or replacing a bid, its own bids and their outcomes.
tender-purchaser = Purchaser
tender-countdown = { $name } left
tender-countdown-day = { $count ->
    [one] 1 day
   *[other] { $count } days
}
tender-countdown-hour = { $count ->
    [one] 1 hour
   *[other] { $count } hours
}
tender-countdown-minute = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
tender-countdown-over = Deadline passed
bid-own = Your bid
bid-none = You did not bid on this tender.
bid-outcome = Outcome
bid-outcome-pending = Before the deadline
bid-outcome-in-review = Under review
bid-outcome-won = Awarded to you
bid-outcome-lost = Not awarded
bid-outcome-unsuccessful = Unsuccessful
bid-outcome-cancelled = Cancelled
bid-submit = Submit bid
bid-replace = Change bid
bid-amount-yuan = Amount (yuan)
bid-ceiling-hint = More than 0 and not above the ceiling of { $name }. You may change it until the deadline; the last one submitted counts.
bid-closed-deadline = The bid deadline has passed ({ $name }): a bid can no longer be submitted or changed.
bid-closed-status = This tender no longer accepts bids.
bid-tender = Tender
bid-contract = View contract
bids-title = Your bids
bids-find-tenders = Tenders open for bids
bids-none = You have not submitted any bid yet.
flash-bid-submitted = Bid submitted.
flash-bid-replaced = Bid changed.
