//! `spire internship` and `spire rules`, run as a script would: the same law
//! and messages as the pages, each naming its flag, exit code 2 for bad input;
//! the limits are configuration.

use spire_domain::{Cvr, Readiness, Role};
use spire_store::{NewCompany, NewUser, NewYouth, Scope, ServerKey};
use std::process::{Command, Output, Stdio};

fn spire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spire"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("spire runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// A database with a consultant, a company and a job-ready youth with a course.
async fn programme() -> (String, i64, i64) {
    let (db, path) = spire_store::testing::fresh_sqlite().await.unwrap();
    let key = ServerKey::from_hex(&"33".repeat(32)).unwrap();
    db.upsert_municipality(&spire_store::Actor::command("test"), 265, "Roskilde")
        .await
        .unwrap();
    let consultant = db
        .create_user(
            &spire_store::Actor::command("test"),
            &NewUser {
                login: "konsulent.roskilde".into(),
                display_name: "Sofie".into(),
                password: "correct horse battery".into(),
                role: Role::Consultant,
                municipality_code: Some(265),
                company_id: None,
            },
        )
        .await
        .unwrap();
    let scope = Scope::new(consultant, Role::Consultant, Some(265), "test");
    let company = db
        .create_company(
            &scope,
            &NewCompany {
                cvr: Cvr::parse("cvr", "10150817").unwrap(),
                name: "Roskilde Cykler".into(),
                industry: "Detail".into(),
                address: None,
            },
        )
        .await
        .unwrap();
    let youth = db
        .create_youth(
            &scope,
            &key,
            &NewYouth {
                cpr: spire_store::testing::cpr(3),
                first_name: "Ida".into(),
                last_name: "Lund".into(),
                phone: None,
                email: None,
                interests: String::new(),
                strengths: String::new(),
                consultant_id: Some(consultant),
                user_id: None,
                outside_trial: None,
            },
        )
        .await
        .unwrap();
    db.open_course(
        &scope,
        youth,
        Readiness::Jobparat,
        time::macros::date!(2026 - 01 - 05),
    )
    .await
    .unwrap();
    db.close().await;
    (
        path.to_str().unwrap().to_string(),
        youth.get(),
        company.get(),
    )
}

#[tokio::test]
async fn internships_from_a_script_follow_the_law_with_the_flag_named() {
    let (db, youth, company) = programme().await;
    let (youth, company) = (youth.to_string(), company.to_string());
    let add = |start: &str, end: &str, hours: &str, company: &str| {
        spire(&[
            "internship",
            "add",
            "--db",
            &db,
            "--user",
            "konsulent.roskilde",
            "--youth",
            &youth,
            "--company",
            company,
            "--function",
            "Lager",
            "--start",
            start,
            "--end",
            end,
            "--hours",
            hours,
        ])
    };
    let cases = [
        (
            add("2026-03-02", "2026-03-20", "45", &company),
            "--hours: At most 37 hours a week (LAB § 61).",
        ),
        (
            add("2026-03-10", "2026-03-02", "30", &company),
            "--end: The end date is before the start date.",
        ),
        (
            add("2026-03-02", "2026-06-07", "30", &company),
            "--end: The internship is 98 days; the law allows at most 4 weeks",
        ),
        (
            add("2026-03-02", "2026-03-20", "30", "999"),
            "--company: Choose a company from the municipality's company network.",
        ),
        (
            add("31.02.2026", "2026-03-20", "30", &company),
            "--start: That date does not exist.",
        ),
    ];
    for (out, message) in cases {
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains(message),
            "{message}: {}",
            text(&out.stderr)
        );
    }
    let ok = add("2.3.2026", "29.3.2026", "37", &company);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("planned internship"));
    let id = text(&ok.stdout)
        .split_whitespace()
        .nth(2)
        .unwrap()
        .to_string();
    let extend = |end: &str, reason: &str| {
        spire(&[
            "internship",
            "extend",
            "--db",
            &db,
            "--user",
            "konsulent.roskilde",
            "--internship",
            &id,
            "--new-end",
            end,
            "--reason",
            reason,
            "--decided-by",
            "Teamleder Lene",
        ])
    };
    let no_reason = extend("2026-05-01", " ");
    assert_eq!(no_reason.status.code(), Some(2));
    assert!(text(&no_reason.stderr).contains("--reason: Required."));
    assert!(extend("2026-05-01", "Særligt behov").status.success());

    // The law changes: six weeks for job-ready youth is then allowed.
    let set = spire(&[
        "rules",
        "set",
        "--db",
        &db,
        "--job-ready-weeks",
        "6",
        "--caseload",
        "15,20,22",
    ]);
    assert!(set.status.success(), "{}", text(&set.stderr));
    assert!(text(&set.stdout).contains("job- and education-ready youth   6 weeks"));
    assert!(
        add("2026-09-07", "2026-10-18", "30", &company)
            .status
            .success()
    );
    let bad = spire(&["rules", "set", "--db", &db, "--caseload", "15,twenty"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("--caseload"));
    // The programme's age band is a setting too.
    let ages = spire(&["rules", "set", "--db", &db, "--ages", "16-25"]);
    assert!(ages.status.success(), "{}", text(&ages.stderr));
    assert!(text(&ages.stdout).contains("age band of the programme: 16 to 25 years"));
    for wrong in ["25-16", "9-20", "young"] {
        let refused = spire(&["rules", "set", "--db", &db, "--ages", wrong]);
        assert_eq!(refused.status.code(), Some(2), "{wrong}");
        assert!(text(&refused.stderr).contains("--ages"));
    }
}
