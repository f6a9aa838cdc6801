//! Internships (praktik) within the law: created, moved through their
//! statuses, extended with a reason, their function changed, weekly check-ins.
//! Every change is also a row in the append-only `internship_events`, which is
//! the history the pages show. Personal data: each function takes a `Scope`
//! and logs its use in the same transaction.

use crate::access_log::{AccessAction, log_access};
use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::eligibility::Readiness;
use spire_domain::internship::{
    DECIDED_BY_MAX, FUNCTION_MAX, InternshipRules, NOTE_MAX, Plan, REASON_MAX, SCHEDULE_MAX,
    Status, Transition,
};
use spire_domain::validation::{optional_text, required_text};
use spire_domain::{CompanyId, FieldError, InternshipId, Problem, Role, YouthId};
use time::Date;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct InternshipRow {
    pub id: i64,
    pub youth_id: i64,
    pub youth_name: String,
    pub company_id: i64,
    pub company_name: String,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub function: String,
    pub start_date: String,
    pub end_date: String,
    pub hours_per_week: f64,
    pub schedule: String,
    pub status: String,
    pub ended_by: Option<String>,
    pub converted_to: Option<String>,
    pub status_reason: Option<String>,
    pub extensions: i64,
}

/// One line of an internship's history.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct InternshipEvent {
    pub id: i64,
    /// `created`, `function`, `extension`, `status` or `check_in`.
    pub kind: String,
    /// From when a function applies; the new end of an extension.
    pub effective_date: Option<String>,
    /// The new function, end date or status (`interrupted:youth`,
    /// `converted:job`), or the check-in note.
    pub detail: String,
    /// The function, end date or status before the change.
    pub previous: Option<String>,
    /// Why: an extension's or an interruption's reason.
    pub reason: Option<String>,
    /// Who decided an extension.
    pub decided_by: Option<String>,
    pub recorded_by_name: String,
    pub recorded_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewInternship {
    pub youth: YouthId,
    pub company: CompanyId,
    pub contact_id: Option<i64>,
    pub function: String,
    pub start: Date,
    pub end: Date,
    pub hours_per_week: f64,
    pub schedule: String,
}

/// The rules of the programme, as configured.
#[derive(Debug, Clone, Copy)]
pub struct ProgrammeRules {
    pub internship: InternshipRules,
    /// Youth per consultant in the team's first year, second year, and later.
    pub caseload_norms: [i64; 3],
    pub conversation_weeks: i64,
    pub no_contact_days: i64,
    /// The youngest and oldest a young person in the programme may be.
    pub age_band: (i64, i64),
}

/// $1 municipality, $2 the youth's own login (a youth), $3 the company (a company contact).
macro_rules! internship_sql {
    ($($tail:literal),*) => {
        concat!(
            "SELECT i.id, i.youth_id, y.first_name || ' ' || y.last_name AS youth_name, i.company_id, \
             c.name AS company_name, i.contact_id, k.name AS contact_name, i.function, i.start_date, i.end_date, \
             i.hours_per_week, i.schedule, i.status, i.ended_by, i.converted_to, i.status_reason, \
             (SELECT COUNT(*) FROM internship_events e WHERE e.internship_id = i.id AND e.kind = 'extension') AS extensions \
             FROM internships i JOIN youth y ON y.id = i.youth_id JOIN companies c ON c.id = i.company_id \
             LEFT JOIN company_contacts k ON k.id = i.contact_id \
             WHERE i.municipality_code = $1 AND (CAST($2 AS BIGINT) IS NULL OR y.user_id = $2) \
             AND (CAST($3 AS BIGINT) IS NULL OR i.company_id = $3) ",
            $($tail),*
        )
    };
}

const GET_SQL: &str = internship_sql!("AND i.id = $4");
const BY_YOUTH_SQL: &str =
    internship_sql!("AND i.youth_id = $4 ORDER BY i.start_date DESC, i.id DESC");
const BY_COMPANY_SQL: &str = internship_sql!("ORDER BY i.start_date DESC, i.id DESC LIMIT 500");
const EVENTS_SQL: &str = "SELECT e.id, e.kind, e.effective_date, e.detail, e.previous, e.reason, e.decided_by, \
     u.display_name AS recorded_by_name, e.recorded_at FROM internship_events e JOIN users u ON u.id = e.recorded_by \
     WHERE e.internship_id = $1 ORDER BY e.id";
pub(crate) const EVENT_SQL: &str = "INSERT INTO internship_events (internship_id, kind, effective_date, detail, previous, reason, \
     decided_by, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub(crate) const OPEN_READINESS_SQL: &str =
    "SELECT readiness FROM courses WHERE youth_id = $1 AND exit_date IS NULL";

/// Locks the youth's row for the rest of the transaction (PostgreSQL), so two
/// changes to one youth's internships (an overlap check, then a write)
/// cannot interleave; on SQLite the writers' queue already does it.
pub(crate) const LOCK_YOUTH_SQL: &str = "UPDATE youth SET id = id WHERE id = $1";
const LOCK_YOUTH_OF_INTERNSHIP_SQL: &str =
    "UPDATE youth SET id = id WHERE id = (SELECT youth_id FROM internships WHERE id = $1)";
