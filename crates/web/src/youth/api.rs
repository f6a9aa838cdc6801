//! The youth API under `/api/v1/youth`, with bearer tokens.

use super::forms::{self, PortfolioForm, YouthForm};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::params;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use spire_domain::Role;

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
    per_page: Option<String>,
}

fn youth_page_json(page: spire_store::YouthPage) -> Json<Value> {
    Json(
        json!({ "items": page.rows, "total": page.total, "page": page.page, "per_page": page.per_page }),
    )
}

pub async fn youth_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    // A CPR number never travels in a URL: use POST /api/v1/youth/search.
    if spire_domain::Cpr::parse("q", &query.q).is_ok() {
        return Err(AppError::invalid(vec![spire_domain::FieldError::new(
            "q",
            spire_domain::Problem::CprFormat,
        )]));
    }
    let page = params::page_number(query.page.as_deref())?;
    let per_page = params::page_number(query.per_page.as_deref())?.min(200);
    let per_page = if query.per_page.is_none() {
        50
    } else {
        per_page
    };
    let result = state
        .db()
        .search_youth(&caller.scope(), state.key(), &query.q, page, per_page)
        .await?;
    Ok(youth_page_json(result))
}

#[derive(Deserialize)]
pub struct CprSearch {
    #[serde(default)]
    cpr: String,
}

pub async fn youth_search(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<CprSearch>, JsonRejection>,
) -> AppResult<Json<Value>> {
    let Json(search) = body?;
    let cpr_text = search.cpr.trim();
    if cpr_text.is_empty() {
        return Err(AppError::invalid(vec![spire_domain::FieldError::new(
            "cpr",
            spire_domain::Problem::Required,
        )]));
    }
    spire_domain::Cpr::parse("cpr", cpr_text).map_err(|e| AppError::invalid(vec![e]))?;
    let result = state
        .db()
        .search_youth(&caller.scope(), state.key(), cpr_text, 1, 50)
        .await?;
    Ok(youth_page_json(result))
}

pub async fn youth_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
) -> AppResult<Json<Value>> {
    let youth = state.db().get_youth(&caller.scope(), id).await?;
    Ok(Json(json!(youth)))
}

pub async fn youth_create(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    body: Result<Json<YouthForm>, JsonRejection>,
) -> AppResult<Response> {
    let Json(form) = body?;
    let consultant = (user.user.role() == Role::Consultant).then_some(user.user.id);
    let new_youth = forms::parse_youth(&form, consultant).map_err(AppError::invalid)?;
    let scope = user.scope(&context);
    let id = state
        .db()
        .create_youth(&scope, state.key(), &new_youth)
        .await?;
    let youth = state.db().get_youth(&scope, id).await?;
    Ok((StatusCode::CREATED, Json(json!(youth))).into_response())
}

pub async fn youth_portfolio(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    body: Result<Json<PortfolioForm>, JsonRejection>,
) -> AppResult<Json<Value>> {
    let Json(form) = body?;
    let (interests, strengths) = forms::parse_portfolio(&form).map_err(AppError::invalid)?;
    let scope = caller.scope();
    state
        .db()
        .update_youth_portfolio(&scope, id, &interests, &strengths)
        .await?;
    Ok(Json(json!(state.db().get_youth(&scope, id).await?)))
}
