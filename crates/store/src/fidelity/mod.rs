//! Fidelity reviews: the scale's versions (data, published by the
//! programme office), a review of one municipality's half-year with its
//! computed items frozen when it is made, two reviewers' blind scores of
//! the other items, and the reconciliation of their disagreements. No
//! personal data: the measures are the dashboard's suppressed aggregates.

mod measures;
mod reviews;

pub use measures::is_known as is_known_measure;
pub use reviews::{
    DAYS_TO_REVIEW, ItemResult, Reconciliation, ReviewDetail, ReviewSummary, ScheduleRow,
    ShownRating, Trend, TrendPoint,
};

use crate::dashboards::DashboardData;
use crate::{BeginWrite, Db, Error, Result, Rows, Scope, on_db};
use serde::Serialize;
use spire_domain::dashboard::HalfYear;
use spire_domain::fidelity::{ScaleItem, parse_scale};
use spire_domain::{FieldError, Problem, Role};
use time::Date;

/// A scale item as the API and the pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDefinition {
    pub code: String,
    pub principle: &'static str,
    pub title_da: String,
    pub title_en: String,
    pub measure: Option<String>,
    /// Where the value scores 5, 4, 3, 2 (`0.9..|0.8..|0.7..|0.6..`).
    pub bands: Option<String>,
    pub guide_da: String,
    pub guide_en: String,
}

impl From<&ScaleItem> for ItemDefinition {
    fn from(item: &ScaleItem) -> Self {
        ItemDefinition {
            code: item.code.clone(),
            principle: item.principle.code(),
            title_da: item.title_da.clone(),
            title_en: item.title_en.clone(),
            measure: item.measure.clone(),
            bands: item.bands.map(|b| b.text()),
            guide_da: item.guide_da.clone(),
            guide_en: item.guide_en.clone(),
        }
    }
}

impl ItemDefinition {
    pub fn title(&self, english: bool) -> &str {
        if english {
            &self.title_en
        } else {
            &self.title_da
        }
    }

