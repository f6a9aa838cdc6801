//! Nobody enters the programme around an open trial, through the pages and
//! the API: a control-arm youth cannot be registered directly, someone
//! already registered is drawn only with the programme's decision, and a
//! crossover is the team lead's, with a reason, counted in CONSORT.

use crate::support::{TestApp, login_of};
use serde_json::{Value, json};
use spire_domain::Role;
use spire_store::testing::cpr_text;

fn intake(serial: u32) -> Value {
    json!({
        "cpr": cpr_text(serial), "first_name": "Ida", "last_name": "Hansen", "municipality_code": 265,
        "benefit": "kontanthjaelp", "readiness": "aktivitetsparat", "has_qualification": false, "strata": {}
    })
}

#[tokio::test]
async fn the_programme_is_entered_only_through_the_draw_or_a_recorded_crossover() {
    let app = TestApp::new().await;
    let caseworker = app.token(&login_of(Role::Caseworker, "roskilde")).await;
    let consultant = app.token(&login_of(Role::Consultant, "roskilde")).await;
    let lead = app.token(&login_of(Role::TeamLead, "roskilde")).await;
    let draw = format!("/api/v1/trials/{}/randomizations", app.trial);

    // Drawn to control: registering them straight into the programme is refused.
    let mut control = None;
    for serial in 100..140 {
        let reply = app
            .api("POST", &draw, Some(&caseworker), Some(intake(serial)), "en")
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        if reply.json()["arm"] == "control" {
            control = Some((serial, reply.json()["allocation_id"].as_i64().unwrap()));
            break;
        }
    }
    let (serial, allocation) = control.expect("one of forty drawn to control");
    let direct = json!({"cpr": cpr_text(serial), "first_name": "Ida", "last_name": "Hansen",
        "outside_trial": "qualification"});
    let refused = app
        .api(
            "POST",
            "/api/v1/youth",
            Some(&consultant),
            Some(direct),
            "da",
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.json()["fields"]["cpr"]
            .as_str()
            .is_some_and(|m| m.contains("kontrolgruppen")),
        "{}",
        refused.body
    );

    // Registered outside the trial first, then brought to the draw: the
    // programme's decision is asked for, and the draw keeps it.
    let outside = json!({"cpr": cpr_text(141), "first_name": "Bo", "last_name": "Juhl",
        "outside_trial": "qualification"});
    let registered = app
        .api(
            "POST",
            "/api/v1/youth",
            Some(&consultant),
            Some(outside),
            "da",
        )
        .await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    let undecided = app
        .api("POST", &draw, Some(&caseworker), Some(intake(141)), "en")
        .await;
    assert_eq!(undecided.status, 422, "{}", undecided.body);
    assert!(
        undecided.json()["fields"]["already_registered_decision"].is_string(),
        "{}",
        undecided.body
    );
    let mut decided = intake(141);
    decided["already_registered_decision"] =
        json!("Startede før forsøget; teamlederen besluttede lodtrækning");
    let drawn = app
        .api("POST", &draw, Some(&caseworker), Some(decided), "en")
        .await;
    assert_eq!(drawn.status, 201, "{}", drawn.body);

    // The crossover: the team lead's alone, with a reason, once.
    let crossover = format!("/api/v1/trials/{}/crossovers", app.trial);
    let body = json!({"allocation_id": allocation, "reason": "Psykologen vurderede, at den unge har brug for forløbet", "start_date": "2026-12-07"});
    let by_caseworker = app
        .api(
            "POST",
            &crossover,
            Some(&caseworker),
            Some(body.clone()),
            "en",
        )
        .await;
    assert_eq!(by_caseworker.status, 404);
    let no_reason = app
        .api(
            "POST",
            &crossover,
            Some(&lead),
            Some(json!({"allocation_id": allocation, "reason": " ", "start_date": "31.02.2026"})),
            "en",
        )
        .await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.body);
    assert!(no_reason.json()["fields"]["start_date"].is_string());
    let recorded = app
        .api("POST", &crossover, Some(&lead), Some(body.clone()), "en")
        .await;
    assert_eq!(recorded.status, 201, "{}", recorded.body);
    let twice = app
        .api("POST", &crossover, Some(&lead), Some(body), "en")
        .await;
    assert_eq!(twice.status, 422, "{}", twice.body);

    let report = app.db.trial_report(app.trial).await.unwrap();
    assert_eq!(report.consort.crossed_over, 1);
    assert_eq!(report.consort.already_registered, 1);
    let page = app
        .get(
            "/crossovers",
            Some(&app.browser(&login_of(Role::TeamLead, "roskilde")).await),
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Psykologen vurderede"), "{}", page.body);
}
