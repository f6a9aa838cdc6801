//! The randomised trial in the database: opening a trial, screening, and
//! allocation into the append-only Merkle ledger with a signed tree head.
//!
//! One allocation is one write transaction: lock the trial row, replay an
//! idempotency key, find the subject's earlier allocation (across all
//! municipalities, by the keyed CPR hash), check eligibility, draw with the
//! pure `spire_trial::Allocator`, append the leaf, advance the Merkle frontier,
//! sign the new head, commit — and only then answer. The trial row lock
//! serialises allocations of a trial on both databases (SQLite: `BEGIN
//! IMMEDIATE`; PostgreSQL: the row lock of the first `UPDATE`), so slots are
//! never shared or skipped. Requests that arrive while a trial's transaction
//! is in flight share the next one (group commit, `batch.rs`): one lock and
//! one commit for all of them, each with its own answer, entry and head.
//!
//! Here: the trial's types, opening, screening and the randomisation entry
//! point. `batch.rs`: the allocation transaction. `evidence.rs`: receipts,
//! verification evidence, heads, proofs and the report. `take_up.rs`: offers
//! and their answers. `export.rs`: the research export. `admin.rs`:
//! annotations, strata amendments and the key reveal.

use crate::access_log::{AccessAction, log_access};
use crate::{BeginWrite, Db, Error, Result, Scope, ServerKey, on_db};
use serde::{Deserialize, Serialize};
use spire_domain::eligibility::{Benefit, Candidate, EligibilityRules, Ineligibility, Readiness};
use spire_domain::{Cpr, FieldError, Problem, Role};
use spire_trial::{
    Allocator, Arm, ArmCounts, BlockSlot, Design, Entry, EntryKind, HeadSigner, LedgerLeaf,
    LedgerRow, MerkleFrontier, MerkleTree, Method, Position, SignedTreeHead, StratumKey,
    SubjectPseudonym, TreeHead, TrialKey, UtcTime,
};
use std::collections::{BTreeMap, HashMap, HashSet};

mod batch;
mod decide;

const TRIAL_KEY_AAD: &[u8] = b"spire/trial-key/v1";
const HEAD_SEED_AAD: &[u8] = b"spire/trial-head-seed/v1";

/// On SQLite, ledger writers of this process queue here, first come first
/// served, before `BEGIN IMMEDIATE`, instead of polling for the database lock
/// with SQLite's busy handler, whose growing sleeps gave the slowest requests
/// a tail of hundreds of milliseconds (p99 450 ms → 90 ms at 16 clients).
/// PostgreSQL's row lock queues well enough; an extra queue there cost
/// throughput. The database lock stays what makes allocation correct.
static SQLITE_LEDGER_WRITERS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl Db {
    /// Holds the SQLite ledger writers' queue for the caller's transaction.
    async fn queue_ledger_writer(&self) -> Option<tokio::sync::MutexGuard<'static, ()>> {
        match self {
            Db::Sqlite(_) => Some(SQLITE_LEDGER_WRITERS.lock().await),
            Db::Postgres(_) => None,
        }
    }
}

/// Stratification factors Spire derives itself from the screening.
pub const BUILT_IN_FACTORS: &[&str] =
    &["municipality", "gender", "age_band", "readiness", "benefit"];

/// A trial's eligibility rules and custom stratification fields, stored as
/// JSON beside the design (the design itself is the canonical document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialSettings {
    pub min_age: i32,
    pub max_age: i32,
    /// Benefit codes covered (`kontanthjaelp`, `uddannelseshjaelp`, `other`).
    pub benefits: Vec<String>,
    pub require_no_qualification: bool,
    /// Participating municipalities; empty means all.
    #[serde(default)]
    pub municipalities: Vec<i64>,
    /// Stratification fields the caseworker fills in (besides the built-in ones).
    #[serde(default)]
    pub custom_factors: Vec<CustomFactor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomFactor {
    pub name: String,
    pub levels: Vec<String>,
}

impl Default for TrialSettings {
    fn default() -> Self {
        let rules = EligibilityRules::default();
        TrialSettings {
            min_age: rules.min_age,
            max_age: rules.max_age,
            benefits: rules
                .benefits
                .iter()
                .map(|b| b.code().to_string())
                .collect(),
            require_no_qualification: rules.require_no_qualification,
            municipalities: rules.municipalities,
            custom_factors: Vec::new(),
        }
    }
}

