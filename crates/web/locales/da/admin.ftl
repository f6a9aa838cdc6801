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

## Én brugers side: navn, team, kobling og adgang
user-state = Status
user-state-active = Aktiv
user-state-awaiting = Venter på godkendelse
user-state-deactivated = Deaktiveret { $date }
user-state-deactivated-short = Deaktiveret
user-team = Team
user-fte = årsværk
user-linked-record = Åbner den unges sag nr.
user-linked-company = Virksomhed
user-name-title = Navn
user-team-title = Team og årsværk
user-team-intro = Konsulenter, psykologer og teamledere hører til ét team i kommunen. De vises med deres årsværk i teamlederens oversigt og på deres egen forside. Et nyt teamnavn opretter teamet. Tøm feltet for at tage personen ud af teamet.
user-team-hint = Kommunens teams: { $teams }
user-team-hint-none = Kommunen har ingen teams endnu; skriv et navn for at oprette det første.
user-fte-hint = Andel af fuld tid, fx 1 eller 0,8.
user-link-title = Kobling til sagen
user-youth-record-hint = Sagsnummeret står øverst på den unges side hos konsulenten eller sagsbehandleren. Du ser ikke den unges oplysninger; login'et åbner sagen under »Mit forløb«.
user-company-choose = Vælg virksomhed
user-link = Kobl
user-access-title = Adgang
user-deactivate-intro = Deaktivér en bruger, der er stoppet: login'et virker ikke længere, alle sessioner og API-nøgler lukkes med det samme, og personen forlader sit team. Historikken bevares.
user-deactivate = Deaktivér
user-reactivate-intro = Brugeren er deaktiveret og kan ikke logge ind. Genåbn kontoen, hvis personen skal bruge Spire igen (gamle API-nøgler forbliver lukkede).
user-reactivate = Genåbn kontoen
user-saved-name = Navnet er gemt.
user-saved-team = Teamet er gemt.
user-saved-link = Login'et er koblet.
user-saved-reactivated = Kontoen er genåbnet; brugeren kan logge ind igen. En medarbejder skal sættes i sit team igen herunder.
user-saved-deactivated = Brugeren er deaktiveret. { $sessions ->
    [0] Ingen sessioner var åbne.
    [one] Én session er lukket.
   *[other] { $sessions } sessioner er lukket.
} { $youth ->
    [0] {""}
    [one] Én ung havde brugeren som konsulent og skal have en ny; teamlederen ser det på sin forside.
   *[other] { $youth } unge havde brugeren som konsulent og skal have en ny; teamlederen ser det på sin forside.
}
admin-action-user-renamed = Navn ændret
admin-action-team-placed = Team ændret
admin-action-login-linked = Login koblet til sag eller virksomhed
admin-action-user-deactivated = Bruger deaktiveret
admin-action-user-reactivated = Bruger genåbnet
login-deactivated = Din konto er lukket. Kontakt din teamleder eller kommunens IT, hvis du skal bruge Spire igen.
field-team-name = Team
field-fte = Årsværk
field-youth-record = Den unges sagsnummer
field-active = Adgang
err-team-staff-only = Kun konsulenter, psykologer og teamledere hører til et team.
err-record-has-login = Den sag har allerede sit eget login.
err-own-account = Du kan ikke deaktivere din egen konto.
err-nothing-to-link = Kun en ungs eller en virksomhedskontakts login kobles til en sag eller en virksomhed.
err-record-number = Sagsnummeret er et tal, fx 129.
err-unknown-record = Kommunen har ingen ung med det sagsnummer. Tjek nummeret på den unges side.
err-fte-range = Årsværk skal være over 0 og højst 1, fx 0,8.
user-saved-team-left = Personen er taget ud af sit team.
user-deactivate-open = Deaktivér kontoen …
