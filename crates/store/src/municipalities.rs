//! Municipalities (the tenants) and the cross-municipal overview, which holds
//! counts only, never personal data.

use crate::{Db, Result, on_db};
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

impl Db {
    pub async fn upsert_municipality(&self, code: i64, name: &str) -> Result<()> {
        on_db!(self, |pool| {
            sqlx::query("INSERT INTO municipalities (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name")
                .bind(code)
                .bind(name)
                .execute(pool)
                .await?;
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
            Ok(sqlx::query_as::<_, MunicipalityOverview>(
                "SELECT m.code, m.name, \
                 (SELECT COUNT(*) FROM youth y WHERE y.municipality_code = m.code) AS youth, \
                 (SELECT COUNT(*) FROM companies c WHERE c.municipality_code = m.code) AS companies, \
                 (SELECT COUNT(*) FROM users u WHERE u.municipality_code = m.code AND u.role IN ('consultant', 'psychologist', 'team_lead')) AS staff, \
                 (SELECT COUNT(*) FROM youth y WHERE y.municipality_code = m.code AND y.consultant_id IS NOT NULL) AS youth_with_consultant \
                 FROM municipalities m ORDER BY m.code",
            )
            .fetch_all(pool)
            .await?)
        })
    }
}
