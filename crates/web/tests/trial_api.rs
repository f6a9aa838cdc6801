//! The trial's API and pages on the real router, in process, with a fresh
//! SQLite database: the answers issue 3 specifies, and concealment.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use spire_domain::Role;
use spire_store::testing::fresh_sqlite;
use spire_store::{Db, NewTrial, NewUser, ServerKey, TrialSettings};
use spire_web::{AppState, WebConfig, router};
use tower::ServiceExt;

struct App {
    router: Router,
    db: Db,
    trial_id: i64,
    caseworker: String,
    other_caseworker: String,
    office: String,
    consultant: String,
}

async fn app() -> App {
    let (db, _path) = fresh_sqlite().await.unwrap();
    let key = ServerKey::from_hex(&"33".repeat(32)).unwrap();
    db.upsert_municipality(265, "Roskilde").await.unwrap();
    db.upsert_municipality(615, "Horsens").await.unwrap();
    let token = async |login: &str, role: Role, municipality: Option<i64>| {
        let id = db
            .create_user(&NewUser {
                login: login.into(),
                display_name: login.into(),
                password: "correct horse battery".into(),
                role,
                municipality_code: municipality,
                company_id: None,
            })
            .await
            .unwrap();
        db.create_api_token(id, "test").await.unwrap().0
    };
    let caseworker = token("case.roskilde", Role::Caseworker, Some(265)).await;
    let other_caseworker = token("case.horsens", Role::Caseworker, Some(615)).await;
    let office = token("office", Role::ProgrammeOffice, None).await;
    let consultant = token("ida.roskilde", Role::Consultant, Some(265)).await;
    let trial_id = db
        .create_trial(
            &key,
            &NewTrial {
                name: "Spire 2026".into(),
                target_size: 500,
                design: spire_trial::Design::stratified_blocks(
                    "spire-2026",
                    &["municipality", "age_band"],
                ),
                settings: TrialSettings::default(),
            },
            None,
        )
        .await
        .unwrap()
        .id;
    App {
        router: router(AppState::new(db.clone(), key, WebConfig::default())),
        db,
        trial_id,
        caseworker,
        other_caseworker,
        office,
        consultant,
    }
}

async fn call(
    app: &App,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    idempotency_key: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("accept-language", "en");
    if let Some(key) = idempotency_key {
        request = request.header("idempotency-key", key);
    }
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A CPR number of someone 23 years old today.
fn eligible_cpr(serial: u32) -> String {
    let birth = time::OffsetDateTime::now_utc().date() - time::Duration::days(23 * 365 + 40);
    format!(
        "{:02}{:02}{:02}-{}{:03}",
        birth.day(),
        birth.month() as u8,
        birth.year() % 100,
        if birth.year() >= 2000 { 4 } else { 1 },
        serial
    )
}

fn youth(cpr: &str, municipality: i64) -> Value {
    json!({
        "cpr": cpr, "first_name": "Ida", "last_name": "Hansen", "municipality_code": municipality,
        "benefit": "kontanthjaelp", "readiness": "aktivitetsparat", "has_qualification": false, "strata": {}
    })
}

#[tokio::test]
async fn randomisation_answers_as_the_issue_specifies() {
    let app = app().await;
    let path = format!("/api/v1/trials/{}/randomizations", app.trial_id);

    let (status, list) = call(&app, &app.caseworker, "GET", "/api/v1/trials", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"][0]["id"], app.trial_id);
    assert_eq!(list["items"][0]["name"], "Spire 2026");
    assert_eq!(list["items"][0]["status"], "open");

    let cpr = eligible_cpr(1);
    let (status, first) = call(
        &app,
        &app.caseworker,
        "POST",
        &path,
        Some(youth(&cpr, 265)),
        Some("abc"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(["programme", "control"].contains(&first["arm"].as_str().unwrap()));
    assert_eq!(first["ledger_index"], 0);
    assert_eq!(first["tree_head"]["size"], 1);
    for field in ["allocation_id", "stratum", "leaf_hash"] {
        assert!(!first[field].is_null(), "{field} missing");
    }
    assert_eq!(first["tree_head"]["signature"].as_str().unwrap().len(), 128);
    assert!(
        !first.to_string().contains(&cpr[..6]),
        "no CPR in the answer"
    );

    let (status, again) = call(
        &app,
        &app.caseworker,
        "POST",
        &path,
        Some(youth(&cpr, 265)),
        Some("abc"),
    )
    .await;
    assert_eq!(
        (status, &again),
        (StatusCode::CREATED, &first),
        "same key, same body"
    );

    let (status, conflict) = call(
        &app,
        &app.other_caseworker,
        "POST",
        &path,
        Some(youth(&cpr, 615)),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict["error"], "already_randomised");
    assert_eq!(conflict["allocation"], first);

    let mut old = youth("010190-1235", 265);
    old["has_qualification"] = json!(true);
    let (status, refused) = call(&app, &app.caseworker, "POST", &path, Some(old), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"], "not_eligible");
    assert_eq!(refused["reasons"], json!(["too_old", "has_qualification"]));

    let (status, invalid) = call(
        &app,
        &app.caseworker,
        "POST",
        &path,
        Some(json!({"cpr": "310299-1234", "benefit": "salary", "has_qualification": false})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid["error"], "invalid");
    for field in [
        "cpr",
        "first_name",
        "last_name",
        "municipality_code",
        "benefit",
        "readiness",
    ] {
        assert!(invalid["fields"][field].is_string(), "{field}: {invalid}");
    }

    let (status, _) = call(
        &app,
        &app.caseworker,
        "POST",
        "/api/v1/trials/999/randomizations",
        Some(youth(&eligible_cpr(2), 265)),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        app.db
            .verify_trial(app.trial_id, None)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn only_caseworkers_randomise_and_nothing_reveals_the_sequence() {
    let app = app().await;
    let path = format!("/api/v1/trials/{}/randomizations", app.trial_id);
    for token in [&app.office, &app.consultant] {
        let (status, _) = call(
            &app,
            token,
            "POST",
            &path,
            Some(youth(&eligible_cpr(3), 265)),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, list) = call(&app, &app.office, "GET", "/api/v1/trials", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let text = list.to_string();
    for secret in ["key", "block", "sequence", "frontier", "seed"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[tokio::test]
async fn every_trial_api_route_is_documented() {
    let document: Value =
        serde_json::from_str(include_str!("../openapi.json")).expect("openapi.json parses");
    for path in ["/api/v1/trials", "/api/v1/trials/{id}/randomizations"] {
        assert!(document["paths"][path].is_object(), "{path} undocumented");
        assert!(
            spire_web::route_specs().iter().any(|r| r.path == path),
            "{path} not routed"
        );
    }
}
