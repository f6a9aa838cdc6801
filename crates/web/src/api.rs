//! The JSON API under `/api/v1`, for the same resources as the pages, with
//! bearer tokens (`spire token create`). Described in `openapi.json`.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::forms;
use crate::middleware::RequestContext;
use crate::views::{AccessLogFilters, CompanyForm, YouthForm};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use spire_domain::Role;
use spire_store::AccessLogQuery;

type Ctx = Extension<RequestContext>;
type User = Extension<CurrentUser>;

pub async fn openapi_document() -> Response {
    (
        [("content-type", "application/json")],
        crate::openapi::DOCUMENT,
    )
        .into_response()
}

pub async fn me(Extension(user): User) -> Json<Value> {
    Json(json!({
        "id": user.user.id,
        "login": user.user.login,
        "display_name": user.user.display_name,
        "role": user.user.role,
        "municipality_code": user.user.municipality_code,
    }))
}

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
    Extension(context): Ctx,
    Extension(user): User,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    // A CPR number never travels in a URL: use POST /api/v1/youth/search.
    if spire_domain::Cpr::parse("q", &query.q).is_ok() {
        return Err(AppError::invalid(vec![spire_domain::FieldError::new(
            "q",
            spire_domain::Problem::CprFormat,
        )]));
    }
    let page = forms::page_number(query.page.as_deref())?;
    let per_page = forms::page_number(query.per_page.as_deref())?.min(200);
    let per_page = if query.per_page.is_none() {
        50
    } else {
        per_page
    };
    let result = state
        .db()
        .search_youth(&user.scope(&context), state.key(), &query.q, page, per_page)
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
    Extension(context): Ctx,
    Extension(user): User,
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
        .search_youth(&user.scope(&context), state.key(), cpr_text, 1, 50)
        .await?;
    Ok(youth_page_json(result))
}

pub async fn youth_get(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let youth = state
        .db()
        .get_youth(&user.scope(&context), forms::path_id(&id)?)
        .await?;
    Ok(Json(json!(youth)))
}

pub async fn youth_create(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
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

pub async fn youth_access_log(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let entries = state
        .db()
        .access_log_for_youth(&user.scope(&context), forms::path_id(&id)?)
        .await?;
    Ok(Json(json!({ "items": entries })))
}

pub async fn youth_portfolio(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Path(id): Path<String>,
    body: Result<Json<crate::views::PortfolioForm>, JsonRejection>,
) -> AppResult<Json<Value>> {
    let Json(form) = body?;
    let id = forms::path_id(&id)?;
    let (interests, strengths) = forms::parse_portfolio(&form).map_err(AppError::invalid)?;
    let scope = user.scope(&context);
    state
        .db()
        .update_youth_portfolio(&scope, id, &interests, &strengths)
        .await?;
    Ok(Json(json!(state.db().get_youth(&scope, id).await?)))
}

pub async fn company_list(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<Value>> {
    let rows = state
        .db()
        .search_companies(&user.scope(&context), &query.q, 500)
        .await?;
    Ok(Json(json!({ "items": rows })))
}

pub async fn company_get(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let (company, contacts) = state
        .db()
        .get_company(&user.scope(&context), forms::path_id(&id)?)
        .await?;
    Ok(Json(json!({ "company": company, "contacts": contacts })))
}

pub async fn company_create(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    body: Result<Json<CompanyForm>, JsonRejection>,
) -> AppResult<Response> {
    let Json(form) = body?;
    let company = forms::parse_company(&form).map_err(AppError::invalid)?;
    let scope = user.scope(&context);
    let id = state.db().create_company(&scope, &company).await?;
    let (company, contacts) = state.db().get_company(&scope, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "company": company, "contacts": contacts })),
    )
        .into_response())
}

pub async fn access_log(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Query(filters): Query<AccessLogFilters>,
) -> AppResult<Json<Value>> {
    let query = AccessLogQuery {
        user_login: Some(filters.user.trim().to_lowercase()).filter(|u| !u.is_empty()),
        youth_id: None,
        from: forms::date_start("from", &filters.from)?,
        to: forms::date_start("to", &filters.to)?.map(|t| t + 86_400),
        limit: 1000,
    };
    let entries = state
        .db()
        .search_access_log(&user.scope(&context), &query)
        .await?;
    Ok(Json(json!({ "items": entries })))
}

pub async fn users(State(state): State<AppState>) -> AppResult<Json<Value>> {
    Ok(Json(json!({ "items": state.db().list_users().await? })))
}

pub async fn overview(State(state): State<AppState>) -> AppResult<Json<Value>> {
    Ok(Json(
        json!({ "items": state.db().municipality_overview().await? }),
    ))
}
