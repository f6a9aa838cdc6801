//! Two-factor log-in for staff (TOTP, RFC 6238): setting it up with an
//! authenticator app (QR code or the secret typed in), and the code step after
//! the password. A wrong code counts toward the same block as a wrong password.

use super::login::{blocked_message, with_retry_after};
use crate::http::access::TWO_FACTOR_PAGE;
use crate::http::context::{Caller, ClientAddress, CurrentUser};
use crate::http::error::AppResult;
use crate::http::session::{cookie, session_cookie_name, with_session_cookie};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use spire_domain::totp::{base32, otpauth_uri};
use spire_store::CodeOutcome;

#[derive(Template)]
#[template(path = "account/login_code.html")]
pub struct CodeView {
    pub ctx: PageCtx,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "account/two_factor.html")]
pub struct EnrolmentView {
    pub ctx: PageCtx,
    pub enabled: bool,
    pub qr: String,
    pub secret: String,
    pub error: Option<String>,
}

/// The one-time code form.
#[derive(serde::Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn code_page(Caller { context, user }: Caller) -> Response {
    let tr = Tr::new(context.lang);
    render(&CodeView {
        ctx: PageCtx::for_user(tr, &user, "/login/code"),
        error: None,
    })
}

pub async fn code_submit(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    headers: HeaderMap,
    ClientAddress(client): ClientAddress,
    form: Result<Form<CodeForm>, FormRejection>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let Form(CodeForm { code }) = form?;
    let token = cookie(&headers, session_cookie_name(&state));
    let outcome = state
        .db()
        .check_totp(state.key(), user.user.id, &code, false, &client)
        .await?;
    let refused = |status: StatusCode, message: String| {
        let view = CodeView {
            ctx: PageCtx::for_user(tr, &user, "/login/code"),
            error: Some(message),
        };
        (status, render(&view)).into_response()
    };
    match outcome {
        CodeOutcome::Accepted => {
            // A new session replaces the half-done one: the token changes at each step.
            let secret = state
                .db()
                .create_session(user.user.id, token.as_deref())
                .await?;
            Ok(with_session_cookie(&state, &secret.token, "/home"))
        }
        CodeOutcome::Wrong => Ok(refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t("two-factor-wrong-code"),
        )),
        CodeOutcome::Blocked { retry_after_secs } => {
            if let Some(token) = token {
                state.db().delete_session(&token).await?;
            }
            Ok(with_retry_after(
                refused(
                    StatusCode::TOO_MANY_REQUESTS,
                    blocked_message(tr, retry_after_secs),
                ),
                retry_after_secs,
            ))
        }
    }
}

/// The QR code of the `otpauth://` URI as SVG (one path; printable, no script).
fn qr_svg(text: &str, title: &str) -> String {
    use qrcodegen::{QrCode, QrCodeEcc};
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else {
        return String::new();
    };
    let border = 4;
    let size = qr.size() + 2 * border;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" role=\"img\" viewBox=\"0 0 {size} {size}\" \
         aria-labelledby=\"qr-title\"><title id=\"qr-title\">{title}</title>\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}

async fn enrolment_view(
    state: &AppState,
    tr: Tr,
    user: &CurrentUser,
    error: Option<String>,
) -> AppResult<EnrolmentView> {
    let ctx = PageCtx::for_user(tr, user, TWO_FACTOR_PAGE);
    if user.user.totp_enabled {
        return Ok(EnrolmentView {
            ctx,
            enabled: true,
            qr: String::new(),
            secret: String::new(),
            error,
        });
    }
    // Reading the page changes nothing: the secret is made by the start form.
    let Some(secret) = state
        .db()
        .pending_totp_secret(state.key(), user.user.id)
        .await?
    else {
        return Ok(EnrolmentView {
            ctx,
            enabled: false,
            qr: String::new(),
            secret: String::new(),
            error,
        });
    };
    let grouped: Vec<String> = base32(&secret)
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    Ok(EnrolmentView {
        qr: qr_svg(
            &otpauth_uri(&secret, &user.user.login),
            &tr.t("two-factor-qr-title"),
        ),
        secret: grouped.join(" "),
        enabled: false,
        error,
        ctx,
    })
}

pub async fn enrolment_page(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    Ok(render(&enrolment_view(&state, tr, &user, None).await?))
}

/// Makes the pending secret the page then shows (a new one each time: a
/// secret shown on a screen someone else saw is replaced by starting again).
pub async fn enrolment_start(
    State(state): State<AppState>,
    Caller { user, .. }: Caller,
) -> AppResult<Response> {
    if !user.user.totp_enabled {
        state
            .db()
            .start_totp_enrolment(state.key(), user.user.id)
            .await?;
    }
    Ok(axum::response::Redirect::to(TWO_FACTOR_PAGE).into_response())
}

pub async fn enrolment_submit(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    ClientAddress(client): ClientAddress,
    form: Result<Form<CodeForm>, FormRejection>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let Form(CodeForm { code }) = form?;
    if user.user.totp_enabled {
        return Ok(render(&enrolment_view(&state, tr, &user, None).await?));
    }
    let started = state
        .db()
        .pending_totp_secret(state.key(), user.user.id)
        .await?
        .is_some();
    if !started {
        let message = tr.t("two-factor-start-first");
        let view = enrolment_view(&state, tr, &user, Some(message)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
    }
    let outcome = state
        .db()
        .check_totp(state.key(), user.user.id, &code, true, &client)
        .await?;
    let (status, message) = match outcome {
        CodeOutcome::Accepted => {
            return Ok(axum::response::Redirect::to("/home?two-factor=on").into_response());
        }
        CodeOutcome::Wrong => (
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t("two-factor-wrong-code"),
        ),
        CodeOutcome::Blocked { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            blocked_message(tr, retry_after_secs),
        ),
    };
    let view = enrolment_view(&state, tr, &user, Some(message)).await?;
    Ok((status, render(&view)).into_response())
}
