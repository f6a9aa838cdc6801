//! The trial's JSON API: the list of trials and randomisation at intake.
//! Answers exactly as issue 3 specifies: 201 receipt, 409 already_randomised
//! with the original, 422 not_eligible with reasons or invalid with fields.

use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult, ErrorBody, InvalidBody};
use crate::http::params;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use spire_domain::TrialId;
use spire_domain::validation::{limits, required_text};
use spire_domain::{Benefit, Cpr, FieldError, Problem, Readiness};
use spire_store::{Intake, Randomisation, Receipt};
use std::collections::BTreeMap;
use utoipa::{OpenApi, ToSchema};

/// The fields of a screening as typed: every one optional here, so that a
/// missing field is a field error (422) rather than an unreadable body (400).
/// A young person to screen and, when eligible, randomise.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = Randomisation)]
pub struct IntakeFields {
    /// DDMMYY-XXXX; stored encrypted, never returned.
    #[serde(default)]
    #[schema(required = true, max_length = 20)]
    pub cpr: String,
    #[serde(default)]
    #[schema(required = true, max_length = 100)]
    pub first_name: String,
    #[serde(default)]
    #[schema(required = true, max_length = 100)]
    pub last_name: String,
    /// The caller's own municipality.
    #[schema(required = true)]
    pub municipality_code: Option<i64>,
    /// `kontanthjaelp`, `uddannelseshjaelp` or `other`.
    #[serde(default)]
    #[schema(required = true)]
    pub benefit: String,
    /// `jobparat`, `aabenlyst_uddannelsesparat`, `uddannelsesparat` or `aktivitetsparat`.
    #[serde(default)]
    #[schema(required = true)]
    pub readiness: String,
    #[schema(required = true)]
    pub has_qualification: Option<bool>,
    /// Levels of the trial's own stratification fields.
    #[serde(default)]
    pub strata: BTreeMap<String, String>,
    /// A young person already registered in the programme here is drawn
    /// only with the programme's decision and its reason (recorded before
    /// the draw); otherwise 422 at this field.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub already_registered_decision: String,
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
        required_text("first_name", &fields.first_name, limits::PERSON_NAME),
    );
    let last_name = params::collect(
        &mut errors,
        required_text("last_name", &fields.last_name, limits::PERSON_NAME),
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
            already_registered_decision: Some(fields.already_registered_decision.trim())
                .filter(|d| !d.is_empty())
                .map(str::to_string),
        }),
        _ => Err(errors),
    }
}

/// Reasons as codes and as sentences in the caller's language.
#[derive(OpenApi)]
#[openapi(paths(trials, randomise, crossover))]
pub struct Api;

/// A trial.
#[derive(Serialize, ToSchema)]
pub struct Trial {
    pub id: i64,
    pub public_id: String,
    pub name: String,
    /// `open` or `closed`.
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct TrialList {
    pub items: Vec<Trial>,
}

/// The signed tree head the allocation is under.
#[derive(Serialize, ToSchema)]
pub struct TreeHead {
    pub size: i64,
    /// SHA-256 Merkle root, hex.
    pub root: String,
    /// Ed25519 over the tree head, hex.
    pub signature: String,
    /// UTC unix seconds.
    pub time: i64,
}

/// What an allocation gives back: its arm and the evidence to check it.
#[derive(Serialize, ToSchema)]
pub struct AllocationReceipt {
    pub allocation_id: i64,
    /// `programme` or `control`.
    pub arm: String,
    pub ledger_index: i64,
    /// factor=level pairs, comma-separated, in the design's factor order.
    pub stratum: String,
    /// SHA-256, hex.
    pub leaf_hash: String,
    pub tree_head: TreeHead,
    /// UTC unix seconds.
    pub allocated_at: i64,
}

impl From<Receipt> for AllocationReceipt {
    fn from(receipt: Receipt) -> AllocationReceipt {
        AllocationReceipt {
            allocation_id: receipt.allocation_id,
            arm: receipt.arm,
            ledger_index: receipt.ledger_index,
            stratum: receipt.stratum,
            leaf_hash: receipt.leaf_hash,
            tree_head: TreeHead {
                size: receipt.tree_head.size,
                root: receipt.tree_head.root,
                signature: receipt.tree_head.signature,
                time: receipt.tree_head.time,
            },
            allocated_at: receipt.allocated_at,
        }
    }
}

/// The young person was randomised before in the caller's municipality.
#[derive(Serialize, ToSchema)]
pub struct AlreadyRandomised {
    /// Always `already_randomised`.
    pub error: &'static str,
    /// The original allocation.
    pub allocation: AllocationReceipt,
}

/// The young person was randomised before in another municipality: only that
/// is told (no arm, no stratum), and the look-up is in both access logs.
#[derive(Serialize, ToSchema)]
pub struct RandomisedElsewhere {
    /// Always `randomised_elsewhere`.
    pub error: &'static str,
    /// What to do, in the caller's language.
    pub message: String,
}

/// Not eligible, with the reasons.
#[derive(Serialize, ToSchema)]
pub struct NotEligible {
    /// Always `not_eligible`.
    pub error: &'static str,
    /// `too_young`, `too_old`, `benefit_not_covered`, `has_qualification` or
    /// `municipality_not_participating`.
    pub reasons: Vec<&'static str>,
    /// The reasons in the caller's language.
    pub messages: Vec<String>,
}

/// The trials: id, name, status (caseworker, programme office, researcher).
#[utoipa::path(get, path = "/api/v1/trials", tag = "trial",
    responses((status = 200, description = "The trials", body = TrialList)))]
