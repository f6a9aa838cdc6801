//! The course pages: a youth's course (start outside the trial, exit and
//! follow-ups, internships, 6-week progress conversations with a chart per
//! measure), the youth's own progress page, the consultant's week, and the
//! team lead's team page with the caseload against the norm. Changes answer
//! with a redirect and a message; a refused form comes back with what was
//! typed and the message by the field.

use super::forms::{AssignForm, ExitForm, NOTE_MAX, OpenCourseForm, ProgressForm};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::internships::pages::{date_range, status_label};
use crate::ui::charts::{Series, bar_chart, line_chart};
use crate::ui::create_form::after_form;
use crate::ui::fields::{ActionForm, FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use spire_domain::course::ExitReason;
use spire_domain::eligibility::Readiness;
use spire_domain::{Role, TaskId, YouthId};
use spire_store::{
    ConsultantWeek, FollowUpRow, InternshipRow, PROGRESS_MEASURES, ProgressRow, TeamOverview,
    YouthRow,
};

#[derive(Template)]
#[template(path = "courses/course.html")]
pub struct CoursePageView {
    pub ctx: PageCtx,
    pub youth: YouthRow,
    pub course_summary: String,
    pub follow_ups: Vec<(FollowUpRow, String)>,
    pub internships: Vec<(InternshipRow, String, String)>,
    pub new_internship_href: Option<String>,
    pub psychologist_href: Option<String>,
    pub charts: Vec<String>,
    pub saved: Option<String>,
    pub banner: FormBanner,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
}

#[derive(Template)]
#[template(path = "courses/progress.html")]
pub struct ProgressPageView {
    pub ctx: PageCtx,
    pub charts: Vec<String>,
    pub saved: Option<String>,
    pub banner: FormBanner,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
}

/// What was typed into the course page's forms, to show again when refused.
#[derive(Default)]
pub struct Typed {
    pub open: OpenCourseForm,
    pub exit: ExitForm,
    pub progress: ProgressForm,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

fn saved_message(tr: Tr, saved: Option<&str>) -> Option<String> {
    let kind = saved?;
    [
        "opened",
        "exit",
        "follow-up",
        "progress",
        "assigned",
        "task",
    ]
    .contains(&kind)
    .then(|| tr.t(&format!("course-saved-{kind}")))
}

fn readiness_options(tr: Tr) -> Vec<(String, String)> {
    std::iter::once((String::new(), tr.t("choose")))
        .chain(Readiness::ALL.into_iter().map(|r| {
            (
                r.code().to_string(),
                tr.t(&format!("readiness-{}", r.code().replace('_', "-"))),
            )
        }))
        .collect()
}

fn score_options(tr: Tr) -> Vec<(String, String)> {
    std::iter::once((String::new(), tr.t("choose")))
        .chain((1..=5).map(|n| (n.to_string(), tr.t(&format!("score-{n}")))))
        .collect()
}

/// The progress form's fields (the same for the consultant and the youth).
fn progress_fields(tr: Tr, form: &ProgressForm, messages: &FieldMessages) -> Vec<FormField> {
    let mut fields =
        vec![FormField::new(tr, "held_on", "date", &form.held_on, messages).required()];
    for (name, value) in form.scores() {
        fields.push(
            FormField::new(tr, name, "select", value, messages)
                .required()
                .options(score_options(tr)),
        );
    }
    fields.push(FormField::new(tr, "note", "textarea", &form.note, messages).max_length(NOTE_MAX));
    fields
}

/// One chart per measure: the youth's and the consultant's scores over time.
/// `own`: the young person reads their own charts, so their side is "you".
pub fn progress_charts(tr: Tr, rows: &[ProgressRow], own: bool) -> Vec<String> {
    if rows.is_empty() {
        return Vec::new();
    }
    let mut dates: Vec<&str> = rows.iter().map(|r| r.held_on.as_str()).collect();
    dates.dedup();
    let labels: Vec<String> = dates.iter().map(|d| tr.iso_date(d)).collect();
    let score = |row: &ProgressRow, measure: &str| match measure {
        "direction" => row.direction,
        "persistence" => row.persistence,
        "curiosity" => row.curiosity,
        "resilience" => row.resilience,
        _ => row.self_esteem,
    } as f64;
    let (youth_name, consultant_name) = (
        tr.t(if own {
            "progress-side-you"
        } else {
            "progress-side-youth"
        }),
        tr.t("progress-side-consultant"),
    );
    PROGRESS_MEASURES
        .iter()
        .map(|measure| {
            let side = |side: &str| -> Vec<Option<f64>> {
                dates
                    .iter()
                    .map(|d| {
                        rows.iter()
                            .find(|r| r.held_on == *d && r.side == side)
                            .map(|r| score(r, measure))
                    })
                    .collect()
            };
            line_chart(
                &format!("chart-{measure}"),
                &tr.t(&format!("field-{}", measure.replace('_', "-"))),
                &labels,
                &[
                    Series {
                        name: &youth_name,
                        colour: "#c46b1f",
                        values: side("youth"),
                    },
                    Series {
                        name: &consultant_name,
                        colour: "#2f6f8f",
                        values: side("consultant"),
                    },
                ],
                1.0,
                5.0,
            )
        })
        .collect()
}

async fn course_view(
    state: &AppState,
    caller: &Caller,
    youth_id: YouthId,
    typed: &Typed,
    messages: &FieldMessages,
    failed: Option<&'static str>,
    saved: Option<String>,
) -> AppResult<CoursePageView> {
    let tr = caller.tr();
    let scope = caller.scope();
    let youth = state.db().get_youth(&scope, youth_id).await?;
    let course = state.db().course(&scope, youth_id).await?;
    let internships = state.db().youth_internships(&scope, youth_id).await?;
    let progress = state.db().progress_scores(&scope, youth_id).await?;
    let form = |id: &'static str, button: &str| ActionForm {
        id,
        title: tr.t(&format!("course-form-{}", id.replace('_', "-"))),
        action: format!("/youth/{youth_id}/{}", id.replace('_', "-")),
        button: tr.t(button),
        open: failed == Some(id),
    };
    let is_open = course.as_ref().is_some_and(|(c, _)| c.exit_date.is_none());
    let mut action_forms = Vec::new();
    if !is_open {
        action_forms.push((
            form("course", "course-start"),
            vec![
                FormField::new(tr, "readiness", "select", &typed.open.readiness, messages)
                    .required()
                    .options(readiness_options(tr)),
                FormField::new(tr, "start_date", "date", &typed.open.start_date, messages)
                    .required(),
            ],
        ));
    } else {
        action_forms.push((
            form("progress", "save"),
            progress_fields(tr, &typed.progress, messages),
        ));
        let reasons = std::iter::once((String::new(), tr.t("choose")))
            .chain(ExitReason::ALL.into_iter().map(|r| {
                (
                    r.code().to_string(),
                    tr.t(&format!("exit-{}", r.code().replace('_', "-"))),
                )
            }))
            .collect();
        action_forms.push((
            form("exit", "course-exit"),
            vec![
                FormField::new(tr, "exit_date", "date", &typed.exit.exit_date, messages).required(),
                FormField::new(
                    tr,
                    "exit_reason",
                    "select",
                    &typed.exit.exit_reason,
                    messages,
                )
                .required()
                .options(reasons),
                FormField::new(tr, "exit_note", "textarea", &typed.exit.exit_note, messages)
                    .max_length(NOTE_MAX),
            ],
        ));
    }
    let (course, follow_ups) = match course {
        Some((course, follow_ups)) => (Some(course), follow_ups),
        None => (None, Vec::new()),
    };
    let course_summary = course
        .as_ref()
        .map(|c| {
            let readiness = tr.t(&format!("readiness-{}", c.readiness.replace('_', "-")));
            let origin = tr.t(if c.in_trial {
                "course-in-trial"
            } else {
                "course-outside-trial"
            });
            let end = match (&c.exit_date, &c.exit_reason) {
                (Some(date), Some(reason)) => tr.t_args(
                    "course-ended",
                    &[
                        ("date", Arg::Text(tr.iso_date(date))),
                        (
                            "reason",
                            Arg::Text(tr.t(&format!("exit-{}", reason.replace('_', "-")))),
                        ),
                    ],
                ),
                _ => tr.t("course-open"),
            };
            format!(
                "{origin} · {readiness} · {} {} · {end}",
                tr.t("course-started"),
                tr.iso_date(&c.start_date)
            )
        })
        .unwrap_or_else(|| tr.t("course-none"));
    let follow_ups = follow_ups
        .into_iter()
        .map(|f| {
            let answer = match f.answer.as_deref() {
                Some(a) => tr.t(&format!("follow-up-answer-{a}")),
                None => String::new(),
            };
            (f, answer)
        })
        .collect();
    let path = format!("/youth/{youth_id}/course");
    let stability = state
        .db()
        .youth_meeting_stability(&caller.scope(), youth_id)
        .await?;
    let course_summary = format!(
        "{course_summary} · {}: {}",
        tr.t("week-col-stability"),
        tr.percent(stability)
    );
    Ok(CoursePageView {
        ctx: caller.page(&path),
        course_summary,
        follow_ups,
        internships: internships
            .into_iter()
            .map(|row| {
                let status = status_label(tr, &row);
                let dates = date_range(tr, &row.start_date, &row.end_date);
                (row, status, dates)
            })
            .collect(),
        new_internship_href: is_open.then(|| format!("/youth/{youth_id}/internships/new")),
        psychologist_href: (caller.role() == Role::Psychologist)
            .then(|| format!("/youth/{youth_id}/psychologist-notes")),
        charts: progress_charts(tr, &progress, false),
        youth,
        saved,
        banner: messages.banner(),
        forms: action_forms,
    })
}

pub async fn course_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = course_view(
        &state,
        &caller,
        youth,
        &Typed::default(),
        &FieldMessages::default(),
        None,
        saved,
    )
    .await?;
    Ok(render(&view))
}

