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

/// Factor names and levels end up in stratum keys stored as `f=l,f=l`.
fn is_token(text: &str) -> bool {
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
        };
        self.randomise_queued(trial_id, request).await
    }

    /// One allocation's receipt by its id (for proofs and the receipt page).
    pub async fn trial_receipt(&self, trial_id: i64, allocation_id: i64) -> Result<Receipt> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as::<_, ReceiptRow>(RECEIPT_BY_ID_SQL)
                .bind(trial_id)
                .bind(allocation_id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)?
                .into())
        })
    }

    /// Everything `spire trial verify` needs, read from the tables.
    pub async fn trial_evidence(&self, trial_id: i64) -> Result<TrialEvidence> {
        let (public_id, public_key): (String, Vec<u8>) = on_db!(self, |pool| {
            sqlx::query_as("SELECT public_id, head_public_key FROM trials WHERE id = $1")
                .bind(trial_id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)?
        });
        let (ledger, heads, designs) = on_db!(self, |pool| {
            let ledger = sqlx::query_as::<_, LedgerColumns>(
                "SELECT ledger_index, design_version, unix_seconds, nanos, actor_id, kind, stratum, allocation_number, \
                 block_number, block_offset, subject, arm, baseline_hash, annotated_index, note_hash, design_digest, \
                 leaf_hash FROM trial_ledger WHERE trial_id = $1 ORDER BY ledger_index, id",
            )
            .bind(trial_id)
            .fetch_all(pool)
            .await?;
            let heads: Vec<(i64, Vec<u8>, i64, i64, Vec<u8>)> = sqlx::query_as(HEADS_TO_VERIFY_SQL)
                .bind(trial_id)
                .fetch_all(pool)
                .await?;
            let designs: Vec<Vec<u8>> = sqlx::query_scalar(
                "SELECT document FROM trial_designs WHERE trial_id = $1 ORDER BY version",
            )
            .bind(trial_id)
            .fetch_all(pool)
            .await?;
            (ledger, heads, designs)
        });
        let mut evidence = TrialEvidence {
            public_id: public_id.clone(),
            head_public_key: hash32(&public_key, "the head public key")?,
            rows: Vec::with_capacity(ledger.len()),
            unreadable: Vec::new(),
            heads: Vec::with_capacity(heads.len()),
            designs: Vec::new(),
        };
        for columns in ledger {
            let index = columns.ledger_index;
            match columns.into_row(&public_id) {
                Ok(row) => evidence.rows.push(row),
                Err(reason) => evidence.unreadable.push(format!("index {index}: {reason}")),
            }
        }
        for (size, root, seconds, nanos, signature) in heads {
            let (Ok(root), Ok(signature)) = (
                <[u8; 32]>::try_from(root.as_slice()),
                <[u8; 64]>::try_from(signature.as_slice()),
            ) else {
                evidence
                    .unreadable
                    .push(format!("ledger: the head of size {size} is malformed"));
                continue;
            };
            evidence.heads.push(SignedTreeHead {
                head: TreeHead {
                    trial_id: public_id.clone(),
                    size: size as u64,
                    root,
                    time: UtcTime {
                        unix_seconds: seconds,
                        nanos: nanos as u32,
                    },
                },
                signature,
            });
        }
        for document in designs {
            evidence.designs.push(
                Design::from_canonical_bytes(&document)
                    .map_err(|e| Error::Corrupt(format!("design document: {e}")))?,
            );
        }
        Ok(evidence)
    }

    /// Verifies the trial's ledger: every finding as one line; empty when all holds.
    /// With the revealed key, every allocation is also replayed.
    pub async fn verify_trial(
        &self,
        trial_id: i64,
        revealed_key: Option<&TrialKey>,
    ) -> Result<Vec<String>> {
        let evidence = self.trial_evidence(trial_id).await?;
        Ok(evidence.findings(revealed_key))
    }

    /// The trial key, decrypted: only for the two-person reveal and tests.
    pub(crate) async fn decrypt_trial_key(
        &self,
        key: &ServerKey,
        trial_id: i64,
    ) -> Result<TrialKey> {
        let ciphertext: Vec<u8> = on_db!(self, |pool| {
            sqlx::query_scalar("SELECT key_ciphertext FROM trials WHERE id = $1")
                .bind(trial_id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)?
        });
        Ok(TrialKey::from_bytes(hash32(
            &key.decrypt(TRIAL_KEY_AAD, &ciphertext)?,
            "the trial key",
        )?))
    }

    /// The signed head of `size` entries, or the latest one when `size` is `None`.
    pub async fn trial_head(
        &self,
        trial_id: i64,
        size: Option<u64>,
    ) -> Result<Option<SignedTreeHead>> {
        let evidence_head = on_db!(self, |pool| {
            let row: Option<(String, i64, Vec<u8>, i64, i64, Vec<u8>)> = sqlx::query_as(
                "SELECT t.public_id, h.tree_size, h.root, h.unix_seconds, h.nanos, h.signature FROM trial_heads h \
                 JOIN trials t ON t.id = h.trial_id WHERE h.trial_id = $1 \
                 AND (CAST($2 AS BIGINT) IS NULL OR h.tree_size = $2) ORDER BY h.tree_size DESC LIMIT 1",
            )
            .bind(trial_id)
            .bind(size.map(|s| s as i64))
            .fetch_optional(pool)
            .await?;
            row
        });
        evidence_head
            .map(|(public_id, size, root, seconds, nanos, signature)| {
                Ok(SignedTreeHead {
                    head: TreeHead {
                        trial_id: public_id,
                        size: size as u64,
                        root: hash32(&root, "a head root")?,
                        time: UtcTime {
                            unix_seconds: seconds,
                            nanos: nanos as u32,
                        },
                    },
                    signature: signature
                        .as_slice()
                        .try_into()
                        .map_err(|_| Error::Corrupt("a head signature".into()))?,
                })
            })
            .transpose()
    }

    /// An inclusion proof of one allocation in the latest signed tree.
    pub async fn trial_inclusion_proof(
        &self,
        trial_id: i64,
        allocation_id: i64,
    ) -> Result<InclusionProof> {
        let receipt = self.trial_receipt(trial_id, allocation_id).await?;
        let head = self
            .trial_head(trial_id, None)
            .await?
            .ok_or(Error::NotFound)?;
        let hashes: Vec<Vec<u8>> = on_db!(self, |pool| {
            sqlx::query_scalar(
                "SELECT leaf_hash FROM trial_ledger WHERE trial_id = $1 AND ledger_index < $2 ORDER BY ledger_index",
            )
            .bind(trial_id)
            .bind(head.head.size as i64)
            .fetch_all(pool)
            .await?
        });
        let hashes = hashes
            .iter()
            .map(|h| hash32(h, "a leaf hash"))
            .collect::<Result<Vec<_>>>()?;
        let tree = MerkleTree::from_leaf_hashes(hashes);
        let path = tree
            .inclusion_proof(receipt.ledger_index as u64, head.head.size)
            .ok_or_else(|| Error::Corrupt("the ledger is shorter than its head".into()))?;
        Ok(InclusionProof {
            receipt,
            head,
            path,
        })
    }

    /// CONSORT counts, balance by arm and stratum, and predictability: what
    /// the programme office sees instead of the sequence.
    pub async fn trial_report(&self, trial_id: i64) -> Result<TrialReport> {
        let design = self.trial_design(trial_id).await?;
        let (screenings, allocations, take_up) = on_db!(self, |pool| {
            let screenings: Vec<(Vec<u8>, bool, String)> = sqlx::query_as(
                "SELECT subject, eligible, reasons FROM trial_screenings WHERE trial_id = $1 ORDER BY id",
            )
            .bind(trial_id)
            .fetch_all(pool)
            .await?;
            let allocations: Vec<(Vec<u8>, String, String, Option<i64>)> = sqlx::query_as(
                "SELECT subject, stratum, arm, municipality_code FROM trial_ledger \
                 WHERE trial_id = $1 AND kind = 'allocation' ORDER BY ledger_index",
            )
            .bind(trial_id)
            .fetch_all(pool)
            .await?;
            let take_up: Vec<bool> =
                sqlx::query_scalar("SELECT accepted FROM trial_take_up WHERE trial_id = $1")
                    .bind(trial_id)
                    .fetch_all(pool)
                    .await?;
            (screenings, allocations, take_up)
        });
        Ok(TrialReport::compute(
            &design,
            &screenings,
            &allocations,
            &take_up,
        ))
    }
}

