//! The trial in the store, on SQLite and (when `SPIRE_TEST_POSTGRES_URL` is
//! set) PostgreSQL: opening, screening, allocation, duplicates, idempotency,
//! the append-only guards, tampering, and many concurrent caseworkers.

use spire_domain::TrialId;
use spire_domain::{Cpr, Ineligibility, Problem, Readiness, Role};
use spire_store::both_dbs;
use spire_store::testing::cpr;
use spire_store::{
    Db, Error, Intake, NewTrial, NewUser, Randomisation, Receipt, Scope, ServerKey, TrialSettings,
};
use spire_trial::Design;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

fn key() -> ServerKey {
    ServerKey::from_hex(&"22".repeat(32)).unwrap()
}

fn user(login: &str, role: Role, municipality: Option<i64>) -> NewUser {
    spire_store::testing::new_user(login, role, municipality)
}

fn intake(cpr: Cpr, municipality: i64) -> Intake {
    spire_store::testing::intake(cpr, municipality)
}

struct Setup {
    trial_id: TrialId,
    caseworkers: Vec<Scope>,
}

async fn setup(db: &Db, design: Design) -> Setup {
    let mut caseworkers = Vec::new();
    for (code, name) in [(265, "Roskilde"), (615, "Horsens")] {
        db.upsert_municipality(&spire_store::Actor::command("test"), code, name)
            .await
            .unwrap();
        let login = format!("case.{code}");
        let id = db
            .create_user(
                &spire_store::Actor::command("test"),
                &user(&login, Role::Caseworker, Some(code)),
            )
            .await
            .unwrap();
        caseworkers.push(Scope::new(id, Role::Caseworker, Some(code), "test"));
    }
    let opened = db
        .create_trial(
            &key(),
            &NewTrial {
                name: "Spire trial".into(),
                target_size: 1000,
                design,
                settings: TrialSettings::default(),
            },
            None,
        )
        .await
        .unwrap();
    Setup {
        trial_id: opened.id,
        caseworkers,
    }
}

fn allocated(outcome: Randomisation) -> Receipt {
    match outcome {
        Randomisation::Allocated(receipt) => receipt,
        other => panic!("expected a new allocation, got {other:?}"),
    }
}

