//! The portfolio in the API: what the youth can do and has done.

use super::pages::{EntryForm, add_entry};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppResult, ErrorBody, InvalidBody};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::Serialize;
use spire_domain::YouthId;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(portfolio_get, portfolio_add))]
pub struct Api;

/// A skill, an experience or a reference.
#[derive(Serialize, ToSchema)]
pub struct PortfolioItem {
    pub id: i64,
    /// `skill`, `experience` or `reference`.
    pub kind: String,
    pub text: String,
    /// The company of a reference.
    pub company: Option<String>,
    pub written_by: String,
    /// Unix seconds.
    pub written_at: i64,
}

/// An internship as experience.
#[derive(Serialize, ToSchema)]
pub struct Experience {
    pub function: String,
    pub company: String,
    pub start_date: String,
    pub end_date: String,
    pub status: String,
}

/// The work-identity portfolio: interests and strengths, internships by
/// themselves, and the entries.
#[derive(Serialize, ToSchema)]
pub struct Portfolio {
    pub interests: String,
    pub strengths: String,
    pub internships: Vec<Experience>,
    pub entries: Vec<PortfolioItem>,
}

async fn portfolio(state: &AppState, caller: &Caller, youth: YouthId) -> AppResult<Portfolio> {
    let scope = caller.scope();
    let person = state.db().get_youth(&scope, youth).await?;
    let internships = state.db().youth_internships(&scope, youth).await?;
    let entries = state.db().portfolio_entries(&scope, youth).await?;
    Ok(Portfolio {
        interests: person.interests,
        strengths: person.strengths,
        internships: internships
            .into_iter()
            .filter(|i| i.status != "planned")
            .map(|i| Experience {
                function: i.function,
                company: i.company_name,
                start_date: i.start_date,
                end_date: i.end_date,
                status: i.status,
            })
            .collect(),
        entries: entries
            .into_iter()
            .map(|e| PortfolioItem {
                id: e.id,
                kind: e.kind,
                text: e.text,
                company: e.company_name,
                written_by: e.written_by_name,
                written_at: e.written_at,
            })
            .collect(),
    })
}

/// A youth's portfolio (staff, or the youth themselves).
#[utoipa::path(get, path = "/api/v1/youth/{id}/portfolio/entries", tag = "portfolio",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The portfolio", body = Portfolio)))]
pub async fn portfolio_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
) -> AppResult<Json<Portfolio>> {
    Ok(Json(portfolio(&state, &caller, youth).await?))
}

/// Add a skill or an experience (`kind`, `text`).
#[utoipa::path(post, path = "/api/v1/youth/{id}/portfolio/entries", tag = "portfolio",
    params(("id" = i64, Path, minimum = 1)), request_body = EntryForm,
    responses(
        (status = 201, description = "Added", body = Portfolio),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn portfolio_add(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    body: Result<Json<EntryForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<Portfolio>)> {
    let Json(form) = body?;
    add_entry(&state, &caller, youth, &form).await?;
    Ok((
        StatusCode::CREATED,
        Json(portfolio(&state, &caller, youth).await?),
    ))
}