/// A programme-arm allocation whose offer has no recorded answer yet.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PendingTakeUp {
    pub allocation_id: i64,
    pub ledger_index: i64,
    pub first_name: String,
    pub last_name: String,
    pub allocated_at: i64,
}

impl Db {
    /// The scope's municipality's programme-arm allocations awaiting the
    /// youth's answer to the offer. Personal data: logged.
    pub async fn pending_take_up(
        &self,
        scope: &Scope,
        trial_id: i64,
    ) -> Result<Vec<PendingTakeUp>> {
        let municipality = scope
            .municipality
            .filter(|_| scope.may_register_youth())
            .ok_or(Error::NotFound)?;
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query_as::<_, PendingTakeUp>(
                "SELECT l.id AS allocation_id, l.ledger_index, b.first_name, b.last_name, l.unix_seconds AS allocated_at \
                 FROM trial_ledger l JOIN trial_baselines b ON b.ledger_id = l.id \
                 LEFT JOIN trial_take_up t ON t.trial_id = l.trial_id AND t.ledger_index = l.ledger_index \
                 WHERE l.trial_id = $1 AND l.municipality_code = $2 AND l.kind = 'allocation' AND l.arm = 'programme' \
                 AND t.id IS NULL ORDER BY l.ledger_index",
            )
            .bind(trial_id)
            .bind(municipality)
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
        trial_id: i64,
        allocation_id: i64,
        accepted: bool,
        decided_on: time::Date,
    ) -> Result<Option<i64>> {
        let municipality = scope
            .municipality
            .filter(|_| scope.may_register_youth())
            .ok_or(Error::NotFound)?;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let allocation: Option<(i64, Vec<u8>, Vec<u8>, String, String)> = sqlx::query_as(
                "SELECT l.ledger_index, b.subject, b.cpr_ciphertext, b.first_name, b.last_name \
                 FROM trial_ledger l JOIN trial_baselines b ON b.ledger_id = l.id \
                 WHERE l.trial_id = $1 AND l.id = $2 AND l.municipality_code = $3 AND l.arm = 'programme'",
            )
            .bind(trial_id)
            .bind(allocation_id)
            .bind(municipality)
            .fetch_optional(&mut *tx)
            .await?;
            // Control-arm youth get no offer; another municipality's are not visible.
            let (ledger_index, subject, cpr_ciphertext, first_name, last_name) =
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
                let cpr = key.decrypt_cpr(&cpr_ciphertext)?;
                youth_id = sqlx::query_scalar(
                    "INSERT INTO youth (municipality_code, cpr_ciphertext, cpr_lookup, birth_date, gender, first_name, \
                     last_name, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (cpr_lookup) DO NOTHING RETURNING id",
                )
                .bind(municipality)
                .bind(key.encrypt_cpr(&cpr))
                .bind(&subject)
                .bind(cpr.birth_date().to_string())
                .bind(cpr.gender().code())
                .bind(&first_name)
                .bind(&last_name)
                .bind(scope.user_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
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

/// One youth in a research export: no name, no CPR number, a per-study pseudonym.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub pseudonym: String,
    pub municipality_code: i64,
    pub stratum: String,
    pub arm: String,
    pub allocated_on: String,
    /// The frozen baseline's covariates, as (name, value) in a fixed order.
    pub covariates: Vec<(&'static str, String)>,
    /// accepted | declined | empty (control arm, or not answered yet)
    pub take_up: String,
    pub annotated: bool,
}

#[derive(sqlx::FromRow)]
struct ExportSource {
    subject: Vec<u8>,
    municipality_code: Option<i64>,
    stratum: String,
    arm: String,
    unix_seconds: i64,
    baseline: String,
    accepted: Option<bool>,
    annotations: i64,
}

/// The baseline covariates exported, in column order.
pub const EXPORT_COVARIATES: &[&str] = &[
    "age",
    "gender",
    "benefit",
    "readiness",
    "has_qualification",
    "intake_date",
];

impl Db {
    /// The pseudonymised export for one study, logged with recipient and
    /// purpose in the same transaction.
    pub async fn export_trial(
        &self,
        key: &ServerKey,
        trial_id: i64,
        study: &str,
        recipient: &str,
        purpose: &str,
    ) -> Result<Vec<ExportRow>> {
        let required = |field: &'static str, text: &str| {
            spire_domain::validation::required_text(field, text, 200).map_err(Error::Invalid)
        };
        let (study, recipient, purpose) = (
            required("study", study)?,
            required("recipient", recipient)?,
            required("purpose", purpose)?,
        );
        let rows: Vec<ExportSource> = on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let rows: Vec<ExportSource> =
                    sqlx::query_as(
                        "SELECT l.subject, l.municipality_code, l.stratum, l.arm, l.unix_seconds, b.baseline, t.accepted, \
                         (SELECT COUNT(*) FROM trial_ledger a WHERE a.trial_id = l.trial_id AND a.kind = 'annotation' \
                          AND a.annotated_index = l.ledger_index) AS annotations \
                         FROM trial_ledger l JOIN trial_baselines b ON b.ledger_id = l.id \
                         LEFT JOIN trial_take_up t ON t.trial_id = l.trial_id AND t.ledger_index = l.ledger_index \
                         WHERE l.trial_id = $1 AND l.kind = 'allocation' ORDER BY l.ledger_index",
                    )
                    .bind(trial_id)
                    .fetch_all(&mut *tx)
                    .await?;
            sqlx::query(
                "INSERT INTO trial_exports (trial_id, study, recipient, purpose, row_count, at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(trial_id)
            .bind(&study)
            .bind(&recipient)
            .bind(&purpose)
            .bind(rows.len() as i64)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            rows
        });
        rows.into_iter()
            .map(
                |ExportSource {
                     subject,
                     municipality_code,
                     stratum,
                     arm,
                     unix_seconds,
                     baseline,
                     accepted,
                     annotations,
                 }| {
                    let baseline: serde_json::Value = serde_json::from_str(&baseline)
                        .map_err(|e| Error::Corrupt(format!("a baseline: {e}")))?;
                    let covariates = EXPORT_COVARIATES
                        .iter()
                        .map(|&name| {
                            let value = match &baseline[name] {
                                serde_json::Value::String(text) => text.clone(),
                                serde_json::Value::Null => String::new(),
                                other => other.to_string(),
                            };
                            (name, value)
                        })
                        .collect();
                    Ok(ExportRow {
                        pseudonym: key.study_pseudonym(&study, &subject),
                        municipality_code: municipality_code.unwrap_or_default(),
                        stratum,
                        arm,
                        allocated_on: time::OffsetDateTime::from_unix_timestamp(unix_seconds)
                            .map(|t| t.date().to_string())
                            .unwrap_or_default(),
                        covariates,
                        take_up: match accepted {
                            Some(true) => "accepted".into(),
                            Some(false) => "declined".into(),
                            None => String::new(),
                        },
                        annotated: annotations > 0,
                    })
                },
            )
            .collect()
    }
}

/// Who may take part in revealing a trial key.
const REVEALERS: &[Role] = &[Role::ProgrammeOffice, Role::Researcher, Role::Admin];

impl Db {
    /// Annotates an allocation, e.g. "allocated in error": a new ledger entry
    /// with the reason, who and when. Nothing is deleted and no slot is freed.
    /// The programme office annotates. Returns the annotation's ledger index.
    pub async fn annotate_allocation(
        &self,
        scope: &Scope,
        key: &ServerKey,
        trial_id: i64,
        allocation_id: i64,
        reason: &str,
    ) -> Result<i64> {
        if scope.role != Role::ProgrammeOffice {
            return Err(Error::NotFound);
        }
        let reason = spire_domain::validation::required_text("reason", reason, 500)
            .map_err(Error::Invalid)?;
        let _queued = self.queue_ledger_writer().await;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let trial = sqlx::query_as::<_, LockedTrial>(LOCK_TRIAL_SQL)
                .bind(trial_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?;
            let (annotated_index, subject): (i64, Vec<u8>) = sqlx::query_as(
                "SELECT ledger_index, subject FROM trial_ledger WHERE trial_id = $1 AND id = $2 AND kind = 'allocation'",
            )
            .bind(trial_id)
            .bind(allocation_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            let time = entry_time(now_utc(), &trial);
            let note = serde_json::json!({
                "reason": reason,
                "actor": scope.user_id,
                "unix_seconds": time.unix_seconds,
            })
            .to_string();
            let note_hash = sha256(note.as_bytes());
            let ledger_index = trial.ledger_size;
            let leaf = LedgerLeaf {
                ledger_index: ledger_index as u64,
                trial_id: trial.public_id.clone(),
                design_version: trial.design_version as u32,
                time,
                actor_id: scope.user_id.to_string(),
                entry: Entry::Annotation {
                    annotated_index: annotated_index as u64,
                    subject: SubjectPseudonym(hash32(&subject, "the subject")?),
                    note_hash,
                },
            };
            let leaf_hash = leaf.hash();
            sqlx::query(
                "INSERT INTO trial_ledger (trial_id, ledger_index, design_version, unix_seconds, nanos, actor_id, kind, \
                 subject, annotated_index, note_hash, note, leaf_hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'annotation', $7, $8, $9, $10, $11)",
            )
            .bind(trial_id)
            .bind(ledger_index)
            .bind(trial.design_version)
            .bind(time.unix_seconds)
            .bind(i64::from(time.nanos))
            .bind(&leaf.actor_id)
            .bind(&subject)
            .bind(annotated_index)
            .bind(note_hash.as_slice())
            .bind(&note)
            .bind(leaf_hash.as_slice())
            .execute(&mut *tx)
            .await?;
            let head = next_head(key, &trial, leaf_hash, time)?;
            store_head!(&mut tx, trial_id, &trial, &head, 0);
            tx.commit().await?;
            Ok(ledger_index)
        })
    }

