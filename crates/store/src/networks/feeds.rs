//! Calendar feeds: a secret, revocable address per person and calendar. The
//! address carries a random token only (no CPR number, no name); the
//! database finds it by its SHA-256 and keeps the token sealed with the
//! server key, so its owner can copy the address again. Reading a feed acts
//! as its owner, with the owner's rights as they are now, and is written to
//! the access log.

use crate::access_log::AccessAction;
use crate::crypto::{random_token, token_hash};
use crate::internships::stored_date;
use crate::{BeginWrite, Db, Error, Result, Scope, ServerKey, on_db};
use serde::Serialize;
use spire_domain::Role;
use spire_domain::calendar::{Event, When};
use spire_domain::network::parse_time;

macro_rules! group_meetings_sql {
    () => {
        "SELECT x.id, x.date, x.start_time, x.duration_minutes, x.place, x.cancelled, x.sequence, g.name \
     FROM group_meetings x JOIN youth_groups g ON g.id = x.group_id"
    };
}

/// Which calendar a feed shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    /// A youth's own: their group's meetings while a member, and their internship days.
    Own,
    /// One youth group's meetings (staff).
    Group,
    /// The municipality's company network meetings (staff, company contacts).
    CompanyNetwork,
}

impl FeedKind {
    pub const ALL: [FeedKind; 3] = [FeedKind::Own, FeedKind::Group, FeedKind::CompanyNetwork];

