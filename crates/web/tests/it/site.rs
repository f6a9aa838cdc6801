//! The language: the switch keeps the page, and the browser's languages
//! choose before a log-in.

use crate::support::TestApp;

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
    // A backslash reads as a slash in browsers; a line break cannot be sent
    // as a header: both go home, neither is a server error.
    for back in [
        "/\\evil.example",
        "/\r\nSet-Cookie: x=1",
        "https://evil.example",
    ] {
        let reply = app
            .post_form("/lang", Some(&browser), &[("lang", "en"), ("back", back)])
            .await;
        assert_eq!((reply.status, reply.location()), (303, "/home"), "{back:?}");
    }
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
