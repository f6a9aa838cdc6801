//! Security properties from quality.md: headers, CSRF, sessions.

use crate::support::{PASSWORD, TestApp};
use axum::body::Body;
use axum::http::Request;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    let browser = app.browser("consultant.roskilde").await;
    for path in ["/login", "/home", "/youth", "/nope", "/api/v1/openapi.json"] {
        let reply = app.get(path, Some(&browser)).await;
        let header = |name: &str| {
            reply
                .headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        let csp = header("content-security-policy");
        for directive in [
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: CSP lacks {directive}");
        }
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("cache-control"), "no-store", "{path}");
        assert!(!header("referrer-policy").is_empty(), "{path}");
        assert_eq!(header("x-request-id").len(), 16, "{path}");
    }
}

#[tokio::test]
async fn a_change_without_the_csrf_token_or_from_another_origin_is_refused() {
    let app = TestApp::new().await;
    let browser = app.browser("caseworker.roskilde").await;
    let form = "cpr=020304-4001&first_name=Kim&last_name=Berg";
    let without_token = Request::post("/youth/new")
        .header("host", "localhost")
        .header("cookie", &browser.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    assert_eq!(app.send(without_token).await.status, 400);
    let foreign_origin = Request::post("/youth/new")
        .header("host", "localhost")
        .header("origin", "http://evil.example")
        .header("cookie", &browser.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("{form}&csrf={}", browser.csrf)))
        .unwrap();
    assert_eq!(app.send(foreign_origin).await.status, 400);
    // The same host under the other scheme is another origin.
    let other_scheme = Request::post("/youth/new")
        .header("host", "localhost")
        .header("origin", "https://localhost")
        .header("cookie", &browser.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("{form}&csrf={}", browser.csrf)))
        .unwrap();
    assert_eq!(app.send(other_scheme).await.status, 400);
    let lead = app.browser("team_lead.roskilde").await;
    let page = app.get("/youth?q=Berg", Some(&lead)).await;
    assert!(!page.body.contains("Kim Berg"), "nothing was created");
    // The same form with the token is accepted.
    let reply = app
        .post_form(
            "/youth/new",
            Some(&browser),
            &[
                ("cpr", "020304-4001"),
                ("first_name", "Kim"),
                ("last_name", "Berg"),
                ("outside_trial", "qualification"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303);
}

#[tokio::test]
async fn login_rotates_the_session_and_logout_ends_it_on_the_server() {
    let app = TestApp::new().await;
    let planted = app.browser("consultant.roskilde").await;
    let request = Request::post("/login")
        .header("host", "localhost")
        .header("cookie", &planted.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "login=consultant.roskilde&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, 303);
    let new_cookie = reply
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(new_cookie, planted.cookie);
    assert_eq!(
        app.get("/home", Some(&planted)).await.location(),
        "/login",
        "the old session is gone"
    );

    let browser = app.browser("consultant.roskilde").await;
    assert_eq!(app.get("/home", Some(&browser)).await.status, 200);
    let out = app.post_form("/logout", Some(&browser), &[]).await;
    assert_eq!((out.status, out.location()), (303, "/login"));
    assert_eq!(
        app.get("/home", Some(&browser)).await.location(),
        "/login",
        "the cookie no longer works"
    );
}

/// The Roskilde consultant's GET of `path` on a server with `config`.
async fn get_signed_in(config: spire_web::WebConfig, path: &str) -> axum::response::Response {
    use tower::ServiceExt;
    let (db, _) = spire_store::testing::fresh_sqlite().await.unwrap();
    let app = TestApp::on(db.clone()).await;
    let secret = db
        .create_session(app.users["consultant.roskilde"], None)
        .await
        .unwrap();
    let state = spire_web::AppState::new(db, app.key.clone(), config);
    let request = Request::get(path)
        .header("host", "localhost")
        .header("cookie", format!("spire_session={}", secret.token))
        .body(Body::empty())
        .unwrap();
    spire_web::router(state).oneshot(request).await.unwrap()
}

#[tokio::test]
async fn an_idle_session_ends() {
    let config = spire_web::WebConfig {
        idle_timeout_secs: -1,
        ..Default::default()
    };
    assert_eq!(get_signed_in(config, "/home").await.status(), 303);
}

#[tokio::test]
async fn a_request_over_the_time_limit_ends_with_503_and_retry_after() {
    let config = spire_web::WebConfig {
        request_timeout_secs: 0,
        ..Default::default()
    };
    let response = get_signed_in(config, "/week").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "30");
}

#[tokio::test]
async fn one_address_is_held_to_the_rate_limit_and_others_are_not() {
    let app = TestApp::new().await;
    let limited = TestApp {
        router: spire_web::router(spire_web::AppState::new(
            app.db.clone(),
            app.key.clone(),
            spire_web::WebConfig {
                rate_limit_per_second: 2,
                ..Default::default()
            },
        )),
        ..app
    };
    let from = |address: &str| {
        let address: std::net::SocketAddr = format!("{address}:40000").parse().unwrap();
        Request::builder()
            .uri("/login")
            .header("host", "localhost")
            .extension(axum::extract::ConnectInfo(address))
            .body(Body::empty())
            .unwrap()
    };
    let mut statuses = Vec::new();
    for _ in 0..21 {
        statuses.push(limited.send(from("10.0.0.1")).await.status);
    }
    // A burst of ten seconds' worth (20), then 429 with when to come back.
    assert_eq!(statuses[..20], [200; 20]);
    let refused = limited.send(from("10.0.0.1")).await;
    assert_eq!(refused.status, 429);
    assert!(refused.body.contains("For mange forespørgsler"));
    let retry_after: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1).contains(&retry_after), "{retry_after}");
    assert_eq!(
        limited.send(from("10.0.0.2")).await.status,
        200,
        "another address"
    );
}

