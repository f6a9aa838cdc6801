//! Two-factor log-in when the server requires it: staff set it up at their
//! first log-in (QR code, a code from the app), then every log-in asks for a
//! one-time code; a half-done log-in reaches nothing; codes are used once.

use crate::support::{Browser, PASSWORD, Reply, TestApp};
use axum::http::header;
use spire_domain::totp::code_at;
use spire_web::{AppState, WebConfig};

fn requiring(app: TestApp) -> TestApp {
    let config = WebConfig {
        require_two_factor: true,
        ..WebConfig::default()
    };
    TestApp {
        router: spire_web::router(AppState::new(app.db.clone(), app.key.clone(), config)),
        ..app
    }
}

/// The browser a log-in form answer leaves behind (cookie from Set-Cookie).
fn browser_from(reply: &Reply) -> Browser {
    let set = reply.headers[header::SET_COOKIE].to_str().unwrap();
    Browser {
        cookie: set.split(';').next().unwrap().to_string(),
        csrf: String::new(),
        lang: None,
    }
}

/// The CSRF token a page's form carries.
fn csrf_of(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    body[at..].split('"').next().unwrap().to_string()
}

async fn log_in(app: &TestApp, login: &str) -> (Reply, Browser) {
    let reply = app
        .post_form("/login", None, &[("login", login), ("password", PASSWORD)])
        .await;
    let browser = browser_from(&reply);
    (reply, browser)
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[tokio::test]
async fn staff_set_up_and_then_use_a_one_time_code() {
    let app = requiring(TestApp::new().await);
    let user_id = app.users["consultant.roskilde"];

    // First log-in: the password suffices, but every page leads to the set-up.
    let (reply, mut browser) = log_in(&app, "consultant.roskilde").await;
    assert_eq!((reply.status, reply.location()), (303, "/home"));
    let home = app.get("/home", Some(&browser)).await;
    assert_eq!((home.status, home.location()), (303, "/account/two-factor"));
    // Reading the page writes nothing (no GET changes state): the set-up
    // starts with its form.
    let intro = app.get("/account/two-factor", Some(&browser)).await;
    assert_eq!(intro.status, 200);
    assert!(intro.body.contains("id=\"start-two-factor\""));
    assert!(
        app.db
            .pending_totp_secret(&app.key, user_id)
            .await
            .unwrap()
            .is_none()
    );
    browser.csrf = csrf_of(&intro.body);
    let started = app
        .post_form("/account/two-factor/start", Some(&browser), &[])
        .await;
    assert_eq!(
        (started.status, started.location()),
        (303, "/account/two-factor")
    );
    let setup = app.get("/account/two-factor", Some(&browser)).await;
    assert_eq!(setup.status, 200);
    assert!(setup.body.contains("<svg") && setup.body.contains("id=\"totp-secret\""));
    browser.csrf = csrf_of(&setup.body);
    let secret = app
        .db
        .pending_totp_secret(&app.key, user_id)
        .await
        .unwrap()
        .unwrap();
    let shown: String = setup.body[setup.body.find("id=\"totp-secret\"").unwrap()..]
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .replace(' ', "");
    assert_eq!(
        shown,
        spire_domain::totp::base32(&secret),
        "the key to type in is the secret"
    );

    let wrong = app
        .post_form("/account/two-factor", Some(&browser), &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Koden passer ikke"));
    // One code, kept: the replay below must be the very same code, whatever the clock did.
    let enrolment_code = code_at(&secret, now());
    let on = app
        .post_form(
            "/account/two-factor",
            Some(&browser),
            &[("code", &enrolment_code)],
        )
        .await;
    assert_eq!(on.status, 303, "{}", on.body);
    assert_eq!(app.get("/home", Some(&browser)).await.status, 200);

    // Next log-in: the password opens only the code page.
    app.post_form("/logout", Some(&browser), &[]).await;
    let (reply, mut pending) = log_in(&app, "consultant.roskilde").await;
    assert_eq!((reply.status, reply.location()), (303, "/login/code"));
    for path in ["/home", "/youth", "/account/two-factor"] {
        let reply = app.get(path, Some(&pending)).await;
        assert_eq!(
            (reply.status, reply.location()),
            (303, "/login/code"),
            "{path}"
        );
    }
    let code_page = app.get("/login/code", Some(&pending)).await;
    assert_eq!(code_page.status, 200);
    pending.csrf = csrf_of(&code_page.body);
    // The code that turned it on was used: it does not open a session again.
    let replayed = app
        .post_form("/login/code", Some(&pending), &[("code", &enrolment_code)])
        .await;
    assert_eq!(replayed.status, 422);
    let next = code_at(&secret, now() + 30);
    let accepted = app
        .post_form("/login/code", Some(&pending), &[("code", &next)])
        .await;
    assert_eq!((accepted.status, accepted.location()), (303, "/home"));
    let full = browser_from(&accepted);
    assert_ne!(
        full.cookie, pending.cookie,
        "the session token changes at each step"
    );
    assert_eq!(app.get("/home", Some(&full)).await.status, 200);

    // Half logged in, one may also give up: logging out ends the session.
    let (_, mut halfway) = log_in(&app, "consultant.roskilde").await;
    let code_page = app.get("/login/code", Some(&halfway)).await;
    halfway.csrf = csrf_of(&code_page.body);
    let out = app.post_form("/logout", Some(&halfway), &[]).await;
    assert_eq!((out.status, out.location()), (303, "/login"));
    let after = app.get("/login/code", Some(&halfway)).await;
    assert_eq!(
        (after.status, after.location()),
        (303, "/login"),
        "the half session is gone"
    );
    let old = app.get("/home", Some(&pending)).await;
    assert_eq!(
        (old.status, old.location()),
        (303, "/login"),
        "the half-done session is gone"
    );
}

#[tokio::test]
async fn young_people_need_no_code_and_wrong_codes_block() {
    let app = requiring(TestApp::new().await);
    let (reply, youth) = log_in(&app, "youth.roskilde").await;
    assert_eq!(reply.location(), "/home");
    assert_eq!(app.get("/home", Some(&youth)).await.status, 200);

    // A team lead with two-factor log-in on guesses three times: blocked, session gone.
    let lead = app.users["team_lead.roskilde"];
    let secret = app.db.start_totp_enrolment(&app.key, lead).await.unwrap();
    app.db
        .check_totp(&app.key, lead, &code_at(&secret, now()), true, "test")
        .await
        .unwrap();
    let (_, mut pending) = log_in(&app, "team_lead.roskilde").await;
    pending.csrf = csrf_of(&app.get("/login/code", Some(&pending)).await.body);
    for _ in 0..3 {
        let reply = app
            .post_form("/login/code", Some(&pending), &[("code", "123456")])
            .await;
        assert_eq!(reply.status, 422);
    }
    let blocked = app
        .post_form(
            "/login/code",
            Some(&pending),
            &[("code", &code_at(&secret, now() + 30))],
        )
        .await;
    assert_eq!(blocked.status, 429);
    assert!(app.get("/home", Some(&pending)).await.location() == "/login");
    // An administrator resets it (a lost phone): the password works again and set-up starts over.
    app.db
        .reset_totp(&spire_store::Actor::command("test"), "team_lead.roskilde")
        .await
        .unwrap();
    app.db
        .unblock_user(&spire_store::Actor::command("test"), "team_lead.roskilde")
        .await
        .unwrap();
    let (reply, _) = log_in(&app, "team_lead.roskilde").await;
    assert_eq!(reply.location(), "/home");
}
