//! API tokens on SQLite and PostgreSQL alike: a name and an expiry (refused
//! out of range), shown once (a form sent again makes no second one), listed
//! with their last use, revoked (in the administration log), refused once
//! expired or revoked, and refused while their user waits after wrong
//! passwords from that address.

use spire_domain::{Problem, Role};
use spire_store::testing::{exec_sql, new_user, roskilde_and_horsens};
use spire_store::{Actor, Db, Error, NewToken, Scope, TokenCreated, both_dbs};

fn secret(made: TokenCreated) -> String {
    match made {
        TokenCreated::New(secret) => secret.0,
        TokenCreated::AlreadyMade => panic!("expected a new token"),
    }
}

async fn story(db: Db) {
    roskilde_and_horsens(&db).await;
    let setup = Actor::command("test");
    let ida = db
        .create_user(
            &setup,
            &new_user("ida.roskilde", Role::Consultant, Some(265)),
        )
        .await
        .unwrap();
    let lead = db
        .create_user(
            &setup,
            &new_user("lead.roskilde", Role::TeamLead, Some(265)),
        )
        .await
        .unwrap();
    let horsens_lead = db
        .create_user(&setup, &new_user("lead.horsens", Role::TeamLead, Some(615)))
        .await
        .unwrap();
    let ida_actor = Actor::of(&Scope::new(ida, Role::Consultant, Some(265), "r"));
    let token = |label: &'static str, days: i64, nonce: Option<&'static str>| NewToken {
        label,
        days,
        form_nonce: nonce,
    };

    // Out of range: refused at the fields, nothing made.
    match db
        .create_api_token(&ida_actor, "ida.roskilde", &token(" ", 366, None))
        .await
    {
        Err(Error::InvalidFields(fields)) => assert_eq!(
            fields
                .iter()
                .map(|f| (f.field, f.problem))
                .collect::<Vec<_>>(),
            vec![("label", Problem::Required), ("days", Problem::OutOfRange)]
        ),
        other => panic!("expected refusals, got {other:?}"),
    }
    assert!(db.list_api_tokens(ida).await.unwrap().is_empty());

    // Made once per form; the same form again makes no second token.
    let sync = secret(
        db.create_api_token(
            &ida_actor,
            "ida.roskilde",
            &token("Udtræk", 30, Some("n-1")),
        )
        .await
        .unwrap(),
    );
    assert!(matches!(
        db.create_api_token(
            &ida_actor,
            "ida.roskilde",
            &token("Udtræk", 30, Some("n-1"))
        )
        .await
        .unwrap(),
        TokenCreated::AlreadyMade
    ));
    let listed = db.list_api_tokens(ida).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].label, "Udtræk");
    assert_eq!(listed[0].expires_at - listed[0].created_at, 30 * 86400);
    assert!(listed[0].last_used_at.is_none());

    // It answers for Ida, and its use is recorded.
    let user = db.user_for_api_token(&sync, "10.0.0.1").await.unwrap();
    assert_eq!(user.map(|u| u.id), Some(ida));
    assert!(
        db.list_api_tokens(ida).await.unwrap()[0]
            .last_used_at
            .is_some()
    );
    assert!(
        db.user_for_api_token("spire_nope", "10.0.0.1")
            .await
            .unwrap()
            .is_none()
    );

    // While Ida must wait after wrong passwords from an address, her token
    // does not answer from there (it still does from elsewhere).
    for _ in 0..3 {
        db.authenticate("ida.roskilde", "wrong", "10.0.0.9", "r")
            .await
            .unwrap();
    }
    assert!(
        db.user_for_api_token(&sync, "10.0.0.9")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.user_for_api_token(&sync, "10.0.0.1")
            .await
            .unwrap()
            .is_some()
    );

    // Revoked by its owner: it no longer answers; revoking again changes nothing.
    let id = listed[0].id.clone();
    assert_eq!(id.len(), 16);
    db.revoke_api_token(&ida_actor, "ida.roskilde", &id)
        .await
        .unwrap();
    db.revoke_api_token(&ida_actor, "ida.roskilde", &id)
        .await
        .unwrap();
    assert!(
        db.user_for_api_token(&sync, "10.0.0.1")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.list_api_tokens(ida).await.unwrap()[0]
            .revoked_at
            .is_some()
    );
    let roskilde_lead = Scope::new(lead, Role::TeamLead, Some(265), "r");
    let log = db.admin_log(&roskilde_lead, 10).await.unwrap();
    let revoked: Vec<_> = log.iter().filter(|e| e.action == "token-revoked").collect();
    assert_eq!(revoked.len(), 1, "revoked once, logged once");
    assert_eq!(
        (revoked[0].actor.as_str(), revoked[0].detail.as_str()),
        ("ida.roskilde", "Udtræk")
    );

    // A team lead may revoke their own municipality's tokens only.
    let other = secret(
        db.create_api_token(&setup, "ida.roskilde", &token("Andet", 1, None))
            .await
            .unwrap(),
    );
    let other_id = db
        .list_api_tokens(ida)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.label == "Andet")
        .unwrap()
        .id;
    let horsens = Actor::of(&Scope::new(horsens_lead, Role::TeamLead, Some(615), "r"));
    assert!(matches!(
        db.revoke_api_token(&horsens, "ida.roskilde", &other_id)
            .await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        db.revoke_api_token(&ida_actor, "ida.roskilde", "not-an-id")
            .await,
        Err(Error::NotFound)
    ));

    // An expired token does not answer.
    exec_sql(
        &db,
        "UPDATE api_tokens SET expires_at = 0 WHERE label = 'Andet'",
    )
    .await;
    assert!(
        db.user_for_api_token(&other, "10.0.0.1")
            .await
            .unwrap()
            .is_none()
    );
}

both_dbs!(api_tokens, story);
