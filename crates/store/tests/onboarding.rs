//! Onboarding a new municipality on SQLite and PostgreSQL alike: the
//! administrator adds it from the official list, the programme office
//! starts its one-year plan from the (editable) template, milestones move
//! and fall late by their quarter; nobody else reaches any of it.

use spire_domain::onboarding::{Milestone, Status};
use spire_domain::{Problem, Role};
use spire_store::testing::new_user;
use spire_store::{Db, Error, Scope, both_dbs};
use time::macros::date;

fn refused<T: std::fmt::Debug>(result: Result<T, Error>) -> Vec<(&'static str, Problem)> {
    match result {
        Err(Error::Invalid(e)) => vec![(e.field, e.problem)],
        Err(Error::InvalidFields(list)) => list.into_iter().map(|e| (e.field, e.problem)).collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn story(db: Db) {
    let admin_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &new_user("admin.one", Role::Admin, None),
        )
        .await
        .unwrap();
    let office_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &new_user("office.one", Role::ProgrammeOffice, None),
        )
        .await
        .unwrap();
    let admin = Scope::new(admin_id, Role::Admin, None, "t");
    let office = Scope::new(office_id, Role::ProgrammeOffice, None, "t");

    // The administrator adds Næstved by its code; the name comes from the list.
    db.add_official_municipality(&admin, 370).await.unwrap();
    let all = db.list_municipalities().await.unwrap();
    assert_eq!((all[0].code, all[0].name.as_str()), (370, "Næstved"));
    assert_eq!(
        refused(db.add_official_municipality(&admin, 411).await),
        vec![("municipality_code", Problem::UnknownMunicipality)]
    );
    assert!(matches!(
        db.add_official_municipality(&office, 101).await,
        Err(Error::NotFound)
    ));

    // The template: the eleven milestones of the programme's first year.
    let template = db.onboarding_template().await.unwrap();
    assert_eq!(template.len(), 11);
    assert_eq!(template.iter().filter(|m| m.quarter == 3).count(), 4);

    // A plan from a year ago: every milestone's quarter is over.
    let today = date!(2026 - 12 - 03);
    let plan = db
        .start_onboarding(&office, 370, date!(2025 - 11 - 03))
        .await
        .unwrap();
    assert_eq!(
        refused(db.start_onboarding(&office, 370, today).await),
        vec![("municipality_code", Problem::PlanExists)]
    );
    assert_eq!(
        refused(db.start_onboarding(&office, 101, today).await),
        vec![("municipality_code", Problem::UnknownMunicipality)]
    );
    let detail = db.onboarding_plan(&office, plan, today).await.unwrap();
    assert_eq!(detail.items.len(), 11);
    assert_eq!(
        detail.items[0].due, "2026-02-01",
        "the first quarter's last day"
    );
    assert_eq!((detail.summary.done, detail.summary.late), (0, 11));

    // Two milestones reached, one under way.
    let first = detail.items[0].id;
    let back = db
        .update_onboarding_item(
            &office,
            first,
            Status::Done,
            "Programkontoret",
            "Møde 12. januar",
        )
        .await
        .unwrap();
    assert_eq!(back, plan);
    db.update_onboarding_item(&office, detail.items[1].id, Status::Done, "", "")
        .await
        .unwrap();
    db.update_onboarding_item(&office, detail.items[2].id, Status::Doing, "", "")
        .await
        .unwrap();
    let summary = &db.onboarding_plans(&office, today).await.unwrap()[0];
    assert_eq!(
        (
            summary.milestones,
            summary.done,
            summary.doing,
            summary.late
        ),
        (11, 2, 1, 9)
    );
    let saved = &db
        .onboarding_plan(&office, plan, today)
        .await
        .unwrap()
        .items[0];
    assert_eq!(
        (saved.status.as_str(), saved.notes.as_str()),
        ("done", "Møde 12. januar")
    );
    assert_eq!(
        refused(
            db.update_onboarding_item(&office, first, Status::Done, "", &"x".repeat(2001))
                .await
        ),
        vec![("notes", Problem::TooLong)]
    );
    assert_eq!(
        refused(
            db.update_onboarding_item(&office, first, Status::Done, "", "ring 010203-4101")
                .await
        ),
        vec![("notes", Problem::ContainsCpr)]
    );
    // A CPR number in the owner is refused at the owner, where it was typed.
    assert_eq!(
        refused(
            db.update_onboarding_item(&office, first, Status::Done, "Ali 0102034101", "")
                .await
        ),
        vec![("owner", Problem::ContainsCpr)]
    );
    assert!(matches!(
        db.update_onboarding_item(&office, 999_999, Status::Done, "", "")
            .await,
        Err(Error::NotFound)
    ));

    // A revised template serves the next plan; the running plan keeps its own.
    let revised = vec![Milestone {
        quarter: 1,
        title: "Kick-off".into(),
        owner: "Programkontoret".into(),
    }];
    db.set_onboarding_template(&office, &revised).await.unwrap();
    assert_eq!(db.onboarding_template().await.unwrap(), revised);
    assert_eq!(
        db.onboarding_plan(&office, plan, today)
            .await
            .unwrap()
            .items
            .len(),
        11
    );

    // Nobody but the programme office sees or changes a plan.
    for role in [
        Role::Admin,
        Role::Researcher,
        Role::TeamLead,
        Role::Consultant,
    ] {
        let scope = Scope::new(admin_id, role, None, "t");
        assert!(matches!(
            db.onboarding_plans(&scope, today).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            db.onboarding_plan(&scope, plan, today).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            db.update_onboarding_item(&scope, first, Status::Todo, "", "")
                .await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            db.set_onboarding_template(&scope, &revised).await,
            Err(Error::NotFound)
        ));
    }
}

both_dbs!(onboarding_plans, story);
