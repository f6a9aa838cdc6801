# Account: log-in, two-factor log-in, the home page

login-title = Log in
login-intro = Log in with your user name and password.
login-button = Log in
login-failed = Wrong user name or password.
login-awaiting-approval = Your account is made but waits for the team lead in { $municipality } to approve it. You can log in once they have.
login-blocked = Too many wrong attempts. Try again in { $minutes ->
        [one] one minute
       *[other] { $minutes } minutes
    }, or ask your team lead or an administrator to lift the block.
home-greeting = Hello { $name }
home-intro-caseworker = Register young people in the target group and follow your registrations.
home-intro-consultant = The young people and companies of your network.
home-intro-psychologist = The young people and companies of your network.
home-intro-team-lead = The team, the young people and the company network at a glance — and who has seen what.
home-intro-company-contact = Your company and its contact people.
home-intro-youth = See your course, and who has seen your data.
home-intro-researcher = Figures across municipalities, without personal data.
home-intro-programme-office = Figures across municipalities, without personal data.
home-intro-admin = Users and settings. As an administrator you do not see personal data.
home-trial-intake = Intake for { $trial }
home-offers-awaiting = programme offers awaiting the young person's answer
home-unassigned = { $n ->
    [one] young person in the programme without a consultant
   *[other] young people in the programme without a consultant
}
home-over-norm = over the norm
home-my-registrations = young people registered by you
home-youth-in-programme = young people in the programme
home-my-caseload = young people with you
home-companies = companies in the network
home-municipalities = municipalities
home-users = users
home-team = The team
home-caseload-chart = Young people per youth consultant
home-caseload-norm = norm { $n }
col-fte = FTE
col-caseload = Young people
two-factor-title = Two-factor log-in
two-factor-intro = Staff log in with a one-time code from an authenticator app as well as the password. It protects the young people's data if a password leaks. Setting it up takes a minute.
two-factor-step-app = Open an authenticator app on your phone (e.g. Microsoft Authenticator, Google Authenticator or 1Password).
two-factor-step-scan = Scan the QR code with the app.
two-factor-step-type = If you cannot scan, type the key into the app:
two-factor-step-code = Enter the six-digit code the app shows to turn two-factor log-in on.
two-factor-confirm-button = Turn on two-factor log-in
two-factor-start-button = Start the set-up
two-factor-start-first = Start the set-up first; it gives you the key the code must come from.
two-factor-enabled = Two-factor log-in is on. Next time you log in, Spire asks for a code from the app.
two-factor-lost-phone = Lost your phone? An administrator can reset your two-factor log-in with spire user reset-two-factor so you can set it up again.
two-factor-qr-title = QR code for the authenticator app
two-factor-code-title = One-time code
two-factor-code-intro = Enter the six-digit code from your authenticator app.
two-factor-code-button = Log in
two-factor-wrong-code = The code does not match (or was used already). Check that the phone's clock is right and try the next code.
home-see-week = See the whole week

## API tokens
nav-tokens = API tokens
tokens-intro = With an API token a program can use Spire's API (/api/v1) with your rights. The token is shown only once; Spire keeps only a fingerprint of it. A token expires, can be revoked, and does not work while you must wait after wrong passwords.
tokens-new-title = Your new token
tokens-new-once = Copy the token now and keep it safe. It is not shown again.
tokens-already-made = The token from this form was already made and shown once. No new one was made.
tokens-revoked = The token is revoked and no longer works.
tokens-make-title = Make a token
tokens-make = Make token
tokens-list-title = Your tokens
tokens-none = You have no tokens.
tokens-col-created = Made
tokens-col-expires = Expires
tokens-col-last-used = Last used
tokens-col-status = Status
tokens-active = Works
tokens-expired = Expired
tokens-revoked-at = Revoked { $at }
tokens-never-used = Never
tokens-revoke = Revoke
err-unknown-token = You have no token with that id.
field-label = Token name
field-days = Valid for days
field-id = Token id
hint-token-label = What the token is for, e.g. "Export to a spreadsheet".
hint-token-days = 1 to { $max } days.
home-my-team = Your team: { $team } · { $fte } FTE
home-no-team = You are not in a team yet. The administrator places you in a team with your FTE.
