# Young people

col-birth-date = Date of birth
col-interests = Interests
col-consultant = Youth consultant
youth-list-title = Young people
youth-showing-own = Showing your young people.
youth-show-all = Show every young person in the municipality
youth-showing-all = Showing every young person in the municipality.
youth-show-own = Show only yours
youth-search-label = Search by name or full CPR number
youth-search-placeholder = e.g. Ida or Hansen
youth-search-hint = A search by CPR number is never sent in the address bar and is logged without the number.
youth-count = { $n ->
    [0] No young people found
    [one] 1 young person
   *[other] { $n } young people
}
youth-page-intro = Work identity first: what the young person can do, wants and has done.
youth-work-identity = Work identity
youth-facts = Details
years = years
youth-registered = Registered
portfolio-edit = Edit interests and strengths
youth-see-access-log = See who has seen this young person's data
youth-new-intro = Register a young person in your municipality. The CPR number is stored encrypted and never shown again.
consultant-assign = Assign a youth consultant
consultant-none = No youth consultant
update = Changed
youth-course-link = Course, internships and conversations
field-outside-trial = Outside the trial's target group, because
field-outside-trial-note = Other reason
hint-outside-trial = A trial is open in the municipality. Young people in its target group enter the programme through screening and the draw (Trial → Screening); register here only young people outside the target group.
outside-trial-choose = Choose a reason
outside-trial-age = Outside the age band ({ $min }–{ $max } years)
outside-trial-benefit = Not on a benefit the trial covers
outside-trial-qualification = Has a qualifying education
outside-trial-other = Another reason (write it below)
me-page-intro = This is your work identity: what you can do, what you want, and what you have tried.
me-work-identity = Your work identity
me-portfolio-edit = Edit your interests and strengths
me-consultant = Your youth consultant
me-see-access-log = See who has seen your data
me-unlinked-title = Your course is not ready yet
me-unlinked-body = You are logged in, but your login is not yet linked to your course. Tell your consultant or caseworker; once it is done, you see here your interests, strengths, internships and who has seen your details.
youth-record-number = Record no.
youth-saved-portfolio = Saved.
youth-saved-consultant = The consultant is saved.
