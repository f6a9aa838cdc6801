//! Internships (virksomhedspraktik) and the law that bounds them (LAB § 61):
//! the status machine, the length and hours limits, extensions, and the
//! dates people type. The limits are settings ([`InternshipRules`]), so a
//! change in the law is a change of configuration, not of code.

use crate::eligibility::Readiness;
use crate::validation::{FieldError, Problem};
use time::Date;

/// The longest texts, the same in the pages, the API, the CLI and the store.
pub const FUNCTION_MAX: usize = 120;
pub const SCHEDULE_MAX: usize = 500;
pub const REASON_MAX: usize = 1_000;
pub const DECIDED_BY_MAX: usize = 200;
pub const NOTE_MAX: usize = 2_000;

/// Where an internship is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Planned,
    Active,
    Completed,
    Interrupted,
    Converted,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Planned,
        Status::Active,
        Status::Completed,
        Status::Interrupted,
        Status::Converted,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Active => "active",
            Status::Completed => "completed",
            Status::Interrupted => "interrupted",
            Status::Converted => "converted",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Planned and active internships are open: they count for overlaps and
    /// can still change.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Planned | Status::Active)
    }

    /// The status after `transition`, or why it is not allowed from here.
    pub fn after(self, transition: Transition) -> Result<Status, FieldError> {
        let next = match (self, transition) {
            (Status::Planned, Transition::Start) => Status::Active,
            // Called off before it began, by either side.
            (Status::Planned, Transition::Interrupt(_)) => Status::Interrupted,
            (Status::Active, Transition::Complete) => Status::Completed,
            (Status::Active, Transition::Interrupt(_)) => Status::Interrupted,
            (Status::Active, Transition::Convert(_)) => Status::Converted,
            _ => return Err(FieldError::new("transition", Problem::TransitionNotAllowed)),
        };
        Ok(next)
    }
}

/// Who ended an internship early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedBy {
    Youth,
    Company,
}

impl EndedBy {
    pub const ALL: [EndedBy; 2] = [EndedBy::Youth, EndedBy::Company];

    pub fn code(self) -> &'static str {
        match self {
            EndedBy::Youth => "youth",
            EndedBy::Company => "company",
        }
    }

    pub fn from_code(code: &str) -> Option<EndedBy> {
        EndedBy::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// What an internship turned into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    Job,
    WageSubsidy,
    Apprenticeship,
    Education,
}

impl Conversion {
    pub const ALL: [Conversion; 4] = [
        Conversion::Job,
        Conversion::WageSubsidy,
        Conversion::Apprenticeship,
        Conversion::Education,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Conversion::Job => "job",
            Conversion::WageSubsidy => "wage_subsidy",
            Conversion::Apprenticeship => "apprenticeship",
            Conversion::Education => "education",
        }
    }

    pub fn from_code(code: &str) -> Option<Conversion> {
        Conversion::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A change of status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Start,
    Complete,
    Interrupt(EndedBy),
    Convert(Conversion),
}

/// The limits of LAB § 61 as settings. Lengths count calendar days, both
/// ends included: a 4-week internship is 28 days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InternshipRules {
    /// For job-ready and education-ready youth.
    pub job_ready_weeks: i64,
    /// For activity-ready youth.
    pub activity_ready_weeks: i64,
    /// The first extension may reach this length...
    pub extended_weeks: i64,
    /// ...and each further one adds at most a block of this many weeks.
    pub block_weeks: i64,
    pub max_hours_per_week: f64,
}

impl Default for InternshipRules {
    fn default() -> Self {
        InternshipRules {
            job_ready_weeks: 4,
            activity_ready_weeks: 13,
            extended_weeks: 26,
            block_weeks: 13,
            max_hours_per_week: 37.0,
        }
    }
}

impl InternshipRules {
    /// The longest internship without an extension, in weeks.
    pub fn base_weeks(&self, readiness: Readiness) -> i64 {
        match readiness {
            Readiness::Aktivitetsparat => self.activity_ready_weeks,
            Readiness::Jobparat
            | Readiness::AabenlystUddannelsesparat
            | Readiness::Uddannelsesparat => self.job_ready_weeks,
        }
    }

    /// The longest internship without an extension, in days.
    pub fn base_days(&self, readiness: Readiness) -> i64 {
        self.base_weeks(readiness) * 7
    }

    /// How far the first extension (or extensions) may reach, in days.
    pub fn extended_days(&self, readiness: Readiness) -> i64 {
        self.extended_weeks.max(self.base_weeks(readiness)) * 7
    }