/// A trial id, factor name or level: a-z, 0-9, `_` or `-`, at most 64 bytes
/// (names and levels end up in stratum keys stored as `f=l,f=l`).
pub fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl TrialSettings {
    pub fn eligibility(&self) -> EligibilityRules {
        EligibilityRules {
            min_age: self.min_age,
            max_age: self.max_age,
            benefits: self
                .benefits
                .iter()
                .filter_map(|code| Benefit::from_code(code))
                .collect(),
            require_no_qualification: self.require_no_qualification,
            municipalities: self.municipalities.clone(),
        }
    }

    /// Checks the settings against the design: every design factor is built in
    /// or a custom field, names and levels are plain tokens.
    pub fn validate(&self, design: &Design) -> Result<(), String> {
        if self.min_age > self.max_age || self.min_age < 0 {
            return Err("min_age must be at most max_age".into());
        }
        if let Some(bad) = self
            .benefits
            .iter()
            .find(|b| Benefit::from_code(b).is_none())
        {
            return Err(format!(
                "unknown benefit {bad:?}; expected kontanthjaelp, uddannelseshjaelp or other"
            ));
        }
        for factor in &self.custom_factors {
            if !is_token(&factor.name) || BUILT_IN_FACTORS.contains(&factor.name.as_str()) {
                return Err(format!(
                    "custom factor {:?} must be a new name of a-z, 0-9, '_' or '-'",
                    factor.name
                ));
            }
            if factor.levels.is_empty() || !factor.levels.iter().all(|l| is_token(l)) {
                return Err(format!(
                    "custom factor {:?} needs levels of a-z, 0-9, '_' or '-'",
                    factor.name
                ));
            }
        }
        for factor in &design.factors {
            let known = BUILT_IN_FACTORS.contains(&factor.as_str())
                || self.custom_factors.iter().any(|c| &c.name == factor);
            if !known {
                return Err(format!(
                    "design factor {factor:?} is neither built in ({}) nor a custom factor",
                    BUILT_IN_FACTORS.join(", ")
                ));
            }
        }
        Ok(())
    }
}

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
    pub id: i64,
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
struct TrialRecord {
    id: i64,
    public_id: String,
    name: String,
    status: String,
    target_size: i64,
    settings: String,
    design_version: i64,
    commitment: Vec<u8>,
    head_public_key: Vec<u8>,
    ledger_size: i64,
    allocation_count: i64,
    created_at: i64,
}

const TRIAL_SQL: &str = "SELECT id, public_id, name, status, target_size, settings, design_version, commitment, \
     head_public_key, ledger_size, allocation_count, created_at FROM trials WHERE id = $1";

/// A screening, parsed and validated by the caller.
#[derive(Debug, Clone)]
pub struct Intake {
    pub cpr: Cpr,
    pub first_name: String,
    pub last_name: String,
    pub municipality_code: i64,
    pub benefit: Benefit,
    pub readiness: Readiness,
    pub has_qualification: bool,
    /// Levels of the trial's custom stratification fields.
    pub strata: BTreeMap<String, String>,
    pub intake_date: time::Date,
}

/// The signed tree head on a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptHead {
    pub size: i64,
    pub root: String,
    pub signature: String,
    pub time: i64,
}

/// What a caseworker (or API client) gets for an allocation, and gets again
/// for a retried request or a repeated CPR number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub allocation_id: i64,
    pub arm: String,
    pub ledger_index: i64,
    pub stratum: String,
    pub leaf_hash: String,
    pub tree_head: ReceiptHead,
    pub allocated_at: i64,
}

#[derive(sqlx::FromRow)]
struct ReceiptRow {
    id: i64,
    arm: String,
    ledger_index: i64,
    stratum: String,
    leaf_hash: Vec<u8>,
    unix_seconds: i64,
    tree_size: i64,
    root: Vec<u8>,
    signature: Vec<u8>,
    head_seconds: i64,
}

