//! The capacity and referral forecast (`/forecast`): each municipality's
//! caseload per consultant for the next six months, as a median and a band,
//! against the norm and the scaling ladder, with what it means said plainly
//! and the method in words. A team lead sees their own municipality; the
//! cross-municipal roles every municipality, those that need help first.

use crate::http::context::Caller;
use crate::http::error::AppResult;
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr, today_in_copenhagen};
use crate::ui::charts::{Band, band_chart};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use spire_domain::dashboard::MIN_SHOWN;
use spire_domain::forecast::{ForecastMonth, Verdict, forecast, ladder_step, verdict};
use spire_store::{HISTORY_MONTHS, MunicipalityForecastInput};
use utoipa::{OpenApi, ToSchema};

pub const MONTHS: u32 = 6;

/// One municipality's forecast, as the page and the API show it.
pub struct Forecast {
    pub input: MunicipalityForecastInput,
    pub months: Vec<ForecastMonth>,
    pub verdict: Verdict,
    /// Too few young people in a course now to show across municipalities.
    pub suppressed: bool,
}

async fn forecasts(state: &AppState, caller: &Caller) -> AppResult<Vec<Forecast>> {
    let today = today_in_copenhagen();
    let cross_municipal = !caller.role().is_municipal();
    let mut all: Vec<Forecast> = state
        .db()
        .forecast_inputs(&caller.scope(), today)
        .await?
        .into_iter()
        .map(|input| {
            let months = forecast(&input.input, MONTHS);
            let last = months.last().copied().unwrap_or(ForecastMonth {
                month: MONTHS,
                low: 0.0,
                median: 0.0,
                high: 0.0,
            });
            let caseload = i64::from(input.input.caseload);
            Forecast {
                verdict: verdict(&last, input.norm as f64, input.input.consultants),
                suppressed: cross_municipal && (1..MIN_SHOWN).contains(&caseload),
                months,
                input,
            }
        })
        .collect();
    // Those that need help first.
    all.sort_by_key(|f| {
        (
            matches!(f.verdict, Verdict::OnTrack) || f.suppressed,
            f.input.name.clone(),
        )
    });
    Ok(all)
}

fn verdict_text(tr: &Tr, f: &Forecast) -> String {
    match f.verdict {
        Verdict::TooFewReferrals => tr.t("forecast-too-few"),
        Verdict::TeamMustGrow { consultants } => tr.t_args(
            "forecast-grow",
            &[
                ("needed", Arg::Number(i64::from(consultants))),
                ("step", Arg::Number(i64::from(ladder_step(consultants)))),
                ("now", Arg::Number(i64::from(f.input.input.consultants))),
            ],
        ),
        Verdict::OnTrack => tr.t("forecast-on-track"),
    }
}

pub struct ForecastSection {
    pub code: i64,
    pub name: String,
    pub verdict: String,
    pub needs_help: bool,
    pub chart: String,
    /// What the forecast starts from, in words: for the municipality's own
    /// team lead only (its counts are small).
    pub inputs: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "dashboards/forecast.html")]
pub struct ForecastView {
    pub ctx: PageCtx,
    pub sections: Vec<ForecastSection>,
    pub suppressed: Vec<String>,
}

fn section(tr: &Tr, f: &Forecast, with_inputs: bool) -> ForecastSection {
    let labels: Vec<String> = f
        .months
        .iter()
        .map(|m| tr.t_args("forecast-month", &[("n", Arg::Number(i64::from(m.month)))]))
        .collect();
    let low: Vec<f64> = f.months.iter().map(|m| m.low).collect();
    let median: Vec<f64> = f.months.iter().map(|m| m.median).collect();
    let high: Vec<f64> = f.months.iter().map(|m| m.high).collect();
    let norm_label = tr.t_args("forecast-norm", &[("norm", Arg::Number(f.input.norm))]);
    let input = &f.input.input;
    let screenings: Vec<String> = input
        .screenings_per_month
        .iter()
        .map(u32::to_string)
        .collect();
    ForecastSection {
        code: f.input.code,
        name: f.input.name.clone(),
        verdict: verdict_text(tr, f),
        needs_help: !matches!(f.verdict, Verdict::OnTrack),
        chart: band_chart(
            &format!("forecast-{}", f.input.code),
            &tr.t_args(
                "forecast-chart",
                &[("name", Arg::Text(f.input.name.clone()))],
            ),
            &Band {
                labels: &labels,
                low: &low,
                median: &median,
                high: &high,
            },
            Some((f.input.norm as f64, &norm_label)),
            &|v| tr.number(v, 1),
        ),
        inputs: if !with_inputs {
            Vec::new()
        } else {
            vec![
                (
                    tr.t_args(
                        "forecast-in-screenings",
                        &[("months", Arg::Number(i64::from(HISTORY_MONTHS)))],
                    ),
                    screenings.join(" · "),
                ),
                (
                    tr.t("forecast-in-randomised"),
                    tr.percent(Some(input.randomised_share)),
                ),
                (
                    tr.t("forecast-in-programme"),
                    tr.percent(Some(input.programme_share)),
                ),
                (tr.t("forecast-in-take-up"), tr.percent(Some(input.take_up))),
                (
                    tr.t("forecast-in-course"),
                    if f.input.own_course_length {
                        tr.number(input.course_months, 1)
                    } else {
                        tr.t_args(
                            "forecast-in-course-default",
                            &[("months", Arg::Text(tr.number(input.course_months, 0)))],
                        )
                    },
                ),
                (tr.t("forecast-in-caseload"), input.caseload.to_string()),
                (
                    tr.t("forecast-in-consultants"),
                    input.consultants.to_string(),
                ),
            ]
        },
    }
}

