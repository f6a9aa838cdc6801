//! Onboarding a new municipality: the programme office's one-year plan per
//! municipality, started from an editable template, and adding a
//! municipality from the official list. No personal data.

use crate::internships::stored_date;
use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::onboarding::{
    Milestone, NOTES_MAX, Status, TITLE_MAX, official_municipality, quarter_end,
};
use spire_domain::{FieldError, Problem, Role};
use time::Date;

#[derive(Debug, Clone, Serialize)]
pub struct PlanSummary {
    pub id: i64,
    pub municipality_code: i64,
    pub municipality: String,
    pub start_date: String,
    pub milestones: i64,
    pub done: i64,
    pub doing: i64,
    /// Not done, and their quarter is over.
    pub late: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanItem {
    pub id: i64,
    pub position: i64,
    pub quarter: i64,
    pub title: String,
    pub owner: String,
    pub status: String,
    pub notes: String,
    /// The last day of its quarter (ISO), filled in from the plan's start.
    #[sqlx(skip)]
    pub due: String,
    #[sqlx(skip)]
    pub late: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanDetail {
    pub summary: PlanSummary,
    pub items: Vec<PlanItem>,
}

fn office_only(scope: &Scope) -> Result<()> {
    if scope.role == Role::ProgrammeOffice {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

type PlanRow = (i64, i64, String, String);

impl Db {
    /// The template every new plan starts from.
    pub async fn onboarding_template(&self) -> Result<Vec<Milestone>> {
        on_db!(self, |pool| {
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT quarter, title, owner FROM onboarding_template ORDER BY position",
            )
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(quarter, title, owner)| Milestone {
                    quarter,
                    title,
                    owner,
                })
                .collect())
        })
    }

    /// Replaces the template (plans already started keep their milestones).
    pub async fn set_onboarding_template(
        &self,
        scope: &Scope,
        milestones: &[Milestone],
    ) -> Result<()> {
        office_only(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            sqlx::query("DELETE FROM onboarding_template")
                .execute(&mut *tx)
                .await?;
            for (i, m) in milestones.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO onboarding_template (position, quarter, title, owner) VALUES ($1, $2, $3, $4)",
                )
                .bind(i as i64 + 1)
                .bind(m.quarter)
                .bind(&m.title)
                .bind(&m.owner)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Starts a municipality's one-year plan from the template. The
    /// municipality must be in Spire and have no plan yet.
    pub async fn start_onboarding(
        &self,
        scope: &Scope,
        municipality: i64,
        start: Date,
    ) -> Result<i64> {
        office_only(scope)?;
        let template = self.onboarding_template().await?;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            crate::municipalities::require_municipality!(tx, municipality);
            let existing: Option<i64> =
                sqlx::query_scalar("SELECT id FROM onboarding_plans WHERE municipality_code = $1")
                    .bind(municipality)
                    .fetch_optional(&mut *tx)
                    .await?;
            if existing.is_some() {
                return Err(Error::Invalid(FieldError::new(
                    "municipality_code",
                    Problem::PlanExists,
                )));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO onboarding_plans (municipality_code, start_date, created_by, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(municipality)
            .bind(start.to_string())
            .bind(scope.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            for (i, m) in template.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO onboarding_items (plan_id, position, quarter, title, owner) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(i as i64 + 1)
                .bind(m.quarter)
                .bind(&m.title)
                .bind(&m.owner)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Every plan with its progress on `today`.
    pub async fn onboarding_plans(&self, scope: &Scope, today: Date) -> Result<Vec<PlanSummary>> {
        office_only(scope)?;
        let plans: Vec<PlanRow> = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_as(
                "SELECT p.id, p.municipality_code, m.name, p.start_date FROM onboarding_plans p \
                 JOIN municipalities m ON m.code = p.municipality_code ORDER BY p.start_date DESC, m.name",
            )
            .fetch_all(&mut *tx)
            .await?
        });
        let mut summaries = Vec::new();
        for plan in plans {
            let items = self.plan_items(plan.0).await?;
            summaries.push(summary(plan, &items, today)?);
        }
        Ok(summaries)
    }

    /// One plan, its milestones by quarter.
    pub async fn onboarding_plan(&self, scope: &Scope, id: i64, today: Date) -> Result<PlanDetail> {
        office_only(scope)?;
        let plan: PlanRow = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_as(
                "SELECT p.id, p.municipality_code, m.name, p.start_date FROM onboarding_plans p \
                 JOIN municipalities m ON m.code = p.municipality_code WHERE p.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        })
        .ok_or(Error::NotFound)?;
        let mut items = self.plan_items(id).await?;
        let start = stored_date(&plan.3)?;
        for item in &mut items {
            let due = quarter_end(start, item.quarter);
            item.due = due.to_string();
            item.late = item.status != Status::Done.code() && due < today;
        }
        Ok(PlanDetail {
            summary: summary(plan, &items, today)?,
            items,
        })
    }

    async fn plan_items(&self, plan: i64) -> Result<Vec<PlanItem>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as::<_, PlanItem>(
                "SELECT id, position, quarter, title, owner, status, notes FROM onboarding_items \
                 WHERE plan_id = $1 ORDER BY position",
            )
            .bind(plan)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Updates a milestone's status, owner and notes; returns its plan.
    pub async fn update_onboarding_item(
        &self,
        scope: &Scope,
        item: i64,
        status: Status,
        owner: &str,
        notes: &str,
    ) -> Result<i64> {
        office_only(scope)?;
        let mut problems = Vec::new();
        if owner.chars().count() > TITLE_MAX {
            problems.push(FieldError::new("owner", Problem::TooLong));
        }
        if notes.chars().count() > NOTES_MAX {
            problems.push(FieldError::new("notes", Problem::TooLong));
        }
        for (field, text) in [("owner", owner), ("notes", notes)] {
            if spire_domain::contains_cpr(text) {
                problems.push(FieldError::new(field, Problem::ContainsCpr));
            }
        }
        if !problems.is_empty() {
            return Err(Error::InvalidFields(problems));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let plan: Option<i64> = sqlx::query_scalar(
                "UPDATE onboarding_items SET status = $1, owner = $2, notes = $3, updated_by = $4, updated_at = $5 \
                 WHERE id = $6 RETURNING plan_id",
            )
            .bind(status.code())
            .bind(owner.trim())
            .bind(notes.trim())
            .bind(scope.user_id)
            .bind(crate::now())
            .bind(item)
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            plan.ok_or(Error::NotFound)
        })
    }

    /// The plan a milestone belongs to.
    pub async fn onboarding_item_plan(&self, scope: &Scope, item: i64) -> Result<i64> {
        office_only(scope)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            let plan: Option<i64> =
                sqlx::query_scalar("SELECT plan_id FROM onboarding_items WHERE id = $1")
                    .bind(item)
                    .fetch_optional(&mut *tx)
                    .await?;
            plan.ok_or(Error::NotFound)
        })
    }

    /// Adds a municipality from the official list, with its official name
    /// (the administrator chooses the code; nothing is typed).
    pub async fn add_official_municipality(&self, scope: &Scope, code: i64) -> Result<()> {
        if scope.role != Role::Admin {
            return Err(Error::NotFound);
        }
        let official = official_municipality(code).ok_or(Error::Invalid(FieldError::new(
            "municipality_code",
            Problem::UnknownMunicipality,
        )))?;
        self.upsert_municipality(&crate::Actor::of(scope), code, official.name)
            .await
    }
}

fn summary(plan: PlanRow, items: &[PlanItem], today: Date) -> Result<PlanSummary> {
    let start = stored_date(&plan.3)?;
    let count = |status: Status| items.iter().filter(|i| i.status == status.code()).count() as i64;
    Ok(PlanSummary {
        id: plan.0,
        municipality_code: plan.1,
        municipality: plan.2,
        start_date: plan.3,
        milestones: items.len() as i64,
        done: count(Status::Done),
        doing: count(Status::Doing),
        late: items
            .iter()
            .filter(|i| i.status != Status::Done.code() && quarter_end(start, i.quarter) < today)
            .count() as i64,
    })
}
