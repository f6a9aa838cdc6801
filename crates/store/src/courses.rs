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
use spire_domain::course::{
    COURSE_NOTE_MAX, ENTRY_MAX, ExitReason, PSYCHOLOGIST_NOTE_MAX, follow_up_dates,
};
use spire_domain::eligibility::Readiness;
use spire_domain::validation::{optional_text, required_text};
use spire_domain::{CourseId, FieldError, Problem, Role, TaskId, YouthId};
use time::Date;

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

/// One thing on the consultant's week, with the record it links to.
#[derive(Debug, Clone, Serialize)]
pub struct WeekItem {
    /// `task`, `internship_starting`, `internship_ending`, `internship_overdue`,
    /// `near_limit`, `follow_up_due`, `conversation_due`, `no_contact`.
    pub kind: &'static str,
    pub youth_id: i64,
    pub youth_name: String,
    pub internship_id: Option<i64>,
    pub task_id: Option<i64>,
    pub date: Option<String>,
    /// The company, the months of a follow-up, the task's kind.
    pub detail: String,
}

/// A youth on the consultant's list, with the next step.
#[derive(Debug, Clone, Serialize)]
pub struct WeekYouth {
    pub youth_id: i64,
    pub consultant_id: Option<i64>,
    pub name: String,
    pub course_start: String,
    /// The current or next internship: company and function.
    pub internship: Option<String>,
    /// A `WeekItem` kind, or `find_internship` / `keep_going`.
    pub next_step: &'static str,
    /// Unix seconds of the last recorded contact.
    pub last_contact: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsultantWeek {
    pub youth: Vec<WeekYouth>,
    pub items: Vec<WeekItem>,
}

/// A consultant's load in the team.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ConsultantLoad {
    pub user_id: i64,
    pub name: String,
    pub role: String,
    pub youth: i64,
    pub active_internships: i64,
    pub open_tasks: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TeamOverview {
    pub consultants: Vec<ConsultantLoad>,
    /// Youth per consultant the team aims at this year.
    pub norm: i64,
    /// The team's year in the programme (1, 2, 3 or later), from its first course.
    pub team_year: i64,
    /// Youth with an open course.
    pub youth_in_programme: i64,
    /// Of those, without a consultant.
    pub unassigned: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProgressRow {
    pub id: i64,
    pub held_on: String,
    /// `youth` or `consultant`: who gave the scores.
    pub side: String,
    pub direction: i64,
    pub persistence: i64,
    pub curiosity: i64,
    pub resilience: i64,
    pub self_esteem: i64,
    pub note: String,
}

/// The five measures of a progress conversation, each 1-5.
pub const PROGRESS_MEASURES: [&str; 5] = [
    "direction",
    "persistence",
    "curiosity",
    "resilience",
    "self_esteem",
];

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PortfolioEntry {
    pub id: i64,
    /// `skill`, `experience` or `reference`.
    pub kind: String,
    pub text: String,
    pub company_name: Option<String>,
    pub written_by_name: String,
    pub written_at: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub note: String,
    pub written_by_name: String,
    pub written_at: i64,
}

/// The week's queries in two forms: for one consultant (`y.consultant_id =
/// $2`, which the index on youth by consultant serves) and for a whole
/// municipality (a team lead; `$2` is then NULL).
macro_rules! week_sql {
    ($name:ident, $head:literal, $tail:literal) => {
        const $name: [&str; 2] = [
            concat!($head, " AND y.consultant_id = $2 ", $tail),
            concat!($head, " AND CAST($2 AS BIGINT) IS NULL ", $tail),
        ];
    };
}

// Each youth with the last contact (a history row of their internships, a
// progress score, the course's start) and the last conversation, each found
// through the youth's own indexes.
week_sql!(
    WEEK_YOUTH_SQL,
    "SELECT y.id, y.first_name || ' ' || y.last_name, c.start_date, c.readiness, c.created_at, \
     (SELECT MAX(e.recorded_at) FROM internships i JOIN internship_events e ON e.internship_id = i.id \
      WHERE i.youth_id = y.id), \
     (SELECT MAX(p.recorded_at) FROM progress_scores p WHERE p.youth_id = y.id), \
     (SELECT MAX(p.held_on) FROM progress_scores p WHERE p.youth_id = y.id AND p.side = 'consultant'), \
     y.consultant_id \
     FROM youth y JOIN courses c ON c.youth_id = y.id AND c.exit_date IS NULL \
     WHERE y.municipality_code = $1",
    "ORDER BY y.last_name, y.first_name, y.id"
);
week_sql!(
    WEEK_INTERNSHIPS_SQL,
    "SELECT i.id, i.youth_id, i.status, i.start_date, i.end_date, co.name, i.function, \
     (SELECT COUNT(*) FROM internship_events e WHERE e.internship_id = i.id AND e.kind = 'extension') \
     FROM youth y JOIN internships i ON i.youth_id = y.id JOIN companies co ON co.id = i.company_id \
     WHERE y.municipality_code = $1 AND i.status IN ('planned', 'active')",
    "ORDER BY i.start_date"
);
week_sql!(
    WEEK_FOLLOW_UPS_SQL,
    "SELECT f.id, y.id, y.first_name || ' ' || y.last_name, f.months, f.due_date \
     FROM youth y JOIN courses c ON c.youth_id = y.id JOIN follow_ups f ON f.course_id = c.id \
     WHERE y.municipality_code = $1",
    "AND f.answer IS NULL AND f.due_date <= $3 ORDER BY f.due_date"
);

/// A youth on the week's list: id, name, course start, readiness, course
/// created, last internship history row, last score, last conversation,
/// consultant.
type WeekRow = (
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

const COURSE_SQL: &str = "SELECT id, youth_id, in_trial, readiness, start_date, exit_date, exit_reason, exit_note \
     FROM courses WHERE youth_id = $1 ORDER BY exit_date IS NULL DESC, id DESC LIMIT 1";

impl Db {
    /// Whether the scope may see this youth at all: checked before a request
    /// is parsed, so another municipality's id answers "not found" whatever
    /// was sent. Reads no personal data, so nothing is logged.
    pub async fn require_youth_visible(&self, scope: &Scope, youth: YouthId) -> Result<()> {
        on_db!(self, |pool| {
            crate::youth::require_visible_youth!(pool, scope, youth.get());
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
            let mut tx = pool.begin_write().await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
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
            let mut tx = pool.begin().await?;
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
            let mut tx = pool.begin_write().await?;
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
            let mut tx = pool.begin_write().await?;
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
            let mut tx = pool.begin_write().await?;
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

    /// The consultant's week: their youth with an open course and the next
    /// step for each, and what is due — tasks, internships starting, ending,
    /// overdue or near their legal limit, follow-ups, progress conversations,
    /// youth without contact. A team lead sees the whole municipality.
    pub async fn consultant_week(&self, scope: &Scope, today: Date) -> Result<ConsultantWeek> {
        if !scope.role.is_programme_staff() {
            return Err(Error::NotFound);
        }
        let rules = self.programme_rules().await?;
        let mine = (scope.role != Role::TeamLead).then_some(scope.user_id);
        let soon = (today + time::Duration::days(7)).to_string();
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            let form = usize::from(mine.is_none());
            let youth: Vec<WeekRow> = sqlx::query_as(WEEK_YOUTH_SQL[form])
                .bind(scope.municipality)
                .bind(mine)
                .fetch_all(&mut *tx)
                .await?;
            let internships: Vec<(i64, i64, String, String, String, String, String, i64)> =
                sqlx::query_as(WEEK_INTERNSHIPS_SQL[form])
                    .bind(scope.municipality)
                    .bind(mine)
                    .fetch_all(&mut *tx)
                    .await?;
            let follow_ups: Vec<(i64, i64, String, i64, String)> =
                sqlx::query_as(WEEK_FOLLOW_UPS_SQL[form])
                    .bind(scope.municipality)
                    .bind(mine)
                    .bind(&soon)
                    .fetch_all(&mut *tx)
                    .await?;
            let tasks: Vec<(i64, i64, String, String, Option<i64>, String)> = sqlx::query_as(
                "SELECT t.id, y.id, y.first_name || ' ' || y.last_name, t.kind, t.internship_id, t.due_date \
                 FROM tasks t JOIN youth y ON y.id = t.youth_id WHERE t.municipality_code = $1 AND t.done_at IS NULL \
                 AND (CAST($2 AS BIGINT) IS NULL OR t.assignee_id = $2 OR t.assignee_id IS NULL) ORDER BY t.due_date, t.id",
            )
            .bind(scope.municipality)
            .bind(mine)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            self.log_read(
                scope,
                AccessAction::Search,
                None::<i64>,
                Some("consultant-week"),
            )
            .await?;

            let names: std::collections::HashMap<i64, &str> = youth
                .iter()
                .map(|(id, name, ..)| (*id, name.as_str()))
                .collect();
            let readiness: std::collections::HashMap<i64, Readiness> = youth
                .iter()
                .filter_map(|row| Some((row.0, Readiness::from_code(&row.3)?)))
                .collect();
            let mut items = Vec::new();
            for (task, youth_id, name, kind, internship, due) in tasks {
                items.push(WeekItem {
                    kind: "task",
                    youth_id,
                    youth_name: name,
                    internship_id: internship,
                    task_id: Some(task),
                    date: Some(due),
                    detail: kind,
                });
            }
            let today_text = today.to_string();
            for &(
                id,
                youth_id,
                ref status,
                ref start,
                ref end,
                ref company,
                ref function,
                extensions,
            ) in &internships
            {
                let Some(name) = names.get(&youth_id) else {
                    continue;
                };
                let item = |kind: &'static str, date: &str| WeekItem {
                    kind,
                    youth_id,
                    youth_name: name.to_string(),
                    internship_id: Some(id),
                    task_id: None,
                    date: Some(date.to_string()),
                    detail: format!("{company} – {function}"),
                };
                if status == "planned" && start.as_str() <= soon.as_str() {
                    items.push(item("internship_starting", start));
                }
                if end.as_str() < today_text.as_str() {
                    items.push(item("internship_overdue", end));
                } else if status == "active" && end.as_str() <= soon.as_str() {
                    items.push(item("internship_ending", end));
                }
                // Near the legal limit: within a week of the longest allowed
                // length (an extension would be needed to go on).
                if let (Some(readiness), Ok(start_date), Ok(end_date)) = (
                    readiness.get(&youth_id),
                    stored_date(start),
                    stored_date(end),
                ) {
                    // Once extended, the end is the approved limit ("ending" covers it).
                    let limit_day = start_date.checked_add(time::Duration::days(
                        rules.internship.base_days(*readiness) - 1,
                    ));
                    if let Some(limit_day) = limit_day
                        && extensions == 0
                        && status == "active"
                        && end_date >= limit_day - time::Duration::days(7)
                        && limit_day - today <= time::Duration::days(14)
                    {
                        items.push(item("near_limit", &limit_day.to_string()));
                    }
                }
            }
            for (_, youth_id, name, months, due) in follow_ups {
                items.push(WeekItem {
                    kind: "follow_up_due",
                    youth_id,
                    youth_name: name,
                    internship_id: None,
                    task_id: None,
                    date: Some(due),
                    detail: months.to_string(),
                });
            }
            let conversation_every = time::Duration::weeks(rules.conversation_weeks);
            let no_contact = rules.no_contact_days * 86_400;
            let now = crate::now();
            let mut list = Vec::new();
            for (
                youth_id,
                name,
                course_start,
                _,
                created_at,
                last_event,
                last_score,
                last_held,
                consultant_id,
            ) in &youth
            {
                let last_held = last_held.as_deref().unwrap_or(course_start);
                let mut next_step = None;
                if let Ok(last) = stored_date(last_held) {
                    let due = last + conversation_every;
                    if due <= today + time::Duration::days(7) {
                        items.push(WeekItem {
                            kind: "conversation_due",
                            youth_id: *youth_id,
                            youth_name: name.clone(),
                            internship_id: None,
                            task_id: None,
                            date: Some(due.to_string()),
                            detail: String::new(),
                        });
                    }
                }
                let last_contact = [Some(*created_at), *last_event, *last_score]
                    .into_iter()
                    .flatten()
                    .max();
                if last_contact.is_none_or(|at| now - at > no_contact) {
                    items.push(WeekItem {
                        kind: "no_contact",
                        youth_id: *youth_id,
                        youth_name: name.clone(),
                        internship_id: None,
                        task_id: None,
                        date: None,
                        detail: String::new(),
                    });
                }
                if let Some(first) = items.iter().find(|i| i.youth_id == *youth_id) {
                    next_step = Some(first.kind);
                }
                let current = internships
                    .iter()
                    .filter(|i| i.1 == *youth_id)
                    .min_by_key(|i| (i.2 != "active", i.3.clone()));
                list.push(WeekYouth {
                    youth_id: *youth_id,
                    consultant_id: *consultant_id,
                    name: name.clone(),
                    course_start: course_start.clone(),
                    internship: current.map(|i| format!("{} – {}", i.5, i.6)),
                    next_step: next_step.unwrap_or(if current.is_some() {
                        "keep_going"
                    } else {
                        "find_internship"
                    }),
                    last_contact,
                });
            }
            Ok(ConsultantWeek { youth: list, items })
        })
    }

    /// The team: each consultant's and psychologist's caseload against the
    /// norm of the team's year.
    pub async fn team_overview(&self, scope: &Scope, today: Date) -> Result<TeamOverview> {
        if scope.role != Role::TeamLead {
            return Err(Error::NotFound);
        }
        let rules = self.programme_rules().await?;
        on_db!(self, |pool| {
            let consultants = sqlx::query_as::<_, ConsultantLoad>(
                "SELECT u.id AS user_id, u.display_name AS name, u.role, \
                 (SELECT COUNT(*) FROM youth y JOIN courses c ON c.youth_id = y.id AND c.exit_date IS NULL \
                  WHERE y.consultant_id = u.id) AS youth, \
                 (SELECT COUNT(*) FROM internships i JOIN youth y ON y.id = i.youth_id \
                  WHERE y.consultant_id = u.id AND i.status = 'active') AS active_internships, \
                 (SELECT COUNT(*) FROM tasks t WHERE t.assignee_id = u.id AND t.done_at IS NULL) AS open_tasks \
                 FROM users u WHERE u.municipality_code = $1 AND u.role IN ('consultant', 'psychologist') \
                 ORDER BY u.display_name, u.id",
            )
            .bind(scope.municipality)
            .fetch_all(pool)
            .await?;
            let (first_start, in_programme, unassigned): (Option<String>, i64, i64) = sqlx::query_as(
                "SELECT MIN(c.start_date), \
                 COALESCE(SUM(CASE WHEN c.exit_date IS NULL THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN c.exit_date IS NULL AND y.consultant_id IS NULL THEN 1 ELSE 0 END), 0) \
                 FROM courses c JOIN youth y ON y.id = c.youth_id WHERE c.municipality_code = $1",
            )
            .bind(scope.municipality)
            .fetch_one(pool)
            .await?;
            let team_year = match first_start.as_deref().map(stored_date).transpose()? {
                Some(first) => ((today - first).whole_days() / 365 + 1).clamp(1, 3),
                None => 1,
            };
            Ok(TeamOverview {
                consultants,
                norm: rules.caseload_norms[(team_year - 1) as usize],
                team_year,
                youth_in_programme: in_programme,
                unassigned,
            })
        })
    }

    /// The progress conversations' scores for a youth, oldest first (logged).
    pub async fn progress_scores(&self, scope: &Scope, youth: YouthId) -> Result<Vec<ProgressRow>> {
        if !(scope.role.is_programme_staff() || scope.role == Role::Youth) {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            let rows = sqlx::query_as::<_, ProgressRow>(
                "SELECT id, held_on, side, direction, persistence, curiosity, resilience, self_esteem, note \
                 FROM progress_scores WHERE youth_id = $1 ORDER BY held_on, side",
            )
            .bind(youth.get())
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            self.log_read(
                scope,
                AccessAction::Read,
                Some(youth.get()),
                Some("progress"),
            )
            .await?;
            Ok(rows)
        })
    }

    /// Records one side's scores of a progress conversation: the youth's own
    /// when the youth records them, otherwise the consultant's. Once per side
    /// and day.
    pub async fn record_progress(
        &self,
        scope: &Scope,
        youth: YouthId,
        held_on: Date,
        scores: [i64; 5],
        note: &str,
    ) -> Result<()> {
        let side = if scope.role == Role::Youth {
            "youth"
        } else {
            "consultant"
        };
        self.insert_progress(scope, youth, held_on, side, scores, note)
            .await
    }

    /// The youth's own scores, typed in by staff in the conversation (the
    /// youth scored on paper or out loud).
    pub async fn record_progress_for_youth(
        &self,
        scope: &Scope,
        youth: YouthId,
        held_on: Date,
        scores: [i64; 5],
        note: &str,
    ) -> Result<()> {
        if !scope.role.is_programme_staff() {
            return Err(Error::NotFound);
        }
        self.insert_progress(scope, youth, held_on, "youth", scores, note)
            .await
    }

    async fn insert_progress(
        &self,
        scope: &Scope,
        youth: YouthId,
        held_on: Date,
        side: &str,
        scores: [i64; 5],
        note: &str,
    ) -> Result<()> {
        if !(scope.role.is_programme_staff() || scope.role == Role::Youth) {
            return Err(Error::NotFound);
        }
        optional_text("note", note, COURSE_NOTE_MAX).map_err(Error::Invalid)?;
        for (measure, score) in PROGRESS_MEASURES.iter().zip(scores) {
            if !(1..=5).contains(&score) {
                return Err(Error::Invalid(FieldError::new(
                    measure,
                    Problem::OutOfRange,
                )));
            }
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            sqlx::query(
                "INSERT INTO progress_scores (municipality_code, youth_id, held_on, side, direction, persistence, \
                 curiosity, resilience, self_esteem, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(scope.municipality)
            .bind(youth.get())
            .bind(held_on.to_string())
            .bind(side)
            .bind(scores[0])
            .bind(scores[1])
            .bind(scores[2])
            .bind(scores[3])
            .bind(scores[4])
            .bind(note.trim())
            .bind(scope.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::unique_violation_as(e, "held_on", Problem::ProgressAlreadyRecorded))?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth.get()),
                Some("progress")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The portfolio's entries (skills, experiences, references), newest first.
    pub async fn portfolio_entries(
        &self,
        scope: &Scope,
        youth: YouthId,
    ) -> Result<Vec<PortfolioEntry>> {
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            let rows = sqlx::query_as::<_, PortfolioEntry>(
                "SELECT p.id, p.kind, p.text, c.name AS company_name, u.display_name AS written_by_name, p.written_at \
                 FROM portfolio_entries p JOIN users u ON u.id = p.written_by LEFT JOIN companies c ON c.id = p.company_id \
                 WHERE p.youth_id = $1 ORDER BY p.written_at DESC, p.id DESC",
            )
            .bind(youth.get())
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            self.log_read(
                scope,
                AccessAction::Read,
                Some(youth.get()),
                Some("portfolio"),
            )
            .await?;
            Ok(rows)
        })
    }

    /// Adds a skill or an experience to a youth's portfolio (the youth or staff).
    pub async fn add_portfolio_entry(
        &self,
        scope: &Scope,
        youth: YouthId,
        kind: &str,
        text: &str,
    ) -> Result<()> {
        if !(scope.role.is_programme_staff() || scope.role == Role::Youth) {
            return Err(Error::NotFound);
        }
        required_text("text", text, ENTRY_MAX).map_err(Error::Invalid)?;
        if !["skill", "experience"].contains(&kind) {
            return Err(Error::Invalid(FieldError::new(
                "kind",
                Problem::UnknownChoice,
            )));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            sqlx::query(
                "INSERT INTO portfolio_entries (municipality_code, youth_id, kind, text, written_by, written_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(scope.municipality)
            .bind(youth.get())
            .bind(kind)
            .bind(text.trim())
            .bind(scope.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth.get()),
                Some("portfolio")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A company contact writes a reference for a youth who has had an
    /// internship at their company.
    pub async fn write_reference(
        &self,
        scope: &Scope,
        internship: spire_domain::InternshipId,
        text: &str,
    ) -> Result<()> {
        if scope.role != Role::CompanyContact {
            return Err(Error::NotFound);
        }
        required_text("note", text, spire_domain::internship::NOTE_MAX).map_err(Error::Invalid)?;
        let (row, _) = self.internship(scope, internship).await?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO portfolio_entries (municipality_code, youth_id, kind, text, company_id, written_by, written_at) \
                 VALUES ($1, $2, 'reference', $3, $4, $5, $6)",
            )
            .bind(scope.municipality)
            .bind(row.youth_id)
            .bind(text.trim())
            .bind(row.company_id)
            .bind(scope.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(row.youth_id),
                Some("reference")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A psychologist's notes on a youth: readable and writable by
    /// psychologists only; every read is in the access log.
    pub async fn psychologist_notes(&self, scope: &Scope, youth: YouthId) -> Result<Vec<NoteRow>> {
        if scope.role != Role::Psychologist {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            let rows = sqlx::query_as::<_, NoteRow>(
                "SELECT n.id, n.note, u.display_name AS written_by_name, n.written_at FROM psychologist_notes n \
                 JOIN users u ON u.id = n.written_by WHERE n.youth_id = $1 AND n.municipality_code = $2 ORDER BY n.id DESC",
            )
            .bind(youth.get())
            .bind(scope.municipality)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            self.log_read(
                scope,
                AccessAction::Read,
                Some(youth.get()),
                Some("psychologist-notes"),
            )
            .await?;
            Ok(rows)
        })
    }

    pub async fn add_psychologist_note(
        &self,
        scope: &Scope,
        youth: YouthId,
        note: &str,
    ) -> Result<()> {
        if scope.role != Role::Psychologist {
            return Err(Error::NotFound);
        }
        required_text("note", note, PSYCHOLOGIST_NOTE_MAX).map_err(Error::Invalid)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            sqlx::query(
                "INSERT INTO psychologist_notes (municipality_code, youth_id, note, written_by, written_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(scope.municipality)
            .bind(youth.get())
            .bind(note.trim())
            .bind(scope.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Create,
                Some(youth.get()),
                Some("psychologist-notes")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }
}
