# Companies

col-contacts = Contact people
company-list-title = Companies
company-search-label = Search by name, industry or CVR
company-new-title = Add a company
