//! The dashboard's figures under `/api/v1`: aggregates only, suppressed as
//! on the page for the cross-municipal roles.

use super::pages::load;
use crate::http::context::Caller;
use crate::http::error::{AppResult, InvalidBody};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use serde::Serialize;
use spire_store::{DashboardRow, Metric, Value};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(dashboard))]
pub struct Api;

/// One figure: its value, or why there is none.
#[derive(Serialize, ToSchema)]
pub struct Figure {
    /// The figure's name, e.g. `youth_active`, `interruption_rate`.
    pub metric: &'static str,
    /// A count, a share from 0 to 1, days, or a rate; null when suppressed or missing.
    pub value: Option<f64>,
    /// A count of young people from 1 to 4, or a figure hidden so that none can be worked out.
    pub suppressed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Row {
    /// The municipality's code; null for the total of all municipalities.
    pub municipality_code: Option<i64>,
    pub name: String,
    pub figures: Vec<Figure>,
}

#[derive(Serialize, ToSchema)]
pub struct DashboardFigures {
    /// The half-year, e.g. `2026-H2`.
    pub period: String,
    pub first_day: String,
    pub last_day: String,
    /// The day the "now" figures are taken: the period's end, or today.
    pub reference_day: String,
    /// Whether counts of young people under 5 are suppressed (cross-municipal roles).
    pub suppressed: bool,
    /// The trials' recruitment target, summed over the trials.
    pub trial_target: Option<i64>,
    pub rows: Vec<Row>,
    pub total: Option<Row>,
}

fn row(row: &DashboardRow) -> Row {
    Row {
        municipality_code: row.code,
        name: row.name.clone(),
        figures: Metric::ALL
            .iter()
            .map(|&metric| {
                let value = row.value(metric);
                Figure {
                    metric: metric.code(),
                    value: match value {
                        Value::Count(n) => Some(n as f64),
                        Value::Share(v) | Value::Number(v) => Some(v),
                        Value::Suppressed | Value::Withheld | Value::Missing => None,
                    },
                    suppressed: matches!(value, Value::Suppressed | Value::Withheld),
                }
            })
            .collect(),
    }
}

/// The programme's figures for a half-year: a team lead's own municipality;
/// every municipality and their total for the programme office, researchers
/// and the administrator, with counts of young people under 5 suppressed.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "programme",
    params(
        ("period" = Option<String>, Query, description = "A half-year like 2026-H2, not ahead; left out: the running one for a team lead, the last one that is over across municipalities (which see only those)"),
        ("m" = Option<Vec<i64>>, Query, description = "Municipality codes to compare (repeat); all when left out"),
    ),
    responses(
        (status = 200, description = "The figures", body = DashboardFigures),
        (status = 422, description = "The period or a municipality code is not valid, or the period still runs (across municipalities)", body = InvalidBody),
    ))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> AppResult<Json<DashboardFigures>> {
    let (choice, dashboard) = load(&state, &caller, query.as_deref()).await?;
    Ok(Json(DashboardFigures {
        rows: choice.rows(&dashboard).into_iter().map(row).collect(),
        total: dashboard.total.as_ref().map(row),
        period: dashboard.period,
        first_day: dashboard.first_day,
        last_day: dashboard.last_day,
        reference_day: dashboard.reference_day,
        suppressed: dashboard.suppressed,
        trial_target: dashboard.trial_target,
    }))
}
