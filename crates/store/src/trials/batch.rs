//! Group commit of randomisations. The requests for one trial that arrive
//! while its write transaction is in flight wait in the trial's queue; the
//! next transaction takes all of them (up to [`MAX_BATCH`]) and allocates them
//! one after the other, in arrival order, under one trial lock and one commit.
//! Each request keeps its own answer: a replayed idempotency key, a youth
//! randomised before (also earlier in the same batch), an exclusion, a field
//! error — none of them fails the others. Every entry still gets its own
//! signed head (size = its index + 1) for its receipt; the trial row (size,
//! frontier, last time), block slots and margins are written once per batch.
//! Answers are sent only after the commit.
//!
//! The queue only decides how often the lock is taken: the trial row lock
//! (PostgreSQL) and `BEGIN IMMEDIATE` (SQLite) still serialise transactions,
//! also between processes. The batch runs in its own task, so a client that
//! goes away cannot cancel the transaction the other requests wait for. When
//! a batch fails as a whole (a database error), each of its requests is tried
//! again alone, so one request's failure is its own.

use super::*;
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::oneshot;

/// The most requests one transaction takes; the rest wait for the next one.
const MAX_BATCH: usize = 128;

/// A randomisation request, checked and hashed, waiting for its transaction.
pub(super) struct Request {
    pub scope: Scope,
    pub key: ServerKey,
    pub intake: Intake,
    pub idempotency_key: Option<String>,
    pub municipality: i64,
    pub subject_bytes: Vec<u8>,
    pub subject: SubjectPseudonym,
}

struct Waiting {
    request: Request,
    answer: oneshot::Sender<Result<Randomisation>>,
}

#[derive(Default)]
struct QueueState {
    waiting: Vec<Waiting>,
    /// A task is draining the queue.
    running: bool,
}

#[derive(Default)]
struct TrialQueue {
    state: Mutex<QueueState>,
}

/// The queues, by (connection pool, trial). A pool is named by the address of
/// its shared connect options, kept alive here so that no other pool can
/// reuse the address.
type PoolMark = Arc<dyn std::any::Any + Send + Sync>;
#[allow(clippy::type_complexity)]
static QUEUES: LazyLock<Mutex<HashMap<(usize, i64), (PoolMark, Arc<TrialQueue>)>>> =
    LazyLock::new(Default::default);

fn queue_of(db: &Db, trial_id: i64) -> Arc<TrialQueue> {
    let mark: PoolMark = match db {
        Db::Sqlite(pool) => pool.connect_options(),
        Db::Postgres(pool) => pool.connect_options(),
    };
    let address = Arc::as_ptr(&mark) as *const () as usize;
    let mut queues = QUEUES.lock().expect("the queue registry");
    queues
        .entry((address, trial_id))
        .or_insert_with(|| (mark, Arc::default()))
        .1
        .clone()
}

/// Resets the queue when its draining task is dropped before it finished
/// (a panic, or its runtime shut down): the waiting requests are dropped, so
/// they are answered with an error, and the next request starts a new task.
struct Drainer {
    queue: Arc<TrialQueue>,
    finished: bool,
}

impl Drop for Drainer {
    fn drop(&mut self) {
        if !self.finished {
            let mut state = self.queue.state.lock().unwrap_or_else(|e| e.into_inner());
            state.running = false;
            state.waiting.clear();
        }
    }
}

