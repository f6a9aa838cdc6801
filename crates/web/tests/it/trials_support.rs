//! The trial tests' fixture: the shared app with API tokens for the roles
//! the trial concerns, and the calls they make through the API and pages.

use crate::support::{PASSWORD, TestApp, login_of};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use spire_domain::Role;
use spire_store::Db;
use spire_store::testing::cpr_text;

pub(crate) struct App {
    pub(crate) app: TestApp,
    pub(crate) db: Db,
    pub(crate) trial_id: spire_domain::TrialId,
    pub(crate) caseworker: String,
    pub(crate) other_caseworker: String,
    pub(crate) office: String,
    pub(crate) consultant: String,
}

/// The shared fixture with API tokens for the roles the trial concerns.
pub(crate) async fn app() -> App {
    let app = TestApp::new().await;
    App {
        db: app.db.clone(),
        trial_id: app.trial,
        caseworker: app.token(&login_of(Role::Caseworker, "roskilde")).await,
        other_caseworker: app.token(&login_of(Role::Caseworker, "horsens")).await,
        office: app.token(&login_of(Role::ProgrammeOffice, "")).await,
        consultant: app.token(&login_of(Role::Consultant, "roskilde")).await,
        app,
    }
}

pub(crate) async fn call(
    app: &App,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    idempotency_key: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("accept-language", "en");
    if let Some(key) = idempotency_key {
        request = request.header("idempotency-key", key);
    }
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let reply = app.app.send(request).await;
    (
        StatusCode::from_u16(reply.status).unwrap(),
        serde_json::from_str(&reply.body).unwrap_or(Value::Null),
    )
}

/// The Roskilde caseworker randomises the youth with this serial through the API.
pub(crate) async fn randomise_in_roskilde(
    app: &App,
    serial: u32,
    idempotency_key: Option<&str>,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/trials/{}/randomizations", app.trial_id);
    call(
        app,
        &app.caseworker,
        "POST",
        &path,
        Some(youth(&cpr_text(serial), 265)),
        idempotency_key,
    )
    .await
}

pub(crate) fn youth(cpr: &str, municipality: i64) -> Value {
    json!({
        "cpr": cpr, "first_name": "Ida", "last_name": "Hansen", "municipality_code": municipality,
        "benefit": "kontanthjaelp", "readiness": "aktivitetsparat", "has_qualification": false, "strata": {}
    })
}

/// A browser session: the cookie and the CSRF token of the last page.
pub(crate) struct Session {
    pub(crate) cookie: String,
}

pub(crate) async fn log_in(app: &App, login: &str) -> Session {
    let request = Request::builder()
        .method("POST")
        .uri("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "login={login}&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    let reply = app.app.send(request).await;
    let cookie = reply
        .headers
        .get("set-cookie")
        .expect("logged in")
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    Session { cookie }
}

pub(crate) async fn page(
    app: &App,
    session: &Session,
    method: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let reply = send_form(app, session, method, path, form).await;
    (StatusCode::from_u16(reply.status).unwrap(), reply.body)
}

/// A form post that is to redirect: the status and where it sends.
pub(crate) async fn post_redirected(
    app: &App,
    session: &Session,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let reply = send_form(app, session, "POST", path, form).await;
    (
        StatusCode::from_u16(reply.status).unwrap(),
        reply.location().to_string(),
    )
}

async fn send_form(
    app: &App,
    session: &Session,
    method: &str,
    path: &str,
    form: &[(&str, &str)],
) -> crate::support::Reply {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("cookie", &session.cookie)
        .header("accept-language", "en")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
        .unwrap();
    app.app.send(request).await
}
