//! Fills a fresh database with a trial of N allocations through the real
//! allocation path (`Db::randomise`, group-committed), for timing
//! `spire trial verify` on a large ledger:
//!
//!   cargo run --release -p spire-store --example fill_trial -- DB N [TASKS] [TRIAL_KEY_FILE]
//!
//! DB is a SQLite path or a `postgres://` URL of an empty database. 784 strata
//! (98 municipalities × 4 readiness categories × 2 age bands), permuted blocks
//! {2,4,6}. With TRIAL_KEY_FILE the trial key is written there (hex) for
//! `spire trial verify --key-file` (a test database only: no reveal).

use spire_domain::{Benefit, Cpr, Readiness, Role};
use spire_store::{Db, Intake, NewTrial, NewUser, Randomisation, Scope, ServerKey, TrialSettings};
use spire_trial::Design;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const MUNICIPALITIES: i64 = 98;

/// A distinct CPR number for someone aged 19–28 today, for each `n` below 3.5 million.
fn cpr(n: u64) -> Cpr {
    let today = time::OffsetDateTime::now_utc().date();
    let birth = today - time::Duration::days(19 * 365 + (n % 3500) as i64);
    let seventh = if birth.year() >= 2000 { 4 } else { 1 };
    let text = format!(
        "{:02}{:02}{:02}-{}{:03}",
        birth.day(),
        birth.month() as u8,
        birth.year() % 100,
        seventh,
        (n / 3500) % 1000
    );
    Cpr::parse("cpr", &text).expect("a valid CPR number")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db_url, count, rest @ ..] = args.as_slice() else {
        eprintln!("usage: fill_trial DB N [TASKS] [TRIAL_KEY_FILE]");
        std::process::exit(2);
    };
    let count: u64 = count.parse().expect("N is a number");
    assert!(count <= 3_500_000, "at most 3.5 million distinct youth");
    let tasks: u64 = rest.first().map_or(256, |t| t.parse().expect("TASKS"));
    let key_file = rest.get(1).cloned();
    let key = ServerKey::from_hex(&"22".repeat(32)).expect("a key");
    let db = Db::connect(db_url).await.expect("the database");

    let mut caseworkers = Vec::new();
    for m in 0..MUNICIPALITIES {
        let code = 101 + m;
        db.upsert_municipality(
            &spire_store::Actor::command("fill_trial example"),
            code,
            &format!("Kommune {code}"),
        )
        .await
        .expect("municipality");
        let id = db
            .create_user(
                &spire_store::Actor::command("fill_trial example"),
                &NewUser {
                    login: format!("case.{code}"),
                    display_name: format!("Caseworker {code}"),
                    password: "correct horse battery".into(),
                    role: Role::Caseworker,
                    municipality_code: Some(code),
                    company_id: None,
                },
            )
            .await
            .expect("user");
        caseworkers.push(Scope::new(id, Role::Caseworker, Some(code), "fill"));
    }
    let design =
        Design::stratified_blocks("spire-fill", &["municipality", "readiness", "age_band"]);
    let opened = db
        .create_trial(
            &key,
            &NewTrial {
                name: "Filled trial".into(),
                target_size: count as i64,
                design,
                settings: TrialSettings::default(),
            },
            None,
        )
        .await
        .expect("trial");
    let trial_id = opened.id;
    if let Some(path) = key_file {
        let trial_key = spire_store::testing::trial_key(&db, &key, trial_id)
            .await
            .expect("trial key");
        std::fs::write(&path, trial_key.to_hex()).expect("writing the trial key");
    }

    let started = std::time::Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let caseworkers = Arc::new(caseworkers);
    let readiness = Readiness::ALL;
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let (db, key, next, caseworkers) =
            (db.clone(), key.clone(), next.clone(), caseworkers.clone());
        handles.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return;
                }
                let m = (n % MUNICIPALITIES as u64) as usize;
                let scope = &caseworkers[m];
                let intake = Intake {
                    cpr: cpr(n),
                    first_name: "Fill".into(),
                    last_name: "Test".into(),
                    municipality_code: 101 + m as i64,
                    benefit: Benefit::Kontanthjaelp,
                    readiness: readiness[(n / MUNICIPALITIES as u64 % 4) as usize],
                    has_qualification: false,
                    strata: BTreeMap::new(),
                    intake_date: time::OffsetDateTime::now_utc().date(),
                    already_registered_decision: None,
                };
                match db
                    .randomise(scope, &key, trial_id, &intake, Some(&format!("fill-{n}")))
                    .await
                    .expect("randomise")
                {
                    Randomisation::Allocated(_) => {}
                    other => panic!("youth {n}: {other:?}"),
                }
                if n > 0 && n % 100_000 == 0 {
                    eprintln!("{n} allocations in {:.1?}", started.elapsed());
                }
            }
        }));
    }
    for handle in handles {
        handle.await.expect("a filling task");
    }
    let elapsed = started.elapsed();
    println!(
        "{count} allocations in {elapsed:.1?} ({:.0} a second) on {}",
        count as f64 / elapsed.as_secs_f64(),
        db.kind()
    );
    db.close().await;
}
