//! The programme arm's offers: which answers are pending, and recording one.

use super::*;
use spire_domain::{AllocationId, TrialId};

/// A programme-arm allocation whose offer has no recorded answer yet.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PendingTakeUp {
    pub allocation_id: i64,
    pub ledger_index: i64,
    pub first_name: String,
    pub last_name: String,
    pub allocated_at: i64,
}

/// Registers an allocated young person in the municipality (unless they
/// are already) and starts their course in the trial on `start`, with the
/// readiness recorded at intake (a youth with an open course keeps it):
/// `(the youth's id in the municipality, whether newly registered)`.
macro_rules! start_programme {
    ($conn:expr, $key:expr, $scope:expr, $trial_id:expr, $municipality:expr, $subject:expr,
     $cpr_ciphertext:expr, $first_name:expr, $last_name:expr, $baseline:expr, $start:expr, $now:expr) => {{
        let cpr = $key.decrypt_cpr($cpr_ciphertext)?;
        let created: Option<i64> = sqlx::query_scalar(
            "INSERT INTO youth (municipality_code, cpr_ciphertext, cpr_lookup, birth_date, gender, first_name, \
             last_name, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (cpr_lookup) DO NOTHING RETURNING id",
        )
        .bind($municipality)
        .bind($key.encrypt_cpr(&cpr))
        .bind($subject)
        .bind(cpr.birth_date().to_string())
        .bind(cpr.gender().code())
        .bind($first_name)
        .bind($last_name)
        .bind($scope.user_id)
        .bind($now)
        .fetch_optional($conn)
        .await?;
        let youth: Option<i64> = match created {
            Some(id) => Some(id),
            None => {
                sqlx::query_scalar("SELECT id FROM youth WHERE cpr_lookup = $1 AND municipality_code = $2")
                    .bind($subject)
                    .bind($municipality)
                    .fetch_optional($conn)
                    .await?
            }
        };
        let readiness = serde_json::from_str::<serde_json::Value>($baseline)
            .ok()
            .and_then(|b| b.get("readiness")?.as_str().map(str::to_string))
            .unwrap_or_else(|| "jobparat".to_string());
        if let Some(youth) = youth {
            sqlx::query(
                "INSERT INTO courses (municipality_code, youth_id, in_trial, trial_id, readiness, start_date, \
                 created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            )
            .bind($municipality)
            .bind(youth)
            .bind(true)
            .bind($trial_id)
            .bind(&readiness)
            .bind($start.to_string())
            .bind($scope.user_id)
            .bind($now)
            .execute($conn)
            .await?;
        }
        (youth, created.is_some())
    }};
}
pub(super) use start_programme;

impl Db {
    /// The recorded answer to the offer of the allocation at `ledger_index`:
    /// `Some(accepted)`, or `None` while it is awaited.
    pub async fn take_up_answer(&self, trial: TrialId, ledger_index: i64) -> Result<Option<bool>> {
        on_db!(self, |pool| Ok(sqlx::query_scalar(
            "SELECT accepted FROM trial_take_up WHERE trial_id = $1 AND ledger_index = $2"
        )
        .bind(trial.get())
        .bind(ledger_index)
        .fetch_optional(pool)
        .await?))
    }

    /// The caseworker's own programme-arm allocations awaiting the youth's
    /// answer to the offer (not their colleagues': a caseworker who
    /// randomised nobody sees no names or arms). Personal data: logged.
    pub async fn pending_take_up(
        &self,
        scope: &Scope,
        trial: TrialId,
    ) -> Result<Vec<PendingTakeUp>> {
        let trial_id = trial.get();
        let municipality = scope.youth_municipality()?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let rows = sqlx::query_as::<_, PendingTakeUp>(
                "SELECT l.id AS allocation_id, l.ledger_index, b.first_name, b.last_name, l.unix_seconds AS allocated_at \
                 FROM trial_ledger l JOIN trial_baselines b ON b.ledger_id = l.id \
                 LEFT JOIN trial_take_up t ON t.trial_id = l.trial_id AND t.ledger_index = l.ledger_index \
                 WHERE l.trial_id = $1 AND l.municipality_code = $2 AND l.kind = 'allocation' AND l.arm = 'programme' \
                 AND b.created_by = $3 AND t.id IS NULL ORDER BY l.ledger_index",
            )
            .bind(trial_id)
            .bind(municipality)
            .bind(scope.user_id)
            .fetch_all(&mut *tx)
            .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Search,
                None::<i64>,
                Some("trial take-up pending")
            )?;
            tx.commit().await?;
            Ok(rows)
        })
    }

    /// Records the youth's answer to the programme offer (once). An accepted
    /// offer starts the youth's course: they are registered in the
    /// municipality (unless they are already), and the id is returned.
    pub async fn record_take_up(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial: TrialId,
        allocation: AllocationId,
        accepted: bool,
        decided_on: time::Date,
    ) -> Result<Option<i64>> {
        let trial_id = trial.get();
        let allocation_id = allocation.get();
        let municipality = scope.youth_municipality()?;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let allocation: Option<(i64, Vec<u8>, Vec<u8>, String, String, String)> = sqlx::query_as(
                "SELECT l.ledger_index, b.subject, b.cpr_ciphertext, b.first_name, b.last_name, b.baseline \
                 FROM trial_ledger l JOIN trial_baselines b ON b.ledger_id = l.id \
                 WHERE l.trial_id = $1 AND l.id = $2 AND l.municipality_code = $3 AND l.arm = 'programme' \
                 AND b.created_by = $4",
            )
            .bind(trial_id)
            .bind(allocation_id)
            .bind(municipality)
            .bind(scope.user_id)
            .fetch_optional(&mut *tx)
            .await?;
            // Control-arm youth get no offer; another caseworker's or
            // municipality's allocations are not visible.
            let (ledger_index, subject, cpr_ciphertext, first_name, last_name, baseline) =
                allocation.ok_or(Error::NotFound)?;
            sqlx::query(
                "INSERT INTO trial_take_up (trial_id, ledger_index, accepted, decided_on, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(trial_id)
            .bind(ledger_index)
            .bind(accepted)
            .bind(decided_on.to_string())
            .bind(scope.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                crate::unique_violation_as(e, "accepted", Problem::TakeUpAlreadyRecorded)
            })?;
            let mut youth_id = None;
            if accepted {
                let (youth, created) = start_programme!(
                    &mut *tx,
                    key,
                    scope,
                    trial_id,
                    municipality,
                    &subject,
                    &cpr_ciphertext,
                    &first_name,
                    &last_name,
                    &baseline,
                    decided_on,
                    now
                );
                youth_id = youth.filter(|_| created);
            }
            log_access!(
                &mut *tx,
                scope,
                if youth_id.is_some() {
                    AccessAction::Create
                } else {
                    AccessAction::Update
                },
                youth_id,
                Some("trial take-up")
            )?;
            tx.commit().await?;
            Ok(youth_id)
        })
    }
}
