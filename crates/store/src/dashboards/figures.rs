//! What each dashboard figure is, and the queries that count it. The
//! definitions here are the ones the page's "how it is counted" texts
//! describe; change them together.

use super::{ByMunicipality, Value};
use serde::Serialize;
use spire_domain::dashboard::{MIN_SHOWN, Relation, Suppressed};
use std::collections::BTreeMap;
use time::Date;

/// Every figure, in the order of a row's values (and the CSV's columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    YouthActive,
    InCourseNow,
    InInternshipNow,
    ShareInInternship,
    DaysToFirstInternship,
    FirstInternships,
    InternshipsStarted,
    InternshipsPerYouth,
    InternshipsEnded,
    Interrupted,
    InterruptedByYouth,
    InterruptedByCompany,
    InterruptionRate,
    AttendanceMarks,
    AttendancePresent,
    AttendanceRate,
    YouthInNetwork,
    MeetingStability,
    EventsHeld,
    InternshipsFromEvents,
    ShareFromEvents,
    CompaniesInNetwork,
    Exits,
    ExitsToJobOrEducation,
    ShareToJobOrEducation,
    FollowUps3,
    Durability3,
    FollowUps6,
    Durability6,
    FollowUps12,
    Durability12,
    Consultants,
    Caseload,
    CaseloadNorm,
    RandomisedInPeriod,
    RandomisedToDate,
}

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Count,
    Share,
    Number,
}

impl Metric {
    pub const ALL: [Metric; 36] = [
        Metric::YouthActive,
        Metric::InCourseNow,
        Metric::InInternshipNow,
        Metric::ShareInInternship,
        Metric::DaysToFirstInternship,
        Metric::FirstInternships,
        Metric::InternshipsStarted,
        Metric::InternshipsPerYouth,
        Metric::InternshipsEnded,
        Metric::Interrupted,
        Metric::InterruptedByYouth,
        Metric::InterruptedByCompany,
        Metric::InterruptionRate,
        Metric::AttendanceMarks,
        Metric::AttendancePresent,
        Metric::AttendanceRate,
        Metric::YouthInNetwork,
        Metric::MeetingStability,
        Metric::EventsHeld,
        Metric::InternshipsFromEvents,
        Metric::ShareFromEvents,
        Metric::CompaniesInNetwork,
        Metric::Exits,
        Metric::ExitsToJobOrEducation,
        Metric::ShareToJobOrEducation,
        Metric::FollowUps3,
        Metric::Durability3,
        Metric::FollowUps6,
        Metric::Durability6,
        Metric::FollowUps12,
        Metric::Durability12,
        Metric::Consultants,
        Metric::Caseload,
        Metric::CaseloadNorm,
        Metric::RandomisedInPeriod,
        Metric::RandomisedToDate,
    ];

