//! The youth network (ungenetværk): groups with a facilitator, members with
//! dates, weekly meetings (generated, moved, cancelled), the youth-owned
//! agenda, attendance with meeting stability, and the task three absences
//! without notice make. The company network is in `company.rs`, the
//! calendar feeds in `feeds.rs`.
//!
//! Who sees what: programme staff see every group of their municipality; a
//! youth sees the groups they are or were in, and no one else's attendance.

use crate::access_log::{AccessAction, log_access};
use crate::internships::stored_date;
use crate::invalid;
use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::network::{
    AGENDA_ITEM_MAX, AgendaSlot, GROUP_NAME_MAX, Holiday, MEETING_NOTES_MAX, Mark, PLACE_MAX,
    REASON_MAX, STABILITY_WINDOW, Series, absences_call_for_task, move_up, stability, time_text,
};
use spire_domain::validation::{optional_text, required_text};
use spire_domain::{AgendaItemId, FieldError, GroupId, MeetingId, Problem, Role, YouthId};
use time::{Date, Time};

mod company;
mod feeds;

pub use company::{
    CONTACT_KINDS, ContactLogRow, NetworkMeetingDetail, NetworkMeetingRow, NetworkMemberRow,
    NetworkOverview, NewContactLog, NewNetworkMeeting, NewSlot, SignupRow, SlotRow,
};
pub use feeds::{FeedKind, FeedRow, FeedSubject};

