//! An event from plan to internship, on SQLite and PostgreSQL alike:
//! invitations, youth, the rotation grid from the engine and a move by hand
//! with its check, rankings and marks, the match (youth-proposing deferred
//! acceptance) with explanations, an override, the company's calls with the
//! phone number shown only from the match on, an agreed call planning the
//! internship within the law, one-time log-in codes — and who may see what.

use spire_domain::eligibility::Readiness;
use spire_domain::event::CallOutcome;
use spire_domain::{CallId, CompanyId, Cvr, Problem, Role, YouthId};
use spire_matching::{Outcome, Reason};
use spire_store::testing::cpr;
use spire_store::{
    CallUpdate, Db, Error, LoginCodeOutcome, NewCompany, NewEvent, NewInternship, NewUser,
    NewYouth, Scope, SeatMove, ServerKey, both_dbs,
};
use time::Duration;
use time::macros::time;

fn user(login: &str, role: Role, municipality: Option<i64>, company: Option<i64>) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: format!("Name of {login}"),
        password: "correct horse battery".into(),
        role,
        municipality_code: municipality,
        company_id: company,
    }
}

fn problem<T: std::fmt::Debug>(result: Result<T, Error>) -> Vec<(&'static str, Problem)> {
    match result {
        Err(Error::Invalid(e)) => vec![(e.field, e.problem)],
        Err(Error::InvalidFields(list)) => list.into_iter().map(|e| (e.field, e.problem)).collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn not_found<T: std::fmt::Debug>(result: Result<T, Error>) {
    assert!(
        matches!(result, Err(Error::NotFound)),
        "expected not found, got {result:?}"
    );
}

fn youth(n: u32, first: &str, interests: &str, consultant: i64, login: Option<i64>) -> NewYouth {
    NewYouth {
        cpr: cpr(n),
        first_name: first.into(),
        last_name: "Holm".into(),
        phone: Some(format!("+45 20 00 00 0{n}")),
        email: None,
        interests: interests.into(),
        strengths: String::new(),
        consultant_id: Some(consultant),
        user_id: login,
        outside_trial: None,
    }
}

fn today() -> time::Date {
    spire_domain::network::copenhagen_date(time::OffsetDateTime::now_utc())
}

async fn story(db: Db) {
    let key = ServerKey::from_hex(&"44".repeat(32)).unwrap();
    spire_store::testing::roskilde_and_horsens(&db).await;
    let consultant_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("ida.roskilde", Role::Consultant, Some(265), None),
        )
        .await
        .unwrap();
    let horsens_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("bo.horsens", Role::Consultant, Some(615), None),
        )
        .await
        .unwrap();
    let staff = Scope::new(consultant_id, Role::Consultant, Some(265), "t");
    let horsens = Scope::new(horsens_id, Role::Consultant, Some(615), "t");
    let sara_user = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("sara.holm", Role::Youth, Some(265), None),
        )
        .await
        .unwrap();
    let sara_scope = Scope::new(sara_user, Role::Youth, Some(265), "t");
    let company = |name: &str, cvr: &str, industry: &str| NewCompany {
        cvr: Cvr::parse("cvr", cvr).unwrap(),
        name: name.into(),
        industry: industry.into(),
        address: None,
    };
    let cafe = db
        .create_company(
            &staff,
            &company("Café Holm", "10150817", "Hotel og restauration"),
        )
        .await
        .unwrap();
    let carpenter = db
        .create_company(&staff, &company("Tømrer Berg", "25313763", "Byggeri"))
        .await
        .unwrap();
    let outsider = db
        .create_company(
            &staff,
            &company("Lager Nord", "30060946", "Transport og lager"),
        )
        .await
        .unwrap();
    let cafe_user = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user(
                "karin.cafe",
                Role::CompanyContact,
                Some(265),
                Some(cafe.get()),
            ),
        )
        .await
        .unwrap();
    db.add_company_contact(&staff, cafe, "Karin", None, None, None, Some(cafe_user))
        .await
        .unwrap();
    let carpenter_user = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user(
                "per.berg",
                Role::CompanyContact,
                Some(265),
                Some(carpenter.get()),
            ),
        )
        .await
        .unwrap();
    let cafe_scope = Scope::new(cafe_user, Role::CompanyContact, Some(265), "t");
    let carpenter_scope = Scope::new(carpenter_user, Role::CompanyContact, Some(265), "t");
    for c in [cafe, carpenter] {
        db.join_network(&staff, c, today() - Duration::days(30))
            .await
            .unwrap();
    }
    let sara = db
        .create_youth(
            &staff,
            &key,
            &youth(
                1,
                "Sara",
                "køkken og mad, byggeri",
                consultant_id,
                Some(sara_user),
            ),
        )
        .await
        .unwrap();
    let mads = db
        .create_youth(
            &staff,
            &key,
            &youth(2, "Mads", "byggeri, café", consultant_id, None),
        )
        .await
        .unwrap();
    let ali = db
        .create_youth(
            &staff,
            &key,
            &youth(3, "Ali", "mad, maling", consultant_id, None),
        )
        .await
        .unwrap();
    db.open_course(
        &staff,
        ali,
        Readiness::Jobparat,
        today() - Duration::days(60),
    )
    .await
    .unwrap();

    // Planning: every problem of the form at once.
    let mut new = NewEvent {
        title: "NExTWORK-event forår".into(),
        date: today(),
        time: time!(13:00),
        place: "Ungehuset".into(),
        rounds: 0,
        meetings_per_youth: 2,
        ranking_deadline: today() - Duration::days(1),
        facilitators: vec![consultant_id],
    };
    let fields: Vec<_> = problem(db.create_event(&staff, &new).await)
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(fields, ["rounds", "ranking_deadline"]);
    new.rounds = 3;
    new.ranking_deadline = today() + Duration::days(7);
    // A facilitator of another team is refused at the form's own field.
    let elsewhere = NewEvent {
        facilitators: vec![consultant_id, horsens_id],
        ..new.clone()
    };
    assert_eq!(
        problem(db.create_event(&staff, &elsewhere).await),
        [("facilitator_id", Problem::UnknownConsultant)]
    );
    let event = db.create_event(&staff, &new).await.unwrap();
    not_found(db.event(&horsens, event).await);
    not_found(db.event(&sara_scope, event).await);
    not_found(db.event(&cafe_scope, event).await);

    // Invitations: from the company network only; answers from the company.
    assert_eq!(
        problem(db.invite_company(&staff, event, outsider, 1).await),
        [("company_id", Problem::NotInNetwork)]
    );
    assert_eq!(
        problem(db.invite_company(&staff, event, cafe, 9).await),
        [("tables", Problem::OutOfRange)]
    );
    db.invite_company(&staff, event, cafe, 1).await.unwrap();
    db.invite_company(&staff, event, carpenter, 1)
        .await
        .unwrap();
    db.answer_invitation(&cafe_scope, event, None, true, 1)
        .await
        .unwrap();
    db.answer_invitation(&staff, event, Some(carpenter), true, 1)
        .await
        .unwrap();
    assert_eq!(
        problem(
            db.answer_invitation(&staff, event, Some(outsider), true, 1)
                .await
        ),
        [("company_id", Problem::NotInvited)]
    );
    let seen_by_cafe = db.event(&cafe_scope, event).await.unwrap();
    assert_eq!(
        seen_by_cafe.companies.len(),
        1,
        "a company sees its own invitation"
    );
    assert_eq!(seen_by_cafe.companies[0].status, "accepted");

    // The youth, and the grid from the engine.
    for (y, host) in [(sara, true), (mads, false), (ali, false)] {
        db.add_event_youth(&staff, event, y, host).await.unwrap();
    }
    not_found(db.add_event_youth(&horsens, event, sara, false).await);
    assert_eq!(
        problem(
            db.add_event_youth(&staff, event, YouthId::new(999_999), false)
                .await
        ),
        [("youth_id", Problem::UnknownYouth)]
    );
    let issues = db.generate_grid(&staff, event).await.unwrap();
    assert!(
        issues.is_empty(),
        "everyone meets both companies: {issues:?}"
    );
    let detail = db.event(&staff, event).await.unwrap();
    assert_eq!(
        detail.grid.len(),
        6,
        "3 youth × 2 companies, 3 rounds of 2 tables"
    );
    assert!(detail.grid_issues.is_empty());
    for y in [sara, mads, ali] {
        let mut met: Vec<i64> = detail
            .grid
            .iter()
            .filter(|s| s.youth_id == y.get())
            .map(|s| s.company_id)
            .collect();
        met.sort();
        assert_eq!(
            met,
            [cafe.get(), carpenter.get()],
            "nobody meets a company twice"
        );
    }

    // A move by hand that breaks things is refused with what it breaks, then
    // saved when the organiser accepts it.
    let sara_at_cafe = detail
        .grid
        .iter()
        .find(|s| s.youth_id == sara.get() && s.company_id == cafe.get())
        .unwrap();
    let to_carpenter = SeatMove {
        youth: sara,
        round: sara_at_cafe.round + 1,
        company: carpenter,
        table: 1,
    };
    let breaks = db
        .move_seat(&staff, event, to_carpenter, false)
        .await
        .unwrap();
    let kinds: Vec<&str> = breaks.iter().map(|b| b.kind).collect();
    assert!(kinds.contains(&"met_twice"), "{kinds:?}");
    assert_eq!(
        db.event(&staff, event).await.unwrap().grid,
        detail.grid,
        "nothing saved"
    );
    assert_eq!(
        problem(
            db.move_seat(
                &staff,
                event,
                SeatMove {
                    table: 2,
                    ..to_carpenter
                },
                false
            )
            .await
        ),
        [("table", Problem::OutOfRange)]
    );
    db.move_seat(&staff, event, to_carpenter, true)
        .await
        .unwrap();
    let moved = db.event(&staff, event).await.unwrap();
    assert!(moved.grid_issues.iter().any(|i| i.kind == "met_twice"));
    assert!(moved.grid_log[0].breaks.contains("met_twice"));
    db.generate_grid(&staff, event).await.unwrap();

    // A company sees its own tables and the youth at them by first name.
    let seen_by_cafe = db.event(&cafe_scope, event).await.unwrap();
    assert!(seen_by_cafe.grid.iter().all(|s| s.company_id == cafe.get()));
    assert_eq!(seen_by_cafe.youth.len(), 3);
    assert!(seen_by_cafe.youth.iter().all(|y| y.last_name.is_empty()));
    let seen_by_sara = db.event(&sara_scope, event).await.unwrap();
    assert!(seen_by_sara.grid.iter().all(|s| s.youth_id == sara.get()));
    assert_eq!(seen_by_sara.youth.len(), 1);

    // Before the match, no company has anyone's phone number.
    assert!(db.calls(&cafe_scope, None).await.unwrap().is_empty());

    // Choices: only companies met, each once.
    assert_eq!(
        problem(
            db.rank_companies(&sara_scope, event, None, &[outsider])
                .await
        ),
        [("companies", Problem::NotMet)]
    );
    assert_eq!(
        problem(
            db.rank_companies(&sara_scope, event, None, &[cafe, cafe])
                .await
        ),
        [("companies", Problem::ChosenTwice)]
    );
    db.rank_companies(&sara_scope, event, None, &[cafe, carpenter])
        .await
        .unwrap();
    db.rank_companies(&staff, event, Some(mads), &[carpenter, cafe])
        .await
        .unwrap();
    db.rank_companies(&staff, event, Some(ali), &[cafe, carpenter])
        .await
        .unwrap();
    assert_eq!(
        db.youth_choices(&sara_scope, event, None)
            .await
            .unwrap()
            .chosen,
        [cafe.get(), carpenter.get()]
    );
    assert_eq!(
        problem(db.mark_youth(&cafe_scope, event, None, &[ali], 21).await),
        [("places", Problem::OutOfRange)]
    );
    db.mark_youth(&cafe_scope, event, None, &[ali, sara, mads], 1)
        .await
        .unwrap();
    db.mark_youth(&carpenter_scope, event, None, &[sara, mads], 1)
        .await
        .unwrap();

    // The match: Ali gets the café (it ranked Ali first), Sara her second
    // choice, Mads nothing this time — and each is told why.
    not_found(db.run_match(&cafe_scope, event).await);
    db.run_match(&staff, event).await.unwrap();
    let first_calls = db.calls(&staff, Some(event)).await.unwrap();
    db.run_match(&staff, event).await.unwrap();
    assert_eq!(
        db.calls(&staff, Some(event))
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        first_calls.iter().map(|c| c.id).collect::<Vec<_>>(),
        "a run that gives the same pairs keeps their calls"
    );
    let result = db.match_result(&staff, event).await.unwrap().unwrap();
    assert!(result.stable);
    let line = |y: YouthId| result.lines.iter().find(|l| l.youth_id == y.get()).unwrap();
    assert_eq!(line(ali).company_id, Some(cafe.get()));
    assert_eq!(line(sara).company_id, Some(carpenter.get()));
    assert_eq!(line(mads).company_id, None);
    let sara_why = line(sara).explanation.clone().unwrap();
    assert!(matches!(
        sara_why.outcome,
        Outcome::Matched { choice: 2, .. }
    ));
    assert_eq!(
        sara_why.better_choices[0].reason,
        Reason::FilledByHigherRanked { places: 1 }
    );
    let own = db.match_result(&sara_scope, event).await.unwrap().unwrap();
    assert_eq!(own.lines.len(), 1, "a youth sees their own result only");
    not_found(db.match_result(&cafe_scope, event).await);
    assert_eq!(
        problem(
            db.rank_companies(&sara_scope, event, None, &[carpenter])
                .await
        ),
        [("choices", Problem::CallsRecorded)],
        "the choices close when the match has run"
    );

    // The app's result is the engine's on the exported preferences.
    let export = db.event_preferences(&staff, event).await.unwrap();
    assert_eq!(export.youth.len(), 3);
    not_found(db.event_preferences(&cafe_scope, event).await);

    // The calls: the café sees Ali's first name and phone, nothing of Sara's.
    let cafe_calls = db.calls(&cafe_scope, None).await.unwrap();
    assert_eq!(cafe_calls.len(), 1);
    assert_eq!(cafe_calls[0].first_name, "Ali");
    assert_eq!(cafe_calls[0].phone.as_deref(), Some("+45 20 00 00 03"));
    let carpenter_calls = db.calls(&carpenter_scope, None).await.unwrap();
    assert_eq!(carpenter_calls.len(), 1);
    not_found(
        db.record_call(
            &cafe_scope,
            CallId::new(carpenter_calls[0].id),
            &CallUpdate {
                outcome: CallOutcome::Reached,
                note: String::new(),
                internship: None,
            },
        )
        .await,
    );

    // An override is logged with its reason and marks the result unstable.
    assert_eq!(
        problem(
            db.override_match(&staff, event, mads, Some(cafe), " ")
                .await
        ),
        [("reason", Problem::Required)]
    );
    db.override_match(
        &staff,
        event,
        mads,
        Some(cafe),
        "Mads starter hos caféen i weekenderne",
    )
    .await
    .unwrap();
    let result = db.match_result(&staff, event).await.unwrap().unwrap();
    assert!(!result.stable, "the café now has more youth than places");
    assert!(matches!(
        result.instability,
        Some(spire_matching::Instability::OverCapacity {
            capacity: 1,
            matched: 2,
            ..
        })
    ));
    let mads_line = result
        .lines
        .iter()
        .find(|l| l.youth_id == mads.get())
        .unwrap();
    assert_eq!(mads_line.company_id, Some(cafe.get()));
    assert!(mads_line.override_reason.is_some());
    assert_eq!(db.calls(&cafe_scope, None).await.unwrap().len(), 2);

    // An agreed call plans the internship within the law.
    let call = CallId::new(cafe_calls[0].id);
    let plan = |hours: f64| NewInternship {
        youth: YouthId::new(0),
        company: CompanyId::new(0),
        contact_id: None,
        function: "Køkkenhjælp".into(),
        start: today() + Duration::days(14),
        end: today() + Duration::days(41),
        hours_per_week: hours,
        schedule: String::new(),
    };
    let agreed = |hours: f64| CallUpdate {
        outcome: CallOutcome::Agreed,
        note: "Starter om to uger".into(),
        internship: Some(plan(hours)),
    };
    assert_eq!(
        problem(db.record_call(&cafe_scope, call, &agreed(45.0)).await),
        [("hours_per_week", Problem::HoursOverLimit)]
    );
    let internship = db
        .record_call(&cafe_scope, call, &agreed(30.0))
        .await
        .unwrap()
        .expect("an agreed call plans the internship");
    let week = db.consultant_week(&staff, today()).await.unwrap();
    assert!(
        week.items
            .iter()
            .any(|i| i.detail == "event_internship" && i.internship_id == Some(internship.get())),
        "the consultant has a task to complete the internship"
    );
    let planned = db.youth_internships(&staff, ali).await.unwrap();
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0].id, internship.get());
    assert_eq!(planned[0].status, "planned");
    assert_eq!(
        problem(db.record_call(&cafe_scope, call, &agreed(30.0)).await),
        [("outcome", Problem::CallRecorded)]
    );
    assert_eq!(
        problem(db.override_match(&staff, event, ali, None, "ændret").await),
        [("youth_id", Problem::CallRecorded)]
    );
    assert_eq!(
        problem(db.run_match(&staff, event).await),
        [("match", Problem::CallsRecorded)]
    );

    // A municipality's own conversation cards; empty is the default deck again.
    assert_eq!(db.conversation_deck(&staff).await.unwrap(), None);
    db.set_conversation_deck(&staff, "Hvad laver du om mandagen?\n\nHvem hjalp dig?")
        .await
        .unwrap();
    assert_eq!(
        db.conversation_deck(&staff).await.unwrap().unwrap(),
        ["Hvad laver du om mandagen?", "Hvem hjalp dig?"]
    );
    assert_eq!(db.conversation_deck(&horsens).await.unwrap(), None);
    assert_eq!(
        problem(db.set_conversation_deck(&staff, &"kort\n".repeat(61)).await),
        [("cards", Problem::TooManyCards)]
    );
    not_found(db.set_conversation_deck(&cafe_scope, "x").await);
    db.set_conversation_deck(&staff, "").await.unwrap();
    assert_eq!(db.conversation_deck(&staff).await.unwrap(), None);

    // A one-time code: Mads gets a login, uses the code once; guessing stops.
    let code = db.create_login_code(&staff, mads).await.unwrap();
    not_found(db.create_login_code(&horsens, mads).await);
    for _ in 0..10 {
        assert!(matches!(
            db.redeem_login_code("00000-00000", "10.0.0.9", "t")
                .await
                .unwrap(),
            LoginCodeOutcome::Wrong
        ));
    }
    assert!(matches!(
        db.redeem_login_code(&code.code, "10.0.0.9", "t")
            .await
            .unwrap(),
        LoginCodeOutcome::Blocked
    ));
    let typed = code.code.to_lowercase().replace('-', " ");
    let LoginCodeOutcome::Success(mads_login) =
        db.redeem_login_code(&typed, "10.0.0.7", "t").await.unwrap()
    else {
        panic!("the code logs Mads in");
    };
    assert_eq!(mads_login.role(), Role::Youth);
    assert!(matches!(
        db.redeem_login_code(&code.code, "10.0.0.7", "t")
            .await
            .unwrap(),
        LoginCodeOutcome::Wrong
    ));
    let mads_scope = Scope::new(mads_login.id, Role::Youth, Some(265), "t");
    let seen_by_mads = db.event(&mads_scope, event).await.unwrap();
    assert!(seen_by_mads.grid.iter().all(|s| s.youth_id == mads.get()));
    let second = db.create_login_code(&staff, mads).await.unwrap();
    let third = db.create_login_code(&staff, mads).await.unwrap();
    assert!(
        matches!(
            db.redeem_login_code(&second.code, "10.0.0.8", "t")
                .await
                .unwrap(),
            LoginCodeOutcome::Wrong
        ),
        "a new code ends the earlier one"
    );
    assert!(matches!(
        db.redeem_login_code(&third.code, "10.0.0.8", "t")
            .await
            .unwrap(),
        LoginCodeOutcome::Success(_)
    ));
}

both_dbs!(event_story, story);
