//! The per-route guard: resolves the user (session for pages, bearer token
//! for the API), enforces the route's access rule (404 for a role that may
//! not use it), and checks CSRF and Origin on every state change.

use super::access::{Access, NavLink, RouteSpec, TWO_FACTOR_PAGE, TWO_FACTOR_START};
use super::context::CurrentUser;
use super::error::{AppError, ErrorKind, over_limit};
use super::multipart;
use super::session::{cookie, session_cookie_name};
use super::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use spire_domain::Role;
use std::sync::Arc;

/// What the guard of one route knows: the app, the route, and each role's menu.
#[derive(Clone)]
pub struct GuardState {
    pub app: AppState,
    pub spec: RouteSpec,
    pub menus: Arc<[(Role, Arc<[NavLink]>)]>,
}

impl GuardState {
    fn menu(&self, role: Role) -> Arc<[NavLink]> {
        self.menus
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, menu)| menu.clone())
            .unwrap_or_else(|| Arc::from(Vec::new()))
    }
}

/// Runs before every handler: resolves the user, enforces the route's access
/// rule (404 for a role that may not use it), and checks CSRF on changes.
pub async fn guard(
    State(guarded): State<GuardState>,
    mut request: Request,
    next: Next,
) -> Response {
    let (state, spec) = (&guarded.app, &guarded.spec);
    // A CPR number never travels in an address: it would stay in browser
    // histories, proxies' logs and the Referer header.
    if request.uri().query().is_some_and(query_holds_cpr) {
        return AppError(ErrorKind::Refused(super::error::Refusal {
            field: "query",
            message_id: "err-cpr-in-address",
            args: Vec::new(),
        }))
        .into_response();
    }
    // Copy the credentials out first: a borrowed request cannot be held across an await.
    let user = if spec.api {
        let client = super::context::client_address(request.extensions());
        bearer_user(state, bearer_token(&request), &client)
            .await
            .map(|user| (user, false))
    } else {
        session_user(state, cookie(request.headers(), session_cookie_name(state))).await
    };
    let (mut user, pending) = match user {
        Ok(found) => found,
        Err(err) => return err.into_response(),
    };
    if let Some(current) = &mut user {
        current.menu = guarded.menu(current.user.role());
    }
    // A session waiting for its one-time code reaches only the code page,
    // logging out and public pages; the code page takes nothing else.
    match (pending, spec.access == Access::SecondFactor) {
        (true, false) if spec.access != Access::Public && spec.path != "/logout" => {
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
        && spec.path != TWO_FACTOR_PAGE
        && spec.path != TWO_FACTOR_START
        && spec.path != "/logout"
    {
        return Redirect::to(TWO_FACTOR_PAGE).into_response();
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
    let mut claimed: Option<String> = None;
    if changes_state && !spec.api {
        if !origin_matches(&request, state.config().tls) {
            return AppError(ErrorKind::BadRequest).into_response();
        }
        // Public forms (log-in, language) work without a session; Origin suffices.
        if let (Some(current), false) = (&user, spec.access == Access::Public) {
            let once;
            (request, once) = match check_csrf(request, &current.csrf, spec.body_limit).await {
                Ok(checked) => checked,
                Err(response) => return response,
            };
            // The same form sent again never reaches its handler.
            if let Some(once) = once {
                let key = format!("{}:{once}", current.user.id);
                if !state.once_forms().claim(&key) {
                    let mut response = AppError(ErrorKind::AlreadySent).into_response();
                    response.extensions_mut().insert(current.clone());
                    return response;
                }
                claimed = Some(key);
            }
        }
    }
    // An error page keeps the signed-in user's menu (see `render_errors`).
    let page_user = user.clone().filter(|_| !spec.api);
    if let Some(current) = user {
        request.extensions_mut().insert(current);
    }
    let mut response = next.run(request).await;
    // A refused form gives its token back: the corrected one may be sent.
    if let Some(key) = claimed
        && (response.status().is_client_error() || response.status().is_server_error())
    {
        state.once_forms().release(&key);
    }
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
pub async fn session_user(
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
            menu: Arc::from(Vec::new()),
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

/// The user of a bearer token, held to the web's rules: none while they must
/// wait after wrong passwords (the store), and none for staff without
/// two-factor log-in where the server requires it.
async fn bearer_user(
    state: &AppState,
    token: Option<String>,
    client: &str,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = token else { return Ok(None) };
    let user = state
        .db()
        .user_for_api_token(&token, client)
        .await?
        .filter(|user| {
            !(state.config().require_two_factor
                && needs_second_factor(user.role())
                && !user.totp_enabled)
        });
    Ok(user.map(|user| CurrentUser {
        user,
        csrf: String::new(),
        menu: Arc::from(Vec::new()),
    }))
}

/// Whether a query string holds a CPR number, as typed (`q=150604-4123`) or
/// percent-encoded (`150604%2D4123`, `+` for a space).
pub fn query_holds_cpr(query: &str) -> bool {
    spire_domain::contains_cpr(query)
        || serde_urlencoded::from_str::<Vec<(String, String)>>(query).is_ok_and(|pairs| {
            pairs
                .iter()
                .any(|(k, v)| spire_domain::contains_cpr(k) || spire_domain::contains_cpr(v))
        })
}

/// A browser always sends `Origin` on a cross-site POST; when present it must
/// name this site: its host, and the scheme it is served with (`https` when
/// TLS, directly or behind a proxy; a page over plain HTTP on the same host
/// is another origin). Together with SameSite cookies and the token this
/// stops CSRF.
fn origin_matches(request: &Request, tls: bool) -> bool {
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
    let scheme = if tls { "https://" } else { "http://" };
    origin.strip_prefix(scheme) == Some(host)
}

/// Checks the `csrf` form field (or `X-CSRF-Token` header) against the
/// session's token, then hands the request on with its body intact, with the
/// form's one-time token (`once`) if it has one.
async fn check_csrf(
    request: Request,
    expected: &str,
    limit: usize,
) -> Result<(Request, Option<String>), Response> {
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
        .and_then(multipart::boundary);
    let (parts, body) = request.into_parts();
    // Only the route's own limit is ever buffered: an upload-sized body sent
    // to any other form is refused here.
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|error| {
        let kind = if over_limit(&error) {
            ErrorKind::TooLarge
        } else {
            ErrorKind::BadRequest
        };
        AppError(kind).into_response()
    })?;
    let fields: Vec<(String, String)> = match &boundary {
        Some(boundary) => multipart::parts(bytes.clone(), boundary)
            .await
            .map(|fields| {
                fields
                    .into_iter()
                    .filter(|f| f.file_name.is_none() && matches!(f.name.as_str(), "csrf" | "once"))
                    .filter_map(|f| {
                        Some((f.name.clone(), String::from_utf8(f.data.to_vec()).ok()?))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        None => serde_urlencoded::from_bytes(&bytes).unwrap_or_default(),
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let given = header_token.or(field("csrf")).unwrap_or_default();
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return Err(AppError(ErrorKind::BadRequest).into_response());
    }
    let once = field("once").filter(|o| !o.is_empty() && o.len() <= 64);
    Ok((Request::from_parts(parts, Body::from(bytes)), once))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
