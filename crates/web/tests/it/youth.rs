//! Young people: the list in both languages, registering one with every
//! problem beside its field, the portfolio, assigning a consultant, and the
//! youth API.

use crate::support::{ROSKILDE_CPR, ROSKILDE_YOUTH, TestApp};
use serde_json::json;

#[tokio::test]
async fn the_youth_list_in_danish_and_in_english() {
    let app = TestApp::new().await;
    let mut browser = app.browser("consultant.roskilde").await;
    let all = app.get("/youth", Some(&browser)).await;
    assert!(all.body.contains("2 unge"), "plural");
    let danish = app.get("/youth?q=Roskildehansen", Some(&browser)).await;
    assert_eq!(danish.status, 200);
    assert!(danish.body.contains(ROSKILDE_YOUTH));
    assert!(
        danish
            .body
            .contains("Søg efter navn eller fuldt CPR-nummer")
    );
    assert!(danish.body.contains("1 ung"));
    assert!(
        danish.body.contains("01.02.2003"),
        "dates as Danes write them"
    );
    browser.lang = Some("en");
    let english = app.get("/youth?q=Roskildehansen", Some(&browser)).await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("Search by name or full CPR number"));
    assert!(english.body.contains("1 young person"));
}

#[tokio::test]
async fn registering_a_youth_shows_every_problem_beside_its_field() {
    let app = TestApp::new().await;
    let mut browser = app.browser("caseworker.roskilde").await;
    let bad = [
        ("cpr", "310299-1234"),
        ("first_name", ""),
        ("last_name", "Lund"),
        ("phone", "12"),
        ("email", "x"),
    ];
    let reply = app.post_form("/youth/new", Some(&browser), &bad).await;
    assert_eq!(reply.status, 422);
    assert!(
        reply
            .body
            .contains("De første seks cifre er ikke en gyldig fødselsdato.")
    );
    assert!(
        reply
            .body
            .contains("id=\"first_name-error\">Skal udfyldes.")
    );
    assert!(reply.body.contains("Skriv et telefonnummer med 8 cifre"));
    assert!(
        reply.body.contains("value=\"Lund\""),
        "good values are kept"
    );
    browser.lang = Some("en");
    let english = app.post_form("/youth/new", Some(&browser), &bad).await;
    assert!(
        english
            .body
            .contains("The first six digits are not a valid date of birth.")
    );

    let future = app
        .post_form(
            "/youth/new",
            Some(&browser),
            &[
                ("cpr", "010150-5123"),
                ("first_name", "A"),
                ("last_name", "B"),
            ],
        )
        .await;
    assert_eq!(
        future.status, 422,
        "a birth date in the future (2050) is refused"
    );
    let bad_page = app.get("/youth?page=abc", Some(&browser)).await;
    assert_eq!(bad_page.status, 422);
    assert!(
        bad_page
            .body
            .contains("The page number must be a whole number from 1.")
    );
    let good = [
        ("cpr", "020304-4001"),
        ("first_name", "Kim"),
        ("last_name", "Berg"),
        ("interests", "IT, musik"),
        // Roskilde has an open trial: registered directly only outside its target group.
        ("outside_trial", "qualification"),
    ];
    let created = app.post_form("/youth/new", Some(&browser), &good).await;
    assert_eq!(created.status, 303);
    let page = app.get(created.location(), Some(&browser)).await;
    assert!(page.body.contains("Kim Berg") && page.body.contains("<li>IT</li>"));
    let again = app.post_form("/youth/new", Some(&browser), &good).await;
    assert_eq!(again.status, 422);
    assert!(
        again
            .body
            .contains("This young person is already registered in Spire.")
    );
}

