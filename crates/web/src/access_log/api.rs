//! The access log through the API.

use super::pages::AccessLogFilters;
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppResult, InvalidBody};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;
use spire_domain::YouthId;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(youth_access_log, access_log))]
pub struct Api;

/// One use of personal data: who, when, whose, what and why.
#[derive(Serialize, ToSchema)]
pub struct AccessLogEntry {
    pub id: i64,
    /// UTC unix seconds.
    pub at: i64,
    pub user_login: String,
    pub user_name: String,
    pub municipality_code: Option<i64>,
    /// `read`, `search`, `create`, `update` or `export`.
    pub action: String,
    pub youth_id: Option<i64>,
    pub youth_name: Option<String>,
    /// What was searched for (never a CPR number).
    pub criterion: Option<String>,
    pub purpose: String,
    pub request_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct AccessLog {
    pub items: Vec<AccessLogEntry>,
}

impl From<Vec<spire_store::AccessLogEntry>> for AccessLog {
    fn from(rows: Vec<spire_store::AccessLogEntry>) -> AccessLog {
        AccessLog {
            items: rows
                .into_iter()
                .map(|e| AccessLogEntry {
                    id: e.id,
                    at: e.at,
                    user_login: e.user_login,
                    user_name: e.user_name,
                    municipality_code: e.municipality_code,
                    action: e.action,
                    youth_id: e.youth_id,
                    youth_name: e.youth_name,
                    criterion: e.criterion,
                    purpose: e.purpose,
                    request_id: e.request_id,
                })
                .collect(),
        }
    }
}

/// Everyone who used this young person's data (team lead).
#[utoipa::path(get, path = "/api/v1/youth/{id}/access-log", tag = "access log",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The young person's extract", body = AccessLog)))]
pub async fn youth_access_log(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<YouthId>,
) -> AppResult<Json<AccessLog>> {
    let entries = state.db().access_log_for_youth(&caller.scope(), id).await?;
    Ok(Json(entries.into()))
}

/// Search the municipality's access log (team lead).
#[utoipa::path(get, path = "/api/v1/access-log", tag = "access log", params(AccessLogFilters),
    responses(
        (status = 200, description = "The entries, newest first (at most 1,000)", body = AccessLog),
        (status = 422, description = "A date is not YYYY-MM-DD", body = InvalidBody),
    ))]
pub async fn access_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(filters): Query<AccessLogFilters>,
) -> AppResult<Json<AccessLog>> {
    let query = filters.query(1000)?;
    let entries = state
        .db()
        .search_access_log(&caller.scope(), &query)
        .await?;
    Ok(Json(entries.into()))
}
