//! The dashboards through the page, the CSV file and the API: the programme
//! office sees every municipality with no count of young people from 1 to 4
//! anywhere, a team lead their own municipality as it is, and a period that
//! is not a half-year is refused at its field.

use crate::support::{ROSKILDE_YOUTH, TestApp, today};
use spire_domain::dashboard::HalfYear;

/// Labels (Danish) of the columns that do not count young people: events,
/// companies, consultants and the norm may be small.
const NOT_ABOUT_YOUTH: [&str; 4] = [
    "Arrangementer",
    "Virksomheder i netværket",
    "Konsulenter",
    "Norm",
];

const PEOPLE_METRICS: [&str; 20] = [
    "youth_active",
    "in_course_now",
    "in_internship_now",
    "first_internships",
    "internships_started",
    "internships_ended",
    "interrupted",
    "interrupted_by_youth",
    "interrupted_by_company",
    "attendance_marks",
    "attendance_present",
    "youth_in_network",
    "internships_from_events",
    "exits",
    "exits_to_job_or_education",
    "follow_ups_3",
    "follow_ups_6",
    "follow_ups_12",
    "randomised_in_period",
    "randomised_to_date",
];

/// Every (column header, cell) of the page's tables.
fn table_cells(html: &str) -> Vec<(String, String)> {
    let mut cells = Vec::new();
    for table in html.split("<table>").skip(1) {
        let table = &table[..table.find("</table>").unwrap()];
        let headers: Vec<String> = table
            .split("<th scope=\"col\"")
            .skip(1)
            .map(|h| h[h.find('>').unwrap() + 1..h.find("</th>").unwrap()].to_string())
            .collect();
        for row in table.split("<tr><th scope=\"row\">").skip(1) {
            let values: Vec<String> = row
                .split("<td class=\"num\">")
                .skip(1)
                .map(|c| {
                    c[..c.find("</td>").unwrap()]
                        .replace("&#60;", "<")
                        .replace("&lt;", "<")
                })
                .collect();
            // The first header is the municipality's column.
            for (header, value) in headers.iter().skip(1).zip(values) {
                cells.push((header.clone(), value));
            }
        }
    }
    cells
}

/// Courses that ended in the last half-year that is over: 3 in Roskilde, 7
/// in Horsens. Its code.
async fn last_half_year(app: &TestApp) -> String {
    let last = HalfYear::containing(today()).previous();
    let (start, exit) = (
        last.first_day() + time::Duration::days(31),
        last.first_day() + time::Duration::days(60),
    );
    let mut sql = String::new();
    for (youth, municipality, n) in [
        (app.roskilde_youth.get(), 265, 3),
        (app.horsens_youth.get(), 615, 7),
    ] {
        for _ in 0..n {
            sql += &format!(
                "INSERT INTO courses (municipality_code, youth_id, in_trial, readiness, start_date, exit_date, exit_reason, created_by, created_at) \
                 VALUES ({municipality}, {youth}, FALSE, 'jobparat', '{start}', '{exit}', 'job', 1, 0);"
            );
        }
    }
    spire_store::testing::exec_sql(&app.db, &sql).await;
    last.code()
}

