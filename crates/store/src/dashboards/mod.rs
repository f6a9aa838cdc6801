//! The programme's figures per municipality for a half-year: what the work
//! itself records, counted. A team lead sees their own municipality as it
//! is; the cross-municipal roles see every municipality and the total with
//! counts of young people under 5 suppressed (`spire_domain::dashboard`).
//! Aggregates only: no row about a person leaves this module.

mod figures;
mod forecast;

pub use figures::{Metric, MetricKind};
pub use forecast::{DEFAULT_COURSE_MONTHS, HISTORY_MONTHS, MunicipalityForecastInput};

use crate::BeginWrite;
use crate::internships::stored_date;
use crate::{Db, Error, Result, Scope, on_db};
use figures::{Others, Raw};
use serde::Serialize;
use spire_domain::Role;
use spire_domain::dashboard::{HalfYear, median, suppress};
use spire_domain::network::STABILITY_WINDOW;
use std::collections::BTreeMap;
use time::{Date, Time};

/// One figure as it may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Value {
    Count(i64),
    /// A share from 0 to 1.
    Share(f64),
    /// Days, a rate per youth, or youth per consultant.
    Number(f64),
    /// A count of young people from 1 to 4 (shown "<5").
    Suppressed,
    /// Hidden so that no count from 1 to 4 can be worked out from it (a
    /// count of 5 or more, a share, a median over fewer than 5 young people).
    Withheld,
    /// Nothing to compute from (no denominator, nobody measured).
    Missing,
}

/// A municipality's figures (or the total's), in the order of `Metric::ALL`.
#[derive(Debug, Clone, Serialize)]
pub struct DashboardRow {
    /// The municipality's code; `None` for the total.
    pub code: Option<i64>,
    pub name: String,
    pub values: Vec<Value>,
}

impl DashboardRow {
    pub fn value(&self, metric: Metric) -> Value {
        self.values[metric as usize]
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// When the counts were read (Unix seconds).
    pub computed_at: i64,
    pub period: String,
    pub first_day: String,
    pub last_day: String,
    /// The day the "now" figures are taken: the period's end, or today.
    pub reference_day: String,
    /// Whether counts of young people under 5 are suppressed.
    pub suppressed: bool,
    pub rows: Vec<DashboardRow>,
    /// Every municipality together (cross-municipal roles only).
    pub total: Option<DashboardRow>,
    /// The trials' recruitment target, summed over the trials.
    pub trial_target: Option<i64>,
}

/// Every municipality's counts for a period, computed once (the queries
/// read a year of the programme's work) and turned into what a reader may
/// see by [`DashboardData::view`]. Unsuppressed: never shown as it is.
#[derive(Clone)]
pub struct DashboardData {
    period: HalfYear,
    day: Date,
    /// Whether the period was over when counted (else it still runs).
    closed: bool,
    computed_at: i64,
    raw: Raw,
    norms: [i64; 3],
    municipalities: Vec<(i64, String)>,
}

impl Db {
    /// The dashboard for `period`: a team lead's own municipality, or every
    /// municipality with suppression for the programme office, researchers and
    /// the administrator. Other roles: not found.
    pub async fn dashboard(
        &self,
        scope: &Scope,
        period: HalfYear,
        today: Date,
    ) -> Result<Dashboard> {
        self.dashboard_data(period, today).await?.view(scope)
    }

    /// Every municipality's counts for `period`, as of `today`.
    pub async fn dashboard_data(&self, period: HalfYear, today: Date) -> Result<DashboardData> {
        let day = period.reference_day(today);
        Ok(DashboardData {
            period,
            day,
            closed: period.last_day() < today,
            computed_at: crate::now(),
            raw: self.raw_figures(period.first_day(), day).await?,
            norms: self.programme_rules().await?.caseload_norms,
            municipalities: self.municipality_names().await?,
        })
    }

