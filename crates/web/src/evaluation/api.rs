//! The evaluation through the API: the report, locking the plan, importing
//! an outcome file.

use super::pages::{EvaluationDocument, document};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::multipart;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use spire_store::evaluation::plan::AnalysisPlan;

pub async fn api_evaluation(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    RawQuery(query): RawQuery,
) -> AppResult<Json<EvaluationDocument>> {
    Ok(Json(
        document(&state, &caller.scope(), id, query.as_deref()).await?,
    ))
}

pub async fn api_lock_plan(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    plan: Result<Json<AnalysisPlan>, axum::extract::rejection::JsonRejection>,
) -> AppResult<Response> {
    let Json(plan) = plan?;
    let locked = state
        .db()
        .lock_evaluation_plan(&caller.scope(), id, &plan)
        .await?;
    Ok((StatusCode::CREATED, Json(locked)).into_response())
}

#[derive(serde::Deserialize)]
pub struct ImportQuery {
    file_name: Option<String>,
}

/// The outcome file as the request body (`text/csv`).
pub async fn api_import_outcomes(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    axum::extract::Query(query): axum::extract::Query<ImportQuery>,
    request: Request,
) -> AppResult<Response> {
    let body = axum::body::to_bytes(request.into_body(), multipart::MAX_UPLOAD_BYTES)
        .await
        .map_err(|_| AppError(ErrorKind::BadRequest))?;
    let file_name = query.file_name.unwrap_or_else(|| "outcomes.csv".into());
    match state
        .db()
        .import_outcomes(&caller.scope(), state.key(), id, &file_name, &body)
        .await
    {
        Ok(import) => Ok((StatusCode::CREATED, Json(import)).into_response()),
        Err(refused) => Err(refused.into()),
    }
}
