//! Group commit of randomisations. The requests for one trial that arrive
//! while its write transaction is in flight wait in the trial's queue; the
//! next transaction takes all of them (up to [`MAX_BATCH`]) and allocates them
//! one after the other, in arrival order, under one trial lock and one commit.
//! Each request keeps its own answer: a replayed idempotency key, a youth
//! randomised before (also earlier in the same batch), an exclusion, a field
//! error — none of them fails the others. Every entry still gets its own
//! signed head (size = its index + 1) for its receipt; each table's rows are
//! written with one multi-row statement, and the trial row (size, frontier,
//! last time), block slots and margins once per batch. Answers are sent
//! only after the commit.
//!
//! The queue only decides how often the lock is taken: the trial row lock
//! (PostgreSQL) and `BEGIN IMMEDIATE` (SQLite) still serialise transactions,
//! also between processes. The batch runs in its own task, so a client that
//! goes away cannot cancel the transaction the other requests wait for. When
//! a batch fails as a whole (a database error), each of its requests is tried
//! again alone, so one request's failure is its own.

pub(super) use super::decide::Request;
use super::decide::{Decisions, KeyedEarlier, Known, NewEntry, decide};
use super::*;
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::oneshot;

/// The most requests one transaction takes; the rest wait for the next one.
const MAX_BATCH: usize = 64;

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
    ///
    /// Three steps, so that the statements do not grow with the batch: read
    /// what the requests need (earlier keys, earlier allocations, block
    /// slots) with one statement each; decide every request in memory, in
    /// order, over that state (draws, leaves, heads); write each table's rows
    /// with one multi-row statement (a few, see [`chunks`]).
    async fn randomise_batch(
        &self,
        trial_id: i64,
        requests: &[Request],
    ) -> Result<Vec<Result<Randomisation>>> {
        let _queued = self.queue_ledger_writer().await;
        on_db!(self, |pool| {
            // One batch serves requests from several municipalities (each
            // checked against its own scope below) and the duplicate check is
            // over the whole trial.
            let mut tx = pool.begin_write_across().await?;
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
            let strata: Vec<Result<(StratumKey, String), FieldError>> = requests
                .iter()
                .map(|r| {
                    stratum_for(&design, &settings, &r.intake).map(|s| {
                        let text = s.to_string();
                        (s, text)
                    })
                })
                .collect();

            // 1. What the database holds for these requests.
            let mut found_elsewhere: HashMap<i64, i64> = HashMap::new();
            for scope in dedup_by_user(requests) {
                let found: i64 = sqlx::query_scalar(crate::cpr_elsewhere::COUNT_SQL)
                    .bind(scope.municipality)
                    .bind(scope.user_id)
                    .bind(crate::now() - crate::cpr_elsewhere::WINDOW_SECS)
                    .fetch_one(&mut *tx)
                    .await?;
                found_elsewhere.insert(scope.user_id, found);
            }
            let keyed: Vec<(i64, &str)> = dedup(
                requests
                    .iter()
                    .filter_map(|r| Some((r.scope.user_id, r.idempotency_key.as_deref()?))),
            );
            let mut by_key: HashMap<(i64, String), KeyedEarlier> = HashMap::new();
            if !keyed.is_empty() {
                let rows = keyed.len().next_power_of_two();
                let sql = shape("idempotency", rows, || {
                    union_all(rows, |i| {
                        format!(
                            "SELECT user_id, idempotency_key, subject, ledger_index FROM trial_idempotency \
                             WHERE trial_id = $1 AND user_id = ${} AND idempotency_key = ${}",
                            2 + 2 * i,
                            3 + 2 * i
                        )
                    })
                });
                let mut query =
                    sqlx::query_as::<_, (i64, String, Vec<u8>, i64)>(sql).bind(trial_id);
                for i in 0..rows {
                    let (user_id, key) = keyed[i.min(keyed.len() - 1)];
                    query = query.bind(user_id).bind(key);
                }
                for (user_id, key, subject, index) in query.fetch_all(&mut *tx).await? {
                    by_key.insert((user_id, key), (subject, None, index));
                }
                let replayed: Vec<i64> = dedup(by_key.values().map(|(_, _, index)| *index));
                if !replayed.is_empty() {
                    let rows = replayed.len().next_power_of_two();
                    let sql = shape("receipts by index", rows, || {
                        format!("{RECEIPTS_SQL} l.ledger_index IN ({})", list(rows, 2))
                    });
                    let mut query = sqlx::query_as::<_, SubjectReceiptRow>(sql).bind(trial_id);
                    for i in 0..rows {
                        query = query.bind(replayed[i.min(replayed.len() - 1)]);
                    }
                    let receipts: HashMap<i64, Receipt> = query
                        .fetch_all(&mut *tx)
                        .await?
                        .into_iter()
                        .map(|row| (row.receipt.ledger_index, row.receipt.into()))
                        .collect();
                    for (_, receipt, index) in by_key.values_mut() {
                        *receipt = Some(receipts.get(index).cloned().ok_or_else(|| {
                            Error::Corrupt(format!("no allocation at ledger index {index}"))
                        })?);
                    }
                }
            }
            let subjects: Vec<&[u8]> = dedup(requests.iter().map(|r| r.subject_bytes.as_slice()));
            let rows = subjects.len().next_power_of_two();
            let sql = shape("receipts by subject", rows, || {
                union_all(rows, |i| format!("{RECEIPTS_BY_SUBJECT_SQL} ${}", 2 + i))
            });
            let mut query = sqlx::query_as::<_, SubjectReceiptRow>(sql).bind(trial_id);
            for i in 0..rows {
                query = query.bind(subjects[i.min(subjects.len() - 1)]);
            }
            let by_subject: HashMap<Vec<u8>, Receipt> = query
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|row| (row.subject, row.receipt.into()))
                .collect();
            let sql = shape("registered youth", rows, || {
                format!(
                    "SELECT cpr_lookup, municipality_code, id FROM youth WHERE cpr_lookup IN ({})",
                    list(rows, 1)
                )
            });
            let mut query = sqlx::query_as::<_, (Vec<u8>, i64, i64)>(sql);
            for i in 0..rows {
                query = query.bind(subjects[i.min(subjects.len() - 1)]);
            }
            let registered: HashMap<Vec<u8>, (i64, i64)> = query
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|(subject, municipality, youth)| (subject, (municipality, youth)))
                .collect();
            let mut block_slots: HashMap<String, BlockSlot> = HashMap::new();
            if is_blocks {
                let texts: Vec<&str> = dedup(
                    strata
                        .iter()
                        .filter_map(|s| s.as_ref().ok().map(|(_, text)| text.as_str())),
                );
                if !texts.is_empty() {
                    let rows = texts.len().next_power_of_two();
                    let sql = shape("block slots", rows, || {
                        format!(
                            "SELECT stratum, block_number, block_offset FROM trial_block_slots \
                             WHERE trial_id = $1 AND design_version = $2 AND stratum IN ({})",
                            list(rows, 3)
                        )
                    });
                    let mut query = sqlx::query_as::<_, (String, i64, i64)>(sql)
                        .bind(trial_id)
                        .bind(design_version);
                    for i in 0..rows {
                        query = query.bind(texts[i.min(texts.len() - 1)]);
                    }
                    for (stratum, block_number, offset) in query.fetch_all(&mut *tx).await? {
                        block_slots.insert(
                            stratum,
                            BlockSlot {
                                block_number: block_number as u64,
                                offset: offset as u32,
                            },
                        );
                    }
                }
            }

            let mut margins: HashMap<(String, String), ArmCounts> = HashMap::new();
            if is_minimisation {
                let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
                    "SELECT factor, level, programme, control FROM trial_margins WHERE trial_id = $1",
                )
                .bind(trial_id)
                .fetch_all(&mut *tx)
                .await?;
                for (factor, level, programme, control) in rows {
                    let counts = ArmCounts {
                        programme: programme as u64,
                        control: control as u64,
                    };
                    margins.insert((factor, level), counts);
                }
            }

            // 2. Every request in order, in memory.
            let Decisions {
                mut outcomes,
                screenings,
                accesses,
                entries,
                registered_decisions,
                touched_slots,
                block_slots,
                margin_deltas,
                ledger,
            } = decide(
                &trial,
                &design,
                design_version,
                &rules,
                requests,
                &strata,
                Known {
                    by_key,
                    by_subject,
                    block_slots,
                    margins,
                    found_elsewhere,
                    registered,
                },
                now_utc(),
            )?;

            // 3. The rows, a table at a time.
            for range in chunks(screenings.len()) {
                let rows = range.len();
                let sql = shape("screenings", rows, || {
                    format!(
                        "INSERT INTO trial_screenings (trial_id, at, user_id, municipality_code, subject, \
                         eligible, reasons, outcome, request_id) VALUES {}",
                        values(rows, 9, 1)
                    )
                });
                let mut query = sqlx::query(sql);
                for (request, at, eligible, reasons, outcome) in &screenings[range] {
                    query = query
                        .bind(trial_id)
                        .bind(*at)
                        .bind(request.scope.user_id)
                        .bind(request.municipality)
                        .bind(request.subject_bytes.as_slice())
                        .bind(*eligible)
                        .bind(reasons.as_str())
                        .bind(*outcome)
                        .bind(request.scope.request_id.as_str());
                }
                query.execute(&mut *tx).await?;
            }
            let mut ledger_ids: HashMap<i64, i64> = HashMap::new();
            for range in chunks(entries.len()) {
                let rows = range.len();
                let sql = shape("ledger", rows, || {
                    format!(
                        "INSERT INTO trial_ledger (trial_id, ledger_index, design_version, unix_seconds, nanos, \
                         actor_id, kind, stratum, allocation_number, block_number, block_offset, subject, arm, \
                         baseline_hash, leaf_hash, municipality_code) VALUES {} RETURNING ledger_index, id",
                        values(rows, 16, 1)
                    )
                });
                let mut query = sqlx::query_as::<_, (i64, i64)>(sql);
                for entry in &entries[range] {
                    query = query
                        .bind(trial_id)
                        .bind(entry.ledger_index)
                        .bind(design_version)
                        .bind(entry.time.unix_seconds)
                        .bind(i64::from(entry.time.nanos))
                        .bind(entry.request.scope.user_id.to_string())
                        .bind("allocation")
                        .bind(entry.stratum.as_str())
                        .bind(entry.allocation_number)
                        .bind(entry.block.map(|b| b.block_number as i64))
                        .bind(entry.block.map(|b| i64::from(b.offset)))
                        .bind(entry.request.subject_bytes.as_slice())
                        .bind(entry.arm.as_str())
                        .bind(entry.baseline_hash.as_slice())
                        .bind(entry.leaf_hash.as_slice())
                        .bind(entry.request.municipality);
                }
                ledger_ids.extend(query.fetch_all(&mut *tx).await?);
            }
            let ledger_id = |index: i64| {
                ledger_ids
                    .get(&index)
                    .copied()
                    .ok_or_else(|| Error::Corrupt(format!("no id for ledger index {index}")))
            };
            for range in chunks(entries.len()) {
                let rows = range.len();
                let sql = shape("baselines", rows, || {
                    format!(
                        "INSERT INTO trial_baselines (ledger_id, trial_id, subject, cpr_ciphertext, first_name, \
                         last_name, municipality_code, baseline, created_by) VALUES {}",
                        values(rows, 9, 1)
                    )
                });
                let mut query = sqlx::query(sql);
                for entry in &entries[range] {
                    let request = entry.request;
                    query = query
                        .bind(ledger_id(entry.ledger_index)?)
                        .bind(trial_id)
                        .bind(request.subject_bytes.as_slice())
                        .bind(request.key.encrypt_cpr(&request.intake.cpr))
                        .bind(request.intake.first_name.as_str())
                        .bind(request.intake.last_name.as_str())
                        .bind(request.municipality)
                        .bind(entry.baseline.as_str())
                        .bind(request.scope.user_id);
                }
                query.execute(&mut *tx).await?;
            }
            for range in chunks(entries.len()) {
                let rows = range.len();
                let sql = shape("heads", rows, || {
                    format!(
                        "INSERT INTO trial_heads (trial_id, tree_size, root, unix_seconds, nanos, signature, \
                         checkpoint_signature) VALUES {}",
                        values(rows, 7, 1)
                    )
                });
                let mut query = sqlx::query(sql);
                for entry in &entries[range] {
                    let head = &entry.head;
                    query = query
                        .bind(trial_id)
                        .bind(head.head.size as i64)
                        .bind(head.head.root.as_slice())
                        .bind(head.head.time.unix_seconds)
                        .bind(i64::from(head.head.time.nanos))
                        .bind(head.signature.as_slice())
                        .bind(head.checkpoint_signature.map(|s| s.to_vec()));
                }
                query.execute(&mut *tx).await?;
            }
            let keyed_entries: Vec<&NewEntry<'_>> = entries
                .iter()
                .filter(|e| e.request.idempotency_key.is_some())
                .collect();
            for range in chunks(keyed_entries.len()) {
                let rows = range.len();
                let sql = shape("idempotency keys", rows, || {
                    format!(
                        "INSERT INTO trial_idempotency (trial_id, user_id, idempotency_key, subject, ledger_index, \
                         created_at) VALUES {}",
                        values(rows, 6, 1)
                    )
                });
                let mut query = sqlx::query(sql);
                for entry in &keyed_entries[range] {
                    query = query
                        .bind(trial_id)
                        .bind(entry.request.scope.user_id)
                        .bind(entry.request.idempotency_key.as_deref())
                        .bind(entry.request.subject_bytes.as_slice())
                        .bind(entry.ledger_index)
                        .bind(entry.time.unix_seconds);
                }
                query.execute(&mut *tx).await?;
            }
            let now = crate::now();
            for (request, ledger_index, youth_id, reason) in &registered_decisions {
                let scope = &request.scope;
                let decided_by: String =
                    sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
                        .bind(scope.user_id)
                        .fetch_one(&mut *tx)
                        .await?;
                sqlx::query(super::integrity::INSERT_DECISION_SQL)
                    .bind(trial_id)
                    .bind("already_registered")
                    .bind(request.subject_bytes.as_slice())
                    .bind(*ledger_index)
                    .bind(request.municipality)
                    .bind(reason.as_str())
                    .bind(decided_by)
                    .bind(scope.user_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                log_access!(
                    &mut *tx,
                    scope,
                    AccessAction::Update,
                    Some(*youth_id),
                    Some("trial decision: already registered")
                )?;
            }
            for range in chunks(accesses.len()) {
                let rows = range.len();
                let sql = shape("access log", rows, || {
                    format!(
                        "INSERT INTO access_log (at, user_id, municipality_code, action, youth_id, criterion, \
                         purpose, request_id) VALUES {}",
                        values(rows, 8, 1)
                    )
                });
                let mut query = sqlx::query(sql);
                for (request, action, criterion, municipality) in &accesses[range] {
                    let scope = &request.scope;
                    query = query
                        .bind(now)
                        .bind(scope.user_id)
                        .bind(municipality.or(scope.municipality))
                        .bind(*action)
                        .bind(None::<i64>)
                        .bind(*criterion)
                        .bind(scope.purpose.code())
                        .bind(scope.request_id.as_str());
                }
                query.execute(&mut *tx).await?;
            }
            for range in chunks(touched_slots.len()) {
                let rows = range.len();
                let sql = shape("block slots upsert", rows, || {
                    format!(
                        "INSERT INTO trial_block_slots (trial_id, design_version, stratum, block_number, \
                         block_offset) VALUES {} ON CONFLICT (trial_id, design_version, stratum) \
                         DO UPDATE SET block_number = excluded.block_number, block_offset = excluded.block_offset",
                        values(rows, 5, 1)
                    )
                });
                let mut query = sqlx::query(sql);
                for stratum in &touched_slots[range] {
                    let next = block_slots[stratum];
                    query = query
                        .bind(trial_id)
                        .bind(design_version)
                        .bind(stratum.as_str())
                        .bind(next.block_number as i64)
                        .bind(i64::from(next.offset));
                }
                query.execute(&mut *tx).await?;
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
            if let Some(ledger) = &ledger {
                sqlx::query(UPDATE_TRIAL_HEAD_SQL)
                    .bind(ledger.size)
                    .bind(ledger.allocation_count)
                    .bind(ledger.frontier.to_bytes())
                    .bind(ledger.last_time.unix_seconds)
                    .bind(i64::from(ledger.last_time.nanos))
                    .bind(trial_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            // Committed: the new allocations' ids into their receipts.
            for outcome in &mut outcomes {
                if let Ok(
                    Randomisation::Allocated(receipt)
                    | Randomisation::Replayed(receipt)
                    | Randomisation::AlreadyRandomised(receipt),
                ) = outcome
                    && receipt.ledger_index >= trial.ledger_size
                {
                    receipt.allocation_id = ledger_id(receipt.ledger_index)?;
                }
            }
            Ok(outcomes)
        })
    }
}

