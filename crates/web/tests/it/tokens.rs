//! API tokens on the user's own page: made with a name and an expiry and
//! shown once (a reload makes no second one), refused input kept with the
//! message at its field, revoked; a token works on the API until revoked,
//! and not for staff without two-factor log-in where the server requires it.

use crate::support::{Browser, Reply, TestApp, hidden};
use spire_web::{AppState, WebConfig};

async fn make(app: &TestApp, browser: &Browser, label: &str, days: &str, nonce: &str) -> Reply {
    app.post_form(
        "/account/tokens",
        Some(browser),
        &[("label", label), ("days", days), ("nonce", nonce)],
    )
    .await
}

#[tokio::test]
async fn a_consultant_makes_a_token_sees_it_once_and_revokes_it() {
    let app = TestApp::new().await;
    let consultant = app.browser("consultant.roskilde").await;
    let page = app.get("/account/tokens", Some(&consultant)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("API-nøgler") && page.body.contains("Du har ingen nøgler."));
    let nonce = hidden(&page.body, "nonce");

    // Refused: the messages at the fields, what was typed kept.
    let refused = make(&app, &consultant, "", "400", &nonce).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("id=\"label-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("id=\"days-error\""));
    assert!(refused.body.contains("value=\"400\""));
    assert_eq!(
        hidden(&refused.body, "nonce"),
        nonce,
        "the form keeps its one-time value"
    );

    // Made: the secret is shown once; the same form again makes nothing new.
    let made = make(&app, &consultant, "Udtræk", "30", &nonce).await;
    assert_eq!(made.status, 201);
    let secret = made
        .body
        .split("id=\"new-token\" class=\"hash\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the new token is shown")
        .to_string();
    assert!(secret.starts_with("spire_"));
    let again = make(&app, &consultant, "Udtræk", "30", &nonce).await;
    assert_eq!(again.status, 200);
    assert!(again.body.contains("allerede lavet") && !again.body.contains(&secret));
    let me = app
        .api("GET", "/api/v1/me", Some(&secret), None, "en")
        .await;
    assert_eq!(me.status, 200);
    let tokens = app
        .api("GET", "/api/v1/tokens", Some(&secret), None, "en")
        .await
        .json();
    assert_eq!(
        tokens.as_array().map(Vec::len),
        Some(1),
        "one token, not two"
    );
    assert_eq!(tokens[0]["label"], "Udtræk");
    assert!(tokens[0]["last_used_at"].is_i64(), "its use is recorded");

    // Revoked on the page: the API no longer answers to it.
    let id = tokens[0]["id"].as_str().unwrap().to_string();
    let revoked = app
        .post_form("/account/tokens/revoke", Some(&consultant), &[("id", &id)])
        .await;
    assert_eq!(revoked.location(), "/account/tokens?revoked=1");
    let page = app.get(revoked.location(), Some(&consultant)).await;
    assert!(page.body.contains("Nøglen er tilbagekaldt") && page.body.contains("Tilbagekaldt "));
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&secret), None, "en")
            .await
            .status,
        401
    );
    // An id the user has no token with is a mistake at the field.
    let unknown = app
        .api(
            "POST",
            "/api/v1/tokens/revoke",
            Some(&app.token("consultant.roskilde").await),
            Some(serde_json::json!({"id": "0123456789abcdef"})),
            "en",
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(
        unknown.json()["fields"]["id"],
        "You have no token with that id."
    );
}

#[tokio::test]
async fn a_staff_token_needs_two_factor_where_the_server_requires_it() {
    let app = TestApp::new().await;
    let token = app.token("team_lead.roskilde").await;
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&token), None, "en")
            .await
            .status,
        200
    );
    let strict = TestApp {
        router: spire_web::router(AppState::new(
            app.db.clone(),
            app.key.clone(),
            WebConfig {
                require_two_factor: true,
                ..WebConfig::default()
            },
        )),
        ..app
    };
    assert_eq!(
        strict
            .api("GET", "/api/v1/me", Some(&token), None, "en")
            .await
            .status,
        401,
        "without two-factor log-in set up, the token does not skip it"
    );
}
