//! The batch's decisions, made in memory from what the database holds: a
//! pure function of the locked trial, its design and rules, the requests and
//! their strata, and the rows read for them. It decides every request in
//! arrival order (replays, repeats within the batch, exclusions, draws,
//! ledger leaves and signed heads) and says what to write; `batch.rs` reads
//! the rows before and writes the result after, in the same transaction.

use super::*;
use crate::cpr_elsewhere::{FOUND_ELSEWHERE, LOOKED_UP_FROM_ELSEWHERE};

/// A randomisation request, checked and hashed, waiting for its transaction.
pub(super) struct Request {
    pub scope: Scope,
    pub key: ServerKey,
    pub intake: Intake,
    pub idempotency_key: Option<String>,
    pub municipality: i64,
    pub subject_bytes: Vec<u8>,
    pub subject: SubjectPseudonym,
    /// When the intake happened, for the demo's synthetic history; `None` is now.
    pub at: Option<UtcTime>,
}

/// An idempotency key used before: its subject, its receipt (read or made
/// in this batch) and its ledger index.
pub(super) type KeyedEarlier = (Vec<u8>, Option<Receipt>, i64);

/// An allocation decided in memory, to be written.
pub(super) struct NewEntry<'a> {
    pub request: &'a Request,
    pub ledger_index: i64,
    pub allocation_number: i64,
    pub time: UtcTime,
    pub stratum: &'a String,
    pub block: Option<BlockSlot>,
    pub arm: Arm,
    pub baseline: String,
    pub baseline_hash: [u8; 32],
    pub leaf_hash: [u8; 32],
    pub head: SignedTreeHead,
}

/// What the database holds for the batch, read before any decision.
#[derive(Default)]
pub(super) struct Known {
    /// Idempotency keys used before, by (user, key).
    pub by_key: HashMap<(i64, String), KeyedEarlier>,
    /// Receipts of the batch's subjects randomised before.
    pub by_subject: HashMap<Vec<u8>, Receipt>,
    /// The next block slot of each stratum the batch touches.
    pub block_slots: HashMap<String, BlockSlot>,
    /// The trial's arm counts per (factor, level), for minimisation.
    pub margins: HashMap<(String, String), ArmCounts>,
    /// Per user of the batch: look-ups within the last day that found a
    /// youth of another municipality (`cpr_elsewhere`).
    pub found_elsewhere: HashMap<i64, i64>,
    /// The batch's subjects registered as youth: municipality and youth id.
    pub registered: HashMap<Vec<u8>, (i64, i64)>,
}

/// A young person already registered in the programme, drawn with the
/// programme's decision: request, ledger index, youth id, reason.
pub(super) type RegisteredDecision<'r> = (&'r Request, i64, i64, String);

/// A screening to log: request, time, eligible, reason codes, outcome.
pub(super) type Screening<'r> = (&'r Request, i64, bool, String, &'static str);

/// What the batch decided, for `batch.rs` to write.
pub(super) struct Decisions<'r> {
    /// Each request's answer, in order (allocation ids still 0).
    pub outcomes: Vec<Result<Randomisation>>,
    pub screenings: Vec<Screening<'r>>,
    /// Access-log rows: request, action, criterion.
    pub accesses: Vec<(&'r Request, &'static str, &'static str, Option<i64>)>,
    pub entries: Vec<NewEntry<'r>>,
    pub registered_decisions: Vec<RegisteredDecision<'r>>,
    /// Strata whose next block slot changed, and every stratum's slot.
    pub touched_slots: Vec<String>,
    pub block_slots: HashMap<String, BlockSlot>,
    /// (factor, level), programme +, control +.
    pub margin_deltas: Vec<((String, String), i64, i64)>,
    /// The ledger after the batch, when anything was allocated.
    pub ledger: Option<LedgerAfter>,
}

/// The trial row's ledger fields after the batch.
pub(super) struct LedgerAfter {
    pub size: i64,
    pub allocation_count: i64,
    pub last_time: UtcTime,
    pub frontier: MerkleFrontier,
}