pub async fn page(State(state): State<AppState>, caller: Caller) -> AppResult<Response> {
    let tr = caller.tr();
    let all = forecasts(&state, &caller).await?;
    Ok(render(&ForecastView {
        ctx: caller.page("/forecast"),
        sections: all
            .iter()
            .filter(|f| !f.suppressed)
            .map(|f| section(&tr, f, caller.role().is_municipal()))
            .collect(),
        suppressed: all
            .iter()
            .filter(|f| f.suppressed)
            .map(|f| f.input.name.clone())
            .collect(),
    }))
}

#[derive(OpenApi)]
#[openapi(paths(api))]
pub struct Api;

#[derive(Serialize, ToSchema)]
pub struct ForecastPoint {
    /// 1 = next month.
    pub month: u32,
    /// Caseload per consultant: 10th percentile, median, 90th percentile.
    pub low: f64,
    pub median: f64,
    pub high: f64,
}

#[derive(Serialize, ToSchema)]
pub struct MunicipalityForecast {
    pub municipality_code: i64,
    pub name: String,
    pub norm: i64,
    pub consultants: u32,
    /// `too_few_referrals`, `team_must_grow` or `on_track`; null when suppressed.
    pub verdict: Option<&'static str>,
    /// Consultants needed when the team must grow.
    pub consultants_needed: Option<u32>,
    /// Fewer than 5 young people in a course now: no forecast across municipalities.
    pub suppressed: bool,
    pub months: Vec<ForecastPoint>,
}

#[derive(Serialize, ToSchema)]
pub struct Forecasts {
    pub items: Vec<MunicipalityForecast>,
}

/// The caseload per consultant for the next six months, with a band, per
/// municipality: a team lead's own, or every municipality (aggregates only).
#[utoipa::path(get, path = "/api/v1/forecast", tag = "programme",
    responses((status = 200, description = "The forecasts", body = Forecasts)))]
pub async fn api(State(state): State<AppState>, caller: Caller) -> AppResult<Json<Forecasts>> {
    let items = forecasts(&state, &caller)
        .await?
        .into_iter()
        .map(|f| MunicipalityForecast {
            municipality_code: f.input.code,
            name: f.input.name.clone(),
            norm: f.input.norm,
            consultants: f.input.input.consultants,
            verdict: (!f.suppressed).then_some(match f.verdict {
                Verdict::TooFewReferrals => "too_few_referrals",
                Verdict::TeamMustGrow { .. } => "team_must_grow",
                Verdict::OnTrack => "on_track",
            }),
            consultants_needed: match f.verdict {
                Verdict::TeamMustGrow { consultants } if !f.suppressed => Some(consultants),
                _ => None,
            },
            suppressed: f.suppressed,
            months: if f.suppressed {
                Vec::new()
            } else {
                f.months
                    .iter()
                    // One decimal, as on the page: finer would say more of the counts.
                    .map(|m| ForecastPoint {
                        month: m.month,
                        low: (m.low * 10.0).round() / 10.0,
                        median: (m.median * 10.0).round() / 10.0,
                        high: (m.high * 10.0).round() / 10.0,
                    })
                    .collect()
            },
        })
        .collect();
    Ok(Json(Forecasts { items }))
}