    /// The stable name in the API and the CSV header.
    pub fn code(self) -> &'static str {
        match self {
            Metric::YouthActive => "youth_active",
            Metric::InCourseNow => "in_course_now",
            Metric::InInternshipNow => "in_internship_now",
            Metric::ShareInInternship => "share_in_internship",
            Metric::DaysToFirstInternship => "days_to_first_internship",
            Metric::FirstInternships => "first_internships",
            Metric::InternshipsStarted => "internships_started",
            Metric::InternshipsPerYouth => "internships_per_youth",
            Metric::InternshipsEnded => "internships_ended",
            Metric::Interrupted => "interrupted",
            Metric::InterruptedByYouth => "interrupted_by_youth",
            Metric::InterruptedByCompany => "interrupted_by_company",
            Metric::InterruptionRate => "interruption_rate",
            Metric::AttendanceMarks => "attendance_marks",
            Metric::AttendancePresent => "attendance_present",
            Metric::AttendanceRate => "attendance_rate",
            Metric::YouthInNetwork => "youth_in_network",
            Metric::MeetingStability => "meeting_stability",
            Metric::EventsHeld => "events_held",
            Metric::InternshipsFromEvents => "internships_from_events",
            Metric::ShareFromEvents => "share_from_events",
            Metric::CompaniesInNetwork => "companies_in_network",
            Metric::Exits => "exits",
            Metric::ExitsToJobOrEducation => "exits_to_job_or_education",
            Metric::ShareToJobOrEducation => "share_to_job_or_education",
            Metric::FollowUps3 => "follow_ups_3",
            Metric::Durability3 => "durability_3",
            Metric::FollowUps6 => "follow_ups_6",
            Metric::Durability6 => "durability_6",
            Metric::FollowUps12 => "follow_ups_12",
            Metric::Durability12 => "durability_12",
            Metric::Consultants => "consultants",
            Metric::Caseload => "caseload",
            Metric::CaseloadNorm => "caseload_norm",
            Metric::RandomisedInPeriod => "randomised_in_period",
            Metric::RandomisedToDate => "randomised_to_date",
        }
    }

    pub fn kind(self) -> MetricKind {
        match self {
            Metric::ShareInInternship
            | Metric::InterruptionRate
            | Metric::AttendanceRate
            | Metric::MeetingStability
            | Metric::ShareFromEvents
            | Metric::ShareToJobOrEducation
            | Metric::Durability3
            | Metric::Durability6
            | Metric::Durability12 => MetricKind::Share,
            Metric::DaysToFirstInternship | Metric::InternshipsPerYouth | Metric::Caseload => {
                MetricKind::Number
            }
            _ => MetricKind::Count,
        }
    }
}

// The columns of the table of counts of young people, the one suppressed.
const YOUTH_ACTIVE: usize = 0;
const IN_COURSE: usize = 1;
const IN_INTERNSHIP: usize = 2;
const EXITS: usize = 3;
const EXITS_JOB_EDUCATION: usize = 4;
const FIRST_INTERNSHIPS: usize = 5;
const STARTED: usize = 6;
const FROM_EVENTS: usize = 7;
const ENDED: usize = 8;
const INTERRUPTED: usize = 9;
const BY_YOUTH: usize = 10;
const BY_COMPANY: usize = 11;
const MARKS: usize = 12;
const PRESENT: usize = 13;
const IN_NETWORK: usize = 14;
const FOLLOW_UPS: [usize; 3] = [15, 17, 19];
const FOLLOW_UPS_YES: [usize; 3] = [16, 18, 20];
const RANDOMISED_PERIOD: usize = 21;
const RANDOMISED_TO_DATE: usize = 22;
// Never shown, but a reader can subtract one shown count from another: the
// differences are counts of young people too, protected like the others.
const ACTIVE_NOT_IN_COURSE: usize = 23;
const IN_COURSE_NOT_IN_INTERNSHIP: usize = 24;
const OTHER_EXITS: usize = 25;
const STARTED_NOT_FROM_EVENTS: usize = 26;
const ENDED_NOT_INTERRUPTED: usize = 27;
const MARKS_NOT_PRESENT: usize = 28;
const FOLLOW_UPS_NO: [usize; 3] = [29, 30, 31];
const COUNT_COLUMNS: usize = 32;

/// Within every row, the counts that add up: interruptions = by the youth +
/// by the company, and each shown count = a shown part + the difference.
pub(super) fn relations() -> Vec<Relation> {
    let sum = |total: usize, parts: &[usize]| Relation {
        total,
        parts: parts.to_vec(),
    };
    let mut all = vec![
        sum(INTERRUPTED, &[BY_YOUTH, BY_COMPANY]),
        sum(YOUTH_ACTIVE, &[IN_COURSE, ACTIVE_NOT_IN_COURSE]),
        sum(IN_COURSE, &[IN_INTERNSHIP, IN_COURSE_NOT_IN_INTERNSHIP]),
        sum(EXITS, &[EXITS_JOB_EDUCATION, OTHER_EXITS]),
        sum(STARTED, &[FROM_EVENTS, STARTED_NOT_FROM_EVENTS]),
        sum(ENDED, &[INTERRUPTED, ENDED_NOT_INTERRUPTED]),
        sum(MARKS, &[PRESENT, MARKS_NOT_PRESENT]),
    ];
    for i in 0..3 {
        all.push(sum(FOLLOW_UPS[i], &[FOLLOW_UPS_YES[i], FOLLOW_UPS_NO[i]]));
    }
    all
}

