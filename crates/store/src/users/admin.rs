//! Administrative changes to users: creating one, lifting a log-in wait,
//! resetting two-factor (API tokens: `tokens.rs`). Each is written to the
//! administration log in its own transaction, with who made it.

use super::{NewUser, hash_password, throttle_key};
use crate::users::admin_log::{Actor, AdminAction, record_admin_change};
use crate::{BeginWrite, Db, Error, Result, Scope, on_db, unique_violation_as};
use serde::Serialize;
use spire_domain::{Problem, Role};

/// A login that must wait before its next attempt.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BlockedLogin {
    pub login: String,
    pub display_name: String,
    pub municipality_code: Option<i64>,
    /// Unix seconds when the wait ends.
    pub until: i64,
}

/// The user `login` as the actor may change them: `(id, municipality)`; a
/// team lead reaches only their own municipality's users (else not found).
macro_rules! target_user {
    ($tx:expr, $actor:expr, $login:expr) => {{
        let row: Option<(i64, Option<i64>)> =
            sqlx::query_as("SELECT id, municipality_code FROM users WHERE login = $1")
                .bind($login)
                .fetch_optional(&mut *$tx)
                .await?;
        match row {
            Some((id, municipality))
                if $actor.municipality.is_none() || $actor.municipality == municipality =>
            {
                (id, municipality)
            }
            _ => return Err(Error::NotFound),
        }
    }};
}
pub(crate) use target_user;

impl Db {
    pub async fn create_user(&self, actor: &Actor, user: &NewUser) -> Result<i64> {
        if let Some(first) = user.validate().into_iter().next() {
            return Err(Error::Invalid(first));
        }
        let hash = hash_password(&user.password);
        let municipality = user
            .role
            .is_municipal()
            .then_some(user.municipality_code)
            .flatten();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            if let Some(code) = user.municipality_code {
                crate::municipalities::require_municipality!(tx, code);
            }
            // A person (not a server command) giving someone a municipality's
            // data needs that municipality's team lead to approve it; only
            // the first team lead of a municipality without one is the
            // administrator's alone (anyone else waits for that lead).
            let needs_approval = match (actor.user_id, municipality) {
                (Some(_), Some(code)) => {
                    let leads: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM users WHERE municipality_code = $1 AND role = 'team_lead' \
                         AND awaiting_approval_since IS NULL AND deactivated_at IS NULL",
                    )
                    .bind(code)
                    .fetch_one(&mut *tx)
                    .await?;
                    leads > 0 || user.role != Role::TeamLead
                }
                _ => false,
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (login, display_name, password_hash, role, municipality_code, company_id, created_at, \
                 awaiting_approval_since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(&user.login)
            .bind(user.display_name.trim())
            .bind(&hash)
            .bind(user.role.code())
            .bind(municipality)
            .bind(user.company_id)
            .bind(crate::now())
            .bind(needs_approval.then(crate::now))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| unique_violation_as(e, "login", Problem::LoginTaken))?;
            record_admin_change!(
                tx,
                actor,
                AdminAction::UserCreated,
                &user.login,
                municipality,
                user.role.code()
            );
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Lifts a log-in wait (a team lead's for their municipality's users, or
    /// an administrator's).
    pub async fn unblock_user(&self, actor: &Actor, login: &str) -> Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (_, municipality) = target_user!(tx, actor, login);
            sqlx::query("DELETE FROM login_throttle WHERE login = $1")
                .bind(throttle_key(login))
                .execute(&mut *tx)
                .await?;
            record_admin_change!(
                tx,
                actor,
                AdminAction::LoginUnblocked,
                login,
                municipality,
                ""
            );
            tx.commit().await?;
            Ok(())
        })
    }

    /// The users who must wait before logging in again: all for an
    /// administrator, a team lead's own municipality's.
    pub async fn blocked_logins(&self, scope: &Scope) -> Result<Vec<BlockedLogin>> {
        let municipality = match scope.role {
            Role::Admin => None,
            Role::TeamLead => Some(scope.municipality.ok_or(Error::NotFound)?),
            _ => return Err(Error::NotFound),
        };
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            Ok(sqlx::query_as::<_, BlockedLogin>(
                "SELECT u.login, u.display_name, u.municipality_code, MAX(t.locked_until) AS until \
                 FROM login_throttle t JOIN users u ON u.login = t.login \
                 WHERE t.locked_until > $1 AND ($2 IS NULL OR u.municipality_code = $2) \
                 GROUP BY u.login, u.display_name, u.municipality_code ORDER BY u.login",
            )
            .bind(crate::now())
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?)
        })
    }

    /// Turns two-factor log-in off for a user (e.g. a lost phone).
    pub async fn reset_totp(&self, actor: &Actor, login: &str) -> Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (id, municipality) = target_user!(tx, actor, login);
            sqlx::query(
                "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            record_admin_change!(
                tx,
                actor,
                AdminAction::TwoFactorReset,
                login,
                municipality,
                ""
            );
            tx.commit().await?;
            Ok(())
        })
    }

    /// Approves an account that waits (its municipality's team lead only:
    /// not an administrator, not a command — that is the second person).
    pub async fn approve_user(&self, actor: &Actor, login: &str) -> Result<()> {
        if actor.role != Some(Role::TeamLead) {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (id, municipality) = target_user!(tx, actor, login);
            let approved = sqlx::query(
                "UPDATE users SET awaiting_approval_since = NULL WHERE id = $1 AND awaiting_approval_since IS NOT NULL",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // Approving again (a reload) changes nothing and logs nothing.
            if approved > 0 {
                record_admin_change!(
                    tx,
                    actor,
                    AdminAction::UserApproved,
                    login,
                    municipality,
                    ""
                );
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Accounts waiting for approval: all for an administrator, a team
    /// lead's own municipality's.
    pub async fn awaiting_approval(&self, scope: &Scope) -> Result<Vec<AwaitingUser>> {
        let municipality = match scope.role {
            Role::Admin => None,
            Role::TeamLead => Some(scope.municipality.ok_or(Error::NotFound)?),
            _ => return Err(Error::NotFound),
        };
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            Ok(sqlx::query_as::<_, AwaitingUser>(
                "SELECT login, display_name, role, municipality_code, awaiting_approval_since AS since FROM users \
                 WHERE awaiting_approval_since IS NOT NULL AND ($1 IS NULL OR municipality_code = $1) ORDER BY login",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?)
        })
    }
}

/// An account that waits for its municipality's team lead.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AwaitingUser {
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub municipality_code: Option<i64>,
    pub since: i64,
}
