//! Many caseworkers at once in the store, on SQLite and (when
//! `SPIRE_TEST_POSTGRES_URL` is set) PostgreSQL: concurrent randomisations
//! with duplicates and retries, and requests sharing one group commit.

#[path = "support/trial_setup.rs"]
mod trial_setup;

use spire_domain::{Ineligibility, Problem};
use spire_store::testing::cpr;
use spire_store::{Db, Error, Randomisation, Receipt, both_dbs};
use spire_trial::Design;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use trial_setup::*;

const CLIENTS: u32 = 32;
const REQUESTS_PER_CLIENT: u32 = 200;

/// 32 caseworkers × 200 requests at once: fresh youth, youth another client
/// already randomised, and retries with the same idempotency key.
async fn concurrency(db: Db) {
    let key = key();
    let design = Design::stratified_blocks("spire-load", &["municipality", "age_band"]);
    let Setup {
        trial_id,
        caseworkers,
    } = setup(&db, design).await;
    let db = Arc::new(db);
    let started = std::time::Instant::now();
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (db, key) = (db.clone(), key.clone());
        let scope = caseworkers[(client % 2) as usize].clone();
        let municipality = if client % 2 == 0 { 265 } else { 615 };
        clients.push(tokio::spawn(async move {
            let mut seen: Vec<(u32, Randomisation)> = Vec::new();
            let mut previous: Option<(u32, String)> = None;
            for request in 0..REQUESTS_PER_CLIENT {
                let (n, idempotency_key) = match (request % 10, &previous) {
                    // A retry of the previous request, same key.
                    (3, Some((n, k))) => (*n, k.clone()),
                    // A youth some other client of the same municipality
                    // randomises too (duplicate CPR).
                    (7, _) => (
                        1_000_000 + (client % 2) * 100_000 + request,
                        format!("{client}-{request}"),
                    ),
                    _ => (client * 10_000 + request, format!("{client}-{request}")),
                };
                let outcome = db
                    .randomise(
                        &scope,
                        &key,
                        trial_id,
                        &intake(cpr(n), municipality),
                        Some(&idempotency_key),
                    )
                    .await
                    .unwrap();
                previous = Some((n, idempotency_key));
                seen.push((n, outcome));
            }
            seen
        }));
    }
    let mut receipts_by_youth: HashMap<u32, Receipt> = HashMap::new();
    let mut new_allocations = 0usize;
    for client in clients {
        for (n, outcome) in client.await.unwrap() {
            let (receipt, is_new) = match outcome {
                Randomisation::Allocated(r) => (r, true),
                Randomisation::Replayed(r) | Randomisation::AlreadyRandomised(r) => (r, false),
                other => panic!("neither new nor the original: {other:?}"),
            };
            new_allocations += usize::from(is_new);
            if let Some(earlier) = receipts_by_youth.get(&n) {
                assert_eq!(
                    earlier.allocation_id, receipt.allocation_id,
                    "youth {n} got two allocations"
                );
            } else {
                receipts_by_youth.insert(n, receipt);
            }
        }
    }
    let elapsed = started.elapsed();
    println!(
        "concurrency on {}: {new_allocations} allocations from {} requests in {elapsed:?}",
        db.kind(),
        CLIENTS * REQUESTS_PER_CLIENT
    );
    assert_eq!(new_allocations, receipts_by_youth.len());
    let indexes: HashSet<i64> = receipts_by_youth.values().map(|r| r.ledger_index).collect();
    assert_eq!(indexes.len(), new_allocations, "two youth share a slot");
    assert_eq!(
        indexes,
        (0..new_allocations as i64).collect(),
        "the ledger has gaps"
    );
    let evidence = db.trial_evidence(trial_id).await.unwrap();
    assert_eq!(evidence.rows.len(), new_allocations);
    for receipt in receipts_by_youth.values() {
        let row = &evidence.rows[receipt.ledger_index as usize];
        assert_eq!(hex::encode(row.stored_leaf_hash), receipt.leaf_hash);
    }
    let revealed = spire_store::testing::trial_key(&db, &key, trial_id)
        .await
        .unwrap();
    assert_eq!(evidence.findings(Some(&revealed)), Vec::<String>::new());
    // `verify` reads a large ledger in chunks, two at a time: read in chunks
    // of 97 indexes, the rows come back whole and in ledger order.
    let chunked = spire_store::testing::trial_evidence_in_chunks(&db, trial_id, 97)
        .await
        .unwrap();
    let leaves = |e: &spire_store::TrialEvidence| -> Vec<[u8; 32]> {
        e.rows.iter().map(|row| row.stored_leaf_hash).collect()
    };
    assert_eq!(leaves(&chunked), leaves(&evidence));
    assert!(
        chunked
            .rows
            .iter()
            .enumerate()
            .all(|(i, row)| row.leaf.ledger_index == i as u64)
    );
    assert_eq!(chunked.findings(Some(&revealed)), Vec::<String>::new());
    db.close().await;
}

