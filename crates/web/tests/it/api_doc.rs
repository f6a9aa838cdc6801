//! The JSON API as a whole: its OpenAPI document (generated, committed,
//! covering every route) and bad input that never causes a server error.

use crate::support::TestApp;
use spire_web::route_specs;

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_api_routes() {
    let app = TestApp::new().await;
    let document = app
        .api("GET", "/api/v1/openapi.json", None, None, "da")
        .await
        .json();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    let api_routes: Vec<_> = route_specs().into_iter().filter(|r| r.api).collect();
    for route in &api_routes {
        let method = route.method.as_str().to_lowercase();
        assert!(
            paths.get(route.path).and_then(|p| p.get(&method)).is_some(),
            "{} {} is not in openapi.json",
            route.method,
            route.path
        );
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        documented,
        api_routes.len(),
        "openapi.json documents a route the router does not have"
    );
}

/// The API's schema gives each typed field the limit the server enforces and
/// the forms show (`spire_domain::validation::limits`).
#[test]
fn the_schema_states_the_limits_the_server_enforces() {
    use spire_domain::validation::limits;
    let document: serde_json::Value =
        serde_json::from_str(&spire_web::openapi_document()).expect("JSON");
    for (schema, field, limit) in [
        ("NewYouth", "first_name", limits::PERSON_NAME),
        ("NewYouth", "last_name", limits::PERSON_NAME),
        ("NewYouth", "email", limits::EMAIL),
        ("NewYouth", "phone", limits::PHONE),
        ("NewYouth", "cpr", limits::TYPED_NUMBER),
        ("NewYouth", "interests", limits::PORTFOLIO),
        ("Portfolio", "strengths", limits::PORTFOLIO),
        ("Randomisation", "first_name", limits::PERSON_NAME),
        ("Randomisation", "cpr", limits::TYPED_NUMBER),
        ("NewCompany", "name", limits::COMPANY_NAME),
        ("NewCompany", "industry", limits::INDUSTRY),
        ("NewCompany", "address", limits::ADDRESS),
        ("NewCompany", "cvr", limits::TYPED_NUMBER),
    ] {
        let stated = &document["components"]["schemas"][schema]["properties"][field]["maxLength"];
        assert_eq!(stated.as_u64(), Some(limit as u64), "{schema}.{field}");
    }
}

/// The committed `openapi.json` is what the API's types and handlers generate.
/// After changing the API: `SPIRE_WRITE_OPENAPI=1 cargo test -p spire-web --test it openapi`.
#[test]
fn the_committed_openapi_document_is_the_generated_one() {
    let generated = spire_web::openapi_document();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    if std::env::var_os("SPIRE_WRITE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(&path).expect("openapi.json");
    assert!(
        committed == generated,
        "openapi.json has drifted from the API's types; regenerate it with \
         SPIRE_WRITE_OPENAPI=1 cargo test -p spire-web --test it openapi"
    );
}

#[tokio::test]
async fn bad_input_never_causes_a_server_error() {
    let app = TestApp::new().await;
    let token = app.token("team_lead.roskilde").await;
    let browser = app.browser("team_lead.roskilde").await;
    let api_cases: &[(&str, &str, Option<&str>)] = &[
        ("POST", "/api/v1/youth", Some("{not json")),
        ("POST", "/api/v1/youth", Some("[1,2,3]")),
        (
            "POST",
            "/api/v1/youth",
            Some(r#"{"cpr": 5, "first_name": ["x"]}"#),
        ),
        ("POST", "/api/v1/youth/search", Some(r#"{"cpr": "x"}"#)),
        ("GET", "/api/v1/youth/abc", None),
        ("GET", "/api/v1/youth/-1", None),
        ("GET", "/api/v1/youth/99999999999999999999", None),
        ("GET", "/api/v1/youth?page=0", None),
        ("GET", "/api/v1/youth?page=abc&per_page=-5", None),
        ("GET", "/api/v1/access-log?from=2026-13-40", None),
        ("GET", "/api/v1/nothing-here", None),
    ];
    for (method, path, body) in api_cases {
        let mut request = axum::http::Request::builder()
            .method(*method)
            .uri(*path)
            .header("host", "localhost")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json");
        request = request.header("accept-language", "da");
        let reply = app
            .send(
                request
                    .body(axum::body::Body::from(body.unwrap_or("").to_string()))
                    .unwrap(),
            )
            .await;
        assert!(
            (400..500).contains(&reply.status),
            "{method} {path} gave {}",
            reply.status
        );
        assert!(
            reply.json()["error"].is_string(),
            "{method} {path}: a JSON error"
        );
    }
    for path in [
        "/youth/abc",
        "/youth/0",
        "/youth?page=x",
        "/companies/xyz",
        "/access-log?to=no",
        "/no/such/page",
    ] {
        let reply = app.get(path, Some(&browser)).await;
        assert!(
            (400..500).contains(&reply.status),
            "{path} gave {}",
            reply.status
        );
        assert!(
            reply.body.contains("Til IT-support"),
            "{path}: a friendly page"
        );
    }
    let garbage = app
        .post_form(
            "/youth/new",
            Some(&browser),
            &[("cpr", "\u{0}\u{202e}"), ("first_name", &"x".repeat(5000))],
        )
        .await;
    assert_eq!(garbage.status, 422);
}
