//! Nobody enters the programme around an open trial, on SQLite and
//! PostgreSQL: a control-arm young person cannot be registered directly nor
//! given a course; a programme-arm one enters through the offer; anyone else
//! registered directly says why they are outside the target group (an age
//! reason is checked against the CPR number); screening flags a young person
//! already registered, whose draw needs the programme's recorded decision;
//! and a crossover, decided by the team lead with a reason, is counted in
//! CONSORT and as participation in the evaluation's data.

use spire_domain::eligibility::OutsideTrial;
use spire_domain::{AllocationId, Problem, Role};
use spire_store::testing::{count_sql, cpr, intake, new_user, try_exec_sql};
use spire_store::{
    Db, Error, NewTrial, NewYouth, Randomisation, Receipt, Scope, ServerKey, TrialSettings,
    both_dbs,
};
use spire_trial::Design;

fn key() -> ServerKey {
    ServerKey::from_hex(&"33".repeat(32)).unwrap()
}

async fn scope(db: &Db, login: &str, role: Role, municipality: Option<i64>) -> Scope {
    let id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &new_user(login, role, municipality),
        )
        .await
        .unwrap();
    Scope::new(id, role, municipality, "test")
}

fn youth(n: u32, outside_trial: Option<OutsideTrial>) -> NewYouth {
    NewYouth {
        cpr: cpr(n),
        first_name: format!("Ung{n}"),
        last_name: "Test".into(),
        phone: None,
        email: None,
        interests: String::new(),
        strengths: String::new(),
        consultant_id: None,
        user_id: None,
        outside_trial,
    }
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

fn refused_at(result: Result<impl std::fmt::Debug, Error>, field: &str, problem: Problem) {
    match result {
        Err(Error::Invalid(error)) => {
            assert_eq!((error.field, error.problem), (field, problem), "{error:?}")
        }
        other => panic!("expected {field}: {problem:?}, got {other:?}"),
    }
}

async fn story(db: Db) {
    let key = key();
    spire_store::testing::roskilde_and_horsens(&db).await;
    let caseworker = scope(&db, "case.265", Role::Caseworker, Some(265)).await;
    let consultant = scope(&db, "kons.265", Role::Consultant, Some(265)).await;
    let lead = scope(&db, "lead.265", Role::TeamLead, Some(265)).await;
    let horsens = scope(&db, "case.615", Role::Caseworker, Some(615)).await;
    let researcher = scope(&db, "forsker", Role::Researcher, None).await;

    // Before any trial, a registration needs no reason.
    let mut registered_before = Vec::new();
    for n in 900..910 {
        registered_before.push(
            db.create_youth(&caseworker, &key, &youth(n, None))
                .await
                .unwrap(),
        );
    }
    assert_eq!(db.open_trial_age_band(&caseworker).await.unwrap(), None);

    // A trial open in Roskilde only.
    let trial = db
        .create_trial(
            &key,
            &NewTrial {
                name: "Roskilde trial".into(),
                target_size: 100,
                design: Design::stratified_blocks("integrity-test", &["municipality"]),
                settings: TrialSettings {
                    municipalities: vec![265],
                    ..TrialSettings::default()
                },
            },
            None,
        )
        .await
        .unwrap()
        .id;
    let band = db.open_trial_age_band(&caseworker).await.unwrap();
    assert_eq!(band, Some((18, 29)), "the form shows the trial's age band");
    assert_eq!(db.open_trial_age_band(&horsens).await.unwrap(), None);

    // Draw until both arms have someone.
    let (mut programme, mut control): (Option<(u32, Receipt)>, Option<(u32, Receipt)>) =
        (None, None);
    for n in 0..40u32 {
        let outcome = db
            .randomise(&caseworker, &key, trial, &intake(cpr(n), 265), None)
            .await
            .unwrap();
        let Randomisation::Allocated(receipt) = outcome else {
            panic!("a new allocation")
        };
        if receipt.arm == "programme" {
            programme.get_or_insert((n, receipt));
        } else {
            control.get_or_insert((n, receipt));
        }
        if programme.is_some() && control.is_some() {
            break;
        }
    }
    let ((programme_n, _), (control_n, control_receipt)) = (programme.unwrap(), control.unwrap());

    // Direct registration: refused for either arm, whatever reason is given.
    refused_at(
        db.create_youth(
            &consultant,
            &key,
            &youth(control_n, Some(OutsideTrial::Benefit)),
        )
        .await,
        "cpr",
        Problem::TrialControlArm,
    );
    refused_at(
        db.create_youth(
            &consultant,
            &key,
            &youth(programme_n, Some(OutsideTrial::Benefit)),
        )
        .await,
        "cpr",
        Problem::TrialProgrammeArm,
    );
    // Not drawn: a reason is needed, and "age" is checked against the CPR
    // number (the test's numbers are 19–28 years old, inside 18–29).
    refused_at(
        db.create_youth(&consultant, &key, &youth(500, None)).await,
        "outside_trial",
        Problem::OutsideTrialReasonNeeded,
    );
    refused_at(
        db.create_youth(&consultant, &key, &youth(500, Some(OutsideTrial::Age)))
            .await,
        "outside_trial",
        Problem::InsideTrialAgeBand,
    );
    let outside = db
        .create_youth(
            &consultant,
            &key,
            &youth(500, Some(OutsideTrial::Other("Bor på krisecenter".into()))),
        )
        .await
        .unwrap();
    assert_eq!(
        count_sql(
            &db,
            &format!(
                "SELECT COUNT(*) FROM youth WHERE id = {} AND outside_trial = 'other: Bor på krisecenter'",
                outside.get()
            )
        )
        .await,
        1,
        "the reason is kept with the registration"
    );
    // Horsens has no open trial: no reason asked.
    db.create_youth(&horsens, &key, &youth(600, None))
        .await
        .unwrap();

    // Screening flags a young person already registered in the programme;
    // the draw needs the programme's decision, recorded before the draw.
    let screening = db
        .screen_for_trial(&caseworker, &key, trial, &intake(cpr(500), 265))
        .await
        .unwrap();
    assert!(screening.already_registered, "{screening:?}");
    let fresh = db
        .screen_for_trial(&caseworker, &key, trial, &intake(cpr(501), 265))
        .await
        .unwrap();
    assert!(!fresh.already_registered);
    refused_at(
        db.randomise(&caseworker, &key, trial, &intake(cpr(500), 265), None)
            .await,
        "already_registered_decision",
        Problem::AlreadyRegisteredDecisionNeeded,
    );
    let mut decided = intake(cpr(500), 265);
    decided.already_registered_decision = Some("Startede før forsøget; trækkes med".into());
    let Randomisation::Allocated(drawn) = db
        .randomise(&caseworker, &key, trial, &decided, None)
        .await
        .unwrap()
    else {
        panic!("drawn with the decision")
    };
    // The decision is kept with its draw, in the same transaction, and the
    // young person's access log shows it.
    assert_eq!(
        count_sql(
            &db,
            &format!(
                "SELECT COUNT(*) FROM trial_decisions WHERE kind = 'already_registered' \
                 AND ledger_index = {} AND reason = 'Startede før forsøget; trækkes med'",
                drawn.ledger_index
            )
        )
        .await,
        1
    );
    assert_eq!(
        count_sql(
            &db,
            "SELECT COUNT(*) FROM access_log WHERE youth_id IS NOT NULL \
             AND criterion = 'trial decision: already registered'"
        )
        .await,
        1
    );

    // Registered before the trial, drawn (by decision) to control: no course.
    let mut decisions = 1;
    let mut refused_course = false;
    for (n, id) in (900..910).zip(&registered_before) {
        let mut decided = intake(cpr(n), 265);
        decided.already_registered_decision = Some("Registreret før forsøget".into());
        decisions += 1;
        let Randomisation::Allocated(receipt) = db
            .randomise(&caseworker, &key, trial, &decided, None)
            .await
            .unwrap()
        else {
            panic!("a new allocation")
        };
        let course = db
            .open_course(&consultant, *id, spire_domain::Readiness::Jobparat, today())
            .await;
        if receipt.arm == "control" {
            refused_at(course, "youth_id", Problem::TrialControlArm);
            refused_course = true;
            break;
        }
        course.unwrap();
    }
    assert!(refused_course, "one of ten drawn to control");

    // The crossover: the team lead only, control arm only, once, with a reason.
    let allocation = AllocationId::new(control_receipt.allocation_id);
    let today = today();
    assert!(matches!(
        db.record_crossover(&caseworker, &key, trial, allocation, "x", today)
            .await,
        Err(Error::NotFound)
    ));
    refused_at(
        db.record_crossover(&lead, &key, trial, allocation, "  ", today)
            .await,
        "reason",
        Problem::Required,
    );
    // The course cannot start before the draw.
    refused_at(
        db.record_crossover(
            &lead,
            &key,
            trial,
            allocation,
            "Akut behov",
            time::macros::date!(2020 - 01 - 01),
        )
        .await,
        "start_date",
        Problem::DateBeforeAllocation,
    );
    // Kept for good: never a CPR number.
    refused_at(
        db.record_crossover(
            &lead,
            &key,
            trial,
            allocation,
            "Flyttet, se 010203 -- 4101",
            today,
        )
        .await,
        "reason",
        Problem::ContainsCpr,
    );
    let rows = db.control_allocations(&lead).await.unwrap();
    assert!(
        rows.iter()
            .any(|r| r.allocation_id == allocation.get() && r.crossover_reason.is_none())
    );
    let crossed = db
        .record_crossover(
            &lead,
            &key,
            trial,
            allocation,
            "Psykologens vurdering: akut behov",
            today,
        )
        .await
        .unwrap();
    refused_at(
        db.record_crossover(&lead, &key, trial, allocation, "igen", today)
            .await,
        "allocation_id",
        Problem::CrossoverAlreadyRecorded,
    );
    let report = db.trial_report(trial).await.unwrap();
    assert_eq!(report.consort.crossed_over, 1);
    assert_eq!(report.consort.already_registered, decisions);
    let rows = db.control_allocations(&lead).await.unwrap();
    let row = rows
        .iter()
        .find(|r| r.allocation_id == allocation.get())
        .unwrap();
    assert_eq!(
        (row.crossover_reason.as_deref(), row.crossover_by.as_deref()),
        (
            Some("Psykologens vurdering: akut behov"),
            Some("Name of lead.265")
        )
    );
    // The crossed-over young person is registered with a course in the trial.
    assert_eq!(
        count_sql(
            &db,
            &format!("SELECT COUNT(*) FROM courses WHERE youth_id = {crossed} AND in_trial")
        )
        .await,
        1
    );
    // The evaluation counts them as taking part (non-compliance in control).
    let data = db.evaluation_data(&researcher, trial).await.unwrap();
    let unit = data
        .units
        .iter()
        .find(|u| u.ledger_index == control_receipt.ledger_index)
        .unwrap();
    assert!(!unit.programme && unit.took_up, "a crossover takes part");
    assert_eq!(
        data.units
            .iter()
            .filter(|u| !u.programme && u.took_up)
            .count(),
        1
    );
    // Decisions are evidence: never changed, never removed.
    assert!(
        try_exec_sql(&db, "UPDATE trial_decisions SET reason = 'x'")
            .await
            .is_err()
    );
    assert!(
        try_exec_sql(&db, "DELETE FROM trial_decisions")
            .await
            .is_err()
    );
    db.close().await;
}

both_dbs!(trial_integrity, story);
