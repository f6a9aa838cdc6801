# Programkontoret

col-youth = Unge
col-with-consultant = Med ungekonsulent
col-companies = Virksomheder
col-staff = Medarbejdere
overview-title = Tværkommunalt overblik
overview-intro = Antal pr. kommune. Ingen personoplysninger.
overview-chart = Unge i programmet pr. kommune
