//! Fidelity under `/api/v1`: reviews (blind as on the page), submitting
//! scores, reconciling, the schedule, a municipality's trend and the scale's
//! versions. No personal data.

use super::forms::{RatingsBody, ReconcileForm, ReviewForm, ScaleForm};
use super::pages::{create, publish};
use super::review::{settle, submit};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppResult, ErrorBody, InvalidBody};
use crate::http::state::AppState;
use crate::i18n::today_in_copenhagen;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(
    reviews,
    create_review,
    review,
    submit_ratings,
    reconcile,
    schedule,
    trend,
    scales,
    publish_scale
))]
pub struct Api;

/// A review of one municipality's half-year.
#[derive(Serialize, ToSchema)]
pub struct FidelityReview {
    pub id: i64,
    pub municipality_code: i64,
    pub municipality: String,
    /// The half-year, e.g. `2026-H1`.
    pub period: String,
    /// The version of the scale the review uses.
    pub scale_version: i64,
    pub reviewer_a: String,
    pub reviewer_b: String,
    pub due_date: String,
    pub submitted_a: bool,
    pub submitted_b: bool,
    /// Items scored differently that nobody has reconciled.
    pub open_disagreements: i64,
    pub finished: bool,
    /// The mean item score (1–5) once finished.
    pub mean: Option<f64>,
    /// `exemplary`, `good`, `fair` or `not_yet`.
    pub rating: Option<&'static str>,
}

impl From<spire_store::ReviewSummary> for FidelityReview {
    fn from(s: spire_store::ReviewSummary) -> Self {
        FidelityReview {
            id: s.id,
            municipality_code: s.municipality_code,
            municipality: s.municipality,
            period: s.period,
            scale_version: s.scale_version,
            reviewer_a: s.reviewer_a,
            reviewer_b: s.reviewer_b,
            due_date: s.due_date,
            submitted_a: s.submitted_a,
            submitted_b: s.submitted_b,
            open_disagreements: s.open_disagreements,
            finished: s.finished,
            mean: s.mean,
            rating: s.rating,
        }
    }
}

/// An item of the scale.
#[derive(Serialize, ToSchema)]
pub struct FidelityItemDefinition {
    pub code: String,
    /// `work_identity`, `many_to_many`, `power_shift` or `team_model`.
    pub principle: &'static str,
    pub title_da: String,
    pub title_en: String,
    /// The measure a computed item is scored from; null for a reviewed item.
    pub measure: Option<String>,
    /// Where the value scores 5, 4, 3 and 2, e.g. `0.9..|0.8..|0.7..|0.6..`.
    pub bands: Option<String>,
    pub guide_da: String,
    pub guide_en: String,
}

