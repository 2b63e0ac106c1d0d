# Payment requests (SPEC §9): the reminders job, the spending report, the contract dossier
jobs-name-payment-request-reminders = Payment request reminders

spending-requests-waiting = Payment requests waiting
spending-oldest-request-days = Oldest waiting (days)
spending-flag-requests-approved-by-accepter = { $count ->
    [one] 1 payment request approved by the person who accepted its milestone
   *[other] { $count } payment requests approved by the person who accepted their milestone
}
spending-flag-requests-approved-by-accepter-name = Approved by the milestone's accepter
spending-flag-requests-approved-by-accepter-why = A payment request was approved by the same person who accepted its milestone. The system refuses such approvals (the approver is neither the verifier nor the accepter): this must always be 0.

dossier-kind-request = Payment request
dossier-request-submitted = Payment request of { $name } submitted
dossier-request-resubmitted = Payment request of { $name } corrected and resubmitted
dossier-request-verified = Payment request of { $name } verified
dossier-request-approved = Payment request of { $name } approved
dossier-request-second-approved = Payment request of { $name } approved by a second approver
dossier-request-returned = Payment request of { $name } returned
dossier-request-withdrawn = Payment request of { $name } withdrawn
dossier-request-paid = Payment request of { $name } paid
dossier-request-invoice = Invoice
dossier-request-waited = { $count ->
    [one] 1 day after the step before
   *[other] { $count } days after the step before
}
dossier-request-waiting = { $count ->
    [one] Waiting at this step for 1 day
   *[other] Waiting at this step for { $count } days
}
dossier-request-comment = Reason for return: { $name }

