//! The course, the 6-week conversations, the consultant's week, the team's
//! caseload, and psychologist notes, through the pages and the API.

use crate::support::TestApp;
use serde_json::json;

fn scores(held_on: &'static str, direction: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("held_on", held_on),
        ("direction", direction),
        ("persistence", "3"),
        ("curiosity", "4"),
        ("resilience", "2"),
        ("self_esteem", "3"),
        ("note", "Godt i gang"),
    ]
}

#[tokio::test]
async fn both_sides_score_the_conversation_and_the_page_draws_it() {
    let app = TestApp::new().await;
    let consultant = app.browser("consultant.roskilde").await;
    let url = format!("/youth/{}/progress", app.roskilde_youth);
    let refused = app
        .post_form(&url, Some(&consultant), &scores("2026-10-01", "7"))
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("value=\"Godt i gang\"")
            || refused.body.contains(">Godt i gang</textarea>")
    );
    let saved = app
        .post_form(&url, Some(&consultant), &scores("2026-10-01", "3"))
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let youth = app.browser("youth.roskilde").await;
    let own = app
        .post_form("/me/progress", Some(&youth), &scores("2026-10-01", "4"))
        .await;
    assert_eq!(own.status, 303);
    let twice = app
        .post_form("/me/progress", Some(&youth), &scores("2026-10-01", "4"))
        .await;
    assert_eq!(twice.status, 422, "one score per side and day");
    let page = app
        .get(
            &format!("/youth/{}/course", app.roskilde_youth),
            Some(&consultant),
        )
        .await;
    assert!(page.body.contains("<svg"));
    assert!(page.body.contains("id=\"chart-direction\""));
    assert!(page.body.contains("Den unge: 4") && page.body.contains("Konsulenten: 3"));
    let mine = app.get("/me/progress", Some(&youth)).await;
    assert!(mine.body.contains("id=\"chart-self_esteem\""));
    // The API gives the same scores, the youth their own only.
    let token = app.token("youth.roskilde").await;
    let list = app
        .api(
            "GET",
            &format!("/api/v1/youth/{}/progress", app.roskilde_youth),
            Some(&token),
            None,
            "da",
        )
        .await;
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 2);
    let foreign = app
        .api(
            "GET",
            &format!("/api/v1/youth/{}/progress", app.horsens_youth),
            Some(&token),
            None,
            "da",
        )
        .await;
    assert_eq!(foreign.status, 404);
}