pub(crate) const OPEN_RANGES_SQL: &str = "SELECT start_date, end_date FROM internships \
     WHERE youth_id = $1 AND status IN ('planned', 'active') AND id <> $2";

/// Whether `range` shares a day with another planned or active internship of
/// the youth (leaving out internship `$except`).
macro_rules! overlaps_open_internship {
    ($conn:expr, $youth:expr, $except:expr, $range:expr) => {{
        let others: Vec<(String, String)> = sqlx::query_as($crate::internships::OPEN_RANGES_SQL)
            .bind($youth)
            .bind($except)
            .fetch_all($conn)
            .await?;
        let mut found = false;
        for (start, end) in others {
            if spire_domain::internship::overlaps(
                $range,
                (
                    $crate::internships::stored_date(&start)?,
                    $crate::internships::stored_date(&end)?,
                ),
            ) {
                found = true;
            }
        }
        found
    }};
}
pub(crate) use overlaps_open_internship;

/// The internship, if `visibility` lets it be seen; else `NotFound`.
macro_rules! visible_internship {
    ($conn:expr, $visibility:expr, $internship:expr) => {
        sqlx::query_as::<_, InternshipRow>(GET_SQL)
            .bind($visibility.municipality)
            .bind($visibility.own_user)
            .bind($visibility.company)
            .bind($internship.get())
            .fetch_optional($conn)
            .await?
            .ok_or(Error::NotFound)?
    };
}

/// Who may see which internships: (municipality, own youth login, company).
pub(crate) struct InternshipVisibility {
    municipality: i64,
    own_user: Option<i64>,
    company: Option<i64>,
}

/// A stored ISO date; anything else is corruption, not user input.
pub(crate) fn stored_date(text: &str) -> Result<Date> {
    Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|_| Error::Corrupt(format!("a stored date is not ISO 8601: {text:?}")))
}

pub(crate) fn readiness_of(code: Option<String>) -> Result<Readiness> {
    let code = code.ok_or(Error::Invalid(FieldError::new(
        "youth_id",
        Problem::NoOpenCourse,
    )))?;
    Readiness::from_code(&code).ok_or_else(|| Error::Corrupt(format!("readiness {code:?}")))
}

pub(crate) fn invalid(problems: Vec<FieldError>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidFields(problems))
    }
}

impl Db {
    /// The programme's rules as configured (LAB § 61 limits, caseload norms).
    pub async fn programme_rules(&self) -> Result<ProgrammeRules> {
        on_db!(self, |pool| {
            let (job, activity, extended, block, hours, first, second, later, conversation, contact): (
                i64, i64, i64, i64, f64, i64, i64, i64, i64, i64,
            ) = sqlx::query_as(
                "SELECT job_ready_weeks, activity_ready_weeks, extended_weeks, block_weeks, max_hours_per_week, \
                 caseload_first_year, caseload_second_year, caseload_later, conversation_weeks, no_contact_days \
                 FROM programme_rules WHERE id = 1",
            )
            .fetch_one(pool)
            .await?;
            let age_band: (i64, i64) =
                sqlx::query_as("SELECT min_age, max_age FROM programme_rules WHERE id = 1")
                    .fetch_one(pool)
                    .await?;
            Ok(ProgrammeRules {
                internship: InternshipRules {
                    job_ready_weeks: job,
                    activity_ready_weeks: activity,
                    extended_weeks: extended,
                    block_weeks: block,
                    max_hours_per_week: hours,
                },
                caseload_norms: [first, second, later],
                conversation_weeks: conversation,
                no_contact_days: contact,
                age_band,
            })
        })
    }

