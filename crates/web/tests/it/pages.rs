//! What people see: log-in, the pages of each role, forms and their messages,
//! in Danish and in English.

use crate::support::{PASSWORD, ROSKILDE_YOUTH, TestApp, login_of};
use spire_domain::Role;

fn session_cookie(reply: &crate::support::Reply) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("spire_session=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

#[tokio::test]
async fn log_in_with_the_form_and_see_the_home_page() {
    let app = TestApp::new().await;
    let reply = app
        .post_form(
            "/login",
            None,
            &[("login", "consultant.roskilde"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!((reply.status, reply.location()), (303, "/home"));
    let cookie = session_cookie(&reply).expect("a session cookie");
    let set_cookie = reply.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
    let browser = crate::support::Browser {
        cookie,
        csrf: String::new(),
        lang: None,
    };
    let home = app.get("/home", Some(&browser)).await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("<html lang=\"da\">"));
    assert!(home.body.contains("unge i programmet"));
    // Logged in, the log-in page sends you home.
    assert_eq!(app.get("/login", Some(&browser)).await.location(), "/home");
}

#[tokio::test]
async fn wrong_password_is_said_plainly_and_three_failures_block() {
    let app = TestApp::new().await;
    let reply = app
        .post_form(
            "/login",
            None,
            &[("login", "consultant.roskilde"), ("password", "wrong")],
        )
        .await;
    assert_eq!(reply.status, 401);
    assert!(reply.body.contains("Forkert brugernavn eller adgangskode."));
    assert!(
        reply.body.contains("value=\"consultant.roskilde\""),
        "the login is kept in the form"
    );
    app.post_form(
        "/login",
        None,
        &[("login", "consultant.roskilde"), ("password", "wrong")],
    )
    .await;
    app.post_form(
        "/login",
        None,
        &[("login", "consultant.roskilde"), ("password", "wrong")],
    )
    .await;
    let blocked = app
        .post_form(
            "/login",
            None,
            &[("login", "consultant.roskilde"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(blocked.status, 429);
    assert!(blocked.body.contains("spærret"));
}

#[tokio::test]
async fn the_youth_list_in_danish_and_in_english() {
    let app = TestApp::new().await;
    let mut browser = app.browser("consultant.roskilde").await;
    let danish = app.get("/youth", Some(&browser)).await;
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
    let english = app.get("/youth", Some(&browser)).await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("Search by name or full CPR number"));
    assert!(english.body.contains("1 young person"));
}

#[tokio::test]
async fn switching_language_sets_a_cookie_and_returns_to_the_same_page() {
    let app = TestApp::new().await;
    let browser = app.browser("consultant.roskilde").await;
    let reply = app
        .post_form(
            "/lang",
            Some(&browser),
            &[("lang", "en"), ("back", "/youth")],
        )
        .await;
    assert_eq!((reply.status, reply.location()), (303, "/youth"));
    assert!(
        reply
            .headers
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("spire_lang=en")
    );
    let elsewhere = app
        .post_form(
            "/lang",
            Some(&browser),
            &[("lang", "en"), ("back", "//evil.example")],
        )
        .await;
    assert_eq!(elsewhere.location(), "/home", "never an open redirect");
}

#[tokio::test]
async fn accept_language_chooses_english_before_login() {
    let app = TestApp::new().await;
    let request = axum::http::Request::get("/login")
        .header("host", "localhost")
        .header("accept-language", "en-GB,en;q=0.9")
        .body(axum::body::Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert!(
        reply
            .body
            .contains("Log in with your user name and password.")
    );
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
async fn a_company_needs_a_real_cvr_number() {
    let app = TestApp::new().await;
    let browser = app.browser("consultant.roskilde").await;
    let reply = app
        .post_form(
            "/companies/new",
            Some(&browser),
            &[("cvr", "12345678"), ("name", "X"), ("industry", "Y")],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("CVR-nummeret findes ikke"));
    let ok = app
        .post_form(
            "/companies/new",
            Some(&browser),
            &[
                ("cvr", "24256790"),
                ("name", "Lund Kantine ApS"),
                ("industry", "Hotel og restauration"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert!(
        app.get("/companies", Some(&browser))
            .await
            .body
            .contains("Lund Kantine ApS")
    );
}

#[tokio::test]
async fn each_role_has_a_home_page_with_its_own_content() {
    let app = TestApp::new().await;
    let expectations = [
        (Role::Caseworker, "unge registreret af dig"),
        (Role::Consultant, "unge hos dig"),
        (Role::Psychologist, "unge i programmet"),
        (Role::TeamLead, "Unge pr. ungekonsulent"),
        (Role::CompanyContact, "Roskilde Cykler"),
        (Role::Youth, "Hvem har set mine data"),
        (Role::Researcher, "uden personoplysninger"),
        (Role::ProgrammeOffice, "kommuner"),
        (Role::Admin, "brugere"),
    ];
    for (role, text) in expectations {
        let browser = app.browser(&login_of(role, "roskilde")).await;
        let home = app.get("/home", Some(&browser)).await;
        assert_eq!(home.status, 200, "{role}");
        assert!(home.body.contains(text), "{role} home lacks {text:?}");
    }
}

#[tokio::test]
async fn the_team_lead_reads_the_access_log_and_a_persons_extract() {
    let app = TestApp::new().await;
    let consultant = app.browser("consultant.roskilde").await;
    app.get(&format!("/youth/{}", app.roskilde_youth), Some(&consultant))
        .await;
    let lead = app.browser("team_lead.roskilde").await;
    let log = app
        .get("/access-log?user=consultant.roskilde", Some(&lead))
        .await;
    assert_eq!(log.status, 200);
    assert!(
        log.body.contains("Opslag")
            && log.body.contains(ROSKILDE_YOUTH)
            && log.body.contains("Sagsarbejde")
    );
    app.get("/youth", Some(&consultant)).await;
    let searched = app
        .get("/access-log?user=consultant.roskilde", Some(&lead))
        .await;
    assert!(
        searched.body.contains("alle unge"),
        "criteria are shown in words, in Danish"
    );
    let bad_date = app.get("/access-log?from=yesterday", Some(&lead)).await;
    assert_eq!(bad_date.status, 422);
    let extract = app
        .get(
            &format!("/youth/{}/access-log", app.roskilde_youth),
            Some(&lead),
        )
        .await;
    assert!(extract.body.contains("Test consultant.roskilde"));
    // The young person sees the same, about themselves.
    let youth = app.browser("youth.roskilde").await;
    let mine = app.get("/me/access-log", Some(&youth)).await;
    assert!(mine.body.contains("Test consultant.roskilde"));
}

#[tokio::test]
async fn the_admin_creates_users_with_clear_messages() {
    let app = TestApp::new().await;
    let admin = app.browser("admin").await;
    let bad = app
        .post_form(
            "/admin/users",
            Some(&admin),
            &[
                ("login", "Bad Name"),
                ("display_name", "X"),
                ("password", "short"),
                ("role", "consultant"),
                ("municipality_code", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Brug 3–64 tegn"));
    assert!(bad.body.contains("mindst 12 tegn"));
    assert!(bad.body.contains("Rollen hører til en kommune"));
    let good = app
        .post_form(
            "/admin/users",
            Some(&admin),
            &[
                ("login", "ny.konsulent"),
                ("display_name", "Ny Konsulent"),
                ("password", "a-long-password-1"),
                ("role", "consultant"),
                ("municipality_code", "265"),
            ],
        )
        .await;
    assert_eq!(good.status, 200);
    assert!(good.body.contains("Brugeren ny.konsulent er oprettet."));
}

#[tokio::test]
async fn the_programme_office_sees_counts_and_a_chart_but_no_names() {
    let app = TestApp::new().await;
    let office = app.browser("programme_office").await;
    let page = app.get("/overview", Some(&office)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg") && page.body.contains("Roskilde (265)"));
    assert!(!page.body.contains(ROSKILDE_YOUTH));
}

#[tokio::test]
async fn a_young_person_edits_their_own_portfolio_and_sees_it_logged() {
    let app = TestApp::new().await;
    let youth = app.browser("youth.roskilde").await;
    let page = app.get("/me", Some(&youth)).await;
    assert!(page.body.contains("Ret interesser og styrker"));
    let saved = app
        .post_form(
            "/me/portfolio",
            Some(&youth),
            &[("interests", "lager, truckkort"), ("strengths", "stabil")],
        )
        .await;
    assert_eq!((saved.status, saved.location()), (303, "/me"));
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
    assert_eq!((none.status, none.location()), (303, path.as_str()));
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
