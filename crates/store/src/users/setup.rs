//! Setting up real people: an administrator renames an account, places a
//! member of staff in a team with their FTE, links a young person's or a
//! company contact's login to its record, and deactivates an account (its
//! sessions and API tokens end at once) or opens it again. Each change is
//! written to the administration log in its own transaction.
//!
//! The administrator sees no personal data: a youth login is linked by the
//! record's number, which the young person's consultant reads on their page,
//! and the answer names only that number.

use super::admin_log::{Actor, AdminAction, record_admin_change};
use super::{USER_BY_ID_SQL, UserRow};
use crate::{BeginWrite, Db, Error, Result, Rows, SetRows, invalid, on_db};
use serde::Serialize;
use spire_domain::{FieldError, Problem, Role};

/// Longest team name.
pub const TEAM_NAME_MAX: usize = 100;

/// What the administrator's page shows of one account.
#[derive(Debug, Clone, Serialize)]
pub struct UserDetail {
    pub user: UserRow,
    /// Unix seconds when it was deactivated.
    pub deactivated_at: Option<i64>,
    /// The team and FTE of a member of staff.
    pub team: Option<TeamPlace>,
    /// The number of the young person's record a youth login opens.
    pub youth_record: Option<i64>,
    pub company_name: Option<String>,
}

/// A place in a team: the team's name in the account's municipality (made
/// when it does not exist yet) and the full-time share, above 0, at most 1.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TeamPlace {
    pub team_name: String,
    pub fte: f64,
}

impl TeamPlace {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        match self.team_name.trim().chars().count() {
            0 => errors.push(FieldError::new("team_name", Problem::Required)),
            n if n > TEAM_NAME_MAX => errors.push(FieldError::new("team_name", Problem::TooLong)),
            _ => {}
        }
        if !(self.fte > 0.0 && self.fte <= 1.0) {
            errors.push(FieldError::new("fte", Problem::FteRange));
        }
        errors
    }
}

/// What deactivating an account ended.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Deactivated {
    pub sessions_ended: u64,
    pub tokens_revoked: u64,
    /// Young people whose consultant this was: they are without one now,
    /// and the team lead gives them a new one.
    pub youth_without_consultant: i64,
}

/// The account `id` as the actor may change it: `(login, role, municipality)`;
/// a team lead reaches only their own municipality's accounts.
macro_rules! account {
    ($tx:expr, $actor:expr, $id:expr) => {{
        let row: Option<(String, String, Option<i64>)> =
            sqlx::query_as("SELECT login, role, municipality_code FROM users WHERE id = $1")
                .bind($id)
                .fetch_optional(&mut *$tx)
                .await?;
        match row {
            Some((login, role, municipality))
                if $actor.municipality.is_none() || $actor.municipality == municipality =>
            {
                (
                    login,
                    role.parse::<Role>().unwrap_or(Role::Youth),
                    municipality,
                )
            }
            _ => return Err(Error::NotFound),
        }
    }};
}

impl Db {
    /// One account with its team, links and state.
    pub async fn user_detail(&self, id: i64) -> Result<UserDetail> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_rows(Rows::Tenant(None)).await?;
            let user = sqlx::query_as::<_, UserRow>(USER_BY_ID_SQL)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?;
            let deactivated_at: Option<i64> =
                sqlx::query_scalar("SELECT deactivated_at FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            let team: Option<(String, f64)> = sqlx::query_as(
                "SELECT t.name, tm.fte FROM team_members tm JOIN teams t ON t.id = tm.team_id \
                 WHERE tm.user_id = $1 ORDER BY t.name LIMIT 1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            // Only the record's number crosses into the administrator's
            // view, never a name.
            tx.set_rows(Rows::Tenant(user.municipality_code)).await?;
            let youth_record: Option<i64> =
                sqlx::query_scalar("SELECT id FROM youth WHERE user_id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let company_name: Option<String> =
                sqlx::query_scalar("SELECT name FROM companies WHERE id = $1")
                    .bind(user.company_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            tx.commit().await?;
            Ok(UserDetail {
                user,
                deactivated_at,
                team: team.map(|(team_name, fte)| TeamPlace { team_name, fte }),
                youth_record,
                company_name,
            })
        })
    }