    /// Checks hours, dates and length of a new internship against the limit
    /// without an extension. Every problem is named by its field.
    pub fn check(&self, plan: &Plan) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if plan.hours_per_week.is_nan() || plan.hours_per_week <= 0.0 {
            problems.push(FieldError::new("hours_per_week", Problem::OutOfRange));
        } else if plan.hours_per_week > self.max_hours_per_week {
            problems.push(
                FieldError::new("hours_per_week", Problem::HoursOverLimit)
                    .with("max", self.max_hours_per_week.floor() as i64),
            );
        }
        if plan.end < plan.start {
            problems.push(FieldError::new("end_date", Problem::EndBeforeStart));
        } else {
            let days = length_days(plan.start, plan.end);
            let allowed = self.base_days(plan.readiness);
            if days > allowed {
                problems.push(
                    FieldError::new("end_date", Problem::OverLegalLimit)
                        .with("weeks", allowed / 7)
                        .with("days", days),
                );
            }
        }
        problems
    }

    /// The last day an extension of `plan` may reach: up to the extended
    /// length (26 weeks) from the start; once there, one block (13 weeks)
    /// beyond the current end — each further block needs its own extension,
    /// so small extensions cannot add up to more.
    pub fn extension_reach(&self, plan: &Plan) -> Date {
        let extended = self.extended_days(plan.readiness);
        let current = length_days(plan.start, plan.end);
        let reach = if current >= extended {
            plan.end
                .checked_add(time::Duration::days(self.block_weeks * 7))
        } else {
            plan.start.checked_add(time::Duration::days(extended - 1))
        };
        reach.unwrap_or(Date::MAX)
    }

    /// Checks an extension of `plan` to `new_end`, with its reason and who decided.
    pub fn check_extension(
        &self,
        plan: &Plan,
        new_end: Date,
        reason: &str,
        decided_by: &str,
    ) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if new_end <= plan.end {
            problems.push(FieldError::new("new_end_date", Problem::ExtensionNotLater));
        } else {
            let reach = self.extension_reach(plan);
            if new_end > reach {
                problems.push(
                    FieldError::new("new_end_date", Problem::OverExtendedLimit)
                        .with("weeks", length_days(plan.start, reach) / 7)
                        .with("days", length_days(plan.start, new_end)),
                );
            }
        }
        if reason.trim().is_empty() {
            problems.push(FieldError::new("reason", Problem::Required));
        }
        if decided_by.trim().is_empty() {
            problems.push(FieldError::new("decided_by", Problem::Required));
        }
        problems
    }
}

/// The parts of an internship the law looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    pub readiness: Readiness,
    pub start: Date,
    pub end: Date,
    pub hours_per_week: f64,
}

/// Calendar days from `start` to `end`, both included.
pub fn length_days(start: Date, end: Date) -> i64 {
    (end - start).whole_days() + 1
}

/// Whether two date ranges (both ends included) share a day.
pub fn overlaps(a: (Date, Date), b: (Date, Date)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// A date as typed: `2026-03-02` (a date input) or `2.3.2026` / `02.03.2026`
/// (as people write it). A day that does not exist (31.02.2026) is refused.
pub fn parse_date(field: &'static str, text: &str) -> Result<Date, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    let numbers: Vec<&str> = if text.contains('-') {
        text.split('-').collect()
    } else {
        text.split('.').rev().collect()
    };
    let invalid = || FieldError::new(field, Problem::DateInvalid);
    let [year, month, day] = numbers[..] else {
        return Err(invalid());
    };
    let number = |part: &str, max_len: usize| -> Result<i64, FieldError> {
        if part.is_empty() || part.len() > max_len || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        part.parse().map_err(|_| invalid())
    };
    let (year, month, day) = (number(year, 4)?, number(month, 2)?, number(day, 2)?);
    if !(1900..=2200).contains(&year) {
        return Err(invalid());
    }
    let month = time::Month::try_from(month as u8).map_err(|_| invalid())?;
    Date::from_calendar_date(year as i32, month, day as u8).map_err(|_| invalid())
}