impl From<ReceiptRow> for Receipt {
    fn from(row: ReceiptRow) -> Receipt {
        Receipt {
            allocation_id: row.id,
            arm: row.arm,
            ledger_index: row.ledger_index,
            stratum: row.stratum,
            leaf_hash: hex::encode(row.leaf_hash),
            tree_head: ReceiptHead {
                size: row.tree_size,
                root: hex::encode(row.root),
                signature: hex::encode(row.signature),
                time: row.head_seconds,
            },
            allocated_at: row.unix_seconds,
        }
    }
}

/// A receipt: the allocation and the head signed in its own transaction (size = index + 1).
macro_rules! receipt_sql {
    ($where:literal) => {
        concat!(
            "SELECT l.id, l.arm, l.ledger_index, l.stratum, l.leaf_hash, l.unix_seconds, h.tree_size, h.root, \
             h.signature, h.unix_seconds AS head_seconds FROM trial_ledger l \
             JOIN trial_heads h ON h.trial_id = l.trial_id AND h.tree_size = l.ledger_index + 1 \
             WHERE l.kind = 'allocation' AND ",
            $where
        )
    };
}
const RECEIPT_BY_SUBJECT_SQL: &str = receipt_sql!("l.trial_id = $1 AND l.subject = $2");
const RECEIPT_BY_ID_SQL: &str = receipt_sql!("l.trial_id = $1 AND l.id = $2");
const RECEIPT_IN_MUNICIPALITY_SQL: &str =
    receipt_sql!("l.trial_id = $1 AND l.id = $2 AND l.municipality_code = $3");

/// The answer to a randomisation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Randomisation {
    /// A new allocation, committed.
    Allocated(Receipt),
    /// The same idempotency key again: the allocation it made the first time.
    Replayed(Receipt),
    /// The youth was randomised before (in any municipality): the original.
    AlreadyRandomised(Receipt),
    NotEligible(Vec<Ineligibility>),
}

/// The result of the screening step (no allocation yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screening {
    pub reasons: Vec<Ineligibility>,
    pub stratum: String,
    /// The youth's allocation, when they were randomised before.
    pub existing: Option<Receipt>,
    /// Other trials the youth is already randomised in (names), so the
    /// caseworker can stop before putting someone into a second trial.
    pub other_trials: Vec<String>,
}

/// The trial row, locked for the allocation transaction.
#[derive(sqlx::FromRow)]
struct LockedTrial {
    public_id: String,
    status: String,
    settings: String,
    design_version: i64,
    key_ciphertext: Vec<u8>,
    head_seed_ciphertext: Vec<u8>,
    ledger_size: i64,
    allocation_count: i64,
    frontier: Vec<u8>,
    last_unix_seconds: i64,
    last_nanos: i64,
}

/// Rewriting a column with itself takes the row lock on PostgreSQL (SQLite's
/// `BEGIN IMMEDIATE` already holds the database lock), in one SQL text.
const LOCK_TRIAL_SQL: &str = "UPDATE trials SET ledger_size = ledger_size WHERE id = $1 \
     RETURNING public_id, status, settings, design_version, key_ciphertext, head_seed_ciphertext, \
     ledger_size, allocation_count, frontier, last_unix_seconds, last_nanos";

const INSERT_SCREENING_SQL: &str = "INSERT INTO trial_screenings (trial_id, at, user_id, municipality_code, subject, eligible, \
     reasons, outcome, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// The heads `trial verify` checks: the latest (it covers every entry, so a
/// removed or changed entry shows) and a checkpoint every 1,000 entries. A
/// head is signed in every allocation transaction for its receipt, but
/// verifying a million signatures would take a minute; receipts' heads are
/// checked by whoever holds them (`trial consistency`).
const HEADS_TO_VERIFY_SQL: &str = "SELECT tree_size, root, unix_seconds, nanos, signature FROM trial_heads \
     WHERE trial_id = $1 AND (tree_size % 1000 = 0 \
     OR tree_size = (SELECT MAX(tree_size) FROM trial_heads WHERE trial_id = $1)) ORDER BY tree_size";

const INSERT_HEAD_SQL: &str = "INSERT INTO trial_heads (trial_id, tree_size, root, unix_seconds, nanos, signature) \
     VALUES ($1, $2, $3, $4, $5, $6)";

const UPDATE_TRIAL_HEAD_SQL: &str = "UPDATE trials SET ledger_size = $1, allocation_count = $2, frontier = $3, \
     last_unix_seconds = $4, last_nanos = $5 WHERE id = $6";

