## An organisation staffs a contract's posts: assign a worker, end an assignment.
staff-assign = Assign a worker
staff-assign-hint = These posts have no worker today. The ID number is only checked: once saved, only its last 4 characters are shown.
staff-worker-name = Worker's name
staff-qualification = Qualification
staff-certificate-no = Certificate number (leave empty without a qualification)
staff-id-number = ID number
staff-id-number-hint = 18 characters; the last may be X.
staff-id-number-retype = To protect personal data the ID number is never shown on the page: please type it again.
staff-from-date = First day in the post
staff-assign-button = Assign
staff-end = End an assignment
staff-since = In the post since:
staff-to-date = Last day in the post
staff-end-button = End assignment
flash-worker-assigned = Worker assigned.
flash-assignment-ended = Assignment ended.