    /// A strata amendment: the design `design` becomes version (in force + 1)
    /// of its trial, in force from the entry after the amendment. One write
    /// transaction appends the `Amendment` leaf (the new design's digest, under
    /// the new version), stores the design and a signed head, and moves the
    /// trial to the new version. The design's own `version` is ignored; its
    /// trial id names the trial, its custom factors must be the trial's.
    /// Nothing is edited: earlier versions and their slots stay as they were.
    /// Refused (`InvalidTrial`) for a closed trial or an invalid design.
    /// Returns the new version and the amendment's ledger index.
    pub async fn amend_trial_design(
        &self,
        key: &ServerKey,
        design: &Design,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<(u32, i64)> {
        let invalid = |reason: String| Error::InvalidTrial(reason);
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > 500) {
            return Err(invalid("the reason is longer than 500 characters".into()));
        }
        let trial_id = match self.trial_id_by_public_id(&design.trial_id).await {
            Err(Error::NotFound) => {
                return Err(invalid(format!("no trial {:?}", design.trial_id)));
            }
            other => other?,
        };
        let _queued = self.queue_ledger_writer().await;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let trial = sqlx::query_as::<_, LockedTrial>(LOCK_TRIAL_SQL)
                .bind(trial_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?;
            if trial.status != "open" {
                return Err(invalid(format!(
                    "the trial {:?} is {}: a closed trial is not amended",
                    trial.public_id, trial.status
                )));
            }
            let version = u32::try_from(trial.design_version + 1)
                .map_err(|_| Error::Corrupt("the design version".into()))?;
            let amended = Design {
                version,
                ..design.clone()
            };
            amended
                .validate()
                .map_err(|e| invalid(format!("the amended design: {e}")))?;
            settings_of(&trial.settings)?
                .validate(&amended)
                .map_err(|e| invalid(format!("the amended design: {e}")))?;
            let digest = amended.digest();
            let time = entry_time(now_utc(), &trial);
            let ledger_index = trial.ledger_size;
            let leaf = LedgerLeaf {
                ledger_index: ledger_index as u64,
                trial_id: trial.public_id.clone(),
                design_version: version,
                time,
                actor_id: actor.to_string(),
                entry: Entry::Amendment {
                    design_digest: digest,
                },
            };
            let leaf_hash = leaf.hash();
            sqlx::query(
                "INSERT INTO trial_designs (trial_id, version, document, digest, from_index) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(trial_id)
            .bind(i64::from(version))
            .bind(amended.canonical_bytes())
            .bind(digest.as_slice())
            .bind(ledger_index + 1)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO trial_ledger (trial_id, ledger_index, design_version, unix_seconds, nanos, actor_id, kind, \
                 design_digest, note, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6, 'amendment', $7, $8, $9)",
            )
            .bind(trial_id)
            .bind(ledger_index)
            .bind(i64::from(version))
            .bind(time.unix_seconds)
            .bind(i64::from(time.nanos))
            .bind(&leaf.actor_id)
            .bind(digest.as_slice())
            .bind(reason)
            .bind(leaf_hash.as_slice())
            .execute(&mut *tx)
            .await?;
            let head = next_head(key, &trial, leaf_hash, time)?;
            store_head!(&mut tx, trial_id, &trial, &head, 0);
            sqlx::query("UPDATE trials SET design_version = $1 WHERE id = $2")
                .bind(i64::from(version))
                .bind(trial_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok((version, ledger_index))
        })
    }

