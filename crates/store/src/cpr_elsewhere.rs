//! Look-ups by CPR number that find a young person of another municipality
//! (registering them, screening or randomising them for a trial).
//!
//! The caller is told only that the young person belongs elsewhere — never
//! the arm, the stratum or the municipality — and the look-up is written to
//! both municipalities' access logs (the young person's own with their id,
//! so it shows in their own access log too). A user whose look-ups found
//! young people elsewhere [`ELSEWHERE_PER_DAY`] times within a day may look
//! up no more CPR numbers until the day has passed, and their team lead sees
//! them on the access-log page: sweeping CPR numbers is slow and seen.

use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::Role;

/// The access-log criterion in the caller's municipality.
pub(crate) const FOUND_ELSEWHERE: &str = "cpr-found-elsewhere";
/// The access-log criterion in the young person's municipality.
pub(crate) const LOOKED_UP_FROM_ELSEWHERE: &str = "cpr-looked-up-from-elsewhere";
/// Look-ups finding young people of other municipalities allowed per user
/// within [`WINDOW_SECS`].
pub const ELSEWHERE_PER_DAY: i64 = 10;
pub(crate) const WINDOW_SECS: i64 = 24 * 3600;

/// Counts the scope's user's look-ups that found someone elsewhere within the
/// window: `SELECT` binding (municipality, user, window start).
pub(crate) const COUNT_SQL: &str = "SELECT COUNT(*) FROM access_log WHERE municipality_code = $1 \
     AND user_id = $2 AND criterion = 'cpr-found-elsewhere' AND at > $3";

/// Refuses, at the `cpr` field, a look-up by a user at the limit.
macro_rules! refuse_over_elsewhere_limit {
    ($conn:expr, $scope:expr) => {{
        let found: i64 = sqlx::query_scalar($crate::cpr_elsewhere::COUNT_SQL)
            .bind($scope.municipality)
            .bind($scope.user_id)
            .bind($crate::now() - $crate::cpr_elsewhere::WINDOW_SECS)
            .fetch_one($conn)
            .await?;
        if found >= $crate::cpr_elsewhere::ELSEWHERE_PER_DAY {
            return Err($crate::Error::Invalid(spire_domain::FieldError::new(
                "cpr",
                spire_domain::Problem::CprLookupLimit,
            )));
        }
    }};
}
pub(crate) use refuse_over_elsewhere_limit;

/// Writes the look-up to both municipalities' access logs:
/// `log_found_elsewhere!(conn, scope, home_municipality, youth_id)`.
macro_rules! log_found_elsewhere {
    ($conn:expr, $scope:expr, $home:expr, $youth_id:expr) => {{
        let scope: &$crate::Scope = $scope;
        for (municipality, youth, criterion) in [
            (
                scope.municipality,
                None::<i64>,
                $crate::cpr_elsewhere::FOUND_ELSEWHERE,
            ),
            (
                Some($home),
                $youth_id,
                $crate::cpr_elsewhere::LOOKED_UP_FROM_ELSEWHERE,
            ),
        ] {
            sqlx::query($crate::access_log::INSERT_SQL)
                .bind($crate::now())
                .bind(scope.user_id)
                .bind(municipality)
                .bind($crate::AccessAction::Read.code())
                .bind(youth)
                .bind(criterion)
                .bind(scope.purpose.code())
                .bind(scope.request_id.as_str())
                .execute(&mut *$conn)
                .await?;
        }
    }};
}
pub(crate) use log_found_elsewhere;

/// A user of the team lead's municipality at the limit.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LookupAlert {
    pub login: String,
    pub display_name: String,
    /// Look-ups that found young people elsewhere within the last day.
    pub found: i64,
    pub last_at: i64,
}

impl Db {
    /// The users of a team lead's municipality who reached the limit within
    /// the last day.
    pub async fn cpr_lookup_alerts(&self, scope: &Scope) -> Result<Vec<LookupAlert>> {
        if scope.role != Role::TeamLead {
            return Err(Error::NotFound);
        }
        let municipality = scope.municipality.ok_or(Error::NotFound)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            Ok(sqlx::query_as::<_, LookupAlert>(
                "SELECT u.login, u.display_name, COUNT(*) AS found, MAX(a.at) AS last_at \
                 FROM access_log a JOIN users u ON u.id = a.user_id \
                 WHERE a.municipality_code = $1 AND a.criterion = 'cpr-found-elsewhere' AND a.at > $2 \
                 GROUP BY u.login, u.display_name HAVING COUNT(*) >= $3 ORDER BY u.login",
            )
            .bind(municipality)
            .bind(crate::now() - WINDOW_SECS)
            .bind(ELSEWHERE_PER_DAY)
            .fetch_all(&mut *tx)
            .await?)
        })
    }
}
