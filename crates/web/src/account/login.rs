//! Log-in and log-out.

use crate::http::context::{ClientAddress, RequestContext};
use crate::http::error::AppError;
use crate::http::guard::session_user;
use crate::http::session::{
    cookie, session_cookie_name, with_session_cookie, without_session_cookie,
};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use spire_store::LoginOutcome;

#[derive(Template)]
#[template(path = "account/login.html")]
pub struct LoginView {
    pub ctx: PageCtx,
    pub error: Option<String>,
    pub login: String,
}

pub async fn login_page(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
) -> Response {
    let token = cookie(&headers, session_cookie_name(&state));
    // A complete session goes home; one waiting for its code may start over.
    if let Ok((Some(_), false)) = session_user(&state, token).await {
        return Redirect::to("/home").into_response();
    }
    let tr = Tr::new(context.lang);
    render(&LoginView {
        ctx: PageCtx::anonymous(tr),
        error: None,
        login: String::new(),
    })
    .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    ClientAddress(client): ClientAddress,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, AppError> {
    let previous = cookie(&headers, session_cookie_name(&state));
    let Form(form) = form?;
    let tr = Tr::new(context.lang);
    let login = form.login.trim().to_lowercase();
    let failed = |status: StatusCode, message: String| {
        let view = LoginView {
            ctx: PageCtx::anonymous(tr),
            error: Some(message),
            // A CPR number typed as a user name is not shown back.
            login: spire_domain::redact_cpr(&login).into_owned(),
        };
        (status, render(&view)).into_response()
    };
    match state
        .db()
        .authenticate(&login, &form.password, &client, &context.request_id)
        .await?
    {
        LoginOutcome::Success(user) if user.totp_enabled => {
            let secret = state
                .db()
                .create_pending_session(user.id, previous.as_deref())
                .await?;
            Ok(with_session_cookie(&state, &secret.token, "/login/code"))
        }
        LoginOutcome::Success(user) => {
            let secret = state
                .db()
                .create_session(user.id, previous.as_deref())
                .await?;
            Ok(with_session_cookie(&state, &secret.token, "/home"))
        }
        LoginOutcome::AwaitingApproval(user) => {
            let place = user.municipality_name.unwrap_or_default();
            let message = tr.t_args(
                "login-awaiting-approval",
                &[("municipality", Arg::Text(place))],
            );
            Ok(failed(StatusCode::FORBIDDEN, message))
        }
        LoginOutcome::Deactivated => Ok(failed(StatusCode::FORBIDDEN, tr.t("login-deactivated"))),
        LoginOutcome::WrongCredentials => {
            Ok(failed(StatusCode::UNAUTHORIZED, tr.t("login-failed")))
        }
        LoginOutcome::Blocked { retry_after_secs } => Ok(with_retry_after(
            failed(
                StatusCode::TOO_MANY_REQUESTS,
                blocked_message(tr, retry_after_secs),
            ),
            retry_after_secs,
        )),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(token) = cookie(&headers, session_cookie_name(&state)) {
        state.db().delete_session(&token).await?;
    }
    Ok(without_session_cookie(&state))
}

/// Says how long a throttled log-in must wait, in whole minutes.
pub fn blocked_message(tr: Tr, retry_after_secs: i64) -> String {
    let minutes = (retry_after_secs.max(1) + 59) / 60;
    tr.t_args("login-blocked", &[("minutes", Arg::Number(minutes))])
}

/// Adds the `Retry-After` header (seconds) to a throttled answer.
pub fn with_retry_after(mut response: Response, retry_after_secs: i64) -> Response {
    response.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(retry_after_secs.max(1)),
    );
    response
}