/// Decides every request of a batch, in order. `now` stands for the intake
/// time of requests that do not bring one. An error (a key that does not
/// decrypt, a corrupt frontier) fails the whole batch.
pub(super) fn decide<'r>(
    trial: &LockedTrial,
    design: &Design,
    design_version: i64,
    rules: &spire_domain::EligibilityRules,
    requests: &'r [Request],
    strata: &'r [std::result::Result<(StratumKey, String), FieldError>],
    known: Known,
    now: UtcTime,
) -> Result<Decisions<'r>> {
    let Known {
        mut by_key,
        mut by_subject,
        mut block_slots,
        mut margins,
        mut found_elsewhere,
        registered,
    } = known;
    let mut registered_decisions: Vec<RegisteredDecision<'_>> = Vec::new();
    let is_blocks = matches!(design.method, Method::StratifiedBlocks { .. });
    let is_minimisation = matches!(design.method, Method::Minimisation { .. });
    let mut ledger_size = trial.ledger_size;
    let mut allocation_count = trial.allocation_count;
    let mut last_time = UtcTime {
        unix_seconds: trial.last_unix_seconds,
        nanos: trial.last_nanos as u32,
    };
    let mut touched_slots: Vec<String> = Vec::new();
    let mut margin_deltas: Vec<((String, String), i64, i64)> = Vec::new();
    let mut screenings: Vec<(&Request, i64, bool, String, &'static str)> = Vec::new();
    let mut accesses: Vec<(&Request, &'static str, &'static str, Option<i64>)> = Vec::new();
    let mut entries: Vec<NewEntry<'_>> = Vec::new();
    // The draw's and the heads' keys, decrypted at the first allocation.
    let mut drawing: Option<(TrialKey, HeadSigner, MerkleFrontier)> = None;

    let mut outcomes = Vec::with_capacity(requests.len());
    for (request, stratum) in requests.iter().zip(strata) {
        let scope = &request.scope;
        let subject_bytes = &request.subject_bytes;
        let intake = &request.intake;
        let intake_time = request.at.unwrap_or(now);
        let outcome: Result<Randomisation> = 'request: {
            if let Some(idempotency_key) = &request.idempotency_key
                && let Some((earlier_subject, receipt, _)) =
                    by_key.get(&(scope.user_id, idempotency_key.clone()))
            {
                if earlier_subject != subject_bytes {
                    break 'request Err(Error::Invalid(FieldError::new(
                        "idempotency_key",
                        Problem::IdempotencyKeyReused,
                    )));
                }
                let receipt = receipt.clone().expect("read with the key");
                break 'request Ok(Randomisation::Replayed(receipt));
            }
            let found = found_elsewhere.entry(scope.user_id).or_default();
            if *found >= crate::cpr_elsewhere::ELSEWHERE_PER_DAY {
                break 'request Err(Error::Invalid(FieldError::new(
                    "cpr",
                    Problem::CprLookupLimit,
                )));
            }
            let (stratum, stratum_text) = match stratum {
                Ok(stratum) => stratum,
                Err(field) => break 'request Err(Error::Invalid(field.clone())),
            };
            let earlier = by_subject.get(subject_bytes).cloned();
            // Registered in another municipality: theirs to bring to the
            // trial. Told only "elsewhere", and both access logs show it.
            if earlier.is_none()
                && let Some(&(home, _)) = registered
                    .get(subject_bytes)
                    .filter(|(home, _)| *home != request.municipality)
            {
                *found += 1;
                accesses.push((request, AccessAction::Read.code(), FOUND_ELSEWHERE, None));
                accesses.push((
                    request,
                    AccessAction::Read.code(),
                    LOOKED_UP_FROM_ELSEWHERE,
                    Some(home),
                ));
                break 'request Err(Error::Invalid(FieldError::new(
                    "cpr",
                    Problem::CprElsewhere,
                )));
            }
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
            // Already registered in the programme here (already treated): the
            // programme decides, and the decision is kept with the draw.
            let registered_here = registered
                .get(subject_bytes)
                .filter(|(municipality, _)| *municipality == request.municipality);
            if outcome == "randomised"
                && let Some((_, youth_id)) = registered_here
            {
                let decision = intake
                    .already_registered_decision
                    .as_deref()
                    .map(str::trim)
                    .filter(|d| !d.is_empty());
                let Some(decision) = decision else {
                    break 'request Err(Error::Invalid(FieldError::new(
                        "already_registered_decision",
                        Problem::AlreadyRegisteredDecisionNeeded,
                    )));
                };
                match super::integrity::decision_reason("already_registered_decision", decision) {
                    Ok(reason) => {
                        registered_decisions.push((request, ledger_size, *youth_id, reason))
                    }
                    Err(field) => break 'request Err(Error::Invalid(field)),
                }
            }
            screenings.push((
                request,
                intake_time.unix_seconds,
                reasons.is_empty(),
                reason_codes(&reasons),
                outcome,
            ));
            if let Some(earlier) = earlier {
                if earlier.municipality_code != request.municipality {
                    *found += 1;
                    // Told only "in the trial elsewhere"; both municipalities'
                    // access logs show the look-up.
                    accesses.push((request, AccessAction::Read.code(), FOUND_ELSEWHERE, None));
                    accesses.push((
                        request,
                        AccessAction::Read.code(),
                        LOOKED_UP_FROM_ELSEWHERE,
                        Some(earlier.municipality_code),
                    ));
                    break 'request Ok(Randomisation::RandomisedElsewhere);
                }
                accesses.push((
                    request,
                    AccessAction::Read.code(),
                    "trial allocation shown again",
                    None,
                ));
                break 'request Ok(Randomisation::AlreadyRandomised(earlier));
            }
            if !reasons.is_empty() {
                accesses.push((request, AccessAction::Read.code(), "trial screening", None));
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
            let allocator =
                Allocator::new(trial_key, design).map_err(|e| Error::Corrupt(e.to_string()))?;
            let next_block_slot = if is_blocks {
                block_slots
                    .get(stratum_text)
                    .copied()
                    .unwrap_or(BlockSlot::FIRST)
            } else {
                BlockSlot::FIRST
            };
            let mut marginal_counts = Vec::new();
            if is_minimisation {
                for (factor, level) in stratum.levels() {
                    let margin = (factor.clone(), level.clone());
                    // A margin not yet in the database has no allocations.
                    let counts = *margins.entry(margin).or_default();
                    marginal_counts.push(counts);
                }
            }
            let allocation = allocator
                .allocate(&spire_trial::AllocationInput {
                    allocation_number: allocation_count as u64,
                    stratum,
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
            if let Some(next) = allocation.next_block_slot {
                block_slots.insert(stratum_text.clone(), next);
                if !touched_slots.contains(stratum_text) {
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
            let head = signer.sign(TreeHead {
                trial_id: trial.public_id.clone(),
                size: frontier.len(),
                root: frontier.root(),
                time,
            });
            accesses.push((
                request,
                AccessAction::Create.code(),
                "trial allocation",
                None,
            ));
            // The allocation id comes from the insert below.
            let receipt = Receipt {
                allocation_id: 0,
                arm: allocation.arm.as_str().to_string(),
                ledger_index,
                stratum: stratum_text.clone(),
                leaf_hash: hex::encode(leaf_hash),
                tree_head: ReceiptHead {
                    size: head.head.size as i64,
                    root: hex::encode(head.head.root),
                    signature: hex::encode(head.signature),
                    time: time.unix_seconds,
                },
                allocated_at: time.unix_seconds,
                municipality_code: request.municipality,
            };
            entries.push(NewEntry {
                request,
                ledger_index,
                allocation_number: allocation_count,
                time,
                stratum: stratum_text,
                block: allocation.position.block,
                arm: allocation.arm,
                baseline,
                baseline_hash,
                leaf_hash,
                head,
            });
            ledger_size += 1;
            allocation_count += 1;
            last_time = time;
            by_subject.insert(subject_bytes.clone(), receipt.clone());
            if let Some(idempotency_key) = &request.idempotency_key {
                by_key.insert(
                    (scope.user_id, idempotency_key.clone()),
                    (subject_bytes.clone(), Some(receipt.clone()), ledger_index),
                );
            }
            Ok(Randomisation::Allocated(receipt))
        };
        outcomes.push(outcome);
    }

    Ok(Decisions {
        outcomes,
        screenings,
        accesses,
        entries,
        registered_decisions,
        touched_slots,
        block_slots,
        margin_deltas,
        ledger: drawing.map(|(_, _, frontier)| LedgerAfter {
            size: ledger_size,
            allocation_count,
            last_time,
            frontier,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use spire_domain::{Benefit, Readiness, Role};

    const SEED: [u8; 32] = [7; 32];

    fn key() -> ServerKey {
        ServerKey::from_hex(&"11".repeat(32)).unwrap()
    }

    fn locked(status: &str) -> LockedTrial {
        let key = key();
        LockedTrial {
            public_id: "t-2026".into(),
            status: status.into(),
            settings: String::new(),
            design_version: 1,
            key_ciphertext: key.encrypt(TRIAL_KEY_AAD, &[3; 32]),
            head_seed_ciphertext: key.encrypt(HEAD_SEED_AAD, &SEED),
            ledger_size: 0,
            allocation_count: 0,
            frontier: MerkleFrontier::new().to_bytes(),
            last_unix_seconds: 0,
            last_nanos: 0,
            log_version: 2,
        }
    }

    /// A request for the youth with this serial (distinct subjects).
    fn request(serial: u8, idempotency_key: Option<&str>, has_qualification: bool) -> Request {
        let today = time::OffsetDateTime::now_utc().date();
        Request {
            scope: Scope::new(9, Role::Caseworker, Some(265), "test"),
            key: key(),
            intake: Intake {
                cpr: crate::testing::cpr(serial.into()),
                first_name: "Ida".into(),
                last_name: "Hansen".into(),
                municipality_code: 265,
                benefit: Benefit::Kontanthjaelp,
                readiness: Readiness::Jobparat,
                has_qualification,
                strata: BTreeMap::new(),
                intake_date: today,
                already_registered_decision: None,
            },
            idempotency_key: idempotency_key.map(str::to_string),
            municipality: 265,
            subject_bytes: vec![serial; 32],
            subject: SubjectPseudonym([serial; 32]),
            at: None,
        }
    }

    fn run<'r>(
        trial: &LockedTrial,
        design: &Design,
        requests: &'r [Request],
        strata: &'r mut Vec<std::result::Result<(StratumKey, String), FieldError>>,
    ) -> Decisions<'r> {
        let settings = TrialSettings::default();
        *strata = requests
            .iter()
            .map(|r| stratum_for(design, &settings, &r.intake).map(|s| (s.clone(), s.to_string())))
            .collect();
        let now = UtcTime {
            unix_seconds: 1_790_000_000,
            nanos: 0,
        };
        decide(
            trial,
            design,
            1,
            &settings.eligibility(),
            requests,
            strata,
            Known::default(),
            now,
        )
        .unwrap()
    }

    fn receipt(outcome: &Result<Randomisation>) -> &Receipt {
        match outcome {
            Ok(
                Randomisation::Allocated(r)
                | Randomisation::Replayed(r)
                | Randomisation::AlreadyRandomised(r),
            ) => r,
            other => panic!("no receipt: {other:?}"),
        }
    }

    #[test]
    fn a_batch_allocates_in_order_each_entry_under_its_own_signed_head() {
        let design = Design::stratified_blocks("t-2026", &["municipality"]);
        let requests: Vec<_> = (1..=3).map(|n| request(n, None, false)).collect();
        let mut strata = Vec::new();
        let decided = run(&locked("open"), &design, &requests, &mut strata);
        let public_key = HeadSigner::from_seed(SEED).public_key();
        for (index, (outcome, entry)) in decided.outcomes.iter().zip(&decided.entries).enumerate() {
            assert!(matches!(outcome, Ok(Randomisation::Allocated(_))));
            assert_eq!(receipt(outcome).ledger_index, index as i64);
            assert_eq!(entry.head.head.size, index as u64 + 1);
            assert!(entry.head.verify(&public_key), "the head is signed");
        }
        let ledger = decided.ledger.expect("the ledger grew");
        assert_eq!((ledger.size, ledger.allocation_count), (3, 3));
        assert_eq!(ledger.frontier.root(), decided.entries[2].head.head.root);
        assert_eq!(decided.screenings.len(), 3);
        assert!(decided.screenings.iter().all(|s| s.4 == "randomised"));
    }

    #[test]
    fn the_same_youth_twice_in_one_batch_gets_the_first_allocation_again() {
        let design = Design::stratified_blocks("t-2026", &["municipality"]);
        let requests = [request(1, None, false), request(1, None, false)];
        let mut strata = Vec::new();
        let decided = run(&locked("open"), &design, &requests, &mut strata);
        assert!(matches!(
            decided.outcomes[1],
            Ok(Randomisation::AlreadyRandomised(_))
        ));
        assert_eq!(receipt(&decided.outcomes[0]), receipt(&decided.outcomes[1]));
        assert_eq!(decided.entries.len(), 1, "one draw");
        let outcomes: Vec<_> = decided.screenings.iter().map(|s| s.4).collect();
        assert_eq!(outcomes, ["randomised", "already_randomised"]);
    }

    #[test]
    fn a_retried_key_replays_and_the_same_key_for_someone_else_is_refused() {
        let design = Design::stratified_blocks("t-2026", &["municipality"]);
        let requests = [
            request(1, Some("k"), false),
            request(1, Some("k"), false),
            request(2, Some("k"), false),
        ];
        let mut strata = Vec::new();
        let decided = run(&locked("open"), &design, &requests, &mut strata);
        assert!(matches!(
            decided.outcomes[1],
            Ok(Randomisation::Replayed(_))
        ));
        assert_eq!(receipt(&decided.outcomes[0]), receipt(&decided.outcomes[1]));
        match &decided.outcomes[2] {
            Err(Error::Invalid(field)) => {
                assert_eq!(field.problem, Problem::IdempotencyKeyReused)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(decided.entries.len(), 1);
    }

    #[test]
    fn an_ineligible_youth_is_screened_out_without_a_draw() {
        let design = Design::stratified_blocks("t-2026", &["municipality"]);
        let requests = [request(1, None, true)];
        let mut strata = Vec::new();
        let decided = run(&locked("open"), &design, &requests, &mut strata);
        assert!(matches!(
            decided.outcomes[0],
            Ok(Randomisation::NotEligible(_))
        ));
        assert!(decided.entries.is_empty() && decided.ledger.is_none());
        assert_eq!(decided.screenings[0].4, "excluded");
    }

    #[test]
    fn a_closed_trial_allocates_nothing() {
        let design = Design::stratified_blocks("t-2026", &["municipality"]);
        let requests = [request(1, None, false)];
        let mut strata = Vec::new();
        let decided = run(&locked("closed"), &design, &requests, &mut strata);
        match &decided.outcomes[0] {
            Err(Error::Invalid(field)) => assert_eq!(field.problem, Problem::TrialClosed),
            other => panic!("{other:?}"),
        }
        assert!(decided.entries.is_empty() && decided.ledger.is_none());
    }

    #[test]
    fn minimisation_counts_every_allocation_into_its_margins() {
        let mut design = Design::stratified_blocks("t-2026", &["municipality"]);
        design.method = Method::Minimisation {
            weights: vec![1],
            imbalance: spire_trial::Imbalance::Range,
            preferred_probability: spire_trial::Probability::DEFAULT_PREFERRED,
        };
        let requests: Vec<_> = (1..=6).map(|n| request(n, None, false)).collect();
        let mut strata = Vec::new();
        let decided = run(&locked("open"), &design, &requests, &mut strata);
        assert_eq!(decided.margin_deltas.len(), 6);
        let programme: i64 = decided.margin_deltas.iter().map(|d| d.1).sum();
        let control: i64 = decided.margin_deltas.iter().map(|d| d.2).sum();
        assert_eq!(programme + control, 6);
        assert!(
            (programme - control).abs() <= 2,
            "minimisation keeps the arms close"
        );
        let arms: Vec<Arm> = decided.entries.iter().map(|e| e.arm).collect();
        let counted = arms.iter().filter(|a| **a == Arm::Programme).count() as i64;
        assert_eq!(counted, programme, "the margins count the drawn arms");
    }
}
