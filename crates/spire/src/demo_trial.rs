//! The demo's randomised trial: open, with screenings and allocations made
//! through the same store path as real intake, across every municipality, so
//! the trial page, CONSORT and `spire trial verify` have something to show.

use crate::{Failure, demo};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use spire_domain::TrialId;
use spire_domain::{Benefit, Cpr, Readiness};
use spire_evaluation::plan::AnalysisPlan;
use spire_store::{Db, Intake, NewTrial, Randomisation, Scope, ServerKey, TrialSettings};
use spire_trial::Design;
use std::collections::{BTreeMap, HashSet};

pub const DEMO_TRIAL_ID: &str = "spire-demo-2026";
/// The study whose pseudonyms key the demo's outcome file.
const DEMO_STUDY: &str = "nextwork-evaluation";
/// Screenings per municipality; about one in eight is not eligible.
const SCREENINGS_PER_MUNICIPALITY: usize = 40;

/// Opens the demo trial and screens youth at every caseworker's desk.
pub async fn seed(
    db: &Db,
    key: &ServerKey,
    caseworkers: &[(i64, Scope)],
    leads: &[Scope],
    researcher: &Scope,
    used_cprs: &mut HashSet<String>,
) -> Result<(), Failure> {
    let mut rng = StdRng::seed_from_u64(2026);
    let design =
        Design::stratified_blocks(DEMO_TRIAL_ID, &["municipality", "age_band", "readiness"]);
    let opened = db
        .create_trial(
            key,
            &NewTrial {
                name: "NExTWORK-forsøget 2026 (demo)".into(),
                target_size: 1200,
                design,
                settings: TrialSettings::default(),
            },
            None,
        )
        .await?;
    // A year of intake, a few screenings a week across the municipalities, in time order.
    let now = time::OffsetDateTime::now_utc();
    let today = now.date();
    let screenings = SCREENINGS_PER_MUNICIPALITY * caseworkers.len();
    let step = time::Duration::days(365) / screenings as u32;
    let (mut allocated, mut excluded) = (0, 0);
    let mut screened: u32 = 0;
    for _ in 0..SCREENINGS_PER_MUNICIPALITY {
        for (code, scope) in caseworkers {
            let at: time::OffsetDateTime = now - time::Duration::days(365)
                + step * screened
                + time::Duration::minutes(rng.random_range(0..240));
            screened += 1;
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
                intake_date: at.date(),
                already_registered_decision: None,
            };
            // The screening log holds the excluded too (CONSORT).
            match rng.random_range(0..16) {
                0 => intake.has_qualification = true,
                1 => intake.benefit = Benefit::Other,
                2 => intake.cpr = older_than_target(&mut rng, used_cprs),
                _ => {}
            }
            match db
                .randomise_backdated(scope, key, opened.id, &intake, at)
                .await?
            {
                Randomisation::Allocated(_) => allocated += 1,
                Randomisation::NotEligible(_) => excluded += 1,
                Randomisation::Replayed(_)
                | Randomisation::AlreadyRandomised(_)
                | Randomisation::RandomisedElsewhere => {}
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
            // Answered within two weeks of the offer.
            let offered = time::OffsetDateTime::from_unix_timestamp(offer.allocated_at)?.date();
            let decided_on = (offered + time::Duration::days(rng.random_range(1..15))).min(today);
            db.record_take_up(
                scope,
                key,
                opened.id,
                spire_domain::AllocationId::new(offer.allocation_id),
                accepted,
                decided_on,
            )
            .await?;
            answered += 1;
        }
    }
    // One team lead gave a control-arm young person the programme after all
    // (a crossover, with its reason): CONSORT and the analysis count it.
    let mut crossed = 0;
    if let Some(lead) = leads.first()
        && let Some(row) = db.control_allocations(lead).await?.last()
    {
        let allocated = time::OffsetDateTime::from_unix_timestamp(row.allocated_at)?.date();
        db.record_crossover(
            lead,
            key,
            opened.id,
            spire_domain::AllocationId::new(row.allocation_id),
            "Psykologens vurdering efter lodtrækningen: akut behov for et forløb. \
             Teamet besluttede at tilbyde programmet.",
            (allocated + time::Duration::days(21)).min(today),
        )
        .await?;
        crossed += 1;
    }
    println!(
        "  Trial {DEMO_TRIAL_ID}: {allocated} randomised, {excluded} screened out, {answered} offers answered, {crossed} crossover; commitment {}",
        hex::encode(opened.commitment)
    );
    witness(db, opened.id).await?;
    seed_evaluation(db, key, researcher, opened.id, &mut rng).await
}

