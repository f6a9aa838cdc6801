//! Persistence for Spire: one set of repositories over SQLite and PostgreSQL.
//!
//! The only crate that speaks SQL. Every query is one text with `$N`
//! placeholders that both databases accept (placeholders appear in numeric
//! order, which is how SQLite numbers them). Personal data is reached only
//! through functions that take a [`Scope`]: the tenant filter is in the
//! query, and the access-log row is written in the same transaction as a
//! change, or — for a read — durably before the data is returned (reads that
//! arrive together share one commit on SQLite; `access_log.rs`).

mod access_log;
mod companies;
mod courses;
mod cpr_elsewhere;
pub mod crypto;
mod dashboards;
pub mod evaluation;
mod events;
mod fidelity;
mod internships;
mod migrate;
mod municipalities;
mod networks;
mod onboarding;
#[doc(hidden)]
pub mod scale;
mod scope;
// The one module with unsafe code: stepping SQLite through sqlx's raw handle.
#[allow(unsafe_code)]
mod sqlite_scan;
mod teams;
#[doc(hidden)]
pub mod testing;
mod trials;
mod users;
mod youth;

pub use access_log::{AccessAction, AccessLogEntry, AccessLogQuery, MIN_ACCESS_LOG_RETENTION_DAYS};
pub use companies::{CompanyContactRow, CompanyRow, NewCompany};
pub use courses::{
    ConsultantLoad, ConsultantWeek, CourseRow, FollowUpRow, NoteRow, PROGRESS_MEASURES,
    PortfolioEntry, ProgressRow, TeamOverview, WeekItem, WeekYouth,
};
pub use cpr_elsewhere::{ELSEWHERE_PER_DAY, LookupAlert};
pub use crypto::ServerKey;
pub use dashboards::{
    DEFAULT_COURSE_MONTHS, Dashboard, DashboardData, DashboardRow, HISTORY_MONTHS, Metric,
    MetricKind, MunicipalityForecastInput, Value, team_year,
};
pub use events::{
    CallRow, CallUpdate, Choices, EventCompanyRow, EventDetail, EventRow, EventYouthRow, GridIssue,
    GridLogRow, LoginCode, LoginCodeOutcome, MatchLine, MatchView, NewEvent, PreferenceExport,
    SeatMove, SeatRow,
};
pub use fidelity::{
    DAYS_TO_REVIEW, ItemDefinition, ItemResult, NewReview, Reconciliation, ReviewDetail,
    ReviewSummary, ScaleVersion, ScheduleRow, ShownRating, Trend, TrendPoint, is_known_measure,
};
pub use internships::{InternshipEvent, InternshipRow, NewInternship, ProgrammeRules};
pub use municipalities::{MunicipalityOverview, MunicipalityRow};
pub use networks::{
    AgendaRow, AttendanceRow, CONTACT_KINDS, ContactLogRow, FeedKind, FeedRow, FeedSubject,
    GroupDetail, GroupRow, MeetingChange, MeetingDetail, MeetingRow, MemberRow,
    NetworkMeetingDetail, NetworkMeetingRow, NetworkMemberRow, NetworkOverview, NewContactLog,
    NewGroup, NewNetworkMeeting, NewSlot, SeriesOutcome, SignupRow, SlotRow,
};
pub use onboarding::{PlanDetail, PlanItem, PlanSummary};
pub use scope::{Purpose, Scope};
pub use teams::{NewTeamMember, TeamMemberRow};
pub use trials::{
    ArmBalance, BUILT_IN_FACTORS, Consort, ControlAllocation, CustomFactor, DECISION_REASON_MAX,
    EXPORT_COVARIATES, ExportRow, InclusionProof, Intake, IntakeSummary, LedgerNote, LogFile,
    LogLookup, NewTrial, OpenedTrial, PendingTakeUp, PublicLog, PublicTrial, Randomisation,
    Receipt, ReceiptHead, Screening, StoredCosignature, TrialEvidence, TrialOverview, TrialReport,
    TrialSettings, TrialSummary, is_token,
};
pub use users::admin_log::{Actor, AdminAction, AdminLogEntry};
pub use users::{
    ApiTokenRow, ApiTokenSecret, AwaitingUser, BlockedLogin, CodeOutcome, DEFAULT_TOKEN_DAYS,
    Deactivated, LoginOutcome, MAX_TOKEN_DAYS, NewToken, NewUser, SessionRow, SessionSecret,
    TEAM_NAME_MAX, TeamPlace, TokenCreated, UserDetail, UserRow, hash_password,
};
pub use youth::{NewYouth, YouthPage, YouthRow};

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// Runs the same code body against whichever pool the `Db` holds. Each arm is
/// compiled for its own driver, so one SQL text and one body serve both.
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_db;

