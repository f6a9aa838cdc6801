//! Fidelity through the pages and the API: planning a review, two
//! reviewers blind to each other until both have submitted, a refused form
//! coming back with what was typed, reconciling with a reason, the report
//! stating its scale version, the team lead reading their own, and the API
//! naming refused fields in the caller's language.

use crate::support::{TestApp, login_of, today};
use spire_domain::Role;
use spire_domain::dashboard::HalfYear;

const REVIEWED: [&str; 8] = ["A6", "M6", "P3", "P4", "P5", "T5", "T6", "T7"];

fn ratings(t7: &str, evidence: &str) -> Vec<(String, String)> {
    REVIEWED
        .iter()
        .flat_map(|code| {
            let score = if *code == "T7" { t7 } else { "4" };
            [
                (format!("score-{code}"), score.to_string()),
                (format!("evidence-{code}"), format!("{evidence} ({code})")),
            ]
        })
        .collect()
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn two_reviewers_score_blind_and_settle_their_disagreement() {
    let app = TestApp::new().await;
    let first_login = login_of(Role::ProgrammeOffice, "");
    let first = app.browser(&first_login).await;
    let second = app.browser("anden.programkontor").await;
    let first_id = app.users[&first_login].to_string();
    let second_id = app
        .db
        .user_by_login("anden.programkontor")
        .await
        .unwrap()
        .id
        .to_string();
    let period = HalfYear::containing(today()).previous().previous();
    // Horsens held an event then: its programme had begun.
    spire_store::testing::exec_sql(
        &app.db,
        &format!(
            "INSERT INTO events (municipality_code, title, event_date, start_time, rounds, meetings_per_youth, \
             ranking_deadline, created_by, created_at) VALUES (615, 'Første event', '{day}', '10:00', 3, 3, '{day}', {first_id}, 0)",
            day = period.first_day()
        ),
    )
    .await;
    let period = period.code();

    // The overview offers the plan form; the same person twice is refused
    // at the field with the choices kept.
    let overview = app.get("/fidelity", Some(&first)).await;
    assert_eq!(overview.status, 200);
    assert!(overview.body.contains("Planlæg en vurdering"));
    let same = app
        .post_form(
            "/fidelity",
            Some(&first),
            &[
                ("municipality_code", "615"),
                ("period", &period),
                ("reviewer_a", &first_id),
                ("reviewer_b", &first_id),
                ("due_date", "1.3.2027"),
            ],
        )
        .await;
    assert_eq!(same.status, 422);
    assert!(same.body.contains("reviewer_b-error"));
    assert!(
        same.body
            .contains("De to bedømmere skal være to forskellige personer.")
    );
    assert!(
        same.body.contains("value=\"1.3.2027\""),
        "the date typed is kept"
    );
    let planned = app
        .post_form(
            "/fidelity",
            Some(&first),
            &[
                ("municipality_code", "615"),
                ("period", &period),
                ("reviewer_a", &first_id),
                ("reviewer_b", &second_id),
                ("due_date", "1.3.2027"),
            ],
        )
        .await;
    assert_eq!(planned.status, 303, "{}", planned.body);
    let url = planned.location().split('?').next().unwrap().to_string();
    let page = app.get(planned.location(), Some(&first)).await;
    assert!(page.body.contains("Vurderingen er planlagt"));
    assert!(page.body.contains("Beregnet af data"));

    // A score left out: the form comes back with every typed value and the
    // message at the item.
    let mut incomplete = ratings("5", "Første bedømmers belæg");
    incomplete.retain(|(k, _)| k != "score-M6");
    let refused = app
        .post_form(&format!("{url}/ratings"), Some(&first), &pairs(&incomplete))
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Punkt 2: Skal udfyldes."));
    assert!(
        refused.body.contains("Første bedømmers belæg (M6)"),
        "evidence kept"
    );
    let sent = app
        .post_form(
            &format!("{url}/ratings"),
            Some(&first),
            &pairs(&ratings("5", "Første bedømmers belæg")),
        )
        .await;
    assert_eq!(sent.status, 303);
    // Sent again (a reload): refused, nothing written twice.
    let again = app
        .post_form(
            &format!("{url}/ratings"),
            Some(&first),
            &pairs(&ratings("1", "Igen")),
        )
        .await;
    assert_eq!(again.status, 422);

    // The second reviewer sees none of the first's scores or evidence.
    let blind = app.get(&url, Some(&second)).await;
    assert!(blind.body.contains("id=\"ratings-form\""));
    assert!(!blind.body.contains("Første bedømmers belæg"));
    let api_blind = app
        .api(
            "GET",
            &format!("/api/v1{url}"),
            Some(&app.token("anden.programkontor").await),
            None,
            "da",
        )
        .await
        .json();
    assert!(
        api_blind["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["ratings"].as_array().unwrap().is_empty())
    );
    let sent = app
        .post_form(
            &format!("{url}/ratings"),
            Some(&second),
            &pairs(&ratings("3", "Anden bedømmers belæg")),
        )
        .await;
    assert_eq!(sent.status, 303);

    // Both in: the disagreement on T7 is shown until settled with a reason.
    let both = app.get(&url, Some(&first)).await;
    assert!(both.body.contains("Første bedømmers belæg (T7)"));
    assert!(both.body.contains("Anden bedømmers belæg (T7)"));
    assert!(both.body.contains("Én uenighed skal afklares"));
    let no_reason = app
        .post_form(
            &format!("{url}/reconcile"),
            Some(&first),
            &[("item", "T7"), ("score", "4"), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("Skal udfyldes."));
    assert!(
        no_reason.body.contains("<option value=\"4\" selected>"),
        "the score kept"
    );
    let settled = app
        .post_form(
            &format!("{url}/reconcile"),
            Some(&first),
            &[
                ("item", "T7"),
                ("score", "4"),
                ("reason", "Enige efter samtale"),
            ],
        )
        .await;
    assert_eq!(settled.status, 303);
    let report = app.get(&format!("{url}/report"), Some(&first)).await;
    assert_eq!(report.status, 200);
    assert!(report.body.contains("Skalaens version: 1"));
    assert!(report.body.contains("Afklaret af"));
    assert!(report.body.contains("Enige efter samtale"));
    assert!(report.body.contains("Teammodellen"));
}

#[tokio::test]
async fn the_team_lead_reads_their_own_report_and_the_api_names_refused_fields() {
    let app = TestApp::new().await;
    let lead = app.browser(&login_of(Role::TeamLead, "roskilde")).await;
    let url = format!("/fidelity/reviews/{}", app.fidelity_review);
    let report = app.get(&format!("{url}/report"), Some(&lead)).await;
    assert_eq!(report.status, 200);
    assert!(report.body.contains("Roskilde"));
    let trend = app.get("/fidelity/municipalities/265", Some(&lead)).await;
    assert_eq!(trend.status, 200);
    assert!(trend.body.contains("<svg"), "the trend as a chart");
    let scale = app.get("/fidelity/scale", Some(&lead)).await;
    assert!(scale.body.contains("Magtskifte"));
    assert!(
        !scale.body.contains("Udgiv en ny version"),
        "only the office publishes"
    );

    let token = app.token(&login_of(Role::ProgrammeOffice, "")).await;
    let refused = app
        .api(
            "POST",
            "/api/v1/fidelity/reviews",
            Some(&token),
            Some(
                serde_json::json!({"municipality_code": "615", "period": "2026-H9",
                "reviewer_a": "", "reviewer_b": "", "due_date": "31.2.2027"}),
            ),
            "en",
        )
        .await;
    assert_eq!(refused.status, 422);
    let fields = refused.json()["fields"].clone();
    for field in ["period", "reviewer_a", "reviewer_b", "due_date"] {
        assert!(fields[field].is_string(), "{field}: {fields}");
    }
    let bad_scale = app
        .api(
            "POST",
            "/api/v1/fidelity/scales",
            Some(&token),
            Some(serde_json::json!({"source": "code;title\nA1", "note": "v2"})),
            "en",
        )
        .await;
    assert_eq!(bad_scale.status, 422);
    assert!(
        bad_scale.json()["fields"]["source"]
            .as_str()
            .unwrap()
            .starts_with("Line 1: the first line must be the header")
    );
    let ratings = app
        .api(
            "POST",
            &format!("/api/v1{url}/ratings"),
            Some(&token),
            Some(serde_json::json!({"ratings": []})),
            "en",
        )
        .await;
    assert_eq!(ratings.status, 422, "submitted already");
}