/// A group as typed in.
#[derive(Debug, Clone)]
pub struct NewGroup {
    pub name: String,
    pub facilitator: Option<i64>,
    pub place: String,
    pub start_time: Time,
    pub duration_minutes: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub facilitator_id: Option<i64>,
    pub facilitator_name: Option<String>,
    pub place: String,
    /// "16:00" on the wall clock in Copenhagen.
    pub start_time: String,
    pub duration_minutes: i64,
    /// Members now.
    pub members: i64,
    /// The next meeting not cancelled, from today: its date and id.
    pub next_meeting: Option<String>,
    pub next_meeting_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MemberRow {
    pub youth_id: i64,
    pub name: String,
    pub joined_on: String,
    pub left_on: Option<String>,
    /// Share of the last 8 registered meetings attended (none registered: `None`).
    #[sqlx(skip)]
    pub stability: Option<f64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub group_id: i64,
    pub date: String,
    pub start_time: String,
    pub duration_minutes: i64,
    pub place: String,
    pub cancelled: bool,
    /// The date it had before it was moved.
    pub moved_from: Option<String>,
    /// Why it was moved or cancelled.
    pub change_reason: Option<String>,
    /// How many times it changed (the calendar feeds' `SEQUENCE`).
    pub sequence: i64,
    /// The shared notes after the meeting, for the group.
    pub notes: String,
    pub agenda_items: i64,
    /// Youth registered (present or absent).
    pub registered: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupDetail {
    pub group: GroupRow,
    pub members: Vec<MemberRow>,
    pub meetings: Vec<MeetingRow>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AgendaRow {
    pub id: i64,
    pub text: String,
    pub position: i64,
    /// The youth who proposed it; `None`: added by the facilitator.
    pub youth_id: Option<i64>,
    /// Whose item it is: a youth's first name, or the staff member's name.
    pub proposer: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttendanceRow {
    pub youth_id: i64,
    pub name: String,
    /// `present`, `absent_reason`, `absent_no_notice`; `None`: not registered yet.
    pub mark: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingDetail {
    pub meeting: MeetingRow,
    pub group_name: String,
    pub agenda: Vec<AgendaRow>,
    /// Staff only: every member on the meeting's date; a youth gets none.
    pub attendance: Vec<AttendanceRow>,
    /// For a youth: their own id, and the item they moved up for this meeting.
    pub own_youth: Option<i64>,
    pub moved_up: Option<i64>,
}

/// A move or a cancellation of one meeting, always with a reason.
#[derive(Debug, Clone)]
pub enum MeetingChange {
    Move {
        date: Date,
        time: Time,
        reason: String,
    },
    Cancel {
        reason: String,
    },
}

/// What generating a series did.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesOutcome {
    pub created: usize,
    /// Weeks skipped for a holiday: date and name.
    pub skipped: Vec<(String, String)>,
    /// Dates that already had a meeting of the group.
    pub existing: usize,
}

/// The groups a scope may see, as a SQL predicate on `g`: $2 the
/// municipality, $3 a youth's user id (a youth sees the groups they are or
/// were in).
macro_rules! group_visible {
    () => {
        "g.municipality_code = $2 AND (CAST($3 AS BIGINT) IS NULL OR EXISTS \
     (SELECT 1 FROM group_members m JOIN youth y ON y.id = m.youth_id WHERE m.group_id = g.id AND y.user_id = $3))"
    };
}

/// The meetings a scope may see, as a SQL predicate on `x` (a meeting):
/// $2 the municipality, $3 a youth's user id — a youth sees the meetings of
/// their group held while they were a member, not before they joined or
/// after they left.
macro_rules! meeting_visible {
    () => {
        "x.municipality_code = $2 AND (CAST($3 AS BIGINT) IS NULL OR EXISTS \
     (SELECT 1 FROM group_members m JOIN youth y ON y.id = m.youth_id WHERE m.group_id = x.group_id AND y.user_id = $3 \
      AND m.joined_on <= x.date AND (m.left_on IS NULL OR x.date <= m.left_on)))"
    };
}

macro_rules! group_sql {
    ($($tail:expr),*) => {
        concat!(
            "SELECT g.id, g.name, g.facilitator_id, u.display_name AS facilitator_name, g.place, g.start_time, g.duration_minutes, \
             (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.left_on IS NULL) AS members, \
             (SELECT MIN(x.date) FROM group_meetings x WHERE x.group_id = g.id AND x.date >= $1 AND NOT x.cancelled) AS next_meeting, \
             (SELECT x.id FROM group_meetings x WHERE x.group_id = g.id AND x.date >= $1 AND NOT x.cancelled \
              ORDER BY x.date, x.start_time, x.id LIMIT 1) AS next_meeting_id \
             FROM youth_groups g LEFT JOIN users u ON u.id = g.facilitator_id ",
            $($tail),*
        )
    };
}

macro_rules! meeting_columns {
    () => {
        "x.id, x.group_id, x.date, x.start_time, x.duration_minutes, x.place, x.cancelled, \
     x.moved_from, x.change_reason, x.sequence, x.notes, \
     (SELECT COUNT(*) FROM agenda_items a WHERE a.meeting_id = x.id) AS agenda_items, \
     (SELECT COUNT(*) FROM attendance t WHERE t.meeting_id = x.id) AS registered"
    };
}

/// How far back a streak of no-shows is counted (a year and more of weekly meetings).
const STREAK_LIMIT: usize = 100;

/// The viewer of a network: staff of the municipality, or a youth (by user).
pub(crate) fn network_viewer(scope: &Scope) -> Result<(i64, Option<i64>)> {
    let municipality = scope.municipality.ok_or(Error::NotFound)?;
    match scope.role {
        role if role.is_programme_staff() => Ok((municipality, None)),
        Role::Youth => Ok((municipality, Some(scope.user_id))),
        _ => Err(Error::NotFound),
    }
}

fn staff_only(scope: &Scope) -> Result<i64> {
    match network_viewer(scope)? {
        (municipality, None) => Ok(municipality),
        _ => Err(Error::NotFound),
    }
}

/// Today on the wall clock in Copenhagen, as stored dates are compared.
pub(crate) fn today() -> String {
    spire_domain::network::copenhagen_date(time::OffsetDateTime::now_utc()).to_string()
}

/// The group of the municipality, or not found.
macro_rules! require_group {
    ($conn:expr, $group:expr, $municipality:expr) => {{
        sqlx::query_scalar::<_, i64>(
            "SELECT id FROM youth_groups WHERE id = $1 AND municipality_code = $2",
        )
        .bind($group.get())
        .bind($municipality)
        .fetch_optional($conn)
        .await?
        .ok_or(Error::NotFound)?
    }};
}

/// Locks a meeting the scope may see for a change (the agenda's order and
/// the register change one at a time): its date and whether it is cancelled.
macro_rules! lock_meeting {
    ($tx:expr, $meeting:expr, $municipality:expr, $youth_user:expr) => {{
        sqlx::query("UPDATE group_meetings SET id = id WHERE id = $1 AND municipality_code = $2")
            .bind($meeting.get())
            .bind($municipality)
            .execute(&mut *$tx)
            .await?;
        sqlx::query_as::<_, (String, bool)>(concat!(
            "SELECT x.date, x.cancelled FROM group_meetings x WHERE x.id = $1 AND ",
            meeting_visible!()
        ))
        .bind($meeting.get())
        .bind($municipality)
        .bind($youth_user)
        .fetch_optional(&mut *$tx)
        .await?
        .ok_or(Error::NotFound)?
    }};
}

/// Whether the meeting's notes are written: then it is held and its agenda closed.
macro_rules! agenda_closed {
    ($conn:expr, $meeting:expr) => {{
        let notes: String = sqlx::query_scalar("SELECT notes FROM group_meetings WHERE id = $1")
            .bind($meeting.get())
            .fetch_one($conn)
            .await?;
        !notes.is_empty()
    }};
}

/// The youth (by user) who is a member of the meeting's group on its date.
macro_rules! current_member {
    ($conn:expr, $meeting:expr, $user:expr, $date:expr, $field:expr) => {{
        sqlx::query_scalar::<_, i64>(
            "SELECT y.id FROM group_members m JOIN youth y ON y.id = m.youth_id \
             JOIN group_meetings x ON x.group_id = m.group_id \
             WHERE x.id = $1 AND y.user_id = $2 AND m.joined_on <= $3 AND (m.left_on IS NULL OR m.left_on >= $3)",
        )
        .bind($meeting.get())
        .bind($user)
        .bind($date)
        .fetch_optional($conn)
        .await?
        .ok_or(invalid($field, Problem::NotInGroup))?
    }};
}

/// A youth's newest marks first, at meetings that were held (not cancelled).
macro_rules! recent_marks {
    ($conn:expr, $youth:expr, $limit:expr) => {{
        let codes: Vec<String> = sqlx::query_scalar(
            "SELECT t.mark FROM attendance t JOIN group_meetings x ON x.id = t.meeting_id \
             WHERE t.youth_id = $1 AND NOT x.cancelled ORDER BY x.date DESC, x.start_time DESC, x.id DESC LIMIT $2",
        )
        .bind($youth)
        .bind($limit as i64)
        .fetch_all($conn)
        .await?;
        codes
            .iter()
            .map(|code| {
                Mark::from_code(code)
                    .ok_or_else(|| Error::Corrupt(format!("an unknown attendance mark: {code:?}")))
            })
            .collect::<Result<Vec<Mark>>>()?
    }};
}

// After the macros above, which it uses.
mod meetings;

impl Db {
    /// Creates a group; the facilitator must be programme staff of the municipality.
    pub async fn create_group(&self, scope: &Scope, group: &NewGroup) -> Result<GroupId> {
        let municipality = staff_only(scope)?;
        let name = required_text("name", &group.name, GROUP_NAME_MAX).map_err(Error::Invalid)?;
        let place = optional_text("place", &group.place, PLACE_MAX)
            .map_err(Error::Invalid)?
            .unwrap_or_default();
        if !(15..=480).contains(&group.duration_minutes) {
            return Err(Error::Invalid(
                FieldError::new("duration_minutes", Problem::OutOfRange)
                    .with("min", 15)
                    .with("max", 480),
            ));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            if let Some(facilitator) = group.facilitator {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM users WHERE id = $1 AND municipality_code = $2 \
                     AND role IN ('consultant', 'psychologist', 'team_lead') AND awaiting_approval_since IS NULL AND deactivated_at IS NULL",
                )
                .bind(facilitator)
                .bind(municipality)
                .fetch_optional(&mut *tx)
                .await?;
                found.ok_or(invalid("facilitator_id", Problem::UnknownConsultant))?;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO youth_groups (municipality_code, name, facilitator_id, place, start_time, duration_minutes, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(municipality)
            .bind(&name)
            .bind(group.facilitator)
            .bind(&place)
            .bind(time_text(group.start_time))
            .bind(group.duration_minutes)
            .bind(scope.user_id)
            .bind(crate::now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| crate::unique_violation_as(e, "name", Problem::GroupNameTaken))?;
            tx.commit().await?;
            Ok(GroupId::new(id))
        })
    }

    /// The groups the scope may see, by name.
    pub async fn groups(&self, scope: &Scope) -> Result<Vec<GroupRow>> {
        let (municipality, youth_user) = network_viewer(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            Ok(sqlx::query_as::<_, GroupRow>(group_sql!(
                "WHERE g.municipality_code = $2 AND (CAST($3 AS BIGINT) IS NULL OR EXISTS \
                 (SELECT 1 FROM group_members m JOIN youth y ON y.id = m.youth_id WHERE m.group_id = g.id AND y.user_id = $3)) \
                 ORDER BY g.name, g.id"
            ))
            .bind(today())
            .bind(municipality)
            .bind(youth_user)
            .fetch_all(&mut *tx)
            .await?)
        })
    }

    /// One group with its members (staff only; logged) and meetings.
    pub async fn group(&self, scope: &Scope, id: GroupId) -> Result<GroupDetail> {
        let (municipality, youth_user) = network_viewer(scope)?;
        let detail = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let group = sqlx::query_as::<_, GroupRow>(group_sql!(
                "WHERE g.municipality_code = $2 AND (CAST($3 AS BIGINT) IS NULL OR EXISTS \
                 (SELECT 1 FROM group_members m JOIN youth y ON y.id = m.youth_id WHERE m.group_id = g.id AND y.user_id = $3)) \
                 AND g.id = $4"
            ))
            .bind(today())
            .bind(municipality)
            .bind(youth_user)
            .bind(id.get())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            let members = if youth_user.is_none() {
                sqlx::query_as::<_, MemberRow>(
                    "SELECT y.id AS youth_id, y.first_name || ' ' || y.last_name AS name, m.joined_on, m.left_on \
                     FROM group_members m JOIN youth y ON y.id = m.youth_id WHERE m.group_id = $1 \
                     ORDER BY m.left_on IS NOT NULL, y.first_name, y.last_name, m.id",
                )
                .bind(id.get())
                .fetch_all(&mut *tx)
                .await?
            } else {
                Vec::new()
            };
            let meetings = sqlx::query_as::<_, MeetingRow>(concat!(
                "SELECT ",
                meeting_columns!(),
                " FROM group_meetings x WHERE x.group_id = $1 AND ",
                meeting_visible!(),
                " ORDER BY x.date, x.id"
            ))
            .bind(id.get())
            .bind(municipality)
            .bind(youth_user)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            GroupDetail {
                group,
                members,
                meetings,
            }
        });
        let mut detail = detail;
        if !detail.members.is_empty() {
            let ids: Vec<i64> = detail.members.iter().map(|m| m.youth_id).collect();
            let stabilities = self
                .meeting_stability(Some(municipality), &ids, None)
                .await?;
            for member in &mut detail.members {
                member.stability = stabilities.get(&member.youth_id).copied().flatten();
            }
            self.log_reads(scope, AccessAction::Read, &ids, "youth group members")
                .await?;
        }
        Ok(detail)
    }

    /// A youth joins a group from a date; one group at a time.
    pub async fn join_group(
        &self,
        scope: &Scope,
        group: GroupId,
        youth: YouthId,
        joined_on: Date,
    ) -> Result<()> {
        let municipality = staff_only(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            require_group!(&mut *tx, group, municipality);
            let visible: Option<i64> =
                sqlx::query_scalar("SELECT id FROM youth WHERE id = $1 AND municipality_code = $2")
                    .bind(youth.get())
                    .bind(municipality)
                    .fetch_optional(&mut *tx)
                    .await?;
            visible.ok_or(invalid("youth_id", Problem::UnknownYouth))?;
            // One group at a time, also looking back: not from before the
            // youth left their last group (a feed would show two groups' meetings).
            let last_left: Option<String> =
                sqlx::query_scalar("SELECT MAX(left_on) FROM group_members WHERE youth_id = $1")
                    .bind(youth.get())
                    .fetch_one(&mut *tx)
                    .await?;
            if last_left.is_some_and(|left| joined_on.to_string() <= left) {
                return Err(invalid("date", Problem::OverlapsMembership));
            }
            sqlx::query(
                "INSERT INTO group_members (group_id, youth_id, joined_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(group.get())
            .bind(youth.get())
            .bind(joined_on.to_string())
            .bind(scope.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::unique_violation_as(e, "youth_id", Problem::AlreadyInGroup))?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth.get()),
                Some("joined youth group")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A youth leaves the group on a date (not before they joined).
    pub async fn leave_group(
        &self,
        scope: &Scope,
        group: GroupId,
        youth: YouthId,
        left_on: Date,
    ) -> Result<()> {
        let municipality = staff_only(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            require_group!(&mut *tx, group, municipality);
            let open: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, joined_on FROM group_members WHERE group_id = $1 AND youth_id = $2 AND left_on IS NULL",
            )
            .bind(group.get())
            .bind(youth.get())
            .fetch_optional(&mut *tx)
            .await?;
            let (membership, joined) = open.ok_or(invalid("youth_id", Problem::NotInGroup))?;
            if left_on < stored_date(&joined)? {
                return Err(invalid("date", Problem::EndBeforeStart));
            }
            sqlx::query("UPDATE group_members SET left_on = $1 WHERE id = $2")
                .bind(left_on.to_string())
                .bind(membership)
                .execute(&mut *tx)
                .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth.get()),
                Some("left youth group")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Generates the group's weekly meetings for a period at its time and
    /// place; holidays are skipped and dates that have a meeting kept.
    pub async fn generate_meetings(
        &self,
        scope: &Scope,
        group: GroupId,
        series: &Series,
    ) -> Result<SeriesOutcome> {
        let municipality = staff_only(scope)?;
        let generated = series.generate();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let (place, duration): (String, i64) = sqlx::query_as(
                "SELECT place, duration_minutes FROM youth_groups WHERE id = $1 AND municipality_code = $2",
            )
            .bind(group.get())
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            sqlx::query("UPDATE youth_groups SET start_time = $1 WHERE id = $2")
                .bind(time_text(series.start))
                .bind(group.get())
                .execute(&mut *tx)
                .await?;
            let existing: Vec<String> = sqlx::query_scalar(
                "SELECT date FROM group_meetings WHERE group_id = $1 AND date >= $2 AND date <= $3",
            )
            .bind(group.get())
            .bind(series.first.to_string())
            .bind(series.last.to_string())
            .fetch_all(&mut *tx)
            .await?;
            let mut outcome = SeriesOutcome {
                created: 0,
                skipped: generated
                    .skipped
                    .iter()
                    .map(|Holiday { date, name }| (date.to_string(), (*name).to_string()))
                    .collect(),
                existing: 0,
            };
            let now = crate::now();
            for date in &generated.dates {
                let date = date.to_string();
                if existing.contains(&date) {
                    outcome.existing += 1;
                    continue;
                }
                sqlx::query(
                    "INSERT INTO group_meetings (municipality_code, group_id, date, start_time, duration_minutes, place, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(municipality)
                .bind(group.get())
                .bind(&date)
                .bind(time_text(series.start))
                .bind(duration)
                .bind(&place)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                outcome.created += 1;
            }
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Moves or cancels one meeting, with a reason; calendars learn it by
    /// the raised sequence number.
    pub async fn change_meeting(
        &self,
        scope: &Scope,
        meeting: MeetingId,
        change: &MeetingChange,
    ) -> Result<()> {
        let municipality = staff_only(scope)?;
        let reason = match change {
            MeetingChange::Move { reason, .. } | MeetingChange::Cancel { reason } => reason,
        };
        let reason = required_text("reason", reason, REASON_MAX).map_err(Error::Invalid)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            // Locked: a move and a cancellation at once cannot both pass the check.
            let (date, cancelled) = lock_meeting!(tx, meeting, municipality, None::<i64>);
            if cancelled {
                return Err(invalid("reason", Problem::MeetingCancelled));
            }
            match change {
                MeetingChange::Move { date: to, time, .. } => {
                    sqlx::query(
                        "UPDATE group_meetings SET date = $1, start_time = $2, moved_from = COALESCE(moved_from, $3), \
                         change_reason = $4, sequence = sequence + 1 WHERE id = $5",
                    )
                    .bind(to.to_string())
                    .bind(time_text(*time))
                    .bind(&date)
                    .bind(&reason)
                    .bind(meeting.get())
                    .execute(&mut *tx)
                    .await?;
                }
                MeetingChange::Cancel { .. } => {
                    sqlx::query(
                        "UPDATE group_meetings SET cancelled = $1, change_reason = $2, sequence = sequence + 1 WHERE id = $3",
                    )
                    .bind(true)
                    .bind(&reason)
                    .bind(meeting.get())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Whether the scope may see this group (checked before a request is
    /// parsed, so another municipality's id answers "not found" whatever was sent).
    pub async fn require_group_visible(&self, scope: &Scope, id: GroupId) -> Result<()> {
        let (municipality, youth_user) = network_viewer(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_scalar::<_, i64>(concat!(
                "SELECT g.id FROM youth_groups g WHERE g.id = $1 AND ",
                group_visible!()
            ))
            .bind(id.get())
            .bind(municipality)
            .bind(youth_user)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            Ok(())
        })
    }

    /// Whether the scope may see this meeting (as `require_group_visible`).
    pub async fn require_meeting_visible(&self, scope: &Scope, id: MeetingId) -> Result<()> {
        let (municipality, youth_user) = network_viewer(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_scalar::<_, i64>(concat!(
                "SELECT x.id FROM group_meetings x WHERE x.id = $1 AND ",
                meeting_visible!()
            ))
            .bind(id.get())
            .bind(municipality)
            .bind(youth_user)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            Ok(())
        })
    }

    /// The youth who could join a group: an open course and no group now.
    pub async fn youth_without_group(&self, scope: &Scope) -> Result<Vec<(i64, String)>> {
        let municipality = staff_only(scope)?;
        let rows: Vec<(i64, String)> = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_as(
                "SELECT y.id, y.first_name || ' ' || y.last_name FROM youth y \
                 WHERE y.municipality_code = $1 \
                 AND EXISTS (SELECT 1 FROM courses c WHERE c.youth_id = y.id AND c.exit_date IS NULL) \
                 AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.youth_id = y.id AND m.left_on IS NULL) \
                 ORDER BY y.first_name, y.last_name, y.id LIMIT 500",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?
        });
        self.log_read(
            scope,
            AccessAction::Search,
            None,
            Some("youth without a group"),
        )
        .await?;
        Ok(rows)
    }

    /// The programme staff of the municipality, who may facilitate a group.
    pub async fn staff_of_municipality(&self, scope: &Scope) -> Result<Vec<(i64, String)>> {
        let municipality = staff_only(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            Ok(sqlx::query_as(
                "SELECT id, display_name FROM users WHERE municipality_code = $1 \
                 AND role IN ('consultant', 'psychologist', 'team_lead') AND awaiting_approval_since IS NULL AND deactivated_at IS NULL ORDER BY display_name, id",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?)
        })
    }

    /// The meeting an agenda item belongs to, if the scope may see it.
    pub async fn agenda_item_meeting(
        &self,
        scope: &Scope,
        item: AgendaItemId,
    ) -> Result<MeetingId> {
        let (municipality, youth_user) = network_viewer(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let meeting = sqlx::query_scalar::<_, i64>(concat!(
                "SELECT x.id FROM agenda_items a JOIN group_meetings x ON x.id = a.meeting_id WHERE a.id = $1 AND ",
                meeting_visible!()
            ))
            .bind(item.get())
            .bind(municipality)
            .bind(youth_user)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            Ok(MeetingId::new(meeting))
        })
    }

    /// The youth's own group id, if they are in one now.
    pub async fn own_group(&self, scope: &Scope) -> Result<Option<GroupId>> {
        if scope.role != Role::Youth {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT m.group_id FROM group_members m JOIN youth y ON y.id = m.youth_id \
                 WHERE y.user_id = $1 AND y.municipality_code = $2 AND m.left_on IS NULL",
            )
            .bind(scope.user_id)
            .bind(scope.municipality)
            .fetch_optional(&mut *tx)
            .await?;
            Ok(id.map(GroupId::new))
        })
    }
}
