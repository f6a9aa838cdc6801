//! Internships through the pages and the API: the law's limits as messages
//! at the field in Danish and English (and what was typed kept), the history
//! of a function change and an extension, the youth ending their own
//! internship and the consultant's task, and the company contact's view.

use crate::support::{ROSKILDE_YOUTH, TestApp};
use serde_json::json;

fn internship_form<'a>(
    company: &'a str,
    start: &'a str,
    end: &'a str,
    hours: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("company_id", company),
        ("contact_id", ""),
        ("function", "Værkstedsmedhjælper"),
        ("start_date", start),
        ("end_date", end),
        ("hours_per_week", hours),
        ("schedule", "man-tors 8-15"),
    ]
}

#[tokio::test]
async fn the_law_is_said_at_the_field_and_what_was_typed_stays() {
    let app = TestApp::new().await;
    let mut browser = app.browser("consultant.roskilde").await;
    let url = format!("/youth/{}/internships/new", app.roskilde_youth);
    let company = app.roskilde_company.to_string();

    let form = app.get(&url, Some(&browser)).await;
    assert_eq!(form.status, 200);
    assert!(
        form.body
            .contains("højst 4 uger for job- og uddannelsesparate"),
        "the limit is known before saving"
    );
    assert!(
        form.body.contains("maxlength=\"120\""),
        "the function's limit is in the form"
    );

    // 45 hours a week and a day that does not exist.
    let reply = app
        .post_form(
            &url,
            Some(&browser),
            &internship_form(&company, "02.03.2027", "31.02.2027", "45"),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.body.contains("Højst 37 timer om ugen"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("Datoen findes ikke"));
    assert!(
        reply.body.contains("value=\"Værkstedsmedhjælper\""),
        "the typed function is kept"
    );
    assert!(
        reply.body.contains("value=\"31.02.2027\""),
        "the typed date is kept"
    );

    // An end before the start; 14 weeks for a job-ready youth; an unknown company.
    let before = app
        .post_form(
            &url,
            Some(&browser),
            &internship_form(&company, "2027-03-10", "2027-03-02", "30"),
        )
        .await;
    assert!(before.body.contains("Slutdatoen ligger før startdatoen"));
    let long = app
        .post_form(
            &url,
            Some(&browser),
            &internship_form(&company, "2027-03-01", "2027-06-06", "30"),
        )
        .await;
    assert_eq!(long.status, 422);
    assert!(
        long.body
            .contains("Praktikken er 98 dage; loven tillader højst 4 uger"),
        "{}",
        long.body
    );
    let unknown = app
        .post_form(
            &url,
            Some(&browser),
            &internship_form("99999", "2027-03-01", "2027-03-20", "30"),
        )
        .await;
    assert!(
        unknown
            .body
            .contains("Vælg en virksomhed fra kommunens virksomhedsnetværk")
    );

    // The same in English.
    browser.lang = Some("en");
    let english = app
        .post_form(
            &url,
            Some(&browser),
            &internship_form(&company, "2027-03-01", "2027-06-06", "37,5"),
        )
        .await;
    assert!(english.body.contains("At most 37 hours a week"));
    assert!(english.body.contains("the law allows at most 4 weeks"));

    // The API: the same rules, each field named, in the caller's language.
    let token = app.token("consultant.roskilde").await;
    let api = format!("/api/v1/youth/{}/internships", app.roskilde_youth);
    let body = json!({"company_id": company, "function": "Lager", "start_date": "2027-03-01",
        "end_date": "2027-06-06", "hours_per_week": "45"});
    let refused = app
        .api("POST", &api, Some(&token), Some(body.clone()), "da")
        .await;
    assert_eq!(refused.status, 422);
    let fields = &refused.json()["fields"];
    assert_eq!(
        fields["hours_per_week"],
        "Højst 37 timer om ugen (LAB § 61)."
    );
    assert!(
        fields["end_date"]
            .as_str()
            .unwrap()
            .contains("højst 4 uger")
    );
    let english = app.api("POST", &api, Some(&token), Some(body), "en").await;
    assert_eq!(
        english.json()["fields"]["hours_per_week"],
        "At most 37 hours a week (LAB § 61)."
    );
    let bad_date = app
        .api(
            "POST",
            &api,
            Some(&token),
            Some(json!({"company_id": company, "function": "Lager",
            "start_date": "31.02.2026", "end_date": "2026-03-20", "hours_per_week": "30"})),
            "da",
        )
        .await;
    assert_eq!(
        bad_date.json()["fields"]["start_date"],
        "Datoen findes ikke. Skriv fx 02.03.2026."
    );
}

#[tokio::test]
async fn a_consultant_plans_changes_and_extends_an_internship_and_sees_the_history() {
    let app = TestApp::new().await;
    let browser = app.browser("consultant.roskilde").await;
    let url = format!("/youth/{}/internships/new", app.roskilde_youth);
    let company = app.roskilde_company.to_string();
    // 28 days at 37 hours: exactly the job-ready limit.
    let created = app
        .post_form(
            &url,
            Some(&browser),
            &internship_form(&company, "2027-03-01", "2027-03-28", "37"),
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let page_url = created.location().to_string();
    assert!(page_url.ends_with("?saved=created"));
    let page = app.get(&page_url, Some(&browser)).await;
    assert!(page.body.contains("Praktikken er oprettet."));
    assert!(page.body.contains("Planlagt"));
    let path = page_url.split('?').next().unwrap().to_string();

    let post = |action: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let (app, browser, path) = (&app, &browser, &path);
        async move {
            app.post_form(&format!("{path}/{action}"), Some(browser), &fields)
                .await
        }
    };
    assert_eq!(
        post("status", vec![("transition", "start"), ("reason", "")])
            .await
            .status,
        303
    );
    assert_eq!(
        post(
            "function",
            vec![
                ("function", "Lagermedarbejder"),
                ("from_date", "15.03.2027")
            ]
        )
        .await
        .status,
        303
    );
    // An extension needs a reason and who decided; then it is allowed to 26 weeks.
    let refused = post(
        "extend",
        vec![
            ("new_end_date", "2027-05-30"),
            ("reason", ""),
            ("decided_by", ""),
        ],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("id=\"form-extend\" open"),
        "the refused form is open"
    );
    assert!(refused.body.contains("value=\"2027-05-30\""));
    let extended = post(
        "extend",
        vec![
            ("new_end_date", "2027-05-30"),
            ("reason", "Særligt behov for mere tid"),
            ("decided_by", "Teamleder Lis"),
        ],
    )
    .await;
    assert_eq!(extended.status, 303);
    let page = app.get(extended.location(), Some(&browser)).await;
    assert!(page.body.contains("Praktikken er forlænget."));
    assert!(
        page.body
            .contains("Værkstedsmedhjælper → Lagermedarbejder fra 15.03.2027")
    );
    assert!(page.body.contains("28.03.2027 → 30.05.2027. Begrundelse: Særligt behov for mere tid. Besluttet af Teamleder Lis."));
    // A reload of the success page writes nothing.
    let again = app.get(extended.location(), Some(&browser)).await;
    assert_eq!(
        again.body.matches("Forlænget").count(),
        page.body.matches("Forlænget").count()
    );

    // Not allowed from active: start again.
    let refused = post("status", vec![("transition", "start"), ("reason", "")]).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Det kan ikke lade sig gøre fra praktikkens nuværende status.")
    );
}

