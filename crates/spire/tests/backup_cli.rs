//! `spire backup` and the restore drill: a copy taken while allocations are
//! being written is a consistent database whose trial ledger verifies, and a
//! backup never overwrites a file.

use spire_domain::{Benefit, Readiness, Role};
use spire_store::testing::cpr;
use spire_store::{Db, Intake, NewUser, Randomisation, Scope, ServerKey};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("backup_cli-{}-{name}", std::process::id()))
}

fn spire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spire"))
        .args(args)
        .env_remove("SPIRE_DB")
        .output()
        .expect("spire runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_and_its_ledger_verifies() {
    let original = path("demo.db");
    let copy = path("copy.db");
    for file in [&original, &copy] {
        let _ = std::fs::remove_file(file);
    }
    let demo = spire(&["demo", "--db", original.to_str().unwrap(), "--no-serve"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));

    // A caseworker keeps randomising while the backup runs.
    let db = Db::connect_existing(original.to_str().unwrap())
        .await
        .unwrap();
    let key_file = original.with_extension("key");
    let key_hex = std::fs::read_to_string(&key_file).unwrap();
    let key = ServerKey::from_hex(key_hex.trim()).unwrap();
    let caseworker = db
        .create_user(
            &spire_store::Actor::command("test"),
            &NewUser {
                login: "backup.caseworker".into(),
                display_name: "Backup Caseworker".into(),
                password: "correct horse battery".into(),
                role: Role::Caseworker,
                municipality_code: Some(265),
                company_id: None,
            },
        )
        .await
        .unwrap();
    let scope = Scope::new(caseworker, Role::Caseworker, Some(265), "test");
    let writer = tokio::spawn(async move {
        let mut made = 0;
        for n in 900..960 {
            let intake = Intake {
                cpr: cpr(n),
                first_name: "Ida".into(),
                last_name: "Backup".into(),
                municipality_code: 265,
                benefit: Benefit::Kontanthjaelp,
                readiness: Readiness::Aktivitetsparat,
                has_qualification: false,
                strata: BTreeMap::new(),
                intake_date: time::OffsetDateTime::now_utc().date(),
                already_registered_decision: None,
            };
            if let Ok(Randomisation::Allocated(_)) = db
                .randomise(&scope, &key, spire_domain::TrialId::new(1), &intake, None)
                .await
            {
                made += 1;
            }
        }
        made
    });
    let backup = tokio::task::spawn_blocking({
        let (original, copy) = (original.clone(), copy.clone());
        move || {
            spire(&[
                "backup",
                "--db",
                original.to_str().unwrap(),
                "--out",
                copy.to_str().unwrap(),
            ])
        }
    })
    .await
    .unwrap();
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    assert!(text(&backup.stdout).contains("integrity ok"));
    assert!(
        writer.await.unwrap() > 0,
        "allocations were written alongside the backup"
    );

    // The restore drill: the copy opens as a database and its ledger verifies.
    let verify = spire(&["trial", "verify", "--db", copy.to_str().unwrap()]);
    assert!(
        verify.status.success(),
        "{}{}",
        text(&verify.stdout),
        text(&verify.stderr)
    );
    assert!(text(&verify.stdout).starts_with("ok: "));
    let verify_original = spire(&["trial", "verify", "--db", original.to_str().unwrap()]);
    assert!(verify_original.status.success());

    // Never over an existing file.
    let again = spire(&[
        "backup",
        "--db",
        original.to_str().unwrap(),
        "--out",
        copy.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("exists already"),
        "{}",
        text(&again.stderr)
    );
}
