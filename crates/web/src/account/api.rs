//! Who the API caller is.

use crate::http::context::Caller;
use axum::Json;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(me))]
pub struct Api;

/// The signed-in user behind a bearer token.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    /// The role's code, e.g. `consultant`.
    pub role: String,
    /// None for cross-municipal roles.
    pub municipality_code: Option<i64>,
}

/// The user the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, description = "The caller", body = Me)))]
pub async fn me(Caller { user, .. }: Caller) -> Json<Me> {
    let user = user.user;
    Json(Me {
        id: user.id,
        login: user.login,
        display_name: user.display_name,
        role: user.role,
        municipality_code: user.municipality_code,
    })
}