#[tokio::test]
async fn the_youth_ends_an_internship_and_the_consultant_gets_a_task() {
    let app = TestApp::new().await;
    let youth = app.browser("youth.roskilde").await;
    let mine = app.get("/me/internships", Some(&youth)).await;
    assert_eq!(mine.status, 200);
    let url = format!("/internships/{}", app.roskilde_internship);
    assert!(mine.body.contains(&url));
    let page = app.get(&url, Some(&youth)).await;
    assert!(page.body.contains("Afslut min praktik"));
    assert!(
        !page.body.contains("Forlæng praktikken"),
        "the youth cannot extend"
    );
    let refused = app
        .post_form(&format!("{url}/end"), Some(&youth), &[("reason", " ")])
        .await;
    assert_eq!(refused.status, 422);
    let ended = app
        .post_form(
            &format!("{url}/end"),
            Some(&youth),
            &[("reason", "Arbejdet passer ikke til mig")],
        )
        .await;
    assert_eq!(ended.status, 303);
    let page = app.get(ended.location(), Some(&youth)).await;
    assert!(page.body.contains("Afbrudt af den unge"));

    let consultant = app.browser("consultant.roskilde").await;
    let week = app.get("/week", Some(&consultant)).await;
    assert_eq!(week.status, 200);
    assert!(
        week.body
            .contains("Den unge har afsluttet en praktik – følg op")
    );
    assert!(
        week.body.contains(&url),
        "the task is one click from the internship"
    );
    assert!(week.body.contains(ROSKILDE_YOUTH));
}

#[tokio::test]
async fn a_company_contact_sees_their_interns_and_writes_a_reference() {
    let app = TestApp::new().await;
    // The consultant's weekly notes are the programme's, not the company's.
    let consultant = app.browser("consultant.roskilde").await;
    let noted = app
        .post_form(
            &format!("/internships/{}/check-in", app.roskilde_internship),
            Some(&consultant),
            &[("note", "Fortrolig: ondt i maven om morgenen")],
        )
        .await;
    assert_eq!(noted.status, 303);
    let contact = app.browser("company_contact.roskilde").await;
    let page = app
        .get(
            &format!("/internships/{}", app.roskilde_internship),
            Some(&contact),
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("Fortrolig"),
        "a company contact sees no check-in notes"
    );
    let list = app.get("/internships", Some(&contact)).await;
    assert!(list.body.contains(ROSKILDE_YOUTH));
    let url = format!("/internships/{}", app.roskilde_internship);
    let written = app
        .post_form(
            &format!("{url}/reference"),
            Some(&contact),
            &[("note", "Mødestabil og nysgerrig.")],
        )
        .await;
    assert_eq!(written.status, 303);
    let other = app.browser("company_contact.horsens").await;
    assert_eq!(app.get(&url, Some(&other)).await.status, 404);
    assert!(
        !app.get("/internships", Some(&other))
            .await
            .body
            .contains(ROSKILDE_YOUTH)
    );
}