    pub fn guide(&self, english: bool) -> &str {
        if english {
            &self.guide_en
        } else {
            &self.guide_da
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ScaleVersion {
    pub version: i64,
    pub note: String,
    pub published_at: i64,
    /// Who published it; empty for the version shipped with Spire.
    pub published_by: String,
    pub items: Vec<ItemDefinition>,
    /// The scale as text, in the format a new version is published in.
    pub source: String,
}

/// A new review: whose half-year, and the two reviewers.
#[derive(Debug, Clone)]
pub struct NewReview {
    pub municipality: i64,
    pub period: HalfYear,
    pub reviewer_a: i64,
    pub reviewer_b: i64,
    pub due: Date,
}

pub(crate) fn office_only(scope: &Scope) -> Result<()> {
    if scope.role == Role::ProgrammeOffice {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

fn parse_stored(source: &str) -> Result<Vec<ScaleItem>> {
    parse_scale(source, &measures::is_known)
        .map_err(|e| Error::Corrupt(format!("a stored fidelity scale does not parse: {e:?}")))
}

type ScaleRow = (i64, String, String, i64, Option<String>);

impl Db {
    /// Every published version of the scale, newest first. The programme
    /// office and team leads read them.
    pub async fn fidelity_scales(&self, scope: &Scope) -> Result<Vec<ScaleVersion>> {
        if !matches!(scope.role, Role::ProgrammeOffice | Role::TeamLead) {
            return Err(Error::NotFound);
        }
        let rows: Vec<ScaleRow> = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_as(
                "SELECT s.version, s.source, s.note, s.published_at, u.display_name \
                 FROM fidelity_scales s LEFT JOIN users u ON u.id = s.published_by ORDER BY s.version DESC",
            )
            .fetch_all(&mut *tx)
            .await?
        });
        rows.into_iter()
            .map(|(version, source, note, published_at, by)| {
                Ok(ScaleVersion {
                    version,
                    items: parse_stored(&source)?
                        .iter()
                        .map(ItemDefinition::from)
                        .collect(),
                    note,
                    published_at,
                    published_by: by.unwrap_or_default(),
                    source,
                })
            })
            .collect()
    }

    /// The items of one version (for the reviews that used it).
    pub(crate) async fn scale_items(&self, version: i64) -> Result<Vec<ScaleItem>> {
        let source: String = on_db!(self, |pool| {
            sqlx::query_scalar("SELECT source FROM fidelity_scales WHERE version = $1")
                .bind(version)
                .fetch_optional(pool)
                .await?
        })
        .ok_or(Error::NotFound)?;
        parse_stored(&source)
    }

    /// Publishes a new version of the scale; new reviews use it, earlier
    /// reviews keep theirs. Refused whole at the first bad line.
    pub async fn publish_fidelity_scale(
        &self,
        scope: &Scope,
        source: &str,
        note: &str,
    ) -> Result<i64> {
        office_only(scope)?;
        let mut problems = Vec::new();
        if let Err(error) = parse_scale(source, &measures::is_known) {
            problems.push(error);
        }
        if note.trim().is_empty() {
            problems.push(FieldError::new("note", Problem::Required));
        } else if note.chars().count() > 200 {
            problems.push(FieldError::new("note", Problem::TooLong).with("max", 200));
        }
        for (field, text) in [("source", source), ("note", note)] {
            if spire_domain::contains_cpr(text) {
                problems.push(FieldError::new(field, Problem::ContainsCpr));
            }
        }
        if !problems.is_empty() {
            return Err(Error::InvalidFields(problems));
        }
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let version: i64 = sqlx::query_scalar(
                "INSERT INTO fidelity_scales (version, source, note, published_by, published_at) \
                 SELECT COALESCE(MAX(version), 0) + 1, $1, $2, $3, $4 FROM fidelity_scales RETURNING version",
            )
            .bind(source.replace("\r\n", "\n").trim())
            .bind(note.trim())
            .bind(scope.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(version)
        })
    }

    /// Makes a review of a municipality's half-year that is over, with the
    /// newest scale: the computed items are measured now from `data` (the
    /// dashboard's counts for that half-year) and kept with the review.
    pub async fn create_fidelity_review(
        &self,
        scope: &Scope,
        new: &NewReview,
        data: &DashboardData,
        today: Date,
    ) -> Result<i64> {
        office_only(scope)?;
        let office: Vec<i64> = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_scalar("SELECT id FROM users WHERE role = 'programme_office'")
                .fetch_all(&mut *tx)
                .await?
        });
        let mut problems = Vec::new();
        for (field, id) in [
            ("reviewer_a", new.reviewer_a),
            ("reviewer_b", new.reviewer_b),
        ] {
            if !office.contains(&id) {
                problems.push(FieldError::new(field, Problem::UnknownChoice));
            }
        }
        if new.reviewer_a == new.reviewer_b {
            problems.push(FieldError::new("reviewer_b", Problem::SameReviewer));
        }
        if new.period.last_day() >= today {
            problems.push(FieldError::new("period", Problem::PeriodRunning));
        }
        if new.due < today {
            problems.push(FieldError::new("due_date", Problem::DateInPast));
        }
        let (first_course, existing): (Option<String>, Option<i64>) = on_db!(self, |pool| {
            // A date from the reviewed municipality's rows, no one's data.
            let mut tx = pool
                .begin_rows(Rows::Tenant(Some(new.municipality)))
                .await?;
            (
                // The programme's first work there: a course, a youth network
                // meeting or an event.
                sqlx::query_scalar(
                    "SELECT MIN(d) FROM (SELECT MIN(start_date) AS d FROM courses WHERE municipality_code = $1 \
                     UNION ALL SELECT MIN(date) FROM group_meetings WHERE municipality_code = $1 \
                     UNION ALL SELECT MIN(event_date) FROM events WHERE municipality_code = $1) AS firsts",
                )
                .bind(new.municipality)
                .fetch_one(&mut *tx)
                .await?,
                sqlx::query_scalar(
                    "SELECT id FROM fidelity_reviews WHERE municipality_code = $1 AND period = $2",
                )
                .bind(new.municipality)
                .bind(new.period.code())
                .fetch_optional(&mut *tx)
                .await?,
            )
        });
        if existing.is_some() {
            problems.push(FieldError::new("period", Problem::ReviewExists));
        } else if first_course.is_none_or(|first| first > new.period.last_day().to_string()) {
            problems.push(FieldError::new("period", Problem::NoWorkInPeriod));
        }
        if !problems.is_empty() {
            return Err(Error::InvalidFields(problems));
        }
        if data.period() != new.period {
            return Err(Error::Corrupt(
                "the dashboard data is for another period".into(),
            ));
        }
        let dashboard = data.view(scope)?;
        let row = dashboard
            .rows
            .iter()
            .find(|r| r.code == Some(new.municipality))
            .ok_or_else(|| {
                Error::Invalid(FieldError::new(
                    "municipality_code",
                    Problem::UnknownMunicipality,
                ))
            })?;
        let (version, source): (i64, String) = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_as(
                "SELECT version, source FROM fidelity_scales ORDER BY version DESC LIMIT 1",
            )
            .fetch_one(&mut *tx)
            .await?
        });
        let team = self
            .team_facts(
                new.municipality,
                new.period.first_day(),
                new.period.last_day(),
            )
            .await?;
        let measured: Vec<(String, measures::Measured, Option<i64>)> = parse_stored(&source)?
            .iter()
            .filter_map(|item| {
                let (measure, bands) = (item.measure.as_deref()?, item.bands?);
                let value = measures::measure(measure, row, &team);
                let score = match value {
                    measures::Measured::Value(v) => Some(bands.score(v)),
                    _ => None,
                };
                Some((item.code.clone(), value, score))
            })
            .collect();
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM fidelity_reviews WHERE municipality_code = $1 AND period = $2",
            )
            .bind(new.municipality)
            .bind(new.period.code())
            .fetch_optional(&mut *tx)
            .await?;
            if existing.is_some() {
                return Err(Error::Invalid(FieldError::new(
                    "period",
                    Problem::ReviewExists,
                )));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO fidelity_reviews (municipality_code, period, scale_version, reviewer_a, \
                 reviewer_b, due_date, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(new.municipality)
            .bind(new.period.code())
            .bind(version)
            .bind(new.reviewer_a)
            .bind(new.reviewer_b)
            .bind(new.due.to_string())
            .bind(scope.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            for (code, value, score) in &measured {
                let number = match value {
                    measures::Measured::Value(v) => Some(*v),
                    _ => None,
                };
                sqlx::query(
                    "INSERT INTO fidelity_measured (review_id, item_code, value, score, reason) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(code)
                .bind(number)
                .bind(*score)
                .bind(value.reason())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }
}
