//! The evaluation through the router: the API answers (plan lock, CSV import
//! with errors naming line and column, the report and exploratory deviations),
//! the page's multipart upload with its CSRF check, and no CPR number anywhere.

use crate::support::{TestApp, login_of};
use axum::body::Body;
use axum::http::{Request, header};
use serde_json::{Value, json};
use spire_domain::{Benefit, Cpr, Readiness, Role};
use spire_store::{Intake, Randomisation, Scope};
use std::collections::BTreeMap;

/// Randomises 60 youth across both municipalities; returns their CPR numbers.
async fn randomise_youth(app: &TestApp) -> Vec<String> {
    let mut cprs = Vec::new();
    for n in 0..60u32 {
        let (code, place) = if n % 2 == 0 {
            (265, "roskilde")
        } else {
            (615, "horsens")
        };
        let scope = Scope::new(
            app.users[&login_of(Role::Caseworker, place)],
            Role::Caseworker,
            Some(code),
            "test",
        );
        let birth = time::OffsetDateTime::now_utc().date()
            - time::Duration::days(19 * 365 + i64::from(n) * 30);
        let text = format!(
            "{:02}{:02}{:02}-{}{:03}",
            birth.day(),
            birth.month() as u8,
            birth.year() % 100,
            if birth.year() >= 2000 { 4 } else { 1 },
            n
        );
        let intake = Intake {
            cpr: Cpr::parse("cpr", &text).unwrap(),
            first_name: "Ida".into(),
            last_name: "Hansen".into(),
            municipality_code: code,
            benefit: if n % 3 == 0 {
                Benefit::Uddannelseshjaelp
            } else {
                Benefit::Kontanthjaelp
            },
            readiness: Readiness::Aktivitetsparat,
            has_qualification: false,
            strata: BTreeMap::new(),
            intake_date: time::OffsetDateTime::now_utc().date(),
            already_registered_decision: None,
        };
        let outcome = app
            .db
            .randomise(&scope, &app.key, app.trial, &intake, None)
            .await
            .unwrap();
        assert!(matches!(outcome, Randomisation::Allocated(_)));
        cprs.push(text);
    }
    cprs
}

fn plan() -> Value {
    json!({
        "study": "api-test",
        "outcomes": [{"name": "employed", "horizons_months": [6, 12]}],
        "covariates": ["age"],
        "subgroups": ["kontanthjaelp"],
        "estimator": "ols",
        "fixed_effects": "municipality",
        "family": "romano_wolf",
        "alpha": 0.05,
        "ri_draws": 199,
        "seed": 11,
        "target_mde_sd": 0.25
    })
}

