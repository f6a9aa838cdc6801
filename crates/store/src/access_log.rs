//! The access log: every read, search, change and export of a youth's data.
//! A change's row is written inside the transaction that makes the change. A
//! read's row is written after the read and before the answer leaves: on
//! SQLite the rows of reads that arrive together share one commit (group
//! commit), so page views do not queue one fsync each behind the single
//! writer; the caller gets its data only once its row is durable.

use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::YouthId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessAction {
    Read,
    Search,
    Create,
    Update,
    Export,
}

impl AccessAction {
    pub fn code(self) -> &'static str {
        match self {
            AccessAction::Read => "read",
            AccessAction::Search => "search",
            AccessAction::Create => "create",
            AccessAction::Update => "update",
            AccessAction::Export => "export",
        }
    }
}

pub(crate) const INSERT_SQL: &str = "INSERT INTO access_log (at, user_id, municipality_code, action, youth_id, criterion, purpose, request_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// A search criterion as the access log keeps it: a CPR number in it (in
/// any way people type one) is redacted, so the log never holds one in clear.
pub(crate) fn logged_criterion<S: AsRef<str>>(criterion: Option<S>) -> Option<String> {
    criterion.map(|c| spire_domain::redact_cpr(c.as_ref()).into_owned())
}

/// Writes one access-log row on the given connection (inside the caller's transaction).
macro_rules! log_access {
    ($conn:expr, $scope:expr, $action:expr, $youth_id:expr, $criterion:expr) => {
        sqlx::query($crate::access_log::INSERT_SQL)
            .bind($crate::now())
            .bind($scope.user_id)
            .bind($scope.municipality)
            .bind($action.code())
            .bind($youth_id)
            .bind($crate::access_log::logged_criterion($criterion))
            .bind($scope.purpose.code())
            .bind($scope.request_id.as_str())
            .execute($conn)
            .await
    };
}
pub(crate) use log_access;

/// One read's row, waiting for the next group commit.
pub(crate) struct PendingRead {
    at: i64,
    user_id: i64,
    municipality: Option<i64>,
    action: &'static str,
    youth_id: Option<i64>,
    criterion: Option<String>,
    purpose: &'static str,
    request_id: String,
    done: tokio::sync::oneshot::Sender<Result<()>>,
}

impl Db {
    /// Logs a read (or search) of personal data; returns once the row is
    /// durable. Call it after the read and before the data is handed on.
    pub(crate) async fn log_read(
        &self,
        scope: &Scope,
        action: AccessAction,
        youth_id: Option<i64>,
        criterion: Option<&str>,
    ) -> Result<()> {
        match self {
            Db::Postgres(pool) => {
                log_access!(pool, scope, action, youth_id, criterion)?;
                Ok(())
            }
            Db::Sqlite(pool) => {
                let file = crate::sqlite_file(pool.connect_options().get_filename());
                let (done, answer) = tokio::sync::oneshot::channel();
                file.reads
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(PendingRead {
                        at: crate::now(),
                        user_id: scope.user_id,
                        municipality: scope.municipality,
                        action: action.code(),
                        youth_id,
                        criterion: logged_criterion(criterion),
                        purpose: scope.purpose.code(),
                        request_id: scope.request_id.clone(),
                        done,
                    });
                // Whoever gets the writer's turn first writes every row queued
                // by then in one transaction; the others find theirs written.
                // A task of its own does it, so a request dropped half-way
                // (a client gone) cannot take the others' rows with it.
                let pool = pool.clone();
                tokio::spawn(async move {
                    let turn = file.writers.clone().lock_owned().await;
                    let batch = std::mem::take(
                        &mut *file
                            .reads
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner),
                    );
                    if !batch.is_empty() {
                        let written = write_reads(&pool, &batch).await.map_err(Error::Database);
                        for row in batch {
                            // Each waiting read fails as the write failed: an
                            // unavailable database stays "unavailable" (503).
                            let _ = row.done.send(match &written {
                                Ok(()) => Ok(()),
                                Err(error) if error.is_unavailable() => Err(Error::Database(
                                    sqlx::Error::Io(std::io::Error::other(error.to_string())),
                                )),
                                Err(error) => Err(Error::Refused(format!(
                                    "the access log could not be written: {error}"
                                ))),
                            });
                        }
                    }
                    drop(turn);
                });
                answer.await.unwrap_or_else(|_| {
                    Err(Error::Refused("the access log could not be written".into()))
                })
            }
        }
    }
}

impl Db {
    /// Logs one read row per youth (a register, a member list), durably
    /// before returning; on SQLite they share one commit.
    pub(crate) async fn log_reads(
        &self,
        scope: &Scope,
        action: AccessAction,
        youth_ids: &[i64],
        criterion: &str,
    ) -> Result<()> {
        futures_util::future::try_join_all(
            youth_ids
                .iter()
                .map(|id| self.log_read(scope, action, Some(*id), Some(criterion))),
        )
        .await?;
        Ok(())
    }
}

