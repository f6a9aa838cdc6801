//! The demo's programme office: Næstved, added from the official list
//! 200 days ago, in its onboarding year (the first half-year's milestones
//! reached but the hiring, which is late; the referral of young people
//! under way), and Roskilde, the first
//! municipality, with its first year's plan reached in full. Every write
//! goes through the store functions the pages use.

use crate::Failure;
use spire_domain::onboarding::Status;
use spire_store::{Db, Scope};
use time::{Date, Duration};

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
    Ok(())
}
