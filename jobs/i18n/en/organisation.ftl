# The social organisation's home page.
org-home-resubmit = Reports returned, to submit again
org-home-officer-comment = Reason returned:
org-home-milestones = Milestones
org-home-no-milestones = No milestone is due in the next { $count } days.
org-home-due = Due
org-home-overdue-days = { $count ->
    [one] overdue by { $count } day
   *[other] overdue by { $count } days
}
org-home-days-left = { $count ->
    [0] due today
    [one] { $count } day left
   *[other] { $count } days left
}
org-home-amount = Amount
org-home-awaiting-review = report awaiting review
org-home-vacant-posts = Vacant posts
org-home-no-vacant-posts = Every post has a worker.
org-home-vacant-days = { $count ->
    [one] vacant for { $count } day
   *[other] vacant for { $count } days
}
org-home-payments = Recent payments received
org-home-no-payments = No payment received yet.
org-home-tenders = Tenders open for bids
org-home-no-tenders = No tender is open for bids now.
org-home-ceiling = Ceiling
org-home-deadline = Bid deadline
org-home-all-tenders = All tenders
org-home-report = Report
org-home-report-again = Report again