/// To the course page with a message, or the page again (422) with the form
/// `which` open, what was typed, and the messages.
async fn course_outcome(
    state: &AppState,
    caller: &Caller,
    youth: YouthId,
    which: &'static str,
    typed: Typed,
    result: AppResult<()>,
    saved: &str,
) -> AppResult<Response> {
    after_form(
        caller.tr(),
        result,
        |()| format!("/youth/{youth}/course?saved={saved}"),
        |messages| async move {
            let view =
                course_view(state, caller, youth, &typed, &messages, Some(which), None).await?;
            Ok(render(&view))
        },
    )
    .await
}

pub async fn course_open(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    Form(form): Form<OpenCourseForm>,
) -> AppResult<Response> {
    let result = super::actions::open_course(&state, &caller, youth, &form)
        .await
        .map(|_| ());
    let typed = Typed {
        open: form,
        ..Typed::default()
    };
    course_outcome(&state, &caller, youth, "course", typed, result, "opened").await
}

pub async fn course_exit(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    Form(form): Form<ExitForm>,
) -> AppResult<Response> {
    let result = super::actions::exit_course(&state, &caller, youth, &form).await;
    let typed = Typed {
        exit: form,
        ..Typed::default()
    };
    course_outcome(&state, &caller, youth, "exit", typed, result, "exit").await
}

