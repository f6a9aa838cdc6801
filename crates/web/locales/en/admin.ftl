# Administration

administration = Operations
user-new-title = Create a user
none-cross-municipal = None (cross-municipal role)
user-created = The user { $login } has been created. If the municipality has a team lead, the account works once they have approved it (under Administration log).

## The administration log and log-ins that wait
admin-log-intro = Who created users, lifted waits, reset two-factor log-in, made API tokens and added municipalities — and when. The log cannot be changed or deleted. A team lead sees what concerns their own municipality.
admin-log-waiting-title = Users waiting to log in
admin-log-waiting-intro = After several wrong attempts a user must wait before the next one (a minute, then twice as long for each further wrong attempt, at most an hour). Lift the wait when you know it is the user themselves.
admin-log-waiting-none = No users are waiting.
admin-log-col-until = Waits until
admin-log-unblock = Lift the wait
admin-log-unblocked = The wait is lifted. The user can log in again.
admin-log-changes-title = Changes
admin-log-changes-none = No changes yet.
admin-log-col-actor = Made by
admin-log-col-action = Change
admin-log-col-target = User or municipality
admin-log-col-detail = Details
admin-action-user-created = User created
admin-action-login-unblocked = Wait lifted
admin-action-two-factor-reset = Two-factor log-in reset
admin-action-token-created = API token made
admin-action-token-revoked = API token revoked
admin-action-municipality-saved = Municipality added or renamed
admin-log-approval-title = Accounts waiting for approval
admin-log-approval-intro-lead = An administrator made these accounts in your municipality. They cannot log in until you approve them — approve only those you know are to work here.
admin-log-approval-intro-admin = These accounts wait for their municipality's team lead to approve them; it takes two people before anyone reaches a municipality's personal data.
admin-log-col-since = Made
admin-log-approve = Approve
admin-log-approved = The account is approved and can now be used.
admin-action-user-approved = Account approved
