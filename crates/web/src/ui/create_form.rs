//! The two pages that create a record (a youth, a company) share their flow:
//! a form, then either a redirect to the new record or the form again with
//! messages by the fields.

use super::fields::{FieldMessages, FormBanner, FormField};
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
    pub action: String,
    pub fields: Vec<FormField>,
    pub banner: FormBanner,
}

/// The end of every form post: on success the redirect `ok` builds (post,
/// redirect, get), on a refused field the page again with status 422, built
/// by `again` from the messages (and the typed values it holds), anything
/// else passed on.
pub async fn after_form<T, Again>(
    tr: Tr,
    result: AppResult<T>,
    ok: impl FnOnce(T) -> String,
    again: impl FnOnce(FieldMessages) -> Again,
) -> AppResult<Response>
where
    Again: std::future::Future<Output = AppResult<Response>>,
{
    match result {
        Ok(value) => Ok(Redirect::to(&ok(value)).into_response()),
        Err(AppError(ErrorKind::Invalid(errors))) => {
            let page = again(FieldMessages::from_errors(tr, &errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

/// A form page at a path only known at run time (e.g. under one youth).
pub fn form_page(
    context: &RequestContext,
    user: &CurrentUser,
    title: String,
    intro: Option<String>,
    action: String,
    fields: Vec<FormField>,
    banner: FormBanner,
) -> Response {
    render(&FormPageView {
        ctx: page_ctx(context, user, &action),
        title,
        intro,
        action,
        fields,
        banner,
    })
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
        banner: FormBanner,
    ) -> Response {
        let tr = Tr::new(context.lang);
        form_page(
            context,
            user,
            tr.t(self.title_id),
            self.intro_id.map(|id| tr.t(id)),
            self.action.to_string(),
            fields,
            banner,
        )
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
                let fields = fields(&messages);
                let page = self.view(context, user, fields, messages.banner());
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            Err(other) => Err(other),
        }
    }
}