pub async fn course_progress(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    Form(form): Form<ProgressForm>,
) -> AppResult<Response> {
    let result = super::actions::record_progress(&state, &caller, youth, &form).await;
    let typed = Typed {
        progress: form,
        ..Typed::default()
    };
    course_outcome(
        &state, &caller, youth, "progress", typed, result, "progress",
    )
    .await
}

#[derive(Deserialize)]
pub struct FollowUpForm {
    #[serde(default)]
    answer: String,
}

/// Records a durability follow-up and goes back to where it was answered.
pub async fn follow_up_answer(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    Form(form): Form<FollowUpForm>,
) -> AppResult<Response> {
    state
        .db()
        .answer_follow_up(&caller.scope(), id, form.answer.trim())
        .await?;
    Ok(Redirect::to("/week?saved=follow-up").into_response())
}

/// The youth's own progress: the charts, and their side of the conversation.
async fn my_progress_view(
    state: &AppState,
    caller: &Caller,
    typed: &ProgressForm,
    messages: &FieldMessages,
    saved: Option<String>,
) -> AppResult<ProgressPageView> {
    let tr = caller.tr();
    let scope = caller.scope();
    let youth = state
        .db()
        .own_youth_id(&scope)
        .await?
        .ok_or_else(AppError::not_linked)?;
    let rows = state.db().progress_scores(&scope, youth).await?;
    Ok(ProgressPageView {
        ctx: caller.page("/me/progress"),
        charts: progress_charts(tr, &rows, false),
        saved,
        banner: messages.banner(),
        forms: vec![(
            ActionForm {
                id: "progress",
                title: tr.t("course-form-progress-own"),
                action: "/me/progress".into(),
                button: tr.t("save"),
                open: true,
            },
            progress_fields(tr, typed, messages),
        )],
    })
}

pub async fn my_progress(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = my_progress_view(
        &state,
        &caller,
        &ProgressForm::default(),
        &FieldMessages::default(),
        saved,
    )
    .await?;
    Ok(render(&view))
}

