//! Opening a trial and reading it: the list, the design and the programme
//! office's overview.

use super::*;
use spire_domain::TrialId;

/// A trial to open: its name, target size, design (version 1) and settings.
#[derive(Debug, Clone)]
pub struct NewTrial {
    pub name: String,
    pub target_size: i64,
    pub design: Design,
    pub settings: TrialSettings,
}

/// What opening a trial gives back: its id and the commitment to publish.
#[derive(Debug, Clone)]
pub struct OpenedTrial {
    pub id: TrialId,
    pub commitment: [u8; 32],
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TrialSummary {
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub status: String,
}

/// A trial as the programme office sees it: no key, no sequence.
#[derive(Debug, Clone, Serialize)]
pub struct TrialOverview {
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub status: String,
    pub target_size: i64,
    pub method: String,
    pub ratio: String,
    pub factors: Vec<String>,
    pub commitment: String,
    pub head_public_key: String,
    pub ledger_size: i64,
    pub allocations: i64,
    pub settings: TrialSettings,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct TrialRecord {
    pub(super) id: i64,
    pub(super) public_id: String,
    pub(super) name: String,
    pub(super) status: String,
    pub(super) target_size: i64,
    pub(super) settings: String,
    pub(super) design_version: i64,
    pub(super) commitment: Vec<u8>,
    pub(super) head_public_key: Vec<u8>,
    pub(super) ledger_size: i64,
    pub(super) allocation_count: i64,
    pub(super) created_at: i64,
}

pub(super) const TRIAL_SQL: &str = "SELECT id, public_id, name, status, target_size, settings, design_version, commitment, \
     head_public_key, ledger_size, allocation_count, created_at FROM trials WHERE id = $1";

impl Db {
    /// Opens a trial: a fresh 32-byte key and head-signing seed from the OS,
    /// both stored encrypted under the server key, and the commitment.
    pub async fn create_trial(
        &self,
        key: &ServerKey,
        trial: &NewTrial,
        created_by: Option<i64>,
    ) -> Result<OpenedTrial> {
        let invalid = |reason: String| Error::InvalidTrial(reason);
        trial
            .design
            .validate()
            .map_err(|e| invalid(e.to_string()))?;
        if trial.design.version != 1 {
            return Err(invalid("a trial opens with design version 1".into()));
        }
        trial.settings.validate(&trial.design).map_err(invalid)?;
        if trial.name.trim().is_empty() || trial.target_size <= 0 {
            return Err(invalid(
                "a trial needs a name and a positive target size".into(),
            ));
        }
        let trial_key = TrialKey::from_bytes(random_bytes());
        let head_seed = random_bytes();
        let settings = serde_json::to_string(&trial.settings).expect("settings serialise");
        let public_key = HeadSigner::from_seed(head_seed).public_key();
        let commitment = spire_trial::commitment_v2(&trial_key, &trial.design, &public_key);
        let document = trial.design.canonical_bytes();
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO trials (public_id, name, status, target_size, settings, design_version, commitment, \
                 key_ciphertext, head_seed_ciphertext, head_public_key, frontier, created_by, created_at, log_version) \
                 VALUES ($1, $2, 'open', $3, $4, 1, $5, $6, $7, $8, $9, $10, $11, 2) RETURNING id",
            )
            .bind(&trial.design.trial_id)
            .bind(trial.name.trim())
            .bind(trial.target_size)
            .bind(&settings)
            .bind(commitment.as_slice())
            .bind(key.encrypt(TRIAL_KEY_AAD, trial_key.as_bytes()))
            .bind(key.encrypt(HEAD_SEED_AAD, &head_seed))
            .bind(public_key.as_slice())
            .bind(MerkleFrontier::new().to_bytes())
            .bind(created_by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    invalid(format!("a trial {:?} exists already", trial.design.trial_id))
                }
                _ => Error::Database(e),
            })?;
            sqlx::query(
                "INSERT INTO trial_designs (trial_id, version, document, digest, from_index) VALUES ($1, 1, $2, $3, 0)",
            )
            .bind(id)
            .bind(&document)
            .bind(trial.design.digest().as_slice())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(OpenedTrial {
                id: TrialId::new(id),
                commitment,
            })
        })
    }

    pub async fn list_trials(&self) -> Result<Vec<TrialSummary>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as::<_, TrialSummary>(
                "SELECT id, public_id, name, status FROM trials ORDER BY id",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// The trial's id by its public id (the design's trial id).
    pub async fn trial_id_by_public_id(&self, public_id: &str) -> Result<TrialId> {
        on_db!(self, |pool| {
            let id: Option<i64> = sqlx::query_scalar("SELECT id FROM trials WHERE public_id = $1")
                .bind(public_id)
                .fetch_optional(pool)
                .await?;
            id.map(TrialId::new).ok_or(Error::NotFound)
        })
    }

    /// The design version in force.
    pub async fn trial_design(&self, trial: TrialId) -> Result<Design> {
        let trial_id = trial.get();
        on_db!(self, |pool| {
            let document: Vec<u8> = sqlx::query_scalar(
                "SELECT d.document FROM trial_designs d JOIN trials t ON t.id = d.trial_id \
                 AND d.version = t.design_version WHERE t.id = $1",
            )
            .bind(trial_id)
            .fetch_optional(pool)
            .await?
            .ok_or(Error::NotFound)?;
            Design::from_canonical_bytes(&document)
                .map_err(|e| Error::Corrupt(format!("design document: {e}")))
        })
    }

    pub async fn trial_overview(&self, trial: TrialId) -> Result<TrialOverview> {
        let trial_id = trial.get();
        let record = on_db!(self, |pool| {
            sqlx::query_as::<_, TrialRecord>(TRIAL_SQL)
                .bind(trial_id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)?
        });
        let design = self.trial_design(trial).await?;
        debug_assert_eq!(i64::from(design.version), record.design_version);
        Ok(TrialOverview {
            id: record.id,
            public_id: record.public_id,
            name: record.name,
            status: record.status,
            target_size: record.target_size,
            method: design.method.name().to_string(),
            ratio: format!("{}:{}", design.ratio.programme, design.ratio.control),
            factors: design.factors.clone(),
            commitment: hex::encode(record.commitment),
            head_public_key: hex::encode(record.head_public_key),
            ledger_size: record.ledger_size,
            allocations: record.allocation_count,
            settings: settings_of(&record.settings)?,
            created_at: record.created_at,
        })
    }
}
