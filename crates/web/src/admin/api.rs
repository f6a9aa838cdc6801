//! Users through the API.

use crate::http::error::AppResult;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

pub async fn users(State(state): State<AppState>) -> AppResult<Json<Value>> {
    Ok(Json(json!({ "items": state.db().list_users().await? })))
}
