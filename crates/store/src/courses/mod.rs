//! Courses (forløb) and the work around them: opening one outside the trial
//! (one from the trial opens with the accepted offer, in `trials/take_up.rs`),
//! the exit and its durability follow-ups, tasks, the consultant's week, the
//! team's caseload, progress conversations, the portfolio's entries and the
//! psychologists' own notes. Personal data: every function takes a `Scope`
//! and logs its use in the same transaction.

use crate::access_log::{AccessAction, log_access};
use crate::internships::stored_date;
use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::course::{COURSE_NOTE_MAX, ExitReason, follow_up_dates};
use spire_domain::eligibility::Readiness;
use spire_domain::validation::optional_text;
use spire_domain::{CourseId, FieldError, Problem, Role, TaskId, YouthId};
use time::Date;

mod notes;
mod progress;
mod week;

pub use notes::NoteRow;
pub use progress::{PROGRESS_MEASURES, PortfolioEntry, ProgressRow};
pub use week::{ConsultantLoad, ConsultantWeek, TeamOverview, WeekItem, WeekYouth};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CourseRow {
    pub id: i64,
    pub youth_id: i64,
    /// From an accepted offer in the trial; `false`: outside the trial, never analysed.
    pub in_trial: bool,
    pub readiness: String,
    pub start_date: String,
    pub exit_date: Option<String>,
    pub exit_reason: Option<String>,
    pub exit_note: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FollowUpRow {
    pub id: i64,
    pub months: i64,
    pub due_date: String,
    /// `yes`, `no` or `unknown` once answered.
    pub answer: Option<String>,
}

const COURSE_SQL: &str = "SELECT id, youth_id, in_trial, readiness, start_date, exit_date, exit_reason, exit_note \
     FROM courses WHERE youth_id = $1 ORDER BY exit_date IS NULL DESC, id DESC LIMIT 1";

impl Db {
    /// Whether the scope may see this youth at all: checked before a request
    /// is parsed, so another municipality's id answers "not found" whatever
    /// was sent. Reads no personal data, so nothing is logged.
    pub async fn require_youth_visible(&self, scope: &Scope, youth: YouthId) -> Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            Ok(())
        })
    }

    /// Opens a course for a youth outside the trial (marked so, and never
    /// part of its analysis). One open course per youth.
    pub async fn open_course(
        &self,
        scope: &Scope,
        youth: YouthId,
        readiness: Readiness,
        start: Date,
    ) -> Result<CourseId> {
        if !scope.role.is_programme_staff() {
            return Err(Error::NotFound);
        }
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            // Drawn to control in an open trial: no course around the draw.
            let (lookup, municipality): (Vec<u8>, i64) =
                sqlx::query_as("SELECT cpr_lookup, municipality_code FROM youth WHERE id = $1")
                    .bind(youth.get())
                    .fetch_one(&mut *tx)
                    .await?;
            let refused = match crate::trials::trial_standing!(tx, municipality, &lookup) {
                crate::trials::TrialStanding::Control => Some(Problem::TrialControlArm),
                crate::trials::TrialStanding::Elsewhere { .. } => Some(Problem::CprElsewhere),
                _ => None,
            };
            if let Some(problem) = refused {
                return Err(Error::Invalid(FieldError::new("youth_id", problem)));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO courses (municipality_code, youth_id, in_trial, readiness, start_date, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(scope.municipality)
            .bind(youth.get())
            .bind(false)
            .bind(readiness.code())
            .bind(start.to_string())
            .bind(scope.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| crate::unique_violation_as(e, "youth_id", Problem::CourseAlreadyOpen))?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Create,
                Some(youth.get()),
                Some("course")
            )?;
            tx.commit().await?;
            Ok(CourseId::new(id))
        })
    }

    /// The youth's open course (or the last one) and its follow-ups; logged.
    pub async fn course(
        &self,
        scope: &Scope,
        youth: YouthId,
    ) -> Result<Option<(CourseRow, Vec<FollowUpRow>)>> {
        if !(scope.role.is_programme_staff() || scope.role == Role::Youth) {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            let course = sqlx::query_as::<_, CourseRow>(COURSE_SQL)
                .bind(youth.get())
                .fetch_optional(&mut *tx)
                .await?;
            let mut result = None;
            if let Some(course) = course {
                let follow_ups = sqlx::query_as::<_, FollowUpRow>(
                    "SELECT id, months, due_date, answer FROM follow_ups WHERE course_id = $1 ORDER BY months",
                )
                .bind(course.id)
                .fetch_all(&mut *tx)
                .await?;
                result = Some((course, follow_ups));
            }
            tx.commit().await?;
            self.log_read(scope, AccessAction::Read, Some(youth.get()), Some("course"))
                .await?;
            Ok(result)
        })
    }

    /// Ends the youth's open course; an exit to job or education gets its
    /// follow-ups at 3, 6 and 12 months.
    pub async fn exit_course(
        &self,
        scope: &Scope,
        youth: YouthId,
        exit: Date,
        reason: ExitReason,
        note: Option<&str>,
    ) -> Result<()> {
        if !scope.role.is_programme_staff() {
            return Err(Error::NotFound);
        }
        if let Some(note) = note {
            optional_text("exit_note", note, COURSE_NOTE_MAX).map_err(Error::Invalid)?;
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            sqlx::query(crate::internships::LOCK_YOUTH_SQL)
                .bind(youth.get())
                .execute(&mut *tx)
                .await?;
            let open: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, start_date FROM courses WHERE youth_id = $1 AND exit_date IS NULL",
            )
            .bind(youth.get())
            .fetch_optional(&mut *tx)
            .await?;
            let (course, start) = open.ok_or(Error::Invalid(FieldError::new(
                "exit_reason",
                Problem::NoOpenCourse,
            )))?;
            let open_internships: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM internships WHERE youth_id = $1 AND status IN ('planned', 'active')",
            )
            .bind(youth.get())
            .fetch_one(&mut *tx)
            .await?;
            if open_internships > 0 {
                return Err(Error::Invalid(FieldError::new(
                    "exit_date",
                    Problem::OpenInternships,
                )));
            }
            if exit < stored_date(&start)? {
                return Err(Error::Invalid(FieldError::new(
                    "exit_date",
                    Problem::EndBeforeStart,
                )));
            }
            sqlx::query(
                "UPDATE courses SET exit_date = $1, exit_reason = $2, exit_note = $3 WHERE id = $4 AND exit_date IS NULL",
            )
            .bind(exit.to_string())
            .bind(reason.code())
            .bind(note)
            .bind(course)
            .execute(&mut *tx)
            .await?;
            if reason.is_job_or_education() {
                for (months, due) in follow_up_dates(exit) {
                    sqlx::query(
                        "INSERT INTO follow_ups (course_id, months, due_date) VALUES ($1, $2, $3)",
                    )
                    .bind(course)
                    .bind(i64::from(months))
                    .bind(due.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth.get()),
                Some("course exit")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records a durability follow-up: still in job or education? (`yes`,
    /// `no`, `unknown`).
    pub async fn answer_follow_up(
        &self,
        scope: &Scope,
        follow_up: i64,
        answer: &str,
    ) -> Result<()> {
        if !scope.role.is_programme_staff() {
            return Err(Error::NotFound);
        }
        if !["yes", "no", "unknown"].contains(&answer) {
            return Err(Error::Invalid(FieldError::new(
                "answer",
                Problem::UnknownChoice,
            )));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let youth: i64 = sqlx::query_scalar(
                "SELECT c.youth_id FROM follow_ups f JOIN courses c ON c.id = f.course_id \
                 WHERE f.id = $1 AND c.municipality_code = $2",
            )
            .bind(follow_up)
            .bind(scope.municipality)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            sqlx::query("UPDATE follow_ups SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4")
                .bind(answer)
                .bind(scope.user_id)
                .bind(crate::now())
                .bind(follow_up)
                .execute(&mut *tx)
                .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth),
                Some("follow-up")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Marks a task of the municipality done (again is no change); logged.
    pub async fn complete_task(&self, scope: &Scope, task: TaskId) -> Result<()> {
        if !scope.role.is_programme_staff() {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            // Another municipality's or an unknown task is not found.
            let (youth, done_at): (i64, Option<i64>) = sqlx::query_as(
                "SELECT youth_id, done_at FROM tasks WHERE id = $1 AND municipality_code = $2",
            )
            .bind(task.get())
            .bind(scope.municipality)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            if done_at.is_some() {
                // Done already (a second click, a reload): nothing to write.
                return Ok(());
            }
            sqlx::query("UPDATE tasks SET done_at = $1, done_by = $2 WHERE id = $3")
                .bind(crate::now())
                .bind(scope.user_id)
                .bind(task.get())
                .execute(&mut *tx)
                .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth),
                Some("task")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }
}
