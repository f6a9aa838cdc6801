//! Users through the API.

use crate::http::context::{Caller, PathId};
use crate::http::error::{AppResult, ErrorBody, InvalidBody};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use spire_store::Actor;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(users, deactivate, reactivate))]
pub struct Api;

/// A user of Spire.
#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub municipality_code: Option<i64>,
    pub municipality_name: Option<String>,
    pub company_id: Option<i64>,
    /// Logs in with a one-time code as well as the password.
    pub totp_enabled: bool,
    /// Waits for its municipality's team lead to approve it.
    pub awaiting_approval: bool,
    /// Deactivated by an administrator: it cannot log in.
    pub deactivated: bool,
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<User>,
}

/// All users (admin).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin",
    responses((status = 200, description = "The users", body = UserList)))]
pub async fn users(State(state): State<AppState>) -> AppResult<Json<UserList>> {
    let items = state
        .db()
        .list_users()
        .await?
        .into_iter()
        .map(|u| User {
            id: u.id,
            login: u.login,
            display_name: u.display_name,
            role: u.role,
            municipality_code: u.municipality_code,
            municipality_name: u.municipality_name,
            company_id: u.company_id,
            totp_enabled: u.totp_enabled,
            awaiting_approval: u.awaiting_approval,
            deactivated: u.deactivated,
        })
        .collect();
    Ok(Json(UserList { items }))
}

/// What deactivating an account ended.
#[derive(Serialize, ToSchema)]
pub struct DeactivatedBody {
    pub sessions_ended: u64,
    pub tokens_revoked: u64,
    /// Young people whose consultant this was: they are without one now.
    pub youth_without_consultant: i64,
}

/// Deactivate an account (someone who left): it cannot log in, its sessions
/// and API tokens end at once, it leaves its team and is nobody's consultant.
/// Again is harmless.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = "admin",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 200, description = "Deactivated", body = DeactivatedBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "The caller's own account", body = InvalidBody),
    ))]
pub async fn deactivate(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
) -> AppResult<Json<DeactivatedBody>> {
    let ended = state
        .db()
        .deactivate_user(&Actor::of(&caller.scope()), id)
        .await?;
    Ok(Json(DeactivatedBody {
        sessions_ended: ended.sessions_ended,
        tokens_revoked: ended.tokens_revoked,
        youth_without_consultant: ended.youth_without_consultant,
    }))
}

/// Open a deactivated account again (its old API tokens stay revoked).
#[utoipa::path(post, path = "/api/v1/users/{id}/reactivate", tag = "admin",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 204, description = "The user may log in again"),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
pub async fn reactivate(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
) -> AppResult<StatusCode> {
    state
        .db()
        .reactivate_user(&Actor::of(&caller.scope()), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