/// Opens a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so a writer
/// takes the lock up front instead of failing later when a read upgrades; and
/// the writers of one database file wait their turn in a fair queue in the
/// process first, instead of in SQLite's busy handler, whose growing sleeps
/// gave some page views a second's wait under load (the access-log row makes
/// every page view a writer).
pub(crate) trait BeginWrite {
    type Database: sqlx::Database;
    async fn begin_write(&self) -> Result<WriteTx<Self::Database>, sqlx::Error>;

    /// A read transaction that reaches only `rows` (PostgreSQL's row-level
    /// security; SQLite has none, and relies on the query's own filter).
    async fn begin_rows(
        &self,
        rows: Rows,
    ) -> Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>;

    /// A write transaction that reaches only `rows`.
    async fn begin_write_rows(&self, rows: Rows) -> Result<WriteTx<Self::Database>, sqlx::Error>;

    /// A read transaction in the scope's municipality.
    async fn begin_as(
        &self,
        scope: &Scope,
    ) -> Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error> {
        self.begin_rows(Rows::of(scope)).await
    }

    /// A write transaction in the scope's municipality.
    async fn begin_write_as(&self, scope: &Scope) -> Result<WriteTx<Self::Database>, sqlx::Error> {
        self.begin_write_rows(Rows::of(scope)).await
    }

    /// A read transaction over every municipality: work that is
    /// cross-municipal by its nature (aggregates, the trial's look-ups).
    async fn begin_across(
        &self,
    ) -> Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error> {
        self.begin_rows(Rows::Across).await
    }

    /// A write transaction over every municipality.
    async fn begin_write_across(&self) -> Result<WriteTx<Self::Database>, sqlx::Error> {
        self.begin_write_rows(Rows::Across).await
    }
}

/// Changes which rows a transaction reaches, inside it: for the one look-up
/// that must see past the tenant (is this CPR number registered in another
/// municipality?), set back right after it.
pub(crate) trait SetRows {
    async fn set_rows(&mut self, rows: Rows) -> Result<(), sqlx::Error>;
}

impl SetRows for sqlx::SqliteConnection {
    async fn set_rows(&mut self, _: Rows) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

impl SetRows for sqlx::PgConnection {
    async fn set_rows(&mut self, rows: Rows) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT set_config('spire.municipality', $1, true)")
            .bind(rows.setting())
            .execute(self)
            .await
            .map(|_| ())
    }
}

/// Which municipalities' personal rows a transaction may reach. On
/// PostgreSQL it is set per transaction (`SET LOCAL spire.municipality`) and
/// enforced by the row-level security policies of migration 0015; a
/// connection that set nothing reaches no personal row at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    /// One municipality's rows; none for a scope without a municipality.
    Tenant(Option<i64>),
    /// Every municipality's rows.
    Across,
}

impl Rows {
    pub(crate) fn of(scope: &Scope) -> Rows {
        Rows::Tenant(scope.municipality)
    }

    /// `BEGIN` and the setting in one round trip (the value is a number or a
    /// fixed word, never text from outside).
    fn begin_sql(self) -> String {
        format!("BEGIN; SET LOCAL spire.municipality = '{}'", self.setting())
    }

    fn setting(self) -> String {
        match self {
            Rows::Tenant(Some(code)) => code.to_string(),
            Rows::Tenant(None) => String::new(),
            Rows::Across => "all".to_string(),
        }
    }
}

/// A write transaction, and on SQLite the turn in its database's queue. Used
/// like a `Transaction`: `&mut *tx` is the connection; `commit` ends it; a
/// drop rolls back.
pub(crate) struct WriteTx<DB: sqlx::Database> {
    tx: sqlx::Transaction<'static, DB>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl<DB: sqlx::Database> WriteTx<DB> {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl<DB: sqlx::Database> std::ops::Deref for WriteTx<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        &self.tx
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for WriteTx<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        &mut self.tx
    }
}

/// What this process shares per SQLite file: the queue of writers, and the
/// reads waiting for their access-log rows (`access_log.rs`).
#[derive(Default)]
pub(crate) struct SqliteFile {
    pub writers: std::sync::Arc<tokio::sync::Mutex<()>>,
    pub reads: std::sync::Mutex<Vec<access_log::PendingRead>>,
}

