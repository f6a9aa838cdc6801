//! Query strings from anyone, on the routes that read one: arbitrary text
//! (percent-encoded as a browser would send it, and raw pairs of names and
//! values) never gets a server error, and one holding a CPR number is always
//! refused before any handler runs.

use crate::support::TestApp;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const ROUTES: &[&str] = &[
    "/youth",
    "/access-log",
    "/dashboard",
    "/admin/log",
    "/api/v1/youth",
    "/api/v1/access-log",
    "/api/v1/dashboard",
];

#[test]
fn no_query_string_gets_a_server_error_and_a_cpr_number_is_refused() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (app, lead, token) = runtime.block_on(async {
        let app = TestApp::new().await;
        let lead = app.browser("team_lead.roskilde").await;
        let token = app.token("team_lead.roskilde").await;
        (app, lead, token)
    });
    let pairs = prop::collection::vec(
        (
            prop_oneof![
                Just("q".to_string()),
                Just("from".to_string()),
                Just("to".to_string()),
                Just("page".to_string()),
                Just("user".to_string()),
                any::<String>()
            ],
            prop_oneof![any::<String>(), "[0-9 \\-–./]{0,14}"],
        ),
        0..4,
    );
    let mut runner = TestRunner::new(Config {
        cases: 64,
        ..Config::default()
    });
    runner
        .run(&(0..ROUTES.len(), pairs), |(route, pairs)| {
            let query = serde_urlencoded::to_string(&pairs).unwrap();
            let path = format!("{}?{query}", ROUTES[route]);
            let reply = runtime.block_on(async {
                if path.starts_with("/api/") {
                    app.api("GET", &path, Some(&token), None, "da").await
                } else {
                    app.get(&path, Some(&lead)).await
                }
            });
            prop_assert!(reply.status < 500, "{path} answered {}", reply.status);
            if pairs
                .iter()
                .any(|(k, v)| spire_domain::contains_cpr(k) || spire_domain::contains_cpr(v))
            {
                prop_assert_eq!(reply.status, 422, "{} holds a CPR number", path);
            }
            Ok(())
        })
        .unwrap();
}
