## The supervisor's pages: the spending report, the contract dossier, findings, home.
nav-spending = Spending report
spending-title = Spending report
spending-filters = Filters of the report
spending-group-by = Group by
spending-by-purchaser = Purchaser
spending-by-organisation = Social organisation
spending-by-budget-line = Budget line
spending-by-category = Service category
spending-by-division = Division
spending-purchaser = Purchaser
spending-any = All
spending-division-code = Division code
spending-from = From
spending-to = To
spending-apply = Show
spending-division-path = Division levels
spending-division-own = { $name } (itself)
spending-all-divisions = All divisions
spending-download-csv = Download CSV
spending-download-xlsx = Download Excel (XLSX)
spending-download-hint = The downloads hold exactly what this page shows (the same filters).
spending-anomalies = Anomalies
spending-flags-meaning = What each anomaly means
spending-flag-contracts-all-milestones-overdue = { $count ->
    [one] { $count } contract has every open milestone overdue
   *[other] { $count } contracts have every open milestone overdue
}
spending-flag-contracts-all-milestones-overdue-name = Every milestone overdue
spending-flag-contracts-all-milestones-overdue-why = The contract is active but every milestone not yet accepted is past its due date: the service may have stopped.
spending-flag-posts-vacant-over-30-days = { $count ->
    [one] { $count } post vacant for more than 30 days in a row
   *[other] { $count } posts vacant for more than 30 days in a row
}
spending-flag-posts-vacant-over-30-days-name = Post vacant over 30 days
spending-flag-posts-vacant-over-30-days-why = A funded post of an active contract has had no worker for more than 30 days in a row; its funding is reduced by the vacant days.
spending-flag-contracts-without-indicators = { $count ->
    [one] { $count } contract signed without indicators
   *[other] { $count } contracts signed without indicators
}
spending-flag-contracts-without-indicators-name = Contract without indicators
spending-flag-contracts-without-indicators-why = A contract without indicators has no score: its milestones are paid in full once accepted.
spending-flag-budget-lines-over-90-percent = { $count ->
    [one] { $count } budget line committed and reserved above 90 %
   *[other] { $count } budget lines committed and reserved above 90 %
}
spending-flag-budget-lines-over-90-percent-name = Budget line over 90 %
spending-flag-budget-lines-over-90-percent-why = Committed plus reserved money is above 90 % of the budget line's amount: little is left.
spending-flag-organisations-with-open-findings = { $count ->
    [one] { $count } organisation with two or more unresolved findings
   *[other] { $count } organisations with two or more unresolved findings
}
spending-flag-organisations-with-open-findings-name = Organisation with several unresolved findings
spending-flag-organisations-with-open-findings-why = One social organisation has two or more findings not yet resolved on this group's contracts.
spending-flag-payments-before-acceptance = { $count ->
    [one] { $count } payment made before its milestone was accepted
   *[other] { $count } payments made before their milestone was accepted
}
spending-flag-payments-before-acceptance-name = Payment before acceptance
spending-flag-payments-before-acceptance-why = A milestone was paid before it was accepted. The system refuses such payments: this must always be 0.
spending-chart = Committed and disbursed
spending-chart-largest = The chart shows the { $count } groups with the most committed money; the table below lists every group.
spending-none = No contract matches these filters.
spending-amount-budget = Budget
spending-amount-contracts = Contract value
spending-unpaid = Committed, not yet paid
spending-contracts = Contracts
spending-accepted = Milestones accepted
spending-overdue = Milestones overdue
spending-score = Average score
spending-open-findings = Unresolved findings
spending-total = Total
## Findings: record, resolve, filter.
finding-filters = Filters of the findings
finding-severity = Severity
finding-new = Record a finding
finding-text = The finding
finding-record = Record
flash-finding-recorded = The finding has been recorded.
finding-resolve-text = Resolution
finding-resolve-submit = Resolve
flash-finding-resolved = The finding has been resolved.
## The contract's dossier.
contract-tab-dossier = Dossier
dossier-title = Contract dossier
dossier-parties = Parties
dossier-org-status-active = Active
dossier-org-status-suspended = Suspended
dossier-org-status-blacklisted = Blacklisted
dossier-division = Division
dossier-procedure = Procedure
dossier-direct-award = Direct award
dossier-score-so-far = Score so far
dossier-no-score = No score yet
dossier-line-committed = Budget line committed / amount
dossier-paid = Paid
dossier-timeline = What happened
dossier-nothing-yet = Nothing has happened yet.
dossier-kind-tender = Tender
dossier-kind-bid = Bid
dossier-kind-award = Award
dossier-kind-sign = Signing
dossier-kind-amendment = Amendment
dossier-kind-post = Post
dossier-kind-staff = Worker
dossier-kind-due = Milestone
dossier-kind-report = Report
dossier-kind-decision = Decision
dossier-kind-payment = Payment
dossier-kind-finding = Finding
dossier-kind-end = End of the contract
dossier-no-milestones = This contract has no milestones.
dossier-score = Score
dossier-payable = Payable
dossier-worker = Worker
dossier-from = From
dossier-to = To
dossier-audit = Audit trail
dossier-seq = Seq
dossier-hash = Hash (first 12)
dossier-flag-open-findings = { $count } unresolved findings on this contract
dossier-tender-published = Tender published: { $name }
dossier-bids-closed = { $count ->
    [one] Bid deadline: { $count } bid received
   *[other] Bid deadline: { $count } bids received
}
dossier-bid-amount = Amount
dossier-bid-score = Score
dossier-bid-won = Awarded
dossier-bid = Bid by { $name }
dossier-award = Awarded to { $name }
dossier-signed = Contract signed
dossier-amended = Contract amended
dossier-end-date = End date
dossier-post = Post: { $name }
dossier-post-funding = Annual funding
dossier-post-division = Division
dossier-staffed = { $name } took up the post
dossier-left = { $name } left the post
dossier-due = Milestone due: { $name }
dossier-report = Report: { $name }
dossier-payment = Paid { $name }
dossier-voucher = Voucher number
dossier-finding = Finding ({ $name })
dossier-finding-answered = Finding answered ({ $name })
dossier-finding-resolved = Finding resolved ({ $name })
## The supervisor's home.
sup-home-answered = { $count ->
    [one] { $count } finding answered, to resolve
   *[other] { $count } findings answered, to resolve
}
sup-home-open = { $count ->
    [one] { $count } finding waiting for the purchaser's answer
   *[other] { $count } findings waiting for the purchaser's answer
}
sup-home-unresolved = Unresolved findings by severity
sup-home-no-anomalies = The spending report finds no anomaly.
sup-home-spending = Open the spending report
sup-home-late = Milestones overdue more than 30 days: { $count }
sup-home-no-late = No milestone is overdue more than 30 days.
sup-home-late-more = Only the { $count } most overdue are listed.
sup-home-chain = Audit chain
sup-home-head-seq = Newest event (seq)
sup-home-head-at = Written at
sup-home-head-hash = Its hash
sup-home-chain-empty = The audit trail has no event yet.
sup-home-anchored = The head was last sent to supervisors at
sup-home-anchor-failed = failed
sup-home-never-anchored = The head has not been sent yet.
sup-home-verify-hint = Write down the seq and hash above too, and check later with “huimin audit verify --anchor SEQ:HASH” that the chain still holds them.
sup-home-verified = Last verification
sup-home-verified-at = Verified at
sup-home-verified-by = By
sup-home-verified-by-cli = the command line
sup-home-verified-result = Result
sup-home-verified-intact = intact
sup-home-verified-broken = broken at event { $count }
sup-home-verified-checked = Events checked
sup-home-never-verified = The chain has never been verified.
sup-home-verify-link = Verify the chain on the audit trail