pub async fn my_progress_submit(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<ProgressForm>,
) -> AppResult<Response> {
    let youth = state
        .db()
        .own_youth_id(&caller.scope())
        .await?
        .ok_or_else(AppError::not_found)?;
    let result = super::actions::record_progress(&state, &caller, youth, &form).await;
    after_form(
        caller.tr(),
        result,
        |()| "/me/progress?saved=progress".to_string(),
        |messages| async move {
            Ok(render(
                &my_progress_view(&state, &caller, &form, &messages, None).await?,
            ))
        },
    )
    .await
}

/// One line of the week: what, who, when, and where it leads.
pub struct WeekLine {
    pub what: String,
    pub youth: String,
    pub when: String,
    pub detail: String,
    pub href: String,
    pub task_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "courses/week.html")]
pub struct WeekView {
    pub ctx: PageCtx,
    pub lines: Vec<WeekLine>,
    pub youth: Vec<(i64, String, String, String, String, String)>,
    pub summary: String,
    pub saved: Option<String>,
}

pub fn week_lines(tr: Tr, week: &ConsultantWeek) -> Vec<WeekLine> {
    week.items
        .iter()
        .map(|item| {
            let href = match (item.kind, item.internship_id) {
                ("follow_up_due" | "conversation_due" | "no_contact", _) | (_, None) => {
                    format!("/youth/{}/course", item.youth_id)
                }
                (_, Some(internship)) => format!("/internships/{internship}"),
            };
            let detail = match item.kind {
                "task" => tr.t(&format!("task-{}", item.detail.replace('_', "-"))),
                "follow_up_due" => tr.count("follow-up-months", item.detail.parse().unwrap_or(0)),
                _ => item.detail.clone(),
            };
            WeekLine {
                what: tr.t(&format!("week-{}", item.kind.replace('_', "-"))),
                youth: item.youth_name.clone(),
                when: item
                    .date
                    .as_deref()
                    .map(|d| tr.iso_date(d))
                    .unwrap_or_default(),
                detail,
                href,
                task_id: item.task_id,
            }
        })
        .collect()
}

pub async fn week_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let today = crate::i18n::today_in_copenhagen();
    let week = state.db().consultant_week(&caller.scope(), today).await?;
    let youth = week
        .youth
        .iter()
        .map(|y| {
            (
                y.youth_id,
                y.name.clone(),
                y.internship.clone().unwrap_or_else(|| "–".into()),
                tr.t(&format!("next-{}", y.next_step.replace('_', "-"))),
                y.last_contact
                    .map(|at| tr.date(at))
                    .unwrap_or_else(|| "–".into()),
                tr.percent(y.meeting_stability),
            )
        })
        .collect();
    Ok(render(&WeekView {
        ctx: caller.page("/week"),
        summary: tr.t_args(
            "week-summary",
            &[
                ("youth", Arg::Number(week.youth.len() as i64)),
                ("items", Arg::Number(week.items.len() as i64)),
            ],
        ),
        lines: week_lines(tr, &week),
        youth,
        saved: saved_message(tr, query.saved.as_deref()),
    }))
}

pub async fn task_done(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<TaskId>,
) -> AppResult<Response> {
    state.db().complete_task(&caller.scope(), id).await?;
    Ok(Redirect::to("/week?saved=task").into_response())
}

#[derive(Template)]
#[template(path = "courses/team.html")]
pub struct TeamView {
    pub ctx: PageCtx,
    pub team: TeamOverview,
    pub intro: String,
    pub chart: String,
    pub ladder: String,
    pub results: Vec<String>,
    pub warning: Option<String>,
    pub youth: Vec<(i64, String, String)>,
    pub consultants: Vec<(String, String)>,
    pub groups: Vec<TeamGroup>,
}

/// One consultant's young people on the team page: (id, name, internship,
/// next step), and their open tasks.
pub struct TeamGroup {
    pub name: String,
    pub youth: Vec<(i64, String, String, String)>,
    pub tasks: usize,
    /// "Anna: 14 unge, 2 åbne opgaver".
    pub summary: String,
}

