//! Events through the pages and the API: bad input in Danish and English
//! comes back at its field with what was typed, a saved form redirects with
//! a message, a grid move that breaks something is not saved until the
//! organiser accepts it, a company sees youth by first name only, the youth
//! reads why they got their result in their language, and the one-time code
//! log-in works once.

use crate::support::{Browser, ROSKILDE_COMPANY, ROSKILDE_YOUTH, TestApp, login_of};
use serde_json::json;
use spire_domain::Role;

#[tokio::test]
async fn planning_refuses_bad_input_at_each_field_in_both_languages_and_keeps_what_was_typed() {
    let app = TestApp::new().await;
    let staff = app.browser(&login_of(Role::Consultant, "roskilde")).await;
    let form = [
        ("title", "Vinterevent"),
        ("date", "31.02.2027"),
        ("start_time", "13:00"),
        ("rounds", "tolv"),
        ("meetings_per_youth", "3"),
        ("ranking_deadline", "2027-03-01"),
    ];
    let reply = app.post_form("/events", Some(&staff), &form).await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.body.contains("value=\"Vinterevent\""),
        "what was typed is kept"
    );
    assert!(reply.body.contains("value=\"tolv\""));
    assert!(reply.body.contains("id=\"date-error\""));
    assert!(reply.body.contains("id=\"rounds-error\""));
    assert!(
        reply.body.contains("maxlength=\"120\""),
        "the limit is known before sending"
    );

    let english = Browser {
        lang: Some("en"),
        ..staff.clone()
    };
    let reply = app.post_form("/events", Some(&english), &form).await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("whole number"), "{}", reply.body);

    // The deadline before the event: refused with the field named, over the API too.
    let token = app.token(&login_of(Role::Consultant, "roskilde")).await;
    let reply = app
        .api(
            "POST",
            "/api/v1/events",
            Some(&token),
            Some(
                json!({"title": "Vinterevent", "date": "2027-03-10", "start_time": "13:00",
                "rounds": "4", "meetings_per_youth": "5", "ranking_deadline": "2027-03-09"}),
            ),
            "en",
        )
        .await;
    assert_eq!(reply.status, 422);
    let fields: Vec<String> = reply.json()["fields"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(fields, ["meetings_per_youth", "ranking_deadline"]);

    // Saved: post/redirect/get with a message; the reload writes nothing.
    let before = app.db.events(&staff_scope(&app)).await.unwrap().len();
    let reply = app
        .post_form(
            "/events",
            Some(&staff),
            &[
                ("title", "Vinterevent"),
                ("date", "10.3.2027"),
                ("start_time", "13:00"),
                ("rounds", "4"),
                ("meetings_per_youth", "3"),
                ("ranking_deadline", "17.3.2027"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303);
    assert!(reply.location().ends_with("?saved=created"));
    let page = app.get(reply.location(), Some(&staff)).await;
    assert!(page.body.contains("Eventet er oprettet."));
    let page = app.get(reply.location(), Some(&staff)).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        app.db.events(&staff_scope(&app)).await.unwrap().len(),
        before + 1
    );
}

fn staff_scope(app: &TestApp) -> spire_store::Scope {
    spire_store::Scope::new(
        app.users[&login_of(Role::Consultant, "roskilde")],
        Role::Consultant,
        Some(265),
        "t",
    )
}

#[tokio::test]
async fn a_move_that_breaks_the_grid_is_shown_and_saved_only_when_accepted() {
    let app = TestApp::new().await;
    let staff = app.browser(&login_of(Role::Consultant, "roskilde")).await;
    let event = app.roskilde_event;
    let grid = app.db.event(&staff_scope(&app), event).await.unwrap().grid;
    assert_eq!(grid.len(), 1, "one youth, one company, one meeting");
    let other_round = if grid[0].round == 0 { "2" } else { "1" };
    let seat = [
        ("youth_id", app.roskilde_youth.to_string()),
        ("round", other_round.to_string()),
        ("company_id", app.roskilde_company.to_string()),
        ("table", "1".to_string()),
    ];
    let fields: Vec<(&str, &str)> = seat.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = app
        .post_form(&format!("/events/{event}/grid/move"), Some(&staff), &fields)
        .await;
    assert_eq!(reply.status, 409);
    assert!(reply.body.contains("id=\"breaks\""));
    assert!(
        reply.body.contains("mere end én gang"),
        "it names what breaks"
    );
    assert_eq!(
        app.db.event(&staff_scope(&app), event).await.unwrap().grid,
        grid,
        "nothing saved"
    );

    let mut accepted = fields.clone();
    accepted.push(("accept_breaks", "yes"));
    let reply = app
        .post_form(
            &format!("/events/{event}/grid/move"),
            Some(&staff),
            &accepted,
        )
        .await;
    assert_eq!(
        (reply.status, reply.location().ends_with("saved=moved")),
        (303, true)
    );
    let page = app.get(&format!("/events/{event}"), Some(&staff)).await;
    assert!(
        page.body.contains("id=\"grid-issues\""),
        "the page says what the grid now breaks"
    );
}

#[tokio::test]
async fn each_side_sees_its_part_and_the_youth_reads_why_in_their_language() {
    let app = TestApp::new().await;
    let event = app.roskilde_event;
    let contact = app
        .browser(&login_of(Role::CompanyContact, "roskilde"))
        .await;
    let page = app.get(&format!("/events/{event}"), Some(&contact)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Ida"), "the youth met, by first name");
    assert!(!page.body.contains(ROSKILDE_YOUTH), "never their last name");

    let youth = app.browser(&login_of(Role::Youth, "roskilde")).await;
    let page = app.get(&format!("/events/{event}"), Some(&youth)).await;
    assert!(
        page.body
            .contains(&format!("Du fik dit 1. valg ({ROSKILDE_COMPANY}).")),
        "{}",
        page.body
    );
    let english = Browser {
        lang: Some("en"),
        ..youth.clone()
    };
    let page = app.get(&format!("/events/{event}"), Some(&english)).await;
    assert!(
        page.body
            .contains(&format!("You got your 1st choice ({ROSKILDE_COMPANY})."))
    );
    // The choices closed with the match: the form is gone, the order stays.
    assert!(!page.body.contains("/choices\""));

    // The API gives the youth their own result and explanation only.
    let token = app.token(&login_of(Role::Youth, "roskilde")).await;
    let result = app
        .api(
            "GET",
            &format!("/api/v1/events/{event}/match"),
            Some(&token),
            None,
            "en",
        )
        .await
        .json();
    assert_eq!(result["results"].as_array().unwrap().len(), 1);
    assert_eq!(result["stable"], true);
}

#[tokio::test]
async fn a_one_time_code_logs_a_youth_in_once() {
    let app = TestApp::new().await;
    let staff = app.browser(&login_of(Role::Consultant, "roskilde")).await;
    let page = app
        .post_form(
            &format!("/youth/{}/login-code", app.roskilde_youth),
            Some(&staff),
            &[],
        )
        .await;
    assert_eq!(page.status, 200);
    let code = page
        .body
        .split("id=\"login-code\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 11);

    let wrong = app
        .post_form("/login/youth-code", None, &[("code", "AAAAA-AAAAA")])
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Koden passer ikke"));
    let typed = code.to_lowercase();
    let ok = app
        .post_form("/login/youth-code", None, &[("code", &typed)])
        .await;
    assert_eq!((ok.status, ok.location()), (303, "/events"));
    assert!(ok.headers.get("set-cookie").is_some(), "a session begins");
    let again = app
        .post_form("/login/youth-code", None, &[("code", &code)])
        .await;
    assert_eq!(again.status, 422, "a code works once");
}

#[tokio::test]
async fn an_override_needs_a_reason_and_the_page_says_the_result_is_no_longer_stable() {
    let app = TestApp::new().await;
    let staff = app.browser(&login_of(Role::Consultant, "roskilde")).await;
    let event = app.roskilde_event;
    let youth = app.roskilde_youth.to_string();
    let reply = app
        .post_form(
            &format!("/events/{event}/override"),
            Some(&staff),
            &[("youth_id", &youth), ("company_id", ""), ("reason", "")],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("id=\"reason-error\""));
    let reply = app
        .post_form(
            &format!("/events/{event}/override"),
            Some(&staff),
            &[
                ("youth_id", &youth),
                ("company_id", ""),
                ("reason", "Ida har fået job"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303);
    let page = app.get(reply.location(), Some(&staff)).await;
    assert!(
        page.body
            .contains("Resultatet er ændret, og begrundelsen er gemt.")
    );
    assert!(page.body.contains("ikke længere garanteret stabilt"));
    assert!(page.body.contains("Begrundelse: Ida har fået job"));
    assert!(
        page.body.contains(&format!(
            "Ida {ROSKILDE_YOUTH} og {ROSKILDE_COMPANY} ville begge hellere have hinanden"
        )),
        "the page says why, with names"
    );
    // The company's call was withdrawn with the override.
    let contact = app
        .browser(&login_of(Role::CompanyContact, "roskilde"))
        .await;
    let calls = app.get("/calls", Some(&contact)).await;
    assert!(calls.body.contains("Ingen opkald at foretage."));
}

#[tokio::test]
async fn the_print_pages_use_the_municipalitys_own_conversation_cards() {
    let app = TestApp::new().await;
    let staff = app.browser(&login_of(Role::Consultant, "roskilde")).await;
    let print = format!("/events/{}/print", app.roskilde_event);
    let page = app.get(&print, Some(&staff)).await;
    assert!(
        page.body
            .contains("Hvad lavede du på din første arbejdsdag?"),
        "the default deck"
    );
    let too_many = "kort\n".repeat(61);
    let reply = app
        .post_form("/events/deck", Some(&staff), &[("cards", &too_many)])
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("Højst 60 kort."));
    let reply = app
        .post_form(
            "/events/deck",
            Some(&staff),
            &[("cards", "Hvad laver du om mandagen?\nHvem hjalp dig?")],
        )
        .await;
    assert_eq!(
        (reply.status, reply.location()),
        (303, "/events?saved=deck")
    );
    let page = app.get(&print, Some(&staff)).await;
    assert!(page.body.contains("Hvad laver du om mandagen?"));
    assert!(
        !page
            .body
            .contains("Hvad lavede du på din første arbejdsdag?")
    );
}