/// Receipts (as `RECEIPT_BY_*_SQL`) with the subject, for a list of subjects
/// or ledger indexes appended to the text.
const RECEIPTS_SQL: &str = "SELECT l.id, l.arm, l.ledger_index, l.stratum, l.leaf_hash, l.unix_seconds, \
     h.tree_size, h.root, h.signature, h.unix_seconds AS head_seconds, l.municipality_code, l.subject FROM trial_ledger l \
     JOIN trial_heads h ON h.trial_id = l.trial_id AND h.tree_size = l.ledger_index + 1 \
     WHERE l.kind = 'allocation' AND l.trial_id = $1 AND";

/// One subject's receipt, found through the baselines' unique (trial,
/// subject) index: one row per allocation, written with it. The ledger's own
/// index on (trial, subject) has a twin on (trial, allocation number), and
/// PostgreSQL, on a young table not yet analysed, took the twin and scanned
/// every allocation of the trial for each look-up. The ledger's unique index
/// still refuses a second allocation.
const RECEIPTS_BY_SUBJECT_SQL: &str = "SELECT l.id, l.arm, l.ledger_index, l.stratum, l.leaf_hash, \
     l.unix_seconds, h.tree_size, h.root, h.signature, h.unix_seconds AS head_seconds, l.municipality_code, b.subject \
     FROM trial_baselines b JOIN trial_ledger l ON l.id = b.ledger_id AND l.kind = 'allocation' \
     JOIN trial_heads h ON h.trial_id = l.trial_id AND h.tree_size = l.ledger_index + 1 \
     WHERE b.trial_id = $1 AND b.subject =";

