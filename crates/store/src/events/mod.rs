//! Events (NExTWORK-events): a municipality plans an event, invites companies
//! from its network, chooses the youth (some as hosts) and lets the matching
//! engine plan the rotation grid, which staff may change by hand with a check
//! that names what the change breaks. After the event the youth rank and the
//! companies mark (`choices.rs`), the engine matches them, and each pair
//! becomes a call the company makes (`calls.rs`).
//!
//! Who sees what: programme staff see their municipality's events; a company
//! contact sees the events their company is invited to, their own tables and
//! the youth they met (first names); a youth sees the events they are at and
//! their own rounds. Nobody outside sees anything (not found).

use crate::access_log::{AccessAction, log_access};
use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::event::{PLACE_MAX, TABLES_MAX, TITLE_MAX, check_deadline, check_size};
use spire_domain::network::time_text;
use spire_domain::validation::{optional_text, required_text};
use spire_domain::{CompanyId, EventId, FieldError, Problem, Role, YouthId};
use spire_matching::{
    Company, GridProblem, Meeting, RotationRequest, Youth, check_grid, plan_rotation,
};
use time::{Date, Time};

mod calls;
mod choices;
mod codes;
mod grid;

use grid::{GridInput, grid_input, stored_seats};

pub use calls::{CallRow, CallUpdate};
pub use choices::{Choices, MatchLine, MatchView, PreferenceExport};
pub use codes::{LoginCode, LoginCodeOutcome};

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub title: String,
    pub date: Date,
    pub time: Time,
    pub place: String,
    pub rounds: i64,
    pub meetings_per_youth: i64,
    pub ranking_deadline: Date,
    pub facilitators: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub title: String,
    pub event_date: String,
    pub start_time: String,
    pub place: String,
    pub rounds: i64,
    pub meetings_per_youth: i64,
    pub ranking_deadline: String,
    /// Companies that said yes.
    pub companies: i64,
    pub youth: i64,
    /// Whether the engine has matched the event.
    pub matched: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventCompanyRow {
    pub company_id: i64,
    pub name: String,
    pub industry: String,
    /// `invited`, `accepted` or `declined`.
    pub status: String,
    pub tables: i64,
    /// Internship places offered after the event; `None`: not said yet.
    pub places: Option<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventYouthRow {
    pub youth_id: i64,
    pub first_name: String,
    /// Staff only (empty for others).
    pub last_name: String,
    pub host: bool,
    /// Staff only.
    pub interests: String,
}

/// One seat of the grid: in `round` the youth sits at the company's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SeatRow {
    pub round: i64,
    pub company_id: i64,
    pub company_name: String,
    pub table_no: i64,
    pub youth_id: i64,
    /// The first name.
    pub youth_name: String,
    /// Staff only: the last name's first letter, to tell two of one name apart.
    pub initial: String,
}