    /// Changes the internship limits (an administrator, after a change in the law).
    pub async fn set_internship_rules(&self, rules: &InternshipRules) -> Result<()> {
        let weeks_ok = [
            rules.job_ready_weeks,
            rules.activity_ready_weeks,
            rules.extended_weeks,
            rules.block_weeks,
        ]
        .into_iter()
        .all(|weeks| (1..=520).contains(&weeks));
        let hours_ok = rules.max_hours_per_week > 0.0 && rules.max_hours_per_week <= 80.0;
        if !(weeks_ok && hours_ok) {
            return Err(Error::Invalid(FieldError::new(
                "rules",
                Problem::OutOfRange,
            )));
        }
        on_db!(self, |pool| {
            sqlx::query(
                "UPDATE programme_rules SET job_ready_weeks = $1, activity_ready_weeks = $2, extended_weeks = $3, \
                 block_weeks = $4, max_hours_per_week = $5 WHERE id = 1",
            )
            .bind(rules.job_ready_weeks)
            .bind(rules.activity_ready_weeks)
            .bind(rules.extended_weeks)
            .bind(rules.block_weeks)
            .bind(rules.max_hours_per_week)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Changes the programme's age band (youngest, oldest), in whole years.
    pub async fn set_age_band(&self, min: i64, max: i64) -> Result<()> {
        if !((10..=40).contains(&min) && (10..=40).contains(&max) && min <= max) {
            return Err(Error::Invalid(FieldError::new("ages", Problem::OutOfRange)));
        }
        on_db!(self, |pool| {
            sqlx::query("UPDATE programme_rules SET min_age = $1, max_age = $2 WHERE id = 1")
                .bind(min)
                .bind(max)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Changes the team's caseload norms: youth per consultant in the first
    /// year, the second, and later.
    pub async fn set_caseload_norms(&self, norms: [i64; 3]) -> Result<()> {
        if !norms.iter().all(|n| (1..=200).contains(n)) {
            return Err(Error::Invalid(FieldError::new(
                "caseload",
                Problem::OutOfRange,
            )));
        }
        on_db!(self, |pool| {
            sqlx::query(
                "UPDATE programme_rules SET caseload_first_year = $1, caseload_second_year = $2, caseload_later = $3 WHERE id = 1",
            )
            .bind(norms[0])
            .bind(norms[1])
            .bind(norms[2])
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    async fn internship_visibility(&self, scope: &Scope) -> Result<InternshipVisibility> {
        let municipality = scope.municipality.ok_or(Error::NotFound)?;
        match scope.role {
            Role::Consultant | Role::Psychologist | Role::TeamLead => Ok(InternshipVisibility {
                municipality,
                own_user: None,
                company: None,
            }),
            Role::Youth => Ok(InternshipVisibility {
                municipality,
                own_user: Some(scope.user_id),
                company: None,
            }),
            Role::CompanyContact => {
                let company = on_db!(self, |pool| {
                    let mut tx = pool.begin_as(scope).await?;
                    sqlx::query_scalar::<_, Option<i64>>(
                        "SELECT company_id FROM users WHERE id = $1",
                    )
                    .bind(scope.user_id)
                    .fetch_one(&mut *tx)
                    .await?
                });
                Ok(InternshipVisibility {
                    municipality,
                    own_user: None,
                    // A contact without a company sees none: -1 matches no row.
                    company: Some(company.unwrap_or(-1)),
                })
            }
            _ => Err(Error::NotFound),
        }
    }

    /// Whether the scope may see this internship: checked before a request is
    /// parsed, so another municipality's id answers "not found" whatever was
    /// sent. Reads no personal data, so nothing is logged.
    pub async fn require_internship_visible(
        &self,
        scope: &Scope,
        internship: InternshipId,
    ) -> Result<()> {
        let visibility = self.internship_visibility(scope).await?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let _ = visible_internship!(&mut *tx, visibility, internship);
            Ok(())
        })
    }

    /// One internship and its history, if the scope may see it (logged).
    pub async fn internship(
        &self,
        scope: &Scope,
        internship: InternshipId,
    ) -> Result<(InternshipRow, Vec<InternshipEvent>)> {
        let visibility = self.internship_visibility(scope).await?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let mut row = visible_internship!(&mut *tx, visibility, internship);
            let mut events = sqlx::query_as::<_, InternshipEvent>(EVENTS_SQL)
                .bind(internship.get())
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            if visibility.company.is_some() {
                // The company sees the internship's facts, not the programme's
                // notes: no check-ins, reasons or who decided.
                events.retain(|e| e.kind != "check_in");
                for event in &mut events {
                    event.reason = None;
                    event.decided_by = None;
                }
                row.status_reason = None;
            }
            self.log_read(
                scope,
                AccessAction::Read,
                Some(row.youth_id),
                Some("internship"),
            )
            .await?;
            Ok((row, events))
        })
    }

    /// A youth's internships, newest first (logged).
    pub async fn youth_internships(
        &self,
        scope: &Scope,
        youth: YouthId,
    ) -> Result<Vec<InternshipRow>> {
        let visibility = self.internship_visibility(scope).await?;
        if visibility.company.is_some() {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            let rows = sqlx::query_as::<_, InternshipRow>(BY_YOUTH_SQL)
                .bind(visibility.municipality)
                .bind(visibility.own_user)
                .bind(visibility.company)
                .bind(youth.get())
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            self.log_read(
                scope,
                AccessAction::Read,
                Some(youth.get()),
                Some("internships"),
            )
            .await?;
            Ok(rows)
        })
    }

    /// The internships a company contact may see: those at their company.
    /// For staff, the municipality's latest 500.
    pub async fn visible_internships(&self, scope: &Scope) -> Result<Vec<InternshipRow>> {
        let visibility = self.internship_visibility(scope).await?;
        if visibility.own_user.is_some() {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let rows = sqlx::query_as::<_, InternshipRow>(BY_COMPANY_SQL)
                .bind(visibility.municipality)
                .bind(visibility.own_user)
                .bind(visibility.company)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            self.log_read(
                scope,
                AccessAction::Search,
                None::<i64>,
                Some("internships"),
            )
            .await?;
            Ok(rows)
        })
    }
}

// After the macros above, which it uses.
mod changes;
pub(crate) use changes::insert_planned_internship;
