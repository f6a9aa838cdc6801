//! The company API under `/api/v1/companies`.

use super::forms::{self, CompanyForm};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn company_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SearchQuery>,
) -> AppResult<Json<Value>> {
    let rows = state
        .db()
        .search_companies(&caller.scope(), &query.q, 500)
        .await?;
    Ok(Json(json!({ "items": rows })))
}

pub async fn company_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
) -> AppResult<Json<Value>> {
    let (company, contacts) = state.db().get_company(&caller.scope(), id).await?;
    Ok(Json(json!({ "company": company, "contacts": contacts })))
}

pub async fn company_create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<CompanyForm>, JsonRejection>,
) -> AppResult<Response> {
    let Json(form) = body?;
    let company = forms::parse_company(&form).map_err(AppError::invalid)?;
    let scope = caller.scope();
    let id = state.db().create_company(&scope, &company).await?;
    let (company, contacts) = state.db().get_company(&scope, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "company": company, "contacts": contacts })),
    )
        .into_response())
}
