## Payment requests (SPEC §9): the queue, a request's page, the contract's payments tab, the home
## page's to-do, a user's approver flag.
nav-payment-requests = Payment requests
pr-queue-title = Payment requests
pr-title = Payment request
pr-heading = Payment request: { $name }
pr-contract = Contract
pr-status = Status
pr-status-submitted = Submitted
pr-status-verified = Verified
pr-status-approved = Approved
pr-status-paid = Paid
pr-status-returned = Returned
pr-status-withdrawn = Withdrawn
pr-waiting = Waiting for
pr-waits-verify = A finance officer to verify it
pr-waits-approve = An approver to approve it
pr-waits-second = A second approver to approve it
pr-waits-pay = A finance officer to pay it
pr-waits-correct = The organisation to correct and resubmit it
pr-waited = { $count ->
    [0] since today
    [one] for 1 day
   *[other] for { $count } days
}
pr-view-to-verify = To verify
pr-view-to-approve = To approve
pr-view-to-pay = To pay
pr-view-all = All
pr-view-returned = Returned to correct
pr-hint-verify = Check each invoice against the accepted milestone: verify it, or return it to the organisation saying why.
pr-hint-approver = These requests are verified and wait for approval. The approver must be neither the verifier nor the person who accepted the milestone: such a request needs another approver.
pr-hint-pay = These requests are approved: record their payment (the date paid and the voucher number).
pr-hint-returned = These requests were returned: correct them as the comment asks and resubmit, or withdraw them.
pr-hint-read-only = For reading only: the organisation submits a request, a finance officer verifies it, an approver approves it, then it is paid.
pr-filter-status = Status
pr-filter-any = Any status
pr-filter-apply = Show
pr-filter-contract = Contract: { $name }
pr-filter-clear = All contracts
pr-none = No payment request here.
pr-now = Now:
pr-for = For
pr-amount = Amount (yuan)
pr-invoice-no = Invoice number
pr-invoice-date = Invoice date
pr-note = Note
pr-approvals = Approvals
pr-two-approvers = Above { $name }: two approvers approve, one after the other
pr-return-comment = Why it was returned:
pr-act = What you can do
pr-verify-hint = Check the invoice number, the amount and the milestone's acceptance; once you verify it, an approver approves it.
pr-verify = Verify
pr-approve-hint = The approver must be neither the verifier nor the person who accepted the milestone.
pr-approve-hint-two = This request needs two different approvers.
pr-you-verified = You verified this request: another approver must approve it.
pr-approve = Approve
pr-approve-second = Approve as second approver
pr-correct = Correct the request
pr-resubmit = Resubmit
pr-return-why = Why you return it (the organisation sees this)
pr-return = Return to the organisation
pr-withdraw-hint = A withdrawn request goes no further; request again when a payment is due.
pr-withdraw = Withdraw the request
pr-timeline = What has happened
pr-step-submitted = Submitted
pr-step-resubmitted = Corrected and resubmitted
pr-step-migrated = Paid before payment requests existed (recorded by the system)
pr-earlier-return = Returned earlier because:
pr-step-verified = Verified
pr-step-approved = Approved
pr-step-first-approval = First approval
pr-step-second-approval = Second approval
pr-step-returned = Returned to the organisation at verification
pr-step-returned-at-approval = Returned to the organisation at approval
pr-step-withdrawn = Withdrawn by the organisation
pr-step-paid = Paid
pr-see-payment = See the payment
pr-request = Request payment
pr-request-hint = Ask to be paid for an accepted milestone, or an advance, with the invoice. A finance officer verifies it, an approver approves it, then it is paid.
pr-requestable = Still requestable
pr-advance-at-most = at most
pr-advance-requestable = An advance may still ask for:
pr-request-submit = Send the payment request
pr-nothing-requestable = Nothing can be requested now: a milestone can be requested once its report is accepted.
pr-of-contract = Payment requests
pr-none-on-contract = No payment request on this contract yet.
pr-requested-open = Requested, not yet paid
pr-pay-hint = The amount and the milestone are the approved request's.
pr-approved-request = Approved payment request
pr-none-approved = No approved payment request is waiting to be paid.
flash-pr-submitted = The payment request has been sent: a finance officer will verify it.
flash-pr-verified = The payment request is verified: it waits for an approver.
flash-pr-first-approval = First approval given: it waits for a second approver.
flash-pr-approved = The payment request is approved: it waits to be paid.
flash-pr-returned = The payment request has been returned to the organisation.
flash-pr-withdrawn = The payment request has been withdrawn.
flash-pr-resubmitted = The payment request has been corrected and resubmitted.
home-requests-to-verify = { $count ->
    [one] 1 payment request to verify
   *[other] { $count } payment requests to verify
}
home-requests-to-approve = { $count ->
    [one] 1 payment request to approve
   *[other] { $count } payment requests to approve
}
home-requests-to-pay = { $count ->
    [one] 1 approved payment request to pay
   *[other] { $count } approved payment requests to pay
}
home-requests-returned = { $count ->
    [one] 1 payment request returned, to correct
   *[other] { $count } payment requests returned, to correct
}
users-approver = Approver (may approve payment requests)
users-approver-hint = Finance officers only. An approver approves verified payment requests, but never one they verified nor one for a milestone they accepted.
users-approver-short = Approver
users-approver-yes = Yes
users-approver-no = No
users-approver-save = Save
flash-user-approver-on = The user is now an approver.
flash-user-approver-off = The user is no longer an approver.
contracts-history-entity-payment-request = Payment request
contracts-history-action-resubmit = Resubmitted
contracts-history-action-withdraw = Withdrawn
contracts-history-action-verify = Verified
contracts-history-action-approve = Approved
contracts-history-action-return = Returned
contracts-history-action-pay = Paid
pr-milestone-payable = The milestone's payable
pr-milestone-paid = Paid on the milestone
pr-milestone-requested = Requested on it, not yet paid (this request too)