/// Hours a week as typed, with a decimal point or comma: `37`, `37,5`.
pub fn parse_hours(field: &'static str, text: &str) -> Result<f64, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    let value: f64 = text
        .replace(',', ".")
        .parse()
        .map_err(|_| FieldError::new(field, Problem::NotANumber))?;
    if !value.is_finite() {
        return Err(FieldError::new(field, Problem::NotANumber));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const ALL_TRANSITIONS: [Transition; 8] = [
        Transition::Start,
        Transition::Complete,
        Transition::Interrupt(EndedBy::Youth),
        Transition::Interrupt(EndedBy::Company),
        Transition::Convert(Conversion::Job),
        Transition::Convert(Conversion::WageSubsidy),
        Transition::Convert(Conversion::Apprenticeship),
        Transition::Convert(Conversion::Education),
    ];

    /// Every status × every transition: the allowed ones and where they lead.
    #[test]
    fn every_transition_allowed_or_refused() {
        use Status::*;
        let expected = |from: Status, t: Transition| -> Option<Status> {
            match (from, t) {
                (Planned, Transition::Start) => Some(Active),
                (Planned, Transition::Interrupt(_)) => Some(Interrupted),
                (Active, Transition::Complete) => Some(Completed),
                (Active, Transition::Interrupt(_)) => Some(Interrupted),
                (Active, Transition::Convert(_)) => Some(Converted),
                _ => None,
            }
        };
        let mut allowed = 0;
        for from in Status::ALL {
            for t in ALL_TRANSITIONS {
                match (from.after(t), expected(from, t)) {
                    (Ok(next), Some(want)) => {
                        assert_eq!(next, want, "{from:?} {t:?}");
                        allowed += 1;
                    }
                    (Err(e), None) => {
                        assert_eq!(e.problem, Problem::TransitionNotAllowed, "{from:?} {t:?}")
                    }
                    (got, want) => panic!("{from:?} {t:?}: got {got:?}, want {want:?}"),
                }
            }
        }
        // Planned: start + 2 interruptions; active: complete + 2 + 4 conversions.
        assert_eq!(allowed, 3 + 7);
        for done in [Completed, Interrupted, Converted] {
            assert!(!done.is_open());
        }
    }

    fn plan(readiness: Readiness, days: i64, hours: f64) -> Plan {
        let start = date!(2026 - 03 - 02);
        Plan {
            readiness,
            start,
            end: start + time::Duration::days(days - 1),
            hours_per_week: hours,
        }
    }

    fn problems(plan: &Plan) -> Vec<(&'static str, Problem)> {
        InternshipRules::default()
            .check(plan)
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect()
    }

    /// Each limit at its boundary: the last allowed value and the first refused.
    #[test]
    fn legal_limits_at_their_boundaries() {
        use Readiness::*;
        let over = vec![("end_date", Problem::OverLegalLimit)];
        let cases: &[(Readiness, i64, f64, bool)] = &[
            // readiness, days, hours, allowed
            (Jobparat, 28, 37.0, true),
            (Jobparat, 29, 37.0, false),
            (Uddannelsesparat, 28, 20.0, true),
            (Uddannelsesparat, 29, 20.0, false),
            (AabenlystUddannelsesparat, 29, 20.0, false),
            (Aktivitetsparat, 91, 20.0, true),
            (Aktivitetsparat, 92, 20.0, false),
        ];
        for &(readiness, days, hours, allowed) in cases {
            let got = problems(&plan(readiness, days, hours));
            if allowed {
                assert!(got.is_empty(), "{readiness:?} {days} days: {got:?}");
            } else {
                assert_eq!(got, over, "{readiness:?} {days} days");
            }
        }
        let hours = vec![("hours_per_week", Problem::HoursOverLimit)];
        assert!(problems(&plan(Jobparat, 10, 37.0)).is_empty());
        assert_eq!(problems(&plan(Jobparat, 10, 37.5)), hours);
        assert_eq!(problems(&plan(Jobparat, 10, 45.0)), hours);
        assert_eq!(
            problems(&plan(Jobparat, 10, 0.0)),
            vec![("hours_per_week", Problem::OutOfRange)]
        );
        // A 14-week internship for a job-ready youth without an extension.
        let error = &InternshipRules::default().check(&plan(Jobparat, 98, 30.0))[0];
        assert_eq!(error.args, vec![("weeks", 4), ("days", 98)]);
    }

    /// Extensions: to 26 weeks from the start, then one 13-week block at a
    /// time from the current end; small extensions cannot add up to more.
    #[test]
    fn extensions_reach_26_weeks_then_13_week_blocks() {
        use Readiness::*;
        let rules = InternshipRules::default();
        let extend = |p: &Plan, to_day: i64| {
            let new_end = p.start + time::Duration::days(to_day - 1);
            rules
                .check_extension(p, new_end, "behov", "leder")
                .into_iter()
                .map(|e| e.problem)
                .collect::<Vec<_>>()
        };
        let refused = vec![Problem::OverExtendedLimit];
        for readiness in [Jobparat, Aktivitetsparat] {
            let p = plan(readiness, rules.base_days(readiness), 30.0);
            assert!(extend(&p, 182).is_empty(), "{readiness:?} to 26 weeks");
            assert_eq!(extend(&p, 183), refused, "{readiness:?} past 26 weeks");
        }
        // At 26 weeks: one more block of 13 weeks, and not a day more.
        let at_26 = plan(Jobparat, 182, 30.0);
        assert!(extend(&at_26, 273).is_empty());
        assert_eq!(extend(&at_26, 274), refused);
        // Two one-day extensions leave the reach at 26 weeks from the start.
        let after_two_small = plan(Jobparat, 30, 30.0);
        assert!(extend(&after_two_small, 182).is_empty());
        assert_eq!(extend(&after_two_small, 183), refused);
        let error =
            &rules.check_extension(&at_26, at_26.start + time::Duration::days(300), "x", "y")[0];
        assert_eq!(error.args, vec![("weeks", 39), ("days", 301)]);
    }

    #[test]
    fn the_limits_are_settings() {
        let rules = InternshipRules {
            job_ready_weeks: 6,
            max_hours_per_week: 30.0,
            ..InternshipRules::default()
        };
        let p = plan(Readiness::Jobparat, 42, 30.0);
        assert!(rules.check(&p).is_empty());
        assert_eq!(rules.check(&plan(Readiness::Jobparat, 43, 31.0)).len(), 2);
    }

    #[test]
    fn an_end_before_the_start_is_named() {
        let mut p = plan(Readiness::Jobparat, 10, 30.0);
        p.end = p.start - time::Duration::days(1);
        assert_eq!(problems(&p), vec![("end_date", Problem::EndBeforeStart)]);
        // A one-day internship is fine.
        p.end = p.start;
        assert!(problems(&p).is_empty());
    }

    #[test]
    fn an_extension_needs_a_later_end_a_reason_and_who_decided() {
        let rules = InternshipRules::default();
        let p = plan(Readiness::Jobparat, 28, 30.0);
        let ok = rules.check_extension(&p, date!(2026 - 08 - 30), "needs more time", "Team lead");
        assert!(ok.is_empty(), "{ok:?}");
        let fields: Vec<_> = rules
            .check_extension(&p, p.end, " ", "")
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("new_end_date", Problem::ExtensionNotLater),
                ("reason", Problem::Required),
                ("decided_by", Problem::Required)
            ]
        );
        // 26 weeks is the first extension's reach: 182 days from 2 March is 30 August.
        assert!(
            rules
                .check_extension(&p, date!(2026 - 08 - 31), "x", "y")
                .iter()
                .any(|e| e.problem == Problem::OverExtendedLimit)
        );
    }

    #[test]
    fn dates_as_typed() {
        assert_eq!(
            parse_date("d", "2026-03-02").unwrap(),
            date!(2026 - 03 - 02)
        );
        assert_eq!(parse_date("d", "2.3.2026").unwrap(), date!(2026 - 03 - 02));
        assert_eq!(
            parse_date("d", " 02.03.2026 ").unwrap(),
            date!(2026 - 03 - 02)
        );
        for bad in [
            "31.02.2026",
            "2026-02-30",
            "32.01.2026",
            "1.13.2026",
            "tomorrow",
            "1.2",
            "1..2026",
            "+1.2.2026",
            "01.02.99999",
        ] {
            assert_eq!(
                parse_date("d", bad).unwrap_err().problem,
                Problem::DateInvalid,
                "{bad}"
            );
        }
        assert_eq!(parse_date("d", "").unwrap_err().problem, Problem::Required);
        assert_eq!(parse_hours("h", "37,5").unwrap(), 37.5);
        assert_eq!(
            parse_hours("h", "x").unwrap_err().problem,
            Problem::NotANumber
        );
        assert_eq!(
            parse_hours("h", "NaN").unwrap_err().problem,
            Problem::NotANumber
        );
    }

    #[test]
    fn overlap_includes_a_shared_day() {
        let a = (date!(2026 - 03 - 02), date!(2026 - 03 - 29));
        assert!(overlaps(a, (date!(2026 - 03 - 29), date!(2026 - 04 - 10))));
        assert!(!overlaps(a, (date!(2026 - 03 - 30), date!(2026 - 04 - 10))));
        assert!(overlaps(a, (date!(2026 - 01 - 01), date!(2026 - 12 - 31))));
    }
}
