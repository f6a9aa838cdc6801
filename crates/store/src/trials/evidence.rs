//! Reading the ledger back: receipts, the evidence for `trial verify`, signed
//! heads and inclusion proofs, and the CONSORT and balance report.

use super::*;
use spire_domain::{AllocationId, TrialId};

impl Db {
    /// One allocation's receipt by its id (for proofs and the receipt page).
    pub async fn trial_receipt(&self, trial: TrialId, allocation: AllocationId) -> Result<Receipt> {
        let trial_id = trial.get();
        let allocation_id = allocation.get();
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

    /// An allocation's receipt again, for the caseworker who made it (any
    /// other scope, a colleague's too: not found), with the youth's name so
    /// the printout says whose it is. Personal data: logged.
    pub async fn trial_receipt_in_scope(
        &self,
        scope: &Scope,
        trial: TrialId,
        allocation: AllocationId,
    ) -> Result<(Receipt, String)> {
        let trial_id = trial.get();
        let allocation_id = allocation.get();
        let municipality = scope.youth_municipality()?;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let row = sqlx::query_as::<_, ReceiptRow>(RECEIPT_IN_MUNICIPALITY_SQL)
                .bind(trial_id)
                .bind(allocation_id)
                .bind(municipality)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?;
            // Only the caseworker who made the allocation reads it again:
            // colleagues' allocations (names and arms) are not a list to browse.
            let (first_name, last_name): (String, String) = sqlx::query_as(
                "SELECT first_name, last_name FROM trial_baselines WHERE ledger_id = $1 AND created_by = $2",
            )
            .bind(allocation_id)
            .bind(scope.user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
            log_access!(
                &mut *tx,
                scope,
                AccessAction::Read,
                None::<i64>,
                Some(format!("trial receipt, allocation {allocation_id}").as_str())
            )?;
            tx.commit().await?;
            Ok((row.into(), format!("{first_name} {last_name}")))
        })
    }

    /// Everything `spire trial verify` needs, read from the tables.
    pub async fn trial_evidence(&self, trial: TrialId) -> Result<TrialEvidence> {
        self.trial_evidence_in_chunks(trial, LEDGER_CHUNK).await
    }

