//! Users through the API.

use crate::http::error::AppResult;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(users))]
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
        })
        .collect();
    Ok(Json(UserList { items }))
}
