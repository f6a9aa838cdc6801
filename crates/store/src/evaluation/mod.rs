//! The trial's evaluation: the locked pre-analysis plan, outcome imports keyed
//! by study pseudonym, and the analysis dataset. The plan, the outcome-file
//! reader and the report are the pure `spire-evaluation` crate; this file
//! holds the SQL.

use crate::crypto::ServerKey;
use crate::{BeginWrite, Db, Error, Result, Scope, on_db};
use spire_domain::{FieldError, Problem, Role, TrialId};
use spire_evaluation::analysis::{EvaluationData, Unit};
use spire_evaluation::outcomes::{ImportProblem, read_outcome_file};
use spire_evaluation::plan::AnalysisPlan;
use std::collections::HashMap;

/// Who reads a trial's evaluation: the researchers and the programme office.
const EVALUATORS: &[Role] = &[Role::Researcher, Role::ProgrammeOffice];

fn evaluator(scope: &Scope) -> Result<()> {
    if EVALUATORS.contains(&scope.role) {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Locking the plan and importing outcomes are the researchers' acts; the
/// programme office watches.
fn researcher(scope: &Scope) -> Result<()> {
    if scope.role == Role::Researcher {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// A locked plan and who locked it when.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LockedPlan {
    pub plan: AnalysisPlan,
    pub digest: String,
    pub locked_by: String,
    pub locked_at: i64,
}

/// One outcome file as imported.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct OutcomeImport {
    pub id: i64,
    pub file_name: String,
    #[serde(skip)]
    pub file_digest: Vec<u8>,
    pub row_count: i64,
    pub columns: String,
    pub imported_by: String,
    pub imported_at: i64,
}

impl OutcomeImport {
    pub fn file_sha256(&self) -> String {
        hex::encode(&self.file_digest)
    }
}

#[derive(sqlx::FromRow)]
struct PlanRow {
    document: String,
    digest: Vec<u8>,
    locked_by: String,
    locked_at: i64,
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    ledger_index: i64,
    unix_seconds: i64,
    stratum: String,
    arm: String,
    municipality_code: Option<i64>,
    baseline: String,
    accepted: Option<bool>,
    crossed_over: bool,
}

const PLAN_SQL: &str = "SELECT p.document, p.digest, u.display_name AS locked_by, p.locked_at \
     FROM evaluation_plans p JOIN users u ON u.id = p.locked_by WHERE p.trial_id = $1";

impl Db {
    /// Locks the pre-analysis plan: once, before any outcome is imported.
    pub async fn lock_evaluation_plan(
        &self,
        scope: &Scope,
        trial: TrialId,
        plan: &AnalysisPlan,
    ) -> Result<LockedPlan> {
        let trial_id = trial.get();
        researcher(scope)?;
        plan.validate().map_err(Error::Invalid)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let public_id: Option<String> =
                sqlx::query_scalar("SELECT public_id FROM trials WHERE id = $1")
                    .bind(trial_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            // The hash binds the plan to this trial.
            let plan = AnalysisPlan {
                trial: public_id.ok_or(Error::NotFound)?,
                ..plan.clone()
            };
            let (document, digest) = (plan.canonical_json(), plan.digest());
            let locked: Option<i64> =
                sqlx::query_scalar("SELECT trial_id FROM evaluation_plans WHERE trial_id = $1")
                    .bind(trial_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if locked.is_some() {
                return Err(Error::Invalid(FieldError::new(
                    "plan",
                    Problem::PlanAlreadyLocked,
                )));
            }
            sqlx::query(
                "INSERT INTO evaluation_plans (trial_id, document, digest, locked_by, locked_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(trial_id)
            .bind(&document)
            .bind(digest.as_slice())
            .bind(scope.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        self.evaluation_plan(scope, trial)
            .await?
            .ok_or(Error::NotFound)
    }

    /// The locked plan, if any. The stored hash is checked against the document.
    pub async fn evaluation_plan(
        &self,
        scope: &Scope,
        trial: TrialId,
    ) -> Result<Option<LockedPlan>> {
        let trial_id = trial.get();
        evaluator(scope)?;
        let row: Option<PlanRow> = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_as(PLAN_SQL)
                .bind(trial_id)
                .fetch_optional(&mut *tx)
                .await?
        });
        let Some(row) = row else { return Ok(None) };
        let plan: AnalysisPlan = serde_json::from_str(&row.document)
            .map_err(|e| Error::Corrupt(format!("the analysis plan: {e}")))?;
        if plan.digest().as_slice() != row.digest.as_slice() {
            return Err(Error::Corrupt(
                "the analysis plan does not match its hash".into(),
            ));
        }
        Ok(Some(LockedPlan {
            plan,
            digest: hex::encode(&row.digest),
            locked_by: row.locked_by,
            locked_at: row.locked_at,
        }))
    }

    /// Imports an outcome file keyed by the plan's study pseudonyms, in one
    /// transaction: all of it or, with the first problem named, nothing.
    pub async fn import_outcomes(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial: TrialId,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<OutcomeImport> {
        let trial_id = trial.get();
        researcher(scope)?;
        let Some(locked) = self.evaluation_plan(scope, trial).await? else {
            return Err(Error::Invalid(FieldError::new(
                "plan",
                Problem::PlanNotLocked,
            )));
        };
        let file_name = spire_domain::validation::required_text("file", file_name, 200)
            .map_err(Error::Invalid)?;
        let subjects: Vec<(Vec<u8>, i64)> = on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_as(
                "SELECT subject, ledger_index FROM trial_ledger WHERE trial_id = $1 AND kind = 'allocation'",
            )
            .bind(trial_id)
            .fetch_all(&mut *tx)
            .await?
        });
        let ledger_index_of: HashMap<String, i64> = subjects
            .into_iter()
            .map(|(subject, index)| (key.study_pseudonym(&locked.plan.study, &subject), index))
            .collect();
        let file = read_outcome_file(bytes, &locked.plan.columns(), &ledger_index_of)
            .map_err(Error::Import)?;
        let file_digest: [u8; 32] = {
            use sha2::Digest;
            sha2::Sha256::digest(bytes).into()
        };
        let import_id = on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let import_id: i64 = sqlx::query_scalar(
                "INSERT INTO evaluation_imports (trial_id, file_name, file_digest, row_count, columns, \
                 imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(trial_id)
            .bind(&file_name)
            .bind(file_digest.as_slice())
            .bind(file.rows as i64)
            .bind(file.columns.join(","))
            .bind(scope.user_id)
            .bind(crate::now())
            .fetch_one(&mut *tx)
            .await?;
            for (ledger_index, column, value) in &file.values {
                sqlx::query(
                    "INSERT INTO evaluation_outcomes (import_id, trial_id, ledger_index, column_name, value) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(import_id)
                .bind(trial_id)
                .bind(ledger_index)
                .bind(&file.columns[*column])
                .bind(value)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            import_id
        });
        self.outcome_imports(scope, trial)
            .await?
            .into_iter()
            .find(|i| i.id == import_id)
            .ok_or(Error::NotFound)
    }

    pub async fn outcome_imports(
        &self,
        scope: &Scope,
        trial: TrialId,
    ) -> Result<Vec<OutcomeImport>> {
        let trial_id = trial.get();
        evaluator(scope)?;
        Ok(on_db!(self, |pool| {
            let mut tx = pool.begin_as(scope).await?;
            sqlx::query_as(
                "SELECT i.id, i.file_name, i.file_digest, i.row_count, i.columns, \
                 u.display_name AS imported_by, i.imported_at \
                 FROM evaluation_imports i JOIN users u ON u.id = i.imported_by \
                 WHERE i.trial_id = $1 ORDER BY i.id",
            )
            .bind(trial_id)
            .fetch_all(&mut *tx)
            .await?
        }))
    }

    /// The analysis dataset: every allocation with its frozen baseline's
    /// covariates, take-up and the newest imported value of each outcome.
    /// Only aggregates leave the report, so no per-person read is logged.
    pub async fn evaluation_data(&self, scope: &Scope, trial: TrialId) -> Result<EvaluationData> {
        let trial_id = trial.get();
        evaluator(scope)?;
        let (target_size, units, values) = on_db!(self, |pool| {
            let mut tx = pool.begin_across().await?;
            let target_size: i64 =
                sqlx::query_scalar("SELECT target_size FROM trials WHERE id = $1")
                    .bind(trial_id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(Error::NotFound)?;
            let units: Vec<UnitRow> = sqlx::query_as(
                "SELECT l.ledger_index, l.unix_seconds, l.stratum, l.arm, l.municipality_code, b.baseline, \
                 t.accepted, c.id IS NOT NULL AS crossed_over FROM trial_ledger l \
                 JOIN trial_baselines b ON b.ledger_id = l.id \
                 LEFT JOIN trial_take_up t ON t.trial_id = l.trial_id AND t.ledger_index = l.ledger_index \
                 LEFT JOIN trial_decisions c ON c.trial_id = l.trial_id AND c.ledger_index = l.ledger_index \
                 AND c.kind = 'crossover' \
                 WHERE l.trial_id = $1 AND l.kind = 'allocation' ORDER BY l.ledger_index",
            )
            .bind(trial_id)
            .fetch_all(&mut *tx)
            .await?;
            let values: Vec<(i64, String, Option<f64>)> = sqlx::query_as(
                "SELECT ledger_index, column_name, value FROM evaluation_outcomes \
                 WHERE trial_id = $1 ORDER BY import_id",
            )
            .bind(trial_id)
            .fetch_all(&mut *tx)
            .await?;
            (target_size, units, values)
        });
        let units: Vec<Unit> = units.into_iter().map(unit_of).collect::<Result<_>>()?;
        let position: HashMap<i64, usize> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.ledger_index, i))
            .collect();
        let mut outcomes: HashMap<String, Vec<f64>> = HashMap::new();
        // Later imports come later and overwrite earlier values.
        for (ledger_index, column, value) in values {
            let Some(&i) = position.get(&ledger_index) else {
                continue;
            };
            outcomes
                .entry(column)
                .or_insert_with(|| vec![f64::NAN; units.len()])[i] = value.unwrap_or(f64::NAN);
        }
        Ok(EvaluationData {
            units,
            target_size,
            outcomes,
        })
    }
}

fn unit_of(row: UnitRow) -> Result<Unit> {
    let baseline: serde_json::Value = serde_json::from_str(&row.baseline)
        .map_err(|e| Error::Corrupt(format!("a baseline: {e}")))?;
    let text = |name: &str| baseline[name].as_str().unwrap_or_default().to_string();
    let allocated_on = time::OffsetDateTime::from_unix_timestamp(row.unix_seconds)
        .map_err(|e| Error::Corrupt(format!("an allocation time: {e}")))?
        .date();
    let programme = row.arm == "programme";
    Ok(Unit {
        ledger_index: row.ledger_index,
        allocated_on,
        programme,
        stratum: row.stratum,
        municipality_code: row.municipality_code.unwrap_or_default(),
        age: baseline["age"].as_f64().unwrap_or(f64::NAN),
        female: text("gender") == "female",
        kontanthjaelp: text("benefit") == "kontanthjaelp",
        aktivitetsparat: text("readiness") == "aktivitetsparat",
        has_qualification: baseline["has_qualification"].as_bool().unwrap_or(false),
        // Participation: the offer accepted, or a recorded crossover.
        took_up: if programme {
            row.accepted == Some(true)
        } else {
            row.crossed_over
        },
    })
}

impl From<ImportProblem> for Error {
    fn from(problem: ImportProblem) -> Self {
        Error::Import(problem)
    }
}
