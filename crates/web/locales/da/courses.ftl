nav-week = Min uge
nav-team = Team og sagstal
nav-my-progress = Min udvikling
course-title = Forløb
course-none = Intet forløb endnu.
course-in-trial = I forsøget (accepteret tilbud)
course-outside-trial = Uden for forsøget (indgår ikke i evalueringen)
course-started = Startet
course-open = I gang
course-ended = Afsluttet { $date }: { $reason }
course-internships = Praktikker
internship-new = Ny praktik
course-follow-ups = Opfølgning på varighed
follow-up-question = Er den unge stadig i job eller uddannelse?
follow-up-months = { $n } måneder efter
follow-up-answer-yes = Ja, stadig i job eller uddannelse
follow-up-answer-no = Nej
follow-up-answer-unknown = Ved ikke
course-progress = 6-ugers samtaler
course-progress-intro = Den unge og konsulenten giver hver 1–5 for retning, vedholdenhed, nysgerrighed, robusthed og selvværd.
course-progress-none = Ingen samtaler endnu.
my-progress-intro = Hver 6. uge taler du med din konsulent om, hvordan det går. Giv dig selv 1–5 for hvert punkt – din konsulent gør det samme, og graferne viser udviklingen.
progress-side-youth = Den unge
progress-side-consultant = Konsulenten
progress-side-you = Dig
course-form-course = Start forløb uden for forsøget
course-form-progress = Registrér 6-ugers samtale
course-form-progress-own = Min vurdering
course-form-exit = Afslut forløbet
course-start = Start forløb
course-exit = Afslut forløb
course-saved-opened = Forløbet er startet.
course-saved-exit = Forløbet er afsluttet.
course-saved-follow-up = Opfølgningen er gemt.
course-saved-progress = Samtalen er gemt.
course-saved-assigned = Tildelingen er gemt.
course-saved-task = Opgaven er markeret som klaret.
field-exit-date = Slutdato
field-exit-reason = Årsag
field-exit-note = Bemærkning
field-held-on = Samtalens dato
field-direction = Retning
field-persistence = Vedholdenhed
field-curiosity = Nysgerrighed
field-resilience = Robusthed
field-self-esteem = Selvværd
field-youth-ids = Unge
score-1 = 1 – meget lidt
score-2 = 2
score-3 = 3
score-4 = 4
score-5 = 5 – rigtig meget
exit-job = Ordinært job
exit-education = Uddannelse
exit-apprenticeship = Læreplads
exit-wage-subsidy = Løntilskud
exit-other-help = Anden hjælp
exit-moved = Fraflyttet
exit-dropped-out = Faldet fra
exit-other = Andet
week-summary = { $youth ->
    [one] 1 ung i forløb
   *[other] { $youth } unge i forløb
} · { $items ->
    [0] intet at gøre lige nu
    [one] 1 ting denne uge
   *[other] { $items } ting denne uge
}
week-due = Denne uge
week-nothing-due = Intet forfalder denne uge.
week-my-youth = Mine unge
week-no-youth = Ingen unge i forløb hos dig.
week-col-internship = Praktik
week-col-next = Næste skridt
week-col-contact = Sidste kontakt
week-task = Opgave
week-internship-starting = Praktik starter
week-internship-ending = Praktik slutter
week-internship-overdue = Praktik er slut – registrér udfaldet
week-near-limit = Praktik nær lovens grænse
week-follow-up-due = Opfølgning forfalder
week-conversation-due = 6-ugers samtale
week-no-contact = Ingen kontakt i 2 uger
next-task = Løs opgaven
next-internship-starting = Start praktikken
next-internship-ending = Afslut eller forlæng praktikken
next-internship-overdue = Registrér praktikkens udfald
next-near-limit = Forlæng med begrundelse eller afslut
next-follow-up-due = Følg op på job/uddannelse
next-conversation-due = Hold 6-ugers samtale
next-no-contact = Tag kontakt
next-find-internship = Find en praktik
next-keep-going = Følg praktikken
task-network-absences = Tre fravær uden afbud i træk i ungenetværket – tag kontakt
task-internship-ended-by-youth = Den unge har afsluttet en praktik – følg op
task-done = Klaret
team-intro = Teamets { $year }. år: normen er { $norm } unge pr. konsulent. { $youth } unge i forløb, { $unassigned } uden konsulent.
team-caseload = Unge pr. konsulent
team-norm = norm { $n }
team-ladder = Opskalering (3 → 4 → 5 konsulenter): { $youth } unge i forløb kræver { $needed } konsulenter ved normen; teamet har { $have }.
team-col-youth = Unge
team-col-internships = Aktive praktikker
team-col-tasks = Åbne opgaver
team-reassign = Fordel unge
team-choose-youth = Vælg de unge
team-assigned = { $name }: tildelt.
team-not-assigned = { $name }: ikke fundet – intet ændret.
team-over-norm = Bemærk: { $name } har nu { $count } unge; normen er { $norm }.
team-youth-count = { $n ->
    [one] 1 ung
   *[other] { $n } unge
}
team-task-count = { $n ->
    [0] ingen åbne opgaver
    [one] 1 åben opgave
   *[other] { $n } åbne opgaver
}
