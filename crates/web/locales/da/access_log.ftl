# Adgangsloggen

access-log-intro = Alle opslag, søgninger, ændringer og udtræk af unges oplysninger i kommunen. Logningen er lovpligtig og kan ikke ændres.
access-log-extract-title = Adgangslog for { $name }
access-log-extract-intro = Alle, der har brugt den unges oplysninger — det udtræk, en borger kan bede om.
access-log-mine-intro = Her kan du se, hvem der har set eller ændret dine oplysninger, hvornår og hvorfor.
access-log-user = Bruger
access-log-from = Fra dato
access-log-to = Til dato
access-log-time = Tidspunkt
access-log-action = Handling
access-log-subject = Hvem eller hvad
access-log-purpose = Formål
access-log-request = Forespørgsel
access-log-empty = Ingen rækker.
access-log-lookup-alert = { $name } ({ $login }) har det seneste døgn slået { $count } unge op, som hører til andre kommuner (senest { $last }), og kan ikke slå flere CPR-numre op før i morgen. Tal med medarbejderen, hvis det ikke var en del af arbejdet.
criterion-cpr-found-elsewhere = CPR-nummer fundet i en anden kommune
criterion-cpr-looked-up-from-elsewhere = slået op fra en anden kommune