async fn story(db: Db) {
    let key = key();
    let design =
        Design::stratified_blocks("spire-test", &["municipality", "age_band", "readiness"]);
    let Setup {
        trial_id,
        caseworkers,
    } = setup(&db, design.clone()).await;
    let (roskilde, horsens) = (&caseworkers[0], &caseworkers[1]);
    let trials = db.list_trials().await.unwrap();
    assert_eq!(trials.len(), 1);
    assert_eq!(trials[0].status, "open");
    let overview = db.trial_overview(trial_id).await.unwrap();
    let revealed = spire_store::testing::trial_key(&db, &key, trial_id)
        .await
        .unwrap();
    let head_key: [u8; 32] = hex::decode(&overview.head_public_key)
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(
        overview.commitment,
        hex::encode(spire_trial::commitment_v2(&revealed, &design, &head_key)),
        "the published commitment binds the stored key, the design and the head-signing key"
    );

    // Screening an ineligible youth: reasons, logged, nothing allocated.
    let mut too_old = intake(Cpr::parse("cpr", "010190-1235").unwrap(), 265);
    too_old.has_qualification = true;
    let screening = db
        .screen_for_trial(roskilde, &key, trial_id, &too_old)
        .await
        .unwrap();
    assert_eq!(
        screening.reasons,
        vec![Ineligibility::TooOld, Ineligibility::HasQualification]
    );
    assert_eq!(
        db.randomise(roskilde, &key, trial_id, &too_old, None)
            .await
            .unwrap(),
        Randomisation::NotEligible(vec![Ineligibility::TooOld, Ineligibility::HasQualification])
    );

    // An eligible youth is allocated, once, whoever asks again.
    let first = allocated(
        db.randomise(roskilde, &key, trial_id, &intake(cpr(1), 265), Some("k-1"))
            .await
            .unwrap(),
    );
    assert_eq!(first.ledger_index, 0);
    assert_eq!(first.tree_head.size, 1);
    assert!(first.stratum.starts_with("municipality=265,age_band="));
    assert_eq!(
        db.randomise(roskilde, &key, trial_id, &intake(cpr(1), 265), Some("k-1"))
            .await
            .unwrap(),
        Randomisation::Replayed(first.clone()),
        "the same idempotency key gives the same receipt"
    );
    assert_eq!(
        db.randomise(roskilde, &key, trial_id, &intake(cpr(1), 265), None)
            .await
            .unwrap(),
        Randomisation::AlreadyRandomised(first.clone()),
        "randomised again in the same municipality: the original allocation"
    );
    // Another municipality learns only that the youth is in the trial
    // elsewhere — no arm, no stratum — and both access logs show it.
    assert_eq!(
        db.randomise(horsens, &key, trial_id, &intake(cpr(1), 615), None)
            .await
            .unwrap(),
        Randomisation::RandomisedElsewhere,
        "a youth randomised in another municipality keeps the original allocation"
    );
    let screening = db
        .screen_for_trial(horsens, &key, trial_id, &intake(cpr(1), 615))
        .await
        .unwrap();
    assert!(screening.existing.is_none() && screening.elsewhere);
    for (municipality, criterion) in [
        (615, "cpr-found-elsewhere"),
        (265, "cpr-looked-up-from-elsewhere"),
    ] {
        let rows = spire_store::testing::count_sql(
            &db,
            &format!(
                "SELECT COUNT(*) FROM access_log WHERE municipality_code = {municipality} \
                 AND criterion = '{criterion}' AND user_id = {}",
                horsens.user_id()
            ),
        )
        .await;
        assert_eq!(rows, 2, "{criterion} in {municipality}'s access log");
    }
    match db
        .randomise(roskilde, &key, trial_id, &intake(cpr(2), 265), Some("k-1"))
        .await
    {
        Err(Error::Invalid(e)) => assert_eq!(e.problem, Problem::IdempotencyKeyReused),
        other => panic!("a reused key for another youth must be refused, got {other:?}"),
    }
    match db
        .randomise(roskilde, &key, trial_id, &intake(cpr(2), 615), None)
        .await
    {
        Err(Error::Invalid(e)) => assert_eq!(e.field, "municipality_code"),
        other => panic!("another municipality's youth must be refused, got {other:?}"),
    }
    for n in 2..20 {
        let scope = &caseworkers[(n % 2) as usize];
        let municipality = if n % 2 == 0 { 265 } else { 615 };
        allocated(
            db.randomise(scope, &key, trial_id, &intake(cpr(n), municipality), None)
                .await
                .unwrap(),
        );
    }

    // Take-up of the offer: programme arm only, own municipality, once.
    let pending = db.pending_take_up(roskilde, trial_id).await.unwrap();
    assert!(!pending.is_empty());
    let accepted = pending[0].allocation_id;
    // A colleague who randomised nobody sees no names or arms: no pending
    // offers, no receipt to reprint, no answer to record.
    let colleague = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("case2.265", Role::Caseworker, Some(265)),
        )
        .await
        .unwrap();
    let colleague = Scope::new(colleague, Role::Caseworker, Some(265), "test");
    assert!(
        db.pending_take_up(&colleague, trial_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        db.trial_receipt_in_scope(&colleague, trial_id, accepted.into())
            .await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        db.record_take_up(
            &colleague,
            &key,
            trial_id,
            accepted.into(),
            true,
            time::OffsetDateTime::now_utc().date()
        )
        .await,
        Err(Error::NotFound)
    ));
    let youth_id = db
        .record_take_up(
            roskilde,
            &key,
            trial_id,
            accepted.into(),
            true,
            time::OffsetDateTime::now_utc().date(),
        )
        .await
        .unwrap();
    let youth = db
        .get_youth(
            roskilde,
            spire_domain::YouthId::new(youth_id.expect("an accepted offer starts a course")),
        )
        .await;
    assert!(youth.is_ok(), "the youth is registered in the municipality");
    // The accepted offer opened the youth's course in the trial, with the
    // readiness recorded at intake.
    let consultant_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("consultant.265", Role::Consultant, Some(265)),
        )
        .await
        .unwrap();
    let consultant = Scope::new(consultant_id, Role::Consultant, Some(265), "test");
    let (course, _) = db
        .course(&consultant, spire_domain::YouthId::new(youth_id.unwrap()))
        .await
        .unwrap()
        .expect("a course");
    assert!(course.in_trial);
    assert_eq!(course.readiness, "aktivitetsparat");
    match db
        .record_take_up(
            roskilde,
            &key,
            trial_id,
            accepted.into(),
            false,
            time::OffsetDateTime::now_utc().date(),
        )
        .await
    {
        Err(Error::Invalid(e)) => assert_eq!(e.problem, Problem::TakeUpAlreadyRecorded),
        other => panic!("a second answer must be refused, got {other:?}"),
    }
    if let Some(declined) = pending.get(1) {
        db.record_take_up(
            roskilde,
            &key,
            trial_id,
            declined.allocation_id.into(),
            false,
            time::OffsetDateTime::now_utc().date(),
        )
        .await
        .unwrap();
    }
    assert!(matches!(
        db.record_take_up(
            horsens,
            &key,
            trial_id,
            accepted.into(),
            true,
            time::OffsetDateTime::now_utc().date()
        )
        .await,
        Err(Error::NotFound)
    ));
    // A control-arm youth gets no offer to answer.
    let evidence = db.trial_evidence(trial_id).await.unwrap();
    let control_index = evidence
        .rows
        .iter()
        .find(|row| match &row.leaf.entry {
            spire_trial::Entry::Allocation { arm, stratum, .. } => {
                *arm == spire_trial::Arm::Control && stratum.level("municipality") == Some("265")
            }
            _ => false,
        })
        .map(|row| row.leaf.ledger_index);
    if let Some(index) = control_index {
        let control_id = first.allocation_id + index as i64 - first.ledger_index;
        assert!(matches!(
            db.record_take_up(
                roskilde,
                &key,
                trial_id,
                control_id.into(),
                true,
                time::OffsetDateTime::now_utc().date()
            )
            .await,
            Err(Error::NotFound)
        ));
    }
    assert_eq!(
        db.pending_take_up(roskilde, trial_id).await.unwrap().len(),
        pending.len().saturating_sub(2)
    );

    let report = db.trial_report(trial_id).await.unwrap();
    let consort = &report.consort;
    assert_eq!(
        (
            consort.assessed,
            consort.excluded,
            consort.randomised,
            consort.programme + consort.control
        ),
        (20, 1, 19, 19)
    );
    assert_eq!(
        consort.excluded_by_reason,
        vec![
            ("too_old".to_string(), 1),
            ("has_qualification".to_string(), 1)
        ]
    );
    assert_eq!(report.by_municipality.len(), 2);
    assert_eq!(
        (consort.took_up, consort.declined),
        (1, i64::from(pending.len() > 1))
    );
    assert!(db.verify_trial(trial_id, None).await.unwrap().is_empty());
    assert_eq!(
        db.verify_trial(trial_id, Some(&revealed)).await.unwrap(),
        Vec::<String>::new()
    );

    // A receipt's inclusion proof checks against the signed head.
    let proof = db
        .trial_inclusion_proof(trial_id, first.allocation_id.into())
        .await
        .unwrap();
    let leaf: [u8; 32] = hex::decode(&first.leaf_hash).unwrap().try_into().unwrap();
    assert!(spire_trial::merkle::verify_inclusion(
        &leaf,
        0,
        proof.head.head.size,
        &proof.path,
        &proof.head.head.root
    ));

    // "Allocated in error": a new entry, nothing freed; only the programme office annotates.
    let office_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("office", Role::ProgrammeOffice, None),
        )
        .await
        .unwrap();
    db.create_user(
        &spire_store::Actor::command("test"),
        &user("statistician", Role::Researcher, None),
    )
    .await
    .unwrap();
    let office = Scope::new(office_id, Role::ProgrammeOffice, None, "test");
    assert!(matches!(
        db.annotate_allocation(
            roskilde,
            &key,
            trial_id,
            first.allocation_id.into(),
            "error"
        )
        .await,
        Err(Error::NotFound)
    ));
    let annotation = db
        .annotate_allocation(
            &office,
            &key,
            trial_id,
            first.allocation_id.into(),
            "allocated in error: registered twice",
        )
        .await
        .unwrap();
    assert_eq!(annotation, 19);
    assert_eq!(
        db.verify_trial(trial_id, Some(&revealed)).await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        db.trial_report(trial_id).await.unwrap().consort.randomised,
        19
    );
    let next = allocated(
        db.randomise(roskilde, &key, trial_id, &intake(cpr(40), 265), None)
            .await
            .unwrap(),
    );
    assert_eq!(next.ledger_index, 20, "the annotation took its own index");

    // The two-person reveal: two different, entitled people; it closes the trial.
    let office_row = db.user_by_login("office").await.unwrap();
    let statistician = db.user_by_login("statistician").await.unwrap();
    let caseworker_row = db.user_by_login("case.265").await.unwrap();
    assert!(matches!(
        db.reveal_trial_key(&key, trial_id, &office_row, &office_row)
            .await,
        Err(Error::Refused(_))
    ));
    assert!(matches!(
        db.reveal_trial_key(&key, trial_id, &office_row, &caseworker_row)
            .await,
        Err(Error::Refused(_))
    ));
    let key_out = db
        .reveal_trial_key(&key, trial_id, &office_row, &statistician)
        .await
        .unwrap();
    assert_eq!(key_out.to_hex(), revealed.to_hex());
    assert_eq!(db.list_trials().await.unwrap()[0].status, "closed");
    match db
        .randomise(roskilde, &key, trial_id, &intake(cpr(41), 265), None)
        .await
    {
        Err(Error::Invalid(e)) => assert_eq!(e.problem, Problem::TrialClosed),
        other => panic!("a closed trial allocates nobody, got {other:?}"),
    }
    assert!(
        db.verify_trial(trial_id, Some(&revealed))
            .await
            .unwrap()
            .is_empty()
    );

    // The research export: per-study pseudonyms, no direct identifiers, logged.
    let export = db
        .export_trial(
            &key,
            trial_id,
            "effect-2027",
            "University of Copenhagen",
            "main analysis",
        )
        .await
        .unwrap();
    assert_eq!(export.len(), 20);
    let again = db
        .export_trial(
            &key,
            trial_id,
            "effect-2027",
            "University of Copenhagen",
            "main analysis",
        )
        .await
        .unwrap();
    let other_study = db
        .export_trial(&key, trial_id, "take-up-2027", "VIVE", "take-up study")
        .await
        .unwrap();
    assert_eq!(
        export[0].pseudonym, again[0].pseudonym,
        "stable within a study"
    );
    assert_ne!(
        export[0].pseudonym, other_study[0].pseudonym,
        "unlinkable across studies"
    );
    assert!(export[0].annotated && !export[1].annotated);
    assert_eq!(export.iter().filter(|r| r.take_up == "accepted").count(), 1);
    let first_cpr = cpr(1).expose_digits();
    for row in &export {
        let text = format!("{row:?}");
        assert!(
            !text.contains(&first_cpr[..6]) && !text.contains("Hansen") && !text.contains("Ida")
        );
    }
    assert!(matches!(
        db.export_trial(&key, trial_id, "x", " ", "y").await,
        Err(Error::Invalid(_))
    ));

    // The database itself refuses to change or remove ledger rows.
    for sql in [
        "UPDATE trial_ledger SET arm = 'programme' WHERE ledger_index = 0",
        "DELETE FROM trial_ledger WHERE ledger_index = 18",
        "UPDATE trial_heads SET tree_size = 99 WHERE tree_size = 1",
        "DELETE FROM trial_heads",
        "DELETE FROM trial_baselines",
        "UPDATE trial_screenings SET eligible = eligible",
        "UPDATE trial_take_up SET accepted = NOT accepted",
        "DELETE FROM trial_take_up",
    ] {
        assert!(execute(&db, sql).await.is_err(), "{sql} was allowed");
    }

    // With the guard dropped, a changed arm and a deleted row are reported.
    match &db {
        Db::Sqlite(_) => {
            execute(&db, "DROP TRIGGER trial_ledger_no_update")
                .await
                .unwrap();
            execute(&db, "DROP TRIGGER trial_ledger_no_delete")
                .await
                .unwrap();
            execute(&db, "DROP TRIGGER trial_baselines_no_delete")
                .await
                .unwrap();
        }
        Db::Postgres(_) => {
            execute(&db, "DROP TRIGGER trial_ledger_append_only ON trial_ledger")
                .await
                .unwrap();
            execute(
                &db,
                "DROP TRIGGER trial_baselines_append_only ON trial_baselines",
            )
            .await
            .unwrap();
        }
    }
    execute(
        &db,
        "UPDATE trial_ledger SET arm = CASE WHEN arm = 'programme' THEN 'control' ELSE 'programme' END WHERE ledger_index = 3",
    )
    .await
    .unwrap();
    let findings = db.verify_trial(trial_id, None).await.unwrap();
    assert!(
        findings.iter().any(|f| f.starts_with("index 3:")),
        "{findings:?}"
    );
    execute(
        &db,
        "DELETE FROM trial_baselines WHERE ledger_id = (SELECT id FROM trial_ledger WHERE ledger_index = 20)",
    )
    .await
    .unwrap();
    execute(&db, "DELETE FROM trial_ledger WHERE ledger_index = 20")
        .await
        .unwrap();
    let findings = db.verify_trial(trial_id, None).await.unwrap();
    assert!(
        findings.iter().any(|f| f.contains("21")),
        "a removed last entry is still covered by a signed head: {findings:?}"
    );
    // An index moved far out, and a block offset beyond 32 bits (which a
    // truncating read would turn back into the signed value): reported, and
    // verify neither walks to the far index nor reserves room for it.
    execute(
        &db,
        "UPDATE trial_ledger SET ledger_index = 1000000000000 WHERE ledger_index = 5",
    )
    .await
    .unwrap();
    execute(
        &db,
        "UPDATE trial_ledger SET block_offset = block_offset + 4294967296 WHERE ledger_index = 6",
    )
    .await
    .unwrap();
    let findings = db.verify_trial(trial_id, None).await.unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("index 1000000000000:")),
        "{findings:?}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("index 6: the block offset") && f.contains("out of range")),
        "{findings:?}"
    );
    db.close().await;
}

