//! Psychologist notes in the API: psychologists only.

use super::NOTE_MAX;
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult, ErrorBody, InvalidBody};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use spire_domain::YouthId;
use spire_domain::validation::required_text;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(notes_get, notes_add))]
pub struct Api;

#[derive(Serialize, ToSchema)]
pub struct PsychologistNote {
    pub id: i64,
    pub note: String,
    pub written_by: String,
    /// Unix seconds.
    pub written_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PsychologistNotes {
    pub items: Vec<PsychologistNote>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewPsychologistNote {
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub note: String,
}

/// The psychologists' notes on a youth, newest first (the read is logged).
#[utoipa::path(get, path = "/api/v1/youth/{id}/psychologist-notes", tag = "psychology",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The notes", body = PsychologistNotes)))]
pub async fn notes_get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
) -> AppResult<Json<PsychologistNotes>> {
    let rows = state
        .db()
        .psychologist_notes(&caller.scope(), youth)
        .await?;
    Ok(Json(PsychologistNotes {
        items: rows
            .into_iter()
            .map(|n| PsychologistNote {
                id: n.id,
                note: n.note,
                written_by: n.written_by_name,
                written_at: n.written_at,
            })
            .collect(),
    }))
}

/// Add a note (append-only).
#[utoipa::path(post, path = "/api/v1/youth/{id}/psychologist-notes", tag = "psychology",
    params(("id" = i64, Path, minimum = 1)), request_body = NewPsychologistNote,
    responses(
        (status = 201, description = "Added", body = PsychologistNotes),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn notes_add(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    body: Result<Json<NewPsychologistNote>, JsonRejection>,
) -> AppResult<(StatusCode, Json<PsychologistNotes>)> {
    let Json(form) = body?;
    state
        .db()
        .require_youth_visible(&caller.scope(), youth)
        .await?;
    let note =
        required_text("note", &form.note, NOTE_MAX).map_err(|e| AppError::invalid(vec![e]))?;
    state
        .db()
        .add_psychologist_note(&caller.scope(), youth, &note)
        .await?;
    let Json(list) = notes_get(State(state), caller, PathId(youth)).await?;
    Ok((StatusCode::CREATED, Json(list)))
}