pub async fn trials(State(state): State<AppState>) -> AppResult<Json<TrialList>> {
    let items = state
        .db()
        .list_trials()
        .await?
        .into_iter()
        .map(|t| Trial {
            id: t.id,
            public_id: t.public_id,
            name: t.name,
            status: t.status,
        })
        .collect();
    Ok(Json(TrialList { items }))
}

/// Screen a young person and, when eligible, randomise them (caseworker, own
/// municipality). The answer comes only after the allocation is committed to
/// the ledger.
#[utoipa::path(post, path = "/api/v1/trials/{id}/randomizations", tag = "trial",
    params(
        ("id" = i64, Path, minimum = 1, description = "The trial's id (from GET /api/v1/trials)"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 200,
            description = "A retried request with the same key (same user) returns the same 201 body; the same key for another young person is refused with 422."),
    ),
    request_body = IntakeFields,
    responses(
        (status = 201, description = "Allocated (or the same idempotency key again)", body = AllocationReceipt),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 409, description = "Randomised before: in this municipality the original allocation (`already_randomised`); in another only that (`randomised_elsewhere`)", content(
            (AlreadyRandomised = "application/json"),
            (RandomisedElsewhere = "application/json"),
        )),
        (status = 422, description = "Not eligible (with reasons) or a field is invalid", content(
            (NotEligible = "application/json"),
            (InvalidBody = "application/json"),
        )),
    ))]
pub async fn randomise(
    State(state): State<AppState>,
    caller: Caller,
    PathId(trial_id): PathId<TrialId>,
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
            (StatusCode::CREATED, Json(AllocationReceipt::from(receipt))).into_response()
        }
        Randomisation::AlreadyRandomised(original) => (
            StatusCode::CONFLICT,
            Json(AlreadyRandomised {
                error: "already_randomised",
                allocation: original.into(),
            }),
        )
            .into_response(),
        Randomisation::RandomisedElsewhere => (
            StatusCode::CONFLICT,
            Json(RandomisedElsewhere {
                error: "randomised_elsewhere",
                message: caller.tr().t("trial-randomised-elsewhere"),
            }),
        )
            .into_response(),
        Randomisation::NotEligible(reasons) => {
            let tr = caller.tr();
            let body = NotEligible {
                error: "not_eligible",
                reasons: reasons.iter().map(|r| r.code()).collect(),
                messages: reasons.iter().map(|r| tr.t(r.message_id())).collect(),
            };
            (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
        }
    })
}

/// A control-arm young person to give the programme after all.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CrossoverFields {
    /// The control-arm allocation (the receipt's allocation id).
    #[schema(required = true, minimum = 1)]
    pub allocation_id: Option<i64>,
    /// Why the programme is given after all; kept for good.
    #[serde(default)]
    #[schema(required = true, max_length = 2000)]
    pub reason: String,
    /// The course's first day, `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(required = true, format = Date)]
    pub start_date: String,
}

/// The crossover is recorded; the young person is registered here.
#[derive(Serialize, ToSchema)]
pub struct CrossoverRecorded {
    pub youth_id: i64,
}

/// A crossover (team lead, own municipality): a control-arm young person is
/// given the programme after all, with a reason. Kept for good with the team
/// lead's name, counted in CONSORT and as participation in the evaluation;
/// the young person is registered and the course starts.
#[utoipa::path(post, path = "/api/v1/trials/{id}/crossovers", tag = "trial",
    params(("id" = i64, Path, minimum = 1, description = "The trial's id")),
    request_body = CrossoverFields,
    responses(
        (status = 201, description = "Recorded", body = CrossoverRecorded),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid: no reason, no date, not a control-arm allocation, or recorded before", body = InvalidBody),
    ))]
pub async fn crossover(
    State(state): State<AppState>,
    caller: Caller,
    PathId(trial_id): PathId<TrialId>,
    body: Result<Json<CrossoverFields>, JsonRejection>,
) -> AppResult<Response> {
    let Json(fields) = body?;
    let mut errors = Vec::new();
    let allocation = params::collect(
        &mut errors,
        fields
            .allocation_id
            .filter(|id| *id > 0)
            .ok_or(FieldError::new("allocation_id", Problem::Required)),
    );
    let start = params::collect(
        &mut errors,
        spire_domain::internship::parse_date("start_date", &fields.start_date),
    );
    let (Some(allocation), Some(start)) = (allocation, start) else {
        return Err(AppError::invalid(errors));
    };
    let youth_id = state
        .db()
        .record_crossover(
            &caller.scope(),
            state.key(),
            trial_id,
            spire_domain::AllocationId::new(allocation),
            &fields.reason,
            start,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CrossoverRecorded { youth_id })).into_response())
}