/// A witness cosigns the demo log's latest checkpoint, as an outside witness
/// would (C2SP tlog-cosignature), so the public log shows one.
async fn witness(db: &Db, trial: TrialId) -> Result<(), Failure> {
    use spire_trial::note::{COSIGNATURE_KEY, Cosignature, SignedNote, VerifierKey};
    let Some(head) = db.trial_head(trial, None).await? else {
        return Ok(());
    };
    let signer = spire_trial::HeadSigner::from_seed([0x5e; 32]);
    let key = VerifierKey::new(
        "vidne.demo.example/spire",
        COSIGNATURE_KEY,
        signer.public_key(),
    );
    let checkpoint = head.head.checkpoint();
    let time = head.head.time.unix_seconds.max(0) as u64 + 60;
    let cosignature = Cosignature {
        time,
        signature: signer.sign_bytes(checkpoint.cosigned_message(time).as_bytes()),
    };
    let note = SignedNote {
        text: checkpoint.body(),
        signatures: vec![cosignature.to_note_signature(&key)],
    };
    db.add_trial_cosignature(trial, &key, &note.to_text())
        .await?;
    Ok(())
}

/// The researcher locks a pre-analysis plan, takes the pseudonymised export
/// and imports synthetic register outcomes for it (a Danish Excel file: `;`
/// and decimal commas), so the evaluation page shows a full report. The
/// outcomes carry a modest effect of taking part and more attrition in the
/// control arm, so the Lee bounds have something to bound.
async fn seed_evaluation(
    db: &Db,
    key: &ServerKey,
    researcher: &Scope,
    trial_id: TrialId,
    rng: &mut StdRng,
) -> Result<(), Failure> {
    // The suggested plan, with the demo's study name.
    let plan = AnalysisPlan {
        study: DEMO_STUDY.into(),
        ..AnalysisPlan::suggested()
    };
    let locked = db.lock_evaluation_plan(researcher, trial_id, &plan).await?;
    let rows = db
        .export_trial(key, trial_id, DEMO_STUDY, "Rikke Forsker", "demo outcomes")
        .await?;
    let mut csv = String::from(
        "pseudonym;in_work_or_education_6m;in_work_or_education_12m;weeks_on_benefit_12m\n",
    );
    for row in &rows {
        let took_part = row.take_up == "accepted";
        let control = row.arm == "control";
        let missing = |rng: &mut StdRng, rate: f64| rng.random_bool(rate);
        let cell = |rng: &mut StdRng, value: f64, decimals: usize| {
            if missing(rng, if control { 0.12 } else { 0.05 }) {
                String::new()
            } else {
                format!("{value:.decimals$}").replace('.', ",")
            }
        };
        let lift = if took_part { 0.12 } else { 0.0 };
        let six = f64::from(u8::from(rng.random_bool(0.30 + lift)));
        let twelve = f64::from(u8::from(rng.random_bool(0.36 + lift)));
        let weeks: f64 = (30.0 - if took_part { 6.0 } else { 0.0 }
            + rng.random_range(-14.0_f64..14.0))
        .clamp(0.0, 52.0);
        let cells = [cell(rng, six, 0), cell(rng, twelve, 0), cell(rng, weeks, 1)];
        csv.push_str(&format!("{};{}\n", row.pseudonym, cells.join(";")));
    }
    let import = db
        .import_outcomes(
            researcher,
            key,
            trial_id,
            "registerudtraek-2026.csv",
            csv.as_bytes(),
        )
        .await?;
    println!(
        "  Evaluation: plan {} locked; {} outcome rows imported",
        &locked.digest[..16],
        import.row_count
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
