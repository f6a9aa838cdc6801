//! Schema migrations: one ordered list per database, applied in a transaction
//! each and recorded in `spire_migrations`.

use crate::{BeginWrite, Db, Result, on_db};

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        sqlite: include_str!("../migrations/sqlite/0002_trials.sql"),
        postgres: include_str!("../migrations/postgres/0002_trials.sql"),
    },
    Migration {
        version: 3,
        sqlite: include_str!("../migrations/sqlite/0003_evaluation.sql"),
        postgres: include_str!("../migrations/postgres/0003_evaluation.sql"),
    },
    Migration {
        version: 4,
        sqlite: include_str!("../migrations/sqlite/0004_two_factor.sql"),
        postgres: include_str!("../migrations/postgres/0004_two_factor.sql"),
    },
    Migration {
        version: 5,
        sqlite: include_str!("../migrations/sqlite/0005_programme.sql"),
        postgres: include_str!("../migrations/postgres/0005_programme.sql"),
    },
    Migration {
        version: 6,
        sqlite: include_str!("../migrations/sqlite/0006_networks.sql"),
        postgres: include_str!("../migrations/postgres/0006_networks.sql"),
    },
    Migration {
        version: 7,
        sqlite: include_str!("../migrations/sqlite/0007_events.sql"),
        postgres: include_str!("../migrations/postgres/0007_events.sql"),
    },
    Migration {
        version: 8,
        sqlite: include_str!("../migrations/sqlite/0008_onboarding.sql"),
        postgres: include_str!("../migrations/postgres/0008_onboarding.sql"),
    },
    Migration {
        version: 9,
        sqlite: include_str!("../migrations/sqlite/0009_fidelity.sql"),
        postgres: include_str!("../migrations/postgres/0009_fidelity.sql"),
    },
    Migration {
        version: 10,
        sqlite: include_str!("../migrations/sqlite/0010_take_up_append_only.sql"),
        postgres: include_str!("../migrations/postgres/0010_take_up_append_only.sql"),
    },
    Migration {
        version: 11,
        sqlite: include_str!("../migrations/sqlite/0011_login_throttle.sql"),
        postgres: include_str!("../migrations/postgres/0011_login_throttle.sql"),
    },
    Migration {
        version: 12,
        sqlite: include_str!("../migrations/sqlite/0012_admin_log.sql"),
        postgres: include_str!("../migrations/postgres/0012_admin_log.sql"),
    },
    Migration {
        version: 13,
        sqlite: include_str!("../migrations/sqlite/0013_api_token_lifetime.sql"),
        postgres: include_str!("../migrations/postgres/0013_api_token_lifetime.sql"),
    },
    Migration {
        version: 14,
        sqlite: include_str!("../migrations/sqlite/0014_user_approval.sql"),
        postgres: include_str!("../migrations/postgres/0014_user_approval.sql"),
    },
    Migration {
        version: 15,
        sqlite: include_str!("../migrations/sqlite/0015_row_level_security.sql"),
        postgres: include_str!("../migrations/postgres/0015_row_level_security.sql"),
    },
    Migration {
        version: 16,
        sqlite: include_str!("../migrations/sqlite/0016_trial_integrity.sql"),
        postgres: include_str!("../migrations/postgres/0016_trial_integrity.sql"),
    },
    Migration {
        version: 17,
        sqlite: include_str!("../migrations/sqlite/0017_programme_age_band.sql"),
        postgres: include_str!("../migrations/postgres/0017_programme_age_band.sql"),
    },
    Migration {
        version: 18,
        sqlite: include_str!("../migrations/sqlite/0018_user_deactivation.sql"),
        postgres: include_str!("../migrations/postgres/0018_user_deactivation.sql"),
    },
    Migration {
        version: 19,
        sqlite: include_str!("../migrations/sqlite/0019_public_trial_log.sql"),
        postgres: include_str!("../migrations/postgres/0019_public_trial_log.sql"),
    },
];

pub(crate) async fn run(db: &Db) -> Result<()> {
    on_db!(db, |pool| {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS spire_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .execute(pool)
        .await?;
        for migration in MIGRATIONS {
            // A migration may move any municipality's rows.
            let mut tx = pool.begin_across().await?;
            let applied: Option<i64> =
                sqlx::query_scalar("SELECT version FROM spire_migrations WHERE version = $1")
                    .bind(migration.version)
                    .fetch_optional(&mut *tx)
                    .await?;
            if applied.is_some() {
                continue;
            }
            let sql = match db {
                Db::Sqlite(_) => migration.sqlite,
                Db::Postgres(_) => migration.postgres,
            };
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO spire_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(migration.version)
                .bind(crate::now())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(version = migration.version, "applied migration");
        }
        // The fidelity scale's first version is data shipped with Spire;
        // later versions are published by the programme office.
        sqlx::query(
            "INSERT INTO fidelity_scales (version, source, note, published_at) \
             SELECT 1, $1, 'NExTWORK 1', $2 WHERE NOT EXISTS (SELECT 1 FROM fidelity_scales)",
        )
        .bind(spire_domain::fidelity::SCALE_V1)
        .bind(crate::now())
        .execute(pool)
        .await?;
        Ok(())
    })
}
