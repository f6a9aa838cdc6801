//! Helpers for tests in this and other crates: fresh, empty databases,
//! CPR numbers, and running a test on both databases. Not used by the
//! application itself.

use crate::{BeginWrite, Db, Result, on_db};

/// The environment variable naming a PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "SPIRE_TEST_POSTGRES_URL";

/// A fresh SQLite file in the system's temporary folder.
pub async fn fresh_sqlite() -> Result<(Db, std::path::PathBuf)> {
    let path =
        std::env::temp_dir().join(format!("spire-test-{}.db", crate::crypto::random_token()));
    let db = Db::connect(path.to_str().expect("temporary paths are UTF-8 here")).await?;
    Ok((db, path))
}

/// The role the application connects as in tests: no SUPERUSER, no
/// BYPASSRLS, so row-level security holds as it does in production.
pub const POSTGRES_APP_ROLE: &str = "spire_app";

/// A fresh, empty PostgreSQL database on the server named by
/// `SPIRE_TEST_POSTGRES_URL` (an administrator's URL), owned by and
/// connected as [`POSTGRES_APP_ROLE`]; or `None` (with one line saying so)
/// when unset.
pub async fn fresh_postgres(test_name: &str) -> Result<Option<Db>> {
    let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
        println!("{test_name}: PostgreSQL part did not run ({POSTGRES_URL_VAR} is not set)");
        return Ok(None);
    };
    let name = format!("spire_test_{}", crate::crypto::random_token());
    let admin = Db::connect_without_migrations(&admin_url).await?;
    on_db!(&admin, |pool| {
        // Tests create it side by side; the one that loses the race is content.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DO $$ BEGIN CREATE ROLE {POSTGRES_APP_ROLE} LOGIN PASSWORD 'spire-test' NOSUPERUSER NOBYPASSRLS; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )))
        .execute(pool)
        .await?;
        // The name is our own random hex, never user input.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} OWNER {POSTGRES_APP_ROLE}"
        )))
        .execute(pool)
        .await?;
    });
    admin.close().await;
    Ok(Some(Db::connect(&app_url(&admin_url, &name)).await?))
}

/// The administrator's URL with the application's role and the database `name`.
pub fn app_url(admin_url: &str, name: &str) -> String {
    let (scheme, rest) = admin_url
        .split_once("://")
        .unwrap_or(("postgres", admin_url));
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let host = host.split_once('/').map_or(host, |(host, _)| host);
    format!("{scheme}://{POSTGRES_APP_ROLE}:spire-test@{host}/{name}")
}

/// A trial's key without the two-person reveal, for tests that replay allocations.
pub async fn trial_key(
    db: &Db,
    key: &crate::ServerKey,
    trial: spire_domain::TrialId,
) -> Result<spire_trial::TrialKey> {
    db.decrypt_trial_key(key, trial.get()).await
}

/// A trial's evidence read `chunk` ledger indexes at a time, to check that the
/// chunks come back together in order.
/// The trial's head-signing key, as a dishonest operator holding the server
/// key could use it (to show two histories: a fork).
pub async fn trial_head_signer(
    db: &crate::Db,
    key: &crate::ServerKey,
    trial: spire_domain::TrialId,
) -> Result<spire_trial::HeadSigner> {
    db.head_signer(key, trial.get()).await
}

pub async fn trial_evidence_in_chunks(
    db: &Db,
    trial: spire_domain::TrialId,
    chunk: i64,
) -> Result<crate::TrialEvidence> {
    db.trial_evidence_in_chunks(trial, chunk).await
}

/// A distinct, valid CPR number (as typed: `DDMMYY-SSSS`) for someone aged
/// 19–28 today, so eligible for the trial, for each `n` below 3.5 million.
pub fn cpr_text(n: u32) -> String {
    let today = time::OffsetDateTime::now_utc().date();
    let birth = today - time::Duration::days(19 * 365 + i64::from(n % 3500));
    let seventh = if birth.year() >= 2000 { 4 } else { 1 };
    format!(
        "{:02}{:02}{:02}-{seventh}{:03}",
        birth.day(),
        birth.month() as u8,
        birth.year() % 100,
        (n / 3500) % 1000
    )
}

