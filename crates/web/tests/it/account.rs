//! The account: log-in with the form, wrong passwords and blocking, and each
//! role's home page.

use crate::support::{PASSWORD, TestApp, login_of};
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
    assert!(
        blocked.body.contains("Prøv igen om et minut"),
        "a wait of a minute, not a day"
    );
    let retry_after: i64 = blocked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=60).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    // A login that does not exist is answered alike (no account discovery).
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let reply = app
            .post_form(
                "/login",
                None,
                &[("login", "nobody.roskilde"), ("password", "wrong")],
            )
            .await;
        statuses.push(reply.status);
    }
    assert_eq!(statuses, vec![401, 401, 401, 429]);
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

/// Each login lands on its work: the caseworker on the trial intake and the
/// offers awaiting an answer, the consultant on their own youth, the team
/// lead on caseloads and youth without a consultant, the young person on
/// pages that speak to them, the company contact on their company.
#[tokio::test]
async fn each_login_lands_on_its_work() {
    let app = TestApp::new().await;
    let caseworker = app.browser(&login_of(Role::Caseworker, "roskilde")).await;
    let home = app.get("/home", Some(&caseworker)).await;
    let intake = format!("href=\"/trials/{}/intake\"", app.trial);
    assert!(home.body.contains(&intake), "{}", home.body);
    assert!(
        home.body
            .contains("tilbud om programmet venter på den unges svar")
    );
    let actions = home
        .body
        .split("class=\"actions\"")
        .nth(1)
        .unwrap_or_default();
    assert!(
        actions.find(&intake).expect("the intake among the actions")
            < actions
                .find("href=\"/youth/new\"")
                .expect("registering among them"),
        "the intake comes before registering directly: {actions}"
    );

    let consultant = app.browser(&login_of(Role::Consultant, "roskilde")).await;
    let own = app.get("/youth", Some(&consultant)).await;
    assert!(own.body.contains("Viser dine unge."), "{}", own.body);
    let all = app.get("/youth?all=1", Some(&consultant)).await;
    assert!(all.body.contains("Viser alle unge i kommunen."));
    assert!(all.body.contains(crate::support::ROSKILDE_YOUTH));

    let lead = app.browser(&login_of(Role::TeamLead, "roskilde")).await;
    let home = app.get("/home", Some(&lead)).await;
    assert!(home.body.contains("uden ungekonsulent"), "{}", home.body);

    let youth = app.browser(&login_of(Role::Youth, "roskilde")).await;
    let me = app.get("/me", Some(&youth)).await;
    assert!(me.body.contains("Din arbejdsidentitet"), "{}", me.body);
    assert!(!me.body.contains("den unge"), "the page speaks to them");

    let contact = app
        .browser(&login_of(Role::CompanyContact, "roskilde"))
        .await;
    let mine = app.get("/companies", Some(&contact)).await;
    assert_eq!(mine.status, 303);
    assert_eq!(
        mine.location(),
        format!("/companies/{}", app.roskilde_company)
    );
}
