//! The course API under `/api/v1`: the course, its exit and follow-ups,
//! progress conversations, the consultant's week, tasks and the team.

use super::actions;
use super::forms::{AssignForm, ExitForm, OpenCourseForm, ProgressForm};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppResult, ErrorBody, InvalidBody};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use spire_domain::{TaskId, YouthId};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(
    week,
    team,
    team_assign,
    course_get,
    course_open,
    course_exit,
    progress_get,
    progress_record,
    follow_up_answer,
    task_done
))]
pub struct Api;

/// A durability follow-up: still in job or education N months after the exit?
#[derive(Serialize, ToSchema)]
pub struct FollowUp {
    pub id: i64,
    /// 3, 6 or 12.
    pub months: i64,
    pub due_date: String,
    /// `yes`, `no` or `unknown` once answered.
    pub answer: Option<String>,
}

/// A youth's course (forløb).
#[derive(Serialize, ToSchema)]
pub struct Course {
    pub id: i64,
    pub youth_id: i64,
    /// From an accepted offer in the trial; `false`: outside the trial and never in its analysis.
    pub in_trial: bool,
    pub readiness: String,
    pub start_date: String,
    pub exit_date: Option<String>,
    pub exit_reason: Option<String>,
    pub exit_note: Option<String>,
    pub follow_ups: Vec<FollowUp>,
}

/// The youth's course; `course` is null when there is none.
#[derive(Serialize, ToSchema)]
pub struct CourseAnswer {
    pub course: Option<Course>,
}

async fn course_answer(
    state: &AppState,
    caller: &Caller,
    youth: YouthId,
) -> AppResult<CourseAnswer> {
    let course = state.db().course(&caller.scope(), youth).await?;
    Ok(CourseAnswer {
        course: course.map(|(c, follow_ups)| Course {
            id: c.id,
            youth_id: c.youth_id,
            in_trial: c.in_trial,
            readiness: c.readiness,
            start_date: c.start_date,
            exit_date: c.exit_date,
            exit_reason: c.exit_reason,
            exit_note: c.exit_note,
            follow_ups: follow_ups
                .into_iter()
                .map(|f| FollowUp {
                    id: f.id,
                    months: f.months,
                    due_date: f.due_date,
                    answer: f.answer,
                })
                .collect(),
        }),
    })
}

/// The youth's course and its follow-ups.
#[utoipa::path(get, path = "/api/v1/youth/{id}/course", tag = "courses",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The course", body = CourseAnswer)))]
pub async fn course_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
) -> AppResult<Json<CourseAnswer>> {
    Ok(Json(course_answer(&state, &caller, youth).await?))
}

/// Start a course for a youth outside the trial (marked so; never in its analysis).
#[utoipa::path(post, path = "/api/v1/youth/{id}/course", tag = "courses",
    params(("id" = i64, Path, minimum = 1)), request_body = OpenCourseForm,
    responses(
        (status = 201, description = "Started", body = CourseAnswer),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid, or a course is open already", body = InvalidBody),
    ))]
pub async fn course_open(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    body: Result<Json<OpenCourseForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<CourseAnswer>)> {
    let Json(form) = body?;
    actions::open_course(&state, &caller, youth, &form).await?;
    Ok((
        StatusCode::CREATED,
        Json(course_answer(&state, &caller, youth).await?),
    ))
}