/// Writes a batch of read rows in one transaction (the caller holds the turn).
async fn write_reads(
    pool: &sqlx::SqlitePool,
    batch: &[PendingRead],
) -> std::result::Result<(), sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for row in batch {
        sqlx::query(INSERT_SQL)
            .bind(row.at)
            .bind(row.user_id)
            .bind(row.municipality)
            .bind(row.action)
            .bind(row.youth_id)
            .bind(row.criterion.as_deref())
            .bind(row.purpose)
            .bind(row.request_id.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AccessLogEntry {
    pub id: i64,
    pub at: i64,
    pub user_login: String,
    pub user_name: String,
    pub municipality_code: Option<i64>,
    pub action: String,
    pub youth_id: Option<i64>,
    pub youth_name: Option<String>,
    pub criterion: Option<String>,
    pub purpose: String,
    pub request_id: String,
}

/// A team lead's search of the access log of their municipality.
#[derive(Debug, Clone, Default)]
pub struct AccessLogQuery {
    pub user_login: Option<String>,
    pub youth_id: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: i64,
}

impl Db {
    /// The access log of the scope's municipality. Only team leads read it.
    pub async fn search_access_log(
        &self,
        scope: &Scope,
        query: &AccessLogQuery,
    ) -> Result<Vec<AccessLogEntry>> {
        if scope.role != spire_domain::Role::TeamLead {
            return Err(crate::Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            Ok(sqlx::query_as::<_, AccessLogEntry>(SEARCH_SQL)
                .bind(scope.municipality)
                .bind(query.user_login.as_deref())
                .bind(query.youth_id)
                .bind(query.from)
                .bind(query.to)
                .bind(query.limit.clamp(1, 1000))
                .fetch_all(&mut *tx)
                .await?)
        })
    }

    /// Everyone who used one youth's data: the extract a person may ask for.
    /// Readable by the municipality's team lead and by the youth themselves;
    /// producing it is itself logged as an export.
    pub async fn access_log_for_youth(
        &self,
        scope: &Scope,
        youth: YouthId,
    ) -> Result<Vec<AccessLogEntry>> {
        let youth_id = youth.get();
        if !matches!(
            scope.role,
            spire_domain::Role::TeamLead | spire_domain::Role::Youth
        ) {
            return Err(crate::Error::NotFound);
        }
        let visibility = scope.youth_visibility();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let visible: Option<i64> = sqlx::query_scalar(crate::youth::VISIBLE_ID_SQL)
                .bind(youth_id)
                .bind(visibility.municipality)
                .bind(visibility.created_by)
                .bind(visibility.own_user)
                .fetch_optional(&mut *tx)
                .await?;
            if visible.is_none() {
                return Err(crate::Error::NotFound);
            }
            let rows = sqlx::query_as::<_, AccessLogEntry>(BY_YOUTH_SQL)
                .bind(youth_id)
                .fetch_all(&mut *tx)
                .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Export,
                Some(youth_id),
                Some("access-log-extract")
            )?;
            tx.commit().await?;
            Ok(rows)
        })
    }
}

const BY_YOUTH_SQL: &str = "SELECT a.id, a.at, u.login AS user_login, u.display_name AS user_name, a.municipality_code, \
     a.action, a.youth_id, y.first_name || ' ' || y.last_name AS youth_name, a.criterion, a.purpose, a.request_id \
     FROM access_log a JOIN users u ON u.id = a.user_id JOIN youth y ON y.id = a.youth_id \
     WHERE a.youth_id = $1 ORDER BY a.at DESC, a.id DESC";

const SEARCH_SQL: &str = "SELECT a.id, a.at, u.login AS user_login, u.display_name AS user_name, a.municipality_code, \
     a.action, a.youth_id, CASE WHEN y.id IS NULL THEN NULL ELSE y.first_name || ' ' || y.last_name END AS youth_name, \
     a.criterion, a.purpose, a.request_id \
     FROM access_log a JOIN users u ON u.id = a.user_id LEFT JOIN youth y ON y.id = a.youth_id \
     WHERE a.municipality_code = $1 \
       AND (CAST($2 AS TEXT) IS NULL OR u.login = $2) \
       AND (CAST($3 AS BIGINT) IS NULL OR a.youth_id = $3) \
       AND (CAST($4 AS BIGINT) IS NULL OR a.at >= $4) \
       AND (CAST($5 AS BIGINT) IS NULL OR a.at < $5) \
     ORDER BY a.at DESC, a.id DESC LIMIT $6";

/// The shortest retention the database allows: its trigger refuses to delete
/// access-log rows younger than this.
pub const MIN_ACCESS_LOG_RETENTION_DAYS: i64 = 183;

impl Db {
    /// Deletes access-log rows older than `retention_days` (at least 183, which
    /// the database enforces too); returns how many went.
    pub async fn purge_access_log(&self, retention_days: i64) -> Result<u64> {
        if retention_days < MIN_ACCESS_LOG_RETENTION_DAYS {
            return Err(Error::Refused(format!(
                "the access log is kept at least {MIN_ACCESS_LOG_RETENTION_DAYS} days"
            )));
        }
        let cutoff = crate::now() - retention_days * 86_400;
        Ok(on_db!(self, |pool| {
            // Every municipality's old rows go, by the retention rule.
            let mut tx = pool.begin_write_across().await?;
            let purged = sqlx::query("DELETE FROM access_log WHERE at < $1")
                .bind(cutoff)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            purged
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::logged_criterion;

    #[test]
    fn a_criterion_is_kept_without_any_cpr_number_in_it() {
        assert_eq!(
            logged_criterion(Some("navn: Ida, cpr 150604-4123")).as_deref(),
            Some("navn: Ida, cpr [CPR]")
        );
        assert_eq!(
            logged_criterion(Some(String::from("0102 03 4101"))).as_deref(),
            Some("[CPR]")
        );
        assert_eq!(
            logged_criterion(Some("cpr-number")).as_deref(),
            Some("cpr-number")
        );
        assert_eq!(logged_criterion(None::<&str>), None);
    }
}
