//! Authentication and the per-route guard: sessions for pages, bearer tokens
//! for the API, CSRF tokens plus an Origin check on every state change.

use crate::AppState;
use crate::error::{AppError, ErrorKind};
use crate::i18n::Tr;
use crate::middleware::{RequestContext, cookie};
use crate::routes::{Access, RouteSpec};
use crate::views::{LoginView, PageCtx, render};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use spire_store::{LoginOutcome, Scope, UserRow};

/// The logged-in user of a request, put there by the guard.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: UserRow,
    /// The session's CSRF token, for forms (empty for API callers).
    pub csrf: String,
}

impl CurrentUser {
    pub fn scope(&self, context: &RequestContext) -> Scope {
        Scope::new(
            self.user.id,
            self.user.role(),
            self.user.municipality_code,
            context.request_id.clone(),
        )
    }
}

/// Largest form body the guard reads to find the CSRF token.
const MAX_FORM_BYTES: usize = 256 * 1024;

pub(crate) fn session_cookie_name(state: &AppState) -> &'static str {
    if state.config().tls {
        "__Host-spire_session"
    } else {
        "spire_session"
    }
}

/// Runs before every handler: resolves the user, enforces the route's access
/// rule (404 for a role that may not use it), and checks CSRF on changes.
pub async fn guard(
    State((state, spec)): State<(AppState, RouteSpec)>,
    mut request: Request,
    next: Next,
) -> Response {
    // Copy the credentials out first: a borrowed request cannot be held across an await.
    let user = if spec.api {
        bearer_user(&state, bearer_token(&request))
            .await
            .map(|user| (user, false))
    } else {
        session_user(
            &state,
            cookie(&request, session_cookie_name(&state)).map(str::to_string),
        )
        .await
    };
    let (user, pending) = match user {
        Ok(found) => found,
        Err(err) => return err.into_response(),
    };
    // A session waiting for its one-time code reaches only the code page (and
    // public pages); the code page takes nothing else.
    match (pending, spec.access == Access::SecondFactor) {
        (true, false) if spec.access != Access::Public => {
            return Redirect::to("/login/code").into_response();
        }
        (false, true) => {
            return Redirect::to(if user.is_some() { "/home" } else { "/login" }).into_response();
        }
        _ => {}
    }
    let user = if pending && spec.access == Access::Public {
        None
    } else {
        user
    };
    // Staff must set up two-factor log-in first, when the server requires it.
    if let Some(current) = &user
        && state.config().require_two_factor
        && !spec.api
        && needs_second_factor(current.user.role())
        && !current.user.totp_enabled
        && !matches!(spec.access, Access::Public)
        && spec.path != crate::routes::TWO_FACTOR_PAGE
        && spec.path != "/logout"
    {
        return Redirect::to(crate::routes::TWO_FACTOR_PAGE).into_response();
    }
    match (&spec.access, &user) {
        (Access::Public, _) => {}
        (_, None) if spec.api => {
            let mut response = AppError(ErrorKind::Unauthorized).into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
        (_, None) => return Redirect::to("/login").into_response(),
        (access, Some(current)) if !access.allows(current.user.role()) => {
            let mut response = AppError::not_found().into_response();
            if !spec.api {
                response.extensions_mut().insert(current.clone());
            }
            return response;
        }
        _ => {}
    }
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD);
    if changes_state && !spec.api {
        if !origin_matches(&request) {
            return AppError(ErrorKind::BadRequest).into_response();
        }
        // Public forms (log-in, language) work without a session; Origin suffices.
        if let (Some(current), false) = (&user, spec.access == Access::Public) {
            request = match check_csrf(request, &current.csrf).await {
                Ok(request) => request,
                Err(response) => return response,
            };
        }
    }
    // An error page keeps the signed-in user's menu (see `render_errors`).
    let page_user = user.clone().filter(|_| !spec.api);
    if let Some(current) = user {
        request.extensions_mut().insert(current);
    }
    let mut response = next.run(request).await;
    if let Some(current) = page_user
        && response.extensions().get::<ErrorKind>().is_some()
    {
        response.extensions_mut().insert(current);
    }
    response
}

/// Staff log in with a second factor; young people and company contacts need not.
pub fn needs_second_factor(role: spire_domain::Role) -> bool {
    !matches!(
        role,
        spire_domain::Role::Youth | spire_domain::Role::CompanyContact
    )
}

