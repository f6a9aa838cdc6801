# Unge

col-birth-date = Fødselsdato
col-interests = Interesser
col-consultant = Ungekonsulent
youth-list-title = Unge
youth-showing-own = Viser dine unge.
youth-show-all = Vis alle unge i kommunen
youth-showing-all = Viser alle unge i kommunen.
youth-show-own = Vis kun dine unge
youth-search-label = Søg efter navn eller fuldt CPR-nummer
youth-search-placeholder = fx Ida eller Hansen
youth-search-hint = En søgning på CPR-nummer sendes aldrig i adresselinjen og logges uden nummeret.
youth-count = { $n ->
    [0] Ingen unge fundet
    [one] 1 ung
   *[other] { $n } unge
}
youth-page-intro = Arbejdsidentitet først: hvad den unge kan, vil og har gjort.
youth-work-identity = Arbejdsidentitet
youth-facts = Oplysninger
years = år
youth-registered = Registreret
portfolio-edit = Ret interesser og styrker
youth-see-access-log = Se hvem der har set den unges oplysninger
youth-new-intro = Registrér en ung i din kommune. CPR-nummeret gemmes krypteret og vises aldrig igen.
consultant-assign = Tildel ungekonsulent
consultant-none = Ingen ungekonsulent
update = Ændring
youth-course-link = Forløb, praktikker og samtaler
field-outside-trial = Uden for forsøgets målgruppe, fordi
field-outside-trial-note = Anden grund
hint-outside-trial = Der er et åbent forsøg i kommunen. Unge i målgruppen kommer i programmet gennem visitation og lodtrækning (Forsøg → Visitation); registrér her kun unge uden for målgruppen.
outside-trial-choose = Vælg en grund
outside-trial-age = Uden for aldersgruppen ({ $min }–{ $max } år)
outside-trial-benefit = Ikke på en ydelse, forsøget omfatter
outside-trial-qualification = Har en kompetencegivende uddannelse
outside-trial-other = Anden grund (skriv den nedenfor)
me-page-intro = Her er din arbejdsidentitet: hvad du kan, hvad du vil, og hvad du har prøvet.
me-work-identity = Din arbejdsidentitet
me-portfolio-edit = Ret dine interesser og styrker
me-consultant = Din ungekonsulent
me-see-access-log = Se hvem der har set dine oplysninger
me-unlinked-title = Dit forløb er ikke klar endnu
me-unlinked-body = Du er logget ind, men dit login er endnu ikke koblet til dit forløb. Sig det til din konsulent eller sagsbehandler; når det er gjort, ser du her dine interesser, styrker, praktikker og hvem der har set dine oplysninger.
youth-record-number = Sagsnr.
youth-saved-portfolio = Gemt.
youth-saved-consultant = Konsulenten er gemt.
