//! Tenant isolation, the access log and CPR numbers: what an auditor checks.

use crate::support::{HORSENS_CPR, ROSKILDE_CPR, TestApp};
use serde_json::json;
use spire_store::{AccessLogQuery, Db, Scope};

async fn reads_of(
    app: &TestApp,
    municipality: i64,
    lead_login: &str,
    youth_id: spire_domain::YouthId,
) -> Vec<spire_store::AccessLogEntry> {
    let lead = Scope::new(
        app.users[lead_login],
        spire_domain::Role::TeamLead,
        Some(municipality),
        "test",
    );
    let log = app
        .db
        .search_access_log(
            &lead,
            &AccessLogQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    log.into_iter()
        .filter(|e| e.youth_id == Some(youth_id.get()) && e.action == "read")
        .collect()
}

async fn cross_municipality_access_is_404_and_never_logged_as_a_read(app: TestApp) {
    let consultant = app.browser("consultant.roskilde").await;
    let token = app.token("consultant.roskilde").await;
    // A Roskilde consultant asks for a Horsens youth, by page and by API.
    let page = app
        .get(&format!("/youth/{}", app.horsens_youth), Some(&consultant))
        .await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Siden findes ikke"), "a friendly page");
    assert!(
        page.body
            .contains(page.headers["x-request-id"].to_str().unwrap()),
        "with the request id"
    );
    let api = app
        .api(
            "GET",
            &format!("/api/v1/youth/{}", app.horsens_youth),
            Some(&token),
            None,
            "da",
        )
        .await;
    assert_eq!(api.status, 404);
    assert_eq!(api.json()["error"], "not_found");
    assert!(
        reads_of(&app, 615, "team_lead.horsens", app.horsens_youth)
            .await
            .is_empty(),
        "no row claims a read"
    );
    let horsens_lead = Scope::new(
        app.users["team_lead.horsens"],
        spire_domain::Role::TeamLead,
        Some(615),
        "test",
    );
    let extract = app
        .db
        .access_log_for_youth(&horsens_lead, app.horsens_youth)
        .await
        .unwrap();
    assert!(
        extract
            .iter()
            .all(|e| e.user_login != "consultant.roskilde")
    );

    // The consultant's own reads are in the log, with purpose and request id.
    let own = app
        .get(&format!("/youth/{}", app.roskilde_youth), Some(&consultant))
        .await;
    assert_eq!(own.status, 200);
    app.api(
        "GET",
        &format!("/api/v1/youth/{}", app.roskilde_youth),
        Some(&token),
        None,
        "da",
    )
    .await;
    // The record itself, once by page and once by API (the page's portfolio
    // entries are a read of their own, named so).
    let all_reads = reads_of(&app, 265, "team_lead.roskilde", app.roskilde_youth).await;
    assert!(
        all_reads
            .iter()
            .any(|e| e.criterion.as_deref() == Some("portfolio"))
    );
    let reads: Vec<_> = all_reads
        .into_iter()
        .filter(|e| e.criterion.is_none())
        .collect();
    assert_eq!(reads.len(), 2);
    assert!(
        reads
            .iter()
            .all(|e| e.user_login == "consultant.roskilde" && e.purpose == "casework")
    );
    assert!(
        reads
            .iter()
            .any(|e| e.request_id == own.headers["x-request-id"].to_str().unwrap())
    );
}

async fn cross_municipality(db: Db) {
    cross_municipality_access_is_404_and_never_logged_as_a_read(TestApp::on(db).await).await;
}

spire_store::both_dbs!(cross_municipality, cross_municipality);

#[tokio::test]
async fn no_cpr_number_appears_in_any_url_log_line_or_response() {
    let app = TestApp::new().await;
    let new_cpr = "020304-4001";
    let caseworker = app.browser("caseworker.roskilde").await;
    let consultant = app.browser("consultant.roskilde").await;
    let token = app.token("consultant.roskilde").await;
    // Every way a CPR number goes in: forms, searches, the API, bad input and duplicates.
    app.post_form(
        "/youth/new",
        Some(&caseworker),
        &[("cpr", new_cpr), ("first_name", "")],
    )
    .await;
    app.post_form(
        "/youth/new",
        Some(&caseworker),
        &[
            ("cpr", new_cpr),
            ("first_name", "Kim"),
            ("last_name", "Berg"),
        ],
    )
    .await;
    app.post_form(
        "/youth/new",
        Some(&caseworker),
        &[
            ("cpr", new_cpr),
            ("first_name", "Kim"),
            ("last_name", "Berg"),
        ],
    )
    .await;
    app.post_form(
        "/youth/new",
        Some(&caseworker),
        &[
            ("cpr", HORSENS_CPR),
            ("first_name", "X"),
            ("last_name", "Y"),
        ],
    )
    .await;
    app.post_form("/youth/search", Some(&consultant), &[("q", ROSKILDE_CPR)])
        .await;
    app.post_form("/youth/search", Some(&consultant), &[("q", HORSENS_CPR)])
        .await;
    let refused = app
        .get(&format!("/youth?q={ROSKILDE_CPR}"), Some(&consultant))
        .await;
    assert_eq!(refused.status, 422, "a CPR number in a URL is refused");
    app.api(
        "POST",
        "/api/v1/youth/search",
        Some(&token),
        Some(json!({ "cpr": ROSKILDE_CPR })),
        "da",
    )
    .await;
    app.api(
        "POST",
        "/api/v1/youth",
        Some(&token),
        Some(json!({ "cpr": ROSKILDE_CPR, "first_name": "A", "last_name": "B" })),
        "da",
    )
    .await;
    app.api(
        "POST",
        "/api/v1/youth",
        Some(&token),
        Some(json!({ "cpr": 102034002_i64, "first_name": "A" })),
        "da",
    )
    .await;
    app.api(
        "POST",
        "/api/v1/youth",
        Some(&token),
        Some(json!({ "cpr": "310203-4002", "first_name": "A", "last_name": "B" })),
        "en",
    )
    .await;
    for id in [app.roskilde_youth, app.horsens_youth] {
        app.get(&format!("/youth/{id}"), Some(&consultant)).await;
        app.api(
            "GET",
            &format!("/api/v1/youth/{id}"),
            Some(&token),
            None,
            "da",
        )
        .await;
    }
    app.get("/youth", Some(&consultant)).await;
    app.get("/api/v1/youth", Some(&consultant)).await;

    // Every way a CPR number is typed into an address is refused before any
    // handler (so never searched for, logged or echoed), and a path with one
    // is logged redacted; a CPR number typed as a user name is not shown back.
    let compact = ROSKILDE_CPR.replace('-', "");
    let typed_urls = [
        format!("/youth?q=CPR%20{ROSKILDE_CPR}"),
        format!("/youth?q=cpr:{compact}"),
        format!("/youth?q={}", ROSKILDE_CPR.replace('-', "%E2%80%93")),
        format!("/youth?q={}", ROSKILDE_CPR.replace('-', "_")),
        format!("/youth?q={}", ROSKILDE_CPR.replace('-', "+")),
        format!("/companies?q={}", HORSENS_CPR.replace('-', "%2D")),
        format!("/access-log?q={compact}"),
        format!("/api/v1/youth?q={compact}"),
    ];
    for url in &typed_urls {
        let reply = app.get(url, Some(&consultant)).await;
        assert_eq!(reply.status, 422, "{url}");
        assert!(
            reply
                .body
                .contains("CPR-nummer hører ikke hjemme i en adresse"),
            "{url}"
        );
    }
    let nosuch = format!("/nosuch/{compact}");
    assert_eq!(app.get(&nosuch, Some(&consultant)).await.status, 404);
    let login_page = app
        .post_form(
            "/login",
            None,
            &[("login", ROSKILDE_CPR), ("password", "x")],
        )
        .await;
    assert_eq!(login_page.status, 401);
    assert!(
        login_page.body.contains("[CPR]"),
        "the user name shown back, redacted"
    );

    // The refused URLs are the test's own input, not something Spire produced.
    let mut seen = app
        .seen
        .lock()
        .unwrap()
        .join("\n")
        .replace(&format!("/youth?q={ROSKILDE_CPR}"), "")
        .replace(&nosuch, "");
    for url in &typed_urls {
        seen = seen.replace(url.as_str(), "");
    }
    let logged = crate::support::server_log();
    assert!(logged.contains("request"), "the log was captured");
    for cpr in [ROSKILDE_CPR, HORSENS_CPR, new_cpr, "310203-4002"] {
        let compact = cpr.replace('-', "");
        for (what, text) in [("responses", &seen), ("log", &logged)] {
            for needle in [cpr, compact.as_str()] {
                if let Some(at) = text.find(needle) {
                    let context: String =
                        text[at.saturating_sub(200)..(at + 50).min(text.len())].to_string();
                    panic!("a CPR number leaked into the {what}: …{context}…");
                }
            }
        }
    }
    // The search by CPR number is in the access log, without the number.
    let lead = Scope::new(
        app.users["team_lead.roskilde"],
        spire_domain::Role::TeamLead,
        Some(265),
        "test",
    );
    let log = app
        .db
        .search_access_log(
            &lead,
            &AccessLogQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.criterion.as_deref() == Some("cpr-number"))
    );
    // And the database holds it only encrypted.
    for cpr in [new_cpr, ROSKILDE_CPR, HORSENS_CPR] {
        let clear = youth_with_cpr_in_clear(&app.db, &cpr.replace('-', "")).await;
        assert_eq!(clear, 0, "{cpr} in clear in the database");
    }
}

/// Young people whose stored CPR bytes hold `digits` in clear.
async fn youth_with_cpr_in_clear(db: &Db, digits: &str) -> i64 {
    let sql = match db {
        Db::Sqlite(_) => {
            "SELECT COUNT(*) FROM youth WHERE instr(CAST(cpr_ciphertext AS TEXT), $1) > 0"
        }
        Db::Postgres(_) => {
            "SELECT COUNT(*) FROM youth WHERE position(convert_to($1, 'UTF8') IN cpr_ciphertext) > 0"
        }
    };
    spire_store::testing::count_sql_binding(db, sql, digits).await
}
