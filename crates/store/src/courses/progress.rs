//! The 6-week progress conversations and the work-identity portfolio:
//! skills, experiences and references.

use crate::access_log::{AccessAction, log_access};
use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use serde::Serialize;
use spire_domain::course::{COURSE_NOTE_MAX, ENTRY_MAX};
use spire_domain::validation::{optional_text, required_text};
use spire_domain::{FieldError, Problem, Role, YouthId};
use time::Date;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProgressRow {
    pub id: i64,
    pub held_on: String,
    /// `youth` or `consultant`: who gave the scores.
    pub side: String,
    pub direction: i64,
    pub persistence: i64,
    pub curiosity: i64,
    pub resilience: i64,
    pub self_esteem: i64,
    pub note: String,
}

/// The five measures of a progress conversation, each 1-5.
pub const PROGRESS_MEASURES: [&str; 5] = [
    "direction",
    "persistence",
    "curiosity",
    "resilience",
    "self_esteem",
];

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PortfolioEntry {
    pub id: i64,
    /// `skill`, `experience` or `reference`.
    pub kind: String,
    pub text: String,
    pub company_name: Option<String>,
    pub written_by_name: String,
    pub written_at: i64,
}

impl Db {
    /// The progress conversations' scores for a youth, oldest first (logged).
    pub async fn progress_scores(&self, scope: &Scope, youth: YouthId) -> Result<Vec<ProgressRow>> {
        if !(scope.role.is_programme_staff() || scope.role == Role::Youth) {
            return Err(Error::NotFound);
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            let rows = sqlx::query_as::<_, ProgressRow>(
                "SELECT id, held_on, side, direction, persistence, curiosity, resilience, self_esteem, note \
                 FROM progress_scores WHERE youth_id = $1 ORDER BY held_on, side",
            )
            .bind(youth.get())
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            self.log_read(
                scope,
                AccessAction::Read,
                Some(youth.get()),
                Some("progress"),
            )
            .await?;
            Ok(rows)
        })
    }

    /// Records one side's scores of a progress conversation: the youth's own
    /// when the youth records them, otherwise the consultant's. Once per side
    /// and day.
    pub async fn record_progress(
        &self,
        scope: &Scope,
        youth: YouthId,
        held_on: Date,
        scores: [i64; 5],
        note: &str,
    ) -> Result<()> {
        let side = if scope.role == Role::Youth {
            "youth"
        } else {
            "consultant"
        };
        self.insert_progress(scope, youth, held_on, side, scores, note)
            .await
    }

    /// The youth's own scores, typed in by staff in the conversation (the
    /// youth scored on paper or out loud).
    pub async fn record_progress_for_youth(
        &self,
        scope: &Scope,
        youth: YouthId,
        held_on: Date,
        scores: [i64; 5],
        note: &str,
    ) -> Result<()> {
        if !scope.role.is_programme_staff() {
            return Err(Error::NotFound);
        }
        self.insert_progress(scope, youth, held_on, "youth", scores, note)
            .await
    }

    async fn insert_progress(
        &self,
        scope: &Scope,
        youth: YouthId,
        held_on: Date,
        side: &str,
        scores: [i64; 5],
        note: &str,
    ) -> Result<()> {
        if !(scope.role.is_programme_staff() || scope.role == Role::Youth) {
            return Err(Error::NotFound);
        }
        optional_text("note", note, COURSE_NOTE_MAX).map_err(Error::Invalid)?;
        for (measure, score) in PROGRESS_MEASURES.iter().zip(scores) {
            if !(1..=5).contains(&score) {
                return Err(Error::Invalid(FieldError::new(
                    measure,
                    Problem::OutOfRange,
                )));
            }
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            sqlx::query(
                "INSERT INTO progress_scores (municipality_code, youth_id, held_on, side, direction, persistence, \
                 curiosity, resilience, self_esteem, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(scope.municipality)
            .bind(youth.get())
            .bind(held_on.to_string())
            .bind(side)
            .bind(scores[0])
            .bind(scores[1])
            .bind(scores[2])
            .bind(scores[3])
            .bind(scores[4])
            .bind(note.trim())
            .bind(scope.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::unique_violation_as(e, "held_on", Problem::ProgressAlreadyRecorded))?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth.get()),
                Some("progress")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The portfolio's entries (skills, experiences, references), newest first.
    pub async fn portfolio_entries(
        &self,
        scope: &Scope,
        youth: YouthId,
    ) -> Result<Vec<PortfolioEntry>> {
        on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            let rows = sqlx::query_as::<_, PortfolioEntry>(
                "SELECT p.id, p.kind, p.text, c.name AS company_name, u.display_name AS written_by_name, p.written_at \
                 FROM portfolio_entries p JOIN users u ON u.id = p.written_by LEFT JOIN companies c ON c.id = p.company_id \
                 WHERE p.youth_id = $1 ORDER BY p.written_at DESC, p.id DESC",
            )
            .bind(youth.get())
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            self.log_read(
                scope,
                AccessAction::Read,
                Some(youth.get()),
                Some("portfolio"),
            )
            .await?;
            Ok(rows)
        })
    }

    /// Adds a skill or an experience to a youth's portfolio (the youth or staff).
    pub async fn add_portfolio_entry(
        &self,
        scope: &Scope,
        youth: YouthId,
        kind: &str,
        text: &str,
    ) -> Result<()> {
        if !(scope.role.is_programme_staff() || scope.role == Role::Youth) {
            return Err(Error::NotFound);
        }
        required_text("text", text, ENTRY_MAX).map_err(Error::Invalid)?;
        if !["skill", "experience"].contains(&kind) {
            return Err(Error::Invalid(FieldError::new(
                "kind",
                Problem::UnknownChoice,
            )));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            crate::youth::require_visible_youth!(&mut *tx, scope, youth.get());
            sqlx::query(
                "INSERT INTO portfolio_entries (municipality_code, youth_id, kind, text, written_by, written_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(scope.municipality)
            .bind(youth.get())
            .bind(kind)
            .bind(text.trim())
            .bind(scope.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(youth.get()),
                Some("portfolio")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A company contact writes a reference for a youth who has had an
    /// internship at their company.
    pub async fn write_reference(
        &self,
        scope: &Scope,
        internship: spire_domain::InternshipId,
        text: &str,
    ) -> Result<()> {
        if scope.role != Role::CompanyContact {
            return Err(Error::NotFound);
        }
        required_text("note", text, spire_domain::internship::NOTE_MAX).map_err(Error::Invalid)?;
        let (row, _) = self.internship(scope, internship).await?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            sqlx::query(
                "INSERT INTO portfolio_entries (municipality_code, youth_id, kind, text, company_id, written_by, written_at) \
                 VALUES ($1, $2, 'reference', $3, $4, $5, $6)",
            )
            .bind(scope.municipality)
            .bind(row.youth_id)
            .bind(text.trim())
            .bind(row.company_id)
            .bind(scope.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Update,
                Some(row.youth_id),
                Some("reference")
            )?;
            tx.commit().await?;
            Ok(())
        })
    }
}