    /// The same, reading `chunk` ledger indexes at a time (tests use small chunks).
    pub(crate) async fn trial_evidence_in_chunks(
        &self,
        trial: TrialId,
        chunk: i64,
    ) -> Result<TrialEvidence> {
        let trial_id = trial.get();
        let (public_id, public_key): (String, Vec<u8>) = on_db!(self, |pool| {
            sqlx::query_as("SELECT public_id, head_public_key FROM trials WHERE id = $1")
                .bind(trial_id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)?
        });
        // The heads and the ledger's extent come from one snapshot; the rows up
        // to that extent are then read in index ranges on parallel connections
        // (an append-only ledger's committed prefix does not change, and later
        // appends have higher indexes).
        let snapshot = match self {
            Db::Sqlite(_) => "BEGIN",
            Db::Postgres(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        let (heads, designs, extent) = on_db!(self, |pool| {
            let mut tx = pool.begin_with(snapshot).await?;
            let heads: Vec<HeadColumns> = sqlx::query_as(HEADS_TO_VERIFY_SQL)
                .bind(trial_id)
                .fetch_all(&mut *tx)
                .await?;
            let designs: Vec<Vec<u8>> = sqlx::query_scalar(
                "SELECT document FROM trial_designs WHERE trial_id = $1 ORDER BY version",
            )
            .bind(trial_id)
            .fetch_all(&mut *tx)
            .await?;
            let extent: (Option<i64>, Option<i64>, i64) = sqlx::query_as(
                "SELECT MIN(ledger_index), MAX(ledger_index), COUNT(*) FROM trial_ledger WHERE trial_id = $1",
            )
            .bind(trial_id)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            (heads, designs, extent)
        });
        let mut evidence = TrialEvidence {
            public_id: public_id.clone(),
            head_public_key: hash32(&public_key, "the head public key")?,
            rows: Vec::new(),
            unreadable: Vec::new(),
            heads: Vec::with_capacity(heads.len()),
            designs: Vec::new(),
        };
        if let (Some(first), Some(last), count) = extent {
            let chunks = index_chunks(first, last, chunk.max(1), count);
            // As many as the table holds (not the index span: a forged index
            // far out must be reported, not reserve terabytes).
            evidence.rows.reserve(count.clamp(0, 1 << 26) as usize);
            let mut readers = tokio::task::JoinSet::new();
            let mut done = BTreeMap::new();
            let (mut next, mut appended) = (0, 0);
            while next < chunks.len() || !readers.is_empty() {
                while next < chunks.len() && readers.len() < LEDGER_READERS {
                    let (db, public_id, (from, to)) =
                        (self.clone(), public_id.clone(), chunks[next]);
                    readers.spawn(async move {
                        (
                            next,
                            db.read_ledger_chunk(trial_id, &public_id, from, to).await,
                        )
                    });
                    next += 1;
                }
                let Some(joined) = readers.join_next().await else {
                    break;
                };
                let (chunk, read) =
                    joined.map_err(|e| Error::Corrupt(format!("ledger reader: {e}")))?;
                done.insert(chunk, read?);
                // Appended in order as soon as the chunks before it are in.
                while let Some((rows, unreadable)) = done.remove(&appended) {
                    evidence.rows.extend(rows);
                    evidence.unreadable.extend(unreadable);
                    appended += 1;
                }
            }
            let read = (evidence.rows.len() + evidence.unreadable.len()) as i64;
            if read != count {
                evidence.unreadable.push(format!(
                    "ledger: the table holds {count} entries of this trial, {read} could be read in index order"
                ));
            }
        }
        for columns in heads {
            let size = columns.0;
            match columns.into_head(&public_id) {
                Some(head) => evidence.heads.push(head),
                None => evidence
                    .unreadable
                    .push(format!("ledger: the head of size {size} is malformed")),
            }
        }
        for document in designs {
            evidence.designs.push(
                Design::from_canonical_bytes(&document)
                    .map_err(|e| Error::Corrupt(format!("design document: {e}")))?,
            );
        }
        Ok(evidence)
    }

    /// The ledger rows with `from <= ledger_index <= to`, in order, and the
    /// rows that could not be read back into a leaf.
    pub(super) async fn read_ledger_chunk(
        &self,
        trial_id: i64,
        public_id: &str,
        from: i64,
        to: i64,
    ) -> Result<(Vec<LedgerRow>, Vec<String>)> {
        let span = (to as i128 - from as i128 + 1).clamp(0, LEDGER_CHUNK as i128);
        let mut rows = Vec::with_capacity(span as usize);
        let mut unreadable = Vec::new();
        let mut take = |columns: LedgerColumns<'_>| {
            let index = columns.ledger_index;
            match columns.into_row(public_id) {
                Ok(row) => rows.push(row),
                Err(reason) => unreadable.push(format!("index {index}: {reason}")),
            }
        };
        match self {
            // sqlx would hand each SQLite row over from its connection thread
            // with a wake-up: 15 s for a million rows, so they are read in place.
            Db::Sqlite(pool) => {
                crate::sqlite_scan::for_each_row(
                    pool,
                    LEDGER_CHUNK_SQLITE,
                    &[trial_id, from, to],
                    |row| take(LedgerColumns::from_scan(row)),
                )
                .await?
            }
            Db::Postgres(pool) => {
                use futures_util::TryStreamExt;
                let mut stream = sqlx::query(LEDGER_CHUNK_POSTGRES)
                    .bind(trial_id)
                    .bind(from)
                    .bind(to)
                    .fetch(pool);
                while let Some(row) = stream.try_next().await? {
                    take(LedgerColumns::from_postgres(&row)?);
                }
            }
        }
        Ok((rows, unreadable))
    }

    /// Verifies the trial's ledger: every finding as one line; empty when all holds.
    /// With the revealed key, every allocation is also replayed.
    pub async fn verify_trial(
        &self,
        trial: TrialId,
        revealed_key: Option<&TrialKey>,
    ) -> Result<Vec<String>> {
        let evidence = self.trial_evidence(trial).await?;
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

    /// The trial's head signer, decrypted: only for tests that play a dishonest operator.
    pub(crate) async fn head_signer(&self, key: &ServerKey, trial_id: i64) -> Result<HeadSigner> {
        let ciphertext: Vec<u8> = on_db!(self, |pool| {
            sqlx::query_scalar("SELECT head_seed_ciphertext FROM trials WHERE id = $1")
                .bind(trial_id)
                .fetch_optional(pool)
                .await?
                .ok_or(Error::NotFound)?
        });
        let seed = hash32(&key.decrypt(HEAD_SEED_AAD, &ciphertext)?, "the head seed")?;
        Ok(HeadSigner::from_seed(seed))
    }

    /// The signed head of `size` entries, or the latest one when `size` is `None`.
    pub async fn trial_head(
        &self,
        trial: TrialId,
        size: Option<u64>,
    ) -> Result<Option<SignedTreeHead>> {
        let trial_id = trial.get();
        let evidence_head = on_db!(self, |pool| {
            let row: Option<NamedHeadRow> = sqlx::query_as(
                "SELECT t.public_id, h.tree_size, h.root, h.unix_seconds, h.nanos, h.signature, h.checkpoint_signature \
                 FROM trial_heads h JOIN trials t ON t.id = h.trial_id WHERE h.trial_id = $1 \
                 AND (CAST($2 AS BIGINT) IS NULL OR h.tree_size = $2) ORDER BY h.tree_size DESC LIMIT 1",
            )
            .bind(trial_id)
            .bind(size.map(|s| s as i64))
            .fetch_optional(pool)
            .await?;
            row
        });
        evidence_head
            .map(
                |(public_id, size, root, seconds, nanos, signature, checkpoint)| {
                    HeadColumns(size, root, seconds, nanos, signature, checkpoint)
                        .into_head(&public_id)
                        .ok_or_else(|| Error::Corrupt(format!("the head of size {size}")))
                },
            )
            .transpose()
    }

    /// An inclusion proof of one allocation in the latest signed tree.
    pub async fn trial_inclusion_proof(
        &self,
        trial: TrialId,
        allocation: AllocationId,
    ) -> Result<InclusionProof> {
        let trial_id = trial.get();
        let receipt = self.trial_receipt(trial, allocation).await?;
        let head = self.trial_head(trial, None).await?.ok_or(Error::NotFound)?;
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
    pub async fn trial_report(&self, trial: TrialId) -> Result<TrialReport> {
        let trial_id = trial.get();
        let design = self.trial_design(trial).await?;
        let (screenings, allocations, take_up, decisions) = on_db!(self, |pool| {
            // The report counts every municipality's allocations.
            let mut tx = pool.begin_across().await?;
            let screenings: Vec<(Vec<u8>, bool, String)> = sqlx::query_as(
                "SELECT subject, eligible, reasons FROM trial_screenings WHERE trial_id = $1 ORDER BY id",
            )
            .bind(trial_id)
            .fetch_all(&mut *tx)
            .await?;
            let allocations: Vec<(Vec<u8>, String, String, Option<i64>)> = sqlx::query_as(
                "SELECT subject, stratum, arm, municipality_code FROM trial_ledger \
                 WHERE trial_id = $1 AND kind = 'allocation' ORDER BY ledger_index",
            )
            .bind(trial_id)
            .fetch_all(&mut *tx)
            .await?;
            let take_up: Vec<bool> =
                sqlx::query_scalar("SELECT accepted FROM trial_take_up WHERE trial_id = $1")
                    .bind(trial_id)
                    .fetch_all(&mut *tx)
                    .await?;
            let decisions: Vec<String> =
                sqlx::query_scalar("SELECT kind FROM trial_decisions WHERE trial_id = $1")
                    .bind(trial_id)
                    .fetch_all(&mut *tx)
                    .await?;
            (screenings, allocations, take_up, decisions)
        });
        Ok(TrialReport::compute(
            &design,
            &screenings,
            &allocations,
            &take_up,
            &decisions,
        ))
    }
}

/// How many ledger chunks `verify` reads at once (both cores of a small server).
const LEDGER_READERS: usize = 2;
/// Ledger indexes a chunk covers.
const LEDGER_CHUNK: i64 = 8192;

/// A chunk of the ledger, in the order of the `LedgerColumns` fields.
const LEDGER_CHUNK_SQLITE: &std::ffi::CStr = c"SELECT ledger_index, design_version, unix_seconds, nanos, \
     actor_id, kind, stratum, allocation_number, block_number, block_offset, subject, arm, baseline_hash, \
     annotated_index, note_hash, design_digest, leaf_hash FROM trial_ledger \
     WHERE trial_id = ?1 AND ledger_index >= ?2 AND ledger_index <= ?3 ORDER BY ledger_index, id";
const LEDGER_CHUNK_POSTGRES: &str = "SELECT ledger_index, design_version, unix_seconds, nanos, \
     actor_id, kind, stratum, allocation_number, block_number, block_offset, subject, arm, baseline_hash, \
     annotated_index, note_hash, design_digest, leaf_hash FROM trial_ledger \
     WHERE trial_id = $1 AND ledger_index >= $2 AND ledger_index <= $3 ORDER BY ledger_index, id";

/// Contiguous ranges of at most `size` indexes covering `first..=last`. A
/// ledger's indexes run from 0 without gaps; when they are far sparser than
/// the `rows` (tampered), one range, so a forged index cannot make millions.
fn index_chunks(first: i64, last: i64, size: i64, rows: i64) -> Vec<(i64, i64)> {
    let span = last as i128 - first as i128 + 1;
    if span > 2 * rows.max(1) as i128 {
        return vec![(first, last)];
    }
    let mut chunks = Vec::new();
    let mut from = first;
    while from <= last {
        let to = from.saturating_add(size - 1).min(last);
        chunks.push((from, to));
        if to == i64::MAX {
            break;
        }
        from = to + 1;
    }
    chunks
}

/// A ledger row's columns, borrowed from the database's row, before they are
/// turned back into a leaf.
struct LedgerColumns<'a> {
    ledger_index: i64,
    design_version: i64,
    unix_seconds: i64,
    nanos: i64,
    actor_id: &'a str,
    kind: &'a str,
    stratum: Option<&'a str>,
    allocation_number: Option<i64>,
    block_number: Option<i64>,
    block_offset: Option<i64>,
    subject: Option<&'a [u8]>,
    arm: Option<&'a str>,
    baseline_hash: Option<&'a [u8]>,
    annotated_index: Option<i64>,
    note_hash: Option<&'a [u8]>,
    design_digest: Option<&'a [u8]>,
    leaf_hash: &'a [u8],
}

impl<'a> LedgerColumns<'a> {
    /// A SQLite row of `LEDGER_CHUNK_SQLITE`. Text that is not UTF-8 reads as
    /// empty, which the leaf checks then report.
    fn from_scan(row: &'a crate::sqlite_scan::ScanRow<'_>) -> Self {
        let int = |c| row.int(c).unwrap_or_default();
        LedgerColumns {
            ledger_index: int(0),
            design_version: int(1),
            unix_seconds: int(2),
            nanos: int(3),
            actor_id: row.text(4).unwrap_or_default(),
            kind: row.text(5).unwrap_or_default(),
            stratum: row.text(6),
            allocation_number: row.int(7),
            block_number: row.int(8),
            block_offset: row.int(9),
            subject: row.bytes(10),
            arm: row.text(11),
            baseline_hash: row.bytes(12),
            annotated_index: row.int(13),
            note_hash: row.bytes(14),
            design_digest: row.bytes(15),
            leaf_hash: row.bytes(16).unwrap_or_default(),
        }
    }

    /// A PostgreSQL row of `LEDGER_CHUNK_POSTGRES`.
    fn from_postgres(row: &'a sqlx::postgres::PgRow) -> std::result::Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(LedgerColumns {
            ledger_index: row.try_get(0)?,
            design_version: row.try_get(1)?,
            unix_seconds: row.try_get(2)?,
            nanos: row.try_get(3)?,
            actor_id: row.try_get(4)?,
            kind: row.try_get(5)?,
            stratum: row.try_get(6)?,
            allocation_number: row.try_get(7)?,
            block_number: row.try_get(8)?,
            block_offset: row.try_get(9)?,
            subject: row.try_get(10)?,
            arm: row.try_get(11)?,
            baseline_hash: row.try_get(12)?,
            annotated_index: row.try_get(13)?,
            note_hash: row.try_get(14)?,
            design_digest: row.try_get(15)?,
            leaf_hash: row.try_get(16)?,
        })
    }