    async fn municipality_names(&self) -> Result<Vec<(i64, String)>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_as("SELECT code, name FROM municipalities ORDER BY name, code")
                    .fetch_all(pool)
                    .await?,
            )
        })
    }

    /// Every count the dashboard is made of, per municipality.
    async fn raw_figures(&self, first: Date, day: Date) -> Result<Raw> {
        let (from, to) = (first.to_string(), day.to_string());
        // Allocations are timed in Unix seconds: the period in Copenhagen time.
        let from_instant =
            spire_domain::network::copenhagen_instant(first, Time::MIDNIGHT).unix_timestamp();
        let to_instant = spire_domain::network::copenhagen_instant(
            day.next_day().unwrap_or(day),
            Time::MIDNIGHT,
        )
        .unix_timestamp();
        let mut raw = Raw::default();
        on_db!(self, |pool| {
            let mut tx = pool.begin_across().await?;
            for row in sqlx::query_as::<_, (i64, i64, i64, i64, i64, i64)>(figures::COURSES_SQL)
                .bind(&to)
                .bind(&from)
                .fetch_all(&mut *tx)
                .await?
            {
                raw.courses
                    .insert(row.0, [row.1, row.2, row.3, row.4, row.5]);
            }
            for (code, start, first_internship) in
                sqlx::query_as::<_, (i64, String, Option<String>)>(figures::FIRST_INTERNSHIP_SQL)
                    .bind(&to)
                    .bind(&from)
                    .fetch_all(&mut *tx)
                    .await?
            {
                if let Some(first_internship) = first_internship {
                    let days =
                        (stored_date(&first_internship)? - stored_date(&start)?).whole_days();
                    raw.first_internship_days
                        .entry(code)
                        .or_default()
                        .push(days);
                }
            }
            for row in
                sqlx::query_as::<_, (i64, i64, i64, i64, i64, i64, i64)>(figures::INTERNSHIPS_SQL)
                    .bind(&from)
                    .bind(&to)
                    .fetch_all(&mut *tx)
                    .await?
            {
                raw.internships
                    .insert(row.0, [row.1, row.2, row.3, row.4, row.5, row.6]);
            }
            for (code, marks, present) in
                sqlx::query_as::<_, (i64, i64, i64)>(figures::ATTENDANCE_SQL)
                    .bind(&from)
                    .bind(&to)
                    .fetch_all(&mut *tx)
                    .await?
            {
                raw.attendance.insert(code, [marks, present]);
            }
            for (code, present, marks) in
                sqlx::query_as::<_, (i64, i64, i64)>(figures::STABILITY_SQL)
                    .bind(&from)
                    .bind(&to)
                    .bind(STABILITY_WINDOW as i64)
                    .fetch_all(&mut *tx)
                    .await?
            {
                raw.stability
                    .entry(code)
                    .or_default()
                    .push(present as f64 / marks as f64);
            }
            for (code, n) in sqlx::query_as::<_, (i64, i64)>(figures::EVENTS_SQL)
                .bind(&from)
                .bind(&to)
                .fetch_all(&mut *tx)
                .await?
            {
                raw.events.insert(code, n);
            }
            for (code, n) in sqlx::query_as::<_, (i64, i64)>(figures::NETWORK_SQL)
                .bind(&to)
                .bind(&from)
                .fetch_all(&mut *tx)
                .await?
            {
                raw.network_companies.insert(code, n);
            }
            for (code, months, answered, yes) in
                sqlx::query_as::<_, (i64, i64, i64, i64)>(figures::FOLLOW_UPS_SQL)
                    .bind(&from)
                    .bind(&to)
                    .fetch_all(&mut *tx)
                    .await?
            {
                raw.follow_ups.insert((code, months), [answered, yes]);
            }
            for (code, n) in sqlx::query_as::<_, (i64, i64)>(figures::CONSULTANTS_SQL)
                .fetch_all(&mut *tx)
                .await?
            {
                raw.consultants.insert(code, n);
            }
            for (code, in_period, to_date) in
                sqlx::query_as::<_, (i64, i64, i64)>(figures::RANDOMISED_SQL)
                    .bind(from_instant)
                    .bind(to_instant)
                    .fetch_all(&mut *tx)
                    .await?
            {
                raw.randomised.insert(code, [in_period, to_date]);
            }
            for (code, first) in sqlx::query_as::<_, (i64, String)>(figures::FIRST_COURSE_SQL)
                .fetch_all(&mut *tx)
                .await?
            {
                raw.first_course.insert(code, stored_date(&first)?);
            }
            raw.trial_target = sqlx::query_scalar::<_, Option<i64>>(figures::TARGET_SQL)
                .fetch_one(&mut *tx)
                .await?;
            Ok::<_, Error>(())
        })?;
        Ok(raw)
    }
}

impl DashboardData {
    pub fn period(&self) -> HalfYear {
        self.period
    }

    /// When the counts were read (Unix seconds).
    pub fn computed_at(&self) -> i64 {
        self.computed_at
    }