impl Db {
    /// Queues the request for the trial's next write transaction and waits
    /// for its answer (sent after the commit).
    pub(super) async fn randomise_queued(
        &self,
        trial_id: i64,
        request: Request,
    ) -> Result<Randomisation> {
        let queue = queue_of(self, trial_id);
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut state = queue.state.lock().expect("a trial queue");
            state.waiting.push(Waiting { request, answer });
            !std::mem::replace(&mut state.running, true)
        };
        if start {
            tokio::spawn(self.clone().drain(queue, trial_id));
        }
        answered
            .await
            .unwrap_or(Err(Error::Database(sqlx::Error::WorkerCrashed)))
    }

    async fn drain(self, queue: Arc<TrialQueue>, trial_id: i64) {
        let mut drainer = Drainer {
            queue,
            finished: false,
        };
        loop {
            let batch: Vec<Waiting> = {
                let mut state = drainer.queue.state.lock().expect("a trial queue");
                if state.waiting.is_empty() {
                    state.running = false;
                    drainer.finished = true;
                    return;
                }
                let n = state.waiting.len().min(MAX_BATCH);
                state.waiting.drain(..n).collect()
            };
            let (requests, answers): (Vec<Request>, Vec<_>) =
                batch.into_iter().map(|w| (w.request, w.answer)).unzip();
            match self.randomise_batch(trial_id, &requests).await {
                Ok(outcomes) => {
                    for (answer, outcome) in answers.into_iter().zip(outcomes) {
                        let _ = answer.send(outcome);
                    }
                }
                Err(err) if requests.len() == 1 => {
                    let _ = answers.into_iter().next().expect("one").send(Err(err));
                }
                Err(_) => {
                    // Rolled back: each request again, alone.
                    for (request, answer) in requests.iter().zip(answers) {
                        let outcome = match self
                            .randomise_batch(trial_id, std::slice::from_ref(request))
                            .await
                        {
                            Ok(mut outcomes) => outcomes.pop().expect("one outcome"),
                            Err(err) => Err(err),
                        };
                        let _ = answer.send(outcome);
                    }
                }
            }
        }
    }

    /// One write transaction for `requests`, in order. The outer error is the
    /// transaction's (nothing committed); the inner ones are the requests'.
    async fn randomise_batch(
        &self,
        trial_id: i64,
        requests: &[Request],
    ) -> Result<Vec<Result<Randomisation>>> {
        let _queued = self.queue_ledger_writer().await;
        on_db!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let Some(trial) = sqlx::query_as::<_, LockedTrial>(LOCK_TRIAL_SQL)
                .bind(trial_id)
                .fetch_optional(&mut *tx)
                .await?
            else {
                return Ok(requests.iter().map(|_| Err(Error::NotFound)).collect());
            };
            let settings = settings_of(&trial.settings)?;
            let rules = settings.eligibility();
            let document: Vec<u8> = sqlx::query_scalar(
                "SELECT document FROM trial_designs WHERE trial_id = $1 AND version = $2",
            )
            .bind(trial_id)
            .bind(trial.design_version)
            .fetch_one(&mut *tx)
            .await?;
            let design = Design::from_canonical_bytes(&document)
                .map_err(|e| Error::Corrupt(format!("design document: {e}")))?;
            let design_version = trial.design_version;
            let is_blocks = matches!(design.method, Method::StratifiedBlocks { .. });
            let is_minimisation = matches!(design.method, Method::Minimisation { .. });

            // What this batch has written so far, over what the database holds.
            let mut ledger_size = trial.ledger_size;
            let mut allocation_count = trial.allocation_count;
            let mut last_time = UtcTime {
                unix_seconds: trial.last_unix_seconds,
                nanos: trial.last_nanos as u32,
            };
            let mut block_slots: HashMap<String, BlockSlot> = HashMap::new();
            let mut touched_slots: Vec<String> = Vec::new();
            let mut margins: HashMap<(String, String), ArmCounts> = HashMap::new();
            let mut margin_deltas: Vec<((String, String), i64, i64)> = Vec::new();
            let mut by_subject: HashMap<Vec<u8>, Receipt> = HashMap::new();
            let mut by_key: HashMap<(i64, String), (Vec<u8>, Receipt)> = HashMap::new();
            // The draw's and the heads' keys, decrypted at the first allocation.
            let mut drawing: Option<(TrialKey, HeadSigner, MerkleFrontier)> = None;

            let mut outcomes = Vec::with_capacity(requests.len());
            for request in requests {
                let scope = &request.scope;
                let subject_bytes = &request.subject_bytes;
                let intake = &request.intake;
                let intake_time = now_utc();
                let outcome: Result<Randomisation> = 'request: {
                    if let Some(idempotency_key) = &request.idempotency_key {
                        let replay = match by_key.get(&(scope.user_id, idempotency_key.clone())) {
                            Some((earlier_subject, receipt)) => {
                                Some((earlier_subject.clone(), Some(receipt.clone()), 0))
                            }
                            None => sqlx::query_as::<_, (Vec<u8>, i64)>(
                                "SELECT subject, ledger_index FROM trial_idempotency \
                                 WHERE trial_id = $1 AND user_id = $2 AND idempotency_key = $3",
                            )
                            .bind(trial_id)
                            .bind(scope.user_id)
                            .bind(idempotency_key)
                            .fetch_optional(&mut *tx)
                            .await?
                            .map(|(subject, index)| (subject, None, index)),
                        };
                        if let Some((earlier_subject, receipt, ledger_index)) = replay {
                            if &earlier_subject != subject_bytes {
                                break 'request Err(Error::Invalid(FieldError::new(
                                    "idempotency_key",
                                    Problem::IdempotencyKeyReused,
                                )));
                            }
                            let receipt = match receipt {
                                Some(receipt) => receipt,
                                None => sqlx::query_as::<_, ReceiptRow>(RECEIPT_BY_INDEX_SQL)
                                    .bind(trial_id)
                                    .bind(ledger_index)
                                    .fetch_one(&mut *tx)
                                    .await?
                                    .into(),
                            };
                            break 'request Ok(Randomisation::Replayed(receipt));
                        }
                    }
                    let stratum = match stratum_for(&design, &settings, intake) {
                        Ok(stratum) => stratum,
                        Err(field) => break 'request Err(Error::Invalid(field)),
                    };
                    let stratum_text = stratum.to_string();
                    let earlier = match by_subject.get(subject_bytes) {
                        Some(receipt) => Some(receipt.clone()),
                        None => sqlx::query_as::<_, ReceiptRow>(RECEIPT_BY_SUBJECT_SQL)
                            .bind(trial_id)
                            .bind(subject_bytes)
                            .fetch_optional(&mut *tx)
                            .await?
                            .map(Receipt::from),
                    };
                    let reasons = rules.check(&candidate(intake));
                    let outcome = if earlier.is_some() {
                        "already_randomised"
                    } else if !reasons.is_empty() {
                        "excluded"
                    } else if trial.status != "open" {
                        break 'request Err(Error::Invalid(FieldError::new(
                            "trial",
                            Problem::TrialClosed,
                        )));
                    } else {
                        "randomised"
                    };
                    sqlx::query(INSERT_SCREENING_SQL)
                        .bind(trial_id)
                        .bind(intake_time.unix_seconds)
                        .bind(scope.user_id)
                        .bind(request.municipality)
                        .bind(subject_bytes)
                        .bind(reasons.is_empty())
                        .bind(reason_codes(&reasons))
                        .bind(outcome)
                        .bind(scope.request_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                    if let Some(earlier) = earlier {
                        log_access!(
                            &mut *tx,
                            scope,
                            AccessAction::Read,
                            None::<i64>,
                            Some("trial allocation shown again")
                        )?;
                        break 'request Ok(Randomisation::AlreadyRandomised(earlier));
                    }
                    if !reasons.is_empty() {
                        log_access!(
                            &mut *tx,
                            scope,
                            AccessAction::Read,
                            None::<i64>,
                            Some("trial screening")
                        )?;
                        break 'request Ok(Randomisation::NotEligible(reasons));
                    }

                    // The draw, from the state this transaction holds locked.
                    if drawing.is_none() {
                        let key = &request.key;
                        let trial_key = TrialKey::from_bytes(hash32(
                            &key.decrypt(TRIAL_KEY_AAD, &trial.key_ciphertext)?,
                            "the trial key",
                        )?);
                        let seed = hash32(
                            &key.decrypt(HEAD_SEED_AAD, &trial.head_seed_ciphertext)?,
                            "the head seed",
                        )?;
                        let frontier = MerkleFrontier::from_bytes(&trial.frontier)
                            .ok_or_else(|| Error::Corrupt("the stored Merkle frontier".into()))?;
                        if frontier.len() != trial.ledger_size as u64 {
                            return Err(Error::Corrupt(
                                "the Merkle frontier does not match the ledger size".into(),
                            ));
                        }
                        drawing = Some((trial_key, HeadSigner::from_seed(seed), frontier));
                    }
                    let (trial_key, signer, frontier) = drawing.as_mut().expect("decrypted above");
                    let allocator = Allocator::new(trial_key, &design)
                        .map_err(|e| Error::Corrupt(e.to_string()))?;
                    let next_block_slot = if !is_blocks {
                        BlockSlot::FIRST
                    } else if let Some(slot) = block_slots.get(&stratum_text) {
                        *slot
                    } else {
                        let slot: Option<(i64, i64)> = sqlx::query_as(
                            "SELECT block_number, block_offset FROM trial_block_slots \
                             WHERE trial_id = $1 AND design_version = $2 AND stratum = $3",
                        )
                        .bind(trial_id)
                        .bind(design_version)
                        .bind(&stratum_text)
                        .fetch_optional(&mut *tx)
                        .await?;
                        slot.map_or(BlockSlot::FIRST, |(block_number, offset)| BlockSlot {
                            block_number: block_number as u64,
                            offset: offset as u32,
                        })
                    };
                    let mut marginal_counts = Vec::new();
                    if is_minimisation {
                        for (factor, level) in stratum.levels() {
                            let margin = (factor.clone(), level.clone());
                            let counts = match margins.get(&margin) {
                                Some(counts) => *counts,
                                None => {
                                    let counts: Option<(i64, i64)> = sqlx::query_as(
                                        "SELECT programme, control FROM trial_margins \
                                         WHERE trial_id = $1 AND factor = $2 AND level = $3",
                                    )
                                    .bind(trial_id)
                                    .bind(factor)
                                    .bind(level)
                                    .fetch_optional(&mut *tx)
                                    .await?;
                                    let (programme, control) = counts.unwrap_or_default();
                                    let counts = ArmCounts {
                                        programme: programme as u64,
                                        control: control as u64,
                                    };
                                    margins.insert(margin, counts);
                                    counts
                                }
                            };
                            marginal_counts.push(counts);
                        }
                    }
                    let allocation = allocator
                        .allocate(&spire_trial::AllocationInput {
                            allocation_number: allocation_count as u64,
                            stratum: &stratum,
                            next_block_slot,
                            marginal_counts: &marginal_counts,
                        })
                        .map_err(|e| Error::Corrupt(e.to_string()))?;

                    let time = intake_time.max(last_time);
                    let baseline = serde_json::to_string(&Baseline {
                        trial: &trial.public_id,
                        intake_date: intake.intake_date.to_string(),
                        municipality_code: request.municipality,
                        benefit: intake.benefit.code(),
                        readiness: intake.readiness.code(),
                        has_qualification: intake.has_qualification,
                        age: intake.cpr.age_on(intake.intake_date),
                        gender: intake.cpr.gender().code(),
                        strata: &intake.strata,
                    })
                    .expect("baseline serialises");
                    let baseline_hash = sha256(baseline.as_bytes());
                    let ledger_index = ledger_size;
                    let leaf = LedgerLeaf {
                        ledger_index: ledger_index as u64,
                        trial_id: trial.public_id.clone(),
                        design_version: design_version as u32,
                        time,
                        actor_id: scope.user_id.to_string(),
                        entry: Entry::Allocation {
                            stratum: stratum.clone(),
                            position: allocation.position,
                            subject: request.subject,
                            arm: allocation.arm,
                            baseline_hash,
                        },
                    };
                    let leaf_hash = leaf.hash();
                    let block = allocation.position.block;
                    let ledger_id: i64 = sqlx::query_scalar(INSERT_LEDGER_SQL)
                        .bind(trial_id)
                        .bind(ledger_index)
                        .bind(design_version)
                        .bind(time.unix_seconds)
                        .bind(i64::from(time.nanos))
                        .bind(&leaf.actor_id)
                        .bind(&stratum_text)
                        .bind(allocation_count)
                        .bind(block.map(|b| b.block_number as i64))
                        .bind(block.map(|b| i64::from(b.offset)))
                        .bind(subject_bytes)
                        .bind(allocation.arm.as_str())
                        .bind(baseline_hash.as_slice())
                        .bind(leaf_hash.as_slice())
                        .bind(request.municipality)
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query(INSERT_BASELINE_SQL)
                        .bind(ledger_id)
                        .bind(trial_id)
                        .bind(subject_bytes)
                        .bind(request.key.encrypt_cpr(&intake.cpr))
                        .bind(&intake.first_name)
                        .bind(&intake.last_name)
                        .bind(request.municipality)
                        .bind(&baseline)
                        .bind(scope.user_id)
                        .execute(&mut *tx)
                        .await?;
                    if let Some(next) = allocation.next_block_slot {
                        if block_slots.insert(stratum_text.clone(), next).is_none() {
                            touched_slots.push(stratum_text.clone());
                        }
                    }
                    if is_minimisation {
                        let (programme, control) = match allocation.arm {
                            Arm::Programme => (1, 0),
                            Arm::Control => (0, 1),
                        };
                        for (factor, level) in stratum.levels() {
                            let margin = (factor.clone(), level.clone());
                            let counts = margins.get_mut(&margin).expect("read above");
                            counts.programme += programme as u64;
                            counts.control += control as u64;
                            margin_deltas.push((margin, programme, control));
                        }
                    }

                    frontier.push(leaf_hash);
                    let signed = signer.sign(TreeHead {
                        trial_id: trial.public_id.clone(),
                        size: frontier.len(),
                        root: frontier.root(),
                        time,
                    });
                    sqlx::query(INSERT_HEAD_SQL)
                        .bind(trial_id)
                        .bind(signed.head.size as i64)
                        .bind(signed.head.root.as_slice())
                        .bind(time.unix_seconds)
                        .bind(i64::from(time.nanos))
                        .bind(signed.signature.as_slice())
                        .execute(&mut *tx)
                        .await?;
                    if let Some(idempotency_key) = &request.idempotency_key {
                        sqlx::query(
                            "INSERT INTO trial_idempotency (trial_id, user_id, idempotency_key, subject, ledger_index, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(trial_id)
                        .bind(scope.user_id)
                        .bind(idempotency_key)
                        .bind(subject_bytes)
                        .bind(ledger_index)
                        .bind(time.unix_seconds)
                        .execute(&mut *tx)
                        .await?;
                    }
                    log_access!(
                        &mut *tx,
                        scope,
                        AccessAction::Create,
                        None::<i64>,
                        Some("trial allocation")
                    )?;
                    ledger_size += 1;
                    allocation_count += 1;
                    last_time = time;
                    let receipt = Receipt {
                        allocation_id: ledger_id,
                        arm: allocation.arm.as_str().to_string(),
                        ledger_index,
                        stratum: stratum_text,
                        leaf_hash: hex::encode(leaf_hash),
                        tree_head: ReceiptHead {
                            size: signed.head.size as i64,
                            root: hex::encode(signed.head.root),
                            signature: hex::encode(signed.signature),
                            time: time.unix_seconds,
                        },
                        allocated_at: time.unix_seconds,
                    };
                    by_subject.insert(subject_bytes.clone(), receipt.clone());
                    if let Some(idempotency_key) = &request.idempotency_key {
                        by_key.insert(
                            (scope.user_id, idempotency_key.clone()),
                            (subject_bytes.clone(), receipt.clone()),
                        );
                    }
                    Ok(Randomisation::Allocated(receipt))
                };
                outcomes.push(outcome);
            }

            if let Some((_, _, frontier)) = &drawing {
                for stratum_text in &touched_slots {
                    let next = block_slots[stratum_text];
                    sqlx::query(
                        "INSERT INTO trial_block_slots (trial_id, design_version, stratum, block_number, block_offset) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (trial_id, design_version, stratum) \
                         DO UPDATE SET block_number = excluded.block_number, block_offset = excluded.block_offset",
                    )
                    .bind(trial_id)
                    .bind(design_version)
                    .bind(stratum_text)
                    .bind(next.block_number as i64)
                    .bind(i64::from(next.offset))
                    .execute(&mut *tx)
                    .await?;
                }
                // Margins feed minimisation only (balance is counted from the ledger).
                let mut summed: Vec<((String, String), i64, i64)> = Vec::new();
                for (margin, programme, control) in margin_deltas {
                    match summed.iter_mut().find(|(m, _, _)| *m == margin) {
                        Some((_, p, c)) => {
                            *p += programme;
                            *c += control;
                        }
                        None => summed.push((margin, programme, control)),
                    }
                }
                for ((factor, level), programme, control) in &summed {
                    sqlx::query(
                        "INSERT INTO trial_margins (trial_id, factor, level, programme, control) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (trial_id, factor, level) DO UPDATE SET \
                         programme = trial_margins.programme + excluded.programme, control = trial_margins.control + excluded.control",
                    )
                    .bind(trial_id)
                    .bind(factor)
                    .bind(level)
                    .bind(programme)
                    .bind(control)
                    .execute(&mut *tx)
                    .await?;
                }
                if ledger_size != trial.ledger_size {
                    sqlx::query(UPDATE_TRIAL_HEAD_SQL)
                        .bind(ledger_size)
                        .bind(allocation_count)
                        .bind(frontier.to_bytes())
                        .bind(last_time.unix_seconds)
                        .bind(i64::from(last_time.nanos))
                        .bind(trial_id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok(outcomes)
        })
    }
}
