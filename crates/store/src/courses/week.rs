//! The consultant's week (what is due, each youth's next step) and the
//! team's caseload against the norm.

use crate::internships::stored_date;
use crate::{AccessAction, BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::Role;
use spire_domain::eligibility::Readiness;
use time::Date;

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
    /// Share of the last 8 registered network meetings attended.
    pub meeting_stability: Option<f64>,
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
    /// Their share of full time in the team (1 when not placed in one).
    pub fte: f64,
}

impl ConsultantLoad {
    /// Their caseload norm: the team's norm for a full-time consultant,
    /// scaled by their FTE (0,8 of 22 is 18).
    pub fn norm(&self, full_time: i64) -> i64 {
        ((full_time as f64 * self.fte).round() as i64).max(1)
    }
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

impl Db {
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
        let mut week = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
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
                    meeting_stability: None,
                });
            }
            Ok::<_, Error>(ConsultantWeek { youth: list, items })
        })?;
        let ids: Vec<i64> = week.youth.iter().map(|y| y.youth_id).collect();
        let mine = (scope.role != Role::TeamLead).then_some(scope.user_id);
        let stability = self
            .meeting_stability(scope.municipality, &ids, mine)
            .await?;
        for youth in &mut week.youth {
            youth.meeting_stability = stability.get(&youth.youth_id).copied().flatten();
        }
        Ok(week)
    }

    /// The team: each consultant's and psychologist's caseload against the
    /// norm of the team's year.
    pub async fn team_overview(&self, scope: &Scope, today: Date) -> Result<TeamOverview> {
        if scope.role != Role::TeamLead {
            return Err(Error::NotFound);
        }
        let rules = self.programme_rules().await?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let consultants = sqlx::query_as::<_, ConsultantLoad>(
                "SELECT u.id AS user_id, u.display_name AS name, u.role, \
                 (SELECT COUNT(*) FROM youth y JOIN courses c ON c.youth_id = y.id AND c.exit_date IS NULL \
                  WHERE y.consultant_id = u.id) AS youth, \
                 (SELECT COUNT(*) FROM internships i JOIN youth y ON y.id = i.youth_id \
                  WHERE y.consultant_id = u.id AND i.status = 'active') AS active_internships, \
                 (SELECT COUNT(*) FROM tasks t WHERE t.assignee_id = u.id AND t.done_at IS NULL) AS open_tasks, \
                 COALESCE((SELECT MAX(tm.fte) FROM team_members tm WHERE tm.user_id = u.id), 1.0) AS fte \
                 FROM users u WHERE u.municipality_code = $1 AND u.role IN ('consultant', 'psychologist') AND u.awaiting_approval_since IS NULL AND u.deactivated_at IS NULL \
                 ORDER BY u.display_name, u.id",
            )
            .bind(scope.municipality)
            .fetch_all(&mut *tx)
            .await?;
            let (first_start, in_programme, unassigned): (Option<String>, i64, i64) = sqlx::query_as(
                "SELECT MIN(c.start_date), \
                 COALESCE(SUM(CASE WHEN c.exit_date IS NULL THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN c.exit_date IS NULL AND y.consultant_id IS NULL THEN 1 ELSE 0 END), 0) \
                 FROM courses c JOIN youth y ON y.id = c.youth_id WHERE c.municipality_code = $1",
            )
            .bind(scope.municipality)
            .fetch_one(&mut *tx)
            .await?;
            let team_year = crate::dashboards::team_year(
                first_start.as_deref().map(stored_date).transpose()?,
                today,
            );
            Ok(TeamOverview {
                consultants,
                norm: rules.caseload_norms[(team_year - 1) as usize],
                team_year,
                youth_in_programme: in_programme,
                unassigned,
            })
        })
    }
}
