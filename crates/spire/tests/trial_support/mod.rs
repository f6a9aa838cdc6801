//! What the trial's command-line tests share: the real binary, a design file,
//! a server key, and allocations made through the store as `spire serve`
//! makes them.

#![allow(dead_code)] // each test binary uses its own part

use spire_domain::{Benefit, Cpr, Readiness, Role};
use spire_store::{Db, Intake, NewUser, Randomisation, Receipt, Scope, ServerKey};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

/// A file of this test run under the target's temporary folder.
pub fn temp_path(test: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{test}-{}-{name}", std::process::id()))
}

pub fn spire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spire"))
        .args(args)
        .env_remove("SPIRE_KEY_FILE")
        .env_remove("SPIRE_DB")
        .output()
        .expect("spire runs")
}

pub fn spire_with_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_spire"))
        .args(args)
        .env_remove("SPIRE_KEY_FILE")
        .env_remove("SPIRE_DB")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spire runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub const DESIGN: &str = r#"
id = "cli-trial"
name = "CLI trial"
target_size = 100
method = "stratified_blocks"
factors = ["municipality", "age_band"]
"#;

pub const SERVER_KEY: &str = "4444444444444444444444444444444444444444444444444444444444444444";

pub const PASSWORD: &str = "correct horse battery";

/// Allocates `count` new youth (CPR serials `from`, `from + 1`, …) into the
/// database's only trial as a Roskilde caseworker; the first call also makes
/// that caseworker and two people who may reveal the key ("office" and
/// "statistician").
pub async fn allocate(db_path: &str, from: u32, count: u32) -> Vec<Receipt> {
    let db = Db::connect(db_path).await.unwrap();
    let key = ServerKey::from_hex(SERVER_KEY).unwrap();
    let caseworker = match db.user_by_login("case.roskilde").await {
        Ok(user) => user.id,
        Err(_) => make_people(&db).await,
    };
    let scope = Scope::new(caseworker, Role::Caseworker, Some(265), "cli-test");
    let trial_id = spire_domain::TrialId::new(db.list_trials().await.unwrap()[0].id);
    let mut receipts = Vec::new();
    for n in from..from + count {
        let intake = Intake {
            cpr: Cpr::parse("cpr", &format!("0102034{n:03}")).unwrap(),
            first_name: "Ida".into(),
            last_name: "Hansen".into(),
            municipality_code: 265,
            benefit: Benefit::Kontanthjaelp,
            readiness: Readiness::Jobparat,
            has_qualification: false,
            strata: BTreeMap::new(),
            intake_date: time::OffsetDateTime::now_utc().date(),
            already_registered_decision: None,
        };
        match db
            .randomise(&scope, &key, trial_id, &intake, None)
            .await
            .unwrap()
        {
            Randomisation::Allocated(receipt) => receipts.push(receipt),
            other => panic!("{other:?}"),
        }
    }
    db.close().await;
    receipts
}

/// Roskilde, its caseworker (returned) and the two who may reveal the key.
async fn make_people(db: &Db) -> i64 {
    let actor = spire_store::Actor::command("test");
    db.upsert_municipality(&actor, 265, "Roskilde")
        .await
        .unwrap();
    for (login, role, municipality) in [
        ("office", Role::ProgrammeOffice, None),
        ("statistician", Role::Researcher, None),
        ("case.roskilde", Role::Caseworker, Some(265)),
    ] {
        db.create_user(
            &actor,
            &NewUser {
                login: login.into(),
                display_name: login.into(),
                password: PASSWORD.into(),
                role,
                municipality_code: municipality,
                company_id: None,
            },
        )
        .await
        .unwrap();
    }
    db.user_by_login("case.roskilde").await.unwrap().id
}

/// The two-person reveal by "office" and "statistician" (see [`allocate`]),
/// writing the trial key to `out`.
pub fn reveal(db: &str, key_file: &str, out: &str) -> Output {
    spire_with_stdin(
        &[
            "trial",
            "reveal",
            "--db",
            db,
            "--key-file",
            key_file,
            "--first",
            "office",
            "--second",
            "statistician",
            "--out",
            out,
        ],
        &format!("{PASSWORD}\n{PASSWORD}\n"),
    )
}

/// Opens a trial from [`DESIGN`] in a new database: (database, server key file).
pub fn create_trial(test: &str) -> (String, String) {
    let db = temp_path(test, "trial.db");
    let design = temp_path(test, "design.toml");
    std::fs::write(&design, DESIGN).unwrap();
    let key_file = temp_path(test, "server.key");
    std::fs::write(&key_file, SERVER_KEY).unwrap();
    let (db, key_file) = (
        db.to_str().unwrap().to_string(),
        key_file.to_str().unwrap().to_string(),
    );
    let created = spire(&[
        "trial",
        "create",
        "--db",
        &db,
        "--key-file",
        &key_file,
        "--design",
        design.to_str().unwrap(),
    ]);
    assert!(created.status.success(), "{}", stderr(&created));
    (db, key_file)
}
