//! The one place where errors become friendly pages or JSON bodies, in the
//! user's language.

use super::page::{PageCtx, render};
use crate::http::context::{CurrentUser, RequestContext};
use crate::http::error::{ErrorBody, ErrorKind, InvalidBody, Refusal};
use crate::i18n::{Arg, Tr};
use askama::Template;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorView {
    pub ctx: PageCtx,
    pub title: String,
    pub message: String,
    pub details: Vec<String>,
    pub request_id: String,
}

/// A refused field's message, translated.
pub fn refused(tr: Tr, refusal: &Refusal) -> String {
    let args: Vec<(&'static str, Arg)> = refusal
        .args
        .iter()
        .map(|(name, value)| (*name, Arg::Text(value.clone())))
        .collect();
    tr.t_args(refusal.message_id, &args)
}

/// Turns an error marker left by a handler into the body the client reads:
/// a friendly page with the request id, or a JSON error for the API.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let context = request
        .extensions()
        .get::<RequestContext>()
        .cloned()
        .unwrap_or_else(RequestContext::unknown);
    let response = next.run(request).await;
    let Some(kind) = response.extensions().get::<ErrorKind>().cloned() else {
        return response;
    };
    let status = response.status();
    let tr = Tr::new(context.lang);
    let mut rendered = if context.is_api {
        let invalid = |fields: BTreeMap<String, String>| {
            axum::Json(InvalidBody {
                error: "invalid",
                fields,
                request_id: context.request_id.clone(),
            })
            .into_response()
        };
        let body = match &kind {
            ErrorKind::Invalid(fields) => invalid(
                fields
                    .iter()
                    .map(|f| (f.field.to_string(), tr.problem(f)))
                    .collect(),
            ),
            ErrorKind::Refused(refusal) => invalid(BTreeMap::from([(
                refusal.field.to_string(),
                refused(tr, refusal),
            )])),
            other => axum::Json(ErrorBody {
                error: other.code(),
                message: tr.t(if matches!(other, ErrorKind::BadRequest) {
                    "error-bad-json"
                } else {
                    other.message_id()
                }),
                request_id: context.request_id.clone(),
            })
            .into_response(),
        };
        (status, body).into_response()
    } else {
        let view = ErrorView {
            ctx: match response.extensions().get::<CurrentUser>() {
                Some(current) => PageCtx::for_user(tr, current, "/home"),
                None => PageCtx::anonymous(tr),
            },
            title: tr.t(kind.title_id()),
            message: tr.t(kind.message_id()),
            details: match &kind {
                ErrorKind::Invalid(fields) => fields.iter().map(|f| tr.field_error(f)).collect(),
                ErrorKind::Refused(refusal) => vec![refused(tr, refusal)],
                _ => Vec::new(),
            },
            request_id: context.request_id.clone(),
        };
        (status, render(&view)).into_response()
    };
    if let Some(location) = response.headers().get(header::WWW_AUTHENTICATE) {
        rendered
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, location.clone());
    }
    match kind {
        ErrorKind::Unavailable => {
            rendered
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
        }
        ErrorKind::TooManyRequests(seconds) => {
            rendered.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(seconds.max(1)),
            );
        }
        _ => {}
    }
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(request_id = %context.request_id, "internal error answered with 500");
    }
    rendered
}
