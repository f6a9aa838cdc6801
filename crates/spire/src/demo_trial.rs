//! The demo's randomised trial: open, with screenings and allocations made
//! through the same store path as real intake, across every municipality, so
//! the trial page, CONSORT and `spire trial verify` have something to show.

use crate::{Failure, demo};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use spire_domain::{Benefit, Cpr, Readiness};
use spire_store::{Db, Intake, NewTrial, Randomisation, Scope, ServerKey, TrialSettings};
use spire_trial::Design;
use std::collections::{BTreeMap, HashSet};

pub const DEMO_TRIAL_ID: &str = "spire-demo-2026";
/// Screenings per municipality; about one in eight is not eligible.
const SCREENINGS_PER_MUNICIPALITY: usize = 40;

/// Opens the demo trial and screens youth at every caseworker's desk.
pub async fn seed(
    db: &Db,
    key: &ServerKey,
    caseworkers: &[(i64, Scope)],
    used_cprs: &mut HashSet<String>,
) -> Result<(), Failure> {
    let mut rng = StdRng::seed_from_u64(2026);
    let design =
        Design::stratified_blocks(DEMO_TRIAL_ID, &["municipality", "age_band", "readiness"]);
    let opened = db
        .create_trial(
            key,
            &NewTrial {
                name: "Spire demo trial 2026".into(),
                target_size: 1200,
                design,
                settings: TrialSettings::default(),
            },
            None,
        )
        .await?;
    let today = time::OffsetDateTime::now_utc().date();
    let (mut allocated, mut excluded) = (0, 0);
    for (code, scope) in caseworkers {
        for _ in 0..SCREENINGS_PER_MUNICIPALITY {
            let female = rng.random_bool(0.45);
            let cpr = loop {
                let cpr = demo::synthetic_cpr(&mut rng, female);
                if used_cprs.insert(cpr.expose_digits()) {
                    break cpr;
                }
            };
            let first_names = if female { demo::FEMALE } else { demo::MALE };
            let mut intake = Intake {
                cpr,
                first_name: demo::pick(&mut rng, first_names).into(),
                last_name: demo::pick(&mut rng, demo::SURNAMES).into(),
                municipality_code: *code,
                benefit: if rng.random_bool(0.6) {
                    Benefit::Kontanthjaelp
                } else {
                    Benefit::Uddannelseshjaelp
                },
                readiness: Readiness::ALL[rng.random_range(0..Readiness::ALL.len())],
                has_qualification: false,
                strata: BTreeMap::new(),
                intake_date: today,
            };
            // The screening log holds the excluded too (CONSORT).
            match rng.random_range(0..16) {
                0 => intake.has_qualification = true,
                1 => intake.benefit = Benefit::Other,
                2 => intake.cpr = older_than_target(&mut rng, used_cprs),
                _ => {}
            }
            match db.randomise(scope, key, opened.id, &intake, None).await? {
                Randomisation::Allocated(_) => allocated += 1,
                Randomisation::NotEligible(_) => excluded += 1,
                Randomisation::Replayed(_) | Randomisation::AlreadyRandomised(_) => {}
            }
        }
    }
    // Most programme offers have been answered; an accepted one starts a course.
    let mut answered = 0;
    for (_, scope) in caseworkers {
        for offer in db.pending_take_up(scope, opened.id).await? {
            if rng.random_bool(0.3) {
                continue;
            }
            let accepted = rng.random_bool(0.8);
            db.record_take_up(scope, key, opened.id, offer.allocation_id, accepted, today)
                .await?;
            answered += 1;
        }
    }
    println!(
        "  Trial {DEMO_TRIAL_ID}: {allocated} randomised, {excluded} screened out, {answered} offers answered; commitment {}",
        hex::encode(opened.commitment)
    );
    Ok(())
}

/// A synthetic CPR number of someone aged 31–40: outside the target group.
fn older_than_target(rng: &mut StdRng, used_cprs: &mut HashSet<String>) -> Cpr {
    loop {
        let year = rng.random_range(86..95);
        let text = format!(
            "{:02}{:02}{year:02}-{}{:03}",
            rng.random_range(1..29),
            rng.random_range(1..13),
            rng.random_range(0..4),
            rng.random_range(0..1000)
        );
        let cpr = Cpr::parse("cpr", &text).expect("synthetic CPR numbers are well-formed");
        if used_cprs.insert(cpr.expose_digits()) {
            return cpr;
        }
    }
}
