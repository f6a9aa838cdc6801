//! The demo's programme office: Næstved, added from the official list
//! 200 days ago, in its onboarding year (the first half-year's milestones
//! reached but the hiring, which is late; the referral of young people
//! under way), and Roskilde, the first
//! municipality, with its first year's plan reached in full; and a year of
//! fidelity reviews: every municipality's last two half-years (those with
//! young people in a course), Kalundborg's
//! slipping (the psychologist left and the network lost its rhythm), one
//! review waiting for its second reviewer and one with a disagreement to
//! settle. Every write goes through the store functions the pages use.

use crate::Failure;
use crate::demo::demo_user;
use spire_domain::Role;
use spire_domain::dashboard::HalfYear;
use spire_domain::onboarding::Status;
use spire_store::{Db, NewReview, Scope};
use time::{Date, Duration};

/// Kalundborg: the municipality whose fidelity slipped.
const SLIPPED: i64 = 326;

pub async fn seed(db: &Db, admin: &Scope, office: &Scope, today: Date) -> Result<(), Failure> {
    db.add_official_municipality(admin, 370).await?;
    let started = today - Duration::days(200);
    let plan = db.start_onboarding(office, 370, started).await?;
    let items = db.onboarding_plan(office, plan, today).await?.items;
    for item in &items {
        let (status, notes) = match (item.quarter, item.position) {
            (1, _) => (Status::Done, "Aftalen er underskrevet af direktionen."),
            (2, 3) => (
                Status::Done,
                "Styregruppen mødtes; næste møde i 4. kvartal.",
            ),
            (2, 4) => (Status::Done, "Oplæg holdt for jobcentrets medarbejdere."),
            (3, 7) => (Status::Doing, "Jobcentret visiterer de første unge."),
            // Hiring is late: the second quarter is over and nobody is hired.
            (2, _) => (Status::Todo, "Stillingsopslaget er ikke sendt endnu."),
            _ => continue,
        };
        db.update_onboarding_item(office, item.id, status, &item.owner, notes)
            .await?;
    }
    let roskilde = db
        .start_onboarding(office, 265, today - Duration::days(3 * 365))
        .await?;
    for item in db.onboarding_plan(office, roskilde, today).await?.items {
        db.update_onboarding_item(office, item.id, Status::Done, &item.owner, "")
            .await?;
    }
    println!("  Næstved: in its first year (onboarding plan started {started})");
    fidelity(db, office, today).await
}

/// What the two reviewers give the items they score: (first, second, why).
fn reviewed_scores(code: i64, latest: bool, item: usize) -> (i64, i64, &'static str) {
    let base = match code {
        101 | 265 => 5,
        SLIPPED if latest => 2,
        _ => 4,
    };
    let evidence = match (code, latest) {
        (SLIPPED, true) => {
            "Psykologen stoppede i foråret; teamet holder ikke længere ugentlige møder, og flere netværksmøder er aflyst."
        }
        (SLIPPED, false) => {
            "Ugentlige teammøder med psykologen; de unge sætter selv netværkets dagsorden."
        }
        _ => "Set ved besøget og i referaterne fra ungenetværket.",
    };
    // The reviewers differ by one on the third item now and then.
    let second = if item == 2 && (code % 2 == 1) {
        base - 1
    } else {
        base
    };
    (base, second, evidence)
}

async fn fidelity(db: &Db, office: &Scope, today: Date) -> Result<(), Failure> {
    let second_id = db
        .create_user(
            &spire_store::Actor::command("spire demo"),
            &demo_user(
                "programkontor2".into(),
                "Sara Programkontor".into(),
                Role::ProgrammeOffice,
                None,
            ),
        )
        .await?;
    let second = Scope::new(second_id, Role::ProgrammeOffice, None, "demo");
    let latest = HalfYear::containing(today).previous();
    let codes: Vec<i64> = db
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| m.code)
        .filter(|code| *code != 370)
        .collect();
    let mut made = 0;
    for period in [latest.previous(), latest] {
        let data = db.dashboard_data(period, today).await?;
        for &code in &codes {
            let is_latest = period == latest;
            let review = NewReview {
                municipality: code,
                period,
                reviewer_a: office.user_id(),
                reviewer_b: second_id,
                due: period.last_day() + Duration::days(spire_store::DAYS_TO_REVIEW),
            };
            // Planned the day after the half-year ended, as it would have
            // been; a municipality whose work began after it has no review.
            let planned = period.last_day().next_day().unwrap_or(today);
            let id = match db
                .create_fidelity_review(office, &review, &data, planned)
                .await
            {
                Ok(id) => id,
                Err(spire_store::Error::InvalidFields(problems))
                    if problems
                        .iter()
                        .any(|p| p.problem == spire_domain::Problem::NoWorkInPeriod) =>
                {
                    continue;
                }
                Err(other) => return Err(other.into()),
            };
            made += 1;
            let reviewed: Vec<String> = db
                .fidelity_review(office, id)
                .await?
                .items
                .into_iter()
                .filter(|i| i.item.measure.is_none())
                .map(|i| i.item.code)
                .collect();
            let mut first_scores = Vec::new();
            let mut second_scores = Vec::new();
            for (n, item) in reviewed.iter().enumerate() {
                let (a, b, evidence) = reviewed_scores(code, is_latest, n);
                first_scores.push((item.clone(), Some(a), evidence.to_string()));
                second_scores.push((item.clone(), Some(b), evidence.to_string()));
            }
            db.submit_fidelity_ratings(office, id, &first_scores)
                .await?;
            // Vejle's latest waits for the second reviewer.
            if is_latest && code == 630 {
                continue;
            }
            db.submit_fidelity_ratings(&second, id, &second_scores)
                .await?;
            // Horsens's latest keeps its disagreement for the office to settle.
            if is_latest && code == 615 {
                continue;
            }
            for (n, item) in reviewed.iter().enumerate() {
                let (a, b, _) = reviewed_scores(code, is_latest, n);
                if a != b {
                    db.reconcile_fidelity_item(
                        office,
                        id,
                        item,
                        Some(b),
                        "Enige efter en snak: planen findes, men er ikke fulgt hele halvåret.",
                    )
                    .await?;
                }
            }
        }
    }
    println!("  Fidelity: {made} reviews of the last two half-years; Kalundborg's slipped");
    Ok(())
}
