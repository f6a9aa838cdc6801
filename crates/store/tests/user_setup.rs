//! Setting up real people, on SQLite and PostgreSQL alike: an administrator
//! places a consultant in a team with their FTE (they then count in the
//! team's overview), links a youth login to its record by number and a
//! company contact's login to a company of its municipality, and deactivates
//! an account: it cannot log in, its session and API token stop working, and
//! its young people are without a consultant. Every change is in the
//! administration log; nothing reaches another municipality.

use spire_domain::{Cvr, Problem, Role};
use spire_store::testing::{cpr, new_user, roskilde_and_horsens};
use spire_store::{
    Actor, Db, Error, LoginOutcome, NewCompany, NewToken, NewYouth, Scope, ServerKey, TeamPlace,
    TokenCreated, both_dbs,
};

fn refused_at<T: std::fmt::Debug>(result: Result<T, Error>, field: &str) -> Problem {
    match result {
        Err(Error::Invalid(e)) => {
            assert_eq!(e.field, field, "{e:?}");
            e.problem
        }
        other => panic!("expected a refusal at {field}, got {other:?}"),
    }
}

async fn story(db: Db) {
    roskilde_and_horsens(&db).await;
    let setup = Actor::command("test");
    let make = |login: &str, role, m| new_user(login, role, m);
    let admin_id = db
        .create_user(&setup, &make("admin", Role::Admin, None))
        .await
        .unwrap();
    let lead_id = db
        .create_user(&setup, &make("lead.roskilde", Role::TeamLead, Some(265)))
        .await
        .unwrap();
    let consultant_id = db
        .create_user(&setup, &make("ny.konsulent", Role::Consultant, Some(265)))
        .await
        .unwrap();
    let youth_login = db
        .create_user(&setup, &make("ung.ny", Role::Youth, Some(265)))
        .await
        .unwrap();
    let contact_login = db
        .create_user(&setup, &make("kontakt.ny", Role::CompanyContact, Some(265)))
        .await
        .unwrap();
    let admin = Actor::of(&Scope::new(admin_id, Role::Admin, None, "r-admin"));
    let lead = Scope::new(lead_id, Role::TeamLead, Some(265), "r-lead");
    let key = ServerKey::from_hex(&"55".repeat(32)).unwrap();

    // A new consultant placed in a team with 0.8 FTE appears in the team.
    assert!(db.team_members(&lead).await.unwrap().is_empty());
    let place = TeamPlace {
        team_name: "Team Roskilde".into(),
        fte: 0.8,
    };
    db.place_in_team(&admin, consultant_id, Some(&place))
        .await
        .unwrap();
    let team = db.team_members(&lead).await.unwrap();
    assert_eq!(team.len(), 1);
    assert_eq!((team[0].user_id, team[0].fte), (consultant_id, 0.8));
    assert_eq!(
        db.user_detail(consultant_id).await.unwrap().team,
        Some(place)
    );
    // Moving them to another team leaves the first: one place at a time.
    let other = TeamPlace {
        team_name: "Team Vest".into(),
        fte: 1.0,
    };
    db.place_in_team(&admin, consultant_id, Some(&other))
        .await
        .unwrap();
    let team = db.team_members(&lead).await.unwrap();
    assert_eq!(team.len(), 1);
    assert_eq!(team[0].team_name, "Team Vest");
    assert_eq!(
        db.team_names(265).await.unwrap(),
        ["Team Roskilde", "Team Vest"]
    );
    // An FTE outside (0, 1] and a young person in a team are refused.
    let too_much = TeamPlace {
        team_name: "Team Vest".into(),
        fte: 1.5,
    };
    assert_eq!(
        refused_at(
            db.place_in_team(&admin, consultant_id, Some(&too_much))
                .await,
            "fte"
        ),
        Problem::FteRange
    );
    assert_eq!(
        refused_at(
            db.place_in_team(&admin, youth_login, Some(&other)).await,
            "team_name"
        ),
        Problem::TeamStaffOnly
    );

    // The youth login is linked to its record by number, and then opens it.
    let staff = Scope::new(consultant_id, Role::Consultant, Some(265), "r-c");
    let record = db
        .create_youth(
            &staff,
            &key,
            &NewYouth {
                cpr: cpr(1),
                first_name: "Ida".into(),
                last_name: "Hansen".into(),
                phone: None,
                email: None,
                interests: String::new(),
                strengths: String::new(),
                consultant_id: Some(consultant_id),
                user_id: None,
                outside_trial: None,
            },
        )
        .await
        .unwrap();
    let youth_scope = Scope::new(youth_login, Role::Youth, Some(265), "r-y");
    assert_eq!(db.own_youth_id(&youth_scope).await.unwrap(), None);
    assert_eq!(
        refused_at(
            db.link_youth_login(&admin, youth_login, 999_999).await,
            "youth_record"
        ),
        Problem::UnknownRecord
    );
    db.link_youth_login(&admin, youth_login, record.get())
        .await
        .unwrap();
    assert_eq!(db.own_youth_id(&youth_scope).await.unwrap(), Some(record));
    assert_eq!(
        db.user_detail(youth_login).await.unwrap().youth_record,
        Some(record.get())
    );
    // A record has one login: a second youth login is refused it.
    let second = db
        .create_user(&setup, &make("ung.anden", Role::Youth, Some(265)))
        .await
        .unwrap();
    assert_eq!(
        refused_at(
            db.link_youth_login(&admin, second, record.get()).await,
            "youth_record"
        ),
        Problem::RecordHasLogin
    );
    // A Horsens youth login cannot be linked to a Roskilde record.
    let horsens_youth = db
        .create_user(&setup, &make("ung.horsens", Role::Youth, Some(615)))
        .await
        .unwrap();
    assert_eq!(
        refused_at(
            db.link_youth_login(&admin, horsens_youth, record.get())
                .await,
            "youth_record"
        ),
        Problem::UnknownRecord
    );

    // The company contact's login is linked to a Roskilde company only.
    let company = db
        .create_company(
            &lead,
            &NewCompany {
                cvr: Cvr::parse("cvr", "10150817").unwrap(),
                name: "Roskilde Tømrer ApS".into(),
                industry: "Byggeri".into(),
                address: None,
            },
        )
        .await
        .unwrap();
    db.link_company_login(&admin, contact_login, company.get())
        .await
        .unwrap();
    let detail = db.user_detail(contact_login).await.unwrap();
    assert_eq!(detail.user.company_id, Some(company.get()));
    assert_eq!(detail.company_name.as_deref(), Some("Roskilde Tømrer ApS"));
    let horsens_contact = db
        .create_user(
            &setup,
            &make("kontakt.horsens", Role::CompanyContact, Some(615)),
        )
        .await
        .unwrap();
    assert_eq!(
        refused_at(
            db.link_company_login(&admin, horsens_contact, company.get())
                .await,
            "company_id"
        ),
        Problem::UnknownCompany
    );

    // Deactivating the consultant: their session and token stop working,
    // they cannot log in, their young person is without a consultant, and
    // they are gone from the team.
    let session = db.create_session(consultant_id, None).await.unwrap();
    let TokenCreated::New(token) = db
        .create_api_token(
            &admin,
            "ny.konsulent",
            &NewToken {
                label: "x",
                days: 30,
                form_nonce: None,
            },
        )
        .await
        .unwrap()
    else {
        panic!("a new token")
    };
    assert!(
        db.session(&session.token, 3600, 36_000)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        db.user_for_api_token(&token.0, "t")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        refused_at(db.deactivate_user(&admin, admin_id).await, "active"),
        Problem::OwnAccount
    );
    let ended = db.deactivate_user(&admin, consultant_id).await.unwrap();
    assert_eq!(
        (
            ended.sessions_ended,
            ended.tokens_revoked,
            ended.youth_without_consultant
        ),
        (1, 1, 1)
    );
    assert!(
        db.session(&session.token, 3600, 36_000)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.user_for_api_token(&token.0, "t")
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        db.authenticate("ny.konsulent", "correct horse battery", "10.0.0.1", "r")
            .await
            .unwrap(),
        LoginOutcome::Deactivated
    ));
    assert!(matches!(
        db.authenticate("ny.konsulent", "wrong password!!", "10.0.0.1", "r")
            .await
            .unwrap(),
        LoginOutcome::WrongCredentials
    ));
    assert!(db.team_members(&lead).await.unwrap().is_empty());
    assert_eq!(
        db.get_youth(&staff, record).await.unwrap().consultant_id,
        None
    );
    assert!(
        db.consultants(&lead)
            .await
            .unwrap()
            .iter()
            .all(|(id, _)| *id != consultant_id)
    );
    // Again (a reload) ends nothing more and logs nothing more.
    let again = db.deactivate_user(&admin, consultant_id).await.unwrap();
    assert_eq!((again.sessions_ended, again.tokens_revoked), (0, 0));

    // Reopened, they log in again.
    db.reactivate_user(&admin, consultant_id).await.unwrap();
    assert!(matches!(
        db.authenticate("ny.konsulent", "correct horse battery", "10.0.0.2", "r")
            .await
            .unwrap(),
        LoginOutcome::Success(_)
    ));

    // Each change is in the administration log, once.
    let actions: Vec<String> = db
        .admin_log(&Scope::new(admin_id, Role::Admin, None, "r"), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.actor == "admin")
        .map(|e| format!("{} {}", e.action, e.target))
        .collect();
    for expected in [
        "team-placed ny.konsulent",
        "login-linked ung.ny",
        "login-linked kontakt.ny",
        "user-deactivated ny.konsulent",
        "user-reactivated ny.konsulent",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| a.starts_with("user-deactivated"))
            .count(),
        1
    );

    // A team lead of Horsens reaches no Roskilde account.
    let horsens_lead = db
        .create_user(&setup, &make("lead.horsens", Role::TeamLead, Some(615)))
        .await
        .unwrap();
    let horsens = Actor::of(&Scope::new(horsens_lead, Role::TeamLead, Some(615), "r-h"));
    assert!(matches!(
        db.deactivate_user(&horsens, consultant_id).await,
        Err(Error::NotFound)
    ));
}

both_dbs!(user_setup, story);
