//! The ledger's machinery shared by allocations and annotations: the locked
//! trial row, keys, hashing, entry times and the next signed head.

use super::*;

pub(super) const TRIAL_KEY_AAD: &[u8] = b"spire/trial-key/v1";

pub(super) const HEAD_SEED_AAD: &[u8] = b"spire/trial-head-seed/v1";

/// On SQLite, ledger writers of this process queue here, first come first
/// served, before `BEGIN IMMEDIATE`, instead of polling for the database lock
/// with SQLite's busy handler, whose growing sleeps gave the slowest requests
/// a tail of hundreds of milliseconds (p99 450 ms → 90 ms at 16 clients).
/// PostgreSQL's row lock queues well enough; an extra queue there cost
/// throughput. The database lock stays what makes allocation correct.
pub(super) static SQLITE_LEDGER_WRITERS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl Db {
    /// Holds the SQLite ledger writers' queue for the caller's transaction.
    pub(super) async fn queue_ledger_writer(&self) -> Option<tokio::sync::MutexGuard<'static, ()>> {
        match self {
            Db::Sqlite(_) => Some(SQLITE_LEDGER_WRITERS.lock().await),
            Db::Postgres(_) => None,
        }
    }
}

/// The trial row, locked for the allocation transaction.
#[derive(sqlx::FromRow)]
pub(super) struct LockedTrial {
    pub(super) public_id: String,
    pub(super) status: String,
    pub(super) settings: String,
    pub(super) design_version: i64,
    pub(super) key_ciphertext: Vec<u8>,
    pub(super) head_seed_ciphertext: Vec<u8>,
    pub(super) ledger_size: i64,
    pub(super) allocation_count: i64,
    pub(super) frontier: Vec<u8>,
    pub(super) last_unix_seconds: i64,
    pub(super) last_nanos: i64,
    pub(super) log_version: i64,
}

/// Rewriting a column with itself takes the row lock on PostgreSQL (SQLite's
/// `BEGIN IMMEDIATE` already holds the database lock), in one SQL text.
pub(super) const LOCK_TRIAL_SQL: &str = "UPDATE trials SET ledger_size = ledger_size WHERE id = $1 \
     RETURNING public_id, status, settings, design_version, key_ciphertext, head_seed_ciphertext, \
     ledger_size, allocation_count, frontier, last_unix_seconds, last_nanos, log_version";

/// Every stored head, which `trial verify` checks one by one: a head signed in
/// an allocation's transaction is that allocation's receipt, and a corrupted
/// one must show even when a later head is sound.
pub(super) const HEADS_TO_VERIFY_SQL: &str = "SELECT tree_size, root, unix_seconds, nanos, signature, checkpoint_signature \
     FROM trial_heads WHERE trial_id = $1 ORDER BY tree_size";

pub(super) const INSERT_HEAD_SQL: &str = "INSERT INTO trial_heads (trial_id, tree_size, root, unix_seconds, nanos, signature, \
     checkpoint_signature) VALUES ($1, $2, $3, $4, $5, $6, $7)";

pub(super) const UPDATE_TRIAL_HEAD_SQL: &str = "UPDATE trials SET ledger_size = $1, allocation_count = $2, frontier = $3, \
     last_unix_seconds = $4, last_nanos = $5 WHERE id = $6";

/// The frozen baseline: what the youth's outcome is compared against. Its
/// SHA-256 goes into the leaf; no name or CPR number is in it.
#[derive(Serialize)]
pub(super) struct Baseline<'a> {
    pub(super) trial: &'a str,
    pub(super) intake_date: String,
    pub(super) municipality_code: i64,
    pub(super) benefit: &'a str,
    pub(super) readiness: &'a str,
    pub(super) has_qualification: bool,
    pub(super) age: i32,
    pub(super) gender: &'a str,
    pub(super) strata: &'a BTreeMap<String, String>,
}

pub(super) fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

pub(super) fn random_bytes() -> [u8; 32] {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

pub(super) fn hash32(bytes: &[u8], what: &str) -> Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| Error::Corrupt(format!("{what} is not 32 bytes")))
}

pub(super) fn now_utc() -> UtcTime {
    let now = time::OffsetDateTime::now_utc();
    UtcTime {
        unix_seconds: now.unix_timestamp(),
        nanos: now.nanosecond(),
    }
}

/// An entry's time: now, but never before the entry preceding it.
pub(super) fn entry_time(now: UtcTime, trial: &LockedTrial) -> UtcTime {
    now.max(UtcTime {
        unix_seconds: trial.last_unix_seconds,
        nanos: trial.last_nanos as u32,
    })
}

/// A new head over the ledger with one more leaf, signed with the trial's
/// head key; `frontier` is the stored frontier advanced by that leaf.
pub(super) struct NextHead {
    pub(super) frontier: MerkleFrontier,
    pub(super) signed: SignedTreeHead,
}

pub(super) fn next_head(
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
