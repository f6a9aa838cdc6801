//! The evaluation in the store, on SQLite and (when `SPIRE_TEST_POSTGRES_URL`
//! is set) PostgreSQL: who may evaluate, the plan locked once and before any
//! import, outcome files joined by study pseudonym (all or nothing), newer
//! imports superseding older values, and the evidence tables append-only.

use spire_domain::{Benefit, FieldError, Problem, Readiness, Role};
use spire_evaluation::outcomes::ImportProblem;
use spire_evaluation::plan::{AnalysisPlan, Estimator, Family, FixedEffects, PlannedOutcome};
use spire_store::both_dbs;
use spire_store::testing::cpr;
use spire_store::{Db, Error, Intake, NewTrial, Randomisation, Scope, ServerKey, TrialSettings};
use spire_trial::Design;
use std::collections::BTreeMap;

fn key() -> ServerKey {
    ServerKey::from_hex(&"44".repeat(32)).unwrap()
}

async fn scope(db: &Db, login: &str, role: Role, municipality: Option<i64>) -> Scope {
    let id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &spire_store::testing::new_user(login, role, municipality),
        )
        .await
        .unwrap();
    Scope::new(id, role, municipality, "test")
}

fn plan() -> AnalysisPlan {
    AnalysisPlan {
        trial: String::new(),
        study: "store-test".into(),
        outcomes: vec![PlannedOutcome {
            name: "employed".into(),
            horizons_months: vec![6, 12],
        }],
        covariates: vec!["age".into()],
        subgroups: vec![],
        estimator: Estimator::Ols,
        fixed_effects: FixedEffects::Municipality,
        family: Family::Holm,
        alpha: 0.05,
        ri_draws: 99,
        seed: 1,
        target_mde_sd: 0.3,
    }
}

async fn execute(db: &Db, sql: &'static str) -> Result<(), sqlx::Error> {
    spire_store::testing::try_exec_sql(db, sql).await
}

