//! Users, password log-in, sessions and API tokens.
//!
//! Passwords are argon2id hashes. Session and API tokens are 128-bit random
//! values, stored only as SHA-256 hashes, so a copy of the database cannot be
//! used to log in.

use crate::crypto::{ServerKey, random_token, token_hash};
/// The columns of a [`UserRow`], then `$tail` (joins, a filter); defined
/// before the modules so they build theirs from it.
macro_rules! user_sql {
    ($tail:literal) => {
        concat!(
            "SELECT u.id, u.login, u.display_name, u.role, u.municipality_code, m.name AS municipality_name, u.company_id, \
             (u.totp_enabled_at IS NOT NULL) AS totp_enabled, (u.awaiting_approval_since IS NOT NULL) AS awaiting_approval, \
             (u.deactivated_at IS NOT NULL) AS deactivated \
             FROM users u LEFT JOIN municipalities m ON m.code = u.municipality_code ",
            $tail
        )
    };
}

mod admin;
pub(crate) mod admin_log;
mod setup;
pub(crate) mod throttle;
mod tokens;

pub use admin::{AwaitingUser, BlockedLogin};
pub use setup::{Deactivated, TEAM_NAME_MAX, TeamPlace, UserDetail};
pub use tokens::{ApiTokenRow, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, NewToken, TokenCreated};

use crate::{BeginWrite, Db, Error, Result, on_db};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use serde::Serialize;
use spire_domain::validation::limits;
use spire_domain::{FieldError, Problem, Role};
use throttle::{Charge, charge_attempt};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub municipality_code: Option<i64>,
    pub municipality_name: Option<String>,
    pub company_id: Option<i64>,
    /// Logs in with a second factor (TOTP).
    pub totp_enabled: bool,
    /// Waits for its municipality's team lead to approve it.
    pub awaiting_approval: bool,
    /// An administrator deactivated it: it cannot log in.
    pub deactivated: bool,
}

impl UserRow {
    pub fn role(&self) -> Role {
        // Roles are written only through `Role::code`, so this cannot fail on
        // our own data; an unknown code is treated as the least privileged.
        self.role.parse().unwrap_or(Role::Youth)
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub municipality_code: Option<i64>,
    pub company_id: Option<i64>,
}

impl NewUser {
    /// Checks the fields a person typed; the first problem per field.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let login_ok = (3..=limits::LOGIN).contains(&self.login.len())
            && self
                .login
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if !login_ok {
            errors.push(FieldError::new("login", Problem::LoginFormat));
        }
        match self.display_name.trim().chars().count() {
            0 => errors.push(FieldError::new("display_name", Problem::Required)),
            n if n > limits::DISPLAY_NAME => {
                errors.push(FieldError::new("display_name", Problem::TooLong))
            }
            _ => {}
        }
        match self.password.chars().count() {
            n if n < 12 => errors.push(FieldError::new("password", Problem::PasswordTooShort)),
            // argon2 hashes any length; a bound keeps a request from burning CPU.
            n if n > 1024 => errors.push(FieldError::new("password", Problem::TooLong)),
            _ => {}
        }
        if self.role.is_municipal() && self.municipality_code.is_none() {
            errors.push(FieldError::new(
                "municipality_code",
                Problem::RoleNeedsMunicipality,
            ));
        }
        errors
    }
}

#[derive(Debug)]
pub enum LoginOutcome {
    Success(UserRow),
    WrongCredentials,
    /// Too many failures: the attempt is refused without checking the
    /// password, and may be made again after this many seconds.
    Blocked {
        retry_after_secs: i64,
    },
    /// The password is right, but the account waits for its municipality's
    /// team lead to approve it: no session.
    AwaitingApproval(UserRow),
    /// The password is right, but an administrator deactivated the
    /// account: no session.
    Deactivated,
}

/// The secrets handed to the browser once; only their hashes are stored.
#[derive(Debug, Clone)]
pub struct SessionSecret {
    pub token: String,
    pub csrf_token: String,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub csrf_token: String,
    /// The password was right but the one-time code is still to come.
    pub second_factor_pending: bool,
}

#[derive(Debug, Clone)]
pub struct ApiTokenSecret(pub String);

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2id hashing with default parameters cannot fail")
        .to_string()
}

