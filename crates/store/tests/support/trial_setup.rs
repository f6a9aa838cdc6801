//! What the trial tests in the store share: the server key, a trial opened
//! with a caseworker in Roskilde and one in Horsens, and an allocation's receipt.

#![allow(dead_code)] // each test binary uses its own part

use spire_domain::{Cpr, Role, TrialId};
use spire_store::{
    Db, Intake, NewTrial, NewUser, Randomisation, Receipt, Scope, ServerKey, TrialSettings,
};
use spire_trial::Design;

pub fn key() -> ServerKey {
    ServerKey::from_hex(&"22".repeat(32)).unwrap()
}

pub fn user(login: &str, role: Role, municipality: Option<i64>) -> NewUser {
    spire_store::testing::new_user(login, role, municipality)
}

pub fn intake(cpr: Cpr, municipality: i64) -> Intake {
    spire_store::testing::intake(cpr, municipality)
}

pub struct Setup {
    pub trial_id: TrialId,
    pub caseworkers: Vec<Scope>,
}

pub async fn setup(db: &Db, design: Design) -> Setup {
    let mut caseworkers = Vec::new();
    for (code, name) in [(265, "Roskilde"), (615, "Horsens")] {
        db.upsert_municipality(&spire_store::Actor::command("test"), code, name)
            .await
            .unwrap();
        let login = format!("case.{code}");
        let id = db
            .create_user(
                &spire_store::Actor::command("test"),
                &user(&login, Role::Caseworker, Some(code)),
            )
            .await
            .unwrap();
        caseworkers.push(Scope::new(id, Role::Caseworker, Some(code), "test"));
    }
    let opened = db
        .create_trial(
            &key(),
            &NewTrial {
                name: "Spire trial".into(),
                target_size: 1000,
                design,
                settings: TrialSettings::default(),
            },
            None,
        )
        .await
        .unwrap();
    Setup {
        trial_id: opened.id,
        caseworkers,
    }
}

pub fn allocated(outcome: Randomisation) -> Receipt {
    match outcome {
        Randomisation::Allocated(receipt) => receipt,
        other => panic!("expected a new allocation, got {other:?}"),
    }
}
