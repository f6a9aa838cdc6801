//! What is there before a log-in: the root, static files, the language
//! switch, the API document, and the not-found answer.

use crate::http::access::{Access::Public, Route};
use crate::http::error::AppError;
use crate::http::layers::LANG_COOKIE;
use crate::i18n::Lang;
use axum::Form;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

/// The OpenAPI document of `/api/v1`, generated from the API's types by
/// `routes.rs` and committed (a test fails when the two differ).
pub const OPENAPI_DOCUMENT: &str = include_str!("../../openapi.json");

#[derive(utoipa::OpenApi)]
#[openapi(paths(openapi_document))]
pub struct Api;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/", Public, root),
        Route::post("/lang", Public, switch_language),
        Route::get("/static/{file}", Public, static_file),
        Route::api_get("/api/v1/openapi.json", Public, openapi_document),
    ]
}

pub async fn root() -> Redirect {
    Redirect::to("/home")
}

pub async fn not_found() -> AppError {
    AppError::not_found()
}

pub async fn static_file(Path(file): Path<String>) -> Response {
    let (body, content_type): (&'static [u8], &str) = match file.as_str() {
        "spire.css" => (
            include_bytes!("../../static/spire.css"),
            "text/css; charset=utf-8",
        ),
        "htmx-2.0.11.min.js" => (
            include_bytes!("../../static/htmx-2.0.11.min.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return AppError::not_found().into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    back: String,
}

/// Remembers the chosen language in a cookie and returns to the same page.
pub async fn switch_language(Form(form): Form<LanguageForm>) -> Response {
    let lang = Lang::from_code(&form.lang).unwrap_or_default();
    let back = same_site_path(&form.back).unwrap_or("/home");
    let cookie = Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(365))
        .build();
    (CookieJar::new().add(cookie), Redirect::to(back)).into_response()
}

/// `text` when it is a path on this site that a browser cannot read as
/// another site's (`//host`, `/\host`) and that makes a valid header: a
/// slash, then path segments of unreserved characters, and a query of URL-safe
/// characters. Anything else is refused — never an open redirect, never a
/// header that cannot be sent.
pub fn same_site_path(text: &str) -> Option<&str> {
    let (path, query) = text.split_once('?').unwrap_or((text, ""));
    let path_char = |c: char| c.is_ascii_alphanumeric() || "/-._~".contains(c);
    let query_char = |c: char| c.is_ascii_alphanumeric() || "-._~=&%+,:".contains(c);
    let well_formed = text.len() <= 2000
        && path.starts_with('/')
        && !path.starts_with("//")
        && path.chars().all(path_char)
        && query.chars().all(query_char);
    well_formed.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::same_site_path;
    use proptest::prelude::*;

    #[test]
    fn only_a_path_on_this_site_is_a_way_back() {
        for kept in [
            "/youth",
            "/youth/12?saved=1",
            "/dashboard?period=2026-H1&m=265&m=615",
            "/",
        ] {
            assert_eq!(same_site_path(kept), Some(kept));
        }
        for refused in [
            "",
            "home",
            "//evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "\\evil.example",
            "https://evil.example",
            "/\r\nSet-Cookie: x=1",
            "/youth\r\n",
            "/a b",
            "/%2F%2Fevil",
            "/youth?q=<script>",
            "/ youth",
        ] {
            assert_eq!(same_site_path(refused), None, "{refused:?}");
        }
    }

    proptest! {
        /// Whatever is accepted starts with one slash and makes a valid
        /// Location header.
        #[test]
        fn what_is_accepted_is_a_sendable_local_path(text in "\\PC{0,40}") {
            if let Some(path) = same_site_path(&text) {
                prop_assert!(path.starts_with('/') && !path.starts_with("//"));
                prop_assert!(!path.contains('\\'));
                prop_assert!(axum::http::HeaderValue::from_str(path).is_ok());
            }
        }
    }
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub async fn openapi_document() -> Response {
    ([("content-type", "application/json")], OPENAPI_DOCUMENT).into_response()
}
