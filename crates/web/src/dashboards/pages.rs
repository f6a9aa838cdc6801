//! The dashboard page (a chart and a table per section, every figure with
//! how it is counted) and its CSV file (`;`, decimal comma).

use super::{SECTIONS, Section};
use crate::http::context::Caller;
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::{Arg, Lang, Tr, today_in_copenhagen};
use crate::ui::charts::{Bar, comparison_chart};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use spire_domain::dashboard::HalfYear;
use spire_domain::{FieldError, Problem};
use spire_store::{Dashboard, DashboardRow, Metric, MetricKind, Value};

/// What the reader asked for: the half-year, and the municipalities to
/// compare (none = all).
pub struct Choice {
    pub period: HalfYear,
    pub municipalities: Vec<i64>,
}

impl Choice {
    /// `?period=2026-H2&m=101&m=265`; a period that is not a half-year (or
    /// lies ahead) or a municipality that is not a number is refused at its
    /// field. Without a period: the running half-year for a team lead, the
    /// last one that is over across municipalities.
    pub fn parse(query: Option<&str>, across: bool) -> Result<Choice, AppError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
        let mut choice = Choice {
            period: default_period(across),
            municipalities: Vec::new(),
        };
        for (key, value) in pairs {
            match key.as_str() {
                "period" if !value.is_empty() => {
                    choice.period = HalfYear::parse(&value)
                        .filter(|p| *p <= HalfYear::containing(today_in_copenhagen()))
                        .ok_or_else(|| {
                            AppError::invalid(vec![FieldError::new(
                                "period",
                                Problem::UnknownChoice,
                            )])
                        })?;
                }
                "m" => choice
                    .municipalities
                    .push(value.trim().parse().map_err(|_| {
                        AppError::invalid(vec![FieldError::new("m", Problem::UnknownMunicipality)])
                    })?),
                _ => {}
            }
        }
        Ok(choice)
    }

    /// The dashboard's rows the reader chose (the total stays the total of all).
    pub fn rows<'a>(&self, dashboard: &'a Dashboard) -> Vec<&'a DashboardRow> {
        dashboard
            .rows
            .iter()
            .filter(|r| {
                self.municipalities.is_empty()
                    || r.code.is_some_and(|c| self.municipalities.contains(&c))
            })
            .collect()
    }

    fn query(&self) -> String {
        let mut query = format!("period={}", self.period.code());
        for m in &self.municipalities {
            query.push_str(&format!("&m={m}"));
        }
        query
    }
}

/// The running half-year (a team lead), or the last one that is over.
fn default_period(across: bool) -> HalfYear {
    let now = HalfYear::containing(today_in_copenhagen());
    if across { now.previous() } else { now }
}

/// How old the dashboards' counts may grow before they are counted again.
pub const FRESH_SECONDS: i64 = 300;

/// The reader's choice from the query, and the dashboard for it (counts
/// recounted in the background once `FRESH_SECONDS` old).
pub async fn load(
    state: &AppState,
    caller: &Caller,
    query: Option<&str>,
) -> AppResult<(Choice, Dashboard)> {
    let choice = Choice::parse(query, !caller.role().is_municipal())?;
    let data = state
        .dashboard_data(choice.period, today_in_copenhagen(), FRESH_SECONDS)
        .await?;
    Ok((choice, data.view(&caller.scope())?))
}

/// A figure as text: a count, "<5", a share in per cent, a number.
pub fn shown(tr: &Tr, metric: Metric, value: Value) -> String {
    match value {
        Value::Count(n) => n.to_string(),
        Value::Suppressed => "<5".into(),
        Value::Withheld => "*".into(),
        Value::Missing => "–".into(),
        Value::Share(share) => tr.percent(Some(share)),
        Value::Number(n) => tr.number(
            n,
            if metric == Metric::DaysToFirstInternship {
                0
            } else {
                1
            },
        ),
    }
}

pub struct SectionView {
    pub id: &'static str,
    pub title: String,
    pub definition: String,
    pub chart: String,
    pub headers: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "dashboards/page.html")]
pub struct DashboardView {
    pub ctx: PageCtx,
    pub intro: String,
    pub periods: Vec<(String, String, bool)>,
    /// (code, name, chosen) for the comparison; empty for a team lead.
    pub municipalities: Vec<(i64, String, bool)>,
    pub sections: Vec<SectionView>,
    pub recruitment: Option<String>,
    pub csv_href: String,
    /// When the counts were read.
    pub computed: String,
}

fn period_label(tr: &Tr, period: HalfYear) -> String {
    tr.t_args(
        "dash-half-year",
        &[
            ("half", Arg::Number(i64::from(period.half))),
            ("year", Arg::Text(period.year.to_string())),
        ],
    )
}