/// The counts read from the database, per municipality.
#[derive(Default, Clone)]
pub(super) struct Raw {
    pub courses: ByMunicipality<[i64; 5]>,
    pub first_internship_days: ByMunicipality<Vec<i64>>,
    pub internships: ByMunicipality<[i64; 6]>,
    pub attendance: ByMunicipality<[i64; 2]>,
    /// Each youth's share of their last meetings attended.
    pub stability: ByMunicipality<Vec<f64>>,
    pub events: ByMunicipality<i64>,
    pub network_companies: ByMunicipality<i64>,
    /// (municipality, months) → answered yes or no, answered yes.
    pub follow_ups: BTreeMap<(i64, i64), [i64; 2]>,
    pub consultants: ByMunicipality<i64>,
    pub randomised: ByMunicipality<[i64; 2]>,
    pub first_course: ByMunicipality<Date>,
    pub trial_target: Option<i64>,
}

impl Raw {
    /// The municipality's row of the table of counts of young people.
    pub fn counts(&self, code: i64) -> Vec<i64> {
        let mut row = vec![0; COUNT_COLUMNS];
        let courses = self.courses.get(&code).copied().unwrap_or_default();
        row[YOUTH_ACTIVE..=EXITS_JOB_EDUCATION].copy_from_slice(&courses);
        row[FIRST_INTERNSHIPS] = self
            .first_internship_days
            .get(&code)
            .map_or(0, |d| d.len() as i64);
        let internships = self.internships.get(&code).copied().unwrap_or_default();
        row[STARTED..=BY_COMPANY].copy_from_slice(&internships);
        let attendance = self.attendance.get(&code).copied().unwrap_or_default();
        row[MARKS] = attendance[0];
        row[PRESENT] = attendance[1];
        row[IN_NETWORK] = self.stability.get(&code).map_or(0, |s| s.len() as i64);
        for (i, months) in [3, 6, 12].into_iter().enumerate() {
            let [answered, yes] = self
                .follow_ups
                .get(&(code, months))
                .copied()
                .unwrap_or_default();
            row[FOLLOW_UPS[i]] = answered;
            row[FOLLOW_UPS_YES[i]] = yes;
        }
        let [in_period, to_date] = self.randomised.get(&code).copied().unwrap_or_default();
        row[RANDOMISED_PERIOD] = in_period;
        row[RANDOMISED_TO_DATE] = to_date;
        for (whole, part, rest) in [
            (YOUTH_ACTIVE, IN_COURSE, ACTIVE_NOT_IN_COURSE),
            (IN_COURSE, IN_INTERNSHIP, IN_COURSE_NOT_IN_INTERNSHIP),
            (EXITS, EXITS_JOB_EDUCATION, OTHER_EXITS),
            (STARTED, FROM_EVENTS, STARTED_NOT_FROM_EVENTS),
            (ENDED, INTERRUPTED, ENDED_NOT_INTERRUPTED),
            (MARKS, PRESENT, MARKS_NOT_PRESENT),
        ] {
            row[rest] = row[whole] - row[part];
        }
        for i in 0..3 {
            row[FOLLOW_UPS_NO[i]] = row[FOLLOW_UPS[i]] - row[FOLLOW_UPS_YES[i]];
        }
        row
    }
}

/// A row's figures that are not counts of young people, or not counts.
pub(super) struct Others {
    pub events: i64,
    pub companies: i64,
    pub consultants: i64,
    pub norm: Option<i64>,
    pub median_days: Option<f64>,
    /// The mean meeting stability over the youth measured.
    pub stability: Option<f64>,
}