async fn post_csv(app: &TestApp, token: &str, path: &str, csv: &str) -> crate::support::Reply {
    let request = Request::post(path)
        .header(header::HOST, "localhost")
        .header(header::ACCEPT_LANGUAGE, "en")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv.to_string()))
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn the_api_locks_the_plan_imports_outcomes_and_reports() {
    let app = TestApp::new().await;
    let cprs = randomise_youth(&app).await;
    let token = app.token("researcher").await;
    let base = format!("/api/v1/trials/{}/evaluation", app.trial);

    let reply = app.api("GET", &base, Some(&token), None, "en").await;
    assert_eq!(reply.status, 422, "no report before a plan: {}", reply.body);
    assert_eq!(
        reply.json()["fields"]["plan"],
        "Lock the analysis plan before importing outcomes."
    );

    let mut wrong = plan();
    wrong["covariates"] = json!(["income"]);
    let reply = app
        .api(
            "POST",
            &format!("{base}/plan"),
            Some(&token),
            Some(wrong),
            "da",
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["fields"]["covariates"],
        "Ukendt kovariat eller undergruppe."
    );

    let reply = app
        .api(
            "POST",
            &format!("{base}/plan"),
            Some(&token),
            Some(plan()),
            "en",
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let digest = reply.json()["digest"].as_str().unwrap().to_string();
    assert_eq!(digest.len(), 64);
    let reply = app
        .api(
            "POST",
            &format!("{base}/plan"),
            Some(&token),
            Some(plan()),
            "en",
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["fields"]["plan"],
        "The analysis plan is already locked and cannot be changed."
    );

    let rows = app
        .db
        .export_trial(&app.key, app.trial, "api-test", "researcher", "test")
        .await
        .unwrap();
    // A CPR number typed into the file is refused without being echoed.
    let bad = format!(
        "pseudonym,employed_6m\n{},1\n{},{}\n",
        rows[0].pseudonym, rows[1].pseudonym, cprs[1]
    );
    let reply = post_csv(&app, &token, &format!("{base}/outcomes"), &bad).await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["fields"]["file"],
        "Line 3, column employed_6m: not a number."
    );
    let bad = format!("pseudonym,employed_6m\n{},1\n", cprs[2]);
    let reply = post_csv(&app, &token, &format!("{base}/outcomes"), &bad).await;
    assert_eq!(
        reply.json()["fields"]["file"],
        "Line 2: the pseudonym does not belong to any allocation of this study."
    );

    let mut good = String::from("pseudonym;employed_6m;employed_12m\n");
    for (i, row) in rows.iter().enumerate() {
        let lift = if row.arm == "programme" { 1 } else { 0 };
        good.push_str(&format!(
            "{};{};{}\n",
            row.pseudonym,
            (i % 3 == 0) as i32 + lift,
            (i * 7 % 5 < 2) as i32 + lift
        ));
    }
    let reply = post_csv(
        &app,
        &token,
        &format!("{base}/outcomes?file_name=register.csv"),
        &good,
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.json()["row_count"], 60);
    assert_eq!(reply.json()["file_name"], "register.csv");

    let office = app.token("programme_office").await;
    let reply = post_csv(&app, &office, &format!("{base}/outcomes"), &good).await;
    assert_eq!(
        reply.status, 404,
        "the programme office reads; researchers import"
    );
    let reply = app.api("GET", &base, Some(&office), None, "en").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let report = reply.json();
    assert_eq!(report["plan_digest"], digest.as_str());
    assert_eq!(report["follows_plan"], true);
    assert_eq!(report["consort"]["randomised"], 60);
    assert_eq!(report["recruitment"]["randomised"], 60);
    let outcomes = report["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 2);
    for outcome in outcomes {
        let itt = &outcome["itt"];
        // Everyone in the programme arm scored one higher: the effect is clearly positive.
        assert!(itt["estimate"].as_f64().unwrap() > 0.5, "{outcome}");
        assert!(itt["ci_lower"].as_f64().unwrap() < itt["estimate"].as_f64().unwrap());
        let rw = outcome["romano_wolf_p_value"].as_f64().unwrap();
        assert!(rw > 0.0 && rw <= 0.02, "{rw}");
        assert_eq!(outcome["subgroups"][0]["subgroup"], "kontanthjaelp");
    }

    let reply = app
        .api("GET", &format!("{base}?explore=1&estimator=lin&fixed_effects=municipality&covariates=age&covariates=female"), Some(&office), None, "en")
        .await;
    let report = reply.json();
    assert_eq!(report["follows_plan"], false);
    let fields: Vec<&str> = report["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["estimator", "covariates"]);
    let reply = app
        .api(
            "GET",
            &format!("{base}?explore=1&estimator=magic&fixed_effects=none"),
            Some(&office),
            None,
            "en",
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["fields"]["estimator"].is_string());

    app.assert_never_shown(&cprs);
}

fn multipart(csrf: Option<&str>, csv: &str) -> (String, String) {
    let boundary = "----spire-test-boundary";
    let mut body = String::new();
    if let Some(csrf) = csrf {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"udfald.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_page_locks_a_plan_and_takes_an_uploaded_file_with_its_csrf_token() {
    let app = TestApp::new().await;
    randomise_youth(&app).await;
    let browser = app.browser("researcher").await;
    let page = format!("/trials/{}/evaluation", app.trial);

    let reply = app.get(&page, Some(&browser)).await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("Lås analyseplanen"));

    let form = [
        ("study", "page-test"),
        ("outcomes", "employed: 6\nsalary 12"),
        ("covariates", "age"),
        ("estimator", "ols"),
        ("fixed_effects", "municipality"),
        ("family", "holm"),
        ("alpha", "0,05"),
        ("ri_draws", "199"),
        ("seed", "3"),
        ("target_mde_sd", "0,2"),
    ];
    let reply = app
        .post_form(&format!("{page}/plan"), Some(&browser), &form)
        .await;
    assert_eq!(reply.status, 422, "a line without months is refused");
    assert!(reply.body.contains("Skriv udfaldet som navn: måneder"));
    assert!(reply.body.contains("salary 12"), "what was typed is kept");

    let mut form = form.to_vec();
    form[1] = ("outcomes", "employed: 6, 12");
    let reply = app
        .post_form(&format!("{page}/plan"), Some(&browser), &form)
        .await;
    assert_eq!(reply.status, 422, "locking needs the confirmation");
    assert!(reply.body.contains("Bekræft, at planen er gennemlæst"));
    form.push(("confirm", "yes"));
    let reply = app
        .post_form(&format!("{page}/plan"), Some(&browser), &form)
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let reply = app.get(&page, Some(&browser)).await;
    assert!(
        reply
            .body
            .contains("Rapporten følger den låste analyseplan")
    );
    assert!(reply.body.contains("Endnu ingen data importeret"));

    let rows = app
        .db
        .export_trial(&app.key, app.trial, "page-test", "researcher", "test")
        .await
        .unwrap();
    let mut csv = String::from("pseudonym;employed_6m\r\n");
    for (i, row) in rows.iter().enumerate() {
        csv.push_str(&format!("{};{}\r\n", row.pseudonym, (i * 7 % 5 < 2) as i32));
    }
    let send = |csrf: Option<String>| {
        let (content_type, body) = multipart(csrf.as_deref(), &csv);
        Request::post(format!("{page}/outcomes"))
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://localhost")
            .header(header::COOKIE, browser.cookie.clone())
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let reply = app.send(send(None)).await;
    assert_eq!(
        reply.status, 400,
        "an upload without the CSRF token is refused"
    );
    assert!(
        app.db
            .outcome_imports(
                &Scope::new(app.users["researcher"], Role::Researcher, None, "t"),
                app.trial
            )
            .await
            .unwrap()
            .is_empty()
    );
    let reply = app.send(send(Some(browser.csrf.clone()))).await;
    assert_eq!(reply.status, 303, "post/redirect/get: {}", reply.body);
    assert!(reply.location().starts_with(&format!("{page}?imported=")));
    let reply = app.get(reply.location(), Some(&browser)).await;
    assert!(
        reply.body.contains("60 rækker importeret (employed_6m)"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("class=\"chart forest\""));
    assert!(reply.body.contains("udfald.csv"));

    let mut english = browser.clone();
    english.lang = Some("en");
    let reply = app.get(&page, Some(&english)).await;
    assert!(
        reply
            .body
            .contains("This report follows the locked analysis plan")
    );
    assert!(reply.body.contains("Effect of taking part"));

    let reply = app.get(&format!("{page}.json"), Some(&browser)).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    assert_eq!(reply.json()["outcomes"][0]["n"], 60);
}
