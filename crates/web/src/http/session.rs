//! Cookies: the session cookie and reading cookies (axum-extra's cookie jar).

use super::state::AppState;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// The value of the named cookie: the first one sent. Browsers send the
/// most specific and oldest first, so a cookie of the same name planted
/// later (say from a sibling subdomain, where there is no `__Host-` prefix)
/// does not replace the session (a cookie jar would keep the last).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_string())
}

pub fn session_cookie_name(state: &AppState) -> &'static str {
    if state.config().tls {
        "__Host-spire_session"
    } else {
        "spire_session"
    }
}

/// The session cookie: the whole site, never read by scripts, not sent on
/// cross-site requests; `Secure` (and `__Host-`) over TLS.
fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((session_cookie_name(state), token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config().tls)
        .build()
}

/// A redirect that sets the session cookie.
pub fn with_session_cookie(state: &AppState, token: &str, to: &str) -> Response {
    let jar = CookieJar::new().add(session_cookie(state, token.to_string()));
    (jar, Redirect::to(to)).into_response()
}

/// A redirect to the log-in page that removes the session cookie.
pub fn without_session_cookie(state: &AppState) -> Response {
    let mut expired = session_cookie(state, String::new());
    expired.make_removal();
    (CookieJar::new().add(expired), Redirect::to("/login")).into_response()
}
