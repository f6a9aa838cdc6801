//! Administration: creating users, with clear messages.

use crate::support::{Browser, Reply, TestApp};

/// The administrator creates the consultant `ny.konsulent` in Roskilde.
async fn create_consultant(app: &TestApp, admin: &Browser) -> Reply {
    app.post_form(
        "/admin/users",
        Some(admin),
        &[
            ("login", "ny.konsulent"),
            ("display_name", "Ny Konsulent"),
            ("password", "a-long-password-1"),
            ("role", "consultant"),
            ("municipality_code", "265"),
        ],
    )
    .await
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
    let good = create_consultant(&app, &admin).await;
    assert_eq!(good.status, 200);
    assert!(good.body.contains("Brugeren ny.konsulent er oprettet."));
}

#[tokio::test]
async fn a_team_lead_sees_accounts_made_in_their_municipality_and_lifts_a_wait() {
    let app = TestApp::new().await;
    let admin = app.browser("admin").await;
    let created = create_consultant(&app, &admin).await;
    assert_eq!(created.status, 200);

    // An account the administrator made in Roskilde is shown to Roskilde's
    // team lead, with who made it; not to Horsens's.
    let lead = app.browser("team_lead.roskilde").await;
    let page = app.get("/admin/log", Some(&lead)).await;
    assert_eq!(page.status, 200);
    let changes = page.body.split("id=\"admin-changes\"").nth(1).unwrap_or("");
    let row = changes
        .split("<tr>")
        .find(|row| row.contains("ny.konsulent"))
        .expect("the new account is in the log");
    assert!(
        row.contains("Bruger oprettet") && row.contains(">admin<") && row.contains("Ungekonsulent"),
        "{row}"
    );
    let horsens = app.browser("team_lead.horsens").await;
    assert!(
        !app.get("/admin/log", Some(&horsens))
            .await
            .body
            .contains("ny.konsulent")
    );

    // The new consultant cannot log in until Roskilde's team lead approves
    // (two people); the administrator only sees that it waits.
    let refused = app
        .post_form(
            "/login",
            None,
            &[("login", "ny.konsulent"), ("password", "a-long-password-1")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .body
            .contains("venter på, at teamlederen i Roskilde godkender den")
    );
    let admin_view = app.get("/admin/log", Some(&admin)).await;
    assert!(
        admin_view.body.contains("id=\"awaiting-approval\"")
            && !admin_view.body.contains("/admin/log/approve")
    );
    let page = app.get("/admin/log", Some(&lead)).await;
    assert!(
        page.body.contains("id=\"awaiting-approval\"") && page.body.contains("/admin/log/approve")
    );
    let approved = app
        .post_form(
            "/admin/log/approve",
            Some(&lead),
            &[("login", "ny.konsulent")],
        )
        .await;
    assert_eq!(approved.location(), "/admin/log?approved=1");
    let page = app.get(approved.location(), Some(&lead)).await;
    assert!(
        page.body.contains("Kontoen er godkendt")
            && !page.body.contains("id=\"awaiting-approval\"")
    );
    let welcome = app
        .post_form(
            "/login",
            None,
            &[("login", "ny.konsulent"), ("password", "a-long-password-1")],
        )
        .await;
    assert_eq!(welcome.location(), "/home");

    // Three wrong passwords: the consultant waits; their team lead sees it and
    // lifts it (logged), Horsens's team lead cannot (404).
    for _ in 0..3 {
        app.post_form(
            "/login",
            None,
            &[("login", "consultant.roskilde"), ("password", "wrong")],
        )
        .await;
    }
    let page = app.get("/admin/log", Some(&lead)).await;
    assert!(
        page.body.contains("id=\"waiting-logins\"") && page.body.contains("consultant.roskilde")
    );
    let foreign = app
        .post_form(
            "/admin/log/unblock",
            Some(&horsens),
            &[("login", "consultant.roskilde")],
        )
        .await;
    assert_eq!(foreign.status, 404);
    let lifted = app
        .post_form(
            "/admin/log/unblock",
            Some(&lead),
            &[("login", "consultant.roskilde")],
        )
        .await;
    assert_eq!(lifted.location(), "/admin/log?unblocked=1");
    let page = app.get(lifted.location(), Some(&lead)).await;
    assert!(page.body.contains("Ventetiden er ophævet"));
    assert!(!page.body.contains("id=\"waiting-logins\""));
    assert!(page.body.contains("Ventetid ophævet"));
    let again = app
        .post_form(
            "/login",
            None,
            &[
                ("login", "consultant.roskilde"),
                ("password", crate::support::PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.location(), "/home");

    // The API says the same, in English field names.
    let token = app.token("team_lead.roskilde").await;
    let log = app
        .api("GET", "/api/v1/admin-log", Some(&token), None, "en")
        .await
        .json();
    // Newest first: the token just made, then the lifted wait.
    assert_eq!(log["changes"][0]["action"], "token-created");
    assert_eq!(log["changes"][1]["action"], "login-unblocked");
    assert_eq!(log["changes"][1]["actor"], "team_lead.roskilde");
    assert_eq!(log["changes"][1]["target"], "consultant.roskilde");
    assert_eq!(log["blocked"].as_array().map(Vec::len), Some(0));
}