#[tokio::test]
async fn a_course_outside_the_trial_ends_with_follow_ups() {
    let app = TestApp::new().await;
    let token = app.token("consultant.roskilde").await;
    let course = format!("/api/v1/youth/{}/course", app.roskilde_youth);
    let open = app.api("GET", &course, Some(&token), None, "da").await;
    assert_eq!(open.json()["course"]["in_trial"], false);
    let twice = app
        .api(
            "POST",
            &course,
            Some(&token),
            Some(json!({"readiness": "jobparat", "start_date": "2026-11-01"})),
            "da",
        )
        .await;
    assert_eq!(twice.status, 422);
    assert_eq!(
        twice.json()["fields"]["youth_id"],
        "Den unge har allerede et åbent forløb."
    );
    let browser = app.browser("consultant.roskilde").await;
    let page_path = format!("/youth/{}/course", app.roskilde_youth);
    // A refusal about no input of the form (the course is the young person's,
    // not a field) is said above the form, word for word, not dropped.
    let again = app
        .post_form(
            &page_path,
            Some(&browser),
            &[("readiness", "jobparat"), ("start_date", "2026-11-01")],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(
        again.body.contains("id=\"form-errors\"")
            && again.body.contains("allerede et åbent forløb"),
        "{}",
        again.body
    );
    let bad = app
        .api(
            "POST",
            &format!("{course}/exit"),
            Some(&token),
            Some(json!({"exit_date": "31.02.2026", "exit_reason": "lottery"})),
            "en",
        )
        .await;
    assert_eq!(
        bad.json()["fields"]["exit_date"],
        "That date does not exist. Write e.g. 02.03.2026."
    );
    assert_eq!(
        bad.json()["fields"]["exit_reason"],
        "Choose one of the options."
    );
    let today = time::OffsetDateTime::now_utc().date().to_string();
    // Not while an internship is planned or active.
    let refused = app
        .api(
            "POST",
            &format!("{course}/exit"),
            Some(&token),
            Some(json!({"exit_date": today, "exit_reason": "education"})),
            "da",
        )
        .await;
    assert_eq!(
        refused.json()["fields"]["exit_date"],
        "Den unge har en planlagt eller aktiv praktik. Afslut eller afbryd den først."
    );
    let interrupted = app
        .api(
            "POST",
            &format!("/api/v1/internships/{}/status", app.roskilde_internship),
            Some(&token),
            Some(json!({"transition": "interrupt_company", "reason": "Virksomheden lukker afdelingen"})),
            "da",
        )
        .await;
    assert_eq!(interrupted.status, 200, "{}", interrupted.body);
    let ended = app
        .api(
            "POST",
            &format!("{course}/exit"),
            Some(&token),
            Some(json!({"exit_date": today, "exit_reason": "education"})),
            "da",
        )
        .await;
    assert_eq!(ended.status, 200, "{}", ended.body);
    let follow_ups = ended.json()["course"]["follow_ups"].clone();
    assert_eq!(
        follow_ups
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["months"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [3, 6, 12]
    );
    let page = app.get(&page_path, Some(&browser)).await;
    assert!(page.body.contains("Afsluttet") && page.body.contains("Uddannelse"));
    assert!(page.body.contains("3 måneder efter"));
}

#[tokio::test]
async fn the_team_lead_sees_caseloads_and_is_warned_over_the_norm() {
    let app = TestApp::new().await;
    app.db.set_caseload_norms([1, 20, 22]).await.unwrap();
    // A second youth with a course, to give the consultant one more than the norm.
    let token = app.token("consultant.roskilde").await;
    let second = app
        .api(
            "POST",
            "/api/v1/youth",
            Some(&token),
            Some(json!({"cpr": "020304-4012", "first_name": "Mie", "last_name": "Ny", "outside_trial": "qualification"})),
            "da",
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.body);
    let second_id = second.json()["id"].as_i64().unwrap();
    let opened = app
        .api(
            "POST",
            &format!("/api/v1/youth/{second_id}/course"),
            Some(&token),
            Some(json!({"readiness": "aktivitetsparat", "start_date": "2026-11-02"})),
            "da",
        )
        .await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let lead = app.browser("team_lead.roskilde").await;
    let team = app.get("/team", Some(&lead)).await;
    assert_eq!(team.status, 200);
    assert!(team.body.contains("<svg") && team.body.contains("norm 1"));
    // Each consultant's young people are listed, and the choice shows each
    // caseload against the norm before assigning.
    assert!(
        team.body.contains("<summary>Test consultant.roskilde: "),
        "{}",
        team.body
    );
    assert!(team.body.contains("Roskildehansen</a>"));
    assert!(team.body.contains("Test consultant.roskilde (") && team.body.contains("/1)</option>"));
    let consultant_id = app.users["consultant.roskilde"].to_string();
    let youth = second_id.to_string();
    let reply = app
        .post_form(
            "/team/assign",
            Some(&lead),
            &[
                ("youth_ids", youth.as_str()),
                ("youth_ids", "999999"),
                ("consultant_id", consultant_id.as_str()),
            ],
        )
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("Mie Ny: tildelt."), "{}", reply.body);
    assert!(reply.body.contains("#999999: ikke fundet"));
    assert!(
        reply.body.contains("har nu 2 unge; normen er 1"),
        "a warning with the numbers"
    );
    let token = app.token("team_lead.roskilde").await;
    let api = app
        .api("GET", "/api/v1/team", Some(&token), None, "da")
        .await;
    assert_eq!(api.json()["norm"], 1);
}

#[tokio::test]
async fn psychologist_notes_are_for_psychologists_only_and_reads_are_logged() {
    let app = TestApp::new().await;
    let url = format!("/youth/{}/psychologist-notes", app.roskilde_youth);
    let psychologist = app.browser("psychologist.roskilde").await;
    let empty = app
        .post_form(&url, Some(&psychologist), &[("note", "")])
        .await;
    assert_eq!(empty.status, 422);
    let long = "x".repeat(5_001);
    let too_long = app
        .post_form(&url, Some(&psychologist), &[("note", long.as_str())])
        .await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains(&long), "what was typed comes back");
    let saved = app
        .post_form(
            &url,
            Some(&psychologist),
            &[("note", "Samtale om søvn og angst")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let page = app.get(&url, Some(&psychologist)).await;
    assert!(page.body.contains("Samtale om søvn og angst"));
    for login in [
        "consultant.roskilde",
        "team_lead.roskilde",
        "youth.roskilde",
        "company_contact.roskilde",
        "psychologist.horsens",
    ] {
        let other = app.browser(login).await;
        assert_eq!(app.get(&url, Some(&other)).await.status, 404, "{login}");
        let course = app
            .get(
                &format!("/youth/{}/course", app.roskilde_youth),
                Some(&other),
            )
            .await;
        assert!(!course.body.contains("Samtale om søvn"), "{login}");
    }
    let lead = app.browser("team_lead.roskilde").await;
    let log = app
        .get(
            &format!("/youth/{}/access-log", app.roskilde_youth),
            Some(&lead),
        )
        .await;
    assert!(
        log.body.contains("psychologist"),
        "the read is in the youth's access log"
    );
}

#[tokio::test]
async fn the_consultants_home_leads_with_their_week_and_the_norm_is_the_rules() {
    let app = TestApp::new().await;
    let consultant = app.browser("consultant.roskilde").await;
    let home = app.get("/home", Some(&consultant)).await;
    assert_eq!(home.status, 200);
    let week = home
        .body
        .split("id=\"home-week\"")
        .nth(1)
        .expect("the week on the home page");
    assert!(
        week.contains("Den unge har afsluttet en praktik – følg op"),
        "{week}"
    );
    assert!(
        week.contains("/internships/"),
        "each line leads to its record"
    );
    // The team lead's caseload chart draws the norm of the programme's rules.
    app.db.set_caseload_norms([12, 20, 22]).await.unwrap();
    let lead = app.browser("team_lead.roskilde").await;
    let home = app.get("/home", Some(&lead)).await;
    assert!(home.body.contains("id=\"home-week\""));
    assert!(home.body.contains("normering 12"), "{}", home.body);
}