/// One row's figures from its (suppressed) counts and the others. When
/// suppressing, a share or a rate is suppressed when what it is made of is,
/// and a median or a mean over fewer than 5 young people is suppressed.
pub(super) fn values(
    table: &Suppressed,
    row: usize,
    others: &Others,
    suppressing: bool,
) -> Vec<Value> {
    let Others {
        events,
        companies,
        consultants,
        norm,
        median_days,
        stability,
    } = *others;
    let count = |col: usize| match table.shown(row, col) {
        Some(n) => Value::Count(n),
        None if (1..MIN_SHOWN).contains(&table.values[row][col]) => Value::Suppressed,
        None => Value::Withheld,
    };
    let ratio = |num: Value, den: Value, share: bool| match (num, den) {
        (Value::Count(_), Value::Count(0)) => Value::Missing,
        (Value::Count(n), Value::Count(d)) if share => Value::Share(n as f64 / d as f64),
        (Value::Count(n), Value::Count(d)) => Value::Number(n as f64 / d as f64),
        _ => Value::Withheld,
    };
    let over_youth = |value: Option<f64>, n: Value| match (value, n) {
        (_, Value::Suppressed | Value::Withheld) => Value::Withheld,
        (Some(_), Value::Count(n)) if suppressing && n < MIN_SHOWN => Value::Withheld,
        (Some(v), _) => Value::Number(v),
        (None, _) => Value::Missing,
    };
    Metric::ALL
        .iter()
        .map(|metric| match metric {
            Metric::YouthActive => count(YOUTH_ACTIVE),
            Metric::InCourseNow => count(IN_COURSE),
            Metric::InInternshipNow => count(IN_INTERNSHIP),
            Metric::ShareInInternship => ratio(count(IN_INTERNSHIP), count(IN_COURSE), true),
            Metric::DaysToFirstInternship => over_youth(median_days, count(FIRST_INTERNSHIPS)),
            Metric::FirstInternships => count(FIRST_INTERNSHIPS),
            Metric::InternshipsStarted => count(STARTED),
            Metric::InternshipsPerYouth => ratio(count(STARTED), count(YOUTH_ACTIVE), false),
            Metric::InternshipsEnded => count(ENDED),
            Metric::Interrupted => count(INTERRUPTED),
            Metric::InterruptedByYouth => count(BY_YOUTH),
            Metric::InterruptedByCompany => count(BY_COMPANY),
            Metric::InterruptionRate => ratio(count(INTERRUPTED), count(ENDED), true),
            Metric::AttendanceMarks => count(MARKS),
            Metric::AttendancePresent => count(PRESENT),
            Metric::AttendanceRate => ratio(count(PRESENT), count(MARKS), true),
            Metric::YouthInNetwork => count(IN_NETWORK),
            Metric::MeetingStability => match over_youth(stability, count(IN_NETWORK)) {
                Value::Number(v) => Value::Share(v),
                other => other,
            },
            Metric::EventsHeld => Value::Count(events),
            Metric::InternshipsFromEvents => count(FROM_EVENTS),
            Metric::ShareFromEvents => ratio(count(FROM_EVENTS), count(STARTED), true),
            Metric::CompaniesInNetwork => Value::Count(companies),
            Metric::Exits => count(EXITS),
            Metric::ExitsToJobOrEducation => count(EXITS_JOB_EDUCATION),
            Metric::ShareToJobOrEducation => ratio(count(EXITS_JOB_EDUCATION), count(EXITS), true),
            Metric::FollowUps3 => count(FOLLOW_UPS[0]),
            Metric::Durability3 => ratio(count(FOLLOW_UPS_YES[0]), count(FOLLOW_UPS[0]), true),
            Metric::FollowUps6 => count(FOLLOW_UPS[1]),
            Metric::Durability6 => ratio(count(FOLLOW_UPS_YES[1]), count(FOLLOW_UPS[1]), true),
            Metric::FollowUps12 => count(FOLLOW_UPS[2]),
            Metric::Durability12 => ratio(count(FOLLOW_UPS_YES[2]), count(FOLLOW_UPS[2]), true),
            Metric::Consultants => Value::Count(consultants),
            Metric::Caseload => ratio(count(IN_COURSE), Value::Count(consultants), false),
            Metric::CaseloadNorm => norm.map_or(Value::Missing, Value::Count),
            Metric::RandomisedInPeriod => count(RANDOMISED_PERIOD),
            Metric::RandomisedToDate => count(RANDOMISED_TO_DATE),
        })
        .collect()
}