#[tokio::test]
async fn the_vendored_htmx_is_the_published_file() {
    use sha2::{Digest, Sha256};
    let app = TestApp::new().await;
    let reply = app.get("/static/htmx-2.0.11.min.js", None).await;
    assert_eq!(reply.status, 200);
    // SHA-256 of htmx.org 2.0.11 dist/htmx.min.js from the npm registry.
    assert_eq!(
        hex_digest(Sha256::digest(reply.body.as_bytes()).as_slice()),
        "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
    );
}

fn hex_digest(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn over_tls_cookies_are_secure_host_cookies_and_hsts_is_sent() {
    use tower::ServiceExt;
    let (db, _) = spire_store::testing::fresh_sqlite().await.unwrap();
    let app = TestApp::on(db.clone()).await;
    let state = spire_web::AppState::new(
        db,
        app.key.clone(),
        spire_web::WebConfig {
            tls: true,
            ..Default::default()
        },
    );
    let request = Request::post("/login")
        .header("host", "spire.example")
        .header("origin", "https://spire.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "login=consultant.roskilde&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    let router = spire_web::router(state);
    // Over TLS a page of the same host served over plain HTTP is another origin.
    let plain = Request::post("/login")
        .header("host", "spire.example")
        .header("origin", "http://spire.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("login=consultant.roskilde&password=x"))
        .unwrap();
    assert_eq!(router.clone().oneshot(plain).await.unwrap().status(), 400);
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 303);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-spire_session=")
            && cookie.contains("; Secure")
            && cookie.contains("Path=/")
    );
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
}

/// Only the upload route buffers an upload-sized body: the same 1 MB
/// multipart POST (with a valid CSRF token) is refused with 413 on an
/// ordinary form, and reaches the upload handler on the outcome import.
#[tokio::test]
async fn each_route_reads_no_more_body_than_it_takes() {
    let app = TestApp::new().await;
    let multipart = |csrf: &str| {
        let file = "pseudonym;x_6m\n".to_string() + &"aa;1\n".repeat(200_000);
        format!(
            "--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"o.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{file}\r\n--B--\r\n"
        )
    };
    let post = async |path: &str, login: &str| {
        let browser = app.browser(login).await;
        let body = multipart(&browser.csrf);
        assert!(body.len() > 1_000_000);
        let request = Request::post(path)
            .header("host", "localhost")
            .header("origin", "http://localhost")
            .header("cookie", &browser.cookie)
            .header("content-type", "multipart/form-data; boundary=B")
            .body(Body::from(body))
            .unwrap();
        app.send(request).await
    };
    let form = post("/youth/new", "consultant.roskilde").await;
    assert_eq!(form.status, 413);
    assert!(
        form.body.contains("for stort"),
        "said in Danish: {}",
        form.body
    );
    let upload = post(
        &format!("/trials/{}/evaluation/outcomes", app.trial),
        "researcher",
    )
    .await;
    assert_ne!(upload.status, 413);
    assert_ne!(upload.status, 400, "the CSRF token was found in the upload");
}

/// The log-in form and the JSON API are bounded too: a 1 MB body is refused
/// with 413 before it is parsed (the API says so in its error body).
#[tokio::test]
async fn public_forms_and_the_api_are_bounded_too() {
    let app = TestApp::new().await;
    let huge = "x".repeat(1 << 20);
    let login = Request::post("/login")
        .header("host", "localhost")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("login=a&password={huge}")))
        .unwrap();
    assert_eq!(app.send(login).await.status, 413);
    let token = app.token("consultant.roskilde").await;
    let reply = app
        .api(
            "POST",
            "/api/v1/youth",
            Some(&token),
            Some(serde_json::json!({ "first_name": huge })),
            "en",
        )
        .await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.json()["error"], "too_large");
}

/// Two session cookies of the same name: the first one sent counts (the
/// browser's own, sent before one planted later), as before the cookie jar.
#[tokio::test]
async fn the_first_session_cookie_sent_is_the_one_that_counts() {
    let app = TestApp::new().await;
    let browser = app.browser("consultant.roskilde").await;
    let home = |cookies: String| {
        Request::get("/home")
            .header("host", "localhost")
            .header("cookie", cookies)
            .body(Body::empty())
            .unwrap()
    };
    let first = app
        .send(home(format!("{}; spire_session=planted", browser.cookie)))
        .await;
    assert_eq!(first.status, 200, "the real session, sent first, counts");
    let second = app
        .send(home(format!("spire_session=planted; {}", browser.cookie)))
        .await;
    assert_eq!(
        second.status, 303,
        "a planted cookie sent first is not skipped over"
    );
    assert_eq!(second.location(), "/login");
}
