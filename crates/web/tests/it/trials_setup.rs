//! Opening a trial from the browser: every problem named on its field, the id
//! unique, and an opened trial shows its commitment and takes intake.

use crate::support::TestApp;

fn form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("name", "NExTWORK 2027"),
        ("public_id", "nextwork-2027"),
        ("target_size", "800"),
        ("method", "minimisation"),
        ("ratio_programme", "2"),
        ("ratio_control", "1"),
        ("factors", "municipality"),
        ("factors", "gender"),
        ("custom_factors", "skole: ingen, startet"),
        ("min_age", "18"),
        ("max_age", "25"),
        ("benefits", "kontanthjaelp"),
        ("require_no_qualification", "yes"),
        ("municipalities", "265"),
    ];
    for (key, value) in overrides {
        fields.retain(|(k, _)| k != key);
        if !value.is_empty() {
            fields.push((key, value));
        }
    }
    fields
}

#[tokio::test]
async fn the_programme_office_opens_a_trial_and_sees_its_commitment() {
    let app = TestApp::new().await;
    let office = app.browser("programme_office").await;

    let reply = app.get("/trials/new", Some(&office)).await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("Åbn forsøget"));

    let bad = form(&[
        ("public_id", "NExTWORK 2027!"),
        ("max_age", "16"),
        ("benefits", ""),
        ("custom_factors", "municipality: a, b"),
        ("ratio_control", "0"),
    ]);
    let reply = app.post_form("/trials/new", Some(&office), &bad).await;
    assert_eq!(reply.status, 422);
    for message in [
        "Brug kun små bogstaver, tal, - og _",
        "Skriv to hele tal mellem 15 og 40",
        "Skriv to hele tal mellem 1 og 10",
        "Skriv ét felt pr. linje som navn: niveau, niveau",
        "Vælg mindst én.",
    ] {
        assert!(reply.body.contains(message), "missing: {message}");
    }
    assert!(
        reply.body.contains("value=\"NExTWORK 2027!\""),
        "what was typed is kept"
    );
    assert!(
        app.db.list_trials().await.unwrap().len() == 1,
        "nothing opened"
    );

    let minimisation_without_factors = form(&[("factors", ""), ("custom_factors", "")]);
    let reply = app
        .post_form("/trials/new", Some(&office), &minimisation_without_factors)
        .await;
    assert_eq!(reply.status, 422);

    let reply = app
        .post_form("/trials/new", Some(&office), &form(&[]))
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let location = reply.location().to_string();
    let id: i64 = location.trim_start_matches("/trials/").parse().unwrap();
    let overview = app.db.trial_overview(id.into()).await.unwrap();
    assert_eq!(overview.method, "minimisation");
    assert_eq!(overview.ratio, "2:1");
    assert_eq!(overview.factors, ["municipality", "gender", "skole"]);
    assert_eq!(overview.settings.max_age, 25);
    assert_eq!(overview.settings.municipalities, [265]);
    let page = app.get(&location, Some(&office)).await;
    assert!(
        page.body.contains(&overview.commitment),
        "the commitment is shown for registration"
    );

    let reply = app
        .post_form("/trials/new", Some(&office), &form(&[]))
        .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply
            .body
            .contains("Der findes allerede et forsøg med dette id")
    );
    let list = app.get("/trials", Some(&office)).await;
    assert!(list.body.contains("NExTWORK 2027"));
}
