//! The app's match is the engine's: an event's preferences, exported in
//! `spire match`'s input format, give the same pairs when `spire match` runs
//! on them as the match the app stored — over many seeded events of varied
//! shape (incomplete lists, companies without places, more youth than
//! places). The CLI is a separate process reading only the exported file.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use spire_domain::{CompanyId, Role, YouthId};
use spire_store::{Db, NewCompany, NewEvent, NewUser, NewYouth, Scope, ServerKey};
use std::collections::BTreeMap;
use std::process::Command;

async fn event_with_random_choices(
    db: &Db,
    seed: u64,
    serial: &mut u32,
) -> BTreeMap<String, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let key = ServerKey::from_hex(&"55".repeat(32)).unwrap();
    let consultant = db
        .create_user(
            &spire_store::Actor::command("test"),
            &NewUser {
                login: format!("konsulent-{seed}"),
                display_name: "Konsulent".into(),
                password: "correct horse battery".into(),
                role: Role::Consultant,
                municipality_code: Some(265),
                company_id: None,
            },
        )
        .await
        .unwrap();
    let staff = Scope::new(consultant, Role::Consultant, Some(265), "t");
    let today = spire_web::i18n::today_in_copenhagen();
    let companies: Vec<CompanyId> = {
        let mut list = Vec::new();
        for i in 0..4 {
            let cvr = loop {
                if let Some(cvr) = spire_domain::cvr::complete_with_check_digit(
                    rng.random_range(1_000_000..9_999_999),
                ) {
                    break cvr;
                }
            };
            let company = db
                .create_company(
                    &staff,
                    &NewCompany {
                        cvr,
                        name: format!("Firma {seed}-{i}"),
                        industry: "Detail".into(),
                        address: None,
                    },
                )
                .await
                .unwrap();
            db.join_network(&staff, company, today).await.unwrap();
            list.push(company);
        }
        list
    };
    let mut youth: Vec<YouthId> = Vec::new();
    for i in 0..12 {
        *serial += 1;
        youth.push(
            db.create_youth(
                &staff,
                &key,
                &NewYouth {
                    cpr: spire_store::testing::cpr(*serial),
                    first_name: format!("Ung{i}"),
                    last_name: "Test".into(),
                    phone: None,
                    email: None,
                    interests: "tøj".into(),
                    strengths: String::new(),
                    consultant_id: Some(consultant),
                    user_id: None,
                    outside_trial: None,
                },
            )
            .await
            .unwrap(),
        );
    }
    let event = db
        .create_event(
            &staff,
            &NewEvent {
                title: format!("Event {seed}"),
                date: today,
                time: time::macros::time!(13:00),
                place: String::new(),
                rounds: 4,
                meetings_per_youth: 4,
                ranking_deadline: today,
                facilitators: vec![],
            },
        )
        .await
        .unwrap();
    for c in &companies {
        db.invite_company(&staff, event, *c, 3).await.unwrap();
        db.answer_invitation(&staff, event, Some(*c), true, 3)
            .await
            .unwrap();
    }
    for y in &youth {
        db.add_event_youth(&staff, event, *y, false).await.unwrap();
    }
    let issues = db.generate_grid(&staff, event).await.unwrap();
    assert!(
        issues.is_empty(),
        "everyone meets every company: {issues:?}"
    );
    for y in &youth {
        let mut order = companies.clone();
        order.shuffle(&mut rng);
        order.truncate(rng.random_range(0..=4));
        db.rank_companies(&staff, event, Some(*y), &order)
            .await
            .unwrap();
    }
    for c in &companies {
        let mut order = youth.clone();
        order.shuffle(&mut rng);
        order.truncate(rng.random_range(0..=12));
        db.mark_youth(&staff, event, Some(*c), &order, rng.random_range(0..=4))
            .await
            .unwrap();
    }
    db.run_match(&staff, event).await.unwrap();

    // The engine again, in another process, on the exported preferences only.
    let export = db.event_preferences(&staff, event).await.unwrap();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let input = dir.join(format!("event-match-{}-{seed}.json", std::process::id()));
    std::fs::write(&input, serde_json::to_vec(&export).unwrap()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_spire"))
        .args(["match", "--input", input.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_file(&input);
    let cli: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(cli["stable"], true);
    let cli_pairs: BTreeMap<String, String> = cli["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["youth"].as_str().unwrap().to_string(),
                m["company"].as_str().unwrap().to_string(),
            )
        })
        .collect();

    let app = db.match_result(&staff, event).await.unwrap().unwrap();
    assert!(app.stable);
    let app_pairs: BTreeMap<String, String> = app
        .lines
        .iter()
        .filter_map(|l| Some((l.youth_id.to_string(), l.company_id?.to_string())))
        .collect();
    assert_eq!(app_pairs, cli_pairs, "seed {seed}");
    app_pairs
}

#[tokio::test]
async fn the_apps_match_is_what_spire_match_gives_on_the_exported_preferences() {
    let (db, path) = spire_store::testing::fresh_sqlite().await.unwrap();
    db.upsert_municipality(&spire_store::Actor::command("test"), 265, "Roskilde")
        .await
        .unwrap();
    let mut serial = 0;
    let mut matched = 0;
    for seed in 0..8 {
        matched += event_with_random_choices(&db, seed, &mut serial)
            .await
            .len();
    }
    assert!(
        matched > 20,
        "the events matched a fair number of youth ({matched})"
    );
    let _ = std::fs::remove_file(path);
}
