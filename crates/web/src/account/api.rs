//! Who the API caller is.

use crate::http::context::Caller;
use axum::Json;
use serde_json::{Value, json};

pub async fn me(Caller { user, .. }: Caller) -> Json<Value> {
    Json(json!({
        "id": user.user.id,
        "login": user.user.login,
        "display_name": user.user.display_name,
        "role": user.user.role,
        "municipality_code": user.user.municipality_code,
    }))
}
