//! Youth: the young people in the programme. Personal data: every function
//! takes a `Scope`, filters by it and logs the use in the same transaction.

use crate::access_log::{AccessAction, log_access};
use crate::{
    BeginWrite, Db, Error, Result, Rows, Scope, ServerKey, SetRows, on_db, unique_violation_as,
};
use serde::Serialize;
use spire_domain::{Cpr, FieldError, Problem, YouthId};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct YouthRow {
    pub id: i64,
    pub municipality_code: i64,
    pub birth_date: String,
    pub gender: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub interests: String,
    pub strengths: String,
    pub consultant_id: Option<i64>,
    pub consultant_name: Option<String>,
    pub created_at: i64,
}

/// One page of a youth search.
#[derive(Debug, Clone, Serialize)]
pub struct YouthPage {
    pub rows: Vec<YouthRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A youth to register; fields already validated by the caller's parsing.
#[derive(Debug, Clone)]
pub struct NewYouth {
    pub cpr: Cpr,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub interests: String,
    pub strengths: String,
    pub consultant_id: Option<i64>,
    pub user_id: Option<i64>,
    /// While a trial is open in the municipality: why the young person is
    /// outside its target group (required then, see `trials::integrity`).
    pub outside_trial: Option<spire_domain::eligibility::OutsideTrial>,
}

/// The tenant and role filter. Placeholders $2..$4 are the visibility.
macro_rules! youth_sql {
    ($($tail:literal),*) => {
        concat!(
            "SELECT y.id, y.municipality_code, y.birth_date, y.gender, y.first_name, y.last_name, y.phone, y.email, \
             y.interests, y.strengths, y.consultant_id, c.display_name AS consultant_name, y.created_at \
             FROM youth y LEFT JOIN users c ON c.id = y.consultant_id ",
            $($tail),*
        )
    };
}

/// Whether a youth id is visible: $1 id, $2 municipality, $3 created_by, $4 own user.
pub(crate) const VISIBLE_ID_SQL: &str = "SELECT y.id FROM youth y WHERE y.id = $1 AND y.municipality_code = $2 \
     AND (CAST($3 AS BIGINT) IS NULL OR y.created_by = $3) AND (CAST($4 AS BIGINT) IS NULL OR y.user_id = $4)";

/// Stops with `NotFound` unless the scope may see youth `$id` (inside a
/// transaction, before anything is read or written about them).
macro_rules! require_visible_youth {
    ($conn:expr, $scope:expr, $id:expr) => {{
        let visibility = $scope.youth_visibility();
        sqlx::query_scalar::<_, i64>($crate::youth::VISIBLE_ID_SQL)
            .bind($id)
            .bind(visibility.municipality)
            .bind(visibility.created_by)
            .bind(visibility.own_user)
            .fetch_optional($conn)
            .await?
            .ok_or($crate::Error::NotFound)?
    }};
}
pub(crate) use require_visible_youth;

const GET_SQL: &str = youth_sql!(
    "WHERE y.id = $1 AND y.municipality_code = $2 ",
    "AND (CAST($3 AS BIGINT) IS NULL OR y.created_by = $3) AND (CAST($4 AS BIGINT) IS NULL OR y.user_id = $4)"
);

const SEARCH_NAME_SQL: &str = youth_sql!(
    "WHERE y.municipality_code = $1 ",
    "AND (CAST($2 AS BIGINT) IS NULL OR y.created_by = $2) AND (CAST($3 AS BIGINT) IS NULL OR y.user_id = $3) ",
    "AND (CAST($4 AS BIGINT) IS NULL OR y.consultant_id = $4) ",
    "AND LOWER(y.first_name || ' ' || y.last_name) LIKE $5 ESCAPE '\\' ",
    "ORDER BY y.last_name, y.first_name, y.id LIMIT $6 OFFSET $7"
);
const COUNT_NAME_SQL: &str = "SELECT COUNT(*) FROM youth y WHERE y.municipality_code = $1 \
     AND (CAST($2 AS BIGINT) IS NULL OR y.created_by = $2) AND (CAST($3 AS BIGINT) IS NULL OR y.user_id = $3) \
     AND (CAST($4 AS BIGINT) IS NULL OR y.consultant_id = $4) \
     AND LOWER(y.first_name || ' ' || y.last_name) LIKE $5 ESCAPE '\\'";
const SEARCH_CPR_SQL: &str = youth_sql!(
    "WHERE y.municipality_code = $1 ",
    "AND (CAST($2 AS BIGINT) IS NULL OR y.created_by = $2) AND (CAST($3 AS BIGINT) IS NULL OR y.user_id = $3) ",
    "AND y.cpr_lookup = $4 LIMIT $5 OFFSET $6"
);

const INSERT_SQL: &str = "INSERT INTO youth (municipality_code, cpr_ciphertext, cpr_lookup, birth_date, gender, first_name, \
     last_name, phone, email, interests, strengths, consultant_id, created_by, user_id, created_at, outside_trial) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id";

/// What the access log records for a search: the name text, or only the fact
/// that a CPR number was searched for (never the number itself).
fn search_criterion(query: &str, by_cpr: bool) -> String {
    if by_cpr {
        "cpr-number".to_string()
    } else if query.is_empty() {
        "all".to_string()
    } else {
        format!("name: {query}")
    }
}

fn like_pattern(query: &str) -> String {
    let escaped = query
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl Db {
    /// Searches the youth the scope may see, by name or by a full CPR number.
    pub async fn search_youth(
        &self,
        scope: &Scope,
        key: &ServerKey,
        query: &str,
        page: i64,
        per_page: i64,
    ) -> Result<YouthPage> {
        self.search_youth_of(scope, key, query, page, per_page, None)
            .await
    }

    /// As `search_youth`, by name only among one consultant's youth when
    /// `consultant` is given (a consultant's list starts with their own); a
    /// CPR number finds the young person whoever's they are.
    pub async fn search_youth_of(
        &self,
        scope: &Scope,
        key: &ServerKey,
        query: &str,
        page: i64,
        per_page: i64,
        consultant: Option<i64>,
    ) -> Result<YouthPage> {
        let query = query.trim();
        let visibility = scope.youth_visibility();
        let per_page = per_page.clamp(1, 200);
        let page = page.max(1);
        let offset = (page - 1) * per_page;
        let cpr = Cpr::parse("q", query).ok();
        let criterion = search_criterion(query, cpr.is_some());
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let (rows, total) = if let Some(cpr) = &cpr {
                let rows = sqlx::query_as::<_, YouthRow>(SEARCH_CPR_SQL)
                    .bind(visibility.municipality)
                    .bind(visibility.created_by)
                    .bind(visibility.own_user)
                    .bind(key.cpr_lookup(cpr))
                    .bind(per_page)
                    .bind(offset)
                    .fetch_all(&mut *tx)
                    .await?;
                let total = rows.len() as i64;
                (rows, total)
            } else {
                let pattern = like_pattern(query);
                let rows = sqlx::query_as::<_, YouthRow>(SEARCH_NAME_SQL)
                    .bind(visibility.municipality)
                    .bind(visibility.created_by)
                    .bind(visibility.own_user)
                    .bind(consultant)
                    .bind(&pattern)
                    .bind(per_page)
                    .bind(offset)
                    .fetch_all(&mut *tx)
                    .await?;
                let total: i64 = sqlx::query_scalar(COUNT_NAME_SQL)
                    .bind(visibility.municipality)
                    .bind(visibility.created_by)
                    .bind(visibility.own_user)
                    .bind(consultant)
                    .bind(&pattern)
                    .fetch_one(&mut *tx)
                    .await?;
                (rows, total)
            };
            tx.commit().await?;
            if visibility.municipality.is_some() {
                self.log_read(scope, AccessAction::Search, None, Some(criterion.as_str()))
                    .await?;
            }
            Ok(YouthPage {
                rows,
                total,
                page,
                per_page,
            })
        })
    }

