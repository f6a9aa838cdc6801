//! API tokens: bearer secrets stored only as SHA-256 hashes, each with a
//! name, an expiry (at most a year), a revocation and the time it was last
//! used. A token answers only while its user could log in: not during a
//! log-in wait (`login_throttle`), and the web refuses a staff member's token
//! until they use two-factor log-in where the server requires it.

use super::{ApiTokenSecret, UserRow, throttle_key};
use crate::crypto::{random_token, token_hash};
use crate::users::admin_log::{Actor, AdminAction, record_admin_change};
use crate::{BeginWrite, Db, Error, Result, on_db};
use serde::Serialize;
use spire_domain::{FieldError, Problem};

/// Longest life of a token, and the life when none is asked for.
pub const MAX_TOKEN_DAYS: i64 = 365;
pub const DEFAULT_TOKEN_DAYS: i64 = 90;
/// How many hex digits of a token's hash name it in lists and revocations.
const ID_DIGITS: usize = 16;
/// A token's last use is written at most this often (a write per request
/// would make every API read a writer).
const USE_RECORDED_EVERY_SECS: i64 = 60;

/// A new token, as asked for.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// What the token is for (shown in the list), 1–100 characters.
    pub label: &'a str,
    /// Days until it expires, 1–365.
    pub days: i64,
    /// The web form's one-time value: the same value again makes no second token.
    pub form_nonce: Option<&'a str>,
}

impl NewToken<'_> {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        match self.label.trim().chars().count() {
            0 => errors.push(FieldError::new("label", Problem::Required)),
            n if n > 100 => errors.push(FieldError::new("label", Problem::TooLong)),
            _ => {}
        }
        if !(1..=MAX_TOKEN_DAYS).contains(&self.days) {
            errors.push(FieldError::new("days", Problem::OutOfRange));
        }
        errors
    }
}

/// A token as its owner sees it in the list (never the secret).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiTokenRow {
    /// The first hex digits of the token's hash: names it for revoking.
    pub id: String,
    pub label: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// What making a token gave.
#[derive(Debug)]
pub enum TokenCreated {
    /// The secret, to be shown once.
    New(ApiTokenSecret),
    /// The same form was sent again: the token exists, its secret was shown.
    AlreadyMade,
}

impl Db {
    /// Makes a token for `login` (in the administration log).
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        login: &str,
        token: &NewToken<'_>,
    ) -> Result<TokenCreated> {
        let errors = token.validate();
        if !errors.is_empty() {
            return Err(Error::InvalidFields(errors));
        }
        let secret = format!("spire_{}", random_token());
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (id, municipality) = super::admin::target_user!(tx, actor, login);
            if let Some(nonce) = token.form_nonce {
                let made: Option<String> = sqlx::query_scalar(
                    "SELECT token_hash FROM api_tokens WHERE user_id = $1 AND form_nonce = $2",
                )
                .bind(id)
                .bind(nonce)
                .fetch_optional(&mut *tx)
                .await?;
                if made.is_some() {
                    return Ok(TokenCreated::AlreadyMade);
                }
            }
            sqlx::query(
                "INSERT INTO api_tokens (token_hash, user_id, label, created_at, expires_at, form_nonce) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(token_hash(&secret))
            .bind(id)
            .bind(token.label.trim())
            .bind(now)
            .bind(now + token.days * 86400)
            .bind(token.form_nonce)
            .execute(&mut *tx)
            .await?;
            record_admin_change!(
                tx,
                actor,
                AdminAction::TokenCreated,
                login,
                municipality,
                token.label.trim()
            );
            tx.commit().await?;
            Ok(TokenCreated::New(ApiTokenSecret(secret)))
        })
    }

    /// A user's tokens, newest first (revoked and expired ones too).
    pub async fn list_api_tokens(&self, user_id: i64) -> Result<Vec<ApiTokenRow>> {
        on_db!(self, |pool| {
            let rows: Vec<ApiTokenRow> = sqlx::query_as(
                "SELECT token_hash AS id, label, created_at, expires_at, last_used_at, revoked_at \
                 FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, token_hash",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|mut row| {
                    row.id.truncate(ID_DIGITS);
                    row
                })
                .collect())
        })
    }

    /// Revokes `login`'s token named `id` (its owner, a team lead of their
    /// municipality, an administrator or a command); in the administration log.
    /// Revoking twice changes nothing more.
    pub async fn revoke_api_token(&self, actor: &Actor, login: &str, id: &str) -> Result<()> {
        let id = id.trim().to_ascii_lowercase();
        if id.len() != ID_DIGITS || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let (user, municipality) = super::admin::target_user!(tx, actor, login);
            let found: Option<(String, Option<i64>, String)> = sqlx::query_as(
                "SELECT token_hash, revoked_at, label FROM api_tokens WHERE user_id = $1 AND substr(token_hash, 1, 16) = $2",
            )
            .bind(user)
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
            let (hash, revoked, label) = found.ok_or(Error::NotFound)?;
            if revoked.is_none() {
                sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2")
                    .bind(crate::now())
                    .bind(&hash)
                    .execute(&mut *tx)
                    .await?;
                record_admin_change!(
                    tx,
                    actor,
                    AdminAction::TokenRevoked,
                    login,
                    municipality,
                    &label
                );
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The user a bearer token from `source` speaks for: none when the token
    /// is unknown, expired or revoked, or its user must wait after wrong
    /// passwords. Its use is recorded (at most once a minute).
    pub async fn user_for_api_token(&self, token: &str, source: &str) -> Result<Option<UserRow>> {
        const SQL: &str = user_sql!(
            "JOIN api_tokens t ON t.user_id = u.id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 \
             AND u.awaiting_approval_since IS NULL AND u.deactivated_at IS NULL"
        );
        let now = crate::now();
        let hash = token_hash(token);
        on_db!(self, |pool| {
            let Some(user) = sqlx::query_as::<_, UserRow>(SQL)
                .bind(&hash)
                .bind(now)
                .fetch_optional(pool)
                .await?
            else {
                return Ok(None);
            };
            let waiting: Option<i64> = sqlx::query_scalar(
                "SELECT locked_until FROM login_throttle WHERE login = $1 AND (source = $2 OR source = '*') \
                 AND locked_until > $3 LIMIT 1",
            )
            .bind(throttle_key(&user.login))
            .bind(source)
            .bind(now)
            .fetch_optional(pool)
            .await?;
            if waiting.is_some() {
                return Ok(None);
            }
            sqlx::query(
                "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 \
                 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(now)
            .bind(&hash)
            .bind(now - USE_RECORDED_EVERY_SECS)
            .execute(pool)
            .await?;
            Ok(Some(user))
        })
    }
}
