# The programme office

col-youth = Young people
col-with-consultant = With a consultant
col-companies = Companies
col-staff = Staff
overview-title = Cross-municipal overview
overview-intro = Counts per municipality. No personal data.
overview-chart = Young people in the programme per municipality
