# Nye kommuner (onboarding)

onboarding-title = Nye kommuner: det første år
onboarding-intro = Hver ny kommunes etårsplan fra skabelonen: milepælene kvartal for kvartal, hvem der står for dem, og hvor langt de er.
onboarding-none = Ingen kommune har en etårsplan endnu.
onboarding-col-start = Start
onboarding-col-progress = Fremdrift
onboarding-progress = { $done } af { $total } milepæle nået, { $doing } i gang{ $late ->
    [0] {""}
   *[other] , { $late } forsinket
}.
onboarding-template-link = Rediger skabelonen
onboarding-start = Start en etårsplan
onboarding-start-button = Start planen
onboarding-all-have-plans = Alle kommuner i Spire har en plan. En ny kommune tilføjes af administratoren fra den officielle liste.
onboarding-plan-from = Etårsplan fra
onboarding-quarter = { $quarter }. kvartal
onboarding-due = senest
onboarding-late = forsinket
onboarding-status-todo = Ikke startet
onboarding-status-doing = I gang
onboarding-status-done = Nået
onboarding-saved-started = Planen er startet fra skabelonen.
onboarding-saved-item = Milepælen er gemt.
onboarding-saved-template = Skabelonen er gemt. Nye planer starter fra den; planer, der er i gang, beholder deres milepæle.
onboarding-template-title = Skabelon for det første år
onboarding-template-intro = Én milepæl pr. linje: kvartalet (K1–K4), titlen og hvem der står for den, adskilt af |.
onboarding-template-hint = Fx "K2 | Møde i styregruppen | Programkontoret".
field-status = Status
field-owner = Ansvarlig
onboarding-field-notes = Noter
field-template = Milepæle
err-template-quarter = Linje { $line }: skriv kvartalet først, som K1, K2, K3 eller K4.
err-template-title = Linje { $line }: milepælen mangler en titel.
err-template-too-long = Linje { $line }: titel og ansvarlig må højst være { $max } tegn hver.
err-plan-exists = Kommunen har allerede en etårsplan.

admin-municipalities-title = Kommuner i Spire
admin-municipalities-intro = Tilføj en kommune fra den officielle liste over de 98 kommuner; koden følger med, så den ikke skal tastes.
admin-municipality-add = Tilføj kommunen
admin-municipality-added = Kommunen er tilføjet.
col-code = Kode
col-region = Region
