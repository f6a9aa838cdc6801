//! The trial in the store, on SQLite and (when `SPIRE_TEST_POSTGRES_URL` is
//! set) PostgreSQL: opening, screening, allocation, duplicates, idempotency,
//! the append-only guards, tampering, and many concurrent caseworkers.

use spire_domain::{Cpr, Ineligibility, Problem, Readiness, Role};
use spire_store::both_dbs;
use spire_store::testing::cpr;
use spire_store::{Db, Error, NewTrial, Randomisation, Scope, TrialSettings};
use spire_trial::Design;

#[path = "support/trial_setup.rs"]
mod trial_setup;
use trial_setup::*;

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
