//! The measures a computed fidelity item may be scored from: every dashboard
//! figure by its code, and a few that only fidelity asks about (the team's
//! make-up, weeks with a youth network meeting, ratios of two figures).
//! Values come from the programme office's own suppressed view of the
//! dashboard, so a fidelity report shows nothing the dashboard does not.

use crate::dashboards::{DashboardRow, Metric, Value};
use crate::internships::stored_date;
use crate::{Db, Result, on_db};
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

/// Measures beyond the dashboard's figures.
pub const DERIVED: [&str; 6] = [
    "caseload_to_norm",
    "companies_per_youth",
    "network_weeks_held",
    "team_consultants",
    "psychologist_fte",
    "psychologist_minutes_per_youth",
];

/// Hours in a full-time week, for psychologist time from FTE.
const WEEK_HOURS: f64 = 37.0;

pub fn is_known(code: &str) -> bool {
    DERIVED.contains(&code) || Metric::ALL.iter().any(|m| m.code() == code)
}

/// A measure's value, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measured {
    Value(f64),
    /// Hidden on the dashboard to protect small counts.
    Withheld,
    /// Nothing to compute from.
    Missing,
}

impl Measured {
    pub fn reason(self) -> &'static str {
        match self {
            Measured::Value(_) => "",
            Measured::Withheld => "withheld",
            Measured::Missing => "missing",
        }
    }
}

fn measured(value: Value) -> Measured {
    match value {
        Value::Count(n) => Measured::Value(n as f64),
        Value::Share(v) | Value::Number(v) => Measured::Value(v),
        Value::Suppressed | Value::Withheld => Measured::Withheld,
        Value::Missing => Measured::Missing,
    }
}

fn ratio(top: Measured, bottom: Measured, factor: f64) -> Measured {
    match (top, bottom) {
        (Measured::Value(t), Measured::Value(b)) if b > 0.0 => Measured::Value(t * factor / b),
        (Measured::Withheld, _) | (_, Measured::Withheld) => Measured::Withheld,
        _ => Measured::Missing,
    }
}

/// What the team and the youth networks add to a municipality's dashboard row.
#[derive(Debug, Clone, Copy, Default)]
pub struct TeamFacts {
    pub consultants: i64,
    pub psychologist_fte: f64,
    /// Group weeks in the period, and those with a meeting held.
    pub group_weeks: i64,
    pub weeks_held: i64,
}

pub fn measure(code: &str, row: &DashboardRow, team: &TeamFacts) -> Measured {
    let figure = |metric: Metric| measured(row.value(metric));
    match code {
        "caseload_to_norm" => ratio(figure(Metric::Caseload), figure(Metric::CaseloadNorm), 1.0),
        "companies_per_youth" => ratio(
            figure(Metric::CompaniesInNetwork),
            figure(Metric::InCourseNow),
            1.0,
        ),
        "network_weeks_held" => ratio(
            Measured::Value(team.weeks_held as f64),
            Measured::Value(team.group_weeks as f64),
            1.0,
        ),
        "team_consultants" => Measured::Value(team.consultants as f64),
        "psychologist_fte" => Measured::Value(team.psychologist_fte),
        "psychologist_minutes_per_youth" => ratio(
            Measured::Value(team.psychologist_fte),
            figure(Metric::InCourseNow),
            WEEK_HOURS * 60.0,
        ),
        other => Metric::ALL
            .iter()
            .find(|m| m.code() == other)
            .map_or(Measured::Missing, |m| figure(*m)),
    }
}

impl Db {
    /// The team's make-up and the youth networks' weeks for `municipality`
    /// from `first` to `last`.
    pub(super) async fn team_facts(
        &self,
        municipality: i64,
        first: Date,
        last: Date,
    ) -> Result<TeamFacts> {
        let (members, meetings): (Vec<(String, f64)>, Vec<(i64, String, bool)>) =
            on_db!(self, |pool| {
                let members = sqlx::query_as(
                    "SELECT u.role, tm.fte FROM teams t JOIN team_members tm ON tm.team_id = t.id \
                     JOIN users u ON u.id = tm.user_id WHERE t.municipality_code = $1",
                )
                .bind(municipality)
                .fetch_all(pool)
                .await?;
                let meetings = sqlx::query_as(
                    "SELECT group_id, date, cancelled FROM group_meetings \
                     WHERE municipality_code = $1 AND date >= $2 AND date <= $3",
                )
                .bind(municipality)
                .bind(first.to_string())
                .bind(last.to_string())
                .fetch_all(pool)
                .await?;
                (members, meetings)
            });
        let mut facts = TeamFacts {
            consultants: members.iter().filter(|(r, _)| r == "consultant").count() as i64,
            psychologist_fte: members
                .iter()
                .filter(|(r, _)| r == "psychologist")
                .map(|(_, fte)| fte)
                .sum(),
            ..TeamFacts::default()
        };
        // A group's weeks run from its first to its last planned meeting in
        // the period; a week counts as held when a meeting in it was not
        // cancelled.
        let mut by_group: BTreeMap<i64, (Vec<Date>, BTreeSet<i64>)> = BTreeMap::new();
        for (group, date, cancelled) in meetings {
            let date = stored_date(&date)?;
            let entry = by_group.entry(group).or_default();
            entry.0.push(date);
            if !cancelled {
                entry.1.insert(week_number(date));
            }
        }
        for (dates, held) in by_group.values() {
            let (Some(first), Some(last)) = (dates.iter().min(), dates.iter().max()) else {
                continue;
            };
            facts.group_weeks += week_number(*last) - week_number(*first) + 1;
            facts.weeks_held += held.len() as i64;
        }
        Ok(facts)
    }
}

/// Weeks since a Monday long ago: consecutive weeks differ by one.
fn week_number(date: Date) -> i64 {
    (date.to_julian_day() as i64 - date.weekday().number_days_from_monday() as i64) / 7
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn weeks_are_counted_monday_to_sunday() {
        assert_eq!(
            week_number(date!(2026 - 03 - 02)),
            week_number(date!(2026 - 03 - 08))
        );
        assert_eq!(
            week_number(date!(2026 - 03 - 09)),
            week_number(date!(2026 - 03 - 02)) + 1
        );
        assert_eq!(
            week_number(date!(2027 - 01 - 04)) - week_number(date!(2026 - 12 - 28)),
            1
        );
    }

    #[test]
    fn every_dashboard_figure_and_the_derived_measures_are_known() {
        for metric in Metric::ALL {
            assert!(is_known(metric.code()));
        }
        for code in DERIVED {
            assert!(is_known(code));
        }
        assert!(!is_known("happiness"));
    }
}