    pub fn code(self) -> &'static str {
        match self {
            FeedKind::Own => "own",
            FeedKind::Group => "group",
            FeedKind::CompanyNetwork => "company_network",
        }
    }

    pub fn from_code(code: &str) -> Option<FeedKind> {
        FeedKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether a role may subscribe to this kind of calendar.
    pub fn allowed_for(self, role: Role) -> bool {
        match self {
            FeedKind::Own => role == Role::Youth,
            FeedKind::Group => role.is_programme_staff(),
            FeedKind::CompanyNetwork => role.is_programme_staff() || role == Role::CompanyContact,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedRow {
    pub id: i64,
    pub kind: String,
    pub subject_id: Option<i64>,
    /// The group's name for a group feed.
    pub subject_name: Option<String>,
    pub created_at: i64,
    /// The secret token of the address, for its owner's eyes only.
    #[serde(skip)]
    pub token: String,
}

const FEED_AAD: &[u8] = b"spire/calendar-feed/v1";

/// What a feed is of, as asked for.
#[derive(Debug, Clone, Copy)]
pub struct FeedSubject {
    pub kind: FeedKind,
    /// The group, for a group feed.
    pub group: Option<i64>,
}

/// How far back a feed reaches: calendars keep what they already have.
const FEED_HISTORY_DAYS: i64 = 90;

impl Db {
    /// Creates a secret feed address for the caller; returns the token,
    /// shown once (only its hash is kept).
    pub async fn create_feed(
        &self,
        scope: &Scope,
        key: &ServerKey,
        subject: FeedSubject,
    ) -> Result<String> {
        let municipality = scope.municipality.ok_or(Error::NotFound)?;
        if !subject.kind.allowed_for(scope.role) {
            return Err(Error::NotFound);
        }
        let token = random_token() + &random_token();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let group = match subject.kind {
                FeedKind::Group => {
                    let group = subject.group.ok_or(Error::NotFound)?;
                    let found: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM youth_groups WHERE id = $1 AND municipality_code = $2",
                    )
                    .bind(group)
                    .bind(municipality)
                    .fetch_optional(&mut *tx)
                    .await?;
                    Some(found.ok_or(Error::NotFound)?)
                }
                _ => None,
            };
            sqlx::query(
                "INSERT INTO calendar_feeds (token_hash, token_sealed, user_id, kind, subject_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(token_hash(&token))
            .bind(key.encrypt(FEED_AAD, token.as_bytes()))
            .bind(scope.user_id)
            .bind(subject.kind.code())
            .bind(group)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(token)
        })
    }

    /// The caller's feeds that are not revoked, with their tokens.
    pub async fn feeds(&self, scope: &Scope, key: &ServerKey) -> Result<Vec<FeedRow>> {
        let rows: Vec<(i64, String, Option<i64>, Option<String>, i64, Vec<u8>)> = on_db!(
            self,
            |pool| {
                let mut tx = pool.begin_as(scope).await?;
                sqlx::query_as(
                    "SELECT f.id, f.kind, f.subject_id, g.name, f.created_at, f.token_sealed \
                     FROM calendar_feeds f LEFT JOIN youth_groups g ON g.id = f.subject_id AND f.kind = 'group' \
                     WHERE f.user_id = $1 AND f.revoked_at IS NULL ORDER BY f.id",
                )
                .bind(scope.user_id)
                .fetch_all(&mut *tx)
                .await?
            }
        );
        rows.into_iter()
            .map(|(id, kind, subject_id, subject_name, created_at, sealed)| {
                let token = String::from_utf8(key.decrypt(FEED_AAD, &sealed)?)
                    .map_err(|_| Error::Crypto)?;
                Ok(FeedRow {
                    id,
                    kind,
                    subject_id,
                    subject_name,
                    created_at,
                    token,
                })
            })
            .collect()
    }

    /// Revokes one of the caller's feeds for good; its address answers 404.
    pub async fn revoke_feed(&self, scope: &Scope, id: i64) -> Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let changed = sqlx::query(
                "UPDATE calendar_feeds SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            )
            .bind(crate::now())
            .bind(id)
            .bind(scope.user_id)
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

    /// The calendar behind a feed token: its title and events. An unknown,
    /// revoked or no longer permitted feed is not found. It reaches back
    /// 90 days from `today`.
    pub async fn calendar_feed(
        &self,
        token: &str,
        today: time::Date,
        request_id: &str,
    ) -> Result<(String, Vec<Event>)> {
        let found: Option<(i64, String, Option<i64>, String, Option<i64>)> = on_db!(self, |pool| {
            sqlx::query_as(
                "SELECT u.id, f.kind, f.subject_id, u.role, u.municipality_code FROM calendar_feeds f \
                 JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1 AND f.revoked_at IS NULL",
            )
            .bind(token_hash(token))
            .fetch_optional(pool)
            .await?
        });
        let (user, kind, subject, role, municipality) = found.ok_or(Error::NotFound)?;
        let role: Role = role.parse().map_err(|_| Error::NotFound)?;
        let kind = FeedKind::from_code(&kind).ok_or(Error::NotFound)?;
        let municipality = municipality.ok_or(Error::NotFound)?;
        if !kind.allowed_for(role) {
            return Err(Error::NotFound);
        }
        let scope = Scope::new(user, role, Some(municipality), request_id);
        let since = (today - time::Duration::days(FEED_HISTORY_DAYS)).to_string();
        let (title, events, youth) = on_db!(self, |pool| {
            let mut tx = pool.begin_as(&scope).await?;
            let mut events = Vec::new();
            let (title, youth) = match kind {
                FeedKind::Group => {
                    let group = subject.ok_or(Error::NotFound)?;
                    let name: String = sqlx::query_scalar(
                        "SELECT name FROM youth_groups WHERE id = $1 AND municipality_code = $2",
                    )
                    .bind(group)
                    .bind(municipality)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(Error::NotFound)?;
                    let rows: Vec<MeetingLine> = sqlx::query_as(concat!(
                        group_meetings_sql!(),
                        " WHERE x.group_id = $1 AND x.date >= $2 ORDER BY x.date, x.id"
                    ))
                    .bind(group)
                    .bind(&since)
                    .fetch_all(&mut *tx)
                    .await?;
                    for row in rows {
                        events.push(group_event(row)?);
                    }
                    (format!("Ungenetværk: {name}"), None)
                }
                FeedKind::Own => {
                    let youth: i64 = sqlx::query_scalar(
                        "SELECT id FROM youth WHERE user_id = $1 AND municipality_code = $2",
                    )
                    .bind(user)
                    .bind(municipality)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(Error::NotFound)?;
                    // Meetings of their groups while they were members.
                    let rows: Vec<MeetingLine> = sqlx::query_as(concat!(
                        group_meetings_sql!(),
                        " JOIN group_members m ON m.group_id = x.group_id \
                         WHERE m.youth_id = $1 AND x.date >= $2 AND x.date >= m.joined_on \
                         AND (m.left_on IS NULL OR x.date <= m.left_on) ORDER BY x.date, x.id"
                    ))
                    .bind(youth)
                    .bind(&since)
                    .fetch_all(&mut *tx)
                    .await?;
                    for row in rows {
                        events.push(group_event(row)?);
                    }
                    let internships: Vec<(i64, String, String, String, String, String, i64)> =
                        sqlx::query_as(
                            "SELECT i.id, c.name, i.function, i.start_date, i.end_date, i.status, \
                             (SELECT COUNT(*) FROM internship_events e WHERE e.internship_id = i.id) \
                             FROM internships i JOIN companies c ON c.id = i.company_id \
                             WHERE i.youth_id = $1 AND i.end_date >= $2 ORDER BY i.start_date, i.id",
                        )
                        .bind(youth)
                        .bind(&since)
                        .fetch_all(&mut *tx)
                        .await?;
                    for (id, company, function, start, end, status, changes) in internships {
                        events.push(Event {
                            uid: format!("internship-{id}@spire"),
                            when: When::Days {
                                first: stored_date(&start)?,
                                last: stored_date(&end)?,
                            },
                            summary: format!("Praktik: {company}"),
                            location: String::new(),
                            description: function,
                            cancelled: status == "interrupted",
                            // Every recorded change (extension, function, status) raises it.
                            sequence: changes,
                        });
                    }
                    ("Mit forløb".to_string(), Some(youth))
                }
                FeedKind::CompanyNetwork => {
                    let rows: Vec<(i64, String, String, i64, String, String, bool, i64)> =
                        sqlx::query_as(
                            "SELECT id, date, start_time, duration_minutes, place, topic, cancelled, sequence \
                             FROM network_meetings WHERE municipality_code = $1 AND date >= $2 ORDER BY date, id",
                        )
                        .bind(municipality)
                        .bind(&since)
                        .fetch_all(&mut *tx)
                        .await?;
                    for (id, date, start, minutes, place, topic, cancelled, sequence) in rows {
                        events.push(Event {
                            uid: format!("network-meeting-{id}@spire"),
                            when: at(&date, &start, minutes)?,
                            summary: format!("Virksomhedsnetværk: {topic}"),
                            location: place,
                            description: String::new(),
                            cancelled,
                            sequence,
                        });
                    }
                    ("Virksomhedsnetværk".to_string(), None)
                }
            };
            tx.commit().await?;
            (title, events, youth)
        });
        self.log_read(&scope, AccessAction::Read, youth, Some("calendar feed"))
            .await?;
        Ok((title, events))
    }
}

type MeetingLine = (i64, String, String, i64, String, bool, i64, String);

fn at(date: &str, start: &str, minutes: i64) -> Result<When> {
    let time = parse_time("start_time", start)
        .map_err(|_| Error::Corrupt(format!("a stored time is not HH:MM: {start:?}")))?;
    Ok(When::At {
        date: stored_date(date)?,
        time,
        minutes: u32::try_from(minutes).unwrap_or(60),
    })
}

fn group_event(
    (id, date, start, minutes, place, cancelled, sequence, group): MeetingLine,
) -> Result<Event> {
    Ok(Event {
        uid: format!("group-meeting-{id}@spire"),
        when: at(&date, &start, minutes)?,
        summary: format!("Ungenetværk: {group}"),
        location: place,
        description: String::new(),
        cancelled,
        sequence,
    })
}