/// The frozen baseline: what the youth's outcome is compared against. Its
/// SHA-256 goes into the leaf; no name or CPR number is in it.
#[derive(Serialize)]
struct Baseline<'a> {
    trial: &'a str,
    intake_date: String,
    municipality_code: i64,
    benefit: &'a str,
    readiness: &'a str,
    has_qualification: bool,
    age: i32,
    gender: &'a str,
    strata: &'a BTreeMap<String, String>,
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

fn random_bytes() -> [u8; 32] {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

fn settings_of(json: &str) -> Result<TrialSettings> {
    serde_json::from_str(json).map_err(|e| Error::Corrupt(format!("trial settings: {e}")))
}

fn hash32(bytes: &[u8], what: &str) -> Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| Error::Corrupt(format!("{what} is not 32 bytes")))
}

/// The stratum key of an intake under the design: built-in factors derived,
/// custom ones taken from the form (a level outside the list is a field error).
fn stratum_for(
    design: &Design,
    settings: &TrialSettings,
    intake: &Intake,
) -> Result<StratumKey, FieldError> {
    let age = intake.cpr.age_on(intake.intake_date);
    let levels = design
        .factors
        .iter()
        .map(|factor| {
            let level = match factor.as_str() {
                "municipality" => intake.municipality_code.to_string(),
                "gender" => intake.cpr.gender().code().to_string(),
                "age_band" => spire_domain::eligibility::age_band(age).to_string(),
                "readiness" => intake.readiness.code().to_string(),
                "benefit" => intake.benefit.code().to_string(),
                custom => {
                    let allowed = settings
                        .custom_factors
                        .iter()
                        .find(|c| c.name == custom)
                        .map(|c| c.levels.as_slice())
                        .unwrap_or_default();
                    match intake.strata.get(custom) {
                        None => return Err(FieldError::new("strata", Problem::Required)),
                        Some(level) if allowed.contains(level) => level.clone(),
                        Some(_) => {
                            return Err(FieldError::new("strata", Problem::UnknownStratumLevel));
                        }
                    }
                }
            };
            Ok((factor.clone(), level))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(StratumKey::new(levels))
}

/// The stored form of a stratum key, `factor=level,…` (tokens only, so unambiguous).
fn parse_stratum(text: &str) -> Option<StratumKey> {
    if text.is_empty() {
        return Some(StratumKey::new(Vec::<(String, String)>::new()));
    }
    text.split(',')
        .map(|pair| {
            pair.split_once('=')
                .map(|(f, l)| (f.to_string(), l.to_string()))
        })
        .collect::<Option<Vec<_>>>()
        .map(StratumKey::new)
}

fn now_utc() -> UtcTime {
    let now = time::OffsetDateTime::now_utc();
    UtcTime {
        unix_seconds: now.unix_timestamp(),
        nanos: now.nanosecond(),
    }
}

/// An entry's time: now, but never before the entry preceding it.
fn entry_time(now: UtcTime, trial: &LockedTrial) -> UtcTime {
    now.max(UtcTime {
        unix_seconds: trial.last_unix_seconds,
        nanos: trial.last_nanos as u32,
    })
}

/// A new head over the ledger with one more leaf, signed with the trial's
/// head key; `frontier` is the stored frontier advanced by that leaf.
struct NextHead {
    frontier: MerkleFrontier,
    signed: SignedTreeHead,
}

fn next_head(
    key: &ServerKey,
    trial: &LockedTrial,
    leaf_hash: [u8; 32],
    time: UtcTime,
) -> Result<NextHead> {
    let mut frontier = MerkleFrontier::from_bytes(&trial.frontier)
        .ok_or_else(|| Error::Corrupt("the stored Merkle frontier".into()))?;
    if frontier.len() != trial.ledger_size as u64 {
        return Err(Error::Corrupt(
            "the Merkle frontier does not match the ledger size".into(),
        ));
    }
    frontier.push(leaf_hash);
    let seed = hash32(
        &key.decrypt(HEAD_SEED_AAD, &trial.head_seed_ciphertext)?,
        "the head seed",
    )?;
    let signed = HeadSigner::from_seed(seed).sign(TreeHead {
        trial_id: trial.public_id.clone(),
        size: frontier.len(),
        root: frontier.root(),
        time,
    });
    Ok(NextHead { frontier, signed })
}

/// Stores a new head and advances the trial row past the new entry
/// (`allocations` is 1 for an allocation, 0 for an annotation).
macro_rules! store_head {
    ($tx:expr, $trial_id:expr, $trial:expr, $head:expr, $allocations:expr) => {{
        let head: &NextHead = $head;
        let time = head.signed.head.time;
        sqlx::query(INSERT_HEAD_SQL)
            .bind($trial_id)
            .bind(head.signed.head.size as i64)
            .bind(head.signed.head.root.as_slice())
            .bind(time.unix_seconds)
            .bind(i64::from(time.nanos))
            .bind(head.signed.signature.as_slice())
            .execute(&mut **$tx)
            .await?;
        sqlx::query(UPDATE_TRIAL_HEAD_SQL)
            .bind($trial.ledger_size + 1)
            .bind($trial.allocation_count + $allocations)
            .bind(head.frontier.to_bytes())
            .bind(time.unix_seconds)
            .bind(i64::from(time.nanos))
            .bind($trial_id)
            .execute(&mut **$tx)
            .await?;
    }};
}

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
        let commitment = spire_trial::commitment(&trial_key, &trial.design);
        let settings = serde_json::to_string(&trial.settings).expect("settings serialise");
        let public_key = HeadSigner::from_seed(head_seed).public_key();
        let document = trial.design.canonical_bytes();
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO trials (public_id, name, status, target_size, settings, design_version, commitment, \
                 key_ciphertext, head_seed_ciphertext, head_public_key, frontier, created_by, created_at) \
                 VALUES ($1, $2, 'open', $3, $4, 1, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
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
            Ok(OpenedTrial { id, commitment })
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
    pub async fn trial_id_by_public_id(&self, public_id: &str) -> Result<i64> {
        on_db!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM trials WHERE public_id = $1")
                .bind(public_id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)
        })
    }

    /// The design version in force.
    pub async fn trial_design(&self, trial_id: i64) -> Result<Design> {
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

    pub async fn trial_overview(&self, trial_id: i64) -> Result<TrialOverview> {
        let record = on_db!(self, |pool| {
            sqlx::query_as::<_, TrialRecord>(TRIAL_SQL)
                .bind(trial_id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)?
        });
        let design = self.trial_design(trial_id).await?;
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

    /// The screening step: checks eligibility, shows an earlier allocation,
    /// and writes the screening log row. Allocates nothing.
    pub async fn screen_for_trial(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial_id: i64,
        intake: &Intake,
    ) -> Result<Screening> {
        let municipality = intake_municipality(scope, intake)?;
        let subject = key.cpr_lookup(&intake.cpr);
        let design = self.trial_design(trial_id).await?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let settings: String = sqlx::query_scalar("SELECT settings FROM trials WHERE id = $1")
                .bind(trial_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?;
            let settings = settings_of(&settings)?;
            let stratum = stratum_for(&design, &settings, intake).map_err(Error::Invalid)?;
            let existing = sqlx::query_as::<_, ReceiptRow>(RECEIPT_BY_SUBJECT_SQL)
                .bind(trial_id)
                .bind(&subject)
                .fetch_optional(&mut *tx)
                .await?
                .map(Receipt::from);
            // Driven from the (few) trials, one look-up each on the ledger's
            // (trial, subject) index of allocations.
            let other_trials: Vec<String> = sqlx::query_scalar(
                "SELECT t.name FROM trials t WHERE t.id <> $1 AND EXISTS (SELECT 1 FROM trial_ledger l \
                 WHERE l.trial_id = t.id AND l.subject = $2 AND l.kind = 'allocation') ORDER BY t.id",
            )
            .bind(trial_id)
            .bind(&subject)
            .fetch_all(&mut *tx)
            .await?;
            let reasons = settings.eligibility().check(&candidate(intake));
            let outcome = match (&existing, reasons.is_empty()) {
                (Some(_), _) => "already_randomised",
                (None, true) => "screened",
                (None, false) => "excluded",
            };
            sqlx::query(INSERT_SCREENING_SQL)
                .bind(trial_id)
                .bind(crate::now())
                .bind(scope.user_id)
                .bind(municipality)
                .bind(&subject)
                .bind(reasons.is_empty())
                .bind(reason_codes(&reasons))
                .bind(outcome)
                .bind(scope.request_id.as_str())
                .execute(&mut *tx)
                .await?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Read,
                None::<i64>,
                Some("trial screening")
            )?;
            tx.commit().await?;
            Ok(Screening {
                reasons,
                stratum: stratum.to_string(),
                existing,
                other_trials,
            })
        })
    }

    /// Randomises a youth: see the module documentation for the transaction.
    /// Returns only after the allocation has been committed.
    pub async fn randomise(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial_id: i64,
        intake: &Intake,
        idempotency_key: Option<&str>,
    ) -> Result<Randomisation> {
        self.randomise_when(scope, key, trial_id, intake, idempotency_key, None)
            .await
    }

    /// Randomises as if the intake happened at `at` (never before the ledger's
    /// last entry): only for `spire demo`'s year of synthetic history. The
    /// server and the API always randomise now.
    #[doc(hidden)]
    pub async fn randomise_backdated(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial_id: i64,
        intake: &Intake,
        at: time::OffsetDateTime,
    ) -> Result<Randomisation> {
        let at = UtcTime {
            unix_seconds: at.unix_timestamp(),
            nanos: at.nanosecond(),
        };
        self.randomise_when(scope, key, trial_id, intake, None, Some(at))
            .await
    }

    async fn randomise_when(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial_id: i64,
        intake: &Intake,
        idempotency_key: Option<&str>,
        at: Option<UtcTime>,
    ) -> Result<Randomisation> {
        let municipality = intake_municipality(scope, intake)?;
        let subject_bytes = key.cpr_lookup(&intake.cpr);
        let subject = SubjectPseudonym(hash32(&subject_bytes, "the CPR look-up hash")?);
        let idempotency_key = idempotency_key.map(str::trim).filter(|k| !k.is_empty());
        if idempotency_key.is_some_and(|k| k.len() > 200) {
            return Err(Error::Invalid(FieldError::new(
                "idempotency_key",
                Problem::TooLong,
            )));
        }
        let request = batch::Request {
            scope: scope.clone(),
            key: key.clone(),
            intake: intake.clone(),
            idempotency_key: idempotency_key.map(str::to_string),
            municipality,
            subject_bytes,
            subject,
            at,
        };
        self.randomise_queued(trial_id, request).await
    }
}

