//! Reading reviews (with the reviewers blind to each other until both have
//! submitted), submitting one's scores, reconciling, and the trend and
//! schedule per municipality.

use super::{ItemDefinition, office_only};
use crate::internships::stored_date;
use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::dashboard::HalfYear;
use spire_domain::fidelity::{
    EVIDENCE_MAX, Rating, ScaleItem, half_years_to_next_review, mean_score,
};
use spire_domain::{FieldError, Problem, Role};
use sqlx::AssertSqlSafe;
use std::collections::BTreeMap;
use time::{Date, Duration};

/// Days after a half-year's end by which its review should be done.
pub const DAYS_TO_REVIEW: i64 = 60;

#[derive(Debug, Clone, Serialize)]
pub struct ReviewSummary {
    pub id: i64,
    pub municipality_code: i64,
    pub municipality: String,
    pub period: String,
    pub scale_version: i64,
    pub reviewer_a_id: i64,
    pub reviewer_a: String,
    pub reviewer_b_id: i64,
    pub reviewer_b: String,
    pub due_date: String,
    pub submitted_a: bool,
    pub submitted_b: bool,
    /// Items the reviewers scored differently and nobody has reconciled.
    pub open_disagreements: i64,
    pub finished: bool,
    /// The mean item score once finished (items that could not be computed
    /// are left out), and what it says.
    pub mean: Option<f64>,
    pub rating: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShownRating {
    pub reviewer_id: i64,
    pub reviewer: String,
    pub score: i64,
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    pub score: i64,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemResult {
    pub item: ItemDefinition,
    /// A computed item's value, or why there is none (`withheld`, `missing`).
    pub value: Option<f64>,
    pub reason: String,
    /// The reviewers' scores the caller may see.
    pub ratings: Vec<ShownRating>,
    pub disagreement: bool,
    pub reconciliations: Vec<Reconciliation>,
    /// The item's score: computed, agreed or reconciled.
    pub score: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewDetail {
    pub summary: ReviewSummary,
    pub items: Vec<ItemResult>,
    /// Whether the caller is one of the two reviewers, and has submitted.
    pub you_review: bool,
    pub you_submitted: bool,
    /// The municipality's earlier finished reviews, oldest first.
    pub earlier: Vec<TrendPoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub review_id: i64,
    pub period: String,
    pub scale_version: i64,
    pub mean: Option<f64>,
    pub rating: Option<&'static str>,
    /// Each item's score by its code.
    pub scores: BTreeMap<String, Option<i64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    pub municipality_code: i64,
    pub municipality: String,
    /// Finished reviews, oldest first.
    pub points: Vec<TrendPoint>,
}

/// When a municipality's next review is due.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleRow {
    pub municipality_code: i64,
    pub municipality: String,
    pub last_period: Option<String>,
    pub last_mean: Option<f64>,
    pub last_rating: Option<&'static str>,
    /// The half-year to review next, and the day it should be done by.
    pub next_period: String,
    pub due_date: String,
    pub overdue: bool,
    /// A review of the next half-year that is under way.
    pub review_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    id: i64,
    municipality_code: i64,
    municipality: String,
    period: String,
    scale_version: i64,
    reviewer_a: i64,
    reviewer_a_name: String,
    reviewer_b: i64,
    reviewer_b_name: String,
    due_date: String,
}

/// A review with every score, before blinding.
struct Assembled {
    row: ReviewRow,
    items: Vec<ScaleItem>,
    measured: BTreeMap<String, (Option<f64>, Option<i64>, String)>,
    /// Item code → reviewer → (score, evidence).
    ratings: BTreeMap<String, BTreeMap<i64, (i64, String)>>,
    reconciliations: BTreeMap<String, Vec<Reconciliation>>,
}

impl Assembled {
    fn submitted(&self, reviewer: i64) -> bool {
        self.ratings.values().any(|r| r.contains_key(&reviewer))
    }

    fn both_submitted(&self) -> bool {
        self.submitted(self.row.reviewer_a) && self.submitted(self.row.reviewer_b)
    }

    /// An item's score, and whether the reviewers disagree unresolved.
    fn score(&self, item: &ScaleItem) -> (Option<i64>, bool) {
        if item.is_computed() {
            return (self.measured.get(&item.code).and_then(|m| m.1), false);
        }
        if let Some(last) = self.reconciliations.get(&item.code).and_then(|r| r.last()) {
            return (Some(last.score), false);
        }
        let ratings = self.ratings.get(&item.code);
        let of = |reviewer| ratings.and_then(|r| r.get(&reviewer)).map(|r| r.0);
        match (of(self.row.reviewer_a), of(self.row.reviewer_b)) {
            (Some(a), Some(b)) if a == b => (Some(a), false),
            (Some(_), Some(_)) => (None, true),
            _ => (None, false),
        }
    }

    fn summary(&self) -> ReviewSummary {
        let scored: Vec<(Option<i64>, bool)> = self.items.iter().map(|i| self.score(i)).collect();
        let open = scored.iter().filter(|(_, d)| *d).count() as i64;
        let finished = self.both_submitted() && open == 0;
        let mean = if finished {
            mean_score(&scored.iter().map(|(s, _)| *s).collect::<Vec<_>>())
        } else {
            None
        };
        let row = &self.row;
        ReviewSummary {
            id: row.id,
            municipality_code: row.municipality_code,
            municipality: row.municipality.clone(),
            period: row.period.clone(),
            scale_version: row.scale_version,
            reviewer_a_id: row.reviewer_a,
            reviewer_a: row.reviewer_a_name.clone(),
            reviewer_b_id: row.reviewer_b,
            reviewer_b: row.reviewer_b_name.clone(),
            due_date: row.due_date.clone(),
            submitted_a: self.submitted(row.reviewer_a),
            submitted_b: self.submitted(row.reviewer_b),
            open_disagreements: open,
            finished,
            mean,
            rating: mean.map(|m| Rating::of_mean(m).code()),
        }
    }

    fn trend_point(&self) -> TrendPoint {
        let summary = self.summary();
        TrendPoint {
            review_id: self.row.id,
            period: self.row.period.clone(),
            scale_version: self.row.scale_version,
            mean: summary.mean,
            rating: summary.rating,
            scores: self
                .items
                .iter()
                .map(|i| (i.code.clone(), self.score(i).0))
                .collect(),
        }
    }
}

/// Which reviews to read: `(where clause on r, its one parameter)`.
enum Which {
    One(i64),
    Municipality(i64),
    All,
}

impl Which {
    fn clause(&self) -> (&'static str, i64) {
        match self {
            Which::One(id) => ("r.id = $1", *id),
            Which::Municipality(code) => ("r.municipality_code = $1", *code),
            Which::All => ("r.id > $1", 0),
        }
    }
}

const REVIEW_COLUMNS: &str = "SELECT r.id, r.municipality_code, m.name AS municipality, r.period, \
     r.scale_version, r.reviewer_a, ua.display_name AS reviewer_a_name, r.reviewer_b, \
     ub.display_name AS reviewer_b_name, r.due_date FROM fidelity_reviews r \
     JOIN municipalities m ON m.code = r.municipality_code \
     JOIN users ua ON ua.id = r.reviewer_a JOIN users ub ON ub.id = r.reviewer_b";

fn team_lead_municipality(scope: &Scope) -> Result<Option<i64>> {
    match scope.role {
        Role::ProgrammeOffice => Ok(None),
        Role::TeamLead => scope.municipality.map(Some).ok_or(Error::NotFound),
        _ => Err(Error::NotFound),
    }
}

impl Db {
    async fn assemble(&self, which: Which) -> Result<Vec<Assembled>> {
        let (clause, param) = which.clause();
        let reviews_sql = format!("{REVIEW_COLUMNS} WHERE {clause} ORDER BY r.period, m.name");
        let measured_sql = format!(
            "SELECT x.review_id, x.item_code, x.value, x.score, x.reason FROM fidelity_measured x \
             JOIN fidelity_reviews r ON r.id = x.review_id WHERE {clause}"
        );
        let ratings_sql = format!(
            "SELECT x.review_id, x.item_code, x.reviewer_id, x.score, x.evidence FROM fidelity_ratings x \
             JOIN fidelity_reviews r ON r.id = x.review_id WHERE {clause}"
        );
        let reconciled_sql = format!(
            "SELECT x.review_id, x.item_code, x.score, x.reason, u.display_name, x.decided_at \
             FROM fidelity_reconciliations x JOIN fidelity_reviews r ON r.id = x.review_id \
             JOIN users u ON u.id = x.decided_by WHERE {clause} ORDER BY x.id"
        );
        type Measured = (i64, String, Option<f64>, Option<i64>, String);
        type Rated = (i64, String, i64, i64, String);
        type Reconciled = (i64, String, i64, String, String, i64);
        let (rows, measured, rated, reconciled): (
            Vec<ReviewRow>,
            Vec<Measured>,
            Vec<Rated>,
            Vec<Reconciled>,
        ) = on_db!(self, |pool| {
            // The SQL is built only from the fixed clauses of `Which`.
            (
                sqlx::query_as(AssertSqlSafe(reviews_sql.clone()))
                    .bind(param)
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as(AssertSqlSafe(measured_sql.clone()))
                    .bind(param)
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as(AssertSqlSafe(ratings_sql.clone()))
                    .bind(param)
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as(AssertSqlSafe(reconciled_sql.clone()))
                    .bind(param)
                    .fetch_all(pool)
                    .await?,
            )
        });
        let mut scales: BTreeMap<i64, Vec<ScaleItem>> = BTreeMap::new();
        let mut assembled: BTreeMap<i64, Assembled> = BTreeMap::new();
        let mut order = Vec::new();
        for row in rows {
            if let std::collections::btree_map::Entry::Vacant(entry) =
                scales.entry(row.scale_version)
            {
                entry.insert(self.scale_items(row.scale_version).await?);
            }
            order.push(row.id);
            assembled.insert(
                row.id,
                Assembled {
                    items: scales[&row.scale_version].clone(),
                    row,
                    measured: BTreeMap::new(),
                    ratings: BTreeMap::new(),
                    reconciliations: BTreeMap::new(),
                },
            );
        }
        for (review, code, value, score, reason) in measured {
            if let Some(a) = assembled.get_mut(&review) {
                a.measured.insert(code, (value, score, reason));
            }
        }
        for (review, code, reviewer, score, evidence) in rated {
            if let Some(a) = assembled.get_mut(&review) {
                a.ratings
                    .entry(code)
                    .or_default()
                    .insert(reviewer, (score, evidence));
            }
        }
        for (review, code, score, reason, decided_by, decided_at) in reconciled {
            if let Some(a) = assembled.get_mut(&review) {
                a.reconciliations
                    .entry(code)
                    .or_default()
                    .push(Reconciliation {
                        score,
                        reason,
                        decided_by,
                        decided_at,
                    });
            }
        }
        Ok(order
            .into_iter()
            .filter_map(|id| assembled.remove(&id))
            .collect())
    }

    /// Every review (the programme office), or a team lead's municipality's
    /// finished ones; newest half-year first.
    pub async fn fidelity_reviews(&self, scope: &Scope) -> Result<Vec<ReviewSummary>> {
        let own = team_lead_municipality(scope)?;
        let which = own.map_or(Which::All, Which::Municipality);
        let mut summaries: Vec<ReviewSummary> = self
            .assemble(which)
            .await?
            .iter()
            .map(Assembled::summary)
            .filter(|s| own.is_none() || s.finished)
            .collect();
        summaries.sort_by(|a, b| {
            b.period
                .cmp(&a.period)
                .then_with(|| a.municipality.cmp(&b.municipality))
        });
        Ok(summaries)
    }

    /// One review as the caller may see it: a reviewer sees the other's
    /// scores only once both have submitted, and nobody else sees any
    /// before then. A team lead sees their municipality's finished reviews.
    pub async fn fidelity_review(&self, scope: &Scope, id: i64) -> Result<ReviewDetail> {
        let own = team_lead_municipality(scope)?;
        let review = self
            .assemble(Which::One(id))
            .await?
            .pop()
            .ok_or(Error::NotFound)?;
        let summary = review.summary();
        if own.is_some_and(|code| code != summary.municipality_code || !summary.finished) {
            return Err(Error::NotFound);
        }
        let you_review = [review.row.reviewer_a, review.row.reviewer_b].contains(&scope.user_id);
        let you_submitted = review.submitted(scope.user_id);
        let open = review.both_submitted();
        let names = [
            (review.row.reviewer_a, &review.row.reviewer_a_name),
            (review.row.reviewer_b, &review.row.reviewer_b_name),
        ];
        let items = review
            .items
            .iter()
            .map(|item| {
                let (score, disagreement) = review.score(item);
                let measured = review.measured.get(&item.code);
                let ratings = names
                    .iter()
                    .filter(|(reviewer, _)| open || *reviewer == scope.user_id)
                    .filter_map(|(reviewer, name)| {
                        let (score, evidence) = review.ratings.get(&item.code)?.get(reviewer)?;
                        Some(ShownRating {
                            reviewer_id: *reviewer,
                            reviewer: (*name).clone(),
                            score: *score,
                            evidence: evidence.clone(),
                        })
                    })
                    .collect();
                ItemResult {
                    item: ItemDefinition::from(item),
                    value: measured.and_then(|m| m.0),
                    reason: measured.map(|m| m.2.clone()).unwrap_or_default(),
                    ratings,
                    disagreement,
                    reconciliations: review
                        .reconciliations
                        .get(&item.code)
                        .cloned()
                        .unwrap_or_default(),
                    score: if open || item.is_computed() {
                        score
                    } else {
                        None
                    },
                }
            })
            .collect();
        let earlier = self
            .assemble(Which::Municipality(summary.municipality_code))
            .await?
            .iter()
            .filter(|a| a.row.period < summary.period && a.summary().finished)
            .map(Assembled::trend_point)
            .collect();
        Ok(ReviewDetail {
            summary,
            items,
            you_review,
            you_submitted,
            earlier,
        })
    }

    /// A reviewer's scores of every item the reviewers score, each with its
    /// evidence, submitted once: `(item code, score, evidence)`.
    pub async fn submit_fidelity_ratings(
        &self,
        scope: &Scope,
        id: i64,
        ratings: &[(String, Option<i64>, String)],
    ) -> Result<()> {
        office_only(scope)?;
        let review = self
            .assemble(Which::One(id))
            .await?
            .pop()
            .ok_or(Error::NotFound)?;
        if ![review.row.reviewer_a, review.row.reviewer_b].contains(&scope.user_id) {
            return Err(Error::NotFound);
        }
        if review.submitted(scope.user_id) {
            return Err(Error::Invalid(FieldError::new(
                "score",
                Problem::AlreadySubmitted,
            )));
        }
        let mut problems = Vec::new();
        let mut rows = Vec::new();
        for (n, item) in review.items.iter().filter(|i| !i.is_computed()).enumerate() {
            let number = n as i64 + 1;
            let given = ratings.iter().find(|(code, _, _)| *code == item.code);
            let (score, evidence) = given.map_or((None, ""), |(_, s, e)| (*s, e.trim()));
            match score {
                Some(score) if (1..=5).contains(&score) => {}
                Some(_) => {
                    problems.push(FieldError::out_of_range("score", 1, 5).with("item", number))
                }
                None => {
                    problems.push(FieldError::new("score", Problem::Required).with("item", number))
                }
            }
            if evidence.is_empty() {
                problems.push(FieldError::new("evidence", Problem::Required).with("item", number));
            } else if evidence.chars().count() > EVIDENCE_MAX {
                problems.push(
                    FieldError::new("evidence", Problem::TooLong)
                        .with("item", number)
                        .with("max", EVIDENCE_MAX as i64),
                );
            } else if spire_domain::contains_cpr(evidence) {
                problems
                    .push(FieldError::new("evidence", Problem::ContainsCpr).with("item", number));
            }
            rows.push((item.code.clone(), score.unwrap_or(0), evidence.to_string()));
        }
        if !problems.is_empty() {
            return Err(Error::InvalidFields(problems));
        }
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let already: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM fidelity_ratings WHERE review_id = $1 AND reviewer_id = $2",
            )
            .bind(id)
            .bind(scope.user_id)
            .fetch_one(&mut *tx)
            .await?;
            if already > 0 {
                return Err(Error::Invalid(FieldError::new(
                    "score",
                    Problem::AlreadySubmitted,
                )));
            }
            for (code, score, evidence) in &rows {
                sqlx::query(
                    "INSERT INTO fidelity_ratings (review_id, item_code, reviewer_id, score, evidence, submitted_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(code)
                .bind(scope.user_id)
                .bind(score)
                .bind(evidence)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Settles a reviewed item's score once both reviewers have submitted,
    /// with the reason; kept in an append-only log shown in the report.
    pub async fn reconcile_fidelity_item(
        &self,
        scope: &Scope,
        id: i64,
        item_code: &str,
        score: Option<i64>,
        reason: &str,
    ) -> Result<()> {
        office_only(scope)?;
        let review = self
            .assemble(Which::One(id))
            .await?
            .pop()
            .ok_or(Error::NotFound)?;
        let Some(item) = review
            .items
            .iter()
            .find(|i| i.code == item_code && !i.is_computed())
        else {
            return Err(Error::Invalid(FieldError::new(
                "item",
                Problem::UnknownChoice,
            )));
        };
        let mut problems = Vec::new();
        if !review.both_submitted() {
            problems.push(FieldError::new("score", Problem::NotBothSubmitted));
        } else if !review.score(item).1 {
            // Settled already, or never in dispute (a stale tab's form).
            problems.push(FieldError::new("item", Problem::NoDisagreement));
        }
        match score {
            Some(s) if (1..=5).contains(&s) => {}
            Some(_) => problems.push(FieldError::out_of_range("score", 1, 5)),
            None => problems.push(FieldError::new("score", Problem::Required)),
        }
        let reason = reason.trim();
        if reason.is_empty() {
            problems.push(FieldError::new("reason", Problem::Required));
        } else if reason.chars().count() > EVIDENCE_MAX {
            problems
                .push(FieldError::new("reason", Problem::TooLong).with("max", EVIDENCE_MAX as i64));
        } else if spire_domain::contains_cpr(reason) {
            problems.push(FieldError::new("reason", Problem::ContainsCpr));
        }
        if !problems.is_empty() {
            return Err(Error::InvalidFields(problems));
        }
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            sqlx::query(
                "INSERT INTO fidelity_reconciliations (review_id, item_code, score, reason, decided_by, decided_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(&item.code)
            .bind(score)
            .bind(reason)
            .bind(scope.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A municipality's finished reviews over time.
    pub async fn fidelity_trend(&self, scope: &Scope, municipality: i64) -> Result<Trend> {
        if team_lead_municipality(scope)?.is_some_and(|own| own != municipality) {
            return Err(Error::NotFound);
        }
        let name: String = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_scalar("SELECT name FROM municipalities WHERE code = $1")
                .bind(municipality)
                .fetch_optional(&mut *tx)
                .await?
        })
        .ok_or(Error::NotFound)?;
        let points = self
            .assemble(Which::Municipality(municipality))
            .await?
            .iter()
            .filter(|a| a.summary().finished)
            .map(Assembled::trend_point)
            .collect();
        Ok(Trend {
            municipality_code: municipality,
            municipality: name,
            points,
        })
    }

    /// Each municipality's next review: the half-year after its last
    /// reviewed one (a year after, once rated good), or its first
    /// half-year with young people in a course; due 60 days after it ends.
    pub async fn fidelity_schedule(&self, scope: &Scope, today: Date) -> Result<Vec<ScheduleRow>> {
        office_only(scope)?;
        let reviews = self.assemble(Which::All).await?;
        let starts: Vec<(i64, String, Option<String>)> = on_db!(self, |pool| {
            let mut tx = pool.begin_across().await?;
            sqlx::query_as(
                "SELECT m.code, m.name, (SELECT MIN(c.start_date) FROM courses c WHERE c.municipality_code = m.code) \
                 FROM municipalities m ORDER BY m.name",
            )
            .fetch_all(&mut *tx)
            .await?
        });
        let mut schedule = Vec::new();
        for (code, name, first_course) in starts {
            let Some(first_course) = first_course else {
                continue;
            };
            let of_municipality: Vec<&Assembled> = reviews
                .iter()
                .filter(|a| a.row.municipality_code == code)
                .collect();
            let last_finished = of_municipality
                .iter()
                .filter(|a| a.summary().finished)
                .max_by(|a, b| a.row.period.cmp(&b.row.period));
            let (last_period, last_mean, last_rating, next) = match last_finished {
                Some(last) => {
                    let summary = last.summary();
                    let period = HalfYear::parse(&last.row.period)
                        .ok_or_else(|| Error::Corrupt("a review's period".into()))?;
                    let steps = half_years_to_next_review(summary.mean.map(Rating::of_mean));
                    let next = (0..steps).fold(period, |p, _| p.next());
                    (
                        Some(last.row.period.clone()),
                        summary.mean,
                        summary.rating,
                        next,
                    )
                }
                None => (
                    None,
                    None,
                    None,
                    HalfYear::containing(stored_date(&first_course)?),
                ),
            };
            let due = next.last_day() + Duration::days(DAYS_TO_REVIEW);
            let under_way = of_municipality
                .iter()
                .find(|a| a.row.period == next.code())
                .map(|a| a.row.id);
            schedule.push(ScheduleRow {
                municipality_code: code,
                municipality: name,
                last_period,
                last_mean,
                last_rating,
                next_period: next.code(),
                due_date: due.to_string(),
                overdue: due < today,
                review_id: under_way,
            });
        }
        Ok(schedule)
    }
}