async fn story(db: Db) {
    let key = key();
    spire_store::testing::roskilde_and_horsens(&db).await;
    let caseworkers = [
        scope(&db, "case.265", Role::Caseworker, Some(265)).await,
        scope(&db, "case.615", Role::Caseworker, Some(615)).await,
    ];
    let researcher = scope(&db, "forsker", Role::Researcher, None).await;
    let office = scope(&db, "office", Role::ProgrammeOffice, None).await;
    let consultant = scope(&db, "ida.265", Role::Consultant, Some(265)).await;
    let trial_id = db
        .create_trial(
            &key,
            &NewTrial {
                name: "Evaluated".into(),
                target_size: 100,
                design: Design::stratified_blocks("eval-test", &["municipality"]),
                settings: TrialSettings::default(),
            },
            None,
        )
        .await
        .unwrap()
        .id;
    for n in 0..40u32 {
        let (code, scope) = if n % 2 == 0 {
            (265, &caseworkers[0])
        } else {
            (615, &caseworkers[1])
        };
        let intake = Intake {
            cpr: cpr(n),
            first_name: "Ida".into(),
            last_name: "Hansen".into(),
            municipality_code: code,
            benefit: Benefit::Kontanthjaelp,
            readiness: Readiness::Aktivitetsparat,
            has_qualification: false,
            strata: BTreeMap::new(),
            intake_date: time::OffsetDateTime::now_utc().date(),
            already_registered_decision: None,
        };
        let outcome = db
            .randomise(scope, &key, trial_id, &intake, None)
            .await
            .unwrap();
        assert!(matches!(outcome, Randomisation::Allocated(_)));
    }

    // Only researchers and the programme office evaluate; others are told nothing exists.
    assert!(matches!(
        db.evaluation_plan(&consultant, trial_id).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        db.lock_evaluation_plan(&consultant, trial_id, &plan())
            .await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        db.evaluation_data(&caseworkers[0], trial_id).await,
        Err(Error::NotFound)
    ));

    // No import before the plan is locked.
    let refused = db
        .import_outcomes(
            &researcher,
            &key,
            trial_id,
            "early.csv",
            b"pseudonym,employed_6m\n",
        )
        .await;
    assert!(matches!(
        refused,
        Err(Error::Invalid(FieldError {
            field: "plan",
            problem: Problem::PlanNotLocked,
            ..
        }))
    ));

    let mut bad = plan();
    bad.outcomes[0].horizons_months = vec![];
    assert!(matches!(
        db.lock_evaluation_plan(&researcher, trial_id, &bad).await,
        Err(Error::Invalid(FieldError {
            field: "outcomes",
            problem: Problem::OutcomeHorizon,
            ..
        }))
    ));
    let locked = db
        .lock_evaluation_plan(&researcher, trial_id, &plan())
        .await
        .unwrap();
    let bound = AnalysisPlan {
        trial: "eval-test".into(),
        ..plan()
    };
    assert_eq!(
        locked.digest,
        hex::encode(bound.digest()),
        "the hash binds the trial id"
    );
    assert_eq!(locked.plan.trial, "eval-test");
    assert_eq!(locked.locked_by, "Name of forsker");
    assert!(matches!(
        db.lock_evaluation_plan(&researcher, trial_id, &plan())
            .await,
        Err(Error::Invalid(FieldError {
            field: "plan",
            problem: Problem::PlanAlreadyLocked,
            ..
        }))
    ));
    assert_eq!(
        db.evaluation_plan(&office, trial_id)
            .await
            .unwrap()
            .unwrap()
            .digest,
        locked.digest
    );

    // The researcher's export gives the pseudonyms the outcome file is keyed by.
    let rows = db
        .export_trial(&key, trial_id, "store-test", "forsker", "test")
        .await
        .unwrap();
    assert_eq!(rows.len(), 40);
    let mut file = String::from("pseudonym;employed_6m\n");
    for (i, row) in rows.iter().enumerate() {
        let value = if i == 3 {
            String::new()
        } else {
            format!("{},5", i % 2)
        };
        file.push_str(&format!("{};{value}\n", row.pseudonym));
    }
    // A file with one bad line stores nothing.
    let mut broken = file.clone();
    broken.push_str("0102031234;1\n");
    let refused = db
        .import_outcomes(&researcher, &key, trial_id, "broken.csv", broken.as_bytes())
        .await;
    assert!(matches!(
        refused,
        Err(Error::Import(ImportProblem::UnknownPseudonym { line: 42 }))
    ));
    assert!(
        db.outcome_imports(&researcher, trial_id)
            .await
            .unwrap()
            .is_empty()
    );

    let first = db
        .import_outcomes(&researcher, &key, trial_id, "first.csv", file.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        (first.row_count, first.columns.as_str()),
        (40, "employed_6m")
    );
    let data = db.evaluation_data(&office, trial_id).await.unwrap();
    assert_eq!(data.units.len(), 40);
    let values = &data.outcomes["employed_6m"];
    for (i, (unit, row)) in data.units.iter().zip(&rows).enumerate() {
        assert_eq!(
            unit.programme,
            row.arm == "programme",
            "units in export order"
        );
        assert_eq!(unit.municipality_code, row.municipality_code);
        if i == 3 {
            assert!(values[i].is_nan(), "an empty cell is missing");
        } else {
            assert_eq!(values[i], (i % 2) as f64 + 0.5);
        }
    }
    assert!(!data.outcomes.contains_key("employed_12m"));

    // A later file supersedes one value; both imports stay on record.
    let update = format!(
        "pseudonym,employed_6m,employed_12m\n{},1,0\n",
        rows[3].pseudonym
    );
    // The programme office watches; only researchers lock plans and import.
    assert!(matches!(
        db.import_outcomes(&office, &key, trial_id, "update.csv", update.as_bytes())
            .await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        db.lock_evaluation_plan(&office, trial_id, &plan()).await,
        Err(Error::NotFound)
    ));
    db.import_outcomes(&researcher, &key, trial_id, "update.csv", update.as_bytes())
        .await
        .unwrap();
    let data = db.evaluation_data(&researcher, trial_id).await.unwrap();
    assert_eq!(data.outcomes["employed_6m"][3], 1.0);
    assert_eq!(data.outcomes["employed_6m"][4], 0.5);
    assert_eq!(
        data.outcomes["employed_12m"]
            .iter()
            .filter(|v| !v.is_nan())
            .count(),
        1
    );
    let imports = db.outcome_imports(&researcher, trial_id).await.unwrap();
    assert_eq!(
        imports
            .iter()
            .map(|i| i.file_name.as_str())
            .collect::<Vec<_>>(),
        ["first.csv", "update.csv"]
    );
    assert_eq!(imports[0].file_sha256().len(), 64);

    // The plan and the outcomes are evidence: the database refuses changes.
    for sql in [
        "UPDATE evaluation_plans SET document = '{}'",
        "DELETE FROM evaluation_plans",
        "UPDATE evaluation_outcomes SET value = 1",
        "DELETE FROM evaluation_outcomes",
        "DELETE FROM evaluation_imports",
    ] {
        assert!(execute(&db, sql).await.is_err(), "{sql} was allowed");
    }
}

both_dbs!(evaluation_story, story);
