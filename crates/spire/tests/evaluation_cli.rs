//! `spire trial plan | outcomes | evaluation` on the demo database: the report
//! as JSON under the locked plan, and clear refusals (exit 2).

use std::path::PathBuf;
use std::process::{Command, Output};

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("evaluation_cli-{}-{name}", std::process::id()))
}

fn spire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spire"))
        .args(args)
        .env_remove("SPIRE_DB")
        .env_remove("SPIRE_KEY_FILE")
        .output()
        .expect("spire runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn researchers_script_the_evaluation() {
    let db = path("demo.db");
    let _ = std::fs::remove_file(&db);
    let db = db.to_str().unwrap().to_string();
    let key = db.replace(".db", ".key");
    let _ = std::fs::remove_file(&key);
    let demo = spire(&["demo", "--db", &db, "--no-serve"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    // The key that decrypts every CPR number is its owner's alone.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the demo key's mode");

    let report = spire(&["trial", "evaluation", "--db", &db, "--user", "forsker"]);
    assert!(report.status.success(), "{}", text(&report.stderr));
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(report["follows_plan"], true);
    // The demo's trial has a year of allocations behind it.
    let months = report["recruitment"]["cumulative_by_month"]
        .as_array()
        .unwrap();
    assert!(months.len() >= 12, "{months:?}");
    assert_eq!(report["plan_digest"].as_str().unwrap().len(), 64);
    let outcomes = report["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 3);
    assert!(
        outcomes
            .iter()
            .all(|o| o["itt"]["std_error"].as_f64().unwrap() > 0.0)
    );

    let consultant = spire(&[
        "trial",
        "evaluation",
        "--db",
        &db,
        "--user",
        "konsulent.roskilde",
    ]);
    assert_eq!(consultant.status.code(), Some(2));
    assert!(text(&consultant.stderr).contains("only researchers"));

    let plan = path("plan.json");
    std::fs::write(&plan, serde_json::to_string(&report["analysis"]).unwrap()).unwrap();
    let again = spire(&[
        "trial",
        "plan",
        "--db",
        &db,
        "--plan",
        plan.to_str().unwrap(),
        "--user",
        "forsker",
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("plan: The analysis plan is already locked"),
        "{}",
        text(&again.stderr)
    );

    let file = path("wrong.csv");
    std::fs::write(&file, "pseudonym;in_work_6m\n").unwrap();
    let wrong = spire(&[
        "trial",
        "outcomes",
        "--db",
        &db,
        "--key-file",
        &key,
        "--file",
        file.to_str().unwrap(),
        "--user",
        "forsker",
    ]);
    assert_eq!(wrong.status.code(), Some(2));
    let message = text(&wrong.stderr);
    assert!(
        message.contains("in_work_6m") && message.contains("in_work_or_education_6m"),
        "{message}"
    );
}
