//! The administration log on SQLite and PostgreSQL alike: every change to
//! users, log-in waits, two-factor, tokens and municipalities is recorded
//! with who made it; a team lead sees their municipality's changes (an
//! account an administrator made there included) and may lift a wait only
//! for their own users; the log cannot be changed or deleted.

use spire_domain::Role;
use spire_store::testing::{new_user, try_exec_sql};
use spire_store::{Actor, Db, Error, LoginOutcome, Scope, both_dbs};

/// `(actor, action, target)` of each entry, newest first.
async fn entries(db: &Db, scope: &Scope) -> Vec<(String, String, String)> {
    db.admin_log(scope, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.action, e.target))
        .collect()
}

fn entry(actor: &str, action: &str, target: &str) -> (String, String, String) {
    (actor.into(), action.into(), target.into())
}

async fn story(db: Db) {
    let setup = Actor::command("spire user add");
    db.upsert_municipality(&setup, 265, "Roskilde")
        .await
        .unwrap();
    db.upsert_municipality(&setup, 615, "Horsens")
        .await
        .unwrap();
    let admin_id = db
        .create_user(&setup, &new_user("admin", Role::Admin, None))
        .await
        .unwrap();
    let lead_id = db
        .create_user(
            &setup,
            &new_user("lead.roskilde", Role::TeamLead, Some(265)),
        )
        .await
        .unwrap();
    let horsens_lead_id = db
        .create_user(&setup, &new_user("lead.horsens", Role::TeamLead, Some(615)))
        .await
        .unwrap();
    let admin = Scope::new(admin_id, Role::Admin, None, "req-admin");
    let lead = Scope::new(lead_id, Role::TeamLead, Some(265), "req-lead");
    let horsens_lead = Scope::new(horsens_lead_id, Role::TeamLead, Some(615), "req-h");

    // The administrator makes a consultant in Roskilde: Roskilde's team lead
    // sees it with who made it; Horsens's does not.
    db.create_user(
        &Actor::of(&admin),
        &new_user("ny.roskilde", Role::Consultant, Some(265)),
    )
    .await
    .unwrap();
    assert_eq!(
        entries(&db, &lead).await,
        vec![
            entry("admin", "user-created", "ny.roskilde"),
            entry("spire user add", "user-created", "lead.roskilde"),
            entry("spire user add", "municipality-saved", "265"),
        ]
    );
    assert!(
        !entries(&db, &horsens_lead)
            .await
            .iter()
            .any(|(.., target)| target == "ny.roskilde")
    );
    let all = db.admin_log(&admin, 100).await.unwrap();
    assert_eq!(all.len(), 6, "{all:?}");
    // Made by a command (the operator), an account needs no approval.
    assert!(matches!(
        db.authenticate("lead.roskilde", "correct horse battery", "10.0.0.7", "r")
            .await
            .unwrap(),
        LoginOutcome::Success(_)
    ));
    assert_eq!(all[0].detail, "consultant", "a new user's role is kept");

    // Made by a person in a municipality with a team lead, the account waits
    // for that team lead: no log-in, no token; not the administrator's nor
    // another municipality's to approve.
    assert!(matches!(
        db.authenticate("ny.roskilde", "correct horse battery", "10.0.0.8", "r")
            .await
            .unwrap(),
        LoginOutcome::AwaitingApproval(_)
    ));
    let awaiting = db.awaiting_approval(&lead).await.unwrap();
    assert_eq!(awaiting.len(), 1);
    // Not yet staff: offered as no facilitator or consultant.
    let staff_names =
        |staff: Vec<(i64, String)>| staff.into_iter().map(|(_, n)| n).collect::<Vec<_>>();
    assert!(
        !staff_names(db.staff_of_municipality(&lead).await.unwrap())
            .iter()
            .any(|n| n.contains("ny.roskilde")),
        "an account awaiting approval is not offered as staff"
    );
    assert!(
        !staff_names(db.consultants(&lead).await.unwrap())
            .iter()
            .any(|n| n.contains("ny.roskilde")),
        "nor as a young person's consultant"
    );
    assert_eq!(awaiting[0].login, "ny.roskilde");
    assert!(
        db.awaiting_approval(&horsens_lead)
            .await
            .unwrap()
            .is_empty()
    );
    for stranger in [&admin, &horsens_lead] {
        assert!(matches!(
            db.approve_user(&Actor::of(stranger), "ny.roskilde").await,
            Err(Error::NotFound)
        ));
    }
    db.approve_user(&Actor::of(&lead), "ny.roskilde")
        .await
        .unwrap();
    db.approve_user(&Actor::of(&lead), "ny.roskilde")
        .await
        .unwrap();
    assert!(db.awaiting_approval(&lead).await.unwrap().is_empty());
    assert!(
        staff_names(db.staff_of_municipality(&lead).await.unwrap())
            .iter()
            .any(|n| n.contains("ny.roskilde"))
    );
    assert_eq!(
        entries(&db, &lead).await[0],
        entry("lead.roskilde", "user-approved", "ny.roskilde"),
        "approved once, logged once"
    );

    // Three wrong passwords: the consultant waits and their team lead sees it;
    // Horsens's team lead neither sees nor lifts it.
    for _ in 0..3 {
        db.authenticate("ny.roskilde", "wrong", "10.0.0.9", "r")
            .await
            .unwrap();
    }
    let waiting = db.blocked_logins(&lead).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].login, "ny.roskilde");
    assert!(db.blocked_logins(&horsens_lead).await.unwrap().is_empty());
    assert!(matches!(
        db.unblock_user(&Actor::of(&horsens_lead), "ny.roskilde")
            .await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        db.unblock_user(&Actor::of(&lead), "nobody").await,
        Err(Error::NotFound)
    ));
    db.unblock_user(&Actor::of(&lead), "ny.roskilde")
        .await
        .unwrap();
    assert!(db.blocked_logins(&lead).await.unwrap().is_empty());
    assert!(matches!(
        db.authenticate("ny.roskilde", "correct horse battery", "10.0.0.9", "r")
            .await
            .unwrap(),
        LoginOutcome::Success(_)
    ));

    // Two-factor reset and a token, by commands on the server.
    db.reset_totp(
        &Actor::command("spire user reset-two-factor"),
        "ny.roskilde",
    )
    .await
    .unwrap();
    db.create_api_token(
        &Actor::command("spire token create"),
        "ny.roskilde",
        &spire_store::NewToken {
            label: "sync",
            days: 30,
            form_nonce: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        entries(&db, &lead).await[..3],
        [
            entry("spire token create", "token-created", "ny.roskilde"),
            entry(
                "spire user reset-two-factor",
                "two-factor-reset",
                "ny.roskilde"
            ),
            entry("lead.roskilde", "login-unblocked", "ny.roskilde"),
        ]
    );

    // Only administrators and team leads read it.
    let consultant = Scope::new(lead_id, Role::Consultant, Some(265), "r");
    assert!(matches!(
        db.admin_log(&consultant, 10).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        db.blocked_logins(&consultant).await,
        Err(Error::NotFound)
    ));

    // The database refuses to change or remove it.
    for sql in [
        "UPDATE admin_log SET target = 'someone else'",
        "DELETE FROM admin_log",
    ] {
        assert!(try_exec_sql(&db, sql).await.is_err(), "{sql} was allowed");
    }

    // A municipality with no team lead yet: the administrator's caseworker
    // waits (found by the security re-probe); only the first team lead is
    // the administrator's alone, and that lead approves the caseworker.
    db.upsert_municipality(&setup, 370, "Næstved")
        .await
        .unwrap();
    db.create_user(
        &Actor::of(&admin),
        &new_user("sag.naestved", Role::Caseworker, Some(370)),
    )
    .await
    .unwrap();
    assert!(matches!(
        db.authenticate("sag.naestved", "correct horse battery", "10.0.0.9", "r")
            .await
            .unwrap(),
        LoginOutcome::AwaitingApproval(_)
    ));
    let first_lead = db
        .create_user(
            &Actor::of(&admin),
            &new_user("lead.naestved", Role::TeamLead, Some(370)),
        )
        .await
        .unwrap();
    assert!(matches!(
        db.authenticate("lead.naestved", "correct horse battery", "10.0.0.9", "r")
            .await
            .unwrap(),
        LoginOutcome::Success(_)
    ));
    let first_lead = Scope::new(first_lead, Role::TeamLead, Some(370), "r");
    db.approve_user(&Actor::of(&first_lead), "sag.naestved")
        .await
        .unwrap();
    assert!(matches!(
        db.authenticate("sag.naestved", "correct horse battery", "10.0.0.9", "r")
            .await
            .unwrap(),
        LoginOutcome::Success(_)
    ));
}

both_dbs!(admin_log, story);