/// $1 the reference day, $2 the period's first day. Per municipality: youth
/// with a course at some time in the period; with a course on the day; of
/// those, in an internship that day (started, and not ended by its end date
/// or by a status change before the day); courses ended in the period; of those, to a job, an education
/// or an apprenticeship.
pub(super) const COURSES_SQL: &str = "SELECT c.municipality_code, \
     COUNT(DISTINCT CASE WHEN c.start_date <= $1 AND (c.exit_date IS NULL OR c.exit_date >= $2) THEN c.youth_id END), \
     COUNT(DISTINCT CASE WHEN c.start_date <= $1 AND (c.exit_date IS NULL OR c.exit_date > $1) THEN c.youth_id END), \
     COUNT(DISTINCT CASE WHEN c.start_date <= $1 AND (c.exit_date IS NULL OR c.exit_date > $1) AND EXISTS ( \
       SELECT 1 FROM internships i WHERE i.youth_id = c.youth_id AND i.status <> 'planned' \
       AND i.start_date <= $1 AND i.end_date >= $1 AND NOT (i.status IN ('interrupted', 'completed', 'converted') AND COALESCE( \
         (SELECT MAX(e.effective_date) FROM internship_events e WHERE e.internship_id = i.id AND e.kind = 'status'), \
         i.end_date) < $1)) THEN c.youth_id END), \
     COUNT(CASE WHEN c.exit_date >= $2 AND c.exit_date <= $1 THEN 1 END), \
     COUNT(CASE WHEN c.exit_date >= $2 AND c.exit_date <= $1 AND c.exit_reason IN ('job', 'education', 'apprenticeship') THEN 1 END) \
     FROM courses c GROUP BY c.municipality_code";

/// $1 the reference day, $2 the period's first day: each course started in
/// the period, with the start of its first internship (begun by the day).
pub(super) const FIRST_INTERNSHIP_SQL: &str = "SELECT c.municipality_code, c.start_date, \
     (SELECT MIN(i.start_date) FROM internships i WHERE i.youth_id = c.youth_id AND i.status <> 'planned' \
      AND i.start_date >= c.start_date AND i.start_date <= $1) \
     FROM courses c WHERE c.start_date >= $2 AND c.start_date <= $1";

/// $1 the period's first day, $2 the reference day. Internships begun in the
/// period; of those, agreed on a call after an event's match; internships
/// ended in the period (on the day their status changed, or their end date
/// if that came first); of those, interrupted, by the youth, by the company.
pub(super) const INTERNSHIPS_SQL: &str = "SELECT t.municipality_code, \
     COUNT(CASE WHEN t.start_date >= $1 AND t.start_date <= $2 THEN 1 END), \
     COUNT(CASE WHEN t.start_date >= $1 AND t.start_date <= $2 AND t.from_event = 1 THEN 1 END), \
     COUNT(CASE WHEN t.ended_on >= $1 AND t.ended_on <= $2 THEN 1 END), \
     COUNT(CASE WHEN t.ended_on >= $1 AND t.ended_on <= $2 AND t.status = 'interrupted' THEN 1 END), \
     COUNT(CASE WHEN t.ended_on >= $1 AND t.ended_on <= $2 AND t.status = 'interrupted' AND t.ended_by = 'youth' THEN 1 END), \
     COUNT(CASE WHEN t.ended_on >= $1 AND t.ended_on <= $2 AND t.status = 'interrupted' AND t.ended_by = 'company' THEN 1 END) \
     FROM (SELECT s.municipality_code, s.start_date, s.status, s.ended_by, s.from_event, \
       CASE WHEN s.status_on IS NOT NULL AND s.status_on < s.end_date THEN s.status_on ELSE s.end_date END AS ended_on \
       FROM (SELECT i.municipality_code, i.start_date, i.end_date, i.status, i.ended_by, \
         CASE WHEN ev.internship_id IS NULL THEN 0 ELSE 1 END AS from_event, \
         CASE WHEN i.status IN ('completed', 'interrupted', 'converted') AND i.end_date >= $1 THEN \
           (SELECT MAX(e.effective_date) FROM internship_events e WHERE e.internship_id = i.id AND e.kind = 'status') END AS status_on \
         FROM internships i \
         LEFT JOIN (SELECT DISTINCT internship_id FROM event_calls WHERE internship_id IS NOT NULL) ev ON ev.internship_id = i.id \
         WHERE i.status <> 'planned') s) t \
     GROUP BY t.municipality_code";