both_dbs!(concurrent_randomisations, concurrency, multi_thread);

/// Requests that share one transaction (group commit) keep their own answers:
/// all of them are queued before the first batch starts, on a single-threaded
/// runtime, so they land in the same batch.
async fn one_batch(db: Db) {
    let key = key();
    let design = Design::stratified_blocks("spire-batch", &["municipality", "age_band"]);
    let Setup {
        trial_id,
        caseworkers,
    } = setup(&db, design).await;
    let roskilde = &caseworkers[0];
    let mut ineligible = intake(cpr(40), 265);
    ineligible.has_qualification = true;
    let [y41, y42, y43, y44] = [41, 42, 43, 44].map(|n| intake(cpr(n), 265));
    let (fresh, twice, again, same_key, reused_key, not_eligible, other) = tokio::join!(
        db.randomise(roskilde, &key, trial_id, &y41, Some("b-1")),
        db.randomise(roskilde, &key, trial_id, &y42, Some("b-2")),
        // The same youth again, under another key: the first one's allocation.
        db.randomise(roskilde, &key, trial_id, &y42, Some("b-3")),
        // A retry of the first request: replayed.
        db.randomise(roskilde, &key, trial_id, &y41, Some("b-1")),
        // The first request's key for someone else: refused, alone.
        db.randomise(roskilde, &key, trial_id, &y43, Some("b-1")),
        db.randomise(roskilde, &key, trial_id, &ineligible, Some("b-4")),
        db.randomise(roskilde, &key, trial_id, &y44, None),
    );
    let fresh = allocated(fresh.unwrap());
    let twice = allocated(twice.unwrap());
    let other = allocated(other.unwrap());
    assert_eq!(
        [fresh.ledger_index, twice.ledger_index, other.ledger_index],
        [0, 1, 2]
    );
    assert_eq!(
        again.unwrap(),
        Randomisation::AlreadyRandomised(twice.clone())
    );
    assert_eq!(same_key.unwrap(), Randomisation::Replayed(fresh.clone()));
    match reused_key {
        Err(Error::Invalid(e)) => assert_eq!(e.problem, Problem::IdempotencyKeyReused),
        other => panic!("expected the reused key to be refused, got {other:?}"),
    }
    assert_eq!(
        not_eligible.unwrap(),
        Randomisation::NotEligible(vec![Ineligibility::HasQualification])
    );
    // The answers are what the database holds.
    for receipt in [&fresh, &twice, &other] {
        assert_eq!(
            db.trial_receipt(trial_id, receipt.allocation_id.into())
                .await
                .unwrap(),
            *receipt
        );
        assert_eq!(receipt.tree_head.size, receipt.ledger_index + 1);
    }
    let evidence = db.trial_evidence(trial_id).await.unwrap();
    assert_eq!(evidence.rows.len(), 3);
    let revealed = spire_store::testing::trial_key(&db, &key, trial_id)
        .await
        .unwrap();
    assert_eq!(evidence.findings(Some(&revealed)), Vec::<String>::new());
    db.close().await;
}

both_dbs!(one_batch, one_batch);
