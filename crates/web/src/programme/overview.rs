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
use serde_json::{Value, json};
use spire_store::MunicipalityOverview;

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

pub async fn overview_api(State(state): State<AppState>) -> AppResult<Json<Value>> {
    Ok(Json(
        json!({ "items": state.db().municipality_overview().await? }),
    ))
}
