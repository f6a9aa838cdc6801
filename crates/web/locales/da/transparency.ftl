# Forsøgets offentlige log: kan ses uden login

log-index-title = Lodtrækningens offentlige log
log-index-intro = Hvert forsøg har en offentlig log over sine lodtrækninger. Alle kan hente den og kontrollere den med værktøjer, Spire ikke har skrevet. Der er ingen personoplysninger i den.
log-index-empty = Der er endnu ingen forsøg.
log-entries = { $count ->
    [one] { $count } post
   *[other] { $count } poster
}
log-revealed = nøglen er afsløret: designet er offentligt
log-concealed-short = forsøget kører: armene er skjult
log-concealed = Offentliggøres, når lodtrækningsnøglen er afsløret ved forsøgets afslutning. Indtil da er designet skjult, så ingen kan forudsige den næste lodtrækning.
log-entries-withheld = Posterne og lodtrækningsnøglen udleveres kun til en navngiven modtager, og udleveringen logges. En post rummer hverken CPR-nummer eller navn, men dens nøjagtige tid, kommune og strata kan tilsammen udpege en person, og med nøglen kan den, der kender en persons tidspunkt, regne personens arm ud.
log-title = Offentlig log for forsøget
log-intro = Her kan alle, uden login, kontrollere at hver lodtrækning står i loggen, og at loggen aldrig er skrevet om. Efter afsløringen kan en navngiven revisor, der får posterne og nøglen, kontrollere forpligtelsen og at hver arm er den, forpligtelsen gav.
log-flow-title = Fra lodtrækning til din kontrol
log-step-draw = Lodtrækning
log-step-log = Posten føjes til loggen
log-step-checkpoint = Loggen signerer et kontrolpunkt
log-step-witness = Vidner medunderskriver
log-step-you = Du kontrollerer selv
log-facts = Loggen nu
log-size = Poster
log-status = Status
log-origin = Loggens navn
log-key = Nøgle til kontrol
log-commitment = Forpligtelse
log-witnesses = Vidner til seneste kontrolpunkt
log-no-witness = ingen endnu
log-files = Filerne
log-file-bundle = hele loggen i ét arkiv, til kontrol uden net
log-file-checkpoint = seneste kontrolpunkt, signeret af loggen og medunderskrevet af vidner
log-file-key = loggens offentlige nøgle
log-file-info = forsøg, nøgle, forpligtelse og størrelse
log-file-heads = hvert signeret kontrolpunkt, ét pr. linje
log-file-cosignatures = vidnernes medunderskrifter
log-file-tiles = træets hashværdier i fliser (C2SP tlog-tiles)
log-file-revealed = designversionerne er offentlige efter afsløringen
log-check = Sådan kontrollerer du
log-check-intro = Gem kontrolpunktet i dag. Hent loggen igen senere, og kontrollér den mod det gemte: en log, der er skåret ned eller skrevet om, fejler.
log-check-go = Formaterne er C2SP tlog-checkpoint, tlog-tiles og tlog-cosignature, så Go-pakkerne golang.org/x/mod/sumdb/note og sumdb/tlog kan kontrollere signaturen og beviserne.

field-recipient = Modtager
field-purpose = Formål
