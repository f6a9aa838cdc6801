//! The session cookie and reading cookies.

use super::state::AppState;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

pub fn cookie<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
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

pub fn session_cookie_name(state: &AppState) -> &'static str {
    if state.config().tls {
        "__Host-spire_session"
    } else {
        "spire_session"
    }
}

/// A redirect that sets the session cookie.
pub fn with_session_cookie(state: &AppState, token: &str, to: &str) -> Response {
    let secure = if state.config().tls { "; Secure" } else { "" };
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax{secure}",
        session_cookie_name(state),
    );
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("hex token"),
    );
    response
}

/// A redirect to the log-in page that removes the session cookie.
pub fn without_session_cookie(state: &AppState) -> Response {
    let mut response = Redirect::to("/login").into_response();
    let expired = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        session_cookie_name(state)
    );
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&expired).expect("ascii"),
    );
    response
}