/// The session's user, and whether the session still waits for its one-time code.
async fn session_user(
    state: &AppState,
    token: Option<String>,
) -> Result<(Option<CurrentUser>, bool), AppError> {
    let Some(token) = token else {
        return Ok((None, false));
    };
    let config = state.config();
    let session = state
        .db()
        .session(
            &token,
            config.idle_timeout_secs,
            config.absolute_timeout_secs,
        )
        .await?;
    let pending = session.as_ref().is_some_and(|s| s.second_factor_pending);
    Ok((
        session.map(|s| CurrentUser {
            user: s.user,
            csrf: s.csrf_token,
        }),
        pending,
    ))
}

fn bearer_token(request: &Request) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    value
        .strip_prefix("Bearer ")
        .map(|token| token.trim().to_string())
}

async fn bearer_user(
    state: &AppState,
    token: Option<String>,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = token else { return Ok(None) };
    let user = state.db().user_for_api_token(&token).await?;
    Ok(user.map(|user| CurrentUser {
        user,
        csrf: String::new(),
    }))
}

/// A browser always sends `Origin` on a cross-site POST; when present it must
/// name this host. Together with SameSite cookies and the token this stops CSRF.
fn origin_matches(request: &Request) -> bool {
    let Some(origin) = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let Some(host) = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        == Some(host)
}

/// Checks the `csrf` form field (or `X-CSRF-Token` header) against the
/// session's token, then hands the request on with its body intact.
async fn check_csrf(request: Request, expected: &str) -> Result<Request, Response> {
    let header_token = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // A file upload carries the token as a multipart field, in a larger body.
    let boundary = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::multipart::boundary);
    let limit = if boundary.is_some() {
        crate::multipart::MAX_UPLOAD_BYTES
    } else {
        MAX_FORM_BYTES
    };
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError(ErrorKind::BadRequest).into_response())?;
    let form_token = match &boundary {
        Some(boundary) => crate::multipart::parts(&bytes, boundary).and_then(|fields| {
            fields
                .into_iter()
                .find(|f| f.name == "csrf" && f.file_name.is_none())
                .and_then(|f| String::from_utf8(f.data.to_vec()).ok())
        }),
        None => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v)),
    };
    let given = header_token.or(form_token).unwrap_or_default();
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return Err(AppError(ErrorKind::BadRequest).into_response());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn login_page(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    request: Request,
) -> Response {
    let token = cookie(&request, session_cookie_name(&state)).map(str::to_string);
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
    Extension(context): Extension<RequestContext>,
    request: Request,
) -> Result<Response, AppError> {
    let previous = cookie(&request, session_cookie_name(&state)).map(str::to_string);
    let Form(form) = Form::<LoginForm>::from_request_parts_and_body(request).await?;
    let tr = Tr::new(context.lang);
    let login = form.login.trim().to_lowercase();
    let failed = |status: StatusCode, message_id: &str| {
        let view = LoginView {
            ctx: PageCtx::anonymous(tr),
            error: Some(tr.t(message_id)),
            login: login.clone(),
        };
        (status, render(&view)).into_response()
    };
    match state
        .db()
        .authenticate(&login, &form.password, &context.request_id)
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
        LoginOutcome::WrongCredentials => Ok(failed(StatusCode::UNAUTHORIZED, "login-failed")),
        LoginOutcome::Blocked => Ok(failed(StatusCode::TOO_MANY_REQUESTS, "login-blocked")),
    }
}

/// A redirect that sets the session cookie.
pub(crate) fn with_session_cookie(state: &AppState, token: &str, to: &str) -> Response {
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

pub async fn logout(State(state): State<AppState>, request: Request) -> Result<Response, AppError> {
    if let Some(token) = cookie(&request, session_cookie_name(&state)) {
        state.db().delete_session(token).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    let expired = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        session_cookie_name(&state)
    );
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&expired).expect("ascii"),
    );
    Ok(response)
}

/// Reads a form from a request we already hold (the handler needed its
/// cookies first). Bad form bodies are a 400, never a 500.
trait FormFromRequest: Sized {
    async fn from_request_parts_and_body(request: Request) -> Result<Self, AppError>;
}

impl<T: serde::de::DeserializeOwned> FormFromRequest for Form<T> {
    async fn from_request_parts_and_body(request: Request) -> Result<Self, AppError> {
        let bytes = axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES)
            .await
            .map_err(|_| AppError(ErrorKind::BadRequest))?;
        serde_urlencoded::from_bytes(&bytes)
            .map(Form)
            .map_err(|_| AppError(ErrorKind::BadRequest))
    }
}
