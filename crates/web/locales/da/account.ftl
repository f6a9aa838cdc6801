# Konto: log ind, totrinslogin, forsiden

login-title = Log ind
login-intro = Log ind med dit brugernavn og din adgangskode.
login-button = Log ind
login-failed = Forkert brugernavn eller adgangskode.
login-awaiting-approval = Din konto er oprettet, men venter på, at teamlederen i { $municipality } godkender den. Du kan logge ind, når det er sket.
login-blocked = For mange forkerte forsøg. Prøv igen om { $minutes ->
        [one] et minut
       *[other] { $minutes } minutter
    }, eller bed din teamleder eller en administrator om at ophæve spærringen.
home-greeting = Hej { $name }
home-intro-caseworker = Her registrerer du unge i målgruppen og følger dine registreringer.
home-intro-consultant = Her er de unge og virksomhederne i dit netværk.
home-intro-psychologist = Her er de unge og virksomhederne i jeres netværk.
home-intro-team-lead = Overblik over teamet, de unge og virksomhedsnetværket — og hvem der har set hvad.
home-intro-company-contact = Her er din virksomhed og jeres kontaktpersoner.
home-intro-youth = Her kan du se dit forløb, og hvem der har set dine oplysninger.
home-intro-researcher = Tal på tværs af kommunerne, uden personoplysninger.
home-intro-programme-office = Tal på tværs af kommunerne, uden personoplysninger.
home-intro-admin = Brugere og opsætning. Du ser ikke personoplysninger som administrator.
home-my-registrations = unge registreret af dig
home-trial-intake = Visitér til { $trial }
home-offers-awaiting = tilbud om programmet venter på den unges svar
home-unassigned = { $n ->
    [one] ung i programmet uden ungekonsulent
   *[other] unge i programmet uden ungekonsulent
}
home-over-norm = over normeringen
home-youth-in-programme = unge i programmet
home-my-caseload = unge hos dig
home-companies = virksomheder i netværket
home-municipalities = kommuner
home-users = brugere
home-team = Teamet
home-caseload-chart = Unge pr. ungekonsulent
home-caseload-norm = normering { $n }
col-fte = Årsværk
col-caseload = Unge i programmet
two-factor-title = Totrinslogin
two-factor-intro = Medarbejdere logger ind med en engangskode fra en godkendelsesapp ud over adgangskoden. Det beskytter de unges oplysninger, hvis en adgangskode slipper ud. Opsætningen tager et minut.
two-factor-step-app = Åbn en godkendelsesapp på din telefon (fx Microsoft Authenticator, Google Authenticator eller 1Password).
two-factor-step-scan = Skan QR-koden med appen.
two-factor-step-type = Kan du ikke skanne, så skriv nøglen ind i appen:
two-factor-step-code = Skriv den sekscifrede kode, appen viser, for at slå totrinslogin til.
two-factor-confirm-button = Slå totrinslogin til
two-factor-start-button = Start opsætningen
two-factor-start-first = Start opsætningen først; så får du den nøgle, koden skal komme fra.
two-factor-enabled = Totrinslogin er slået til. Næste gang du logger ind, beder Spire om en kode fra appen.
two-factor-lost-phone = Mistet telefonen? En administrator kan nulstille dit totrinslogin med spire user reset-two-factor, så du kan sætte det op igen.
two-factor-qr-title = QR-kode til godkendelsesappen
two-factor-code-title = Engangskode
two-factor-code-intro = Skriv den sekscifrede kode fra din godkendelsesapp.
two-factor-code-button = Log ind
two-factor-wrong-code = Koden passer ikke (eller er brugt). Tjek, at telefonens ur går rigtigt, og prøv den næste kode.
home-see-week = Se hele ugen

## API-nøgler
nav-tokens = API-nøgler
tokens-intro = Med en API-nøgle kan et program bruge Spires API (/api/v1) med dine rettigheder. Nøglen vises kun én gang; Spire gemmer kun et fingeraftryk af den. En nøgle udløber, kan tilbagekaldes, og virker ikke, mens du venter efter forkerte adgangskoder.
tokens-new-title = Din nye nøgle
tokens-new-once = Kopiér nøglen nu og gem den sikkert. Den vises ikke igen.
tokens-already-made = Nøglen fra denne formular er allerede lavet og blev vist én gang. Der er ikke lavet en ny.
tokens-revoked = Nøglen er tilbagekaldt og virker ikke længere.
tokens-make-title = Lav en nøgle
tokens-make = Lav nøgle
tokens-list-title = Dine nøgler
tokens-none = Du har ingen nøgler.
tokens-col-created = Lavet
tokens-col-expires = Udløber
tokens-col-last-used = Sidst brugt
tokens-col-status = Status
tokens-active = Virker
tokens-expired = Udløbet
tokens-revoked-at = Tilbagekaldt { $at }
tokens-never-used = Aldrig
tokens-revoke = Tilbagekald
err-unknown-token = Du har ingen nøgle med det id.
field-label = Navn på nøglen
field-days = Gyldig i dage
field-id = Nøglens id
hint-token-label = Hvad nøglen bruges til, fx "Udtræk til regneark".
hint-token-days = 1 til { $max } dage.
home-my-team = Dit team: { $team } · { $fte } årsværk
home-no-team = Du er ikke sat i et team endnu. Administratoren sætter dig i et team med dit årsværk.
