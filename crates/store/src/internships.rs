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
    Status, Transition, overlaps,
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
const EVENT_SQL: &str = "INSERT INTO internship_events (internship_id, kind, effective_date, detail, previous, reason, \
     decided_by, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const OPEN_READINESS_SQL: &str =
    "SELECT readiness FROM courses WHERE youth_id = $1 AND exit_date IS NULL";

/// Locks the youth's row for the rest of the transaction (PostgreSQL), so two
/// changes to one youth's internships (an overlap check, then a write)
/// cannot interleave; on SQLite the writers' queue already does it.
pub(crate) const LOCK_YOUTH_SQL: &str = "UPDATE youth SET id = id WHERE id = $1";
const LOCK_YOUTH_OF_INTERNSHIP_SQL: &str =
    "UPDATE youth SET id = id WHERE id = (SELECT youth_id FROM internships WHERE id = $1)";
const OPEN_RANGES_SQL: &str = "SELECT start_date, end_date FROM internships \
     WHERE youth_id = $1 AND status IN ('planned', 'active') AND id <> $2";

/// Whether `range` shares a day with another planned or active internship of
/// the youth (leaving out internship `$except`).
macro_rules! overlaps_open_internship {
    ($conn:expr, $youth:expr, $except:expr, $range:expr) => {{
        let others: Vec<(String, String)> = sqlx::query_as(OPEN_RANGES_SQL)
            .bind($youth)
            .bind($except)
            .fetch_all($conn)
            .await?;
        let mut found = false;
        for (start, end) in others {
            if overlaps($range, (stored_date(&start)?, stored_date(&end)?)) {
                found = true;
            }
        }
        found
    }};
}

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

fn readiness_of(code: Option<String>) -> Result<Readiness> {
    let code = code.ok_or(Error::Invalid(FieldError::new(
        "youth_id",
        Problem::NoOpenCourse,
    )))?;
    Readiness::from_code(&code).ok_or_else(|| Error::Corrupt(format!("readiness {code:?}")))
}

