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

/// Makes `login` with `role` in Roskilde through the form, approved by
/// Roskilde's team lead; returns its id.
async fn approved_account(app: &TestApp, admin: &Browser, login: &str, role: &str) -> i64 {
    let made = app
        .post_form(
            "/admin/users",
            Some(admin),
            &[
                ("login", login),
                ("display_name", "Ny Person"),
                ("password", "a-long-password-1"),
                ("role", role),
                ("municipality_code", "265"),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let lead = app.browser("team_lead.roskilde").await;
    let approved = app
        .post_form("/admin/log/approve", Some(&lead), &[("login", login)])
        .await;
    assert_eq!(approved.status, 303);
    app.db.user_by_login(login).await.unwrap().id
}

/// A session for an account made during the test.
async fn session_of(app: &TestApp, id: i64) -> Browser {
    let secret = app.db.create_session(id, None).await.unwrap();
    Browser {
        cookie: format!("spire_session={}", secret.token),
        csrf: secret.csrf_token,
        lang: None,
    }
}

#[tokio::test]
async fn the_admin_sets_up_real_people() {
    let app = TestApp::new().await;
    let admin = app.browser("admin").await;

    // A youth login made by the administrator: "Mit forløb" says it is not
    // linked yet instead of "not found".
    let youth_id = approved_account(&app, &admin, "ung.ny", "youth").await;
    let youth = session_of(&app, youth_id).await;
    let me = app.get("/me", Some(&youth)).await;
    assert_eq!(me.status, 200);
    assert!(
        me.body.contains("ikke koblet til dit forløb"),
        "{}",
        me.body
    );
    // So do the other pages of the menu, instead of "page not found".
    for path in ["/me/access-log", "/me/progress", "/events"] {
        let page = app.get(path, Some(&youth)).await;
        assert!(
            page.body.contains("Dit forløb er ikke klar endnu"),
            "{path}"
        );
    }

    // The consultant reads the record's number on the young person's page;
    // the administrator links the login by it, seeing no name.
    let consultant = app.browser("consultant.roskilde").await;
    let scope = spire_store::Scope::new(
        app.users["consultant.roskilde"],
        spire_domain::Role::Consultant,
        Some(265),
        "test",
    );
    let record = app
        .db
        .create_youth(
            &scope,
            &app.key,
            &spire_store::NewYouth {
                cpr: spire_store::testing::cpr(4242),
                first_name: "Noa".into(),
                last_name: "Nielsen".into(),
                phone: None,
                email: None,
                interests: String::new(),
                strengths: String::new(),
                consultant_id: None,
                user_id: None,
                outside_trial: Some(spire_domain::eligibility::OutsideTrial::Benefit),
            },
        )
        .await
        .unwrap();
    let page = app
        .get(&format!("/youth/{}", record.get()), Some(&consultant))
        .await;
    assert!(page.body.contains(&format!("Sagsnr. {}", record.get())));
    let account = format!("/admin/users/{youth_id}");
    let typo = app
        .post_form(
            &format!("{account}/link"),
            Some(&admin),
            &[("youth_record", "12a")],
        )
        .await;
    assert_eq!(typo.status, 422);
    assert!(
        typo.body.contains("value=\"12a\""),
        "the typed value comes back"
    );
    assert!(typo.body.contains("Sagsnummeret er et tal"));
    assert!(
        typo.body.contains("value=\"Ny Person\""),
        "the name card keeps the stored name"
    );
    let unknown = app
        .post_form(
            &format!("{account}/link"),
            Some(&admin),
            &[("youth_record", "999999")],
        )
        .await;
    assert!(
        unknown
            .body
            .contains("Kommunen har ingen ung med det sagsnummer")
    );
    let taken = app
        .post_form(
            &format!("{account}/link"),
            Some(&admin),
            &[("youth_record", &app.roskilde_youth.get().to_string())],
        )
        .await;
    assert!(taken.body.contains("har allerede sit eget login"));
    let linked = app
        .post_form(
            &format!("{account}/link"),
            Some(&admin),
            &[("youth_record", &record.get().to_string())],
        )
        .await;
    assert_eq!(linked.location(), format!("{account}?saved=link"));
    let shown = app.get(linked.location(), Some(&admin)).await;
    assert!(
        shown.body.contains("Login&#39;et er koblet") || shown.body.contains("Login'et er koblet")
    );
    assert!(
        !shown.body.contains("Nielsen"),
        "the administrator sees no name"
    );
    let me = app.get("/me", Some(&youth)).await;
    assert!(
        me.status == 200 && me.body.contains("Noa Nielsen"),
        "{}",
        me.body
    );

    // A new consultant placed in a team with 0,8 FTE is in the team lead's
    // team table and sees their team on their home page.
    let consultant_id = approved_account(&app, &admin, "konsulent.ny", "consultant").await;
    let team_url = format!("/admin/users/{consultant_id}/team");
    let bad = app
        .post_form(
            &team_url,
            Some(&admin),
            &[("team_name", "Team Øst"), ("fte", "1,5")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("value=\"Team Øst\"") && bad.body.contains("value=\"1,5\""));
    assert!(bad.body.contains("Årsværk skal være over 0 og højst 1"));
    let forgotten = app
        .post_form(
            &team_url,
            Some(&admin),
            &[("team_name", ""), ("fte", "0,8")],
        )
        .await;
    assert_eq!(
        forgotten.status, 422,
        "an FTE without a team is not a leaving"
    );
    let placed = app
        .post_form(
            &team_url,
            Some(&admin),
            &[("team_name", "Team Øst"), ("fte", "0,8")],
        )
        .await;
    assert_eq!(placed.status, 303);
    // The same team in other letters is that team, not a second one.
    let again = app
        .post_form(
            &team_url,
            Some(&admin),
            &[("team_name", "team øst"), ("fte", "0,8")],
        )
        .await;
    assert_eq!(again.status, 303);
    let teams = app.db.team_names(265).await.unwrap();
    assert_eq!(
        teams
            .iter()
            .filter(|t| t.to_lowercase() == "team øst")
            .count(),
        1
    );
    let lead = app.browser("team_lead.roskilde").await;
    let lead_home = app.get("/home", Some(&lead)).await;
    assert!(lead_home.body.contains("Ny Person"), "in the team table");
    let new_consultant = session_of(&app, consultant_id).await;
    let home = app.get("/home", Some(&new_consultant)).await;
    assert!(
        home.body.contains("Dit team: Team Øst · 0,80 årsværk"),
        "{}",
        home.body
    );
    // Their caseload norm is the team's scaled by their FTE.
    let token = app.token("team_lead.roskilde").await;
    let team = app
        .api("GET", "/api/v1/team", Some(&token), None, "da")
        .await
        .json();
    let full = team["norm"].as_i64().unwrap();
    let load = team["consultants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user_id"] == consultant_id)
        .expect("the new consultant is in the team's loads")
        .clone();
    assert_eq!(
        load["norm"].as_i64(),
        Some((full as f64 * 0.8).round() as i64)
    );

    // Deactivated: their session ends at once and the password no longer
    // opens one; the list shows the state; reopened, they log in again.
    let ended = app
        .post_form(
            &format!("/admin/users/{consultant_id}/deactivate"),
            Some(&admin),
            &[],
        )
        .await;
    assert_eq!(ended.status, 303);
    let notice = app.get(ended.location(), Some(&admin)).await;
    assert!(
        notice
            .body
            .contains("Brugeren er deaktiveret. Én session er lukket."),
        "{}",
        notice.body
    );
    let after = app.get("/home", Some(&new_consultant)).await;
    assert_eq!(after.location(), "/login");
    let refused = app
        .post_form(
            "/login",
            None,
            &[("login", "konsulent.ny"), ("password", "a-long-password-1")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Din konto er lukket"));
    assert!(
        !app.get("/home", Some(&lead))
            .await
            .body
            .contains("Ny Person"),
        "gone from the team"
    );
    let list = app.get("/admin/users", Some(&admin)).await;
    let row = list
        .body
        .split("<tr>")
        .find(|r| r.contains("konsulent.ny"))
        .unwrap();
    assert!(row.contains("Deaktiveret"), "{row}");
    // Nobody deactivates themselves: the page offers no button, and a post is refused.
    let own = app
        .post_form(
            &format!("/admin/users/{}/deactivate", app.users["admin"]),
            Some(&admin),
            &[],
        )
        .await;
    assert_eq!(own.status, 422);
    let reopened = app
        .post_form(
            &format!("/admin/users/{consultant_id}/reactivate"),
            Some(&admin),
            &[],
        )
        .await;
    assert_eq!(reopened.status, 303);
    let welcome = app
        .post_form(
            "/login",
            None,
            &[("login", "konsulent.ny"), ("password", "a-long-password-1")],
        )
        .await;
    assert_eq!(welcome.location(), "/home");
}
