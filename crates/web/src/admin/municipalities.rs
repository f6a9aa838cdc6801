//! The municipalities in Spire, and adding one from the official list of the
//! 98 Danish municipalities (the code is chosen, never typed).

use crate::http::context::Caller;
use crate::http::error::{AppError, AppResult, InvalidBody};
use crate::http::params::required_id;
use crate::http::state::AppState;
use crate::ui::create_form::after_form;
use crate::ui::fields::{FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use spire_domain::Problem;
use spire_domain::onboarding::{official_municipalities, official_municipality};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(add_api))]
pub struct Api;

/// A municipality to add, by its official code.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NewMunicipality)]
pub struct AddForm {
    /// A code of the official list, e.g. `370` (Næstved).
    #[serde(default)]
    #[schema(required = true)]
    pub municipality_code: String,
}

#[derive(Deserialize, Default)]
pub struct AddedQuery {
    added: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/municipalities.html")]
pub struct MunicipalitiesView {
    pub ctx: PageCtx,
    /// Code, name, region.
    pub rows: Vec<(i64, String, String)>,
    pub fields: Vec<FormField>,
    pub banner: FormBanner,
    pub added: bool,
}

async fn view(
    state: &AppState,
    caller: &Caller,
    form: &AddForm,
    messages: &FieldMessages,
    added: bool,
) -> AppResult<MunicipalitiesView> {
    let tr = caller.tr();
    let present = state.db().list_municipalities().await?;
    let options = official_municipalities()
        .iter()
        .filter(|m| !present.iter().any(|p| p.code == m.code))
        .map(|m| {
            (
                m.code.to_string(),
                format!("{} ({}, {})", m.name, m.code, m.region),
            )
        })
        .collect();
    Ok(MunicipalitiesView {
        ctx: caller.page("/admin/municipalities"),
        rows: present
            .into_iter()
            .map(|m| {
                let region = official_municipality(m.code).map_or("", |o| o.region);
                (m.code, m.name, region.to_string())
            })
            .collect(),
        fields: vec![
            FormField::new(
                tr,
                "municipality_code",
                "select",
                &form.municipality_code,
                messages,
            )
            .options(options)
            .required(),
        ],
        banner: messages.banner(),
        added,
    })
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AddedQuery>,
) -> AppResult<Response> {
    let added = query.added.is_some();
    Ok(render(
        &view(
            &state,
            &caller,
            &AddForm::default(),
            &FieldMessages::default(),
            added,
        )
        .await?,
    ))
}

async fn add(state: &AppState, caller: &Caller, form: &AddForm) -> AppResult<i64> {
    let code = required_id(
        "municipality_code",
        &form.municipality_code,
        Problem::UnknownMunicipality,
    )
    .map_err(|e| AppError::invalid(vec![e]))?;
    state
        .db()
        .add_official_municipality(&caller.scope(), code)
        .await?;
    Ok(code)
}

pub async fn add_page(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    let result = add(&state, &caller, &form).await;
    after_form(
        caller.tr(),
        result,
        |_| "/admin/municipalities?added=1".to_string(),
        |messages| {
            let (state, caller, form) = (&state, &caller, &form);
            async move { Ok(render(&view(state, caller, form, &messages, false).await?)) }
        },
    )
    .await
}

/// A municipality in Spire.
#[derive(Serialize, ToSchema)]
pub struct Municipality {
    pub code: i64,
    pub name: String,
}

/// Add a municipality from the official list (administrator).
#[utoipa::path(post, path = "/api/v1/municipalities", tag = "admin",
    request_body = AddForm,
    responses(
        (status = 201, description = "Added (or already there)", body = Municipality),
        (status = 400, description = "The body is not JSON of the expected shape", body = crate::http::error::ErrorBody),
        (status = 422, description = "Not a code of the official list", body = InvalidBody),
    ))]
pub async fn add_api(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<AddForm>, JsonRejection>,
) -> AppResult<(axum::http::StatusCode, Json<Municipality>)> {
    let Json(form) = body?;
    let code = add(&state, &caller, &form).await?;
    let name = official_municipality(code).map_or(String::new(), |m| m.name.to_string());
    Ok((
        axum::http::StatusCode::CREATED,
        Json(Municipality { code, name }),
    ))
}