fn invalid(problems: Vec<FieldError>) -> Result<()> {
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
                    sqlx::query_scalar::<_, Option<i64>>(
                        "SELECT company_id FROM users WHERE id = $1",
                    )
                    .bind(scope.user_id)
                    .fetch_one(pool)
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

    /// Creates a planned internship for a youth with an open course, within
    /// the law: every problem is refused with its field, never saved quietly.
    pub async fn create_internship(
        &self,
        scope: &Scope,
        new: &NewInternship,
    ) -> Result<InternshipId> {
        if !scope.role.is_programme_staff() {
            return Err(Error::NotFound);
        }
        let municipality = scope.municipality.ok_or(Error::NotFound)?;
        let rules = self.programme_rules().await?.internship;
        let youth_id = new.youth.get();
        let now = crate::now();
        let mut problems = Vec::new();
        if let Err(e) = required_text("function", &new.function, FUNCTION_MAX) {
            problems.push(e);
        }
        if let Err(e) = optional_text("schedule", &new.schedule, SCHEDULE_MAX) {
            problems.push(e);
        }
        invalid(problems)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth_id);
            sqlx::query(LOCK_YOUTH_SQL)
                .bind(youth_id)
                .execute(&mut *tx)
                .await?;
            let readiness = readiness_of(
                sqlx::query_scalar(OPEN_READINESS_SQL)
                    .bind(youth_id)
                    .fetch_optional(&mut *tx)
                    .await?,
            )?;
            let mut problems = rules.check(&Plan {
                readiness,
                start: new.start,
                end: new.end,
                hours_per_week: new.hours_per_week,
            });
            let company: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM companies WHERE id = $1 AND municipality_code = $2",
            )
            .bind(new.company.get())
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            if company.is_none() {
                problems.push(FieldError::new("company_id", Problem::UnknownCompany));
            } else if let Some(contact) = new.contact_id {
                let known: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM company_contacts WHERE id = $1 AND company_id = $2",
                )
                .bind(contact)
                .bind(new.company.get())
                .fetch_optional(&mut *tx)
                .await?;
                if known.is_none() {
                    problems.push(FieldError::new("contact_id", Problem::UnknownContact));
                }
            }
            if new.start <= new.end
                && overlaps_open_internship!(&mut *tx, youth_id, -1_i64, (new.start, new.end))
            {
                problems.push(FieldError::new("start_date", Problem::OverlapsInternship));
            }
            invalid(problems)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO internships (municipality_code, youth_id, company_id, contact_id, function, start_date, \
                 end_date, hours_per_week, schedule, status, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'planned', $10, $11) RETURNING id",
            )
            .bind(municipality)
            .bind(youth_id)
            .bind(new.company.get())
            .bind(new.contact_id)
            .bind(&new.function)
            .bind(new.start.to_string())
            .bind(new.end.to_string())
            .bind(new.hours_per_week)
            .bind(&new.schedule)
            .bind(scope.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(EVENT_SQL)
                .bind(id)
                .bind("created")
                .bind(new.start.to_string())
                .bind(&new.function)
                .bind(None::<&str>)
                .bind(None::<&str>)
                .bind(None::<&str>)
                .bind(scope.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Create,
                Some(youth_id),
                Some("internship")
            )?;
            tx.commit().await?;
            Ok(InternshipId::new(id))
        })
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
            let _ = visible_internship!(pool, visibility, internship);
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
            let mut tx = pool.begin().await?;
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
            let mut tx = pool.begin().await?;
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
            let mut tx = pool.begin().await?;
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

    /// Changes what the youth does in the company from a date; the earlier
    /// function stays in the history.
    pub async fn change_internship_function(
        &self,
        scope: &Scope,
        internship: InternshipId,
        function: &str,
        from: Date,
    ) -> Result<()> {
        self.change_internship(scope, internship, |row, _rules, _readiness| {
            let start = stored_date(&row.start_date)?;
            let end = stored_date(&row.end_date)?;
            if from < start || from > end {
                return Err(Error::Invalid(FieldError::new(
                    "from_date",
                    Problem::OutOfRange,
                )));
            }
            if !Status::from_code(&row.status).is_some_and(Status::is_open) {
                return Err(Error::Invalid(FieldError::new(
                    "transition",
                    Problem::TransitionNotAllowed,
                )));
            }
            required_text("function", function, FUNCTION_MAX).map_err(Error::Invalid)?;
            Ok(Change {
                new_range: None,
                set_sql: "UPDATE internships SET function = $1 WHERE id = $2",
                set_value: function.to_string(),
                kind: "function",
                effective_date: Some(from.to_string()),
                detail: function.to_string(),
                previous: Some(row.function.clone()),
                reason: None,
                decided_by: None,
            })
        })
        .await
    }

    /// Extends an internship beyond its limit: a later end, a reason and who
    /// decided, within the extended limit of the law.
    pub async fn extend_internship(
        &self,
        scope: &Scope,
        internship: InternshipId,
        new_end: Date,
        reason: &str,
        decided_by: &str,
    ) -> Result<()> {
        self.change_internship(scope, internship, |row, rules, readiness| {
            if !Status::from_code(&row.status).is_some_and(Status::is_open) {
                return Err(Error::Invalid(FieldError::new(
                    "transition",
                    Problem::TransitionNotAllowed,
                )));
            }
            let plan = Plan {
                readiness,
                start: stored_date(&row.start_date)?,
                end: stored_date(&row.end_date)?,
                hours_per_week: row.hours_per_week,
            };
            let mut problems = rules.check_extension(&plan, new_end, reason, decided_by);
            if let Err(e) = optional_text("reason", reason, REASON_MAX) {
                problems.push(e);
            }
            if let Err(e) = optional_text("decided_by", decided_by, DECIDED_BY_MAX) {
                problems.push(e);
            }
            invalid(problems)?;
            Ok(Change {
                new_range: Some((plan.start, new_end)),
                set_sql: "UPDATE internships SET end_date = $1 WHERE id = $2",
                set_value: new_end.to_string(),
                kind: "extension",
                effective_date: Some(new_end.to_string()),
                detail: new_end.to_string(),
                previous: Some(row.end_date.clone()),
                reason: Some(reason.trim().to_string()),
                decided_by: Some(decided_by.trim().to_string()),
            })
        })
        .await
    }

    /// Moves an internship to its next status (the state machine decides),
    /// with a reason for an interruption.
    pub async fn transition_internship(
        &self,
        scope: &Scope,
        internship: InternshipId,
        transition: Transition,
        reason: &str,
    ) -> Result<()> {
        if scope.role == Role::Youth || scope.role == Role::CompanyContact {
            return Err(Error::NotFound);
        }
        self.apply_transition(scope, internship, transition, reason, false)
            .await
    }

    /// The youth ends an internship that is wrong for them (power shift): it
    /// is interrupted by the youth, and their consultant gets a task.
    pub async fn end_own_internship(
        &self,
        scope: &Scope,
        internship: InternshipId,
        reason: &str,
    ) -> Result<()> {
        if scope.role != Role::Youth {
            return Err(Error::NotFound);
        }
        self.apply_transition(
            scope,
            internship,
            Transition::Interrupt(spire_domain::internship::EndedBy::Youth),
            reason,
            true,
        )
        .await
    }

    async fn apply_transition(
        &self,
        scope: &Scope,
        internship: InternshipId,
        transition: Transition,
        reason: &str,
        task_for_consultant: bool,
    ) -> Result<()> {
        let reason = reason.trim();
        if matches!(transition, Transition::Interrupt(_)) && reason.is_empty() {
            return Err(Error::Invalid(FieldError::new("reason", Problem::Required)));
        }
        optional_text("reason", reason, REASON_MAX).map_err(Error::Invalid)?;
        let visibility = self.internship_visibility(scope).await?;
        let now = crate::now();
        let today = time::OffsetDateTime::now_utc().date();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(LOCK_YOUTH_OF_INTERNSHIP_SQL)
                .bind(internship.get())
                .execute(&mut *tx)
                .await?;
            let row = visible_internship!(&mut *tx, visibility, internship);
            let from = Status::from_code(&row.status)
                .ok_or_else(|| Error::Corrupt(format!("internship status {:?}", row.status)))?;
            let next = from.after(transition).map_err(Error::Invalid)?;
            let (ended_by, converted_to) = match transition {
                Transition::Interrupt(by) => (Some(by.code()), None),
                Transition::Convert(to) => (None, Some(to.code())),
                _ => (None, None),
            };
            let changed = sqlx::query(
                "UPDATE internships SET status = $1, ended_by = $2, converted_to = $3, status_reason = $4 \
                 WHERE id = $5 AND status = $6",
            )
            .bind(next.code())
            .bind(ended_by)
            .bind(converted_to)
            .bind((!reason.is_empty()).then_some(reason))
            .bind(internship.get())
            .bind(from.code())
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() != 1 {
                return Err(Error::Invalid(FieldError::new(
                    "transition",
                    Problem::TransitionNotAllowed,
                )));
            }
            let detail = match (ended_by, converted_to) {
                (Some(by), _) => format!("{}:{by}", next.code()),
                (_, Some(to)) => format!("{}:{to}", next.code()),
                _ => next.code().to_string(),
            };
            sqlx::query(EVENT_SQL)
                .bind(internship.get())
                .bind("status")
                .bind(today.to_string())
                .bind(&detail)
                .bind(from.code())
                .bind((!reason.is_empty()).then_some(reason))
                .bind(None::<&str>)
                .bind(scope.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if task_for_consultant {
                sqlx::query(
                    "INSERT INTO tasks (municipality_code, youth_id, assignee_id, kind, internship_id, due_date, created_at) \
                     SELECT y.municipality_code, y.id, y.consultant_id, 'internship_ended_by_youth', $1, $2, $3 \
                     FROM youth y WHERE y.id = $4",
                )
                .bind(internship.get())
                .bind(today.to_string())
                .bind(now)
                .bind(row.youth_id)
                .execute(&mut *tx)
                .await?;
            }
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(row.youth_id),
                Some("internship")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A weekly check-in note on an internship.
    pub async fn check_in_internship(
        &self,
        scope: &Scope,
        internship: InternshipId,
        note: &str,
    ) -> Result<()> {
        let today = time::OffsetDateTime::now_utc().date();
        self.change_internship(scope, internship, |_row, _rules, _readiness| {
            required_text("note", note, NOTE_MAX).map_err(Error::Invalid)?;
            Ok(Change {
                new_range: None,
                set_sql: "",
                set_value: String::new(),
                kind: "check_in",
                effective_date: Some(today.to_string()),
                detail: note.trim().to_string(),
                previous: None,
                reason: None,
                decided_by: None,
            })
        })
        .await
    }

    /// A change by programme staff to one internship: `decide` looks at the
    /// current row (and the rules and the youth's readiness) and says what to
    /// write; the change and its history row go in one transaction.
    async fn change_internship(
        &self,
        scope: &Scope,
        internship: InternshipId,
        decide: impl FnOnce(&InternshipRow, &InternshipRules, Readiness) -> Result<Change>,
    ) -> Result<()> {
        if !scope.role.is_programme_staff() {
            return Err(Error::NotFound);
        }
        let visibility = self.internship_visibility(scope).await?;
        let rules = self.programme_rules().await?.internship;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(LOCK_YOUTH_OF_INTERNSHIP_SQL)
                .bind(internship.get())
                .execute(&mut *tx)
                .await?;
            let row = visible_internship!(&mut *tx, visibility, internship);
            let readiness: Option<String> = sqlx::query_scalar(
                "SELECT readiness FROM courses WHERE youth_id = $1 ORDER BY exit_date IS NULL DESC, id DESC LIMIT 1",
            )
            .bind(row.youth_id)
            .fetch_optional(&mut *tx)
            .await?;
            let change = decide(&row, &rules, readiness_of(readiness)?)?;
            if let Some(range) = change.new_range
                && overlaps_open_internship!(&mut *tx, row.youth_id, row.id, range)
            {
                return Err(Error::Invalid(FieldError::new(
                    "new_end_date",
                    Problem::OverlapsInternship,
                )));
            }
            if !change.set_sql.is_empty() {
                sqlx::query(change.set_sql)
                    .bind(&change.set_value)
                    .bind(internship.get())
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(EVENT_SQL)
                .bind(internship.get())
                .bind(change.kind)
                .bind(change.effective_date.as_deref())
                .bind(&change.detail)
                .bind(change.previous.as_deref())
                .bind(change.reason.as_deref())
                .bind(change.decided_by.as_deref())
                .bind(scope.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(row.youth_id),
                Some("internship")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }
}

/// What one change writes: a column update (or none) and a history row; a
/// new date range is checked against the youth's other open internships.
struct Change {
    new_range: Option<(Date, Date)>,
    set_sql: &'static str,
    set_value: String,
    kind: &'static str,
    effective_date: Option<String>,
    detail: String,
    previous: Option<String>,
    reason: Option<String>,
    decided_by: Option<String>,
}
