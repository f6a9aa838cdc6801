# New municipalities (onboarding)

onboarding-title = New municipalities: the first year
onboarding-intro = Each new municipality's one-year plan from the template: the milestones quarter by quarter, who owns them, and how far they are.
onboarding-none = No municipality has a one-year plan yet.
onboarding-col-start = Start
onboarding-col-progress = Progress
onboarding-progress = { $done } of { $total } milestones reached, { $doing } under way{ $late ->
    [0] {""}
   *[other] , { $late } late
}.
onboarding-template-link = Edit the template
onboarding-start = Start a one-year plan
onboarding-start-button = Start the plan
onboarding-all-have-plans = Every municipality in Spire has a plan. The administrator adds a new municipality from the official list.
onboarding-plan-from = One-year plan from
onboarding-quarter = Quarter { $quarter }
onboarding-due = by
onboarding-late = late
onboarding-status-todo = Not started
onboarding-status-doing = Under way
onboarding-status-done = Reached
onboarding-saved-started = The plan is started from the template.
onboarding-saved-item = The milestone is saved.
onboarding-saved-template = The template is saved. New plans start from it; plans under way keep their milestones.
onboarding-template-title = Template for the first year
onboarding-template-intro = One milestone a line: the quarter (K1–K4 or Q1–Q4), the title and who owns it, separated by |.
onboarding-template-hint = E.g. "Q2 | Steering-group meeting | Programme office".
field-status = Status
field-owner = Owner
onboarding-field-notes = Notes
field-template = Milestones
err-template-quarter = Line { $line }: write the quarter first, as K1, K2, K3 or K4.
err-template-title = Line { $line }: the milestone has no title.
err-template-too-long = Line { $line }: the title and the owner may each be at most { $max } characters.
err-plan-exists = The municipality already has a one-year plan.

admin-municipalities-title = Municipalities in Spire
admin-municipalities-intro = Add a municipality from the official list of the 98 municipalities; its code comes with it, nothing to type.
admin-municipality-add = Add the municipality
admin-municipality-added = The municipality is added.
col-code = Code
col-region = Region
