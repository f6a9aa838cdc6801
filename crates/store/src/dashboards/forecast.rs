//! What the capacity and referral forecast starts from, per municipality:
//! the screenings of the last six 30-day months up to today, the shares randomised, in
//! the programme arm and accepting, the typical course length, the caseload
//! and the consultants now. Aggregates only.

use crate::BeginWrite;
use crate::internships::stored_date;
use crate::{Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::Role;
use spire_domain::forecast::ForecastInput;
use spire_domain::network::copenhagen_date;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// Months (of 30 days, up to today) of screenings the forecast draws from.
pub const HISTORY_MONTHS: i32 = 6;
const MONTH_DAYS: i64 = 30;
/// The course length assumed until a municipality has ended courses to learn from.
pub const DEFAULT_COURSE_MONTHS: f64 = 9.0;

#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityForecastInput {
    pub code: i64,
    pub name: String,
    /// The caseload norm for the team's year now.
    pub norm: i64,
    /// Whether the course length is the municipality's own (else the default).
    pub own_course_length: bool,
    #[serde(skip)]
    pub input: ForecastInput,
}

impl Db {
    /// The forecast's inputs: a team lead's own municipality, or every
    /// municipality for the programme office, researchers and the
    /// administrator.
    pub async fn forecast_inputs(
        &self,
        scope: &Scope,
        today: Date,
    ) -> Result<Vec<MunicipalityForecastInput>> {
        let own = match scope.role {
            Role::TeamLead => Some(scope.municipality.ok_or(Error::NotFound)?),
            Role::ProgrammeOffice | Role::Researcher | Role::Admin => None,
            _ => return Err(Error::NotFound),
        };
        let first = today - time::Duration::days(MONTH_DAYS * i64::from(HISTORY_MONTHS) - 1);
        let from_instant =
            spire_domain::network::copenhagen_instant(first, time::Time::MIDNIGHT).unix_timestamp();
        let rules = self.programme_rules().await?;
        let year_ago = (today - time::Duration::days(365)).to_string();
        #[allow(clippy::type_complexity)]
        let (screenings, arms, take_up, lengths, now, consultants, first_course): (
            Vec<(Option<i64>, i64, String)>,
            Vec<(i64, i64, i64)>,
            Vec<(i64, i64, i64)>,
            Vec<(i64, String, String)>,
            Vec<(i64, i64)>,
            Vec<(i64, i64)>,
            Vec<(i64, String)>,
        ) = on_db!(self, |pool| {
            let mut tx = pool.begin_across().await?;
            (
                sqlx::query_as(
                    "SELECT municipality_code, at, outcome FROM trial_screenings WHERE at >= $1",
                )
                .bind(from_instant)
                .fetch_all(&mut *tx)
                .await?,
                sqlx::query_as(
                    "SELECT b.municipality_code, COUNT(CASE WHEN l.arm = 'programme' THEN 1 END), COUNT(*) \
                     FROM trial_ledger l JOIN trial_baselines b ON b.ledger_id = l.id \
                     WHERE l.kind = 'allocation' GROUP BY b.municipality_code",
                )
                .fetch_all(&mut *tx)
                .await?,
                sqlx::query_as(
                    "SELECT b.municipality_code, COUNT(CASE WHEN t.accepted THEN 1 END), COUNT(*) \
                     FROM trial_take_up t JOIN trial_ledger l ON l.trial_id = t.trial_id AND l.ledger_index = t.ledger_index \
                     JOIN trial_baselines b ON b.ledger_id = l.id GROUP BY b.municipality_code",
                )
                .fetch_all(&mut *tx)
                .await?,
                sqlx::query_as(
                    "SELECT municipality_code, start_date, exit_date FROM courses \
                     WHERE exit_date IS NOT NULL AND exit_date >= $1",
                )
                .bind(&year_ago)
                .fetch_all(&mut *tx)
                .await?,
                sqlx::query_as(
                    "SELECT municipality_code, COUNT(*) FROM courses WHERE exit_date IS NULL GROUP BY municipality_code",
                )
                .fetch_all(&mut *tx)
                .await?,
                sqlx::query_as(super::figures::CONSULTANTS_SQL).fetch_all(&mut *tx).await?,
                sqlx::query_as(super::figures::FIRST_COURSE_SQL).fetch_all(&mut *tx).await?,
            )
        });
        let mut monthly: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
        let mut randomised: BTreeMap<i64, (u32, u32)> = BTreeMap::new();
        for (code, at, outcome) in screenings {
            let Some(code) = code else { continue };
            let Ok(moment) = OffsetDateTime::from_unix_timestamp(at) else {
                continue;
            };
            let back = (today - copenhagen_date(moment)).whole_days() / MONTH_DAYS;
            if !(0..i64::from(HISTORY_MONTHS)).contains(&back) {
                continue;
            }
            let months = monthly
                .entry(code)
                .or_insert_with(|| vec![0; HISTORY_MONTHS as usize]);
            // Oldest first.
            months[(i64::from(HISTORY_MONTHS) - 1 - back) as usize] += 1;
            let share = randomised.entry(code).or_default();
            share.1 += 1;
            if outcome == "randomised" {
                share.0 += 1;
            }
        }
        let ratio = |rows: &[(i64, i64, i64)], code: i64, default: f64| {
            rows.iter()
                .find(|r| r.0 == code)
                .filter(|r| r.2 > 0)
                .map_or(default, |r| r.1 as f64 / r.2 as f64)
        };
        let mut length: BTreeMap<i64, (f64, u32)> = BTreeMap::new();
        for (code, start, exit) in lengths {
            let days = (stored_date(&exit)? - stored_date(&start)?).whole_days();
            let entry = length.entry(code).or_default();
            entry.0 += days as f64 / 30.44;
            entry.1 += 1;
        }
        let count =
            |rows: &[(i64, i64)], code: i64| rows.iter().find(|r| r.0 == code).map_or(0, |r| r.1);
        let mut out = Vec::new();
        for m in self.list_municipalities().await? {
            if own.is_some_and(|code| code != m.code) {
                continue;
            }
            let first = first_course
                .iter()
                .find(|r| r.0 == m.code)
                .map(|r| stored_date(&r.1))
                .transpose()?;
            let team_year = super::team_year(first, today);
            let own_length = length.get(&m.code).filter(|l| l.1 > 0);
            let (randomised_n, screened_n) = randomised.get(&m.code).copied().unwrap_or_default();
            out.push(MunicipalityForecastInput {
                code: m.code,
                name: m.name,
                norm: rules.caseload_norms[(team_year - 1) as usize],
                own_course_length: own_length.is_some(),
                input: ForecastInput {
                    screenings_per_month: monthly
                        .remove(&m.code)
                        .unwrap_or_else(|| vec![0; HISTORY_MONTHS as usize]),
                    randomised_share: if screened_n > 0 {
                        f64::from(randomised_n) / f64::from(screened_n)
                    } else {
                        0.0
                    },
                    programme_share: ratio(&arms, m.code, 0.5),
                    take_up: ratio(&take_up, m.code, 0.0),
                    course_months: own_length
                        .map_or(DEFAULT_COURSE_MONTHS, |l| (l.0 / f64::from(l.1)).max(1.0)),
                    caseload: count(&now, m.code) as u32,
                    consultants: count(&consultants, m.code) as u32,
                },
            });
        }
        Ok(out)
    }
}