    /// What `scope` may see: a team lead their own municipality as it is;
    /// the programme office, researchers and the administrator every
    /// municipality and the total, suppressed, for a half-year that is over
    /// (a running period's counts grow day by day, and two days' counts
    /// subtracted would give small ones away). Other roles: not found.
    pub fn view(&self, scope: &Scope) -> Result<Dashboard> {
        let own = match scope.role {
            Role::TeamLead => Some(scope.municipality.ok_or(Error::NotFound)?),
            Role::ProgrammeOffice | Role::Researcher | Role::Admin => None,
            _ => return Err(Error::NotFound),
        };
        if own.is_none() && !self.closed {
            return Err(Error::Invalid(spire_domain::FieldError::new(
                "period",
                spire_domain::Problem::PeriodRunning,
            )));
        }
        let (raw, norms, day, period) = (&self.raw, self.norms, self.day, self.period);
        let trial_target = raw.trial_target;
        let mut municipalities = self.municipalities.clone();
        if let Some(code) = own {
            municipalities.retain(|(c, _)| *c == code);
        }
        let counts: Vec<Vec<i64>> = municipalities
            .iter()
            .map(|(code, _)| raw.counts(*code))
            .collect();
        let suppressing = own.is_none();
        let table = if suppressing {
            suppress(&counts, &figures::relations())
        } else {
            spire_domain::dashboard::Suppressed {
                hidden: counts.iter().map(|r| vec![false; r.len()]).collect(),
                values: counts.clone(),
            }
        };
        let rows: Vec<DashboardRow> = municipalities
            .iter()
            .enumerate()
            .map(|(i, (code, name))| {
                let first_start = raw.first_course.get(code).copied();
                let norm = norms[(team_year(first_start, day) - 1) as usize];
                let mut days = raw
                    .first_internship_days
                    .get(code)
                    .cloned()
                    .unwrap_or_default();
                DashboardRow {
                    code: Some(*code),
                    name: name.clone(),
                    values: figures::values(
                        &table,
                        i,
                        &Others {
                            events: raw.events.get(code).copied().unwrap_or(0),
                            companies: raw.network_companies.get(code).copied().unwrap_or(0),
                            consultants: raw.consultants.get(code).copied().unwrap_or(0),
                            norm: Some(norm),
                            median_days: median(&mut days),
                            stability: mean(raw.stability.get(code)),
                        },
                        suppressing,
                    ),
                }
            })
            .collect();
        let total = suppressing.then(|| {
            let mut days: Vec<i64> = raw
                .first_internship_days
                .values()
                .flatten()
                .copied()
                .collect();
            let stability: Vec<f64> = raw.stability.values().flatten().copied().collect();
            DashboardRow {
                code: None,
                name: String::new(),
                values: figures::values(
                    &table,
                    table.total_row(),
                    &Others {
                        events: raw.events.values().sum(),
                        companies: raw.network_companies.values().sum(),
                        consultants: raw.consultants.values().sum(),
                        norm: None,
                        median_days: median(&mut days),
                        stability: mean(Some(&stability)),
                    },
                    suppressing,
                ),
            }
        });
        let (mut rows, mut total) = (rows, total);
        if suppressing {
            // Randomised in all, across municipalities: only the total, and
            // only when the period's own count is shown (this period's total
            // less the last one's is the period's count).
            let to_date = Metric::RandomisedToDate as usize;
            for row in &mut rows {
                row.values[to_date] = Value::Withheld;
            }
            if let Some(total) = &mut total
                && !matches!(total.value(Metric::RandomisedInPeriod), Value::Count(_))
            {
                total.values[to_date] = Value::Withheld;
            }
        }
        Ok(Dashboard {
            computed_at: self.computed_at,
            period: period.code(),
            first_day: period.first_day().to_string(),
            last_day: period.last_day().to_string(),
            reference_day: day.to_string(),
            suppressed: suppressing,
            rows,
            total,
            trial_target,
        })
    }
}

/// The team's year in the programme (1, 2, 3 = later), counted from the
/// municipality's first course: the caseload norm grows with it.
pub fn team_year(first_course: Option<Date>, day: Date) -> i64 {
    match first_course {
        Some(first) => ((day - first).whole_days() / 365 + 1).clamp(1, 3),
        None => 1,
    }
}

fn mean(values: Option<&Vec<f64>>) -> Option<f64> {
    let values = values?;
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

pub(crate) type ByMunicipality<T> = BTreeMap<i64, T>;