fn section_view(
    tr: &Tr,
    section: &Section,
    rows: &[&DashboardRow],
    total: Option<&DashboardRow>,
) -> SectionView {
    let label = |row: &DashboardRow| match row.code {
        Some(_) => row.name.clone(),
        None => tr.t("dash-total"),
    };
    let all: Vec<&DashboardRow> = rows.iter().copied().chain(total).collect();
    let bars: Vec<Bar> = all
        .iter()
        .map(|row| {
            let value = row.value(section.headline);
            Bar {
                label: label(row),
                value: match value {
                    Value::Count(n) => Some(n as f64),
                    Value::Share(s) => Some(s * 100.0),
                    Value::Number(n) => Some(n),
                    Value::Suppressed | Value::Withheld | Value::Missing => None,
                },
                text: shown(tr, section.headline, value),
            }
        })
        .collect();
    let title = tr.t(&format!("dash-metric-{}", section.headline.code()));
    SectionView {
        id: section.id,
        title: tr.t(&format!("dash-section-{}", section.id)),
        definition: tr.t(&format!("dash-def-{}", section.id)),
        chart: comparison_chart(&format!("chart-{}", section.id), &title, &bars, None),
        headers: section
            .columns
            .iter()
            .map(|m| tr.t(&format!("dash-metric-{}", m.code())))
            .collect(),
        rows: all
            .iter()
            .map(|row| {
                let cells = section
                    .columns
                    .iter()
                    .map(|&m| shown(tr, m, row.value(m)))
                    .collect();
                (label(row), cells)
            })
            .collect(),
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let (choice, dashboard) = load(&state, &caller, query.as_deref()).await?;
    let tr = caller.tr();
    let rows = choice.rows(&dashboard);
    let mut offered: Vec<HalfYear> =
        std::iter::successors(Some(default_period(dashboard.suppressed)), |p| {
            Some(p.previous())
        })
        .take(6)
        .collect();
    if !offered.contains(&choice.period) {
        offered.push(choice.period);
    }
    let periods = offered
        .into_iter()
        .map(|p| (p.code(), period_label(&tr, p), p == choice.period))
        .collect();
    let municipalities = if dashboard.suppressed {
        dashboard
            .rows
            .iter()
            .filter_map(|r| {
                let code = r.code?;
                Some((code, r.name.clone(), choice.municipalities.contains(&code)))
            })
            .collect()
    } else {
        Vec::new()
    };
    let recruitment = dashboard.trial_target.map(|target| {
        let reached = dashboard
            .total
            .as_ref()
            .or(dashboard.rows.first())
            .map(|r| {
                shown(
                    &tr,
                    Metric::RandomisedToDate,
                    r.value(Metric::RandomisedToDate),
                )
            })
            .unwrap_or_default();
        tr.t_args(
            if dashboard.suppressed {
                "dash-recruitment"
            } else {
                "dash-recruitment-own"
            },
            &[
                ("reached", Arg::Text(reached)),
                ("target", Arg::Number(target)),
            ],
        )
    });
    let sections = SECTIONS
        .iter()
        .map(|s| section_view(&tr, s, &rows, dashboard.total.as_ref()))
        .collect();
    let intro = tr.t_args(
        if dashboard.suppressed {
            "dash-intro"
        } else {
            "dash-intro-own"
        },
        &[
            ("period", Arg::Text(period_label(&tr, choice.period))),
            ("day", Arg::Text(tr.iso_date(&dashboard.reference_day))),
        ],
    );
    Ok(render(&DashboardView {
        ctx: caller.page("/dashboard"),
        intro,
        periods,
        municipalities,
        sections,
        recruitment,
        csv_href: format!("/dashboard.csv?{}", choice.query()),
        computed: tr.t_args(
            "dash-computed",
            &[
                ("at", Arg::Text(tr.datetime(dashboard.computed_at))),
                ("minutes", Arg::Number(FRESH_SECONDS / 60)),
            ],
        ),
    }))
}

/// The figures as CSV for a spreadsheet: `;` between fields, a decimal
/// comma, shares as fractions, "<5" where a count is suppressed, empty where
/// there is nothing to compute from. The same figures as the page.
pub fn csv(dashboard: &Dashboard, rows: &[&DashboardRow]) -> String {
    let mut out = String::from("municipality_code;municipality");
    for metric in Metric::ALL {
        out.push(';');
        out.push_str(metric.code());
    }
    out.push_str("\r\n");
    let field = |text: &str| text.replace([';', '"', '\r', '\n'], " ");
    for row in rows.iter().copied().chain(dashboard.total.as_ref()) {
        out.push_str(&row.code.map(|c| c.to_string()).unwrap_or_default());
        out.push(';');
        out.push_str(&field(if row.code.is_some() {
            &row.name
        } else {
            "total"
        }));
        for metric in Metric::ALL {
            out.push(';');
            out.push_str(&match row.value(metric) {
                Value::Count(n) => n.to_string(),
                Value::Suppressed => "<5".into(),
                Value::Withheld => "*".into(),
                Value::Missing => String::new(),
                Value::Share(v) | Value::Number(v) => {
                    let decimals = if metric.kind() == MetricKind::Share {
                        3
                    } else {
                        1
                    };
                    Tr::new(Lang::Da).number(v, decimals)
                }
            });
        }
        out.push_str("\r\n");
    }
    out
}

pub async fn dashboard_csv(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let (choice, dashboard) = load(&state, &caller, query.as_deref()).await?;
    let body = csv(&dashboard, &choice.rows(&dashboard));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"spire-dashboard-{}.csv\"",
                    dashboard.period
                ),
            ),
        ],
        body,
    )
        .into_response())
}