/// $1 the period's first day, $2 the reference day: attendance marks at the
/// youth network's meetings held in the period, and how many were "present".
pub(super) const ATTENDANCE_SQL: &str = "SELECT m.municipality_code, COUNT(*), \
     COUNT(CASE WHEN a.mark = 'present' THEN 1 END) \
     FROM attendance a JOIN group_meetings m ON m.id = a.meeting_id \
     WHERE NOT m.cancelled AND m.date >= $1 AND m.date <= $2 GROUP BY m.municipality_code";

/// $1 first day, $2 reference day, $3 the window (8): per youth with a mark
/// in the period, attended and marked among their last $3 marked meetings.
pub(super) const STABILITY_SQL: &str = "SELECT t.municipality_code, \
     COUNT(CASE WHEN t.mark = 'present' THEN 1 END), COUNT(*) \
     FROM (SELECT m.municipality_code, a.youth_id, a.mark, \
       ROW_NUMBER() OVER (PARTITION BY a.youth_id ORDER BY m.date DESC, m.id DESC) AS n \
       FROM attendance a JOIN group_meetings m ON m.id = a.meeting_id \
       WHERE NOT m.cancelled AND m.date >= $1 AND m.date <= $2) t \
     WHERE t.n <= $3 GROUP BY t.municipality_code, t.youth_id";

/// $1 first day, $2 reference day: events held in the period.
pub(super) const EVENTS_SQL: &str = "SELECT municipality_code, COUNT(*) FROM events \
     WHERE event_date >= $1 AND event_date <= $2 GROUP BY municipality_code";

/// $1 reference day, $2 first day: companies in the company network at some
/// time in the period.
pub(super) const NETWORK_SQL: &str = "SELECT municipality_code, COUNT(DISTINCT company_id) \
     FROM network_members WHERE joined_on <= $1 AND (left_on IS NULL OR left_on >= $2) \
     GROUP BY municipality_code";

/// $1 first day, $2 reference day: follow-ups due in the period, answered
/// yes or no, and answered yes (still in job or education).
pub(super) const FOLLOW_UPS_SQL: &str = "SELECT c.municipality_code, CAST(f.months AS BIGINT), \
     COUNT(CASE WHEN f.answer IN ('yes', 'no') THEN 1 END), COUNT(CASE WHEN f.answer = 'yes' THEN 1 END) \
     FROM follow_ups f JOIN courses c ON c.id = f.course_id \
     WHERE f.due_date >= $1 AND f.due_date <= $2 GROUP BY c.municipality_code, f.months";

/// Consultants with a login in each municipality.
pub(super) const CONSULTANTS_SQL: &str = "SELECT municipality_code, COUNT(*) FROM users \
     WHERE role = 'consultant' AND municipality_code IS NOT NULL GROUP BY municipality_code";

/// $1, $2 the period in Unix seconds: youth randomised in the period, and
/// before its end.
pub(super) const RANDOMISED_SQL: &str = "SELECT b.municipality_code, \
     COUNT(CASE WHEN l.unix_seconds >= $1 AND l.unix_seconds < $2 THEN 1 END), \
     COUNT(CASE WHEN l.unix_seconds < $2 THEN 1 END) \
     FROM trial_ledger l JOIN trial_baselines b ON b.ledger_id = l.id \
     WHERE l.kind = 'allocation' GROUP BY b.municipality_code";

pub(super) const FIRST_COURSE_SQL: &str =
    "SELECT municipality_code, MIN(start_date) FROM courses GROUP BY municipality_code";

pub(super) const TARGET_SQL: &str = "SELECT CAST(SUM(target_size) AS BIGINT) FROM trials";