#[derive(sqlx::FromRow)]
struct SubjectReceiptRow {
    subject: Vec<u8>,
    #[sqlx(flatten)]
    receipt: ReceiptRow,
}

/// Multi-row statement texts by (name, rows). Each is built once from
/// constants and numbers only (never from data), and kept for the life of
/// the process, so it is a `&'static str` like every other SQL text here.
/// Row counts are powers of two up to [`MAX_BATCH`], so there are a few
/// shapes per statement and prepared statements are reused.
static SHAPES: LazyLock<Mutex<HashMap<(&'static str, usize), &'static str>>> =
    LazyLock::new(Default::default);

fn shape(name: &'static str, rows: usize, build: impl FnOnce() -> String) -> &'static str {
    debug_assert!(rows.is_power_of_two() && rows <= MAX_BATCH);
    let mut shapes = SHAPES.lock().unwrap_or_else(|e| e.into_inner());
    shapes
        .entry((name, rows))
        .or_insert_with(|| Box::leak(build().into_boxed_str()))
}

/// `rows` groups of `columns` placeholders numbered from `first`: `($1, $2), ($3, $4)`.
fn values(rows: usize, columns: usize, first: usize) -> String {
    (0..rows)
        .map(|row| {
            let start = first + row * columns;
            let cells: Vec<String> = (start..start + columns).map(|n| format!("${n}")).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `rows` look-ups joined by `UNION ALL`. Each is an equality on a whole
/// unique index, which both planners serve with that index whatever their
/// statistics say (PostgreSQL, on a young table not yet analysed, scanned
/// the trial's rows for `IN` lists and `OR`s).
fn union_all(rows: usize, select: impl Fn(usize) -> String) -> String {
    (0..rows)
        .map(select)
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// `n` placeholders numbered from `first`: `$2, $3, $4`.
fn list(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `0..n` in consecutive pieces whose lengths are powers of two, largest first
/// (13 rows: 8, 4, 1). A look-up list is padded instead, by repeating its last item.
fn chunks(n: usize) -> Vec<std::ops::Range<usize>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < n {
        let len = 1 << (usize::BITS - 1 - (n - start).leading_zeros());
        pieces.push(start..start + len);
        start += len;
    }
    pieces
}

/// The distinct items, in first-seen order.
fn dedup<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut seen = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

/// Each user's scope once, in the batch's order.
fn dedup_by_user(requests: &[Request]) -> Vec<&Scope> {
    let mut seen = HashSet::new();
    requests
        .iter()
        .map(|r| &r.scope)
        .filter(|scope| seen.insert(scope.user_id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_powers_of_two() {
        assert_eq!(chunks(0), vec![]);
        assert_eq!(chunks(1), vec![0..1]);
        assert_eq!(chunks(13), vec![0..8, 8..12, 12..13]);
        assert_eq!(chunks(64), vec![0..64]);
    }

    #[test]
    fn placeholders_in_order() {
        assert_eq!(values(2, 2, 1), "($1, $2), ($3, $4)");
        assert_eq!(list(3, 2), "$2, $3, $4");
    }
}
