nav-week = My week
nav-team = Team and caseload
nav-my-progress = My progress
course-title = Course
course-none = No course yet.
course-in-trial = In the trial (accepted offer)
course-outside-trial = Outside the trial (not part of the evaluation)
course-started = Started
course-open = Ongoing
course-ended = Ended { $date }: { $reason }
course-internships = Internships
internship-new = New internship
course-follow-ups = Durability follow-ups
follow-up-question = Is the young person still in a job or education?
follow-up-months = { $n } months after
follow-up-answer-yes = Yes, still in a job or education
follow-up-answer-no = No
follow-up-answer-unknown = Unknown
course-progress = 6-week conversations
course-progress-intro = The young person and the consultant each score direction, persistence, curiosity, resilience and self-esteem from 1 to 5.
course-progress-none = No conversations yet.
my-progress-intro = Every 6 weeks you talk with your consultant about how things are going. Score yourself 1–5 on each point – your consultant does the same, and the charts show the change.
progress-side-youth = The young person
progress-side-consultant = The consultant
progress-side-you = You
course-form-course = Start a course outside the trial
course-form-progress = Record a 6-week conversation
course-form-progress-own = My own scores
course-form-exit = End the course
course-start = Start course
course-exit = End course
course-saved-opened = The course has started.
course-saved-exit = The course has ended.
course-saved-follow-up = The follow-up is saved.
course-saved-progress = The conversation is saved.
course-saved-assigned = The assignment is saved.
course-saved-task = The task is marked done.
field-exit-date = End date
field-exit-reason = Reason
field-exit-note = Note
field-held-on = Date of the conversation
field-direction = Direction
field-persistence = Persistence
field-curiosity = Curiosity
field-resilience = Resilience
field-self-esteem = Self-esteem
field-youth-ids = Young people
score-1 = 1 – very little
score-2 = 2
score-3 = 3
score-4 = 4
score-5 = 5 – very much
exit-job = Ordinary job
exit-education = Education
exit-apprenticeship = Apprenticeship
exit-wage-subsidy = Wage subsidy
exit-other-help = Other help
exit-moved = Moved away
exit-dropped-out = Dropped out
exit-other = Other
week-summary = { $youth ->
    [one] 1 young person in a course
   *[other] { $youth } young people in a course
} · { $items ->
    [0] nothing to do right now
    [one] 1 thing this week
   *[other] { $items } things this week
}
week-due = This week
week-nothing-due = Nothing falls due this week.
week-my-youth = My young people
week-no-youth = No young people in a course with you.
week-col-internship = Internship
week-col-next = Next step
week-col-contact = Last contact
week-task = Task
week-internship-starting = Internship starts
week-internship-ending = Internship ends
week-internship-overdue = Internship is over – record the outcome
week-near-limit = Internship near the legal limit
week-follow-up-due = Follow-up due
week-conversation-due = 6-week conversation
week-no-contact = No contact for 2 weeks
next-task = Do the task
next-internship-starting = Start the internship
next-internship-ending = End or extend the internship
next-internship-overdue = Record the internship's outcome
next-near-limit = Extend with a reason or end it
next-follow-up-due = Follow up on job/education
next-conversation-due = Hold the 6-week conversation
next-no-contact = Get in touch
next-find-internship = Find an internship
next-keep-going = Follow the internship
task-network-absences = Three absences without notice in a row at the youth network – get in touch
task-internship-ended-by-youth = The young person ended an internship – follow up
task-done = Done
team-intro = The team's year { $year }: the norm is { $norm } young people per consultant. { $youth } in a course, { $unassigned } without a consultant.
team-caseload = Young people per consultant
team-norm = norm { $n }
team-ladder = Scaling (3 → 4 → 5 consultants): { $youth } young people in a course need { $needed } consultants at the norm; the team has { $have }.
team-col-youth = Young people
team-col-internships = Active internships
team-col-tasks = Open tasks
team-reassign = Distribute young people
team-choose-youth = Choose the young people
team-assigned = { $name }: assigned.
team-not-assigned = { $name }: not found – nothing changed.
team-over-norm = Note: { $name } now has { $count } young people; the norm is { $norm }.
team-youth-count = { $n ->
    [one] 1 young person
   *[other] { $n } young people
}
team-task-count = { $n ->
    [0] no open tasks
    [one] 1 open task
   *[other] { $n } open tasks
}
