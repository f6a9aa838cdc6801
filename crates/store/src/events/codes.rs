//! One-time log-in codes: a consultant gives a youth a code (read aloud or
//! on a note), the youth types it once and is logged in: no password to
//! remember. A code lives a week, is stored only as a hash, and a new code
//! ends the youth's earlier ones. Failed attempts are counted per client, and
//! after ten in a quarter of an hour the client waits.

use super::*;
use crate::crypto::token_hash;
use crate::users::UserRow;
use rand::RngCore;
use spire_domain::event::{
    LOGIN_CODE_FAILURE_WINDOW_SECS, LOGIN_CODE_FAILURES_ALLOWED, LOGIN_CODE_LENGTH,
    LOGIN_CODE_LIFETIME_SECS, format_login_code, normalise_login_code,
};

/// What came of typing a code.
#[derive(Debug)]
pub enum LoginCodeOutcome {
    Success(Box<UserRow>),
    /// Unknown, used or expired: one message for all, so a guess learns nothing.
    Wrong,
    /// Too many failures from this client lately; nothing was checked.
    Blocked,
}

/// A code just made: shown once to the consultant.
#[derive(Debug, Clone, Serialize)]
pub struct LoginCode {
    pub code: String,
    pub expires_at: i64,
}

impl Db {
    /// Makes a log-in code for a youth of the staff member's municipality,
    /// giving them a youth login first if they have none. Earlier unused
    /// codes of the youth stop working.
    pub async fn create_login_code(&self, scope: &Scope, youth: YouthId) -> Result<LoginCode> {
        let municipality = staff_municipality(scope)?;
        let mut random = [0u8; LOGIN_CODE_LENGTH];
        rand::rng().fill_bytes(&mut random);
        let code = format_login_code(&random);
        let now = crate::now();
        let expires_at = now + LOGIN_CODE_LIFETIME_SECS;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            let (user, name): (Option<i64>, String) = sqlx::query_as(
                "SELECT user_id, first_name || ' ' || last_name FROM youth WHERE id = $1",
            )
            .bind(youth.get())
            .fetch_one(&mut *tx)
            .await?;
            let user = match user {
                Some(user) => user,
                None => {
                    // A login of their own with a password nobody knows: they
                    // log in with codes until they choose to set one.
                    let login = format!(
                        "ung-{}-{}",
                        youth.get(),
                        &crate::crypto::random_token()[..6]
                    );
                    let unusable = crate::users::hash_password(&crate::crypto::random_token());
                    let user: i64 = sqlx::query_scalar(
                        "INSERT INTO users (login, display_name, password_hash, role, municipality_code, created_at) \
                         VALUES ($1, $2, $3, 'youth', $4, $5) RETURNING id",
                    )
                    .bind(&login)
                    .bind(&name)
                    .bind(unusable)
                    .bind(municipality)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    let actor = crate::Actor::of(scope);
                    crate::users::admin_log::record_admin_change!(
                        tx,
                        actor,
                        crate::AdminAction::UserCreated,
                        &login,
                        municipality,
                        spire_domain::Role::Youth.code()
                    );
                    sqlx::query("UPDATE youth SET user_id = $1 WHERE id = $2")
                        .bind(user)
                        .bind(youth.get())
                        .execute(&mut *tx)
                        .await?;
                    user
                }
            };
            sqlx::query(
                "UPDATE login_codes SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
            )
            .bind(now)
            .bind(user)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO login_codes (user_id, code_hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(user)
            .bind(token_hash(&normalise_login_code(&code).expect("a made code is a code")))
            .bind(scope.user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth.get()),
                Some("login code")
            )?;
            tx.commit().await?;
            Ok(LoginCode { code, expires_at })
        })
    }

    /// Logs in with a code: once, before it expires, and only while the
    /// client has not failed too often lately. Every attempt is in the
    /// log-in log.
    pub async fn redeem_login_code(
        &self,
        typed: &str,
        client: &str,
        request_id: &str,
    ) -> Result<LoginCodeOutcome> {
        let now = crate::now();
        let client: String = client.chars().take(64).collect();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let failures: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM login_code_failures WHERE client = $1 AND at > $2",
            )
            .bind(&client)
            .bind(now - LOGIN_CODE_FAILURE_WINDOW_SECS)
            .fetch_one(&mut *tx)
            .await?;
            let outcome = if failures >= LOGIN_CODE_FAILURES_ALLOWED {
                LoginCodeOutcome::Blocked
            } else {
                let user: Option<i64> = match normalise_login_code(typed) {
                    Some(code) => {
                        sqlx::query_scalar(
                            "UPDATE login_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $3 \
                             RETURNING user_id",
                        )
                        .bind(now)
                        .bind(token_hash(&code))
                        .bind(now)
                        .fetch_optional(&mut *tx)
                        .await?
                    }
                    None => None,
                };
                match user {
                    Some(user) => LoginCodeOutcome::Success(Box::new(
                        sqlx::query_as::<_, UserRow>(crate::users::USER_BY_ID_SQL)
                            .bind(user)
                            .fetch_one(&mut *tx)
                            .await?,
                    )),
                    None => {
                        sqlx::query("INSERT INTO login_code_failures (at, client) VALUES ($1, $2)")
                            .bind(now)
                            .bind(&client)
                            .execute(&mut *tx)
                            .await?;
                        LoginCodeOutcome::Wrong
                    }
                }
            };
            sqlx::query(
                "INSERT INTO login_attempts (at, login, succeeded, request_id) VALUES ($1, $2, $3, $4)",
            )
            .bind(now)
            .bind(match &outcome {
                LoginCodeOutcome::Success(user) => user.login.clone(),
                _ => "(code)".to_string(),
            })
            .bind(matches!(outcome, LoginCodeOutcome::Success(_)))
            .bind(request_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM login_code_failures WHERE at < $1")
                .bind(now - LOGIN_CODE_FAILURE_WINDOW_SECS)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(outcome)
        })
    }
}
