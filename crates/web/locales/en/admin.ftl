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

## One user's page: name, team, link and access
user-state = Status
user-state-active = Active
user-state-awaiting = Awaiting approval
user-state-deactivated = Deactivated { $date }
user-state-deactivated-short = Deactivated
user-team = Team
user-fte = FTE
user-linked-record = Opens the young person's record no.
user-linked-company = Company
user-name-title = Name
user-team-title = Team and FTE
user-team-intro = Consultants, psychologists and team leads belong to one team in their municipality. They appear with their FTE in the team lead's overview and on their own home page. A new team name creates the team. Empty the field to take the person out of their team.
user-team-hint = The municipality's teams: { $teams }
user-team-hint-none = The municipality has no teams yet; type a name to create the first.
user-fte-hint = Share of full time, e.g. 1 or 0.8.
user-link-title = Link to the record
user-youth-record-hint = The record number is at the top of the young person's page, as the consultant or caseworker sees it. You do not see the young person's details; the login opens the record under "My course".
user-company-choose = Choose a company
user-link = Link
user-access-title = Access
user-deactivate-intro = Deactivate a user who has left: the login stops working, every session and API token ends at once, and the person leaves their team. The history is kept.
user-deactivate = Deactivate
user-reactivate-intro = The user is deactivated and cannot log in. Reopen the account if the person is to use Spire again (old API tokens stay revoked).
user-reactivate = Reopen the account
user-saved-name = The name is saved.
user-saved-team = The team is saved.
user-saved-link = The login is linked.
user-saved-reactivated = The account is reopened; the user can log in again. A member of staff is to be placed in their team again below.
user-saved-deactivated = The user is deactivated. { $sessions ->
    [0] No sessions were open.
    [one] One session is ended.
   *[other] { $sessions } sessions are ended.
} { $youth ->
    [0] {""}
    [one] One young person had the user as consultant and needs a new one; the team lead sees it on their home page.
   *[other] { $youth } young people had the user as consultant and need a new one; the team lead sees it on their home page.
}
admin-action-user-renamed = Name changed
admin-action-team-placed = Team changed
admin-action-login-linked = Login linked to a record or company
admin-action-user-deactivated = User deactivated
admin-action-user-reactivated = User reopened
login-deactivated = Your account is closed. Contact your team lead or the municipality's IT if you are to use Spire again.
field-team-name = Team
field-fte = FTE
field-youth-record = The young person's record number
field-active = Access
err-team-staff-only = Only consultants, psychologists and team leads belong to a team.
err-record-has-login = That record has a login of its own already.
err-own-account = You cannot deactivate your own account.
err-nothing-to-link = Only a young person's or a company contact's login is linked to a record or a company.
err-record-number = The record number is a number, e.g. 129.
err-unknown-record = The municipality has no young person with that record number. Check the number on the young person's page.
err-fte-range = FTE is above 0 and at most 1, e.g. 0.8.
user-saved-team-left = The person is taken out of their team.
user-deactivate-open = Deactivate the account …
