//! The internship API under `/api/v1`: the same rules and messages as the
//! pages (a refused field answers 422 naming it).

use super::actions;
use super::forms::{self, ChangeForm, InternshipForm};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult, ErrorBody, InvalidBody};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::Serialize;
use spire_domain::{InternshipId, YouthId};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(
    youth_internships,
    internship_create,
    internship_list,
    internship_get,
    internship_status,
    internship_extend,
    internship_function,
    internship_check_in,
    internship_end
))]
pub struct Api;

/// An internship (praktik) in a company.
#[derive(Serialize, ToSchema)]
pub struct Internship {
    pub id: i64,
    pub youth_id: i64,
    pub youth_name: String,
    pub company_id: i64,
    pub company_name: String,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub function: String,
    /// ISO date.
    pub start_date: String,
    /// ISO date (after any extensions).
    pub end_date: String,
    pub hours_per_week: f64,
    pub schedule: String,
    /// `planned`, `active`, `completed`, `interrupted` or `converted`.
    pub status: String,
    /// `youth` or `company`, for an interrupted internship.
    pub ended_by: Option<String>,
    /// `job`, `wage_subsidy`, `apprenticeship` or `education`, for a converted one.
    pub converted_to: Option<String>,
    pub status_reason: Option<String>,
    /// How many extensions have been recorded.
    pub extensions: i64,
}

impl From<spire_store::InternshipRow> for Internship {
    fn from(row: spire_store::InternshipRow) -> Internship {
        Internship {
            id: row.id,
            youth_id: row.youth_id,
            youth_name: row.youth_name,
            company_id: row.company_id,
            company_name: row.company_name,
            contact_id: row.contact_id,
            contact_name: row.contact_name,
            function: row.function,
            start_date: row.start_date,
            end_date: row.end_date,
            hours_per_week: row.hours_per_week,
            schedule: row.schedule,
            status: row.status,
            ended_by: row.ended_by,
            converted_to: row.converted_to,
            status_reason: row.status_reason,
            extensions: row.extensions,
        }
    }
}

/// One line of an internship's history (append-only).
#[derive(Serialize, ToSchema)]
pub struct InternshipEvent {
    /// `created`, `function`, `extension`, `status` or `check_in`.
    pub kind: String,
    /// From when a function applies; the new end of an extension.
    pub effective_date: Option<String>,
    /// The new function, end date or status, or the note.
    pub detail: String,
    pub previous: Option<String>,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub recorded_by: String,
    /// Unix seconds.
    pub recorded_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct InternshipWithHistory {
    pub internship: Internship,
    pub history: Vec<InternshipEvent>,
}

#[derive(Serialize, ToSchema)]
pub struct InternshipList {
    pub items: Vec<Internship>,
}

async fn with_history(
    state: &AppState,
    caller: &Caller,
    id: InternshipId,
) -> AppResult<InternshipWithHistory> {
    let (row, events) = state.db().internship(&caller.scope(), id).await?;
    Ok(InternshipWithHistory {
        internship: row.into(),
        history: events
            .into_iter()
            .map(|e| InternshipEvent {
                kind: e.kind,
                effective_date: e.effective_date,
                detail: e.detail,
                previous: e.previous,
                reason: e.reason,
                decided_by: e.decided_by,
                recorded_by: e.recorded_by_name,
                recorded_at: e.recorded_at,
            })
            .collect(),
    })
}

/// A youth's internships, newest first.
#[utoipa::path(get, path = "/api/v1/youth/{id}/internships", tag = "internships",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The internships", body = InternshipList)))]
pub async fn youth_internships(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<YouthId>,
) -> AppResult<Json<InternshipList>> {
    let rows = state.db().youth_internships(&caller.scope(), id).await?;
    Ok(Json(InternshipList {
        items: rows.into_iter().map(Internship::from).collect(),
    }))
}

/// Plan an internship for a youth with an open course, within the law
/// (LAB § 61: length by readiness, hours a week, no overlap).
#[utoipa::path(post, path = "/api/v1/youth/{id}/internships", tag = "internships",
    params(("id" = i64, Path, minimum = 1)), request_body = InternshipForm,
    responses(
        (status = 201, description = "Planned", body = InternshipWithHistory),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn internship_create(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    body: Result<Json<InternshipForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<InternshipWithHistory>)> {
    let Json(form) = body?;
    state
        .db()
        .require_youth_visible(&caller.scope(), youth)
        .await?;
    let new = forms::parse_internship(youth, &form).map_err(AppError::invalid)?;
    let id = state.db().create_internship(&caller.scope(), &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(with_history(&state, &caller, id).await?),
    ))
}

/// The internships the caller may see: a company contact, their company's;
/// staff, the municipality's latest 500.
#[utoipa::path(get, path = "/api/v1/internships", tag = "internships",
    responses((status = 200, description = "The internships", body = InternshipList)))]
