//! CPR look-ups that find young people of another municipality, on SQLite
//! and PostgreSQL alike: only "elsewhere" is said, both municipalities'
//! access logs keep the look-up, and after ten in a day the user looks up
//! no more CPR numbers (registering, screening or randomising) while their
//! team lead sees them.

use spire_domain::Problem;
use spire_domain::Role;
use spire_store::testing::{cpr, new_user, roskilde_and_horsens};
use spire_store::{
    Actor, Db, ELSEWHERE_PER_DAY, Error, NewTrial, NewYouth, Scope, ServerKey, TrialSettings,
    both_dbs,
};
use spire_trial::Design;

fn youth(n: u32) -> NewYouth {
    NewYouth {
        cpr: cpr(n),
        first_name: "Ida".into(),
        last_name: "Hansen".into(),
        phone: None,
        email: None,
        interests: String::new(),
        strengths: String::new(),
        consultant_id: None,
        user_id: None,
        outside_trial: None,
    }
}

fn problem<T: std::fmt::Debug>(result: Result<T, Error>) -> Problem {
    match result {
        Err(Error::Invalid(e)) => {
            assert_eq!(e.field, "cpr");
            e.problem
        }
        other => panic!("expected a refusal at the CPR field, got {other:?}"),
    }
}

async fn scope(db: &Db, login: &str, role: Role, municipality: i64) -> Scope {
    let id = db
        .create_user(
            &Actor::command("test"),
            &new_user(login, role, Some(municipality)),
        )
        .await
        .unwrap();
    Scope::new(id, role, Some(municipality), "test")
}

async fn story(db: Db) {
    let key = ServerKey::from_hex(&"55".repeat(32)).unwrap();
    roskilde_and_horsens(&db).await;
    let roskilde = scope(&db, "case.roskilde", Role::Caseworker, 265).await;
    let horsens = scope(&db, "case.horsens", Role::Caseworker, 615).await;
    let roskilde_lead = scope(&db, "lead.roskilde", Role::TeamLead, 265).await;
    let horsens_lead = scope(&db, "lead.horsens", Role::TeamLead, 615).await;
    let mut roskilde_youth = Vec::new();
    for n in 1..=12 {
        roskilde_youth.push(db.create_youth(&roskilde, &key, &youth(n)).await.unwrap());
    }

    // A Horsens caseworker registering Roskilde's youth is told only that
    // they belong elsewhere, ten times; then no CPR look-up at all is done.
    for n in 1..=ELSEWHERE_PER_DAY as u32 {
        assert_eq!(
            problem(db.create_youth(&horsens, &key, &youth(n)).await),
            Problem::CprElsewhere
        );
    }
    assert_eq!(
        problem(db.create_youth(&horsens, &key, &youth(11)).await),
        Problem::CprLookupLimit
    );
    assert_eq!(
        problem(db.create_youth(&horsens, &key, &youth(500)).await),
        Problem::CprLookupLimit,
        "a fresh CPR number too: the limit is on the user, not the answer"
    );

    // The young person's own municipality sees who looked them up.
    let extract = db
        .access_log_for_youth(&roskilde_lead, roskilde_youth[0])
        .await
        .unwrap();
    assert!(extract.iter().any(|e| e.user_login == "case.horsens"
        && e.criterion.as_deref() == Some("cpr-looked-up-from-elsewhere")));
    // Horsens's team lead is alerted; Roskilde's has nothing to see.
    let alerts = db.cpr_lookup_alerts(&horsens_lead).await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        (alerts[0].login.as_str(), alerts[0].found),
        ("case.horsens", ELSEWHERE_PER_DAY)
    );
    assert!(
        db.cpr_lookup_alerts(&roskilde_lead)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        db.cpr_lookup_alerts(&horsens).await,
        Err(Error::NotFound)
    ));

    // The trial too: at the limit, screening and randomising are refused
    // before any look-up; Roskilde's caseworker is not affected.
    let trial = db
        .create_trial(
            &key,
            &NewTrial {
                name: "Spire trial".into(),
                target_size: 100,
                design: Design::stratified_blocks("spire-elsewhere", &["municipality"]),
                settings: TrialSettings::default(),
            },
            None,
        )
        .await
        .unwrap()
        .id;
    let intake = |n: u32, municipality: i64| spire_store::testing::intake(cpr(n), municipality);
    assert_eq!(
        problem(
            db.screen_for_trial(&horsens, &key, trial, &intake(600, 615))
                .await
        ),
        Problem::CprLookupLimit
    );
    assert_eq!(
        problem(
            db.randomise(&horsens, &key, trial, &intake(600, 615), None)
                .await
        ),
        Problem::CprLookupLimit
    );
    assert!(
        db.randomise(&roskilde, &key, trial, &intake(700, 265), None)
            .await
            .is_ok()
    );

    // Another Horsens caseworker: a young person registered in Roskilde is
    // Roskilde's to bring to the draw, and one drawn in Roskilde cannot be
    // registered in Horsens — told only "elsewhere", never the arm.
    let other = scope(&db, "case2.horsens", Role::Caseworker, 615).await;
    assert_eq!(
        problem(
            db.randomise(&other, &key, trial, &intake(2, 615), None)
                .await
        ),
        Problem::CprElsewhere
    );
    assert_eq!(
        problem(db.create_youth(&other, &key, &youth(700)).await),
        Problem::CprElsewhere
    );
    assert_eq!(
        spire_store::testing::count_sql(
            &db,
            "SELECT COUNT(*) FROM access_log a JOIN users u ON u.id = a.user_id \
             WHERE u.login = 'case2.horsens' AND a.municipality_code = 265 \
             AND a.criterion = 'cpr-looked-up-from-elsewhere'"
        )
        .await,
        2,
        "Roskilde's access log shows both look-ups"
    );
}

both_dbs!(cpr_elsewhere, story);