pub(crate) fn sqlite_file(file: &std::path::Path) -> std::sync::Arc<SqliteFile> {
    static FILES: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, std::sync::Arc<SqliteFile>>>,
    > = std::sync::OnceLock::new();
    let mut files = FILES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    files.entry(file.to_path_buf()).or_default().clone()
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    async fn begin_rows(
        &self,
        _: Rows,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin().await
    }
    async fn begin_write_rows(&self, _: Rows) -> Result<WriteTx<sqlx::Sqlite>, sqlx::Error> {
        self.begin_write().await
    }
    async fn begin_write(&self) -> Result<WriteTx<sqlx::Sqlite>, sqlx::Error> {
        let turn = sqlite_file(self.connect_options().get_filename())
            .writers
            .clone()
            .lock_owned()
            .await;
        Ok(WriteTx {
            tx: self.begin_with("BEGIN IMMEDIATE").await?,
            _turn: Some(turn),
        })
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    async fn begin_write(&self) -> Result<WriteTx<sqlx::Postgres>, sqlx::Error> {
        Ok(WriteTx {
            tx: self.begin().await?,
            _turn: None,
        })
    }
    async fn begin_rows(
        &self,
        rows: Rows,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin_with(sqlx::AssertSqlSafe(rows.begin_sql())).await
    }
    async fn begin_write_rows(&self, rows: Rows) -> Result<WriteTx<sqlx::Postgres>, sqlx::Error> {
        Ok(WriteTx {
            tx: self.begin_rows(rows).await?,
            _turn: None,
        })
    }
}

/// A database connection pool: the embedded SQLite file or a PostgreSQL server.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("{0:?}")]
    Invalid(spire_domain::FieldError),
    /// Several fields refused at once (a form with more than one problem).
    #[error("{0:?}")]
    InvalidFields(Vec<spire_domain::FieldError>),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the database is not safe to use: {0}")]
    UnsafeSettings(String),
    #[error("encryption error")]
    Crypto,
    #[error("there is no database file at {0}; create it with `spire migrate --db {0}`")]
    Missing(String),
    #[error("the trial cannot be opened: {0}")]
    InvalidTrial(String),
    #[error("stored trial data is corrupt: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Refused(String),
    /// An outcome file was refused; nothing of it was stored.
    #[error("{0}")]
    Import(spire_evaluation::outcomes::ImportProblem),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A refusal of one field for one reason.
pub(crate) fn invalid(field: &'static str, problem: spire_domain::Problem) -> Error {
    Error::Invalid(spire_domain::FieldError::new(field, problem))
}

impl Error {
    /// The database could not store or answer for now — disk full, an I/O
    /// error, a failed fsync, no connection, too busy — as opposed to a bug
    /// or bad data. The transaction did not commit, or (a connection lost at
    /// COMMIT) its outcome is unknown; retrying with the same idempotency key
    /// is safe either way.
    pub fn is_unavailable(&self) -> bool {
        let Error::Database(error) = self else {
            return false;
        };
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
            sqlx::Error::Database(database) => {
                let code = database.code().unwrap_or_default();
                if database
                    .try_downcast_ref::<sqlx::sqlite::SqliteError>()
                    .is_some()
                {
                    // Primary result codes (the low byte of an extended code):
                    // SQLITE_BUSY 5, SQLITE_NOMEM 7, SQLITE_IOERR 10, SQLITE_FULL 13,
                    // SQLITE_CANTOPEN 14.
                    let primary = code.parse::<i32>().unwrap_or(0) & 0xff;
                    return matches!(primary, 5 | 7 | 10 | 13 | 14);
                }
                // PostgreSQL SQLSTATEs that pass: connection exceptions (08),
                // disk full, out of memory, too many connections (53100-53300),
                // shutdown and crash (57P01-57P03), a query cancelled or a lock
                // not available in time (57014, 55P03), serialization failure
                // and deadlock (40001, 40P01), read-only after a fail-over
                // (25006), I/O error (58000, 58030).
                code.starts_with("08")
                    || matches!(
                        code.as_ref(),
                        "53100"
                            | "53200"
                            | "53300"
                            | "57P01"
                            | "57P02"
                            | "57P03"
                            | "57014"
                            | "55P03"
                            | "40001"
                            | "40P01"
                            | "25006"
                            | "58000"
                            | "58030"
                    )
            }
            _ => false,
        }
    }
}

impl Db {
    /// Connects to `postgres://…` or to a SQLite file (a path or `sqlite:` URL),
    /// creating the SQLite file when missing, and migrates the schema.
    pub async fn connect(target: &str) -> Result<Db> {
        let db = Db::connect_without_migrations(target).await?;
        db.refuse_a_role_past_row_security().await?;
        migrate::run(&db).await?;
        Ok(db)
    }

    /// Row-level security does not bind a superuser or a BYPASSRLS role, so
    /// the application refuses to run as one: the tenant wall would be gone
    /// without a sign.
    async fn refuse_a_role_past_row_security(&self) -> Result<()> {
        let Db::Postgres(pool) = self else {
            return Ok(());
        };
        let (role, past): (String, bool) = sqlx::query_as(
            "SELECT rolname::TEXT, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
        )
        .fetch_one(pool)
        .await?;
        if past {
            return Err(Error::Refused(format!(
                "the PostgreSQL role {role} is a superuser or has BYPASSRLS, which row-level security \
                 does not bind; connect as a role without them (the README's \"PostgreSQL\" section)"
            )));
        }
        Ok(())
    }