impl From<spire_store::ItemDefinition> for FidelityItemDefinition {
    fn from(i: spire_store::ItemDefinition) -> Self {
        FidelityItemDefinition {
            code: i.code,
            principle: i.principle,
            title_da: i.title_da,
            title_en: i.title_en,
            measure: i.measure,
            bands: i.bands,
            guide_da: i.guide_da,
            guide_en: i.guide_en,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FidelityShownRating {
    pub reviewer: String,
    pub score: i64,
    pub evidence: String,
}

#[derive(Serialize, ToSchema)]
pub struct FidelityReconciliationEntry {
    pub score: i64,
    pub reason: String,
    pub decided_by: String,
    /// Unix seconds.
    pub decided_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FidelityItem {
    pub item: FidelityItemDefinition,
    /// A computed item's value; null with `reason` (`withheld`, `missing`) when none.
    pub value: Option<f64>,
    pub reason: String,
    /// The reviewers' scores: the caller's own until both have submitted.
    pub ratings: Vec<FidelityShownRating>,
    pub disagreement: bool,
    pub reconciliations: Vec<FidelityReconciliationEntry>,
    pub score: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct FidelityReviewDetail {
    pub review: FidelityReview,
    pub items: Vec<FidelityItem>,
    pub you_review: bool,
    pub you_submitted: bool,
}

#[derive(Serialize, ToSchema)]
pub struct FidelityReviews {
    pub items: Vec<FidelityReview>,
}

#[derive(Serialize, ToSchema)]
pub struct FidelityScheduleRow {
    pub municipality_code: i64,
    pub municipality: String,
    pub last_period: Option<String>,
    pub last_mean: Option<f64>,
    pub next_period: String,
    pub due_date: String,
    pub overdue: bool,
    pub review_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct FidelitySchedule {
    pub items: Vec<FidelityScheduleRow>,
}

#[derive(Serialize, ToSchema)]
pub struct FidelityTrendPoint {
    pub review_id: i64,
    pub period: String,
    pub scale_version: i64,
    pub mean: Option<f64>,
    /// Each item's score by its code.
    pub scores: BTreeMap<String, Option<i64>>,
}

#[derive(Serialize, ToSchema)]
pub struct FidelityTrend {
    pub municipality_code: i64,
    pub municipality: String,
    pub points: Vec<FidelityTrendPoint>,
}

#[derive(Serialize, ToSchema)]
pub struct FidelityScale {
    pub version: i64,
    pub note: String,
    /// Unix seconds.
    pub published_at: i64,
    pub published_by: String,
    pub items: Vec<FidelityItemDefinition>,
    /// The scale as text, in the format a new version is published in.
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct FidelityScales {
    /// Newest first.
    pub items: Vec<FidelityScale>,
}

fn scale(s: spire_store::ScaleVersion) -> FidelityScale {
    FidelityScale {
        version: s.version,
        note: s.note,
        published_at: s.published_at,
        published_by: s.published_by,
        items: s.items.into_iter().map(Into::into).collect(),
        source: s.source,
    }
}

async fn load(state: &AppState, caller: &Caller, id: i64) -> AppResult<FidelityReviewDetail> {
    let d = state.db().fidelity_review(&caller.scope(), id).await?;
    Ok(FidelityReviewDetail {
        review: d.summary.into(),
        items: d
            .items
            .into_iter()
            .map(|i| FidelityItem {
                item: i.item.into(),
                value: i.value,
                reason: i.reason,
                ratings: i
                    .ratings
                    .into_iter()
                    .map(|r| FidelityShownRating {
                        reviewer: r.reviewer,
                        score: r.score,
                        evidence: r.evidence,
                    })
                    .collect(),
                disagreement: i.disagreement,
                reconciliations: i
                    .reconciliations
                    .into_iter()
                    .map(|r| FidelityReconciliationEntry {
                        score: r.score,
                        reason: r.reason,
                        decided_by: r.decided_by,
                        decided_at: r.decided_at,
                    })
                    .collect(),
                score: i.score,
            })
            .collect(),
        you_review: d.you_review,
        you_submitted: d.you_submitted,
    })
}

/// Every review (programme office), or the caller's municipality's finished ones (team lead).
#[utoipa::path(get, path = "/api/v1/fidelity/reviews", tag = "programme",
    responses((status = 200, description = "The reviews, newest half-year first", body = FidelityReviews)))]
pub async fn reviews(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<FidelityReviews>> {
    let items = state
        .db()
        .fidelity_reviews(&caller.scope())
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(FidelityReviews { items }))
}

/// Plan a review of a municipality's half-year that is over; the computed items are measured now.
#[utoipa::path(post, path = "/api/v1/fidelity/reviews", tag = "programme",
    request_body = ReviewForm,
    responses(
        (status = 201, description = "Planned", body = FidelityReviewDetail),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid, or the half-year has a review", body = InvalidBody),
    ))]
pub async fn create_review(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ReviewForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<FidelityReviewDetail>)> {
    let Json(form) = body?;
    let id = create(&state, &caller, &form).await?;
    Ok((StatusCode::CREATED, Json(load(&state, &caller, id).await?)))
}

/// One review as the caller may see it.
#[utoipa::path(get, path = "/api/v1/fidelity/reviews/{id}", tag = "programme",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The review", body = FidelityReviewDetail)))]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
) -> AppResult<Json<FidelityReviewDetail>> {
    Ok(Json(load(&state, &caller, id).await?))
}

/// Submit the caller's scores of every reviewed item, once.
#[utoipa::path(post, path = "/api/v1/fidelity/reviews/{id}/ratings", tag = "programme",
    params(("id" = i64, Path, minimum = 1)), request_body = RatingsBody,
    responses(
        (status = 200, description = "Submitted: the review", body = FidelityReviewDetail),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "An item without a score from 1 to 5 or evidence, or submitted already", body = InvalidBody),
    ))]
