//! Cross-cutting layers: request id and language, security headers, and the
//! one place where errors become friendly pages or JSON bodies.

use crate::error::ErrorKind;
use crate::i18n::{Lang, Tr};
use crate::views::{ErrorView, PageCtx, render};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;

/// Facts about the request every handler may need.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub lang: Lang,
    pub is_api: bool,
}

pub const LANG_COOKIE: &str = "spire_lang";

pub(crate) fn cookie<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn language(request: &Request) -> Lang {
    cookie(request, LANG_COOKIE)
        .and_then(Lang::from_code)
        .or_else(|| {
            request
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// Gives each request an id and a language, and logs it. The log line has the
/// path only: query strings may hold search words and are never logged.
pub async fn request_context(mut request: Request, next: Next) -> Response {
    let mut id = [0u8; 8];
    rand::rng().fill_bytes(&mut id);
    let context = RequestContext {
        request_id: hex::encode(id),
        lang: language(&request),
        is_api: request.uri().path().starts_with("/api/"),
    };
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    request.extensions_mut().insert(context.clone());
    let started = std::time::Instant::now();
    let mut response = next.run(request).await;
    tracing::info!(
        request_id = %context.request_id,
        %method,
        %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    if let Ok(value) = HeaderValue::from_str(&context.request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

pub async fn security_headers(State(tls): State<bool>, request: Request, next: Next) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    set(headers, "x-content-type-options", "nosniff");
    // `same-origin`, not `no-referrer`: with no referrer, browsers send `Origin: null`
    // on form posts, which the CSRF Origin check must refuse.
    set(headers, "referrer-policy", "same-origin");
    set(headers, "x-frame-options", "DENY");
    set(headers, "cross-origin-opener-policy", "same-origin");
    if tls {
        set(
            headers,
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
    if !is_static {
        // Pages and API answers may hold personal data: never cache them.
        set(headers, "cache-control", "no-store");
    }
    response
}

/// Turns an error marker left by a handler into the body the client reads:
/// a friendly page with the request id, or a JSON error for the API.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let context = request
        .extensions()
        .get::<RequestContext>()
        .cloned()
        .unwrap_or(RequestContext {
            request_id: String::new(),
            lang: Lang::Da,
            is_api: false,
        });
    let response = next.run(request).await;
    let Some(kind) = response.extensions().get::<ErrorKind>().cloned() else {
        return response;
    };
    let status = response.status();
    let tr = Tr::new(context.lang);
    let mut rendered = if context.is_api {
        let body = match &kind {
            ErrorKind::Invalid(fields) => serde_json::json!({
                "error": "invalid",
                "fields": fields.iter().map(|f| (f.field.to_string(), serde_json::Value::String(tr.t(f.problem.message_id())))).collect::<serde_json::Map<_, _>>(),
                "request_id": context.request_id,
            }),
            ErrorKind::ImportRefused(problem) => serde_json::json!({
                "error": "invalid",
                "fields": { "file": crate::evaluation_pages::import_message(tr, problem) },
                "request_id": context.request_id,
            }),
            other => serde_json::json!({
                "error": other.code(),
                "message": tr.t(if matches!(other, ErrorKind::BadRequest) { "error-bad-json" } else { other.message_id() }),
                "request_id": context.request_id,
            }),
        };
        (status, axum::Json(body)).into_response()
    } else {
        let view = ErrorView {
            ctx: match response.extensions().get::<crate::auth::CurrentUser>() {
                Some(current) => PageCtx::for_user(tr, current, "/home"),
                None => PageCtx::anonymous(tr),
            },
            title: tr.t(kind.title_id()),
            message: tr.t(kind.message_id()),
            details: match &kind {
                ErrorKind::Invalid(fields) => fields.iter().map(|f| tr.field_error(f)).collect(),
                ErrorKind::ImportRefused(problem) => {
                    vec![crate::evaluation_pages::import_message(tr, problem)]
                }
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
    if matches!(kind, ErrorKind::Unavailable) {
        rendered
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
    }
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(request_id = %context.request_id, "internal error answered with 500");
    }
    rendered
}