    /// One youth, if the scope may see them; the read is logged. A youth of
    /// another municipality is `NotFound`, and nothing is logged as read.
    pub async fn get_youth(&self, scope: &Scope, youth: YouthId) -> Result<YouthRow> {
        let id = youth.get();
        let visibility = scope.youth_visibility();
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let row = sqlx::query_as::<_, YouthRow>(GET_SQL)
                .bind(id)
                .bind(visibility.municipality)
                .bind(visibility.created_by)
                .bind(visibility.own_user)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?;
            tx.commit().await?;
            self.log_read(scope, AccessAction::Read, Some(id), None::<&str>)
                .await?;
            Ok(row)
        })
    }

    /// Changes a youth's work-identity portfolio (interests and strengths).
    /// Staff may edit the youth they see; a youth edits their own (power shift).
    pub async fn update_youth_portfolio(
        &self,
        scope: &Scope,
        youth: YouthId,
        interests: &str,
        strengths: &str,
    ) -> Result<()> {
        let id = youth.get();
        let visibility = scope.youth_visibility();
        if visibility.created_by.is_some() {
            // Caseworkers register youth; the portfolio belongs to the programme.
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let changed = sqlx::query(
                "UPDATE youth SET interests = $1, strengths = $2 WHERE id = $3 AND municipality_code = $4 \
                 AND (CAST($5 AS BIGINT) IS NULL OR user_id = $5)",
            )
            .bind(interests)
            .bind(strengths)
            .bind(id)
            .bind(visibility.municipality)
            .bind(visibility.own_user)
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() == 0 {
                return Err(Error::NotFound);
            }
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(id),
                Some("portfolio")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Gives a youth a consultant of the same municipality, or none. The team
    /// lead distributes the caseload; the change is logged as an update.
    pub async fn assign_consultant(
        &self,
        scope: &Scope,
        youth: YouthId,
        consultant_id: Option<i64>,
    ) -> Result<()> {
        let id = youth.get();
        if scope.role != spire_domain::Role::TeamLead {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            if let Some(consultant) = consultant_id {
                let same_tenant: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM users WHERE id = $1 AND municipality_code = $2 AND role IN ('consultant', 'psychologist') AND awaiting_approval_since IS NULL AND deactivated_at IS NULL",
                )
                .bind(consultant)
                .bind(scope.municipality)
                .fetch_optional(&mut *tx)
                .await?;
                if same_tenant.is_none() {
                    return Err(Error::Invalid(FieldError::new(
                        "consultant_id",
                        Problem::UnknownConsultant,
                    )));
                }
            }
            let changed = sqlx::query(
                "UPDATE youth SET consultant_id = $1 WHERE id = $2 AND municipality_code = $3",
            )
            .bind(consultant_id)
            .bind(id)
            .bind(scope.municipality)
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() == 0 {
                return Err(Error::NotFound);
            }
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(id),
                Some("consultant")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The consultants and psychologists of the scope's municipality, for
    /// assigning youth (id, name).
    pub async fn consultants(&self, scope: &Scope) -> Result<Vec<(i64, String)>> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            Ok(sqlx::query_as(
                "SELECT id, display_name FROM users WHERE municipality_code = $1 \
                 AND role IN ('consultant', 'psychologist') AND awaiting_approval_since IS NULL AND deactivated_at IS NULL ORDER BY display_name, id",
            )
            .bind(scope.municipality)
            .fetch_all(&mut *tx)
            .await?)
        })
    }

    /// The youth record linked to a youth's own login, if any.
    pub async fn own_youth_id(&self, scope: &Scope) -> Result<Option<YouthId>> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM youth WHERE user_id = $1 AND municipality_code = $2",
            )
            .bind(scope.user_id)
            .bind(scope.municipality)
            .fetch_optional(&mut *tx)
            .await?;
            Ok(id.map(YouthId::new))
        })
    }

    /// Registers a youth in the scope's municipality. A CPR number already
    /// registered anywhere (any municipality) is refused on the `cpr` field.
    pub async fn create_youth(
        &self,
        scope: &Scope,
        key: &ServerKey,
        youth: &NewYouth,
    ) -> Result<YouthId> {
        let municipality = scope.youth_municipality()?;
        let now = crate::now();
        let birth_date = youth.cpr.birth_date().to_string();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            if let Some(consultant) = youth.consultant_id {
                let same_tenant: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND municipality_code = $2 AND role IN ('consultant', 'psychologist', 'team_lead') AND awaiting_approval_since IS NULL AND deactivated_at IS NULL")
                        .bind(consultant)
                        .bind(municipality)
                        .fetch_optional(&mut *tx)
                        .await?;
                if same_tenant.is_none() {
                    return Err(Error::Invalid(FieldError::new(
                        "consultant_id",
                        Problem::Required,
                    )));
                }
            }
            // The programme's age band (a setting): refused before any look-up.
            let (min_age, max_age): (i64, i64) =
                sqlx::query_as("SELECT min_age, max_age FROM programme_rules WHERE id = 1")
                    .fetch_one(&mut *tx)
                    .await?;
            let age = i64::from(youth.cpr.age_on(time::OffsetDateTime::now_utc().date()));
            if !(min_age..=max_age).contains(&age) {
                return Err(Error::Invalid(
                    FieldError::new("cpr", Problem::OutsideProgrammeAge)
                        .with("age", age)
                        .with("min", min_age)
                        .with("max", max_age),
                ));
            }
            crate::cpr_elsewhere::refuse_over_elsewhere_limit!(&mut *tx, scope);
            let lookup = key.cpr_lookup(&youth.cpr);
            // A CPR number is registered once in the whole country: this
            // look-up alone reaches past the municipality.
            tx.set_rows(Rows::Across).await?;
            let registered: Option<(i64, i64)> =
                sqlx::query_as("SELECT id, municipality_code FROM youth WHERE cpr_lookup = $1")
                    .bind(&lookup)
                    .fetch_optional(&mut *tx)
                    .await?;
            tx.set_rows(Rows::of(scope)).await?;
            if let Some((found, home)) = registered.filter(|&(_, home)| home != municipality) {
                // The refusal says only "another municipality"; the look-up
                // is kept in both access logs (committed before refusing).
                crate::cpr_elsewhere::log_found_elsewhere!(tx, scope, home, Some(found));
                tx.commit().await?;
                return Err(Error::Invalid(FieldError::new(
                    "cpr",
                    Problem::CprElsewhere,
                )));
            }
            if registered.is_some() {
                return Err(Error::Invalid(FieldError::new(
                    "cpr",
                    Problem::CprAlreadyRegistered,
                )));
            }
            // An open trial here is the way in for its target group.
            let standing = crate::trials::trial_standing!(tx, municipality, &lookup);
            if let crate::trials::TrialStanding::Elsewhere { home } = standing {
                crate::cpr_elsewhere::log_found_elsewhere!(tx, scope, home, None::<i64>);
                tx.commit().await?;
                return Err(Error::Invalid(FieldError::new(
                    "cpr",
                    Problem::CprElsewhere,
                )));
            }
            let outside_trial = crate::trials::registration_outside_trial(
                standing,
                &youth.cpr,
                youth.outside_trial.as_ref(),
                time::OffsetDateTime::now_utc().date(),
            )?;
            let id: i64 = sqlx::query_scalar(INSERT_SQL)
                .bind(municipality)
                .bind(key.encrypt_cpr(&youth.cpr))
                .bind(&lookup)
                .bind(&birth_date)
                .bind(youth.cpr.gender().code())
                .bind(&youth.first_name)
                .bind(&youth.last_name)
                .bind(youth.phone.as_deref())
                .bind(youth.email.as_deref())
                .bind(&youth.interests)
                .bind(&youth.strengths)
                .bind(youth.consultant_id)
                .bind(scope.user_id)
                .bind(youth.user_id)
                .bind(now)
                .bind(outside_trial)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| unique_violation_as(e, "cpr", Problem::CprAlreadyRegistered))?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Create,
                Some(id),
                None::<&str>
            )?;
            tx.commit().await?;
            Ok(YouthId::new(id))
        })
    }

    /// Decrypts a youth's CPR number for a caller that needs the number itself
    /// (e.g. a research export's keyed pseudonym); logged as a read.
    pub async fn reveal_youth_cpr(
        &self,
        scope: &Scope,
        key: &ServerKey,
        youth: YouthId,
    ) -> Result<Cpr> {
        let id = youth.get();
        let visibility = scope.youth_visibility();
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let stored: Vec<u8> = sqlx::query_scalar(
                "SELECT y.cpr_ciphertext FROM youth y WHERE y.id = $1 AND y.municipality_code = $2 \
                 AND (CAST($3 AS BIGINT) IS NULL OR y.created_by = $3) AND (CAST($4 AS BIGINT) IS NULL OR y.user_id = $4)",
            )
            .bind(id)
            .bind(visibility.municipality)
            .bind(visibility.created_by)
            .bind(visibility.own_user)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            tx.commit().await?;
            self.log_read(scope, AccessAction::Read, Some(id), Some("cpr-number"))
                .await?;
            key.decrypt_cpr(&stored)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("A_b%"), "%a\\_b\\%%");
    }

    #[test]
    fn criterion_never_holds_a_cpr_number() {
        assert_eq!(search_criterion("010190-1234", true), "cpr-number");
        assert_eq!(search_criterion("", false), "all");
    }
}
