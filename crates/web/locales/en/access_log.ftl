# The access log

access-log-intro = Every read, search, change and export of young people's data in the municipality. Logging is required by law and cannot be altered.
access-log-extract-title = Access log for { $name }
access-log-extract-intro = Everyone who used this young person's data — the extract a citizen may ask for.
access-log-mine-intro = See who has looked at or changed your data, when and why.
access-log-user = User
access-log-from = From date
access-log-to = To date
access-log-time = Time
access-log-action = Action
access-log-subject = Whom or what
access-log-purpose = Purpose
access-log-request = Request
access-log-empty = No rows.
access-log-lookup-alert = { $name } ({ $login }) has in the last day looked up { $count } young people who belong to other municipalities (last at { $last }) and cannot look up more CPR numbers until tomorrow. Talk to them if it was not part of their work.
criterion-cpr-found-elsewhere = CPR number found in another municipality
criterion-cpr-looked-up-from-elsewhere = looked up from another municipality
