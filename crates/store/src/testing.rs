//! Helpers for tests in this and other crates: fresh, empty databases.
//! Not used by the application itself.

use crate::{Db, Result, on_db};

/// The environment variable naming a PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "SPIRE_TEST_POSTGRES_URL";

/// A fresh SQLite file in the system's temporary folder.
pub async fn fresh_sqlite() -> Result<(Db, std::path::PathBuf)> {
    let path =
        std::env::temp_dir().join(format!("spire-test-{}.db", crate::crypto::random_token()));
    let db = Db::connect(path.to_str().expect("temporary paths are UTF-8 here")).await?;
    Ok((db, path))
}

/// A fresh, empty PostgreSQL database on the server named by
/// `SPIRE_TEST_POSTGRES_URL`, or `None` (with one line saying so) when unset.
pub async fn fresh_postgres(test_name: &str) -> Result<Option<Db>> {
    let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
        println!("{test_name}: PostgreSQL part did not run ({POSTGRES_URL_VAR} is not set)");
        return Ok(None);
    };
    let name = format!("spire_test_{}", crate::crypto::random_token());
    let admin = Db::connect_without_migrations(&admin_url).await?;
    on_db!(&admin, |pool| {
        // The name is our own random hex, never user input.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(pool)
            .await?;
    });
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin_url);
    Ok(Some(Db::connect(&format!("{base}/{name}")).await?))
}

/// A trial's key without the two-person reveal, for tests that replay allocations.
pub async fn trial_key(
    db: &Db,
    key: &crate::ServerKey,
    trial_id: i64,
) -> Result<spire_trial::TrialKey> {
    db.decrypt_trial_key(key, trial_id).await
}

/// A trial's evidence read `chunk` ledger indexes at a time, to check that the
/// chunks come back together in order.
pub async fn trial_evidence_in_chunks(
    db: &Db,
    trial_id: i64,
    chunk: i64,
) -> Result<crate::TrialEvidence> {
    db.trial_evidence_in_chunks(trial_id, chunk).await
}