/// Runs SQL statements as they are (a test's hand-built rows).
pub async fn exec_sql(db: &crate::Db, sql: &str) {
    try_exec_sql(db, sql)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// The one number a hand-written `SELECT COUNT(*) …` answers, counted over
/// every municipality (a test's view, past row-level security).
pub async fn count_sql(db: &crate::Db, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    on_db!(db, |pool| {
        let mut tx = pool.begin_across().await.unwrap_or_else(|e| panic!("{e}"));
        let count = sqlx::query_scalar(sql)
            .fetch_one(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
        count
    })
}

/// [`count_sql`] with `$1` bound to `value` (kept out of the logged text).
pub async fn count_sql_binding(db: &crate::Db, sql: &str, value: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    on_db!(db, |pool| {
        let mut tx = pool.begin_across().await.unwrap_or_else(|e| panic!("{e}"));
        sqlx::query_scalar(sql)
            .bind(value)
            .fetch_one(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Runs SQL statements as they are, over every municipality, saying whether
/// the database refused (a test of a guard).
pub async fn try_exec_sql(db: &crate::Db, sql: &str) -> std::result::Result<(), sqlx::Error> {
    on_db!(db, |pool| {
        let mut tx = pool.begin_across().await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })
}

/// What a repository function that forgot its tenant filter reads: the
/// rows of `sql` (a `SELECT COUNT(*) …` with no tenant condition) counted in
/// a transaction of `scope`, as every repository function opens one.
pub async fn count_as(db: &crate::Db, scope: &crate::Scope, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    on_db!(db, |pool| {
        let mut tx = pool.begin_as(scope).await.unwrap_or_else(|e| panic!("{e}"));
        sqlx::query_scalar(sql)
            .fetch_one(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Runs SQL in a write transaction of `scope`, saying whether the database
/// refused (a write that forgot its tenant check).
pub async fn try_exec_as(
    db: &crate::Db,
    scope: &crate::Scope,
    sql: &str,
) -> std::result::Result<(), sqlx::Error> {
    on_db!(db, |pool| {
        let mut tx = pool.begin_write_as(scope).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })
}

/// Counts rows on a bare connection of the pool, as a query outside any
/// repository transaction would.
pub async fn count_on_bare_connection(db: &crate::Db, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    on_db!(db, |pool| sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{e}")))
}

/// A user to create in a test, with the password every test uses.
pub fn new_user(
    login: &str,
    role: spire_domain::Role,
    municipality: Option<i64>,
) -> crate::NewUser {
    crate::NewUser {
        login: login.into(),
        display_name: format!("Name of {login}"),
        password: "correct horse battery".into(),
        role,
        municipality_code: municipality,
        company_id: None,
    }
}

/// [`cpr_text`] parsed.
pub fn cpr(n: u32) -> spire_domain::Cpr {
    spire_domain::Cpr::parse("cpr", &cpr_text(n)).expect("a valid CPR number")
}

/// Two tests of one async body `$run(db: Db)`: `$name::on_sqlite` on a fresh
/// SQLite file, and `$name::on_postgres` on a fresh PostgreSQL database when
/// `SPIRE_TEST_POSTGRES_URL` is set (else one line says it did not run; when
/// it ran, a line says so). `multi_thread` runs both on four worker threads.
#[macro_export]
macro_rules! both_dbs {
    ($name:ident, $run:ident) => {
        $crate::both_dbs!(@tests $name, $run, #[tokio::test]);
    };
    ($name:ident, $run:ident, multi_thread) => {
        $crate::both_dbs!(@tests $name, $run,
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]);
    };
    (@tests $name:ident, $run:ident, #[$test:meta]) => {
        mod $name {
            #[$test]
            async fn on_sqlite() {
                let (db, path) = $crate::testing::fresh_sqlite().await.unwrap();
                super::$run(db).await;
                let _ = std::fs::remove_file(path);
            }

            #[$test]
            async fn on_postgres() {
                let test = concat!(stringify!($name), "::on_postgres");
                if let Some(db) = $crate::testing::fresh_postgres(test).await.unwrap() {
                    super::$run(db).await;
                    println!("{test}: ran against PostgreSQL");
                }
            }
        }
    };
}

/// The two municipalities most tests use: Roskilde (265) and Horsens (615).
pub async fn roskilde_and_horsens(db: &crate::Db) {
    let setup = crate::Actor::command("test");
    for (code, name) in [(265, "Roskilde"), (615, "Horsens")] {
        db.upsert_municipality(&setup, code, name)
            .await
            .expect("the test database takes a municipality");
    }
}

/// A trial intake of Ida Hansen with `cpr`, eligible by default
/// (kontanthjælp, aktivitetsparat, no qualification), taken today.
pub fn intake(cpr: spire_domain::Cpr, municipality: i64) -> crate::Intake {
    crate::Intake {
        cpr,
        first_name: "Ida".into(),
        last_name: "Hansen".into(),
        municipality_code: municipality,
        benefit: spire_domain::eligibility::Benefit::Kontanthjaelp,
        readiness: spire_domain::eligibility::Readiness::Aktivitetsparat,
        has_qualification: false,
        strata: Default::default(),
        intake_date: time::OffsetDateTime::now_utc().date(),
        already_registered_decision: None,
    }
}