    /// The names of a municipality's teams, for choosing one.
    pub async fn team_names(&self, municipality: i64) -> Result<Vec<String>> {
        on_db!(self, |pool| Ok(sqlx::query_scalar(
            "SELECT name FROM teams WHERE municipality_code = $1 ORDER BY name"
        )
        .bind(municipality)
        .fetch_all(pool)
        .await?))
    }

    /// A municipality's companies `(id, name)`, for linking a contact's login.
    pub async fn company_names(&self, municipality: i64) -> Result<Vec<(i64, String)>> {
        on_db!(self, |pool| Ok(sqlx::query_as(
            "SELECT id, name FROM companies WHERE municipality_code = $1 ORDER BY name, id"
        )
        .bind(municipality)
        .fetch_all(pool)
        .await?))
    }

    /// Changes the name an account is shown by.
    pub async fn rename_user(&self, actor: &Actor, id: i64, display_name: &str) -> Result<()> {
        let name = display_name.trim();
        match name.chars().count() {
            0 => {
                return Err(invalid("display_name", Problem::Required));
            }
            n if n > spire_domain::validation::limits::DISPLAY_NAME => {
                return Err(invalid("display_name", Problem::TooLong));
            }
            _ => {}
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (login, _, municipality) = account!(tx, actor, id);
            let changed = sqlx::query(
                "UPDATE users SET display_name = $1 WHERE id = $2 AND display_name <> $1",
            )
            .bind(name)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed > 0 {
                record_admin_change!(
                    tx,
                    actor,
                    AdminAction::UserRenamed,
                    &login,
                    municipality,
                    name
                );
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Places a consultant, psychologist or team lead in a team of their
    /// municipality with their FTE (the team is made if it is new), or takes
    /// them out of their team (`None`).
    pub async fn place_in_team(
        &self,
        actor: &Actor,
        id: i64,
        place: Option<&TeamPlace>,
    ) -> Result<()> {
        if let Some(first) = place.and_then(|p| p.validate().into_iter().next()) {
            return Err(Error::Invalid(first));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (login, role, municipality) = account!(tx, actor, id);
            let Some(code) = municipality.filter(|_| role.is_programme_staff()) else {
                return Err(invalid("team_name", Problem::TeamStaffOnly));
            };
            sqlx::query("DELETE FROM team_members WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let detail = match place {
                Some(place) => {
                    let name = place.team_name.trim();
                    // "ungeteam østerbro" is the team "Ungeteam Østerbro", not a
                    // second one (compared in Rust: SQLite folds only ASCII).
                    let teams: Vec<(i64, String)> = sqlx::query_as(
                        "SELECT id, name FROM teams WHERE municipality_code = $1 ORDER BY id",
                    )
                    .bind(code)
                    .fetch_all(&mut *tx)
                    .await?;
                    let existing = teams
                        .iter()
                        .find(|(_, team)| team.to_lowercase() == name.to_lowercase())
                        .map(|(id, _)| *id);
                    let team = match existing {
                        Some(team) => team,
                        None => {
                            sqlx::query_scalar(
                                "INSERT INTO teams (municipality_code, name) VALUES ($1, $2) RETURNING id",
                            )
                            .bind(code)
                            .bind(name)
                            .fetch_one(&mut *tx)
                            .await?
                        }
                    };
                    sqlx::query(
                        "INSERT INTO team_members (team_id, user_id, fte) VALUES ($1, $2, $3)",
                    )
                    .bind(team)
                    .bind(id)
                    .bind(place.fte)
                    .execute(&mut *tx)
                    .await?;
                    format!("{name} ({} FTE)", place.fte)
                }
                None => String::new(),
            };
            record_admin_change!(
                tx,
                actor,
                AdminAction::TeamPlaced,
                &login,
                municipality,
                &detail
            );
            tx.commit().await?;
            Ok(())
        })
    }

    /// Links a youth login to the young person's record `record` in the
    /// same municipality, so "Mit forløb" opens it. A record has at most one
    /// login; a login opens at most one record (an earlier link is undone).
    pub async fn link_youth_login(&self, actor: &Actor, id: i64, record: i64) -> Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (login, role, municipality) = account!(tx, actor, id);
            if role != Role::Youth {
                return Err(invalid("youth_record", Problem::NothingToLink));
            }
            tx.set_rows(Rows::Tenant(municipality)).await?;
            let holder: Option<Option<i64>> = sqlx::query_scalar(
                "SELECT user_id FROM youth WHERE id = $1 AND municipality_code = $2",
            )
            .bind(record)
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            match holder {
                None => {
                    return Err(invalid("youth_record", Problem::UnknownRecord));
                }
                Some(Some(other)) if other != id => {
                    return Err(invalid("youth_record", Problem::RecordHasLogin));
                }
                Some(Some(_)) => {}
                Some(None) => {
                    sqlx::query("UPDATE youth SET user_id = NULL WHERE user_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("UPDATE youth SET user_id = $1 WHERE id = $2")
                        .bind(id)
                        .bind(record)
                        .execute(&mut *tx)
                        .await?;
                    record_admin_change!(
                        tx,
                        actor,
                        AdminAction::LoginLinked,
                        &login,
                        municipality,
                        &format!("youth record {record}")
                    );
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Links a company contact's login to a company of its municipality, so
    /// "Min virksomhed" opens it.
    pub async fn link_company_login(&self, actor: &Actor, id: i64, company: i64) -> Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (login, role, municipality) = account!(tx, actor, id);
            if role != Role::CompanyContact {
                return Err(invalid("company_id", Problem::NothingToLink));
            }
            let name: Option<String> = sqlx::query_scalar(
                "SELECT name FROM companies WHERE id = $1 AND municipality_code = $2",
            )
            .bind(company)
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(name) = name else {
                return Err(invalid("company_id", Problem::UnknownCompany));
            };
            let changed = sqlx::query(
                "UPDATE users SET company_id = $1 WHERE id = $2 AND (company_id IS NULL OR company_id <> $1)",
            )
            .bind(company)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed > 0 {
                record_admin_change!(
                    tx,
                    actor,
                    AdminAction::LoginLinked,
                    &login,
                    municipality,
                    &name
                );
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Deactivates an account: it cannot log in, its sessions end and its
    /// API tokens are revoked, it leaves its team, and it is offered nowhere
    /// as a consultant or facilitator. Nobody deactivates their own account.
    pub async fn deactivate_user(&self, actor: &Actor, id: i64) -> Result<Deactivated> {
        if actor.user_id == Some(id) {
            return Err(invalid("active", Problem::OwnAccount));
        }
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (login, _, municipality) = account!(tx, actor, id);
            let newly = sqlx::query(
                "UPDATE users SET deactivated_at = $1 WHERE id = $2 AND deactivated_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let sessions_ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let tokens_revoked = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            for sql in [
                "DELETE FROM team_members WHERE user_id = $1",
                "DELETE FROM login_codes WHERE user_id = $1 AND used_at IS NULL",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            tx.set_rows(Rows::Tenant(municipality)).await?;
            // Nobody who left is a young person's consultant: they count as
            // without one, where the team lead looks for them.
            let youth_without_consultant =
                sqlx::query("UPDATE youth SET consultant_id = NULL WHERE consultant_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected() as i64;
            // Deactivating again (a reload) changes nothing and logs nothing.
            if newly > 0 {
                record_admin_change!(
                    tx,
                    actor,
                    AdminAction::UserDeactivated,
                    &login,
                    municipality,
                    ""
                );
            }
            tx.commit().await?;
            Ok(Deactivated {
                sessions_ended,
                tokens_revoked,
                youth_without_consultant,
            })
        })
    }

    /// Opens a deactivated account again (it logs in with its password; its
    /// old API tokens stay revoked).
    pub async fn reactivate_user(&self, actor: &Actor, id: i64) -> Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (login, _, municipality) = account!(tx, actor, id);
            let changed = sqlx::query("UPDATE users SET deactivated_at = NULL WHERE id = $1 AND deactivated_at IS NOT NULL")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed > 0 {
                record_admin_change!(
                    tx,
                    actor,
                    AdminAction::UserReactivated,
                    &login,
                    municipality,
                    ""
                );
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
