//! Counts across municipalities for the cross-municipal roles: no personal data.

use crate::http::context::Caller;
use crate::http::error::AppResult;
use crate::http::state::AppState;
use crate::ui::charts::bar_chart;
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use spire_store::MunicipalityOverview;
use utoipa::{OpenApi, ToSchema};

#[derive(Template)]
#[template(path = "programme/overview.html")]
pub struct OverviewView {
    pub ctx: PageCtx,
    pub rows: Vec<MunicipalityOverview>,
    pub chart: String,
}

pub async fn overview(State(state): State<AppState>, caller: Caller) -> AppResult<Response> {
    let tr = caller.tr();
    let rows = state.db().municipality_overview().await?;
    let bars: Vec<(String, f64)> = rows
        .iter()
        .map(|m| (m.name.clone(), m.youth as f64))
        .collect();
    let chart = bar_chart(&tr.t("overview-chart"), &bars, None);
    Ok(render(&OverviewView {
        ctx: caller.page("/overview"),
        rows,
        chart,
    }))
}

#[derive(OpenApi)]
#[openapi(paths(overview_api))]
pub struct Api;

/// Counts for one municipality; no personal data.
#[derive(Serialize, ToSchema)]
pub struct MunicipalityCounts {
    pub code: i64,
    pub name: String,
    pub youth: i64,
    pub companies: i64,
    pub staff: i64,
    pub youth_with_consultant: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Overview {
    pub items: Vec<MunicipalityCounts>,
}

/// Counts per municipality, no personal data (programme office, researcher, admin).
#[utoipa::path(get, path = "/api/v1/overview", tag = "programme",
    responses((status = 200, description = "Counts per municipality", body = Overview)))]
pub async fn overview_api(State(state): State<AppState>) -> AppResult<Json<Overview>> {
    let items = state
        .db()
        .municipality_overview()
        .await?
        .into_iter()
        .map(|m| MunicipalityCounts {
            code: m.code,
            name: m.name,
            youth: m.youth,
            companies: m.companies,
            staff: m.staff,
            youth_with_consultant: m.youth_with_consultant,
        })
        .collect();
    Ok(Json(Overview { items }))
}