/// A grid problem with names, for the page and the API.
#[derive(Debug, Clone, Serialize)]
pub struct GridIssue {
    /// `no_such_seat`, `youth_twice_in_round`, `table_taken`, `met_twice`,
    /// `no_shared_interest`, `fewer_meetings`.
    pub kind: &'static str,
    pub round: Option<i64>,
    pub youth: Option<String>,
    pub company: Option<String>,
    pub table: Option<i64>,
    pub planned: Option<i64>,
    pub requested: Option<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct GridLogRow {
    pub change: String,
    pub breaks: String,
    pub changed_by: String,
    pub changed_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventDetail {
    pub event: EventRow,
    pub facilitators: Vec<String>,
    /// Staff: every invited company; a company contact: their own.
    pub companies: Vec<EventCompanyRow>,
    /// Staff: every youth; a company contact: the youth at their tables; a
    /// youth: themselves.
    pub youth: Vec<EventYouthRow>,
    /// Staff: the whole grid; others: their own seats.
    pub grid: Vec<SeatRow>,
    /// Staff: what the grid as it stands breaks.
    pub grid_issues: Vec<GridIssue>,
    pub grid_log: Vec<GridLogRow>,
}

/// A seat moved by hand.
#[derive(Debug, Clone, Copy)]
pub struct SeatMove {
    pub youth: YouthId,
    pub round: i64,
    pub company: CompanyId,
    pub table: i64,
}

/// Who is looking at events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Viewer {
    Staff { municipality: i64 },
    Company { municipality: i64, company: i64 },
    Youth { municipality: i64, youth: i64 },
}

impl Viewer {
    pub(crate) fn municipality(self) -> i64 {
        match self {
            Viewer::Staff { municipality }
            | Viewer::Company { municipality, .. }
            | Viewer::Youth { municipality, .. } => municipality,
        }
    }
}

/// Events a viewer may see, as a SQL predicate on `e`: $2 municipality,
/// $3 the company (a contact), $4 the youth.
macro_rules! event_visible {
    () => {
        "e.municipality_code = $2 \
         AND (CAST($3 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM event_companies ec WHERE ec.event_id = e.id AND ec.company_id = $3)) \
         AND (CAST($4 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM event_youth ey WHERE ey.event_id = e.id AND ey.youth_id = $4))"
    };
}

macro_rules! event_sql {
    ($($tail:expr),*) => {
        concat!(
            "SELECT e.id, e.title, e.event_date, e.start_time, e.place, e.rounds, e.meetings_per_youth, e.ranking_deadline, \
             (SELECT COUNT(*) FROM event_companies c WHERE c.event_id = e.id AND c.status = 'accepted') AS companies, \
             (SELECT COUNT(*) FROM event_youth y WHERE y.event_id = e.id) AS youth, \
             EXISTS (SELECT 1 FROM match_runs r WHERE r.event_id = e.id) AS matched \
             FROM events e ",
            $($tail),*
        )
    };
}

/// The event if the viewer may see it, else not found. `$1` is the event.
macro_rules! require_event {
    ($conn:expr, $event:expr, $viewer:expr) => {{
        let (company, youth) = $crate::events::viewer_binds($viewer);
        sqlx::query_as::<_, $crate::events::EventRow>(event_sql!(
            "WHERE e.id = $1 AND ",
            event_visible!()
        ))
        .bind($event.get())
        .bind($viewer.municipality())
        .bind(company)
        .bind(youth)
        .fetch_optional($conn)
        .await?
        .ok_or(Error::NotFound)?
    }};
}
pub(crate) use {event_sql, event_visible, require_event};

pub(crate) fn viewer_binds(viewer: Viewer) -> (Option<i64>, Option<i64>) {
    match viewer {
        Viewer::Staff { .. } => (None, None),
        Viewer::Company { company, .. } => (Some(company), None),
        Viewer::Youth { youth, .. } => (None, Some(youth)),
    }
}

/// Who the scope is, for events: staff, a company's contact, or a youth.
macro_rules! viewer {
    ($conn:expr, $scope:expr) => {{
        let municipality = $scope.municipality.ok_or(Error::NotFound)?;
        match $scope.role {
            role if role.is_programme_staff() => $crate::events::Viewer::Staff { municipality },
            Role::CompanyContact => {
                let company: Option<i64> = sqlx::query_scalar(
                    "SELECT u.company_id FROM users u JOIN companies c ON c.id = u.company_id \
                     WHERE u.id = $1 AND c.municipality_code = $2",
                )
                .bind($scope.user_id)
                .bind(municipality)
                .fetch_optional($conn)
                .await?
                .flatten();
                $crate::events::Viewer::Company {
                    municipality,
                    company: company.ok_or(Error::NotFound)?,
                }
            }
            Role::Youth => {
                let youth: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM youth WHERE user_id = $1 AND municipality_code = $2",
                )
                .bind($scope.user_id)
                .bind(municipality)
                .fetch_optional($conn)
                .await?;
                $crate::events::Viewer::Youth {
                    municipality,
                    youth: youth.ok_or(Error::NotFound)?,
                }
            }
            _ => return Err(Error::NotFound),
        }
    }};
}
pub(crate) use viewer;

fn staff_municipality(scope: &Scope) -> Result<i64> {
    match scope.municipality {
        Some(m) if scope.role.is_programme_staff() => Ok(m),
        _ => Err(Error::NotFound),
    }
}

pub(crate) fn refuse(problems: Vec<FieldError>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidFields(problems))
    }
}

pub(crate) fn one(field: &'static str, problem: Problem) -> Error {
    Error::Invalid(FieldError::new(field, problem))
}

