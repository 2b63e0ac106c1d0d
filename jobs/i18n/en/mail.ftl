## E-mail notifications (jobs/templates/mail/): a subject and the lines of each kind. Values
## arrive formatted (money ¥1,234.00, dates 3 Dec 2026); days and counts as numbers.

mail-open = Open in Huimin
mail-list-separator = {", "}
mail-contract = Contract: { $contract }
mail-milestone = Milestone: { $milestone }
mail-organisation = Social organisation: { $organisation }
mail-overdue-since = Due date: { $due }, { $days ->
        [one] 1 day ago
       *[other] { $days } days ago
    }.

mail-milestone-due-subject = [Huimin] Milestone "{ $milestone }" is due on { $due }
mail-milestone-due-milestone = Milestone: { $milestone } ({ $amount })
mail-milestone-due-when = Due date: { $due }, in { $days ->
        [one] 1 day
       *[other] { $days } days
    }.
mail-milestone-due-ask = Please submit the milestone's report and indicator values before it is due.

mail-milestone-overdue-subject = [Huimin] Milestone "{ $milestone }" is { $days ->
        [one] 1 day
       *[other] { $days } days
    } overdue
mail-milestone-overdue-ask = Please submit the report now; finance officers, please follow up.

mail-milestone-escalation-subject = [Huimin] Escalation: milestone "{ $milestone }" over 30 days overdue
mail-milestone-escalation-ask = For the supervisors' attention.

mail-indicator-alert-subject = [Huimin] Performance warning: { $contract }
mail-indicator-alert-score = The score so far is { $score }, below the minimum of { $min_pay } for payment.
mail-indicator-alert-stale = No value in 90 days for the indicators: { $stale }.
mail-indicator-alert-ask = Please check the service and report indicator values.

mail-post-vacant-subject = [Huimin] Post "{ $post }" vacant for { $days ->
        [one] 1 day
       *[other] { $days } days
    }
mail-post-vacant-post = Post: { $post }
mail-post-vacant-since = Nobody has filled it since { $since }: { $days ->
        [one] 1 day
       *[other] { $days } days
    } in a row.
mail-post-vacant-ask = Vacancy days are deducted from milestone payments; please fill the post.

mail-contract-expiring-subject = [Huimin] Contract "{ $contract }" ends on { $end }
mail-contract-expiring-end = End date: { $end }.
mail-contract-expiring-open = { $open ->
        [one] 1 milestone is
       *[other] { $open } milestones are
    } not accepted yet.

mail-budget-watch-subject = [Huimin] Budget watch: { $line }
mail-budget-watch-line = Budget line: { $line } ({ $year })
mail-budget-watch-high = Committed and reserved: { $committed }% of the amount, over 90%.
mail-budget-watch-slow = Disbursed { $disbursed }%, well behind the { $elapsed }% of the year elapsed.

mail-budget-amount-changed-subject = [Huimin] Budget line "{ $line }": amount changed
mail-budget-amount-changed-line = Budget line: { $line }
mail-budget-amount-changed-amounts = Amount changed from { $old } to { $new }.
mail-budget-amount-changed-reason = Reason: { $reason }

mail-report-submitted-subject = [Huimin] { $organisation } reported on milestone "{ $milestone }"
mail-report-submitted-ask = Please review the report: accept or reject it.

mail-report-decided-subject-accepted = [Huimin] Milestone "{ $milestone }" accepted
mail-report-decided-subject-rejected = [Huimin] Report on milestone "{ $milestone }" rejected
mail-report-decided-payable = Payable: { $payable }.
mail-report-decided-comment = Comment: { $comment }

mail-payment-recorded-subject = [Huimin] Payment of { $amount }
mail-payment-recorded-paid = { $amount } paid on { $paid_on }, voucher number { $voucher }.

mail-tender-published-subject = [Huimin] New tender: { $title }
mail-tender-published-purchaser = Purchaser: { $purchaser }
mail-tender-published-title = Tender: { $title }
mail-tender-published-ceiling = Ceiling: { $ceiling }
mail-tender-published-deadline = Bid deadline: { $deadline }

mail-account-changed-subject-created = [Huimin] The account "{ $user }" of { $organisation } was created by an administrator
mail-account-changed-subject-reset = [Huimin] The account "{ $user }" of { $organisation } had its password reset by an administrator
mail-account-changed-created = Account: { $user } ({ $email }) was created by an administrator.
mail-account-changed-reset = Account: { $user } ({ $email }) had its password reset by an administrator.
mail-account-changed-ask = The account must change its password when it first signs in. If your organisation did not ask for this, contact the finance bureau at once.

mail-audit-anchor-subject = [Huimin] Audit chain anchor: event { $seq }
mail-audit-anchor-head = The audit chain's newest event: { $seq } (written { $at })
mail-audit-anchor-hash = Hash: { $hash }
mail-audit-anchor-ask = Keep this e-mail outside Huimin. This command later proves that the chain still holds this event unchanged; it fails if the newest events were deleted:
mail-audit-anchor-command = huimin audit verify --anchor { $seq }:{ $hash }

mail-digest-subject = [Huimin] Today's reminders ({ $count })

mail-payment-request-subject-submitted = [Huimin] { $organisation } requests a payment of { $amount }: please verify
mail-payment-request-subject-verified = [Huimin] Payment request of { $amount } verified: please approve
mail-payment-request-subject-second = [Huimin] Payment request of { $amount } is above the limit: a second approval is needed
mail-payment-request-subject-approved = [Huimin] Payment request of { $amount } approved, to be paid
mail-payment-request-subject-returned = [Huimin] Payment request of { $amount } returned: please correct and resubmit
mail-payment-request-advance = Kind: advance payment
mail-payment-request-amount = Amount requested: { $amount }
mail-payment-request-comment = Reason for return: { $comment }
mail-payment-request-waiting-subject = [Huimin] Payment request of { $amount }: { $days } days waiting { $status ->
    [submitted] for verification
    [verified] for approval
    [approved] for payment
   *[returned] for correction
}
mail-payment-request-waiting-subject-escalation = [Huimin] Escalation: a payment request of { $organisation } has waited { $days } days
mail-payment-request-waiting-days = { $days } days waiting { $status ->
    [submitted] for a finance officer to verify it.
    [verified] for an approver.
    [approved] for the payment.
   *[returned] for the organisation to correct it.
}
mail-payment-request-waiting-ask = Over 15 days: for the supervisors' attention.
