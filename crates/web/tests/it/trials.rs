//! The trial's API and pages on the real router, on the shared fixture (its
//! CPR scan and missing-text check included): the answers issue 3 specifies,
//! and concealment.

use crate::support::{hidden, login_of};
use crate::trials_support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use spire_domain::Role;
use spire_store::testing::cpr_text;
use spire_store::{Db, NewTrial, TrialSettings};

#[tokio::test]
async fn randomisation_answers_as_the_issue_specifies() {
    let app = app().await;
    let path = format!("/api/v1/trials/{}/randomizations", app.trial_id);

    let (status, list) = call(&app, &app.caseworker, "GET", "/api/v1/trials", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"][0]["id"], app.trial_id.get());
    assert_eq!(list["items"][0]["name"], "Spire-forsøget");
    assert_eq!(list["items"][0]["status"], "open");

    let cpr = cpr_text(1);
    let (status, first) = call(
        &app,
        &app.caseworker,
        "POST",
        &path,
        Some(youth(&cpr, 265)),
        Some("abc"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(["programme", "control"].contains(&first["arm"].as_str().unwrap()));
    assert_eq!(first["ledger_index"], 0);
    assert_eq!(first["tree_head"]["size"], 1);
    for field in ["allocation_id", "stratum", "leaf_hash"] {
        assert!(!first[field].is_null(), "{field} missing");
    }
    assert_eq!(first["tree_head"]["signature"].as_str().unwrap().len(), 128);
    assert!(
        !first.to_string().contains(&cpr[..6]),
        "no CPR in the answer"
    );

    let (status, again) = call(
        &app,
        &app.caseworker,
        "POST",
        &path,
        Some(youth(&cpr, 265)),
        Some("abc"),
    )
    .await;
    assert_eq!(
        (status, &again),
        (StatusCode::CREATED, &first),
        "same key, same body"
    );

    let (status, conflict) = call(
        &app,
        &app.other_caseworker,
        "POST",
        &path,
        Some(youth(&cpr, 615)),
        None,
    )
    .await;
    // Another municipality learns only that the youth is in the trial
    // elsewhere: no allocation, arm or stratum in the answer.
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict["error"], "randomised_elsewhere");
    assert!(conflict.get("allocation").is_none());
    let body = conflict.to_string();
    assert!(!body.contains("arm") && !body.contains("stratum") && !body.contains("265"));
    assert!(
        conflict["message"]
            .as_str()
            .unwrap()
            .contains("programme office")
    );
    let (status, again) = call(
        &app,
        &app.caseworker,
        "POST",
        &path,
        Some(youth(&cpr, 265)),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(again["error"], "already_randomised");
    assert_eq!(
        again["allocation"], first,
        "in its own municipality: the original"
    );

    let mut old = youth("010190-1235", 265);
    old["has_qualification"] = json!(true);
    let (status, refused) = call(&app, &app.caseworker, "POST", &path, Some(old), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"], "not_eligible");
    assert_eq!(refused["reasons"], json!(["too_old", "has_qualification"]));

    let (status, invalid) = call(
        &app,
        &app.caseworker,
        "POST",
        &path,
        Some(json!({"cpr": "310299-1234", "benefit": "salary", "has_qualification": false})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid["error"], "invalid");
    for field in [
        "cpr",
        "first_name",
        "last_name",
        "municipality_code",
        "benefit",
        "readiness",
    ] {
        assert!(invalid["fields"][field].is_string(), "{field}: {invalid}");
    }

    let (status, _) = call(
        &app,
        &app.caseworker,
        "POST",
        "/api/v1/trials/999/randomizations",
        Some(youth(&cpr_text(2), 265)),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        app.db
            .verify_trial(app.trial_id, None)
            .await
            .unwrap()
            .is_empty()
    );
    app.app
        .assert_never_shown(&(0..20).map(cpr_text).collect::<Vec<_>>());
}

#[tokio::test]
async fn only_caseworkers_randomise_and_nothing_reveals_the_sequence() {
    let app = app().await;
    let path = format!("/api/v1/trials/{}/randomizations", app.trial_id);
    for token in [&app.office, &app.consultant] {
        let (status, _) = call(
            &app,
            token,
            "POST",
            &path,
            Some(youth(&cpr_text(3), 265)),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, list) = call(&app, &app.office, "GET", "/api/v1/trials", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let text = list.to_string();
    for secret in ["key", "block", "sequence", "frontier", "seed"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[tokio::test]
async fn a_caseworker_screens_confirms_and_gets_a_receipt_once() {
    let app = app().await;
    let session = log_in(&app, &login_of(Role::Caseworker, "roskilde")).await;
    let intake = format!("/trials/{}/intake", app.trial_id);
    let (status, form_page) = page(&app, &session, "GET", &intake, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden(&form_page, "csrf");

    let old = [
        ("csrf", csrf.as_str()),
        ("cpr", "010190-1235"),
        ("first_name", "Bo"),
        ("last_name", "Berg"),
        ("benefit", "kontanthjaelp"),
        ("readiness", "jobparat"),
        ("has_qualification", "yes"),
    ];
    let (status, refused) = page(&app, &session, "POST", &intake, &old).await;
    assert_eq!(status, StatusCode::OK);
    assert!(refused.contains("Not eligible for the trial"), "{refused}");
    assert!(
        refused.contains("maximum age on the intake date"),
        "{refused}"
    );
    assert!(refused.contains("labour-market-relevant qualification"));
    assert!(
        !refused.contains("0101901235") && !refused.contains("010190-1235"),
        "the CPR number is not echoed"
    );

    let cpr = cpr_text(7);
    let eligible = [
        ("csrf", csrf.as_str()),
        ("cpr", cpr.as_str()),
        ("first_name", "Ida"),
        ("last_name", "Hansen"),
        ("benefit", "uddannelseshjaelp"),
        ("readiness", "aktivitetsparat"),
        ("has_qualification", "no"),
    ];
    let (status, screened) = page(&app, &session, "POST", &intake, &eligible).await;
    assert_eq!(status, StatusCode::OK);
    assert!(screened.contains("Eligible for the trial"), "{screened}");
    assert!(
        !screened.contains(&cpr),
        "the CPR number is sealed, not written into the page"
    );
    let token = hidden(&screened, "token");
    // Back to the form to correct a detail: filled in as screened, except the
    // CPR number, which is never written back into a page.
    let edit = format!("/trials/{}/intake/edit", app.trial_id);
    let (status, editing) = page(
        &app,
        &session,
        "POST",
        &edit,
        &[("csrf", &csrf), ("token", &token)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        editing.contains("value=\"Ida\"") && editing.contains("value=\"Hansen\""),
        "{editing}"
    );
    assert!(!editing.contains(&cpr) && !editing.contains(&cpr.replace('-', "")));
    let (status, _) = page(
        &app,
        &session,
        "POST",
        &edit,
        &[("csrf", &csrf), ("token", "00ff")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a forged token is refused");

    let confirm = format!("/trials/{}/intake/confirm", app.trial_id);
    // Post, redirect, get: the receipt has an address, so a reload shows
    // it again instead of sending the confirmation again.
    let (status, location) = post_redirected(
        &app,
        &session,
        &confirm,
        &[("csrf", &csrf), ("token", &token)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("?new=1"), "{location}");
    let (status, receipt) = page(&app, &session, "GET", &location, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        receipt.contains("Allocation receipt")
            && !receipt.contains("The receipt of an earlier allocation")
    );
    let allocation_id = receipt
        .split("id=\"allocation-id\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let (status, twice) = post_redirected(
        &app,
        &session,
        &confirm,
        &[("csrf", &csrf), ("token", &token)],
    )
    .await;
    assert_eq!(
        (status, twice),
        (StatusCode::SEE_OTHER, location.clone()),
        "a double submit is the same allocation"
    );

    let (status, again) = page(&app, &session, "POST", &intake, &eligible).await;
    assert_eq!(status, StatusCode::OK);
    assert!(again.contains("Already randomised"), "{again}");
    assert!(
        again.contains("id=\"stored-name\">Ida Hansen<"),
        "the stored name shows"
    );
    assert!(again.contains(&format!("/allocations/{allocation_id}\"")));
    let (status, _) = page(
        &app,
        &session,
        "POST",
        &confirm,
        &[("csrf", &csrf), ("token", "00ff")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a forged confirmation is refused"
    );

    // The receipt can be opened again to print later: the same allocation,
    // the youth's name, a permanent link; another municipality gets 404.
    let reprint_path = format!("/trials/{}/allocations/{allocation_id}", app.trial_id);
    assert!(receipt.contains(&format!("href=\"{reprint_path}\"")));
    let (status, reprint) = page(&app, &session, "GET", &reprint_path, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(reprint.contains(&format!("id=\"allocation-id\">{allocation_id}<")));
    assert!(
        reprint.contains("id=\"youth-name\">Ida Hansen<"),
        "{reprint}"
    );
    assert!(reprint.contains("The receipt of an earlier allocation"));
    assert!(!reprint.contains(&cpr) && !reprint.contains(&cpr.replace('-', "")));
    let horsens = log_in(&app, &login_of(Role::Caseworker, "horsens")).await;
    let (status, not_found) = page(&app, &horsens, "GET", &reprint_path, &[]).await;
    assert!(
        not_found.contains("action=\"/logout\"") && not_found.contains("href=\"/trials\""),
        "the error page keeps the signed-in user's menu"
    );
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another municipality's receipt"
    );
    // Horsens screening the same CPR number learns it is taken, not whose.
    let (_, horsens_form) = page(&app, &horsens, "GET", &intake, &[]).await;
    let horsens_csrf = hidden(&horsens_form, "csrf");
    let mut from_horsens = eligible.to_vec();
    from_horsens[0] = ("csrf", horsens_csrf.as_str());
    let (status, elsewhere) = page(&app, &horsens, "POST", &intake, &from_horsens).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        elsewhere.contains("randomised in another municipality"),
        "{elsewhere}"
    );
    assert!(!elsewhere.contains("stored-name") && !elsewhere.contains("Hansen<"));
    let receipt_section = elsewhere.split("id=\"elsewhere\"").nth(1).unwrap_or("");
    assert!(
        !receipt_section.contains("Programme") && !receipt_section.contains("Control"),
        "no arm is shown"
    );

    let report = app.db.trial_report(app.trial_id).await.unwrap();
    assert_eq!(
        (
            report.consort.assessed,
            report.consort.excluded,
            report.consort.randomised
        ),
        (2, 1, 1)
    );
    app.app
        .assert_never_shown(&(0..20).map(cpr_text).collect::<Vec<_>>());
}

#[tokio::test]
async fn the_programme_office_sees_figures_but_never_the_key_or_the_sequence() {
    let app = app().await;
    let mut allocation_ids = Vec::new();
    for serial in 0..10 {
        let (status, receipt) = randomise_in_roskilde(&app, serial, None).await;
        assert_eq!(status, StatusCode::CREATED);
        allocation_ids.push(receipt["allocation_id"].as_i64().unwrap());
    }
    let session = log_in(&app, &login_of(Role::ProgrammeOffice, "")).await;
    let (status, html) = page(
        &app,
        &session,
        "GET",
        &format!("/trials/{}", app.trial_id),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let overview = app.db.trial_overview(app.trial_id).await.unwrap();
    assert!(html.contains(&overview.commitment));
    assert!(html.contains("<svg") && html.contains("CONSORT flow"));
    assert!(html.contains("Randomised: 10"));
    let key = app.app.key.clone();
    let trial_key = spire_store::testing::trial_key(&app.db, &key, app.trial_id)
        .await
        .unwrap();
    assert!(
        !html.contains(&trial_key.to_hex()),
        "the key is never shown"
    );
    let evidence = app.db.trial_evidence(app.trial_id).await.unwrap();
    for row in &evidence.rows {
        let leaf_hash = hex::encode(row.stored_leaf_hash);
        assert!(
            !html.contains(&leaf_hash),
            "no allocation of the sequence is listed"
        );
    }
    // "Allocated in error": a new ledger entry, from the office only.
    let csrf = hidden(&html, "csrf");
    let annotations = format!("/trials/{}/annotations", app.trial_id);
    let first_id = allocation_ids[0].to_string();
    let (status, annotated) = page(
        &app,
        &session,
        "POST",
        &annotations,
        &[
            ("csrf", &csrf),
            ("allocation_id", &first_id),
            ("reason", "registered twice"),
        ],
    )
    .await;
    // Post, redirect, get: a reload of the page it lands on writes nothing.
    assert_eq!(status, StatusCode::SEE_OTHER, "{annotated}");
    let (_, annotated) = page(
        &app,
        &session,
        "GET",
        &format!("/trials/{}?annotated=10", app.trial_id),
        &[],
    )
    .await;
    assert!(annotated.contains("entry 10 of the ledger"), "{annotated}");
    // The trial page lists it: which allocation, the reason, and that the
    // stored text still hashes to the ledger's note hash.
    let notes = annotated
        .split("id=\"ledger-notes\"")
        .nth(1)
        .expect("the ledger notes table");
    assert!(notes.contains("The allocation at place 0"), "{notes}");
    assert!(notes.contains("registered twice"));
    assert!(!notes.contains("does not match the ledger"));
    let (status, _) = page(
        &app,
        &session,
        "POST",
        &annotations,
        &[("csrf", &csrf), ("allocation_id", "999"), ("reason", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The reason is kept for good in the ledger: a CPR number in it is refused.
    let (status, refused) = page(
        &app,
        &session,
        "POST",
        &annotations,
        &[
            ("csrf", &csrf),
            ("allocation_id", &first_id),
            ("reason", "mix-up with 010304-4123"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("must not contain a CPR number"),
        "{refused}"
    );
    assert!(!refused.contains("010304-4123"));
    let (status, refused) = page(
        &app,
        &session,
        "POST",
        &annotations,
        &[("csrf", &csrf), ("allocation_id", ""), ("reason", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("Allocation id:"),
        "the empty field is named"
    );
    assert_eq!(
        app.db
            .trial_overview(app.trial_id)
            .await
            .unwrap()
            .ledger_size,
        11,
        "nothing added"
    );
    assert!(
        app.db
            .verify_trial(app.trial_id, None)
            .await
            .unwrap()
            .is_empty()
    );
    // The caseworker's intake pages are not the office's, and vice versa.
    let (status, _) = page(
        &app,
        &session,
        "GET",
        &format!("/trials/{}/intake", app.trial_id),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let caseworker = log_in(&app, &login_of(Role::Caseworker, "roskilde")).await;
    let (status, _) = page(
        &app,
        &caseworker,
        "GET",
        &format!("/trials/{}", app.trial_id),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_caseworker_records_the_answer_to_a_programme_offer() {
    let app = app().await;
    let mut programme = Vec::new();
    for serial in 20..30 {
        let (_, receipt) = randomise_in_roskilde(&app, serial, None).await;
        if receipt["arm"] == "programme" {
            programme.push(receipt["allocation_id"].as_i64().unwrap());
        }
    }
    assert!(!programme.is_empty());
    let session = log_in(&app, &login_of(Role::Caseworker, "roskilde")).await;
    let take_up = format!("/trials/{}/take-up", app.trial_id);
    let (status, list) = page(&app, &session, "GET", &take_up, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list.matches("name=\"allocation_id\"").count(),
        programme.len()
    );
    let csrf = hidden(&list, "csrf");
    let first = programme[0].to_string();
    let today = time::OffsetDateTime::now_utc().date();
    let answer_on = |date: String| {
        vec![
            ("csrf", csrf.clone()),
            ("allocation_id", first.clone()),
            ("answer", "accepted".to_string()),
            ("decided_on", date),
        ]
    };
    // Not in the future, not before the allocation, not empty: refused on the
    // list itself, naming the youth, with the typed date kept on that row.
    for (date, message) in [
        (
            (today + time::Duration::days(1)).to_string(),
            "The date is in the future.",
        ),
        (
            (today - time::Duration::days(30)).to_string(),
            "The date is before the allocation.",
        ),
        (String::new(), "Required"),
    ] {
        let owned = answer_on(date.clone());
        let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, refused) = page(&app, &session, "POST", &take_up, &pairs).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.contains(&format!("Ida Hansen: {message}")),
            "{refused}"
        );
        assert!(
            refused.contains(&format!("value=\"{date}\" max=")),
            "the typed date is kept"
        );
        assert!(
            refused.contains("id=\"take-up\""),
            "the list is shown again"
        );
    }
    // The receipt's next step follows the offer: awaited, it names the page
    // where the answer is recorded, and links to it; answered, it says so.
    let receipt = format!("/trials/{}/allocations/{first}", app.trial_id);
    let (_, awaited) = page(&app, &session, "GET", &receipt, &[]).await;
    assert!(
        awaited.contains("record the answer under")
            && awaited.contains(&format!("href=\"{take_up}\"")),
        "{awaited}"
    );
    let owned = answer_on(today.to_string());
    let answer: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, recorded) = page(&app, &session, "POST", &take_up, &answer).await;
    assert_eq!(status, StatusCode::OK, "{recorded}");
    assert!(recorded.contains("accepted the offer, and the programme has started"));
    let (_, answered) = page(&app, &session, "GET", &receipt, &[]).await;
    assert!(
        answered.contains("said yes to the programme")
            && !answered.contains("record the answer under")
    );
    let (status, _) = page(&app, &session, "POST", &take_up, &answer).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "answered once only"
    );
    let report = app.db.trial_report(app.trial_id).await.unwrap();
    assert_eq!((report.consort.took_up, report.consort.declined), (1, 0));
}

/// Sets (or lifts) SQLite's page limit on every connection of the pool, so
/// the next write that needs a new page fails as on a full disk.
async fn page_limit(db: &Db, full: bool) {
    let Db::Sqlite(pool) = db else {
        unreachable!("these tests run on SQLite")
    };
    let mut connections = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        connections.push(pool.acquire().await.unwrap());
    }
    for connection in &mut connections {
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&mut **connection)
            .await
            .unwrap();
        let limit = if full { pages } else { 1 << 30 };
        // A number we made: no injection possible.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA max_page_count = {limit}"
        )))
        .execute(&mut **connection)
        .await
        .unwrap();
    }
}

/// A full disk: the randomisation is answered 503 with Retry-After and in
/// the user's language, nothing of it is stored, and the same request (same
/// idempotency key) succeeds once there is room, at the next ledger index.
#[tokio::test]
async fn a_full_disk_answers_503_and_stores_nothing() {
    let app = app().await;
    if !matches!(app.db, Db::Sqlite(_)) {
        println!(
            "a_full_disk_answers_503_and_stores_nothing: did not run (the full disk is SQLite's page limit)"
        );
        return;
    }
    let path = format!("/api/v1/trials/{}/randomizations", app.trial_id);
    let (status, _) = randomise_in_roskilde(&app, 0, Some("disk-0")).await;
    assert_eq!(status, StatusCode::CREATED);
    page_limit(&app.db, true).await;
    let mut stored = 1;
    let refused = loop {
        assert!(stored < 200, "the page limit was never reached");
        let key = format!("disk-{stored}");
        let (status, body) = randomise_in_roskilde(&app, stored, Some(&key)).await;
        if status == StatusCode::CREATED {
            stored += 1;
            continue;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"], "unavailable");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("may not have been stored"),
            "{body}"
        );
        break stored;
    };
    let request = Request::builder()
        .method("POST")
        .uri(&path)
        .header("authorization", format!("Bearer {}", app.caseworker))
        .header("content-type", "application/json")
        .body(Body::from(youth(&cpr_text(refused), 265).to_string()))
        .unwrap();
    let reply = app.app.send(request).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.headers["retry-after"], "30");

    page_limit(&app.db, false).await;
    let report = app.db.trial_report(app.trial_id).await.unwrap();
    assert_eq!(
        report.consort.randomised, refused as i64,
        "the refused request left no allocation"
    );
    let (status, body) =
        randomise_in_roskilde(&app, refused, Some(&format!("disk-{refused}"))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["ledger_index"], refused as i64,
        "no slot lost to the failure"
    );
    // No connection is left believing it is inside the failed transaction:
    // every pooled connection takes writes again.
    for serial in refused + 1..refused + 25 {
        let (status, body) = randomise_in_roskilde(&app, serial, None).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    assert_eq!(
        app.db.verify_trial(app.trial_id, None).await.unwrap(),
        Vec::<String>::new()
    );
}

/// A youth already randomised in one trial is flagged when screened for
/// another, before the draw (the programme decides whether both may count).
#[tokio::test]
async fn a_youth_in_another_trial_is_flagged_before_the_draw() {
    let app = app().await;
    let (status, _) = randomise_in_roskilde(&app, 3, None).await;
    assert_eq!(status, StatusCode::CREATED);
    let key = app.app.key.clone();
    let pilot = app
        .db
        .create_trial(
            &key,
            &NewTrial {
                name: "Pilot 2027".into(),
                target_size: 100,
                design: spire_trial::Design::stratified_blocks("pilot-2027", &["municipality"]),
                settings: TrialSettings::default(),
            },
            None,
        )
        .await
        .unwrap()
        .id;
    let session = log_in(&app, &login_of(Role::Caseworker, "roskilde")).await;
    let intake = format!("/trials/{pilot}/intake");
    let (_, form) = page(&app, &session, "GET", &intake, &[]).await;
    let csrf = hidden(&form, "csrf");
    let screen = async |cpr: &str| {
        let fields = [
            ("csrf", csrf.as_str()),
            ("cpr", cpr),
            ("first_name", "Ida"),
            ("last_name", "Hansen"),
            ("benefit", "kontanthjaelp"),
            ("readiness", "aktivitetsparat"),
            ("has_qualification", "no"),
        ];
        page(&app, &session, "POST", &intake, &fields).await
    };
    let (status, flagged) = screen(&cpr_text(3)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(flagged.contains("Eligible for the trial"), "{flagged}");
    let warning = flagged
        .split("id=\"other-trials\">")
        .nth(1)
        .expect("the other trial is named");
    assert!(warning.starts_with("Note: this young person is already randomised in another trial"));
    assert!(warning.contains("Spire-forsøget"));
    let (_, fresh) = screen(&cpr_text(4)).await;
    assert!(
        !fresh.contains("other-trials"),
        "no warning for someone new"
    );
}
