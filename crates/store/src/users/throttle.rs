//! Throttling failed log-ins: an escalating wait per login and client
//! address, and per login over all addresses.
//!
//! An attempt is *charged* before its password is checked, in one short
//! write transaction that locks the counters' rows, so concurrent wrong
//! passwords cannot race past the limit; a right password then clears the
//! charge. Logins that do not exist are counted the same way, so the answers
//! do not tell which logins exist. The wait doubles with each failure and
//! never exceeds an hour, so nobody can lock another person out for a day
//! with three anonymous posts; a team lead or an administrator can lift it.

/// Failures from one address before the first wait.
pub(crate) const FREE_PER_SOURCE: i64 = 3;
/// Failures from all addresses together before the login waits everywhere
/// (guessing spread over many addresses).
pub(crate) const FREE_PER_LOGIN: i64 = 10;
/// The first wait; each further failure doubles it, up to [`MAX_WAIT_SECS`].
const FIRST_WAIT_SECS: i64 = 60;
const MAX_WAIT_SECS: i64 = 3600;
/// Failures older than this (since the last one) start a fresh count.
pub(crate) const FORGET_AFTER_SECS: i64 = 24 * 3600;
/// The `source` of the counter over all addresses.
pub(crate) const ALL_SOURCES: &str = "*";

/// The wait after the `failures`-th failure when `free` are allowed.
pub(crate) fn wait_after(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(6);
    (FIRST_WAIT_SECS << doublings).min(MAX_WAIT_SECS)
}

/// What charging an attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charge {
    /// Counted; the password may be checked.
    Counted,
    /// The login must wait this many seconds more; nothing was counted.
    Wait(i64),
}

/// Locks (creating if needed) one counter row and returns
/// `(failures, last_failed_at, locked_until)`. The no-op update takes the
/// row lock on PostgreSQL until the transaction ends; on SQLite the write
/// transaction already holds the database.
pub(crate) const LOCK_ROW_SQL: &str = "INSERT INTO login_throttle (login, source, failures, last_failed_at, locked_until) \
     VALUES ($1, $2, 0, 0, 0) \
     ON CONFLICT (login, source) DO UPDATE SET login = excluded.login \
     RETURNING failures, last_failed_at, locked_until";

/// Charges one attempt of `login` from `source` inside a write transaction
/// (see the module text); evaluates to a [`Charge`].
macro_rules! charge_attempt {
    ($tx:expr, $login:expr, $source:expr, $now:expr) => {{
        let mut rows = Vec::with_capacity(2);
        // Always the address's row first, then the login's: one order, so
        // two transactions never wait for each other in a circle.
        for (source, free) in [($source, $crate::users::throttle::FREE_PER_SOURCE), ($crate::users::throttle::ALL_SOURCES, $crate::users::throttle::FREE_PER_LOGIN)] {
            let (failures, last_failed, locked_until): (i64, i64, i64) =
                sqlx::query_as($crate::users::throttle::LOCK_ROW_SQL)
                    .bind($login)
                    .bind(source)
                    .fetch_one(&mut *$tx)
                    .await?;
            rows.push((source, free, failures, last_failed, locked_until));
        }
        let wait = rows
            .iter()
            .map(|&(.., locked_until)| locked_until - $now)
            .max()
            .unwrap_or(0);
        if wait > 0 {
            $crate::users::throttle::Charge::Wait(wait)
        } else {
            for (source, free, failures, last_failed, _) in rows {
                let failures = if $now - last_failed > $crate::users::throttle::FORGET_AFTER_SECS {
                    1
                } else {
                    failures + 1
                };
                sqlx::query(
                    "UPDATE login_throttle SET failures = $1, last_failed_at = $2, locked_until = $3 \
                     WHERE login = $4 AND source = $5",
                )
                .bind(failures)
                .bind($now)
                .bind($now + $crate::users::throttle::wait_after(failures, free))
                .bind($login)
                .bind(source)
                .execute(&mut *$tx)
                .await?;
            }
            $crate::users::throttle::Charge::Counted
        }
    }};
}
pub(crate) use charge_attempt;

/// A right password or code: the attempt's charge is taken back (the
/// address's count and the login's count start again).
pub(crate) const CLEAR_SQL: &str =
    "DELETE FROM login_throttle WHERE login = $1 AND (source = $2 OR source = '*')";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_starts_after_the_free_failures_and_doubles_up_to_an_hour() {
        let waits: Vec<i64> = (1..=12).map(|f| wait_after(f, FREE_PER_SOURCE)).collect();
        assert_eq!(
            waits,
            vec![0, 0, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]
        );
        assert_eq!(wait_after(9, FREE_PER_LOGIN), 0);
        assert_eq!(wait_after(10, FREE_PER_LOGIN), 60);
        assert_eq!(wait_after(i64::MAX, FREE_PER_LOGIN), 3600);
    }
}