    /// The two-person reveal at the end of the trial: two different users of
    /// the programme office, research or administration, both authenticated
    /// by the caller. Logged, and it closes the trial: once the key is out,
    /// nobody may be allocated with it.
    pub async fn reveal_trial_key(
        &self,
        key: &ServerKey,
        trial_id: i64,
        first: &crate::UserRow,
        second: &crate::UserRow,
    ) -> Result<TrialKey> {
        if first.id == second.id {
            return Err(Error::Refused(
                "the reveal needs two different people".into(),
            ));
        }
        if !REVEALERS.contains(&first.role()) || !REVEALERS.contains(&second.role()) {
            return Err(Error::Refused(
                "only the programme office, researchers and administrators may reveal the key"
                    .into(),
            ));
        }
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let closed = sqlx::query("UPDATE trials SET status = 'closed' WHERE id = $1")
                .bind(trial_id)
                .execute(&mut *tx)
                .await?;
            if closed.rows_affected() == 0 {
                return Err(Error::NotFound);
            }
            sqlx::query(
                "INSERT INTO trial_reveals (trial_id, first_user_id, second_user_id, at) VALUES ($1, $2, $3, $4)",
            )
            .bind(trial_id)
            .bind(first.id)
            .bind(second.id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        self.decrypt_trial_key(key, trial_id).await
    }
}

fn intake_municipality(scope: &Scope, intake: &Intake) -> Result<i64> {
    if !scope.may_register_youth() {
        return Err(Error::NotFound);
    }
    // A caseworker randomises youth of their own municipality only.
    match scope.municipality {
        Some(own) if own == intake.municipality_code => Ok(own),
        _ => Err(Error::Invalid(FieldError::new(
            "municipality_code",
            Problem::UnknownMunicipality,
        ))),
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

/// A ledger row's columns, before they are turned back into a leaf.
#[derive(sqlx::FromRow)]
struct LedgerColumns {
    ledger_index: i64,
    design_version: i64,
    unix_seconds: i64,
    nanos: i64,
    actor_id: String,
    kind: String,
    stratum: Option<String>,
    allocation_number: Option<i64>,
    block_number: Option<i64>,
    block_offset: Option<i64>,
    subject: Option<Vec<u8>>,
    arm: Option<String>,
    baseline_hash: Option<Vec<u8>>,
    annotated_index: Option<i64>,
    note_hash: Option<Vec<u8>>,
    design_digest: Option<Vec<u8>>,
    leaf_hash: Vec<u8>,
}

impl LedgerColumns {
    fn into_row(self, trial_id: &str) -> Result<LedgerRow, String> {
        let need = |value: Option<Vec<u8>>, what: &str| -> Result<[u8; 32], String> {
            value
                .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
                .ok_or_else(|| format!("{what} is missing or malformed"))
        };
        let entry = match EntryKind::from_name(&self.kind) {
            Some(EntryKind::Allocation) => Entry::Allocation {
                stratum: self
                    .stratum
                    .as_deref()
                    .and_then(parse_stratum)
                    .ok_or("the stratum is missing or malformed")?,
                position: Position {
                    allocation_number: self
                        .allocation_number
                        .ok_or("the allocation number is missing")?
                        as u64,
                    block: match (self.block_number, self.block_offset) {
                        (Some(block_number), Some(offset)) => Some(BlockSlot {
                            block_number: block_number as u64,
                            offset: offset as u32,
                        }),
                        _ => None,
                    },
                },
                subject: SubjectPseudonym(need(self.subject, "the subject")?),
                arm: self
                    .arm
                    .as_deref()
                    .and_then(Arm::from_name)
                    .ok_or("the arm is missing or unknown")?,
                baseline_hash: need(self.baseline_hash, "the baseline hash")?,
            },
            Some(EntryKind::Annotation) => Entry::Annotation {
                annotated_index: self
                    .annotated_index
                    .ok_or("the annotated index is missing")?
                    as u64,
                subject: SubjectPseudonym(need(self.subject, "the subject")?),
                note_hash: need(self.note_hash, "the note hash")?,
            },
            Some(EntryKind::Amendment) => Entry::Amendment {
                design_digest: need(self.design_digest, "the design digest")?,
            },
            None => return Err(format!("unknown entry kind {:?}", self.kind)),
        };
        Ok(LedgerRow {
            leaf: LedgerLeaf {
                ledger_index: self.ledger_index as u64,
                trial_id: trial_id.to_string(),
                design_version: self.design_version as u32,
                time: UtcTime {
                    unix_seconds: self.unix_seconds,
                    nanos: self.nanos as u32,
                },
                actor_id: self.actor_id,
                entry,
            },
            stored_leaf_hash: need(Some(self.leaf_hash), "the leaf hash")?,
        })
    }
}

/// A trial's ledger as the database holds it, ready for the pure verifier.
#[derive(Debug, Clone)]
pub struct TrialEvidence {
    pub public_id: String,
    pub head_public_key: [u8; 32],
    pub rows: Vec<LedgerRow>,
    /// Rows that could not even be read back into a leaf, one line each.
    pub unreadable: Vec<String>,
    pub heads: Vec<SignedTreeHead>,
    pub designs: Vec<Design>,
}

impl TrialEvidence {
    /// Every finding as one line ("index 17: …"); empty when everything holds.
    pub fn findings(&self, revealed_key: Option<&TrialKey>) -> Vec<String> {
        let findings = spire_trial::verify_ledger(&spire_trial::LedgerEvidence {
            trial_id: &self.public_id,
            rows: &self.rows,
            heads: &self.heads,
            head_public_key: &self.head_public_key,
            revealed: revealed_key.map(|key| spire_trial::Revealed {
                key,
                designs: &self.designs,
            }),
        });
        self.unreadable
            .iter()
            .cloned()
            .chain(findings.iter().map(|f| f.to_string()))
            .collect()
    }
}

/// A receipt with the audit path to the latest signed head.
#[derive(Debug, Clone)]
pub struct InclusionProof {
    pub receipt: Receipt,
    pub head: SignedTreeHead,
    pub path: Vec<[u8; 32]>,
}

/// CONSORT flow counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Consort {
    /// Distinct youth screened.
    pub assessed: i64,
    /// Screened, never randomised, not eligible at their last screening.
    pub excluded: i64,
    /// (reason code, youth) among the excluded, in the order of `Ineligibility::ALL`.
    pub excluded_by_reason: Vec<(String, i64)>,
    /// Eligible at screening but not (yet) randomised.
    pub eligible_not_randomised: i64,
    pub randomised: i64,
    pub programme: i64,
    pub control: i64,
    pub took_up: i64,
    pub declined: i64,
}

/// Allocations by arm in one stratum (or one municipality).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArmBalance {
    pub label: String,
    pub programme: i64,
    pub control: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrialReport {
    pub consort: Consort,
    pub by_stratum: Vec<ArmBalance>,
    pub by_municipality: Vec<ArmBalance>,
    /// The share of allocations a caseworker remembering the stratum's history
    /// could have guessed, and what pure chance gives.
    pub predictability_share: f64,
    pub predictability_chance: f64,
}

impl TrialReport {
    fn compute(
        design: &Design,
        screenings: &[(Vec<u8>, bool, String)],
        allocations: &[(Vec<u8>, String, String, Option<i64>)],
        take_up: &[bool],
    ) -> TrialReport {
        let randomised: HashSet<&[u8]> = allocations.iter().map(|a| a.0.as_slice()).collect();
        let mut last_screening: HashMap<&[u8], (bool, &str)> = HashMap::new();
        for (subject, eligible, reasons) in screenings {
            last_screening.insert(subject.as_slice(), (*eligible, reasons.as_str()));
        }
        let mut consort = Consort {
            assessed: last_screening.len() as i64,
            randomised: allocations.len() as i64,
            took_up: take_up.iter().filter(|&&a| a).count() as i64,
            declined: take_up.iter().filter(|&&a| !a).count() as i64,
            ..Consort::default()
        };
        let mut by_reason: BTreeMap<usize, i64> = BTreeMap::new();
        for (subject, (eligible, reasons)) in &last_screening {
            if randomised.contains(subject) {
                continue;
            }
            if *eligible {
                consort.eligible_not_randomised += 1;
                continue;
            }
            consort.excluded += 1;
            for code in reasons.split(',') {
                if let Some(at) = Ineligibility::ALL.iter().position(|r| r.code() == code) {
                    *by_reason.entry(at).or_default() += 1;
                }
            }
        }
        consort.excluded_by_reason = by_reason
            .into_iter()
            .map(|(at, n)| (Ineligibility::ALL[at].code().to_string(), n))
            .collect();
        let mut by_stratum: BTreeMap<&str, ArmBalance> = BTreeMap::new();
        let mut by_municipality: BTreeMap<i64, ArmBalance> = BTreeMap::new();
        let mut sequence = Vec::with_capacity(allocations.len());
        for (_, stratum, arm, municipality) in allocations {
            let arm = Arm::from_name(arm).unwrap_or(Arm::Control);
            let count = |balance: &mut ArmBalance| match arm {
                Arm::Programme => balance.programme += 1,
                Arm::Control => balance.control += 1,
            };
            match arm {
                Arm::Programme => consort.programme += 1,
                Arm::Control => consort.control += 1,
            }
            count(
                by_stratum
                    .entry(stratum.as_str())
                    .or_insert_with(|| ArmBalance {
                        label: stratum.clone(),
                        programme: 0,
                        control: 0,
                    }),
            );
            let code = municipality.unwrap_or_default();
            count(by_municipality.entry(code).or_insert_with(|| ArmBalance {
                label: code.to_string(),
                programme: 0,
                control: 0,
            }));
            sequence.push((parse_stratum(stratum).unwrap_or_default(), arm));
        }
        let predictability = spire_trial::convergence_predictability(
            design.ratio,
            sequence.iter().map(|(stratum, arm)| (stratum, *arm)),
        );
        TrialReport {
            consort,
            by_stratum: by_stratum.into_values().collect(),
            by_municipality: by_municipality.into_values().collect(),
            predictability_share: predictability.share_guessed,
            predictability_chance: predictability.chance,
        }
    }
}

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