async fn team_view(
    state: &AppState,
    caller: &Caller,
    results: Vec<String>,
    warning: Option<String>,
) -> AppResult<TeamView> {
    let tr = caller.tr();
    let scope = caller.scope();
    let today = crate::i18n::today_in_copenhagen();
    let team = state.db().team_overview(&scope, today).await?;
    let week = state.db().consultant_week(&scope, today).await?;
    let bars: Vec<(String, f64)> = team
        .consultants
        .iter()
        .map(|c| (c.name.clone(), c.youth as f64))
        .collect();
    let norm_label = tr.t_args("team-norm", &[("n", Arg::Number(team.norm))]);
    let chart = bar_chart(
        &tr.t("team-caseload"),
        &bars,
        Some((team.norm as f64, &norm_label)),
    );
    // The scaling ladder: 3 consultants, then 4, then 5, as the referrals grow.
    let needed = (team.youth_in_programme + team.norm - 1) / team.norm.max(1);
    let ladder = tr.t_args(
        "team-ladder",
        &[
            ("youth", Arg::Number(team.youth_in_programme)),
            ("needed", Arg::Number(needed.max(3))),
            // Psychologists take young people too, but the ladder counts consultants.
            (
                "have",
                Arg::Number(
                    team.consultants
                        .iter()
                        .filter(|c| c.role == "consultant")
                        .count() as i64,
                ),
            ),
        ],
    );
    // The choice shows each consultant's caseload against the norm before
    // the team lead assigns.
    let mut consultants = vec![(String::new(), tr.t("consultant-none"))];
    consultants.extend(team.consultants.iter().map(|c| {
        (
            c.user_id.to_string(),
            format!("{} ({}/{})", c.name, c.youth, c.norm(team.norm)),
        )
    }));
    let name_of = |id: Option<i64>| {
        team.consultants
            .iter()
            .find(|c| Some(c.user_id) == id)
            .map_or_else(|| tr.t("consultant-none"), |c| c.name.clone())
    };
    let youth = week
        .youth
        .iter()
        .map(|y| (y.youth_id, y.name.clone(), name_of(y.consultant_id)))
        .collect();
    // Each consultant's youth, with the internship and the next step.
    let mut groups: Vec<TeamGroup> = team
        .consultants
        .iter()
        .map(|c| (Some(c.user_id), c.name.clone()))
        .chain(std::iter::once((None, tr.t("consultant-none"))))
        .map(|(id, name)| TeamGroup {
            name,
            youth: week
                .youth
                .iter()
                .filter(|y| y.consultant_id == id)
                .map(|y| {
                    (
                        y.youth_id,
                        y.name.clone(),
                        y.internship.clone().unwrap_or_else(|| "–".into()),
                        tr.t(&format!("next-{}", y.next_step.replace('_', "-"))),
                    )
                })
                .collect(),
            tasks: week
                .items
                .iter()
                .filter(|i| {
                    i.kind == "task"
                        && week
                            .youth
                            .iter()
                            .any(|y| y.youth_id == i.youth_id && y.consultant_id == id)
                })
                .count(),
            summary: String::new(),
        })
        .collect();
    groups.retain(|g| !g.youth.is_empty() || g.name != tr.t("consultant-none"));
    for group in &mut groups {
        group.summary = format!(
            "{}: {}, {}",
            group.name,
            tr.count("team-youth-count", group.youth.len() as i64),
            tr.count("team-task-count", group.tasks as i64)
        );
    }
    let intro = tr.t_args(
        "team-intro",
        &[
            ("year", Arg::Number(team.team_year)),
            ("norm", Arg::Number(team.norm)),
            ("youth", Arg::Number(team.youth_in_programme)),
            ("unassigned", Arg::Number(team.unassigned)),
        ],
    );
    Ok(TeamView {
        ctx: caller.page("/team"),
        intro,
        team,
        chart,
        ladder,
        results,
        warning,
        youth,
        consultants,
        groups,
    })
}

pub async fn team_page(State(state): State<AppState>, caller: Caller) -> AppResult<Response> {
    Ok(render(&team_view(&state, &caller, Vec::new(), None).await?))
}

/// The team lead gives many youth one consultant: a result per youth, and a
/// warning with the numbers when the consultant's caseload passes the norm.
pub async fn team_assign(
    State(state): State<AppState>,
    caller: Caller,
    axum_extra::extract::Form(form): axum_extra::extract::Form<AssignForm>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let outcome = super::actions::reassign(&state, &caller, &form).await?;
    let results = outcome
        .results
        .iter()
        .map(|(name, ok)| {
            tr.t_args(
                if *ok {
                    "team-assigned"
                } else {
                    "team-not-assigned"
                },
                &[("name", Arg::Text(name.clone()))],
            )
        })
        .collect();
    let warning = outcome.over_norm.map(|(name, count, norm)| {
        tr.t_args(
            "team-over-norm",
            &[
                ("name", Arg::Text(name)),
                ("count", Arg::Number(count)),
                ("norm", Arg::Number(norm)),
            ],
        )
    });
    Ok(render(&team_view(&state, &caller, results, warning).await?))
}
