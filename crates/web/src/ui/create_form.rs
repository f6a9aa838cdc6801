//! The two pages that create a record (a youth, a company) share their flow:
//! a form, then either a redirect to the new record or the form again with
//! messages by the fields.

use super::fields::{FieldMessages, FormField};
use super::page::{PageCtx, page_ctx, render};
use crate::http::context::{CurrentUser, RequestContext};
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::i18n::Tr;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// A page with one form that creates something (a youth, a company).
#[derive(Template)]
#[template(path = "form_page.html")]
pub struct FormPageView {
    pub ctx: PageCtx,
    pub title: String,
    pub intro: Option<String>,
    pub action: &'static str,
    pub fields: Vec<FormField>,
    pub has_errors: bool,
}

/// The two pages that create a record share their flow: a form, then either
/// a redirect to the new record or the form again with messages by the fields.
pub struct CreatePage {
    pub title_id: &'static str,
    pub intro_id: Option<&'static str>,
    pub action: &'static str,
    pub record_path: &'static str,
}

impl CreatePage {
    pub fn view(
        &self,
        context: &RequestContext,
        user: &CurrentUser,
        fields: Vec<FormField>,
        has_errors: bool,
    ) -> Response {
        let tr = Tr::new(context.lang);
        render(&FormPageView {
            ctx: page_ctx(context, user, self.action),
            title: tr.t(self.title_id),
            intro: self.intro_id.map(|id| tr.t(id)),
            action: self.action,
            fields,
            has_errors,
        })
    }

    /// Redirects to the created record, or shows the form again (422) with
    /// every field's message, built by `fields`.
    pub fn outcome(
        &self,
        context: &RequestContext,
        user: &CurrentUser,
        result: Result<impl std::fmt::Display, AppError>,
        fields: impl FnOnce(&FieldMessages) -> Vec<FormField>,
    ) -> AppResult<Response> {
        match result {
            Ok(id) => Ok(Redirect::to(&format!("{}/{id}", self.record_path)).into_response()),
            Err(AppError(ErrorKind::Invalid(errors))) => {
                let messages = FieldMessages::from_errors(Tr::new(context.lang), &errors);
                let page = self.view(context, user, fields(&messages), true);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            Err(other) => Err(other),
        }
    }
}
