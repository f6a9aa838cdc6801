//! One-time log-in codes: staff give one from the youth's page; the youth
//! logs in with it at `/login/youth-code`.

use super::forms::CodeForm;
use crate::http::context::{Caller, ClientAddress, PathId, RequestContext};
use crate::http::error::AppResult;
use crate::http::session::{cookie, session_cookie_name, with_session_cookie};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use spire_domain::YouthId;
use spire_store::LoginCodeOutcome;

#[derive(Template)]
#[template(path = "events/code_given.html")]
pub struct CodeGivenView {
    pub ctx: PageCtx,
    pub youth_id: i64,
    pub code: String,
    pub expires: String,
}

/// Staff make a log-in code for a youth; it is shown once, here.
pub async fn youth_login_code(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let code = state.db().create_login_code(&caller.scope(), youth).await?;
    Ok(render(&CodeGivenView {
        ctx: caller.page(&format!("/youth/{youth}")),
        youth_id: youth.get(),
        code: code.code,
        expires: tr.datetime(code.expires_at),
    }))
}

#[derive(Template)]
#[template(path = "events/code_login.html")]
pub struct CodeLoginView {
    pub ctx: PageCtx,
    pub error: Option<String>,
}

pub async fn code_login_page(context: RequestContext) -> Response {
    render(&CodeLoginView {
        ctx: PageCtx::anonymous(Tr::new(context.lang)),
        error: None,
    })
}

/// Logs a youth in with the code their consultant gave them: once, before
/// it expires; a client that guesses is made to wait.
pub async fn code_login_submit(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    ClientAddress(client): ClientAddress,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);

    let failed = |status: StatusCode, message: &str| {
        let view = CodeLoginView {
            ctx: PageCtx::anonymous(tr),
            error: Some(tr.t(message)),
        };
        Ok((status, render(&view)).into_response())
    };
    match state
        .db()
        .redeem_login_code(&form.code, &client, &context.request_id)
        .await?
    {
        LoginCodeOutcome::Success(user) => {
            let previous = cookie(&headers, session_cookie_name(&state));
            let secret = state
                .db()
                .create_session(user.id, previous.as_deref())
                .await?;
            Ok(with_session_cookie(&state, &secret.token, "/events"))
        }
        // The typed code is wrong input, like a wrong field: 422.
        LoginCodeOutcome::Wrong => failed(StatusCode::UNPROCESSABLE_ENTITY, "code-login-wrong"),
        LoginCodeOutcome::Blocked => failed(StatusCode::TOO_MANY_REQUESTS, "code-login-blocked"),
    }
}