fn intake_municipality(scope: &Scope, intake: &Intake) -> Result<i64> {
    // A caseworker randomises youth of their own municipality only.
    let own = scope.youth_municipality()?;
    if own == intake.municipality_code {
        Ok(own)
    } else {
        Err(Error::Invalid(FieldError::new(
            "municipality_code",
            Problem::UnknownMunicipality,
        )))
    }
}

fn candidate(intake: &Intake) -> Candidate<'_> {
    Candidate {
        cpr: &intake.cpr,
        municipality_code: intake.municipality_code,
        benefit: intake.benefit,
        readiness: intake.readiness,
        has_qualification: intake.has_qualification,
        intake_date: intake.intake_date,
    }
}

fn reason_codes(reasons: &[Ineligibility]) -> String {
    reasons
        .iter()
        .map(|r| r.code())
        .collect::<Vec<_>>()
        .join(",")
}

mod admin;
mod evidence;
mod export;
mod take_up;

pub use admin::LedgerNote;
pub use evidence::{ArmBalance, Consort, InclusionProof, TrialEvidence, TrialReport};
pub use export::{EXPORT_COVARIATES, ExportRow};
pub use take_up::PendingTakeUp;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratum_text_round_trips() {
        let key = StratumKey::new([("municipality", "265"), ("age_band", "18-24")]);
        assert_eq!(parse_stratum(&key.to_string()), Some(key));
        assert_eq!(parse_stratum("municipality"), None);
    }

    #[test]
    fn settings_must_name_every_design_factor() {
        let design = Design::stratified_blocks("t", &["municipality", "school"]);
        let mut settings = TrialSettings::default();
        assert!(settings.validate(&design).is_err());
        settings.custom_factors.push(CustomFactor {
            name: "school".into(),
            levels: vec!["none".into(), "some".into()],
        });
        assert_eq!(settings.validate(&design), Ok(()));
        settings.custom_factors[0].levels.push("Bad Level".into());
        assert!(settings.validate(&design).is_err());
    }
}
