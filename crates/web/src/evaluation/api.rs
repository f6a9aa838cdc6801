//! The evaluation through the API: the report, locking the plan, importing
//! an outcome file.

use super::report::{EvaluationDocument, document};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult, ErrorBody, ErrorKind, InvalidBody};
use crate::http::multipart;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use spire_domain::TrialId;
use spire_evaluation::plan::AnalysisPlan;
use std::borrow::Cow;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{OpenApi, PartialSchema, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(api_evaluation, api_lock_plan, api_import_outcomes),
    components(schemas(super::report::ConsortCounts))
)]
pub struct Api;

/// A locked pre-analysis plan.
#[derive(serde::Serialize, ToSchema)]
#[schema(as = LockedPlan)]
pub struct LockedPlanOut {
    #[schema(value_type = AnalysisPlanSchema)]
    pub plan: AnalysisPlan,
    /// SHA-256 of the plan's canonical JSON, hex.
    pub digest: String,
    pub locked_by: String,
    /// UTC unix seconds.
    pub locked_at: i64,
}

impl From<spire_store::evaluation::LockedPlan> for LockedPlanOut {
    fn from(locked: spire_store::evaluation::LockedPlan) -> LockedPlanOut {
        LockedPlanOut {
            plan: locked.plan,
            digest: locked.digest,
            locked_by: locked.locked_by,
            locked_at: locked.locked_at,
        }
    }
}

/// One outcome file as imported (its SHA-256 is kept, not returned).
#[derive(serde::Serialize, ToSchema)]
#[schema(as = OutcomeImport)]
pub struct OutcomeImportOut {
    pub id: i64,
    pub file_name: String,
    pub row_count: i64,
    /// The imported columns, comma-separated.
    pub columns: String,
    pub imported_by: String,
    /// UTC unix seconds.
    pub imported_at: i64,
}

impl From<spire_store::evaluation::OutcomeImport> for OutcomeImportOut {
    fn from(import: spire_store::evaluation::OutcomeImport) -> OutcomeImportOut {
        OutcomeImportOut {
            id: import.id,
            file_name: import.file_name,
            row_count: import.row_count,
            columns: import.columns,
            imported_by: import.imported_by,
            imported_at: import.imported_at,
        }
    }
}

/// The schemas of the evaluation's documents. Their Rust types live in the
/// pure evaluation crate, which knows nothing of OpenAPI, so their schemas
/// are written here by hand (checked against real answers by the API fuzz run).
const SCHEMAS: &str = include_str!("schemas.json");

fn hand_written(name: &str) -> RefOr<Schema> {
    let all: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(SCHEMAS).expect("schemas.json is JSON");
    serde_json::from_value(all[name].clone()).expect("schemas.json holds OpenAPI schemas")
}

macro_rules! hand_written_schema {
    ($marker:ident, $name:literal, [$($needs:literal),*]) => {
        #[doc = concat!("The `", $name, "` schema (see `schemas.json`).")]
        pub struct $marker;

        impl PartialSchema for $marker {
            fn schema() -> RefOr<Schema> {
                hand_written($name)
            }
        }

        impl ToSchema for $marker {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }

            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                let needs: &[&str] = &[$($needs),*];
                schemas.extend(needs.iter().map(|name| (name.to_string(), hand_written(name))));
            }
        }
    };
}

hand_written_schema!(AnalysisPlanSchema, "AnalysisPlan", []);
hand_written_schema!(EvaluationReportSchema, "EvaluationReport", ["Estimate"]);

/// The evaluation report under the locked pre-analysis plan (researcher,
/// programme office): recruitment with the MDE, CONSORT, balance, ITT per
/// outcome and horizon with randomisation-inference, adjusted and
/// Romano–Wolf p-values, IV effect of participation, Lee bounds, subgroups.
/// With explore=1 and estimator, fixed_effects, covariates (repeated) an
/// exploratory analysis whose deviations from the plan are listed.
#[utoipa::path(get, path = "/api/v1/trials/{id}/evaluation", tag = "evaluation",
    params(
        ("id" = i64, Path, minimum = 1, description = "The trial's id (from GET /api/v1/trials)"),
        ("explore" = Option<String>, Query, pattern = "^1$"),
        ("estimator" = Option<String>, Query, description = "`ols`, `lin` or `difference_in_means`"),
        ("fixed_effects" = Option<String>, Query, description = "`design_strata`, `municipality` or `none`"),
        ("covariates" = Option<String>, Query, description = "Repeat for each covariate"),
    ),
    responses(
        (status = 200, description = "The report", body = EvaluationReportSchema),
        (status = 422, description = "No plan is locked yet, or an exploratory choice is invalid", body = InvalidBody),
    ))]
pub async fn api_evaluation(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<TrialId>,
    RawQuery(query): RawQuery,
) -> AppResult<Json<EvaluationDocument>> {
    Ok(Json(
        document(&state, &caller.scope(), id, query.as_deref()).await?,
    ))
}

/// Lock the pre-analysis plan (once, before any outcome import); answers
/// with its SHA-256.
#[utoipa::path(post, path = "/api/v1/trials/{id}/evaluation/plan", tag = "evaluation",
    params(("id" = i64, Path, minimum = 1, description = "The trial's id (from GET /api/v1/trials)")),
    request_body = AnalysisPlanSchema,
    responses(
        (status = 201, description = "Locked", body = LockedPlanOut),
        (status = 400, description = "The body is not a plan", body = ErrorBody),
        (status = 422, description = "A field is invalid, or a plan is already locked", body = InvalidBody),
    ))]
pub async fn api_lock_plan(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<TrialId>,
    plan: Result<Json<AnalysisPlan>, axum::extract::rejection::JsonRejection>,
) -> AppResult<Response> {
    let Json(plan) = plan?;
    let locked = state
        .db()
        .lock_evaluation_plan(&caller.scope(), id, &plan)
        .await?;
    Ok((StatusCode::CREATED, Json(LockedPlanOut::from(locked))).into_response())
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The name to record for the file.
    file_name: Option<String>,
}

/// Import an outcome file (the request body, `text/csv`): CSV keyed by the
/// study pseudonym, one column per planned outcome and horizon (name_6m);
/// `,` or `;`, decimal point or comma, empty = missing. All or nothing.
#[utoipa::path(post, path = "/api/v1/trials/{id}/evaluation/outcomes", tag = "evaluation",
    params(("id" = i64, Path, minimum = 1, description = "The trial's id (from GET /api/v1/trials)"), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 201, description = "Imported", body = OutcomeImportOut),
        (status = 400, description = "The body could not be read", body = ErrorBody),
        (status = 422, description = "The file was refused: the field `file` names the line and column (never the cell's content), or no plan is locked", body = InvalidBody),
    ))]
pub async fn api_import_outcomes(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<TrialId>,
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
        Ok(import) => {
            Ok((StatusCode::CREATED, Json(OutcomeImportOut::from(import))).into_response())
        }
        Err(refused) => Err(refused.into()),
    }
}
