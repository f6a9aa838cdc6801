//! The company pages: the list, a company with its contacts, registering one.

use super::forms::{self, CompanyForm};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::ui::create_form::CreatePage;
use crate::ui::fields::{FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use spire_domain::CompanyId;
use spire_domain::validation::limits;
use spire_store::{CompanyContactRow, CompanyRow};

#[derive(Template)]
#[template(path = "companies/list.html")]
pub struct CompanyListView {
    pub ctx: PageCtx,
    pub q: String,
    pub rows: Vec<CompanyRow>,
    pub may_create: bool,
}

#[derive(Template)]
#[template(path = "companies/page.html")]
pub struct CompanyPageView {
    pub ctx: PageCtx,
    pub company: CompanyRow,
    pub contacts: Vec<CompanyContactRow>,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn company_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    let rows = state
        .db()
        .search_companies(&caller.scope(), &query.q, 200)
        .await?;
    // "Min virksomhed" is the company contact's own company: opened at once.
    if caller.role() == spire_domain::Role::CompanyContact
        && let [own] = rows.as_slice()
    {
        return Ok(Redirect::to(&format!("/companies/{}", own.id)).into_response());
    }
    let view = CompanyListView {
        ctx: caller.page("/companies"),
        q: query.q,
        rows,
        may_create: caller.role().is_programme_staff(),
    };
    Ok(render(&view))
}

pub async fn company_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CompanyId>,
) -> AppResult<Response> {
    let (company, contacts) = state.db().get_company(&caller.scope(), id).await?;
    Ok(render(&CompanyPageView {
        ctx: caller.page("/companies"),
        company,
        contacts,
    }))
}

fn company_form_fields(tr: Tr, form: &CompanyForm, messages: &FieldMessages) -> Vec<FormField> {
    vec![
        FormField::new(tr, "cvr", "text", &form.cvr, messages)
            .required()
            .max_length(limits::TYPED_NUMBER)
            .hint(tr.t("hint-cvr")),
        FormField::new(tr, "name", "text", &form.name, messages)
            .required()
            .max_length(limits::COMPANY_NAME)
            .autocomplete("organization"),
        FormField::new(tr, "industry", "text", &form.industry, messages)
            .required()
            .max_length(limits::INDUSTRY),
        FormField::new(tr, "address", "text", &form.address, messages)
            .max_length(limits::ADDRESS)
            .autocomplete("street-address"),
    ]
}

const NEW_COMPANY: CreatePage = CreatePage {
    title_id: "company-new-title",
    intro_id: None,
    action: "/companies/new",
    record_path: "/companies",
};

pub async fn company_new_form(Caller { context, user }: Caller) -> Response {
    let fields = company_form_fields(
        Tr::new(context.lang),
        &CompanyForm::default(),
        &FieldMessages::default(),
    );
    NEW_COMPANY.view(&context, &user, fields, FormBanner::default())
}

pub async fn company_new_submit(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    Form(form): Form<CompanyForm>,
) -> AppResult<Response> {
    let result = match forms::parse_company(&form) {
        Ok(company) => state
            .db()
            .create_company(&user.scope(&context), &company)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    NEW_COMPANY.outcome(&context, &user, result, |messages| {
        company_form_fields(Tr::new(context.lang), &form, messages)
    })
}