pub async fn submit_ratings(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    body: Result<Json<RatingsBody>, JsonRejection>,
) -> AppResult<Json<FidelityReviewDetail>> {
    let Json(body) = body?;
    submit(&state, &caller, id, &body).await?;
    Ok(Json(load(&state, &caller, id).await?))
}

/// Settle a reviewed item's score once both reviewers have submitted; logged with the reason.
#[utoipa::path(post, path = "/api/v1/fidelity/reviews/{id}/reconcile", tag = "programme",
    params(("id" = i64, Path, minimum = 1)), request_body = ReconcileForm,
    responses(
        (status = 200, description = "Reconciled: the review", body = FidelityReviewDetail),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid, or a reviewer has not submitted", body = InvalidBody),
    ))]
pub async fn reconcile(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    body: Result<Json<ReconcileForm>, JsonRejection>,
) -> AppResult<Json<FidelityReviewDetail>> {
    let Json(form) = body?;
    settle(&state, &caller, id, &form).await?;
    Ok(Json(load(&state, &caller, id).await?))
}

/// Each municipality's next review and when it is due.
#[utoipa::path(get, path = "/api/v1/fidelity/schedule", tag = "programme",
    responses((status = 200, description = "The schedule", body = FidelitySchedule)))]
pub async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<FidelitySchedule>> {
    let items = state
        .db()
        .fidelity_schedule(&caller.scope(), today_in_copenhagen())
        .await?
        .into_iter()
        .map(|r| FidelityScheduleRow {
            municipality_code: r.municipality_code,
            municipality: r.municipality,
            last_period: r.last_period,
            last_mean: r.last_mean,
            next_period: r.next_period,
            due_date: r.due_date,
            overdue: r.overdue,
            review_id: r.review_id,
        })
        .collect();
    Ok(Json(FidelitySchedule { items }))
}

/// A municipality's finished reviews over time: the mean and each item's score.
#[utoipa::path(get, path = "/api/v1/fidelity/municipalities/{id}", tag = "programme",
    params(("id" = i64, Path, description = "The municipality's code", minimum = 1)),
    responses((status = 200, description = "The trend", body = FidelityTrend)))]
pub async fn trend(
    State(state): State<AppState>,
    caller: Caller,
    PathId(code): PathId<i64>,
) -> AppResult<Json<FidelityTrend>> {
    let t = state.db().fidelity_trend(&caller.scope(), code).await?;
    Ok(Json(FidelityTrend {
        municipality_code: t.municipality_code,
        municipality: t.municipality,
        points: t
            .points
            .into_iter()
            .map(|p| FidelityTrendPoint {
                review_id: p.review_id,
                period: p.period,
                scale_version: p.scale_version,
                mean: p.mean,
                scores: p.scores,
            })
            .collect(),
    }))
}

/// Every published version of the scale, newest first.
#[utoipa::path(get, path = "/api/v1/fidelity/scales", tag = "programme",
    responses((status = 200, description = "The versions", body = FidelityScales)))]
pub async fn scales(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<FidelityScales>> {
    let items = state
        .db()
        .fidelity_scales(&caller.scope())
        .await?
        .into_iter()
        .map(scale)
        .collect();
    Ok(Json(FidelityScales { items }))
}

/// Publish a new version of the scale; new reviews use it.
#[utoipa::path(post, path = "/api/v1/fidelity/scales", tag = "programme",
    request_body = ScaleForm,
    responses(
        (status = 201, description = "Published: every version", body = FidelityScales),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A line of the scale is invalid (the message names it)", body = InvalidBody),
    ))]
pub async fn publish_scale(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ScaleForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<FidelityScales>)> {
    let Json(form) = body?;
    publish(&state, &caller, &form).await?;
    let Json(all) = scales(State(state), caller).await?;
    Ok((StatusCode::CREATED, Json(all)))
}
