//! The company network (virksomhedsnetværk) of a municipality: members with
//! dates, the internship places they offer, network meetings with sign-up,
//! attendance and shared notes, and the contact log per company.
//!
//! Programme staff see all of it; a company contact sees their own company's
//! membership and places, the network meetings, and their own sign-ups.
//! The contact log is the team's record and stays with staff.

use super::invalid;
use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::network::{
    CONTACT_SUMMARY_MAX, MEETING_NOTES_MAX, PLACE_MAX, REASON_MAX, SLOT_FUNCTION_MAX, time_text,
};
use spire_domain::validation::{optional_text, required_text};
use spire_domain::{CompanyId, FieldError, NetworkMeetingId, Problem, Role};
use time::{Date, Time};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct NetworkMemberRow {
    pub company_id: i64,
    pub name: String,
    pub industry: String,
    pub joined_on: String,
    pub left_on: Option<String>,
    /// Places offered in slots that have not ended.
    pub open_places: i64,
    /// The latest contact in the log (staff only).
    pub last_contact: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SlotRow {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub function: String,
    pub places: i64,
    pub from_date: String,
    pub to_date: String,
}

#[derive(Debug, Clone)]
pub struct NewSlot {
    pub company: CompanyId,
    pub function: String,
    pub places: i64,
    pub from: Date,
    pub to: Date,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct NetworkMeetingRow {
    pub id: i64,
    pub date: String,
    pub start_time: String,
    pub duration_minutes: i64,
    pub place: String,
    pub topic: String,
    pub cancelled: bool,
    pub change_reason: Option<String>,
    pub sequence: i64,
    pub notes: String,
    /// Contacts signed up.
    pub signups: i64,
    /// Whether the caller (a company contact) is signed up.
    pub signed_up: bool,
}

#[derive(Debug, Clone)]
pub struct NewNetworkMeeting {
    pub date: Date,
    pub time: Time,
    pub duration_minutes: i64,
    pub place: String,
    pub topic: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SignupRow {
    pub contact_id: i64,
    pub name: String,
    pub company_name: String,
    /// Marked after the meeting; `None`: not yet.
    pub attended: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkMeetingDetail {
    pub meeting: NetworkMeetingRow,
    /// Staff: every sign-up; a company contact: their company's.
    pub signups: Vec<SignupRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkOverview {
    pub members: Vec<NetworkMemberRow>,
    pub slots: Vec<SlotRow>,
    pub meetings: Vec<NetworkMeetingRow>,
}

#[derive(Debug, Clone)]
pub struct NewContactLog {
    pub company: CompanyId,
    /// `visit`, `phone`, `email` or `meeting`.
    pub kind: String,
    pub contact: Option<i64>,
    pub happened_on: Date,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ContactLogRow {
    pub id: i64,
    pub kind: String,
    pub contact_name: Option<String>,
    pub happened_on: String,
    /// What was talked about and agreed.
    pub summary: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

pub const CONTACT_KINDS: [&str; 4] = ["visit", "phone", "email", "meeting"];

/// Who looks at the company network: (municipality, the company a contact
/// is limited to — `None` for staff).
async fn network_reader(db: &Db, scope: &Scope) -> Result<(i64, Option<i64>)> {
    let municipality = scope.municipality.ok_or(Error::NotFound)?;
    match scope.role {
        role if role.is_programme_staff() => Ok((municipality, None)),
        Role::CompanyContact => {
            let company: Option<i64> = on_db!(db, |pool| {
                let mut tx = pool.begin_as(scope).await?;
                sqlx::query_scalar("SELECT company_id FROM users WHERE id = $1")
                    .bind(scope.user_id)
                    .fetch_one(&mut *tx)
                    .await?
            });
            // A contact without a company sees no company: -1 matches no row.
            Ok((municipality, Some(company.unwrap_or(-1))))
        }
        _ => Err(Error::NotFound),
    }
}

fn staff(scope: &Scope) -> Result<i64> {
    scope
        .municipality
        .filter(|_| scope.role.is_programme_staff())
        .ok_or(Error::NotFound)
}

macro_rules! network_meeting_sql {
    () => {
        "SELECT n.id, n.date, n.start_time, n.duration_minutes, n.place, n.topic, n.cancelled, \
     n.change_reason, n.sequence, n.notes, \
     (SELECT COUNT(*) FROM network_signups s WHERE s.meeting_id = n.id) AS signups, \
     EXISTS (SELECT 1 FROM network_signups s JOIN company_contacts k ON k.id = s.contact_id \
             WHERE s.meeting_id = n.id AND k.user_id = $1) AS signed_up \
     FROM network_meetings n WHERE n.municipality_code = $2"
    };
}

/// A company of the municipality (and, for a contact, their own), or not found.
macro_rules! require_company {
    ($conn:expr, $company:expr, $municipality:expr, $limit:expr) => {{
        sqlx::query_scalar::<_, i64>(
            "SELECT id FROM companies WHERE id = $1 AND municipality_code = $2 \
             AND (CAST($3 AS BIGINT) IS NULL OR id = $3)",
        )
        .bind($company.get())
        .bind($municipality)
        .bind($limit)
        .fetch_optional($conn)
        .await?
        .ok_or(Error::NotFound)?
    }};
}

impl Db {
    /// The network at a glance: members (a contact: their own company),
    /// the places offered, and the meetings.
    pub async fn network_overview(&self, scope: &Scope) -> Result<NetworkOverview> {
        let (municipality, limit) = network_reader(self, scope).await?;
        let today = super::today();
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let members = sqlx::query_as::<_, NetworkMemberRow>(
                "SELECT c.id AS company_id, c.name, c.industry, m.joined_on, m.left_on, \
                 CAST(COALESCE((SELECT SUM(s.places) FROM internship_slots s WHERE s.company_id = c.id AND s.to_date >= $1), 0) AS BIGINT) AS open_places, \
                 CASE WHEN CAST($2 AS BIGINT) IS NULL THEN \
                   (SELECT MAX(l.happened_on) FROM company_contact_log l WHERE l.company_id = c.id) END AS last_contact \
                 FROM network_members m JOIN companies c ON c.id = m.company_id \
                 WHERE m.municipality_code = $3 AND (CAST($2 AS BIGINT) IS NULL OR c.id = $2) \
                 ORDER BY m.left_on IS NOT NULL, c.name, m.id",
            )
            .bind(&today)
            .bind(limit)
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?;
            let slots = sqlx::query_as::<_, SlotRow>(
                "SELECT s.id, s.company_id, c.name AS company_name, s.function, s.places, s.from_date, s.to_date \
                 FROM internship_slots s JOIN companies c ON c.id = s.company_id \
                 WHERE s.municipality_code = $1 AND (CAST($2 AS BIGINT) IS NULL OR s.company_id = $2) AND s.to_date >= $3 \
                 ORDER BY s.from_date, c.name, s.id",
            )
            .bind(municipality)
            .bind(limit)
            .bind(&today)
            .fetch_all(&mut *tx)
            .await?;
            let meetings = sqlx::query_as::<_, NetworkMeetingRow>(concat!(
                network_meeting_sql!(),
                " ORDER BY n.date, n.start_time, n.id"
            ))
            .bind(scope.user_id)
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(NetworkOverview {
                members,
                slots,
                meetings,
            })
        })
    }

    /// A company joins the municipality's network from a date.
    pub async fn join_network(&self, scope: &Scope, company: CompanyId, on: Date) -> Result<()> {
        let municipality = staff(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            require_company!(&mut *tx, company, municipality, None::<i64>);
            sqlx::query(
                "INSERT INTO network_members (municipality_code, company_id, joined_on, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(municipality)
            .bind(company.get())
            .bind(on.to_string())
            .bind(scope.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                crate::unique_violation_as(e, "company_id", Problem::AlreadyInNetwork)
            })?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A company leaves the network on a date.
    pub async fn leave_network(&self, scope: &Scope, company: CompanyId, on: Date) -> Result<()> {
        let municipality = staff(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            require_company!(&mut *tx, company, municipality, None::<i64>);
            let joined: Option<String> = sqlx::query_scalar(
                "SELECT joined_on FROM network_members WHERE company_id = $1 AND left_on IS NULL",
            )
            .bind(company.get())
            .fetch_optional(&mut *tx)
            .await?;
            let joined = joined.ok_or(invalid("company_id", Problem::NotInNetwork))?;
            if on.to_string() < joined {
                return Err(invalid("date", Problem::EndBeforeStart));
            }
            sqlx::query(
                "UPDATE network_members SET left_on = $1 WHERE company_id = $2 AND left_on IS NULL",
            )
            .bind(on.to_string())
            .bind(company.get())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Internship places a company offers: staff, or the company's own contact.
    pub async fn add_slot(&self, scope: &Scope, slot: &NewSlot) -> Result<i64> {
        let (municipality, limit) = network_reader(self, scope).await?;
        let function =
            required_text("function", &slot.function, SLOT_FUNCTION_MAX).map_err(Error::Invalid)?;
        if !(1..=50).contains(&slot.places) {
            return Err(Error::Invalid(
                FieldError::new("places", Problem::OutOfRange)
                    .with("min", 1)
                    .with("max", 50),
            ));
        }
        if slot.to < slot.from {
            return Err(invalid("to_date", Problem::EndBeforeStart));
        }
        // Places that have ended would be saved and never shown.
        if slot.to.to_string() < super::today() {
            return Err(invalid("to_date", Problem::DateInPast));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            require_company!(&mut *tx, slot.company, municipality, limit);
            let member: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM network_members WHERE company_id = $1 AND left_on IS NULL",
            )
            .bind(slot.company.get())
            .fetch_optional(&mut *tx)
            .await?;
            member.ok_or(invalid("company_id", Problem::NotInNetwork))?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO internship_slots (municipality_code, company_id, function, places, from_date, to_date, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(municipality)
            .bind(slot.company.get())
            .bind(&function)
            .bind(slot.places)
            .bind(slot.from.to_string())
            .bind(slot.to.to_string())
            .bind(scope.user_id)
            .bind(crate::now())
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The places a company offers that have not ended.
    pub async fn company_slots(&self, scope: &Scope, company: CompanyId) -> Result<Vec<SlotRow>> {
        let (municipality, limit) = network_reader(self, scope).await?;
        let today = super::today();
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            require_company!(&mut *tx, company, municipality, limit);
            let rows = sqlx::query_as::<_, SlotRow>(
                "SELECT s.id, s.company_id, c.name AS company_name, s.function, s.places, s.from_date, s.to_date \
                 FROM internship_slots s JOIN companies c ON c.id = s.company_id \
                 WHERE s.company_id = $1 AND s.to_date >= $2 ORDER BY s.from_date, s.id",
            )
            .bind(company.get())
            .bind(&today)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(rows)
        })
    }

    pub async fn create_network_meeting(
        &self,
        scope: &Scope,
        meeting: &NewNetworkMeeting,
    ) -> Result<NetworkMeetingId> {
        let municipality = staff(scope)?;
        let topic =
            required_text("topic", &meeting.topic, SLOT_FUNCTION_MAX).map_err(Error::Invalid)?;
        let place = optional_text("place", &meeting.place, PLACE_MAX)
            .map_err(Error::Invalid)?
            .unwrap_or_default();
        if !(15..=480).contains(&meeting.duration_minutes) {
            return Err(Error::Invalid(
                FieldError::new("duration_minutes", Problem::OutOfRange)
                    .with("min", 15)
                    .with("max", 480),
            ));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO network_meetings (municipality_code, date, start_time, duration_minutes, place, topic, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(municipality)
            .bind(meeting.date.to_string())
            .bind(time_text(meeting.time))
            .bind(meeting.duration_minutes)
            .bind(&place)
            .bind(&topic)
            .bind(scope.user_id)
            .bind(crate::now())
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(NetworkMeetingId::new(id))
        })
    }

    /// Cancels a network meeting with a reason (calendars remove it).
    pub async fn cancel_network_meeting(
        &self,
        scope: &Scope,
        id: NetworkMeetingId,
        reason: &str,
    ) -> Result<()> {
        let municipality = staff(scope)?;
        let reason = required_text("reason", reason, REASON_MAX).map_err(Error::Invalid)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let cancelled: bool = sqlx::query_scalar(
                "SELECT cancelled FROM network_meetings WHERE id = $1 AND municipality_code = $2",
            )
            .bind(id.get())
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            if cancelled {
                return Err(invalid("reason", Problem::MeetingCancelled));
            }
            sqlx::query(
                "UPDATE network_meetings SET cancelled = $1, change_reason = $2, sequence = sequence + 1 WHERE id = $3",
            )
            .bind(true)
            .bind(&reason)
            .bind(id.get())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// One network meeting with its sign-ups (a contact: their company's).
    pub async fn network_meeting(
        &self,
        scope: &Scope,
        id: NetworkMeetingId,
    ) -> Result<NetworkMeetingDetail> {
        let (municipality, limit) = network_reader(self, scope).await?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let meeting = sqlx::query_as::<_, NetworkMeetingRow>(concat!(
                network_meeting_sql!(),
                " AND n.id = $3"
            ))
            .bind(scope.user_id)
            .bind(municipality)
            .bind(id.get())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            let signups = sqlx::query_as::<_, SignupRow>(
                "SELECT k.id AS contact_id, k.name, c.name AS company_name, s.attended \
                 FROM network_signups s JOIN company_contacts k ON k.id = s.contact_id JOIN companies c ON c.id = k.company_id \
                 WHERE s.meeting_id = $1 AND (CAST($2 AS BIGINT) IS NULL OR c.id = $2) ORDER BY c.name, k.name, k.id",
            )
            .bind(id.get())
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(NetworkMeetingDetail { meeting, signups })
        })
    }

    /// A company contact signs up for a network meeting (`true`) or withdraws.
    /// Signing up twice is no change.
    pub async fn sign_up_for_network_meeting(
        &self,
        scope: &Scope,
        id: NetworkMeetingId,
        attend: bool,
    ) -> Result<()> {
        let municipality = scope
            .municipality
            .filter(|_| scope.role == Role::CompanyContact)
            .ok_or(Error::NotFound)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let (cancelled, date): (bool, String) = sqlx::query_as(
                "SELECT cancelled, date FROM network_meetings WHERE id = $1 AND municipality_code = $2",
            )
            .bind(id.get())
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            if date < super::today() {
                return Err(invalid("meeting", Problem::MeetingPast));
            }
            // The contact person of the user's own company, while it is in the network.
            let contact: Option<i64> = sqlx::query_scalar(
                "SELECT k.id FROM company_contacts k JOIN users u ON u.id = k.user_id AND u.company_id = k.company_id \
                 JOIN companies c ON c.id = k.company_id \
                 WHERE k.user_id = $1 AND c.municipality_code = $2 ORDER BY k.id LIMIT 1",
            )
            .bind(scope.user_id)
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            let contact = contact.ok_or(invalid("meeting", Problem::UnknownContact))?;
            let member: Option<i64> = sqlx::query_scalar(
                "SELECT m.id FROM network_members m JOIN company_contacts k ON k.company_id = m.company_id \
                 WHERE k.id = $1 AND m.left_on IS NULL",
            )
            .bind(contact)
            .fetch_optional(&mut *tx)
            .await?;
            if attend && member.is_none() {
                return Err(invalid("meeting", Problem::NotInNetwork));
            }
            if attend {
                if cancelled {
                    return Err(invalid("meeting", Problem::MeetingCancelled));
                }
                // Twice (a double click, a reload) is one sign-up, also when
                // the two race.
                sqlx::query(
                    "INSERT INTO network_signups (meeting_id, contact_id, signed_up_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (meeting_id, contact_id) DO NOTHING",
                )
                .bind(id.get())
                .bind(contact)
                .bind(crate::now())
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query(
                    "DELETE FROM network_signups WHERE meeting_id = $1 AND contact_id = $2",
                )
                .bind(id.get())
                .bind(contact)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Whether the scope may see this network meeting (before parsing a request).
    pub async fn require_network_meeting_visible(
        &self,
        scope: &Scope,
        id: NetworkMeetingId,
    ) -> Result<()> {
        let (municipality, _) = network_reader(self, scope).await?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_scalar::<_, i64>(
                "SELECT id FROM network_meetings WHERE id = $1 AND municipality_code = $2",
            )
            .bind(id.get())
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            Ok(())
        })
    }

    /// Marks whether a contact came: one who signed up, or one who came
    /// without (a company contact of the municipality).
    pub async fn record_network_attendance(
        &self,
        scope: &Scope,
        id: NetworkMeetingId,
        contact: i64,
        attended: bool,
    ) -> Result<()> {
        let municipality = staff(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let meeting: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM network_meetings WHERE id = $1 AND municipality_code = $2",
            )
            .bind(id.get())
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            meeting.ok_or(Error::NotFound)?;
            let known: Option<i64> = sqlx::query_scalar(
                "SELECT k.id FROM company_contacts k JOIN companies c ON c.id = k.company_id \
                 WHERE k.id = $1 AND c.municipality_code = $2",
            )
            .bind(contact)
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            known.ok_or(invalid("contact_id", Problem::UnknownContact))?;
            sqlx::query(
                "INSERT INTO network_signups (meeting_id, contact_id, signed_up_at, attended) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (meeting_id, contact_id) DO UPDATE SET attended = excluded.attended",
            )
            .bind(id.get())
            .bind(contact)
            .bind(crate::now())
            .bind(attended)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The shared notes of a network meeting.
    pub async fn write_network_notes(
        &self,
        scope: &Scope,
        id: NetworkMeetingId,
        notes: &str,
    ) -> Result<()> {
        let municipality = staff(scope)?;
        let notes = optional_text("notes", notes, MEETING_NOTES_MAX)
            .map_err(Error::Invalid)?
            .unwrap_or_default();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let changed = sqlx::query(
                "UPDATE network_meetings SET notes = $1, notes_by = $2, notes_at = $3 WHERE id = $4 AND municipality_code = $5",
            )
            .bind(&notes)
            .bind(scope.user_id)
            .bind(crate::now())
            .bind(id.get())
            .bind(municipality)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(Error::NotFound);
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// A line in a company's contact log (append-only).
    pub async fn add_contact_log(&self, scope: &Scope, entry: &NewContactLog) -> Result<i64> {
        let municipality = staff(scope)?;
        if !CONTACT_KINDS.contains(&entry.kind.as_str()) {
            return Err(invalid("kind", Problem::UnknownChoice));
        }
        let summary = required_text("summary", &entry.summary, CONTACT_SUMMARY_MAX)
            .map_err(Error::Invalid)?;
        if entry.happened_on.to_string() > super::today() {
            return Err(invalid("happened_on", Problem::DateInFuture));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            require_company!(&mut *tx, entry.company, municipality, None::<i64>);
            if let Some(contact) = entry.contact {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM company_contacts WHERE id = $1 AND company_id = $2",
                )
                .bind(contact)
                .bind(entry.company.get())
                .fetch_optional(&mut *tx)
                .await?;
                found.ok_or(invalid("contact_id", Problem::UnknownContact))?;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO company_contact_log (municipality_code, company_id, kind, contact_id, happened_on, summary, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(municipality)
            .bind(entry.company.get())
            .bind(&entry.kind)
            .bind(entry.contact)
            .bind(entry.happened_on.to_string())
            .bind(&summary)
            .bind(scope.user_id)
            .bind(crate::now())
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A company's contact log, newest first (staff only).
    pub async fn contact_log(
        &self,
        scope: &Scope,
        company: CompanyId,
    ) -> Result<Vec<ContactLogRow>> {
        let municipality = staff(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            require_company!(&mut *tx, company, municipality, None::<i64>);
            let rows = sqlx::query_as::<_, ContactLogRow>(
                "SELECT l.id, l.kind, k.name AS contact_name, l.happened_on, l.summary, u.display_name AS recorded_by, l.recorded_at \
                 FROM company_contact_log l JOIN users u ON u.id = l.recorded_by LEFT JOIN company_contacts k ON k.id = l.contact_id \
                 WHERE l.company_id = $1 ORDER BY l.happened_on DESC, l.id DESC",
            )
            .bind(company.get())
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(rows)
        })
    }
}