async fn execute(db: &Db, sql: &'static str) -> Result<(), sqlx::Error> {
    spire_store::testing::try_exec_sql(db, sql).await
}

both_dbs!(trial_story, story);

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

/// Complete randomisation and minimisation through the store: the pure
/// verifier replays every allocation from the key, so the stored state the
/// allocator read (allocation numbers, margins) was right.
async fn every_design_replays(db: Db) {
    let key = key();
    let minimisation = Design {
        trial_id: "spire-minimisation".into(),
        version: 1,
        ratio: spire_trial::Ratio {
            programme: 2,
            control: 1,
        },
        factors: vec!["municipality".into(), "readiness".into(), "gender".into()],
        method: spire_trial::Method::Minimisation {
            weights: vec![2, 1, 1],
            imbalance: spire_trial::Imbalance::Variance,
            preferred_probability: spire_trial::Probability::DEFAULT_PREFERRED,
        },
    };
    let Setup {
        trial_id,
        caseworkers,
    } = setup(&db, minimisation).await;
    let complete = db
        .create_trial(
            &key,
            &NewTrial {
                name: "Complete".into(),
                target_size: 100,
                design: Design {
                    trial_id: "spire-complete".into(),
                    version: 1,
                    ratio: spire_trial::Ratio::EQUAL,
                    factors: vec!["age_band".into()],
                    method: spire_trial::Method::Complete,
                },
                settings: TrialSettings::default(),
            },
            None,
        )
        .await
        .unwrap()
        .id;
    for n in 0..60u32 {
        let (scope, municipality) = if n % 3 == 0 {
            (&caseworkers[1], 615)
        } else {
            (&caseworkers[0], 265)
        };
        let mut youth = intake(cpr(n), municipality);
        youth.readiness = Readiness::ALL[(n % 4) as usize];
        for trial in [trial_id, complete] {
            allocated(
                db.randomise(scope, &key, trial, &youth, None)
                    .await
                    .unwrap(),
            );
        }
    }
    for trial in [trial_id, complete] {
        let revealed = spire_store::testing::trial_key(&db, &key, trial)
            .await
            .unwrap();
        assert_eq!(
            db.verify_trial(trial, Some(&revealed)).await.unwrap(),
            Vec::<String>::new()
        );
    }
    let report = db.trial_report(trial_id).await.unwrap();
    // 2:1 minimisation follows its ratio (40:20 expected; a fresh random key
    // each run, so a margin, not an exact count: 1:1 would give about 30).
    assert!(
        (report.consort.programme - 40).abs() <= 7,
        "{:?}",
        report.consort
    );
    db.close().await;
}