/// Checks a password on the blocking pool, at most one check per core at a
/// time: argon2 is meant to be slow, and a burst of log-ins must not take the
/// threads that answer everyone else.
async fn password_matches(hash: &str, password: &str) -> bool {
    static SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    let Ok(_slot) = SLOTS.acquire().await else {
        return false;
    };
    let (hash, password) = (hash.to_owned(), password.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// The name a login's attempts are counted and recorded under: at most 64
/// characters, a CPR number typed as a user name redacted.
fn throttle_key(login: &str) -> String {
    spire_domain::redact_cpr(&login.chars().take(64).collect::<String>()).into_owned()
}

/// Verifying against this when the login is unknown keeps the response time
/// the same, so timing does not reveal which logins exist.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("spire-no-such-user"));

impl Db {
    pub async fn list_users(&self) -> Result<Vec<UserRow>> {
        const SQL: &str = user_sql!("ORDER BY u.municipality_code, u.role, u.login");
        on_db!(self, |pool| Ok(sqlx::query_as::<_, UserRow>(SQL)
            .fetch_all(pool)
            .await?))
    }

    pub async fn user_by_login(&self, login: &str) -> Result<UserRow> {
        const SQL: &str = user_sql!("WHERE u.login = $1");
        on_db!(self, |pool| {
            sqlx::query_as::<_, UserRow>(SQL)
                .bind(login)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)
        })
    }

    /// Checks a password from the client address `source`, and logs every
    /// attempt. Failures make the next attempt wait (`login_throttle`);
    /// an unknown login is answered exactly as a real one.
    pub async fn authenticate(
        &self,
        login: &str,
        password: &str,
        source: &str,
        request_id: &str,
    ) -> Result<LoginOutcome> {
        let now = crate::now();
        let key = throttle_key(login);
        let charged = on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let charge = charge_attempt!(tx, &key, source, now);
            let stored: Option<(i64, String, bool, bool)> = match charge {
                Charge::Counted => {
                    sqlx::query_as("SELECT id, password_hash, awaiting_approval_since IS NOT NULL, deactivated_at IS NOT NULL FROM users WHERE login = $1")
                        .bind(login)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                Charge::Wait(_) => None,
            };
            tx.commit().await?;
            (charge, stored)
        });
        let outcome = match charged {
            (Charge::Wait(secs), _) => LoginOutcome::Blocked {
                retry_after_secs: secs,
            },
            (Charge::Counted, stored) => {
                // The dummy hash keeps an unknown login's answer as slow as a
                // real one's, so timing does not tell either.
                let hash = stored
                    .as_ref()
                    .map_or(DUMMY_HASH.as_str(), |(_, hash, _, _)| hash);
                match (password_matches(hash, password).await, stored) {
                    (true, Some((_, _, _, true))) => LoginOutcome::Deactivated,
                    (true, Some((id, _, awaiting, false))) => {
                        let user = self.login_succeeded(id, &key, source).await?;
                        if awaiting {
                            LoginOutcome::AwaitingApproval(user)
                        } else {
                            LoginOutcome::Success(user)
                        }
                    }
                    _ => LoginOutcome::WrongCredentials,
                }
            }
        };
        on_db!(self, |pool| {
            sqlx::query("INSERT INTO login_attempts (at, login, succeeded, request_id, source) VALUES ($1, $2, $3, $4, $5)")
                .bind(now)
                .bind(&key)
                .bind(matches!(outcome, LoginOutcome::Success(_)))
                .bind(request_id)
                .bind(source)
                .execute(pool)
                .await?;
        });
        Ok(outcome)
    }

    /// A right password or code takes its attempt's charge back.
    async fn login_succeeded(&self, user_id: i64, key: &str, source: &str) -> Result<UserRow> {
        on_db!(self, |pool| {
            sqlx::query(throttle::CLEAR_SQL)
                .bind(key)
                .bind(source)
                .execute(pool)
                .await?;
            Ok(sqlx::query_as::<_, UserRow>(USER_BY_ID_SQL)
                .bind(user_id)
                .fetch_one(pool)
                .await?)
        })
    }

    /// Starts a session with fresh tokens. Any session the browser held before
    /// log-in is ended, so a planted session id is useless (rotation).
    pub async fn create_session(
        &self,
        user_id: i64,
        previous_token: Option<&str>,
    ) -> Result<SessionSecret> {
        self.insert_session(user_id, previous_token, false).await
    }

    /// A session after the password, waiting for the one-time code: it reaches
    /// nothing but the code page.
    pub async fn create_pending_session(
        &self,
        user_id: i64,
        previous_token: Option<&str>,
    ) -> Result<SessionSecret> {
        self.insert_session(user_id, previous_token, true).await
    }

    async fn insert_session(
        &self,
        user_id: i64,
        previous_token: Option<&str>,
        second_factor_pending: bool,
    ) -> Result<SessionSecret> {
        let secret = SessionSecret {
            token: random_token(),
            csrf_token: random_token(),
        };
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            if let Some(previous) = previous_token {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash(previous))
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, second_factor_pending) \
                 VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(token_hash(&secret.token))
                .bind(user_id)
                .bind(&secret.csrf_token)
                .bind(now)
                .bind(now)
                .bind(second_factor_pending)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(secret)
        })
    }

    /// The live session for a token, or `None` when unknown or expired (idle
    /// or absolute timeout, in seconds); an expired session is deleted.
    pub async fn session(
        &self,
        token: &str,
        idle_secs: i64,
        absolute_secs: i64,
    ) -> Result<Option<SessionRow>> {
        let hash = token_hash(token);
        let now = crate::now();
        on_db!(self, |pool| {
            // A deactivated account's sessions are deleted when it is
            // deactivated; the join keeps any that slipped past from working.
            let found: Option<(i64, String, i64, i64, bool)> =
                sqlx::query_as("SELECT s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.second_factor_pending FROM sessions s \
                     JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND u.deactivated_at IS NULL")
                    .bind(&hash)
                    .fetch_optional(pool)
                    .await?;
            let Some((user_id, csrf_token, created_at, last_seen_at, second_factor_pending)) =
                found
            else {
                return Ok(None);
            };
            if now - last_seen_at > idle_secs || now - created_at > absolute_secs {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(&hash)
                    .execute(pool)
                    .await?;
                return Ok(None);
            }
            // Touch at most once a minute: the idle timeout needs no finer grain.
            if now - last_seen_at >= 60 {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                    .bind(now)
                    .bind(&hash)
                    .execute(pool)
                    .await?;
            }
            let user = sqlx::query_as::<_, UserRow>(USER_BY_ID_SQL)
                .bind(user_id)
                .fetch_one(pool)
                .await?;
            Ok(Some(SessionRow {
                user,
                csrf_token,
                second_factor_pending,
            }))
        })
    }

    pub async fn delete_session(&self, token: &str) -> Result<()> {
        on_db!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash(token))
                .execute(pool)
                .await?;
            Ok(())
        })
    }
}

