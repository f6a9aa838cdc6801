//! Amending a trial's strata in the store, on SQLite and (when
//! `SPIRE_TEST_POSTGRES_URL` is set) PostgreSQL: the amendment entry, the
//! design versions, the sealed digest of log version 2, and minimisation
//! margins across versions.

#[path = "support/trial_setup.rs"]
mod trial_setup;

use spire_domain::Role;
use spire_store::testing::cpr;
use spire_store::{Db, Error, both_dbs};
use spire_trial::Design;
use trial_setup::*;

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