both_dbs!(every_design_replays, every_design_replays);

/// A strata amendment: randomise under version 1, amend to version 2 (a
/// ledger entry with the new design's digest), randomise more under version
/// 2, and the ledger verifies without and with the revealed key. A closed
/// trial or an invalid design is refused.
async fn amendment(db: Db) {
    let key = key();
    let design = Design::stratified_blocks("spire-amend", &["municipality", "readiness"]);
    let Setup {
        trial_id,
        caseworkers,
    } = setup(&db, design.clone()).await;
    for n in 0..10u32 {
        let youth = intake(cpr(n), 265);
        allocated(
            db.randomise(&caseworkers[0], &key, trial_id, &youth, None)
                .await
                .unwrap(),
        );
    }
    // Invalid designs are refused and leave the trial as it was.
    let bad_ratio = Design {
        ratio: spire_trial::Ratio {
            programme: 0,
            control: 1,
        },
        ..design.clone()
    };
    let unknown_factor = Design::stratified_blocks("spire-amend", &["municipality", "school"]);
    let other_trial = Design::stratified_blocks("no-such-trial", &["municipality"]);
    for bad in [bad_ratio, unknown_factor, other_trial] {
        match db.amend_trial_design(&key, &bad, "cli", None).await {
            Err(Error::InvalidTrial(reason)) => assert!(!reason.contains('\n'), "{reason}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(db.trial_design(trial_id).await.unwrap().version, 1);

    // Amend: the age band joins the strata.
    let amended =
        Design::stratified_blocks("spire-amend", &["municipality", "readiness", "age_band"]);
    let (version, amendment_index) = db
        .amend_trial_design(&key, &amended, "cli", Some("age band added to the strata"))
        .await
        .unwrap();
    assert_eq!((version, amendment_index), (2, 10));
    let in_force = db.trial_design(trial_id).await.unwrap();
    assert_eq!(in_force.version, 2);
    assert_eq!(in_force.factors, amended.factors);
    let head = db.trial_head(trial_id, None).await.unwrap().unwrap();
    assert_eq!(head.head.size, 11, "the amendment has its signed head");

    let mut later = Vec::new();
    for n in 10..20u32 {
        let youth = intake(cpr(n), 615);
        let receipt = allocated(
            db.randomise(&caseworkers[1], &key, trial_id, &youth, None)
                .await
                .unwrap(),
        );
        assert!(receipt.stratum.contains("age_band="), "{}", receipt.stratum);
        later.push(receipt);
    }
    assert_eq!(later[0].ledger_index, 11, "no index is skipped or reused");

    let evidence = db.trial_evidence(trial_id).await.unwrap();
    assert_eq!(evidence.rows.len(), 21);
    let amendment = &evidence.rows[10].leaf;
    assert_eq!(amendment.design_version, 2);
    // A log-version-2 trial seals the amendment's digest under the trial key,
    // so that its public leaf hash cannot be matched against guessed designs.
    let trial_key = spire_store::testing::trial_key(&db, &key, trial_id)
        .await
        .unwrap();
    let version_2 = Design {
        version: 2,
        ..amended.clone()
    };
    assert_eq!(
        amendment.entry,
        spire_trial::Entry::Amendment {
            design_digest: version_2.sealed_digest(&trial_key)
        }
    );
    assert_ne!(version_2.sealed_digest(&trial_key), version_2.digest());
    for (index, row) in evidence.rows.iter().enumerate() {
        let expected = if index < 10 { 1 } else { 2 };
        assert_eq!(row.leaf.design_version, expected, "index {index}");
    }
    assert_eq!(evidence.designs.len(), 2);
    assert_eq!(
        db.verify_trial(trial_id, None).await.unwrap(),
        Vec::<String>::new()
    );
    let revealed = spire_store::testing::trial_key(&db, &key, trial_id)
        .await
        .unwrap();
    assert_eq!(
        db.verify_trial(trial_id, Some(&revealed)).await.unwrap(),
        Vec::<String>::new()
    );

    // After the reveal the trial is closed: no more amendments.
    for (login, role) in [
        ("office", Role::ProgrammeOffice),
        ("statistician", Role::Researcher),
    ] {
        db.create_user(
            &spire_store::Actor::command("test"),
            &user(login, role, None),
        )
        .await
        .unwrap();
    }
    let first = db.user_by_login("office").await.unwrap();
    let second = db.user_by_login("statistician").await.unwrap();
    let revealed = db
        .reveal_trial_key(&key, trial_id, &first, &second)
        .await
        .unwrap();
    let again = Design::stratified_blocks("spire-amend", &["municipality"]);
    match db.amend_trial_design(&key, &again, "cli", None).await {
        Err(Error::InvalidTrial(reason)) => assert!(reason.contains("closed"), "{reason}"),
        other => panic!("a closed trial is not amended, got {other:?}"),
    }
    assert_eq!(
        db.verify_trial(trial_id, Some(&revealed)).await.unwrap(),
        Vec::<String>::new()
    );
    db.close().await;
}

both_dbs!(amendment, amendment);

fn minimisation(trial_id: &str, factors: &[&str], weights: Vec<u32>) -> Design {
    Design {
        trial_id: trial_id.into(),
        version: 1,
        ratio: spire_trial::Ratio::EQUAL,
        factors: factors.iter().map(|f| f.to_string()).collect(),
        method: spire_trial::Method::Minimisation {
            weights,
            imbalance: spire_trial::Imbalance::Range,
            preferred_probability: spire_trial::Probability::DEFAULT_PREFERRED,
        },
    }
}

/// A minimisation trial amended mid-way (a factor added, weights changed):
/// the allocations before and after replay from the key, the marginal
/// imbalance stays small, and the ledger has no gap.
async fn minimisation_amendment(db: Db) {
    let key = key();
    let Setup {
        trial_id,
        caseworkers,
    } = setup(
        &db,
        minimisation(
            "spire-min-amend",
            &["municipality", "readiness"],
            vec![1, 1],
        ),
    )
    .await;
    let mut arms = Vec::new();
    let randomise = async |n: u32, arms: &mut Vec<String>| {
        let (scope, code) = if n.is_multiple_of(3) {
            (&caseworkers[1], 615)
        } else {
            (&caseworkers[0], 265)
        };
        let receipt = allocated(
            db.randomise(scope, &key, trial_id, &intake(cpr(n), code), None)
                .await
                .unwrap(),
        );
        arms.push(receipt.arm.clone());
        receipt
    };
    for n in 0..30 {
        randomise(n, &mut arms).await;
    }
    let amended = minimisation(
        "spire-min-amend",
        &["municipality", "readiness", "age_band"],
        vec![2, 1, 1],
    );
    let (version, amendment_index) = db
        .amend_trial_design(&key, &amended, "cli", Some("age band added"))
        .await
        .unwrap();
    assert_eq!((version, amendment_index), (2, 30));
    for n in 30..60 {
        let receipt = randomise(n, &mut arms).await;
        assert!(receipt.stratum.contains("age_band="), "{}", receipt.stratum);
        assert_eq!(
            receipt.ledger_index,
            n as i64 + 1,
            "no index skipped or reused"
        );
    }
    let programme = arms.iter().filter(|arm| *arm == "programme").count() as i64;
    // A fresh random key each run: a margin, not an exact count (the pure
    // crate's property tests bound minimisation's imbalance).
    assert!(
        (programme - (arms.len() as i64 - programme)).abs() <= 10,
        "minimisation keeps the arms close: {programme} of {}",
        arms.len()
    );
    let revealed = spire_store::testing::trial_key(&db, &key, trial_id)
        .await
        .unwrap();
    assert_eq!(
        db.verify_trial(trial_id, Some(&revealed)).await.unwrap(),
        Vec::<String>::new()
    );
    db.close().await;
}

both_dbs!(minimisation_amendment, minimisation_amendment);

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
