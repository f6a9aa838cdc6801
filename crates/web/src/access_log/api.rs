//! The access log through the API.

use super::pages::AccessLogFilters;
use crate::http::context::{Caller, PathId};
use crate::http::error::AppResult;
use crate::http::params;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};
use spire_store::AccessLogQuery;

pub async fn youth_access_log(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
) -> AppResult<Json<Value>> {
    let entries = state.db().access_log_for_youth(&caller.scope(), id).await?;
    Ok(Json(json!({ "items": entries })))
}

pub async fn access_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(filters): Query<AccessLogFilters>,
) -> AppResult<Json<Value>> {
    let query = AccessLogQuery {
        user_login: Some(filters.user.trim().to_lowercase()).filter(|u| !u.is_empty()),
        youth_id: None,
        from: params::date_start("from", &filters.from)?,
        to: params::date_start("to", &filters.to)?.map(|t| t + 86_400),
        limit: 1000,
    };
    let entries = state
        .db()
        .search_access_log(&caller.scope(), &query)
        .await?;
    Ok(Json(json!({ "items": entries })))
}