const SEATS_SQL: &str = "SELECT g.round, g.company_id, c.name AS company_name, g.table_no, g.youth_id, \
     y.first_name AS youth_name, SUBSTR(y.last_name, 1, 1) AS initial FROM event_grid g JOIN companies c ON c.id = g.company_id \
     JOIN youth y ON y.id = g.youth_id WHERE g.event_id = $1 \
     AND (CAST($2 AS BIGINT) IS NULL OR g.company_id = $2) AND (CAST($3 AS BIGINT) IS NULL OR g.youth_id = $3) \
     ORDER BY g.round, c.name, g.company_id, g.table_no";

const COMPANIES_SQL: &str = "SELECT ec.company_id, c.name, c.industry, ec.status, ec.tables, ec.places \
     FROM event_companies ec JOIN companies c ON c.id = ec.company_id WHERE ec.event_id = $1 \
     AND (CAST($2 AS BIGINT) IS NULL OR ec.company_id = $2) ORDER BY c.name, c.id";

impl Db {
    /// Plans an event of the staff member's municipality (or records one held).
    pub async fn create_event(&self, scope: &Scope, new: &NewEvent) -> Result<EventId> {
        let municipality = staff_municipality(scope)?;
        let mut problems = check_size(new.rounds, new.meetings_per_youth);
        if let Err(e) = required_text("title", &new.title, TITLE_MAX) {
            problems.push(e);
        }
        if let Err(e) = optional_text("place", &new.place, PLACE_MAX) {
            problems.push(e);
        }
        // An event held already may be recorded afterwards (from paper).
        problems.extend(check_deadline(new.date, new.ranking_deadline));
        refuse(problems)?;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            for &user in &new.facilitators {
                let known: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM users WHERE id = $1 AND municipality_code = $2 \
                     AND role IN ('consultant', 'psychologist', 'team_lead') AND awaiting_approval_since IS NULL AND deactivated_at IS NULL",
                )
                .bind(user)
                .bind(municipality)
                .fetch_optional(&mut *tx)
                .await?;
                if known.is_none() {
                    return Err(one("facilitator_id", Problem::UnknownConsultant));
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO events (municipality_code, title, event_date, start_time, place, rounds, \
                 meetings_per_youth, ranking_deadline, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(municipality)
            .bind(new.title.trim())
            .bind(new.date.to_string())
            .bind(time_text(new.time))
            .bind(new.place.trim())
            .bind(new.rounds)
            .bind(new.meetings_per_youth)
            .bind(new.ranking_deadline.to_string())
            .bind(scope.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let mut facilitators = new.facilitators.clone();
            facilitators.sort_unstable();
            facilitators.dedup();
            for user in facilitators {
                sqlx::query("INSERT INTO event_facilitators (event_id, user_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(EventId::new(id))
        })
    }

    /// The events the scope may see, newest first.
    pub async fn events(&self, scope: &Scope) -> Result<Vec<EventRow>> {
        on_db!(self, |pool| {
            let mut conn = pool.begin_as(scope).await?;
            let viewer = viewer!(&mut *conn, scope);
            let (company, youth) = viewer_binds(viewer);
            Ok(sqlx::query_as::<_, EventRow>(event_sql!(
                "WHERE $1 = $1 AND ",
                event_visible!(),
                " ORDER BY e.event_date DESC, e.id DESC"
            ))
            .bind(0_i64)
            .bind(viewer.municipality())
            .bind(company)
            .bind(youth)
            .fetch_all(&mut *conn)
            .await?)
        })
    }

    /// One event as the scope may see it. Reading the youth at it is logged.
    pub async fn event(&self, scope: &Scope, id: EventId) -> Result<EventDetail> {
        let detail = on_db!(self, |pool| {
            let mut conn = pool.begin_as(scope).await?;
            let viewer = viewer!(&mut *conn, scope);
            let event = require_event!(&mut *conn, id, viewer);
            let (company, youth) = viewer_binds(viewer);
            let facilitators: Vec<String> = sqlx::query_scalar(
                "SELECT u.display_name FROM event_facilitators f JOIN users u ON u.id = f.user_id \
                 WHERE f.event_id = $1 ORDER BY u.display_name",
            )
            .bind(id.get())
            .fetch_all(&mut *conn)
            .await?;
            let companies: Vec<EventCompanyRow> = sqlx::query_as(COMPANIES_SQL)
                .bind(id.get())
                .bind(company)
                .fetch_all(&mut *conn)
                .await?;
            let mut grid: Vec<SeatRow> = sqlx::query_as(SEATS_SQL)
                .bind(id.get())
                .bind(company)
                .bind(youth)
                .fetch_all(&mut *conn)
                .await?;
            let mut people: Vec<EventYouthRow> = sqlx::query_as(
                "SELECT y.id AS youth_id, y.first_name, y.last_name, ey.host, y.interests FROM event_youth ey \
                 JOIN youth y ON y.id = ey.youth_id WHERE ey.event_id = $1 \
                 ORDER BY ey.host DESC, y.first_name, y.last_name, y.id",
            )
            .bind(id.get())
            .fetch_all(&mut *conn)
            .await?;
            let (grid_issues, grid_log) = if matches!(viewer, Viewer::Staff { .. }) {
                let input = grid_input!(&mut *conn, id.get(), event);
                let seats = stored_seats!(&mut *conn, id.get());
                let issues = if seats.is_empty() {
                    Vec::new()
                } else {
                    input.check(&seats)
                };
                let log: Vec<GridLogRow> = sqlx::query_as(
                    "SELECT l.change, l.breaks, u.display_name AS changed_by, l.changed_at FROM event_grid_log l \
                     JOIN users u ON u.id = l.changed_by WHERE l.event_id = $1 ORDER BY l.id DESC LIMIT 20",
                )
                .bind(id.get())
                .fetch_all(&mut *conn)
                .await?;
                (issues, log)
            } else {
                // Others see the youth they sit with, by first name only.
                for seat in &mut grid {
                    seat.initial.clear();
                }
                let seen: Vec<i64> = grid.iter().map(|s| s.youth_id).collect();
                people.retain(|p| seen.contains(&p.youth_id) || Some(p.youth_id) == youth);
                for p in &mut people {
                    p.last_name.clear();
                    p.interests.clear();
                }
                (Vec::new(), Vec::new())
            };
            EventDetail {
                event,
                facilitators,
                companies,
                youth: people,
                grid,
                grid_issues,
                grid_log,
            }
        });
        let ids: Vec<i64> = detail.youth.iter().map(|y| y.youth_id).collect();
        self.log_reads(scope, AccessAction::Read, &ids, "event")
            .await?;
        Ok(detail)
    }

    /// Invites a company of the municipality's company network, with how
    /// many representatives (tables) it is asked to send.
    pub async fn invite_company(
        &self,
        scope: &Scope,
        id: EventId,
        company: CompanyId,
        tables: i64,
    ) -> Result<()> {
        let municipality = staff_municipality(scope)?;
        if !(1..=TABLES_MAX).contains(&tables) {
            return Err(Error::Invalid(FieldError::out_of_range(
                "tables", 1, TABLES_MAX,
            )));
        }
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let viewer = Viewer::Staff { municipality };
            require_event!(&mut *tx, id, viewer);
            let member: Option<i64> = sqlx::query_scalar(
                "SELECT company_id FROM network_members WHERE company_id = $1 AND municipality_code = $2 AND left_on IS NULL",
            )
            .bind(company.get())
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            if member.is_none() {
                return Err(one("company_id", Problem::NotInNetwork));
            }
            sqlx::query(
                "INSERT INTO event_companies (event_id, company_id, status, tables, invited_by, invited_at) \
                 VALUES ($1, $2, 'invited', $3, $4, $5) \
                 ON CONFLICT (event_id, company_id) DO UPDATE SET tables = excluded.tables",
            )
            .bind(id.get())
            .bind(company.get())
            .bind(tables)
            .bind(scope.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A company contact accepts or declines their company's invitation,
    /// saying how many representatives come; staff may record the answer
    /// for `company` (given on the phone).
    pub async fn answer_invitation(
        &self,
        scope: &Scope,
        id: EventId,
        company: Option<CompanyId>,
        accept: bool,
        tables: i64,
    ) -> Result<()> {
        if accept && !(1..=TABLES_MAX).contains(&tables) {
            return Err(Error::Invalid(FieldError::out_of_range(
                "tables", 1, TABLES_MAX,
            )));
        }
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let viewer = viewer!(&mut *tx, scope);
            let company = match (viewer, company) {
                (Viewer::Company { company, .. }, _) => company,
                (Viewer::Staff { .. }, Some(c)) => c.get(),
                (Viewer::Staff { .. }, None) => return Err(one("company_id", Problem::Required)),
                _ => return Err(Error::NotFound),
            };
            let event = require_event!(&mut *tx, id, viewer);
            // A company answers before the event; staff may record an answer later.
            if matches!(viewer, Viewer::Company { .. })
                && event.event_date < crate::networks::today()
            {
                return Err(one("accept", Problem::MeetingHeld));
            }
            let done = sqlx::query(
                "UPDATE event_companies SET status = $1, tables = CASE WHEN $2 THEN $3 ELSE tables END, \
                 answered_by = $4, answered_at = $5 WHERE event_id = $6 AND company_id = $7",
            )
            .bind(if accept { "accepted" } else { "declined" })
            .bind(accept)
            .bind(tables)
            .bind(scope.user_id)
            .bind(now)
            .bind(id.get())
            .bind(company)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(one("company_id", Problem::NotInvited));
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Adds a youth of the municipality to the event (as a host or not), or
    /// changes whether they host.
    pub async fn add_event_youth(
        &self,
        scope: &Scope,
        id: EventId,
        youth: YouthId,
        host: bool,
    ) -> Result<()> {
        let municipality = staff_municipality(scope)?;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            require_event!(&mut *tx, id, Viewer::Staff { municipality });
            let known: Option<i64> =
                sqlx::query_scalar("SELECT id FROM youth WHERE id = $1 AND municipality_code = $2")
                    .bind(youth.get())
                    .bind(municipality)
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_none() {
                return Err(one("youth_id", Problem::UnknownYouth));
            }
            sqlx::query(
                "INSERT INTO event_youth (event_id, youth_id, host, added_by, added_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (event_id, youth_id) DO UPDATE SET host = excluded.host",
            )
            .bind(id.get())
            .bind(youth.get())
            .bind(host)
            .bind(scope.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth.get()),
                Some("event")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The youth of the municipality not yet at the event, by name (staff).
    pub async fn event_candidates(&self, scope: &Scope, id: EventId) -> Result<Vec<(i64, String)>> {
        let municipality = staff_municipality(scope)?;
        let names: Vec<(i64, String)> = on_db!(self, |pool| {
            let mut conn = pool.begin_as(scope).await?;
            require_event!(&mut *conn, id, Viewer::Staff { municipality });
            sqlx::query_as(
                "SELECT y.id, y.first_name || ' ' || y.last_name FROM youth y WHERE y.municipality_code = $1 \
                 AND NOT EXISTS (SELECT 1 FROM event_youth ey WHERE ey.event_id = $2 AND ey.youth_id = y.id) \
                 ORDER BY y.first_name, y.last_name, y.id LIMIT 1000",
            )
            .bind(municipality)
            .bind(id.get())
            .fetch_all(&mut *conn)
            .await?
        });
        self.log_read(scope, AccessAction::Search, None, Some("event candidates"))
            .await?;
        Ok(names)
    }

    /// Not found unless the scope may see the event (checked before a form
    /// is read, so a stranger learns nothing from its messages).
    pub async fn require_event_visible(&self, scope: &Scope, id: EventId) -> Result<()> {
        on_db!(self, |pool| {
            let mut conn = pool.begin_as(scope).await?;
            let viewer = viewer!(&mut *conn, scope);
            require_event!(&mut *conn, id, viewer);
            Ok(())
        })
    }

    /// The municipality's own conversation cards (`None`: the default deck).
    pub async fn conversation_deck(&self, scope: &Scope) -> Result<Option<Vec<String>>> {
        let municipality = staff_municipality(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let cards: Option<String> = sqlx::query_scalar(
                "SELECT cards FROM conversation_decks WHERE municipality_code = $1",
            )
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            Ok(cards
                .filter(|c| !c.is_empty())
                .map(|c| c.lines().map(String::from).collect()))
        })
    }

    /// Saves the municipality's conversation cards, one a line (empty: back
    /// to the default deck).
    pub async fn set_conversation_deck(&self, scope: &Scope, text: &str) -> Result<()> {
        let municipality = staff_municipality(scope)?;
        let cards = spire_domain::event::parse_deck(text).map_err(Error::Invalid)?;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            sqlx::query(
                "INSERT INTO conversation_decks (municipality_code, cards, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (municipality_code) DO UPDATE SET cards = excluded.cards, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
            )
            .bind(municipality)
            .bind(cards.join("\n"))
            .bind(scope.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }
}
