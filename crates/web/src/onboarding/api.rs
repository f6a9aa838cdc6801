//! The onboarding plans under `/api/v1` (programme office).

use super::forms::{ItemForm, StartForm};
use super::pages::{start, update};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppResult, ErrorBody, InvalidBody};
use crate::http::state::AppState;
use crate::i18n::today_in_copenhagen;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::Serialize;
use spire_store::{PlanDetail, PlanSummary};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(plans, start_plan, plan, item_update))]
pub struct Api;

/// A municipality's one-year plan and its progress.
#[derive(Serialize, ToSchema)]
pub struct OnboardingPlan {
    pub id: i64,
    pub municipality_code: i64,
    pub municipality: String,
    pub start_date: String,
    pub milestones: i64,
    pub done: i64,
    pub doing: i64,
    /// Not done, and their quarter is over.
    pub late: i64,
}

/// A milestone of a plan.
#[derive(Serialize, ToSchema)]
pub struct Milestone {
    pub id: i64,
    /// 1 to 4: the quarter of the first year.
    pub quarter: i64,
    pub title: String,
    pub owner: String,
    /// `todo`, `doing` or `done`.
    pub status: String,
    pub notes: String,
    /// The last day of its quarter.
    pub due: String,
    pub late: bool,
}

#[derive(Serialize, ToSchema)]
pub struct OnboardingPlanDetail {
    pub plan: OnboardingPlan,
    pub milestones: Vec<Milestone>,
}

#[derive(Serialize, ToSchema)]
pub struct OnboardingPlans {
    pub items: Vec<OnboardingPlan>,
}

fn summary(p: PlanSummary) -> OnboardingPlan {
    OnboardingPlan {
        id: p.id,
        municipality_code: p.municipality_code,
        municipality: p.municipality,
        start_date: p.start_date,
        milestones: p.milestones,
        done: p.done,
        doing: p.doing,
        late: p.late,
    }
}

fn detail(d: PlanDetail) -> OnboardingPlanDetail {
    OnboardingPlanDetail {
        plan: summary(d.summary),
        milestones: d
            .items
            .into_iter()
            .map(|i| Milestone {
                id: i.id,
                quarter: i.quarter,
                title: i.title,
                owner: i.owner,
                status: i.status,
                notes: i.notes,
                due: i.due,
                late: i.late,
            })
            .collect(),
    }
}

async fn load(state: &AppState, caller: &Caller, id: i64) -> AppResult<OnboardingPlanDetail> {
    Ok(detail(
        state
            .db()
            .onboarding_plan(&caller.scope(), id, today_in_copenhagen())
            .await?,
    ))
}

/// Every municipality's one-year plan with its progress.
#[utoipa::path(get, path = "/api/v1/onboarding", tag = "programme",
    responses((status = 200, description = "The plans", body = OnboardingPlans)))]
pub async fn plans(
    State(state): State<AppState>,
    caller: Caller,
) -> AppResult<Json<OnboardingPlans>> {
    let items = state
        .db()
        .onboarding_plans(&caller.scope(), today_in_copenhagen())
        .await?
        .into_iter()
        .map(summary)
        .collect();
    Ok(Json(OnboardingPlans { items }))
}

/// Start a municipality's one-year plan from the template.
#[utoipa::path(post, path = "/api/v1/onboarding", tag = "programme",
    request_body = StartForm,
    responses(
        (status = 201, description = "Started", body = OnboardingPlanDetail),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid, or the municipality has a plan", body = InvalidBody),
    ))]
pub async fn start_plan(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<StartForm>, JsonRejection>,
) -> AppResult<(StatusCode, Json<OnboardingPlanDetail>)> {
    let Json(form) = body?;
    let id = start(&state, &caller, &form).await?;
    Ok((StatusCode::CREATED, Json(load(&state, &caller, id).await?)))
}

/// One plan with its milestones.
#[utoipa::path(get, path = "/api/v1/onboarding/{id}", tag = "programme",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The plan", body = OnboardingPlanDetail)))]
pub async fn plan(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
) -> AppResult<Json<OnboardingPlanDetail>> {
    Ok(Json(load(&state, &caller, id).await?))
}

/// Update a milestone's status, owner and notes.
#[utoipa::path(post, path = "/api/v1/onboarding/items/{id}", tag = "programme",
    params(("id" = i64, Path, minimum = 1)), request_body = ItemForm,
    responses(
        (status = 200, description = "Saved: the plan", body = OnboardingPlanDetail),
        (status = 400, description = "The body is not JSON of the expected shape", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = InvalidBody),
    ))]
pub async fn item_update(
    State(state): State<AppState>,
    caller: Caller,
    PathId(item): PathId<i64>,
    body: Result<Json<ItemForm>, JsonRejection>,
) -> AppResult<Json<OnboardingPlanDetail>> {
    let Json(form) = body?;
    let plan = update(&state, &caller, item, &form).await?;
    Ok(Json(load(&state, &caller, plan).await?))
}
