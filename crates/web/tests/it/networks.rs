//! The networks through the pages and the API: a youth proposes an agenda
//! item and moves it up, the facilitator registers attendance with one tap
//! and three absences make a task, a failed form keeps what was typed, the
//! company contact signs up for a network meeting, and the calendar feeds —
//! parsed by Python's `icalendar` (an implementation Spire did not write),
//! every start checked in Copenhagen time across a change of summer time.

use crate::support::{TestApp, login_of};
use serde_json::json;
use spire_domain::Role;

#[tokio::test]
async fn a_youth_sets_the_agenda_and_the_facilitator_registers_with_one_tap() {
    let app = TestApp::new().await;
    let youth = app.browser(&login_of(Role::Youth, "roskilde")).await;
    let staff = app.browser(&login_of(Role::Consultant, "roskilde")).await;

    // The youth's own network page is their next meeting, with the rule explained.
    let page = app.get("/me/network", Some(&youth)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Mandagsholdet"));
    assert!(
        page.body
            .contains("hver af jer kan rykke ét punkt én plads op")
    );
    assert!(
        page.body.contains("maxlength=\"300\""),
        "the limit is known before sending"
    );

    // A proposal too long comes back with what was typed and the reason.
    let meeting = app.roskilde_meeting;
    let long = "x".repeat(301);
    let reply = app
        .post_form(
            &format!("/meetings/{meeting}/agenda?back=me"),
            Some(&youth),
            &[("text", &long)],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains(&long), "what was typed is kept");
    assert!(
        reply.body.contains("højst 300 tegn") || reply.body.contains("for lang"),
        "{}",
        reply.body
    );

    // Proposed, then moved up: post/redirect/get, with a message.
    let reply = app
        .post_form(
            &format!("/meetings/{meeting}/agenda?back=me"),
            Some(&youth),
            &[("text", "Hvad gør man, når chefen råber?")],
        )
        .await;
    assert_eq!(
        (reply.status, reply.location()),
        (303, "/me/network?saved=proposed")
    );
    let page = app.get("/me/network?saved=proposed", Some(&youth)).await;
    assert!(page.body.contains("Punktet er på dagsordenen."));
    let detail = app
        .api(
            "GET",
            &format!("/api/v1/meetings/{meeting}"),
            Some(&app.token(&login_of(Role::Youth, "roskilde")).await),
            None,
            "da",
        )
        .await
        .json();
    let agenda = detail["agenda"].as_array().unwrap();
    assert_eq!(agenda.len(), 3);
    let mine = agenda[2]["id"].as_i64().unwrap();
    assert_eq!(agenda[2]["proposer"], "Ida");
    assert!(
        detail["attendance"].as_array().unwrap().is_empty(),
        "a youth sees no register"
    );
    let reply = app
        .post_form(&format!("/agenda/{mine}/up?back=me"), Some(&youth), &[])
        .await;
    assert_eq!(
        (reply.status, reply.location()),
        (303, "/me/network?saved=moved")
    );
    // Once per meeting: a second move is refused with the reason.
    let first = agenda[0]["id"].as_i64().unwrap();
    let again = app
        .post_form(&format!("/agenda/{first}/up"), Some(&youth), &[])
        .await;
    assert_eq!(again.status, 422);
    let page = app.get(&format!("/meetings/{meeting}"), Some(&staff)).await;
    let order: Vec<usize> = [
        "Velkomst",
        "Hvad gør man, når chefen råber?",
        "Erfaringer fra praktikken",
    ]
    .iter()
    .map(|t| page.body.find(t).expect(t))
    .collect();
    assert!(
        order[0] < order[1] && order[1] < order[2],
        "the youth's item moved above the facilitator's"
    );
    assert!(
        page.body.contains("facilitator (Test consultant.roskilde)"),
        "whose each item is"
    );

    // One tap per youth; three absences without notice make a task on the week.
    let youth_id = app.roskilde_youth.to_string();
    let meetings = app
        .api(
            "GET",
            &format!("/api/v1/groups/{}", app.roskilde_group),
            Some(&app.token(&login_of(Role::Consultant, "roskilde")).await),
            None,
            "da",
        )
        .await
        .json()["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect::<Vec<_>>();
    for (i, id) in meetings[..3].iter().enumerate() {
        let reply = app
            .post_form(
                &format!("/meetings/{id}/attendance"),
                Some(&staff),
                &[
                    ("youth_id", youth_id.as_str()),
                    ("mark", "absent_no_notice"),
                ],
            )
            .await;
        assert_eq!(reply.status, 303, "tap {i}");
        assert_eq!(
            reply.location(),
            format!("/meetings/{id}?saved=marked#register")
        );
    }
    let page = app
        .get(&format!("/meetings/{}", meetings[0]), Some(&staff))
        .await;
    assert!(page.body.contains("aria-pressed=\"true\""), "the tap shows");
    let week = app.get("/week", Some(&staff)).await;
    assert!(
        week.body.contains("Tre fravær uden afbud i træk"),
        "the task is on the week"
    );
    assert!(week.body.contains("0 %"), "meeting stability on the week");
    // A series made on the page names the holidays it skipped.
    let reply = app
        .post_form(
            &format!("/groups/{}/meetings", app.roskilde_group),
            Some(&staff),
            &[
                ("first_date", "22.3.2027"),
                ("last_date", "5.4.2027"),
                ("start_time", "16:00"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303);
    assert!(
        reply.location().contains("skipped=2027-03-29"),
        "{}",
        reply.location()
    );
    let page = app.get(reply.location(), Some(&staff)).await;
    assert!(
        page.body
            .contains("Sprunget over: 2. påskedag (29.03.2027)."),
        "the skipped holiday is named"
    );
    // A mark that is not one of the three is refused at the field.
    let reply = app
        .post_form(
            &format!("/meetings/{}/attendance", meetings[0]),
            Some(&staff),
            &[("youth_id", youth_id.as_str()), ("mark", "late")],
        )
        .await;
    assert_eq!(reply.status, 422);
}

#[tokio::test]
async fn a_company_contact_signs_up_and_staff_run_the_company_network() {
    let app = TestApp::new().await;
    let contact = app
        .browser(&login_of(Role::CompanyContact, "roskilde"))
        .await;
    let staff = app.browser(&login_of(Role::Consultant, "roskilde")).await;
    let page = app.get("/network", Some(&contact)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Morgenmøde"));
    assert!(
        !page.body.contains("/contact-log"),
        "the team's contact log is not the contact's"
    );
    let meeting = app.roskilde_network_meeting;
    let reply = app
        .post_form(
            &format!("/network/meetings/{meeting}/signup"),
            Some(&contact),
            &[("attend", "yes")],
        )
        .await;
    assert_eq!(reply.status, 303);
    // A reload of the sign-up signs up once.
    app.post_form(
        &format!("/network/meetings/{meeting}/signup"),
        Some(&contact),
        &[("attend", "yes")],
    )
    .await;
    let page = app
        .get(&format!("/network/meetings/{meeting}"), Some(&staff))
        .await;
    assert!(page.body.contains("Kim Kontakt"));
    assert_eq!(page.body.matches("Kim Kontakt</strong>").count(), 1);

    // The contact offers places for their own company only.
    let reply = app
        .post_form(
            "/network/slots",
            Some(&contact),
            &[
                ("function", "Lagermedhjælper"),
                ("places", "2"),
                ("from_date", "1.9.2027"),
                ("to_date", "31.12.2027"),
            ],
        )
        .await;
    assert_eq!(
        (reply.status, reply.location()),
        (303, "/network?saved=slot")
    );
    let page = app.get("/network", Some(&staff)).await;
    assert!(page.body.contains("Lagermedhjælper"));

    // The contact log: a form that fails keeps what was typed.
    let company = app.roskilde_company;
    let url = format!("/companies/{company}/contact-log");
    let reply = app
        .post_form(
            &url,
            Some(&staff),
            &[
                ("kind", "visit"),
                ("happened_on", "31.02.2027"),
                ("summary", "Aftalt to pladser"),
            ],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("Aftalt to pladser"));
    let reply = app
        .post_form(
            &url,
            Some(&staff),
            &[
                ("kind", "visit"),
                ("happened_on", "2.3.2026"),
                ("summary", "Aftalt to pladser"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303);
    let log = app
        .api(
            "GET",
            &format!("/api/v1/companies/{company}/contact-log"),
            Some(&app.token(&login_of(Role::Consultant, "roskilde")).await),
            None,
            "da",
        )
        .await
        .json();
    assert_eq!(log["items"][0]["summary"], "Aftalt to pladser");
    assert_eq!(log["items"][0]["kind"], "visit");
}

/// The interpreter with `icalendar` 5 or later installed (older ones build
/// a wrong zone from a VTIMEZONE), or `None`: the test says it did not run.
fn python_with_icalendar() -> Option<&'static str> {
    let check =
        "import sys, zoneinfo, icalendar; sys.exit(int(icalendar.__version__.split('.')[0]) < 5)";
    ["python3", "/usr/bin/python3"].into_iter().find(|python| {
        std::process::Command::new(python)
            .args(["-c", check])
            .output()
            .is_ok_and(|out| out.status.success())
    })
}

fn parse_with_icalendar(python: &str, feed: &str) -> serde_json::Value {
    use std::io::Write;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/ical_check.py");
    let mut child = std::process::Command::new(python)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(feed.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar refused the feed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn calendar_feeds_are_read_by_an_independent_parser_across_summer_time() {
    let app = TestApp::new().await;
    let token = app.token(&login_of(Role::Consultant, "roskilde")).await;
    // A group meeting Mondays at 16:00 from March to November 2027: summer
    // time begins 28 March and ends 31 October; Easter and Whit Monday are skipped.
    let group = app
        .api(
            "POST",
            "/api/v1/groups",
            Some(&token),
            Some(json!({"name": "Sommertid", "start_time": "16:00", "place": "Ungehuset, sal 2"})),
            "da",
        )
        .await;
    assert_eq!(group.status, 201, "{}", group.body);
    let group_id = group.json()["group"]["id"].as_i64().unwrap();
    let series = app
        .api(
            "POST",
            &format!("/api/v1/groups/{group_id}/meetings"),
            Some(&token),
            Some(json!({"first_date": "2027-03-15", "last_date": "2027-11-08"})),
            "da",
        )
        .await
        .json();
    let skipped: Vec<&str> = series["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["holiday"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["2. påskedag", "2. pinsedag"]);
    assert_eq!(series["created"], 33);
    let meetings = app
        .api(
            "GET",
            &format!("/api/v1/groups/{group_id}"),
            Some(&token),
            None,
            "da",
        )
        .await
        .json()["meetings"]
        .clone();
    let cancelled = meetings[2]["id"].as_i64().unwrap();
    let reply = app
        .api(
            "POST",
            &format!("/api/v1/meetings/{cancelled}/change"),
            Some(&token),
            Some(json!({"action": "cancel", "reason": "Facilitator på kursus"})),
            "da",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // Make the feed on the calendar page, as a person would, and read it back.
    let staff = app.browser(&login_of(Role::Consultant, "roskilde")).await;
    let reply = app
        .post_form(
            "/calendar",
            Some(&staff),
            &[("kind", "group"), ("group_id", &group_id.to_string())],
        )
        .await;
    assert_eq!(
        (reply.status, reply.location()),
        (303, "/calendar?saved=created")
    );
    let page = app.get("/calendar", Some(&staff)).await;
    let address = page
        .body
        .split("<li>")
        .find(|item| item.contains("Sommertid"))
        .and_then(|item| item.split("webcal://").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("a webcal address for the group");
    let path = &address[address.find('/').unwrap()..];
    assert!(path.starts_with("/feeds/") && path.ends_with(".ics"));
    assert!(
        !path.contains("Sommertid") && !path.contains("Name"),
        "no name in the address"
    );
    let feed = app.get(path, None).await;
    assert_eq!(feed.status, 200);
    assert_eq!(feed.headers["content-type"], "text/calendar; charset=utf-8");
    assert!(
        feed.body
            .contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Copenhagen")
    );

    match python_with_icalendar() {
        None => println!(
            "calendar feed check against Python icalendar did not run: python3 with icalendar is missing"
        ),
        Some(python) => {
            let parsed = parse_with_icalendar(python, &feed.body);
            assert_eq!(parsed["timezones"], json!(["Europe/Copenhagen"]));
            let events = parsed["events"].as_array().unwrap();
            assert_eq!(events.len(), 33);
            for event in events {
                let local = event["local"].as_str().unwrap();
                assert!(
                    local.ends_with("T16:00"),
                    "every start is 16:00 in Copenhagen: {event}"
                );
                assert_eq!(event["minutes"], 90);
                assert_eq!(event["tzid"], "Europe/Copenhagen");
                if let Some(by_own) = event.get("utc_by_vtimezone") {
                    assert_eq!(
                        by_own, &event["utc"],
                        "the feed's VTIMEZONE agrees with the IANA zone"
                    );
                }
            }
            let utc = |date: &str| {
                events
                    .iter()
                    .find(|e| e["local"].as_str().unwrap().starts_with(date))
                    .map(|e| e["utc"].as_str().unwrap().to_string())
            };
            assert_eq!(
                utc("2027-03-22").as_deref(),
                Some("2027-03-22T15:00Z"),
                "winter time"
            );
            assert_eq!(
                utc("2027-04-05").as_deref(),
                Some("2027-04-05T14:00Z"),
                "summer time"
            );
            assert_eq!(utc("2027-10-25").as_deref(), Some("2027-10-25T14:00Z"));
            assert_eq!(
                utc("2027-11-01").as_deref(),
                Some("2027-11-01T15:00Z"),
                "winter time again"
            );
            assert_eq!(utc("2027-03-29"), None, "Easter Monday skipped");
            let cancelled: Vec<&serde_json::Value> = events
                .iter()
                .filter(|e| e["status"] == "CANCELLED")
                .collect();
            assert_eq!(cancelled.len(), 1);
            assert_eq!(cancelled[0]["sequence"], 1);
            println!("calendar feed checked against Python icalendar ({python})");
        }
    }

    // Revoked: the address answers 404, and only its owner can revoke it.
    let feeds_page = app.get("/calendar", Some(&staff)).await;
    let feed_id = feeds_page
        .body
        .split("<li>")
        .find(|item| item.contains("Sommertid"))
        .and_then(|item| item.split("name=\"feed_id\" value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let other = app.browser(&login_of(Role::TeamLead, "roskilde")).await;
    let reply = app
        .post_form("/calendar/revoke", Some(&other), &[("feed_id", &feed_id)])
        .await;
    assert_eq!(reply.status, 404, "another person's feed is not found");
    assert_eq!(app.get(path, None).await.status, 200);
    let reply = app
        .post_form("/calendar/revoke", Some(&staff), &[("feed_id", &feed_id)])
        .await;
    assert_eq!(reply.status, 303);
    assert_eq!(
        app.get(path, None).await.status,
        404,
        "a revoked address is gone"
    );
    assert_eq!(
        app.get(&format!("/feeds/{}.ics", "0".repeat(64)), None)
            .await
            .status,
        404
    );
    assert_eq!(app.get("/feeds/not-a-token", None).await.status, 404);

    // Horsens cannot make a feed of Roskilde's group.
    let horsens = app.browser(&login_of(Role::Consultant, "horsens")).await;
    let reply = app
        .post_form(
            "/calendar",
            Some(&horsens),
            &[("kind", "group"), ("group_id", &group_id.to_string())],
        )
        .await;
    assert_eq!(reply.status, 422);
}

#[tokio::test]
async fn a_youths_own_feed_has_their_meetings_and_internship_days() {
    let app = TestApp::new().await;
    let youth = app.browser(&login_of(Role::Youth, "roskilde")).await;
    let reply = app
        .post_form("/calendar", Some(&youth), &[("kind", "own")])
        .await;
    assert_eq!(reply.status, 303);
    // A youth cannot make a group's feed.
    let reply = app
        .post_form(
            "/calendar",
            Some(&youth),
            &[
                ("kind", "group"),
                ("group_id", &app.roskilde_group.to_string()),
            ],
        )
        .await;
    assert_eq!(reply.status, 422);
    let page = app.get("/calendar", Some(&youth)).await;
    let address = page
        .body
        .split("webcal://")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let path = &address[address.find('/').unwrap()..];
    let feed = app.get(path, None).await;
    assert_eq!(feed.status, 200);
    assert!(feed.body.contains("SUMMARY:Ungenetværk: Mandagsholdet"));
    assert!(feed.body.contains("SUMMARY:Praktik: Roskilde Cykler"));
    assert!(
        feed.body.contains("DTSTART;VALUE=DATE:"),
        "internship days as whole days"
    );
    assert!(
        !feed.body.contains("Roskildehansen"),
        "no youth's name in the feed"
    );
    // The read is in the youth's access log.
    let log = app.get("/me/access-log", Some(&youth)).await;
    assert!(
        log.body.contains("calendar feed") || log.body.contains("kalender"),
        "{}",
        log.body.len()
    );
}
