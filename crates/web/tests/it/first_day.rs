//! Validation that knows the programme (issue 11, item 5): a benefit and
//! readiness category Danish law does not combine is flagged at screening,
//! tags given twice are kept once, and an access-log search from after to
//! says so.

use crate::support::{TestApp, login_of};
use spire_domain::Role;
use spire_store::testing::cpr_text;

#[tokio::test]
async fn screening_flags_a_combination_danish_law_does_not_know() {
    let app = TestApp::new().await;
    let caseworker = app.browser(&login_of(Role::Caseworker, "roskilde")).await;
    let intake = format!("/trials/{}/intake", app.trial);
    let cpr = cpr_text(300);
    let form = |benefit: &'static str, readiness: &'static str| {
        [
            ("cpr", cpr.clone()),
            ("first_name", "Bo".to_string()),
            ("last_name", "Berg".to_string()),
            ("benefit", benefit.to_string()),
            ("readiness", readiness.to_string()),
            ("has_qualification", "no".to_string()),
        ]
    };
    let send = |fields: [(&'static str, String); 6]| {
        let app = &app;
        let caseworker = &caseworker;
        let intake = intake.clone();
        async move {
            let borrowed: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&intake, Some(caseworker), &borrowed).await
        }
    };
    let odd = send(form("uddannelseshjaelp", "jobparat")).await;
    assert!(
        odd.body.contains("id=\"unusual-combination\""),
        "{}",
        odd.body
    );
    let usual = send(form("uddannelseshjaelp", "aktivitetsparat")).await;
    assert!(
        usual.body.contains("id=\"eligible-summary\""),
        "{}",
        usual.body
    );
    assert!(!usual.body.contains("id=\"unusual-combination\""));
}

#[tokio::test]
async fn tags_given_twice_are_kept_once_and_a_reversed_period_is_refused() {
    let app = TestApp::new().await;
    let consultant = app.browser(&login_of(Role::Consultant, "roskilde")).await;
    let path = format!("/youth/{}/portfolio", app.roskilde_youth);
    let saved = app
        .post_form(
            &path,
            Some(&consultant),
            &[("interests", "IT, it, Musik, musik "), ("strengths", "")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let page = app
        .get(&format!("/youth/{}", app.roskilde_youth), Some(&consultant))
        .await;
    assert!(page.body.contains("value=\"IT, Musik\""), "{}", page.body);

    let lead = app.browser(&login_of(Role::TeamLead, "roskilde")).await;
    let reversed = app
        .get("/access-log?from=2026-05-01&to=2026-04-01", Some(&lead))
        .await;
    assert_eq!(reversed.status, 422);
    assert!(
        reversed.body.contains("Slutdatoen ligger før startdatoen"),
        "{}",
        reversed.body
    );
}

#[tokio::test]
async fn a_twelve_year_old_is_refused_with_the_reason() {
    let app = TestApp::new().await;
    let token = app.token(&login_of(Role::Consultant, "roskilde")).await;
    let child = serde_json::json!({"cpr": "010114-4003", "first_name": "Lille", "last_name": "Ung",
        "outside_trial": "age"});
    let refused = app
        .api("POST", "/api/v1/youth", Some(&token), Some(child), "da")
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let message = refused.json()["fields"]["cpr"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("12 år") && message.contains("fra 15 til 29 år"),
        "{message}"
    );
}