    fn into_row(self, trial_id: &str) -> Result<LedgerRow, String> {
        let need = |value: Option<&[u8]>, what: &str| -> Result<[u8; 32], String> {
            value
                .and_then(|v| <[u8; 32]>::try_from(v).ok())
                .ok_or_else(|| format!("{what} is missing or malformed"))
        };
        let entry = match EntryKind::from_name(self.kind) {
            Some(EntryKind::Allocation) => Entry::Allocation {
                stratum: self
                    .stratum
                    .and_then(parse_stratum)
                    .ok_or("the stratum is missing or malformed")?,
                position: Position {
                    allocation_number: number(
                        self.allocation_number
                            .ok_or("the allocation number is missing")?,
                        "the allocation number",
                    )?,
                    block: match (self.block_number, self.block_offset) {
                        (Some(block_number), Some(offset)) => Some(BlockSlot {
                            block_number: number(block_number, "the block number")?,
                            offset: number(offset, "the block offset")?,
                        }),
                        _ => None,
                    },
                },
                subject: SubjectPseudonym(need(self.subject, "the subject")?),
                arm: self
                    .arm
                    .and_then(Arm::from_name)
                    .ok_or("the arm is missing or unknown")?,
                baseline_hash: need(self.baseline_hash, "the baseline hash")?,
            },
            Some(EntryKind::Annotation) => Entry::Annotation {
                annotated_index: number(
                    self.annotated_index
                        .ok_or("the annotated index is missing")?,
                    "the annotated index",
                )?,
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
                ledger_index: number(self.ledger_index, "the ledger index")?,
                trial_id: trial_id.to_string(),
                design_version: number(self.design_version, "the design version")?,
                time: UtcTime {
                    unix_seconds: self.unix_seconds,
                    nanos: number(self.nanos, "the nanoseconds")?,
                },
                actor_id: self.actor_id.to_string(),
                entry,
            },
            stored_leaf_hash: need(Some(self.leaf_hash), "the leaf hash")?,
        })
    }
}