pub(crate) const USER_BY_ID_SQL: &str = user_sql!("WHERE u.id = $1");

/// Why a one-time code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeOutcome {
    Accepted,
    Wrong,
    /// Too many failures (password or code): wait this many seconds.
    Blocked {
        retry_after_secs: i64,
    },
}

const TOTP_AAD: &[u8] = b"spire/totp-secret/v1";

impl Db {
    /// A fresh TOTP secret for a user who has none in use yet, stored
    /// encrypted; it is in use only after [`Db::confirm_totp`] sees a code.
    pub async fn start_totp_enrolment(
        &self,
        key: &ServerKey,
        user_id: i64,
    ) -> Result<[u8; spire_domain::totp::SECRET_BYTES]> {
        let mut secret = [0u8; spire_domain::totp::SECRET_BYTES];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
        let changed = on_db!(self, |pool| {
            sqlx::query(
                "UPDATE users SET totp_secret = $1, totp_last_step = NULL WHERE id = $2 AND totp_enabled_at IS NULL",
            )
            .bind(key.encrypt(TOTP_AAD, &secret))
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(Error::Refused("two-factor log-in is already in use".into()));
        }
        Ok(secret)
    }

    /// The secret being enrolled (not yet in use), to show its QR code again.
    pub async fn pending_totp_secret(
        &self,
        key: &ServerKey,
        user_id: i64,
    ) -> Result<Option<Vec<u8>>> {
        let stored: Option<Vec<u8>> = on_db!(self, |pool| {
            sqlx::query_scalar(
                "SELECT totp_secret FROM users WHERE id = $1 AND totp_enabled_at IS NULL",
            )
            .bind(user_id)
            .fetch_optional(pool)
            .await?
            .flatten()
        });
        stored
            .map(|sealed| key.decrypt(TOTP_AAD, &sealed))
            .transpose()
    }

    /// Checks a code against the user's secret: the enrolment one (`enrolling`)
    /// or the one in use. A right code is used up (no replay) and, when
    /// enrolling, puts the secret in use; a wrong one counts toward the block.
    pub async fn check_totp(
        &self,
        key: &ServerKey,
        user_id: i64,
        code: &str,
        enrolling: bool,
        source: &str,
    ) -> Result<CodeOutcome> {
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let row: Option<(Option<Vec<u8>>, Option<i64>, Option<i64>, String)> = sqlx::query_as(
                "SELECT totp_secret, totp_enabled_at, totp_last_step, login FROM users WHERE id = $1",
            )
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
            let (Some(sealed), enabled_at, last_step, login) = row.ok_or(Error::NotFound)? else {
                return Err(Error::NotFound);
            };
            if enabled_at.is_some() == enrolling {
                return Err(Error::NotFound);
            }
            // Codes and passwords share one count of failures.
            let throttled = throttle_key(&login);
            if let Charge::Wait(secs) = charge_attempt!(tx, &throttled, source, now) {
                tx.commit().await?;
                return Ok(CodeOutcome::Blocked {
                    retry_after_secs: secs,
                });
            }
            let secret = key.decrypt(TOTP_AAD, &sealed)?;
            let outcome = match spire_domain::totp::matching_step(&secret, code, now, last_step) {
                Some(step) => {
                    sqlx::query(
                        "UPDATE users SET totp_last_step = $1, \
                         totp_enabled_at = COALESCE(totp_enabled_at, $2) WHERE id = $3",
                    )
                    .bind(step)
                    .bind(now)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(throttle::CLEAR_SQL)
                        .bind(&throttled)
                        .bind(source)
                        .execute(&mut *tx)
                        .await?;
                    CodeOutcome::Accepted
                }
                None => CodeOutcome::Wrong,
            };
            tx.commit().await?;
            Ok(outcome)
        })
    }
}
