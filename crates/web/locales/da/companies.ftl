# Virksomheder

col-contacts = Kontaktpersoner
company-list-title = Virksomheder
company-search-label = Søg efter navn, branche eller CVR
company-new-title = Tilføj virksomhed
