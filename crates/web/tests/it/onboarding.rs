//! Onboarding through the pages and the API: the administrator adds a
//! municipality from the official list, the programme office starts its
//! one-year plan and moves a milestone; refused forms come back with what
//! was typed and the message at the field.

use crate::support::TestApp;

#[tokio::test]
async fn a_new_municipality_is_added_and_its_first_year_planned() {
    let app = TestApp::new().await;
    let admin = app.browser("admin").await;
    let page = app.get("/admin/municipalities", Some(&admin)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Næstved (370, Region Sjælland)"),
        "chosen from the official list"
    );
    let added = app
        .post_form(
            "/admin/municipalities",
            Some(&admin),
            &[("municipality_code", "370")],
        )
        .await;
    assert_eq!(
        (added.status, added.location()),
        (303, "/admin/municipalities?added=1")
    );
    let list = app.get("/admin/municipalities?added=1", Some(&admin)).await;
    assert!(list.body.contains("<td>370</td><td>Næstved</td>"));
    assert!(list.body.contains("Kommunen er tilføjet."));
    let refused = app
        .post_form(
            "/admin/municipalities",
            Some(&admin),
            &[("municipality_code", "999")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("municipality_code-error"));

    let office = app.browser("programme_office").await;
    let started = app
        .post_form(
            "/onboarding",
            Some(&office),
            &[("municipality_code", "370"), ("start_date", "4.1.2027")],
        )
        .await;
    assert_eq!(started.status, 303);
    let plan_url = started.location().to_string();
    assert!(plan_url.ends_with("?saved=started"), "{plan_url}");
    let plan = app.get(&plan_url, Some(&office)).await;
    assert!(plan.body.contains("Planen er startet fra skabelonen."));
    assert!(plan.body.contains("Underskrevet samarbejdsaftale"));
    assert!(plan.body.contains("4. kvartal"));
    // Again for the same municipality: refused at its field, the date kept.
    let twice = app
        .post_form(
            "/onboarding",
            Some(&office),
            &[("municipality_code", "370"), ("start_date", "4.1.2027")],
        )
        .await;
    assert_eq!(twice.status, 422);
    assert!(twice.body.contains("4.1.2027"));

    let token = app.token("programme_office").await;
    let plans = app
        .api("GET", "/api/v1/onboarding", Some(&token), None, "da")
        .await
        .json();
    let naestved = plans["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["municipality_code"] == 370)
        .unwrap()
        .clone();
    assert_eq!(
        (naestved["milestones"].as_i64(), naestved["done"].as_i64()),
        (Some(11), Some(0))
    );
    let detail = app
        .api(
            "GET",
            &format!("/api/v1/onboarding/{}", naestved["id"]),
            Some(&token),
            None,
            "da",
        )
        .await
        .json();
    let first = detail["milestones"][0]["id"].as_i64().unwrap();

    // A milestone reached, with a note; too long a note comes back as typed.
    let long = "a".repeat(2001);
    let too_long = app
        .post_form(
            &format!("/onboarding/items/{first}"),
            Some(&office),
            &[("status", "done"), ("owner", "Ejer X"), ("notes", &long)],
        )
        .await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains("Ejer X") && too_long.body.contains(&long));
    assert!(too_long.body.contains(&format!("item-{first}-notes-error")));
    let saved = app
        .post_form(
            &format!("/onboarding/items/{first}"),
            Some(&office),
            &[
                ("status", "done"),
                ("owner", "Programkontoret"),
                ("notes", "Møde holdt"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert!(
        saved
            .location()
            .ends_with(&format!("?saved=item#item-{first}"))
    );
    let overview = app.get("/onboarding", Some(&office)).await;
    assert!(
        overview.body.contains("1 af 11 milepæle nået"),
        "{}",
        overview.body
    );
    let via_api = app
        .api(
            "POST",
            &format!("/api/v1/onboarding/items/{first}"),
            Some(&token),
            Some(serde_json::json!({"status": "someday"})),
            "en",
        )
        .await;
    assert_eq!(via_api.status, 422);
    assert!(via_api.body.contains("status"));
}

#[tokio::test]
async fn the_template_is_edited_as_lines_and_a_bad_line_is_named() {
    let app = TestApp::new().await;
    let office = app.browser("programme_office").await;
    let page = app.get("/onboarding/template", Some(&office)).await;
    assert!(page.body.contains("K3 | Det første event | Teamet"));
    let typed = "K1 | Kick-off | Programkontoret\nK7 | Forkert kvartal";
    let refused = app
        .post_form(
            "/onboarding/template",
            Some(&office),
            &[("template", typed)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Linje 2: skriv kvartalet først"));
    assert!(
        refused.body.contains("K7 | Forkert kvartal"),
        "what was typed is kept"
    );
    let saved = app
        .post_form(
            "/onboarding/template",
            Some(&office),
            &[("template", "K1 | Kick-off | Programkontoret\nK4 | Seminar")],
        )
        .await;
    assert_eq!(
        (saved.status, saved.location()),
        (303, "/onboarding/template?saved=template")
    );
    assert_eq!(app.db.onboarding_template().await.unwrap().len(), 2);
}