/// The trial's public id and a stored head's columns, as `trial_head` reads them.
type NamedHeadRow = (String, i64, Vec<u8>, i64, i64, Vec<u8>, Option<Vec<u8>>);

/// A stored head's columns: size, root, time, signature, checkpoint signature.
#[derive(sqlx::FromRow)]
pub(super) struct HeadColumns(
    pub(super) i64,
    pub(super) Vec<u8>,
    pub(super) i64,
    pub(super) i64,
    pub(super) Vec<u8>,
    pub(super) Option<Vec<u8>>,
);

impl HeadColumns {
    /// The signed head, or `None` when a column has the wrong length or range.
    pub(super) fn into_head(self, public_id: &str) -> Option<SignedTreeHead> {
        let HeadColumns(size, root, seconds, nanos, signature, checkpoint) = self;
        let checkpoint_signature = match checkpoint {
            Some(bytes) => Some(<[u8; 64]>::try_from(bytes.as_slice()).ok()?),
            None => None,
        };
        Some(SignedTreeHead {
            head: TreeHead {
                trial_id: public_id.to_string(),
                size: number::<u64>(size, "the size").ok()?,
                root: <[u8; 32]>::try_from(root.as_slice()).ok()?,
                time: UtcTime {
                    unix_seconds: seconds,
                    nanos: number::<u32>(nanos, "the nanoseconds").ok()?,
                },
            },
            signature: <[u8; 64]>::try_from(signature.as_slice()).ok()?,
            checkpoint_signature,
        })
    }
}