/// End the open course; an exit to job or education gets follow-ups at 3, 6 and 12 months.
#[utoipa::path(post, path = "/api/v1/youth/{id}/course/exit", tag = "courses",
    params(("id" = i64, Path, minimum = 1)), request_body = ExitForm,
    responses(
        (status = 200, description = "Ended", body = CourseAnswer),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn course_exit(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    body: Result<Json<ExitForm>, JsonRejection>,
) -> AppResult<Json<CourseAnswer>> {
    let Json(form) = body?;
    actions::exit_course(&state, &caller, youth, &form).await?;
    Ok(Json(course_answer(&state, &caller, youth).await?))
}

/// One side's scores of a progress conversation.
#[derive(Serialize, ToSchema)]
pub struct ProgressEntry {
    pub held_on: String,
    /// `youth` or `consultant`.
    pub side: String,
    pub direction: i64,
    pub persistence: i64,
    pub curiosity: i64,
    pub resilience: i64,
    pub self_esteem: i64,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProgressList {
    pub items: Vec<ProgressEntry>,
}

/// The progress conversations' scores, oldest first (staff, or the youth themselves).
#[utoipa::path(get, path = "/api/v1/youth/{id}/progress", tag = "courses",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The scores", body = ProgressList)))]
pub async fn progress_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
) -> AppResult<Json<ProgressList>> {
    let rows = state.db().progress_scores(&caller.scope(), youth).await?;
    Ok(Json(ProgressList {
        items: rows
            .into_iter()
            .map(|r| ProgressEntry {
                held_on: r.held_on,
                side: r.side,
                direction: r.direction,
                persistence: r.persistence,
                curiosity: r.curiosity,
                resilience: r.resilience,
                self_esteem: r.self_esteem,
                note: r.note,
            })
            .collect(),
    }))
}

/// Record one side of a progress conversation (the youth's own side when a youth sends it).
#[utoipa::path(post, path = "/api/v1/youth/{id}/progress", tag = "courses",
    params(("id" = i64, Path, minimum = 1)), request_body = ProgressForm,
    responses(
        (status = 201, description = "Recorded", body = ProgressList),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn progress_record(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    body: Result<Json<ProgressForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<ProgressList>)> {
    let Json(form) = body?;
    actions::record_progress(&state, &caller, youth, &form).await?;
    let Json(list) = progress_get(State(state), caller, PathId(youth)).await?;
    Ok((StatusCode::CREATED, Json(list)))
}

#[derive(Deserialize, ToSchema)]
pub struct FollowUpAnswer {
    /// `yes`, `no` or `unknown`.
    #[serde(default)]
    pub answer: String,
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub done: bool,
}

/// Record a durability follow-up.
#[utoipa::path(post, path = "/api/v1/follow-ups/{id}", tag = "courses",
    params(("id" = i64, Path, minimum = 1)), request_body = FollowUpAnswer,
    responses(
        (status = 200, description = "Recorded", body = Done),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn follow_up_answer(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    body: Result<Json<FollowUpAnswer>, JsonRejection>,
) -> AppResult<Json<Done>> {
    let Json(form) = body?;
    state
        .db()
        .answer_follow_up(&caller.scope(), id, form.answer.trim())
        .await?;
    Ok(Json(Done { done: true }))
}

/// Mark a task done.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/done", tag = "courses",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "Done", body = Done)))]
pub async fn task_done(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<TaskId>,
) -> AppResult<Json<Done>> {
    state.db().complete_task(&caller.scope(), id).await?;
    Ok(Json(Done { done: true }))
}

/// One thing due this week.
#[derive(Serialize, ToSchema)]
pub struct WeekItem {
    /// `task`, `internship_starting`, `internship_ending`, `internship_overdue`,
    /// `near_limit`, `follow_up_due`, `conversation_due` or `no_contact`.
    pub kind: String,
    pub youth_id: i64,
    pub youth_name: String,
    pub internship_id: Option<i64>,
    pub task_id: Option<i64>,
    pub date: Option<String>,
    pub detail: String,
}

/// A youth on the consultant's list with the next step.
#[derive(Serialize, ToSchema)]
pub struct WeekYouth {
    pub youth_id: i64,
    pub consultant_id: Option<i64>,
    pub name: String,
    pub course_start: String,
    pub internship: Option<String>,
    pub next_step: String,
    /// Unix seconds.
    pub last_contact: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Week {
    pub youth: Vec<WeekYouth>,
    pub items: Vec<WeekItem>,
}

/// The consultant's week: their youth with the next step, and what is due
/// (a team lead: the whole municipality).
#[utoipa::path(get, path = "/api/v1/week", tag = "courses",
    responses((status = 200, description = "The week", body = Week)))]
pub async fn week(State(state): State<AppState>, caller: Caller) -> AppResult<Json<Week>> {
    let week = state
        .db()
        .consultant_week(&caller.scope(), crate::i18n::today_in_copenhagen())
        .await?;
    Ok(Json(Week {
        youth: week
            .youth
            .into_iter()
            .map(|y| WeekYouth {
                youth_id: y.youth_id,
                consultant_id: y.consultant_id,
                name: y.name,
                course_start: y.course_start,
                internship: y.internship,
                next_step: y.next_step.to_string(),
                last_contact: y.last_contact,
            })
            .collect(),
        items: week
            .items
            .into_iter()
            .map(|i| WeekItem {
                kind: i.kind.to_string(),
                youth_id: i.youth_id,
                youth_name: i.youth_name,
                internship_id: i.internship_id,
                task_id: i.task_id,
                date: i.date,
                detail: i.detail,
            })
            .collect(),
    }))
}

/// A consultant's load.
#[derive(Serialize, ToSchema)]
pub struct Load {
    pub user_id: i64,
    pub name: String,
    pub role: String,
    pub youth: i64,
    pub active_internships: i64,
    pub open_tasks: i64,
    /// Share of full time in the team (1 when not placed in one).
    pub fte: f64,
    /// Their caseload norm: the team's `norm` scaled by `fte`.
    pub norm: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Team {
    pub consultants: Vec<Load>,
    /// Youth per consultant the team aims at this year.
    pub norm: i64,
    pub team_year: i64,
    pub youth_in_programme: i64,
    pub unassigned: i64,
}

/// The team's caseloads against the norm.
#[utoipa::path(get, path = "/api/v1/team", tag = "courses",
    responses((status = 200, description = "The team", body = Team)))]
pub async fn team(State(state): State<AppState>, caller: Caller) -> AppResult<Json<Team>> {
    let team = state
        .db()
        .team_overview(&caller.scope(), crate::i18n::today_in_copenhagen())
        .await?;
    Ok(Json(Team {
        consultants: team
            .consultants
            .into_iter()
            .map(|c| Load {
                norm: c.norm(team.norm),
                fte: c.fte,
                user_id: c.user_id,
                name: c.name,
                role: c.role,
                youth: c.youth,
                active_internships: c.active_internships,
                open_tasks: c.open_tasks,
            })
            .collect(),
        norm: team.norm,
        team_year: team.team_year,
        youth_in_programme: team.youth_in_programme,
        unassigned: team.unassigned,
    }))
}

/// A result per youth of a reassignment.
#[derive(Serialize, ToSchema)]
pub struct AssignResult {
    pub name: String,
    pub assigned: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Reassignment {
    pub results: Vec<AssignResult>,
    /// Set when the consultant's caseload now passes the norm.
    pub over_norm: Option<OverNorm>,
}

#[derive(Serialize, ToSchema)]
pub struct OverNorm {
    pub consultant: String,
    pub caseload: i64,
    pub norm: i64,
}

/// Give many youth one consultant (at most 200 at once): a result per youth,
/// and a warning when the caseload passes the norm.
#[utoipa::path(post, path = "/api/v1/team/assign", tag = "courses", request_body = AssignForm,
    responses(
        (status = 200, description = "A result per youth", body = Reassignment),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn team_assign(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<AssignForm>, JsonRejection>,
) -> AppResult<Json<Reassignment>> {
    let Json(form) = body?;
    let outcome = actions::reassign(&state, &caller, &form).await?;
    Ok(Json(Reassignment {
        results: outcome
            .results
            .into_iter()
            .map(|(name, assigned)| AssignResult { name, assigned })
            .collect(),
        over_norm: outcome
            .over_norm
            .map(|(consultant, caseload, norm)| OverNorm {
                consultant,
                caseload,
                norm,
            }),
    }))
}