    /// Like `connect`, but a SQLite file must already exist: a typing error
    /// in a path must not quietly create an empty database.
    pub async fn connect_existing(target: &str) -> Result<Db> {
        let is_postgres = target.starts_with("postgres://") || target.starts_with("postgresql://");
        let path = target
            .strip_prefix("sqlite://")
            .or_else(|| target.strip_prefix("sqlite:"))
            .unwrap_or(target);
        if !is_postgres && !std::path::Path::new(path).exists() {
            return Err(Error::Missing(path.to_string()));
        }
        Db::connect(target).await
    }

    /// Connects without touching the schema (for administration tasks).
    pub async fn connect_without_migrations(target: &str) -> Result<Db> {
        let db = if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(target)
                .await?;
            Db::Postgres(pool)
        } else {
            let db = Db::open_sqlite(target, SqliteSynchronous::Full).await?;
            db.check_sqlite_durability().await?;
            db
        };
        Ok(db)
    }

    /// Creates and migrates a new SQLite file without waiting for the disk at
    /// each commit (`synchronous=OFF`), for generated data only (`spire demo`):
    /// if the machine stops half-way, the file is thrown away and made again.
    /// Close it and open it with `connect` before anyone uses it.
    pub async fn create_sqlite_for_bulk_load(path: &str) -> Result<Db> {
        let db = Db::open_sqlite(path, SqliteSynchronous::Off).await?;
        migrate::run(&db).await?;
        Ok(db)
    }

    async fn open_sqlite(target: &str, synchronous: SqliteSynchronous) -> Result<Db> {
        let path = target
            .strip_prefix("sqlite://")
            .or_else(|| target.strip_prefix("sqlite:"))
            .unwrap_or(target);
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A transaction SQLite ended by itself (disk full, I/O error)
            // cannot be rolled back, and sqlx then still counts it as
            // open, so the connection would refuse every later `BEGIN
            // IMMEDIATE`. Such a connection is closed instead of reused.
            .after_release(|connection, _| {
                Box::pin(async move {
                    use sqlx::Connection;
                    if connection.is_in_transaction() {
                        // Lets a rollback queued by the dropped transaction finish.
                        connection.ping().await?;
                    }
                    Ok(!connection.is_in_transaction())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    /// Refuses to run on SQLite unless WAL, synchronous=FULL and foreign keys
    /// are really in force: allocations and logs must survive a crash.
    async fn check_sqlite_durability(&self) -> Result<()> {
        let Db::Sqlite(pool) = self else {
            return Ok(());
        };
        let mut conn = pool.acquire().await?;
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?;
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?;
        if !journal.eq_ignore_ascii_case("wal") {
            return Err(Error::UnsafeSettings(format!(
                "journal_mode is {journal}, expected wal"
            )));
        }
        if synchronous != 2 {
            return Err(Error::UnsafeSettings(format!(
                "synchronous is {synchronous}, expected 2 (FULL)"
            )));
        }
        if foreign_keys != 1 {
            return Err(Error::UnsafeSettings("foreign_keys is off".into()));
        }
        Ok(())
    }

    /// A consistent copy of a SQLite database into a new file, made while the
    /// server may be writing (`VACUUM INTO` reads one snapshot), then checked
    /// with `PRAGMA integrity_check`. PostgreSQL is backed up with `pg_dump`.
    pub async fn backup_sqlite(&self, target: &std::path::Path) -> Result<()> {
        let Db::Sqlite(pool) = self else {
            return Err(Error::Refused(
                "PostgreSQL is backed up with pg_dump (see `spire backup --help`)".into(),
            ));
        };
        if target.exists() {
            return Err(Error::Refused(format!(
                "{} exists already; a backup never overwrites a file",
                target.display()
            )));
        }
        let target_text = target
            .to_str()
            .ok_or_else(|| Error::Refused("the backup path must be UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target_text)
            .execute(pool)
            .await?;
        let copy =
            SqlitePool::connect_with(SqliteConnectOptions::new().filename(target).read_only(true))
                .await?;
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&copy)
            .await?;
        copy.close().await;
        if check != "ok" {
            return Err(Error::Corrupt(format!(
                "the copy fails its integrity check: {check}"
            )));
        }
        Ok(())
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }
}

/// Current UTC time as unix seconds, the storage representation of time.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Maps a unique-constraint violation to a field error, anything else through.
pub(crate) fn unique_violation_as(
    err: sqlx::Error,
    field: &'static str,
    problem: spire_domain::Problem,
) -> Error {
    match &err {
        sqlx::Error::Database(db_err) if db_err.is_unique_violation() => {
            Error::Invalid(spire_domain::FieldError::new(field, problem))
        }
        _ => Error::Database(err),
    }
}
