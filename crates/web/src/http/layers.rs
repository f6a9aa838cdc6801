//! Cross-cutting layers: request id and language, and security headers.

use super::context::RequestContext;
use super::session::cookie;
use crate::i18n::Lang;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;

pub const LANG_COOKIE: &str = "spire_lang";

fn language(request: &Request) -> Lang {
    cookie(request.headers(), LANG_COOKIE)
        .and_then(|code| Lang::from_code(&code))
        .or_else(|| {
            request
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// The path as it may be logged: a calendar feed's path is its secret
/// (whoever has it reads the calendar), so only its prefix is written; and
/// a CPR number typed into an address never reaches the log.
fn loggable_path(path: &str) -> String {
    if path.starts_with("/feeds/") {
        return "/feeds/…".to_string();
    }
    // Read as the server reads it, so an encoded dash or space
    // (`150604%E2%80%934123`) is seen for what it is.
    let decoded = percent_decoded(path);
    match spire_domain::redact_cpr(&decoded) {
        std::borrow::Cow::Owned(redacted) => redacted,
        std::borrow::Cow::Borrowed(_) => path.to_string(),
    }
}

/// `%XX` sequences as the bytes they stand for (anything else kept).
fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .filter(|_| bytes[i] == b'%')
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Ends a request that takes longer than the configured limit with 503 and
/// Retry-After (a slow upload or a stuck query cannot hold a worker for
/// ever); the handler is dropped, so its transaction rolls back.
pub async fn request_timeout(State(limit): State<u64>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(std::time::Duration::from_secs(limit), next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit_seconds = limit, "request timed out");
            super::error::AppError(super::error::ErrorKind::Unavailable).into_response()
        }
    }
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
    let path = loggable_path(request.uri().path());
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
    let path = request.uri().path();
    let is_static = path.starts_with("/static/");
    // The public log's files hold nothing personal and set their own cache life.
    let is_log_file = path
        .strip_prefix("/log/")
        .is_some_and(|rest| rest.contains('/'));
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
    let own_cache_life = is_log_file && headers.contains_key("cache-control");
    if !is_static && !own_cache_life {
        // Pages and API answers may hold personal data: never cache them.
        set(headers, "cache-control", "no-store");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn a_cpr_number_in_an_address_is_never_logged_however_it_is_encoded() {
        for path in [
            "/nosuch/1506044123",
            "/nosuch/150604%E2%80%934123",
            "/nosuch/150604%204123",
            "/nosuch/150604%2F4123",
            "/nosuch/150604%2d4123",
            "/nosuch/150604%0A4123",
            "/nosuch/150604%E2%81%A34123",
            "/nosuch/150604%09-4123",
        ] {
            let logged = loggable_path(path);
            assert_eq!(logged, "/nosuch/[CPR]", "{path}");
        }
        assert_eq!(loggable_path("/youth/12%20a"), "/youth/12%20a");
        assert_eq!(loggable_path("/feeds/secret-token"), "/feeds/…");
        assert_eq!(loggable_path("/x/%zz%"), "/x/%zz%");
    }
}