#[tokio::test]
async fn the_programme_office_sees_no_count_of_young_people_from_1_to_4() {
    let app = TestApp::new().await;
    let last = last_half_year(&app).await;
    let office = app.browser("programme_office").await;
    // Across municipalities: the last half-year that is over, not the running one.
    let running = HalfYear::containing(today()).code();
    let refused = app
        .get(&format!("/dashboard?period={running}"), Some(&office))
        .await;
    assert_eq!(refused.status, 422);
    let page = app.get("/dashboard", Some(&office)).await;
    assert!(
        page.body.contains(&format!("value=\"{last}\" selected")),
        "the last one that is over"
    );
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<svg")
            && page.body.contains("Roskilde")
            && page.body.contains("Horsens")
    );
    assert!(!page.body.contains(ROSKILDE_YOUTH));
    let cells = table_cells(&page.body);
    assert!(cells.len() > 50, "the page has its tables: {}", cells.len());
    assert!(
        cells.iter().any(|(_, v)| v == "<5"),
        "the fixture's small counts are suppressed"
    );
    for (header, value) in &cells {
        if let Ok(n) = value.parse::<i64>() {
            assert!(
                NOT_ABOUT_YOUTH.contains(&header.as_str()) || !(1..5).contains(&n),
                "{header}: {n} on the page"
            );
        }
    }

    let csv = app
        .get(&format!("/dashboard.csv?period={last}"), Some(&office))
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let mut lines = csv.body.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    assert_eq!(header[..2], ["municipality_code", "municipality"]);
    let mut rows = 0;
    for line in lines {
        rows += 1;
        let fields: Vec<&str> = line.split(';').collect();
        assert_eq!(fields.len(), header.len(), "{line}");
        for (name, value) in header.iter().zip(&fields) {
            assert!(
                !value.contains('.'),
                "decimal comma, not point: {name}={value}"
            );
            if let (true, Ok(n)) = (PEOPLE_METRICS.contains(name), value.parse::<i64>()) {
                assert!(!(1..5).contains(&n), "{name}: {n} in the CSV");
            }
        }
    }
    assert_eq!(rows, 3, "Roskilde, Horsens and the total");

    let token = app.token("programme_office").await;
    let api = app
        .api("GET", "/api/v1/dashboard", Some(&token), None, "da")
        .await;
    assert_eq!(api.status, 200);
    let json = api.json();
    let rows: Vec<&serde_json::Value> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .chain([&json["total"]])
        .collect();
    assert_eq!(rows.len(), 3);
    for row in rows {
        for figure in row["figures"].as_array().unwrap() {
            let metric = figure["metric"].as_str().unwrap();
            if PEOPLE_METRICS.contains(&metric) {
                if let Some(v) = figure["value"].as_f64() {
                    assert!(!(1.0..5.0).contains(&v), "{metric}: {v} in the API");
                } else {
                    assert!(figure["suppressed"].as_bool().unwrap() || figure["value"].is_null());
                }
            }
        }
    }
}

#[tokio::test]
async fn a_team_lead_sees_their_own_municipality_as_it_is() {
    let app = TestApp::new().await;
    let lead = app.browser("team_lead.roskilde").await;
    let page = app.get("/dashboard", Some(&lead)).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Horsens"), "no other municipality");
    let cells = table_cells(&page.body);
    assert!(
        !cells.is_empty() && cells.iter().all(|(_, v)| v != "<5"),
        "nothing suppressed in their own figures"
    );
    assert!(!page.body.contains(ROSKILDE_YOUTH), "figures, not names");
    let token = app.token("team_lead.roskilde").await;
    let json = app
        .api("GET", "/api/v1/dashboard", Some(&token), None, "da")
        .await
        .json();
    assert_eq!(json["suppressed"], false);
    assert_eq!(json["rows"].as_array().unwrap().len(), 1);
    assert_eq!(json["rows"][0]["municipality_code"], 265);
    // The fixture's youth has a course: active in the current half-year.
    let active = json["rows"][0]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["metric"] == "youth_active")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    assert!(active >= 1.0);
}

#[tokio::test]
async fn a_period_that_is_not_a_half_year_is_refused_at_its_field() {
    let app = TestApp::new().await;
    let office = app.browser("programme_office").await;
    let page = app.get("/dashboard?period=2026-Q3", Some(&office)).await;
    assert_eq!(page.status, 422);
    let token = app.token("programme_office").await;
    let api = app
        .api(
            "GET",
            "/api/v1/dashboard?period=2026-H7",
            Some(&token),
            None,
            "en",
        )
        .await;
    assert_eq!(api.status, 422);
    assert!(api.body.contains("period"), "{}", api.body);
    let earlier = app
        .get("/dashboard?period=2025-H1&m=265", Some(&office))
        .await;
    assert_eq!(earlier.status, 200);
    assert!(earlier.body.contains("selected>1. halvår 2025"));
}

#[tokio::test]
async fn the_forecast_shows_its_inputs_only_to_the_municipality_and_no_small_caseload_across() {
    let app = TestApp::new().await;
    let lead = app.browser("team_lead.roskilde").await;
    let own = app.get("/forecast", Some(&lead)).await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains("Prognosen bygger på") && own.body.contains("<svg"));
    assert!(!own.body.contains("Horsens"));

    let office = app.browser("programme_office").await;
    let across = app.get("/forecast", Some(&office)).await;
    assert_eq!(across.status, 200);
    assert!(
        !across.body.contains("Prognosen bygger på"),
        "no small counts across municipalities"
    );
    // The fixture's Roskilde has one young person in a course.
    assert!(across.body.contains("Færre end 5 unge i forløb"));
    let token = app.token("programme_office").await;
    let json = app
        .api("GET", "/api/v1/forecast", Some(&token), None, "da")
        .await
        .json();
    let roskilde = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["municipality_code"] == 265)
        .unwrap();
    assert_eq!(roskilde["suppressed"], true, "{roskilde}");
    assert!(roskilde["months"].as_array().unwrap().is_empty());
    assert!(roskilde["verdict"].is_null());
}
