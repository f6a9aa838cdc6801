# Administration

administration = Drift
user-new-title = Opret bruger
none-cross-municipal = Ingen (tværkommunal rolle)
user-created = Brugeren { $login } er oprettet. Har kommunen en teamleder, kan kontoen bruges, når teamlederen har godkendt den (under Administrationslog).

## Administrationsloggen og log-ins der venter
admin-log-intro = Hvem der har oprettet brugere, ophævet ventetider, nulstillet totrinslogin, lavet API-nøgler og tilføjet kommuner — og hvornår. Loggen kan ikke ændres eller slettes. En teamleder ser det, der angår egen kommune.
admin-log-waiting-title = Brugere der venter med at logge ind
admin-log-waiting-intro = Efter flere forkerte forsøg skal brugeren vente, før næste forsøg (et minut, så dobbelt så længe for hvert nyt forkert forsøg, højst en time). Ophæv ventetiden, når du ved, at det er brugeren selv.
admin-log-waiting-none = Ingen brugere venter.
admin-log-col-until = Venter til
admin-log-unblock = Ophæv ventetid
admin-log-unblocked = Ventetiden er ophævet. Brugeren kan logge ind igen.
admin-log-changes-title = Ændringer
admin-log-changes-none = Ingen ændringer endnu.
admin-log-col-actor = Udført af
admin-log-col-action = Ændring
admin-log-col-target = Bruger eller kommune
admin-log-col-detail = Detaljer
admin-action-user-created = Bruger oprettet
admin-action-login-unblocked = Ventetid ophævet
admin-action-two-factor-reset = Totrinslogin nulstillet
admin-action-token-created = API-nøgle lavet
admin-action-token-revoked = API-nøgle tilbagekaldt
admin-action-municipality-saved = Kommune tilføjet eller omdøbt
admin-log-approval-title = Konti der venter på godkendelse
admin-log-approval-intro-lead = En administrator har oprettet disse konti i din kommune. De kan ikke logge ind, før du har godkendt dem — godkend kun dem, du ved skal arbejde her.
admin-log-approval-intro-admin = Disse konti venter på, at kommunens teamleder godkender dem; to personer skal til, før nogen får adgang til en kommunes personoplysninger.
admin-log-col-since = Oprettet
admin-log-approve = Godkend
admin-log-approved = Kontoen er godkendt og kan nu bruges.
admin-action-user-approved = Konto godkendt
