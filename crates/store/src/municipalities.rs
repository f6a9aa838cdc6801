//! Municipalities (the tenants) and the cross-municipal overview, which holds
//! counts only, never personal data.

use crate::users::admin_log::{Actor, AdminAction, record_admin_change};
use crate::{BeginWrite, Db, Result, on_db};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MunicipalityRow {
    pub code: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MunicipalityOverview {
    pub code: i64,
    pub name: String,
    pub youth: i64,
    pub companies: i64,
    pub staff: i64,
    pub youth_with_consultant: i64,
}

/// Refuses, at the field `municipality_code`, a municipality Spire does not have.
macro_rules! require_municipality {
    ($tx:expr, $code:expr) => {
        let known: Option<i64> =
            sqlx::query_scalar("SELECT code FROM municipalities WHERE code = $1")
                .bind($code)
                .fetch_optional(&mut *$tx)
                .await?;
        if known.is_none() {
            return Err($crate::Error::Invalid(spire_domain::FieldError::new(
                "municipality_code",
                spire_domain::Problem::UnknownMunicipality,
            )));
        }
    };
}
pub(crate) use require_municipality;

impl Db {
    /// Adds a municipality, or renames it; in the administration log.
    pub async fn upsert_municipality(&self, actor: &Actor, code: i64, name: &str) -> Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query("INSERT INTO municipalities (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name")
                .bind(code)
                .bind(name)
                .execute(&mut *tx)
                .await?;
            record_admin_change!(
                tx,
                actor,
                AdminAction::MunicipalitySaved,
                code.to_string(),
                Some(code),
                name
            );
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn list_municipalities(&self) -> Result<Vec<MunicipalityRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as::<_, MunicipalityRow>(
                "SELECT code, name FROM municipalities ORDER BY code",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// Aggregates per municipality for the programme office and researchers.
    pub async fn municipality_overview(&self) -> Result<Vec<MunicipalityOverview>> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_across().await?;
            Ok(sqlx::query_as::<_, MunicipalityOverview>(
                "SELECT m.code, m.name, \
                 (SELECT COUNT(*) FROM youth y WHERE y.municipality_code = m.code) AS youth, \
                 (SELECT COUNT(*) FROM companies c WHERE c.municipality_code = m.code) AS companies, \
                 (SELECT COUNT(*) FROM users u WHERE u.municipality_code = m.code AND u.role IN ('consultant', 'psychologist', 'team_lead')) AS staff, \
                 (SELECT COUNT(*) FROM youth y WHERE y.municipality_code = m.code AND y.consultant_id IS NOT NULL) AS youth_with_consultant \
                 FROM municipalities m ORDER BY m.code",
            )
            .fetch_all(&mut *tx)
            .await?)
        })
    }
}