pub async fn internship_list(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<InternshipList>> {
    let rows = state.db().visible_internships(&caller.scope()).await?;
    Ok(Json(InternshipList {
        items: rows.into_iter().map(Internship::from).collect(),
    }))
}

/// One internship with its history.
#[utoipa::path(get, path = "/api/v1/internships/{id}", tag = "internships",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The internship", body = InternshipWithHistory)))]
pub async fn internship_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
) -> AppResult<Json<InternshipWithHistory>> {
    Ok(Json(with_history(&state, &caller, id).await?))
}

/// Runs one change and answers with the internship as it now is.
async fn changed(
    state: &AppState,
    caller: &Caller,
    id: InternshipId,
    result: AppResult<()>,
) -> AppResult<Json<InternshipWithHistory>> {
    result?;
    Ok(Json(with_history(state, caller, id).await?))
}

/// Move the internship to its next status (`transition`; a `reason` is
/// required to interrupt).
#[utoipa::path(post, path = "/api/v1/internships/{id}/status", tag = "internships",
    params(("id" = i64, Path, minimum = 1)), request_body = ChangeForm,
    responses(
        (status = 200, description = "Changed", body = InternshipWithHistory),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "Not allowed from the current status, or a field is invalid", body = InvalidBody),
    ))]
pub async fn internship_status(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    body: Result<Json<ChangeForm>, JsonRejection>,
) -> AppResult<Json<InternshipWithHistory>> {
    let Json(form) = body?;
    let result = actions::apply_status(&state, &caller, id, &form).await;
    changed(&state, &caller, id, result).await
}

/// Extend beyond the legal limit: `new_end_date`, `reason`, `decided_by`.
#[utoipa::path(post, path = "/api/v1/internships/{id}/extension", tag = "internships",
    params(("id" = i64, Path, minimum = 1)), request_body = ChangeForm,
    responses(
        (status = 200, description = "Extended", body = InternshipWithHistory),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn internship_extend(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    body: Result<Json<ChangeForm>, JsonRejection>,
) -> AppResult<Json<InternshipWithHistory>> {
    let Json(form) = body?;
    let result = actions::apply_extension(&state, &caller, id, &form).await;
    changed(&state, &caller, id, result).await
}

/// Change the function from a date (`function`, `from_date`); the earlier one stays in the history.
#[utoipa::path(post, path = "/api/v1/internships/{id}/function", tag = "internships",
    params(("id" = i64, Path, minimum = 1)), request_body = ChangeForm,
    responses(
        (status = 200, description = "Changed", body = InternshipWithHistory),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn internship_function(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    body: Result<Json<ChangeForm>, JsonRejection>,
) -> AppResult<Json<InternshipWithHistory>> {
    let Json(form) = body?;
    let result = actions::apply_function(&state, &caller, id, &form).await;
    changed(&state, &caller, id, result).await
}

/// A weekly check-in note (`note`).
#[utoipa::path(post, path = "/api/v1/internships/{id}/check-in", tag = "internships",
    params(("id" = i64, Path, minimum = 1)), request_body = ChangeForm,
    responses(
        (status = 200, description = "Noted", body = InternshipWithHistory),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn internship_check_in(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    body: Result<Json<ChangeForm>, JsonRejection>,
) -> AppResult<Json<InternshipWithHistory>> {
    let Json(form) = body?;
    let result = actions::apply_check_in(&state, &caller, id, &form).await;
    changed(&state, &caller, id, result).await
}

/// The youth ends their own internship (`reason`); their consultant gets a task.
#[utoipa::path(post, path = "/api/v1/internships/{id}/end", tag = "internships",
    params(("id" = i64, Path, minimum = 1)), request_body = ChangeForm,
    responses(
        (status = 200, description = "Ended", body = InternshipWithHistory),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn internship_end(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    body: Result<Json<ChangeForm>, JsonRejection>,
) -> AppResult<Json<InternshipWithHistory>> {
    let Json(form) = body?;
    let result = actions::apply_end(&state, &caller, id, &form).await;
    changed(&state, &caller, id, result).await
}