#[tokio::test]
async fn a_young_person_edits_their_own_portfolio_and_sees_it_logged() {
    let app = TestApp::new().await;
    let youth = app.browser("youth.roskilde").await;
    let page = app.get("/me", Some(&youth)).await;
    assert!(page.body.contains("Ret dine interesser og styrker"));
    let saved = app
        .post_form(
            "/me/portfolio",
            Some(&youth),
            &[("interests", "lager, truckkort"), ("strengths", "stabil")],
        )
        .await;
    assert_eq!(
        (saved.status, saved.location()),
        (303, "/me?saved=portfolio")
    );
    let page = app.get("/me", Some(&youth)).await;
    assert!(page.body.contains("<li>truckkort</li>") && page.body.contains("<li>stabil</li>"));
    let too_long = "x".repeat(501);
    let refused = app
        .post_form(
            "/me/portfolio",
            Some(&youth),
            &[("interests", &too_long), ("strengths", "")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Teksten er for lang."));
    let log = app.get("/me/access-log", Some(&youth)).await;
    assert!(log.body.contains("Ændring") && log.body.contains("interesser og styrker"));
    // A consultant edits it on the youth's page.
    let consultant = app.browser("consultant.roskilde").await;
    let path = format!("/youth/{}/portfolio", app.roskilde_youth);
    assert_eq!(
        app.post_form(
            &path,
            Some(&consultant),
            &[("interests", "køkken"), ("strengths", "")]
        )
        .await
        .status,
        303
    );
}

#[tokio::test]
async fn the_team_lead_assigns_a_consultant_on_the_youth_page() {
    let app = TestApp::new().await;
    let lead = app.browser("team_lead.roskilde").await;
    let path = format!("/youth/{}", app.roskilde_youth);
    let page = app.get(&path, Some(&lead)).await;
    assert!(
        page.body.contains("Tildel ungekonsulent") && page.body.contains("Ingen ungekonsulent")
    );
    let consultant = app.users["consultant.roskilde"].to_string();
    let assign = format!("{path}/consultant");
    let foreign = app.users["consultant.horsens"].to_string();
    let refused = app
        .post_form(&assign, Some(&lead), &[("consultant_id", foreign.as_str())])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Vælg en ungekonsulent eller psykolog fra kommunens team.")
    );
    let none = app
        .post_form(&assign, Some(&lead), &[("consultant_id", "")])
        .await;
    assert_eq!(
        (none.status, none.location()),
        (303, format!("{path}?saved=consultant").as_str())
    );
    let token = app.token("team_lead.roskilde").await;
    let api_path = format!("/api/v1/youth/{}", app.roskilde_youth);
    let unassigned = app
        .api("GET", &api_path, Some(&token), None, "da")
        .await
        .json();
    assert!(unassigned["consultant_id"].is_null());
    app.post_form(
        &assign,
        Some(&lead),
        &[("consultant_id", consultant.as_str())],
    )
    .await;
    let assigned = app
        .api("GET", &api_path, Some(&token), None, "da")
        .await
        .json();
    assert_eq!(assigned["consultant_id"].to_string(), consultant);
    let consultant_view = app.browser("consultant.roskilde").await;
    // A consultant sees the name but cannot reassign.
    assert!(
        !app.get(&path, Some(&consultant_view))
            .await
            .body
            .contains("Tildel ungekonsulent")
    );
}

#[tokio::test]
async fn register_and_find_a_youth_through_the_api() {
    let app = TestApp::new().await;
    let token = app.token("consultant.roskilde").await;
    let created = app
        .api("POST", "/api/v1/youth", Some(&token), Some(json!({ "cpr": "020304-4001", "first_name": "Kim", "last_name": "Berg", "interests": "IT", "outside_trial": "qualification" })), "da")
        .await;
    assert_eq!(created.status, 201);
    let youth = created.json();
    assert_eq!(
        (
            youth["first_name"].as_str(),
            youth["gender"].as_str(),
            youth["birth_date"].as_str()
        ),
        (Some("Kim"), Some("male"), Some("2004-03-02"))
    );
    assert!(
        youth.get("cpr").is_none(),
        "the CPR number is never returned"
    );
    let list = app
        .api("GET", "/api/v1/youth?q=berg", Some(&token), None, "da")
        .await
        .json();
    assert_eq!(list["total"], 1);
    let found = app
        .api(
            "POST",
            "/api/v1/youth/search",
            Some(&token),
            Some(json!({ "cpr": ROSKILDE_CPR })),
            "da",
        )
        .await
        .json();
    assert_eq!(found["items"][0]["last_name"], ROSKILDE_YOUTH);
}

#[tokio::test]
async fn bad_fields_get_messages_in_the_callers_language() {
    let app = TestApp::new().await;
    let token = app.token("consultant.roskilde").await;
    let body = json!({ "cpr": "31020340", "last_name": "B", "email": "x" });
    let danish = app
        .api(
            "POST",
            "/api/v1/youth",
            Some(&token),
            Some(body.clone()),
            "da",
        )
        .await;
    assert_eq!(danish.status, 422);
    let fields = &danish.json()["fields"];
    assert_eq!(
        fields["cpr"],
        "Skriv CPR-nummeret som DDMMÅÅ-XXXX (10 cifre)."
    );
    assert_eq!(fields["first_name"], "Skal udfyldes.");
    assert!(fields["email"].as_str().unwrap().contains("e-mailadresse"));
    let english = app
        .api(
            "POST",
            "/api/v1/youth",
            Some(&token),
            Some(body),
            "en-GB,en;q=0.9",
        )
        .await;
    assert_eq!(english.json()["fields"]["first_name"], "Required.");
    let company = app
        .api(
            "POST",
            "/api/v1/companies",
            Some(&token),
            Some(json!({ "cvr": "10150818", "name": "X", "industry": "Y" })),
            "en",
        )
        .await;
    assert_eq!(company.status, 422);
    assert_eq!(
        company.json()["fields"]["cvr"],
        "This CVR number does not exist (the check digit does not match)."
    );
}

#[tokio::test]
async fn the_youth_adds_to_their_portfolio_and_gets_a_one_page_cv_in_danish() {
    let app = TestApp::new().await;
    let mut youth = app.browser("youth.roskilde").await;
    let refused = app
        .post_form(
            "/me/portfolio/entries",
            Some(&youth),
            &[("kind", "skill"), ("text", " ")],
        )
        .await;
    assert_eq!(refused.status, 422);
    let added = app
        .post_form(
            "/me/portfolio/entries",
            Some(&youth),
            &[("kind", "skill"), ("text", "Truckcertifikat B")],
        )
        .await;
    assert_eq!(added.status, 303);
    let contact = app.browser("company_contact.roskilde").await;
    let reference = app
        .post_form(
            &format!("/internships/{}/reference", app.roskilde_internship),
            Some(&contact),
            &[("note", "Ida er stabil og nysgerrig.")],
        )
        .await;
    assert_eq!(reference.status, 303);
    let me = app.get("/me", Some(&youth)).await;
    assert!(
        me.body.contains("Truckcertifikat B") && me.body.contains("Ida er stabil og nysgerrig.")
    );
    // The CV is Danish whatever the page language, and downloads as a file.
    youth.lang = Some("en");
    let cv = app.get("/me/cv", Some(&youth)).await;
    assert_eq!(cv.status, 200);
    for text in [
        "Erfaring",
        "Kompetencer",
        "Truckcertifikat B",
        "Udtalelser",
        "Ida er stabil og nysgerrig.",
        "Interesser: cykler, mad",
    ] {
        assert!(cv.body.contains(text), "{text}");
    }
    let file = app.get("/me/cv?download=1", Some(&youth)).await;
    let disposition = file
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"cv-ida-"),
        "{disposition}"
    );
    // The API: the same portfolio, the internships as experience by themselves.
    let token = app.token("youth.roskilde").await;
    let api = format!("/api/v1/youth/{}/portfolio/entries", app.roskilde_youth);
    let added = app
        .api(
            "POST",
            &api,
            Some(&token),
            Some(json!({"kind": "experience", "text": "Frivillig i klubben"})),
            "da",
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let portfolio = added.json();
    assert_eq!(portfolio["entries"].as_array().unwrap().len(), 3);
    let bad = app
        .api(
            "POST",
            &api,
            Some(&token),
            Some(json!({"kind": "diploma", "text": ""})),
            "en",
        )
        .await;
    assert_eq!(bad.json()["fields"]["kind"], "Choose one of the options.");
    assert_eq!(bad.json()["fields"]["text"], "Required.");
    // Staff see the same CV; the other municipality does not.
    let consultant = app.browser("consultant.roskilde").await;
    let staff_cv = app
        .get(
            &format!("/youth/{}/cv", app.roskilde_youth),
            Some(&consultant),
        )
        .await;
    assert!(staff_cv.body.contains("Truckcertifikat B"));
    let horsens = app.browser("consultant.horsens").await;
    assert_eq!(
        app.get(&format!("/youth/{}/cv", app.roskilde_youth), Some(&horsens))
            .await
            .status,
        404
    );
}
