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
//! Here: the types receipts and answers share. `settings.rs`: eligibility,
//! municipalities and own stratification fields. `lifecycle.rs`: opening and
//! reading a trial. `intake.rs`: screening and the randomisation entry point.
//! `batch.rs`: the allocation transaction (group commit), around
//! `decide.rs`: the pure decisions. `ledger.rs`: the locked trial row, keys,
//! hashing and the next signed head. `strata.rs`: strata and their text.
//! `evidence.rs`: receipts, verification evidence, heads, proofs and the
//! report. `take_up.rs`: offers and their answers. `export.rs`: the research
//! export. `admin.rs`: annotations, strata amendments and the key reveal.

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
mod intake;
mod ledger;
mod lifecycle;
mod settings;
mod strata;

use intake::{candidate, reason_codes};
use ledger::*;
pub use lifecycle::{NewTrial, OpenedTrial, TrialOverview, TrialSummary};
use settings::settings_of;
pub use settings::{BUILT_IN_FACTORS, CustomFactor, TrialSettings, is_token};
use strata::*;

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
    /// The programme's decision, with its reason, to draw a young person
    /// who is already registered in the programme (see `Screening`).
    pub already_registered_decision: Option<String>,
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
    /// Where the youth was randomised: only to tell another municipality
    /// that they are in the trial elsewhere, never shown or sent.
    #[serde(skip)]
    pub municipality_code: i64,
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
    municipality_code: i64,
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
            municipality_code: row.municipality_code,
        }
    }
}

/// A receipt: the allocation and the head signed in its own transaction (size = index + 1).
macro_rules! receipt_sql {
    ($where:literal) => {
        concat!(
            "SELECT l.id, l.arm, l.ledger_index, l.stratum, l.leaf_hash, l.unix_seconds, h.tree_size, h.root, \
             h.signature, h.unix_seconds AS head_seconds, l.municipality_code FROM trial_ledger l \
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
    /// The youth was randomised before in the caller's municipality: the original.
    AlreadyRandomised(Receipt),
    /// The youth was randomised before in another municipality: no second
    /// allocation, and nothing of the first (arm, stratum) is told.
    RandomisedElsewhere,
    NotEligible(Vec<Ineligibility>),
}

/// The result of the screening step (no allocation yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screening {
    pub reasons: Vec<Ineligibility>,
    pub stratum: String,
    /// The youth's allocation, when they were randomised before here.
    pub existing: Option<Receipt>,
    /// Randomised before in another municipality (nothing more is told).
    pub elsewhere: bool,
    /// Other trials the youth is already randomised in (names), so the
    /// caseworker can stop before putting someone into a second trial.
    pub other_trials: Vec<String>,
    /// Already registered in the programme here, not yet drawn: already
    /// treated, so the draw needs the programme's decision and its reason.
    pub already_registered: bool,
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
            .bind(head.signed.checkpoint_signature.map(|s| s.to_vec()))
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

mod admin;
mod evidence;
mod export;
mod integrity;
mod public_log;
mod take_up;

pub use admin::LedgerNote;
pub use evidence::{ArmBalance, Consort, InclusionProof, TrialEvidence, TrialReport};
pub use export::{EXPORT_COVARIATES, ExportRow};
pub use integrity::{ControlAllocation, DECISION_REASON_MAX, IntakeSummary};
pub(crate) use integrity::{
    TrialStanding, registration_outside_trial, stored_settings, trial_standing,
};
pub use public_log::{LogFile, LogLookup, PublicLog, PublicTrial, StoredCosignature};
pub use take_up::PendingTakeUp;
