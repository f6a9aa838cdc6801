//! The trial's JSON API: the list of trials and randomisation at intake.
//! Answers exactly as issue 3 specifies: 201 receipt, 409 already_randomised
//! with the original, 422 not_eligible with reasons or invalid with fields.

use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::params;
use crate::http::state::AppState;
use crate::i18n::Tr;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use spire_domain::validation::required_text;
use spire_domain::{Benefit, Cpr, FieldError, Ineligibility, Problem, Readiness};
use spire_store::{Intake, Randomisation};
use std::collections::BTreeMap;

/// The fields of a screening as typed: every one optional here, so that a
/// missing field is a field error (422) rather than an unreadable body (400).
#[derive(Debug, Default, Deserialize)]
pub struct IntakeFields {
    #[serde(default)]
    pub cpr: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    pub municipality_code: Option<i64>,
    #[serde(default)]
    pub benefit: String,
    #[serde(default)]
    pub readiness: String,
    pub has_qualification: Option<bool>,
    #[serde(default)]
    pub strata: BTreeMap<String, String>,
}

/// Parses a screening, reporting every bad field at once.
pub fn parse_intake(fields: &IntakeFields) -> Result<Intake, Vec<FieldError>> {
    let mut errors = Vec::new();
    let cpr = params::collect(
        &mut errors,
        if fields.cpr.trim().is_empty() {
            Err(FieldError::new("cpr", Problem::Required))
        } else {
            Cpr::parse("cpr", &fields.cpr)
        },
    );
    let first_name = params::collect(
        &mut errors,
        required_text("first_name", &fields.first_name, 100),
    );
    let last_name = params::collect(
        &mut errors,
        required_text("last_name", &fields.last_name, 100),
    );
    let municipality_code = params::collect(
        &mut errors,
        fields
            .municipality_code
            .ok_or(FieldError::new("municipality_code", Problem::Required)),
    );
    let benefit = params::collect(
        &mut errors,
        Benefit::from_code(fields.benefit.trim())
            .ok_or(FieldError::new("benefit", Problem::UnknownBenefit)),
    );
    let readiness = params::collect(
        &mut errors,
        Readiness::from_code(fields.readiness.trim())
            .ok_or(FieldError::new("readiness", Problem::UnknownReadiness)),
    );
    let has_qualification = params::collect(
        &mut errors,
        fields
            .has_qualification
            .ok_or(FieldError::new("has_qualification", Problem::Required)),
    );
    match (
        cpr,
        first_name,
        last_name,
        municipality_code,
        benefit,
        readiness,
        has_qualification,
    ) {
        (
            Some(cpr),
            Some(first_name),
            Some(last_name),
            Some(municipality_code),
            Some(benefit),
            Some(readiness),
            Some(has_qualification),
        ) if errors.is_empty() => Ok(Intake {
            cpr,
            first_name,
            last_name,
            municipality_code,
            benefit,
            readiness,
            has_qualification,
            strata: fields
                .strata
                .iter()
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect(),
            intake_date: time::OffsetDateTime::now_utc().date(),
        }),
        _ => Err(errors),
    }
}

/// Reasons as codes and as sentences in the caller's language.
pub fn reasons_json(tr: Tr, reasons: &[Ineligibility]) -> Value {
    json!({
        "error": "not_eligible",
        "reasons": reasons.iter().map(|r| r.code()).collect::<Vec<_>>(),
        "messages": reasons.iter().map(|r| tr.t(r.message_id())).collect::<Vec<_>>(),
    })
}

pub async fn trials(State(state): State<AppState>) -> AppResult<Json<Value>> {
    Ok(Json(json!({ "items": state.db().list_trials().await? })))
}

pub async fn randomise(
    State(state): State<AppState>,
    caller: Caller,
    PathId(trial_id): PathId<i64>,
    headers: HeaderMap,
    body: Result<Json<IntakeFields>, JsonRejection>,
) -> AppResult<Response> {
    let Json(fields) = body?;
    let intake = parse_intake(&fields).map_err(AppError::invalid)?;
    let idempotency_key = match headers.get("idempotency-key") {
        None => None,
        Some(value) => Some(value.to_str().map_err(|_| {
            AppError::invalid(vec![FieldError::new("idempotency_key", Problem::TooLong)])
        })?),
    };
    let outcome = state
        .db()
        .randomise(
            &caller.scope(),
            state.key(),
            trial_id,
            &intake,
            idempotency_key,
        )
        .await?;
    Ok(match outcome {
        Randomisation::Allocated(receipt) | Randomisation::Replayed(receipt) => {
            (StatusCode::CREATED, Json(json!(receipt))).into_response()
        }
        Randomisation::AlreadyRandomised(original) => (
            StatusCode::CONFLICT,
            Json(json!({ "error": "already_randomised", "allocation": original })),
        )
            .into_response(),
        Randomisation::NotEligible(reasons) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(reasons_json(caller.tr(), &reasons)),
        )
            .into_response(),
    })
}