/// A stored integer as the leaf's type; a value out of its range (negative,
/// or too large: tampered) is reported rather than wrapped or truncated, so
/// verify checks the value the rest of the application reads.
fn number<T: TryFrom<i64>>(value: i64, what: &str) -> Result<T, String> {
    T::try_from(value).map_err(|_| format!("{what} {value} is out of range"))
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
        self.findings_with_saved(revealed_key, &[])
    }

    /// The same, also against checkpoints an auditor saved earlier.
    pub fn findings_with_saved(
        &self,
        revealed_key: Option<&TrialKey>,
        saved: &[spire_trial::SavedCheckpoint],
    ) -> Vec<String> {
        let findings = spire_trial::verify_ledger(&spire_trial::LedgerEvidence {
            trial_id: &self.public_id,
            rows: &self.rows,
            heads: &self.heads,
            saved,
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
    /// Control-arm youth given the programme by a recorded crossover.
    pub crossed_over: i64,
    /// Drawn although already registered in the programme (already
    /// treated), by the programme's recorded decision.
    pub already_registered: i64,
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
        decisions: &[String],
    ) -> TrialReport {
        let decided = |kind: &str| decisions.iter().filter(|k| *k == kind).count() as i64;
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
            crossed_over: decided("crossover"),
            already_registered: decided("already_registered"),
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
    use super::index_chunks;

    #[test]
    fn chunks_cover_the_ledger_once_in_order() {
        assert_eq!(index_chunks(0, 9, 4, 10), vec![(0, 3), (4, 7), (8, 9)]);
        assert_eq!(index_chunks(5, 5, 8192, 1), vec![(5, 5)]);
        assert_eq!(index_chunks(-3, 0, 2, 4), vec![(-3, -2), (-1, 0)]);
        // A forged index far out is one range, not a walk to it.
        assert_eq!(index_chunks(0, i64::MAX, 4, 3), vec![(0, i64::MAX)]);
        assert_eq!(
            index_chunks(i64::MIN, i64::MAX, 4, 3),
            vec![(i64::MIN, i64::MAX)]
        );
    }
}
