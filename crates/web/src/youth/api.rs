//! The youth API under `/api/v1/youth`, with bearer tokens.

use super::forms::{self, PortfolioForm, YouthForm};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult, ErrorBody, InvalidBody};
use crate::http::params;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use spire_domain::Role;
use spire_domain::YouthId;
use spire_store::YouthRow;
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(youth_list, youth_create, youth_search, youth_get, youth_portfolio))]
pub struct Api;

/// A young person. The CPR number is never returned.
#[derive(Serialize, ToSchema)]
pub struct Youth {
    pub id: i64,
    pub municipality_code: i64,
    #[schema(format = Date)]
    pub birth_date: String,
    /// `female` or `male` (from the CPR number).
    pub gender: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub interests: String,
    pub strengths: String,
    pub consultant_id: Option<i64>,
    pub consultant_name: Option<String>,
    /// UTC unix seconds.
    pub created_at: i64,
}

impl From<YouthRow> for Youth {
    fn from(row: YouthRow) -> Youth {
        Youth {
            id: row.id,
            municipality_code: row.municipality_code,
            birth_date: row.birth_date,
            gender: row.gender,
            first_name: row.first_name,
            last_name: row.last_name,
            phone: row.phone,
            email: row.email,
            interests: row.interests,
            strengths: row.strengths,
            consultant_id: row.consultant_id,
            consultant_name: row.consultant_name,
            created_at: row.created_at,
        }
    }
}

/// One page of young people.
#[derive(Serialize, ToSchema)]
pub struct YouthPage {
    pub items: Vec<Youth>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl From<spire_store::YouthPage> for YouthPage {
    fn from(page: spire_store::YouthPage) -> YouthPage {
        YouthPage {
            items: page.rows.into_iter().map(Youth::from).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the name; a CPR number is refused here.
    #[serde(default)]
    q: String,
    /// From 1.
    page: Option<String>,
    /// 1–200, 50 when left out.
    per_page: Option<String>,
}

/// Search young people by name (paged).
#[utoipa::path(get, path = "/api/v1/youth", tag = "youth", params(ListQuery),
    responses(
        (status = 200, description = "A page of young people", body = YouthPage),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn youth_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> AppResult<Json<YouthPage>> {
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
    Ok(Json(result.into()))
}

/// A CPR number to find, kept out of URLs.
#[derive(Deserialize, ToSchema)]
pub struct CprSearch {
    /// DDMMYY-XXXX.
    #[serde(default)]
    #[schema(required = true)]
    cpr: String,
}

/// Find a young person by CPR number (in the body, never in a URL).
#[utoipa::path(post, path = "/api/v1/youth/search", tag = "youth", request_body = CprSearch,
    responses(
        (status = 200, description = "The young person, if registered in the caller's scope", body = YouthPage),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "Not a CPR number", body = InvalidBody),
    ))]
pub async fn youth_search(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<CprSearch>, JsonRejection>,
) -> AppResult<Json<YouthPage>> {
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
    Ok(Json(result.into()))
}

/// One young person (the read is written to the access log).
#[utoipa::path(get, path = "/api/v1/youth/{id}", tag = "youth",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The young person", body = Youth)))]
pub async fn youth_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<YouthId>,
) -> AppResult<Json<Youth>> {
    let youth = state.db().get_youth(&caller.scope(), id).await?;
    Ok(Json(youth.into()))
}

/// Register a young person in the caller's municipality.
#[utoipa::path(post, path = "/api/v1/youth", tag = "youth", request_body = YouthForm,
    responses(
        (status = 201, description = "Registered", body = Youth),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn youth_create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<YouthForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<Youth>)> {
    let Json(form) = body?;
    let consultant = (caller.role() == Role::Consultant).then_some(caller.user.user.id);
    let new_youth = forms::parse_youth(&form, consultant).map_err(AppError::invalid)?;
    let scope = caller.scope();
    let id = state
        .db()
        .create_youth(&scope, state.key(), &new_youth)
        .await?;
    let youth = state.db().get_youth(&scope, id).await?;
    Ok((StatusCode::CREATED, Json(youth.into())))
}

/// Change a young person's work-identity portfolio (interests and strengths).
#[utoipa::path(put, path = "/api/v1/youth/{id}/portfolio", tag = "youth",
    params(("id" = i64, Path, minimum = 1)), request_body = PortfolioForm,
    responses(
        (status = 200, description = "The updated young person", body = Youth),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn youth_portfolio(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<YouthId>,
    body: Result<Json<PortfolioForm>, JsonRejection>,
) -> AppResult<Json<Youth>> {
    let Json(form) = body?;
    let (interests, strengths) = forms::parse_portfolio(&form).map_err(AppError::invalid)?;
    let scope = caller.scope();
    state
        .db()
        .update_youth_portfolio(&scope, id, &interests, &strengths)
        .await?;
    Ok(Json(state.db().get_youth(&scope, id).await?.into()))
}
