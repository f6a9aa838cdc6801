//! The company API under `/api/v1/companies`.

use super::forms::{self, CompanyForm};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult, ErrorBody, InvalidBody};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use spire_domain::CompanyId;
use spire_store::{CompanyContactRow, CompanyRow};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(company_list, company_create, company_get))]
pub struct Api;

/// A company of the network.
#[derive(Serialize, ToSchema)]
pub struct Company {
    pub id: i64,
    pub municipality_code: i64,
    pub cvr: String,
    pub name: String,
    pub industry: String,
    pub address: Option<String>,
    pub contact_count: i64,
}

impl From<CompanyRow> for Company {
    fn from(row: CompanyRow) -> Company {
        Company {
            id: row.id,
            municipality_code: row.municipality_code,
            cvr: row.cvr,
            name: row.name,
            industry: row.industry,
            address: row.address,
            contact_count: row.contact_count,
        }
    }
}

/// A person at a company the programme talks to.
#[derive(Serialize, ToSchema)]
pub struct CompanyContact {
    pub id: i64,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A company with its contacts.
#[derive(Serialize, ToSchema)]
pub struct CompanyWithContacts {
    pub company: Company,
    pub contacts: Vec<CompanyContact>,
}

impl From<(CompanyRow, Vec<CompanyContactRow>)> for CompanyWithContacts {
    fn from((company, contacts): (CompanyRow, Vec<CompanyContactRow>)) -> CompanyWithContacts {
        CompanyWithContacts {
            company: company.into(),
            contacts: contacts
                .into_iter()
                .map(|c| CompanyContact {
                    id: c.id,
                    name: c.name,
                    title: c.title,
                    phone: c.phone,
                    email: c.email,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CompanyList {
    pub items: Vec<Company>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Part of the name, industry or CVR number.
    #[serde(default)]
    q: String,
}

/// The companies of the caller's municipality (a company contact: their own).
#[utoipa::path(get, path = "/api/v1/companies", tag = "companies", params(SearchQuery),
    responses((status = 200, description = "The companies", body = CompanyList)))]
pub async fn company_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SearchQuery>,
) -> AppResult<Json<CompanyList>> {
    let rows = state
        .db()
        .search_companies(&caller.scope(), &query.q, 500)
        .await?;
    Ok(Json(CompanyList {
        items: rows.into_iter().map(Company::from).collect(),
    }))
}

/// One company with its contacts.
#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "companies",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The company", body = CompanyWithContacts)))]
pub async fn company_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CompanyId>,
) -> AppResult<Json<CompanyWithContacts>> {
    Ok(Json(
        state.db().get_company(&caller.scope(), id).await?.into(),
    ))
}

/// Add a company (the CVR number is checked).
#[utoipa::path(post, path = "/api/v1/companies", tag = "companies", request_body = CompanyForm,
    responses(
        (status = 201, description = "Added", body = CompanyWithContacts),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn company_create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<CompanyForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<CompanyWithContacts>)> {
    let Json(form) = body?;
    let company = forms::parse_company(&form).map_err(AppError::invalid)?;
    let scope = caller.scope();
    let id = state.db().create_company(&scope, &company).await?;
    let created = state.db().get_company(&scope, id).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}
