//! Companies (identified by CVR) and their contact people. Tenant data: a
//! company belongs to one municipality's company network.

use crate::{BeginWrite, Db, Error, Result, Scope, on_db, unique_violation_as};
use serde::Serialize;
use spire_domain::{CompanyId, Cvr, Problem, Role};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CompanyRow {
    pub id: i64,
    pub municipality_code: i64,
    pub cvr: String,
    pub name: String,
    pub industry: String,
    pub address: Option<String>,
    pub contact_count: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CompanyContactRow {
    pub id: i64,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewCompany {
    pub cvr: Cvr,
    pub name: String,
    pub industry: String,
    pub address: Option<String>,
}

/// $1 municipality; $2 the company a company contact is limited to (or NULL).
macro_rules! company_sql {
    ($($tail:literal),*) => {
        concat!(
            "SELECT c.id, c.municipality_code, c.cvr, c.name, c.industry, c.address, \
             (SELECT COUNT(*) FROM company_contacts k WHERE k.company_id = c.id) AS contact_count \
             FROM companies c WHERE c.municipality_code = $1 AND (CAST($2 AS BIGINT) IS NULL OR c.id = $2) ",
            $($tail),*
        )
    };
}

/// The single company a company contact may see; `None` for staff.
async fn company_limit(db: &Db, scope: &Scope) -> Result<Option<i64>> {
    if scope.role != Role::CompanyContact {
        return Ok(None);
    }
    on_db!(db, |pool| {
        let mut tx = pool.begin_as(scope).await?;
        let company: Option<i64> = sqlx::query_scalar("SELECT company_id FROM users WHERE id = $1")
            .bind(scope.user_id)
            .fetch_one(&mut *tx)
            .await?;
        // A contact without a company sees none: -1 matches no row.
        Ok(Some(company.unwrap_or(-1)))
    })
}

impl Db {
    pub async fn search_companies(
        &self,
        scope: &Scope,
        query: &str,
        limit: i64,
    ) -> Result<Vec<CompanyRow>> {
        if !scope.sees_companies() {
            return Ok(Vec::new());
        }
        let limit_to = company_limit(self, scope).await?;
        let pattern = format!(
            "%{}%",
            query
                .trim()
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        const SQL: &str = company_sql!(
            "AND (LOWER(c.name) LIKE $3 ESCAPE '\\' OR LOWER(c.industry) LIKE $3 ESCAPE '\\' OR c.cvr LIKE $3 ESCAPE '\\') ",
            "ORDER BY c.name, c.id LIMIT $4"
        );
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            Ok(sqlx::query_as::<_, CompanyRow>(SQL)
                .bind(scope.municipality)
                .bind(limit_to)
                .bind(&pattern)
                .bind(limit.clamp(1, 500))
                .fetch_all(&mut *tx)
                .await?)
        })
    }

    pub async fn get_company(
        &self,
        scope: &Scope,
        company: CompanyId,
    ) -> Result<(CompanyRow, Vec<CompanyContactRow>)> {
        let id = company.get();
        if !scope.sees_companies() {
            return Err(Error::NotFound);
        }
        let limit_to = company_limit(self, scope).await?;
        const SQL: &str = company_sql!("AND c.id = $3");
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let company = sqlx::query_as::<_, CompanyRow>(SQL)
                .bind(scope.municipality)
                .bind(limit_to)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?;
            let contacts = sqlx::query_as::<_, CompanyContactRow>(
                "SELECT id, name, title, phone, email FROM company_contacts WHERE company_id = $1 ORDER BY name, id",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            Ok((company, contacts))
        })
    }

    /// Every contact person of the companies the scope can see: (contact id,
    /// company id, company name, contact name), for choosing one in a form.
    pub async fn company_contacts(&self, scope: &Scope) -> Result<Vec<(i64, i64, String, String)>> {
        if !scope.sees_companies() {
            return Ok(Vec::new());
        }
        let limit_to = company_limit(self, scope).await?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            Ok(sqlx::query_as(
                "SELECT k.id, c.id, c.name, k.name FROM company_contacts k JOIN companies c ON c.id = k.company_id \
                 WHERE c.municipality_code = $1 AND (CAST($2 AS BIGINT) IS NULL OR c.id = $2) \
                 ORDER BY c.name, k.name, k.id LIMIT 2000",
            )
            .bind(scope.municipality)
            .bind(limit_to)
            .fetch_all(&mut *tx)
            .await?)
        })
    }

    /// Adds a company to the scope's municipality; the CVR is unique there.
    pub async fn create_company(&self, scope: &Scope, company: &NewCompany) -> Result<CompanyId> {
        let Some(municipality) = scope
            .municipality
            .filter(|_| scope.role.is_programme_staff())
        else {
            return Err(Error::NotFound);
        };
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO companies (municipality_code, cvr, name, industry, address, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(municipality)
            .bind(company.cvr.as_str())
            .bind(&company.name)
            .bind(&company.industry)
            .bind(company.address.as_deref())
            .bind(crate::now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| unique_violation_as(e, "cvr", Problem::CvrAlreadyRegistered))?;
            tx.commit().await?;
            Ok(CompanyId::new(id))
        })
    }

    /// Adds a contact person to a company the scope can see.
    pub async fn add_company_contact(
        &self,
        scope: &Scope,
        company: CompanyId,
        name: &str,
        title: Option<&str>,
        phone: Option<&str>,
        email: Option<&str>,
        user_id: Option<i64>,
    ) -> Result<i64> {
        let company_id = company.get();
        self.get_company(scope, company).await?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let id = sqlx::query_scalar(
                "INSERT INTO company_contacts (company_id, name, title, phone, email, user_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(company_id)
            .bind(name)
            .bind(title)
            .bind(phone)
            .bind(email)
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }
}
