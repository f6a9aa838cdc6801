//! Fidelity reviews on the dashboard's hand-built half-year (every young
//! person five times over, so no count is under 5 and the programme
//! office's suppressed view shows every figure): each computed item's value
//! and score worked out below, two reviewers blind to each other until both
//! have submitted, a logged reconciliation, the trend and the schedule, and
//! a new version of the scale. SQLite and PostgreSQL alike.

#[path = "support/office_fixture.rs"]
mod office_fixture;

use office_fixture::{Fixture, HORSENS, ROSKILDE};
use spire_domain::dashboard::HalfYear;
use spire_domain::fidelity::SCALE_V1;
use spire_domain::{Problem, Role};
use spire_store::testing::new_user as user;
use spire_store::{Db, Error, NewReview, NewTeamMember, ReviewDetail, Scope, both_dbs};
use time::macros::date;

fn refused(result: Result<impl std::fmt::Debug, Error>) -> Vec<(&'static str, Problem)> {
    match result {
        Err(Error::Invalid(e)) => vec![(e.field, e.problem)],
        Err(Error::InvalidFields(es)) => es.iter().map(|e| (e.field, e.problem)).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn item<'a>(detail: &'a ReviewDetail, code: &str) -> &'a spire_store::ItemResult {
    detail.items.iter().find(|i| i.item.code == code).unwrap()
}

const REVIEWED: [&str; 8] = ["A6", "M6", "P3", "P4", "P5", "T5", "T6", "T7"];

fn scores(t7: i64) -> Vec<(String, Option<i64>, String)> {
    REVIEWED
        .iter()
        .map(|code| {
            let score = if *code == "T7" { t7 } else { 4 };
            (
                code.to_string(),
                Some(score),
                format!("Set ved besøget ({code})"),
            )
        })
        .collect()
}

async fn story(db: Db) {
    let Fixture {
        ida,
        ole,
        bo,
        lead,
        office,
    } = office_fixture::build(&db, 5).await;
    let psychologist = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("psy.roskilde", Role::Psychologist, Some(ROSKILDE)),
        )
        .await
        .unwrap();
    let member = |user_id, fte| NewTeamMember { user_id, fte };
    db.create_team(
        ROSKILDE,
        "Ungeteam Roskilde",
        &[
            member(ida, 1.0),
            member(ole, 1.0),
            member(psychologist, 0.5),
        ],
    )
    .await
    .unwrap();
    db.create_team(HORSENS, "Ungeteam Horsens", &[member(bo, 1.0)])
        .await
        .unwrap();
    let second = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("anne.office", Role::ProgrammeOffice, None),
        )
        .await
        .unwrap();
    let first_reviewer = Scope::new(office, Role::ProgrammeOffice, None, "t");
    let second_reviewer = Scope::new(second, Role::ProgrammeOffice, None, "t");
    let team_lead = Scope::new(lead, Role::TeamLead, Some(ROSKILDE), "t");

    let today = date!(2026 - 12 - 03);
    let period = HalfYear {
        year: 2025,
        half: 2,
    };
    let data = db.dashboard_data(period, today).await.unwrap();
    let new = NewReview {
        municipality: ROSKILDE,
        period,
        reviewer_a: office,
        reviewer_b: second,
        due: date!(2027 - 03 - 01),
    };

    // Refusals: the same person twice, a reviewer outside the programme
    // office, a half-year that still runs.
    let same = NewReview {
        reviewer_b: office,
        ..new.clone()
    };
    assert_eq!(
        refused(
            db.create_fidelity_review(&first_reviewer, &same, &data, today)
                .await
        ),
        vec![("reviewer_b", Problem::SameReviewer)]
    );
    let outsider = NewReview {
        reviewer_a: lead,
        ..new.clone()
    };
    assert_eq!(
        refused(
            db.create_fidelity_review(&first_reviewer, &outsider, &data, today)
                .await
        ),
        vec![("reviewer_a", Problem::UnknownChoice)]
    );
    let running = NewReview {
        period: HalfYear {
            year: 2026,
            half: 2,
        },
        ..new.clone()
    };
    assert_eq!(
        refused(
            db.create_fidelity_review(&first_reviewer, &running, &data, today)
                .await
        ),
        vec![("period", Problem::PeriodRunning)]
    );
    let late = NewReview {
        due: date!(2026 - 01 - 01),
        ..new.clone()
    };
    assert_eq!(
        refused(
            db.create_fidelity_review(&first_reviewer, &late, &data, today)
                .await
        ),
        vec![("due_date", Problem::DateInPast)]
    );
    // Horsens's first course began in May 2025: nothing to review before.
    let early = HalfYear {
        year: 2024,
        half: 2,
    };
    let before_start = NewReview {
        municipality: HORSENS,
        period: early,
        ..new.clone()
    };
    let early_data = db.dashboard_data(early, today).await.unwrap();
    assert_eq!(
        refused(
            db.create_fidelity_review(&first_reviewer, &before_start, &early_data, today)
                .await
        ),
        vec![("period", Problem::NoWorkInPeriod)]
    );
    assert!(matches!(
        db.create_fidelity_review(&team_lead, &new, &data, today)
            .await,
        Err(Error::NotFound)
    ));
    let id = db
        .create_fidelity_review(&first_reviewer, &new, &data, today)
        .await
        .unwrap();
    assert_eq!(
        refused(
            db.create_fidelity_review(&first_reviewer, &new, &data, today)
                .await
        ),
        vec![("period", Problem::ReviewExists)]
    );

    // Every computed item, from the dashboard's Roskilde 2025-H2 (25 youth
    // in a course on 31 Dec, 30 active) and the team (2 consultants, a
    // psychologist at 0.5 FTE).
    let detail = db.fidelity_review(&first_reviewer, id).await.unwrap();
    assert_eq!(detail.summary.scale_version, 1);
    let expected: [(&str, f64, i64); 16] = [
        // 10 of 25 in an internship; bands 0.5.. | 0.4.. → 4.
        ("A1", 0.4, 4),
        // Median of 14 19 19 53 days; ..30 → 5.
        ("A2", 19.0, 5),
        // 30 internships begun / 30 active; 1.. → 5.
        ("A3", 1.0, 5),
        ("A4", 1.0, 5),
        // The 6-month follow-ups all answered no.
        ("A5", 0.0, 1),
        // Meetings in the weeks of 4, 11 and 18 August, the last cancelled.
        ("M1", 2.0 / 3.0, 2),
        ("M2", 0.6, 3),
        ("M3", 0.5, 2),
        // 2 companies in the network for 25 youth.
        ("M4", 2.0 / 25.0, 1),
        ("M5", 1.0, 2),
        ("P1", 1.0 / 6.0, 1),
        ("P2", 0.6, 1),
        // 25 youth / 2 consultants = 12.5 against the first year's norm 15.
        ("T1", 12.5 / 15.0, 5),
        ("T2", 2.0, 4),
        ("T3", 0.5, 5),
        // 0.5 × 37 h × 60 min / 25 youth.
        ("T4", 0.5 * 37.0 * 60.0 / 25.0, 5),
    ];
    for (code, value, score) in expected {
        let result = item(&detail, code);
        let got = result
            .value
            .unwrap_or_else(|| panic!("{code}: {}", result.reason));
        assert!((got - value).abs() < 1e-9, "{code}: {got} ≠ {value}");
        assert_eq!(result.score, Some(score), "{code}");
    }
    assert_eq!(
        detail
            .items
            .iter()
            .filter(|i| i.item.measure.is_none())
            .count(),
        REVIEWED.len()
    );

    // Submitting: every reviewed item needs a score and evidence, named by
    // its number among them.
    let mut incomplete = scores(4);
    incomplete[2].1 = None;
    incomplete[5].2 = String::new();
    incomplete[6].1 = Some(7);
    let problems = match db
        .submit_fidelity_ratings(&first_reviewer, id, &incomplete)
        .await
    {
        Err(Error::InvalidFields(es)) => es,
        other => panic!("{other:?}"),
    };
    let named: Vec<(&str, Problem, i64)> = problems
        .iter()
        .map(|e| {
            (
                e.field,
                e.problem,
                e.args.iter().find(|a| a.0 == "item").unwrap().1,
            )
        })
        .collect();
    assert_eq!(
        named,
        vec![
            ("score", Problem::Required, 3),
            ("evidence", Problem::Required, 6),
            ("score", Problem::OutOfRange, 7),
        ]
    );
    db.submit_fidelity_ratings(&first_reviewer, id, &scores(4))
        .await
        .unwrap();
    assert_eq!(
        refused(
            db.submit_fidelity_ratings(&first_reviewer, id, &scores(5))
                .await
        ),
        vec![("score", Problem::AlreadySubmitted)]
    );

    // Blind: the second reviewer sees nothing of the first's scores before
    // submitting; the first sees only their own.
    let seen_by_second = db.fidelity_review(&second_reviewer, id).await.unwrap();
    assert!(seen_by_second.you_review && !seen_by_second.you_submitted);
    assert!(seen_by_second.summary.submitted_a && !seen_by_second.summary.submitted_b);
    for code in REVIEWED {
        let result = item(&seen_by_second, code);
        assert!(result.ratings.is_empty(), "{code}");
        assert_eq!(result.score, None, "{code}");
    }
    let seen_by_first = db.fidelity_review(&first_reviewer, id).await.unwrap();
    assert!(seen_by_first.you_submitted);
    assert_eq!(item(&seen_by_first, "T7").ratings.len(), 1);
    assert_eq!(item(&seen_by_first, "T7").ratings[0].reviewer_id, office);
    // Reconciling waits for both.
    assert_eq!(
        refused(
            db.reconcile_fidelity_item(&first_reviewer, id, "T7", Some(3), "Enige")
                .await
        ),
        vec![("score", Problem::NotBothSubmitted)]
    );
    // The team lead sees no review under way.
    assert!(matches!(
        db.fidelity_review(&team_lead, id).await,
        Err(Error::NotFound)
    ));

    // The second reviewer disagrees on T7 only.
    db.submit_fidelity_ratings(&second_reviewer, id, &scores(2))
        .await
        .unwrap();
    let both = db.fidelity_review(&first_reviewer, id).await.unwrap();
    assert_eq!(both.summary.open_disagreements, 1);
    assert!(!both.summary.finished && both.summary.mean.is_none());
    let t7 = item(&both, "T7");
    assert!(t7.disagreement && t7.score.is_none());
    assert_eq!(
        t7.ratings.iter().map(|r| r.score).collect::<Vec<_>>(),
        vec![4, 2]
    );
    assert_eq!(item(&both, "A6").score, Some(4), "agreed");

    // Reconciliation: a reason is required, and it is logged.
    assert_eq!(
        refused(
            db.reconcile_fidelity_item(&second_reviewer, id, "T7", Some(3), " ")
                .await
        ),
        vec![("reason", Problem::Required)]
    );
    assert_eq!(
        refused(
            db.reconcile_fidelity_item(&second_reviewer, id, "A1", Some(3), "x")
                .await
        ),
        vec![("item", Problem::UnknownChoice)],
        "a computed item is not reconciled"
    );
    assert_eq!(
        refused(
            db.reconcile_fidelity_item(&second_reviewer, id, "A6", Some(3), "x")
                .await
        ),
        vec![("item", Problem::NoDisagreement)],
        "an item both reviewers agreed on is not changed"
    );
    db.reconcile_fidelity_item(
        &second_reviewer,
        id,
        "T7",
        Some(3),
        "Halvdelen er oplært; resten starter i marts",
    )
    .await
    .unwrap();
    assert_eq!(
        refused(
            db.reconcile_fidelity_item(&first_reviewer, id, "T7", Some(5), "Igen")
                .await
        ),
        vec![("item", Problem::NoDisagreement)],
        "a settled item stays settled (a stale form)"
    );
    let done = db.fidelity_review(&team_lead, id).await.unwrap();
    let t7 = item(&done, "T7");
    assert_eq!(t7.score, Some(3));
    assert_eq!(t7.reconciliations.len(), 1);
    assert_eq!(t7.reconciliations[0].decided_by, "Name of anne.office");
    assert!(t7.reconciliations[0].reason.starts_with("Halvdelen"));
    // Computed 51, reviewed 7 × 4 + 3 = 31: 82 over 24 items.
    assert!(done.summary.finished);
    let mean = done.summary.mean.unwrap();
    assert!((mean - 82.0 / 24.0).abs() < 1e-9, "{mean}");
    assert_eq!(done.summary.rating, Some("fair"));

    // The trend, and the next review: fair, so the next half-year, due 60
    // days after it ends (and that day has passed).
    let trend = db.fidelity_trend(&team_lead, ROSKILDE).await.unwrap();
    assert_eq!(trend.points.len(), 1);
    assert_eq!(trend.points[0].scores["T7"], Some(3));
    let schedule = db.fidelity_schedule(&first_reviewer, today).await.unwrap();
    let roskilde = schedule
        .iter()
        .find(|r| r.municipality_code == ROSKILDE)
        .unwrap();
    assert_eq!(roskilde.last_period.as_deref(), Some("2025-H2"));
    assert_eq!(
        (roskilde.next_period.as_str(), roskilde.due_date.as_str()),
        ("2026-H1", "2026-08-29")
    );
    assert!(roskilde.overdue);
    let horsens = schedule
        .iter()
        .find(|r| r.municipality_code == HORSENS)
        .unwrap();
    assert_eq!(horsens.next_period, "2025-H1", "its first course, May 2025");

    // Other municipalities and roles see nothing.
    let other_lead = Scope::new(lead, Role::TeamLead, Some(HORSENS), "t");
    assert!(matches!(
        db.fidelity_review(&other_lead, id).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        db.fidelity_trend(&other_lead, ROSKILDE).await,
        Err(Error::NotFound)
    ));
    let consultant = Scope::new(ida, Role::Consultant, Some(ROSKILDE), "t");
    assert!(matches!(
        db.fidelity_reviews(&consultant).await,
        Err(Error::NotFound)
    ));
    assert_eq!(db.fidelity_reviews(&team_lead).await.unwrap().len(), 1);

    // A new version of the scale: refused whole at a bad line; published,
    // new reviews use it while the earlier one keeps version 1.
    let bad = SCALE_V1.replace("share_in_internship", "happiness");
    let error = match db
        .publish_fidelity_scale(&first_reviewer, &bad, "Version 2")
        .await
    {
        Err(Error::InvalidFields(es)) => es[0].clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (error.field, error.problem, error.args[0]),
        ("source", Problem::ScaleMeasure, ("line", 2))
    );
    let shorter: String = SCALE_V1
        .lines()
        .filter(|l| !l.starts_with("T7;"))
        .collect::<Vec<_>>()
        .join("\n");
    let version = db
        .publish_fidelity_scale(&first_reviewer, &shorter, "Uden T7")
        .await
        .unwrap();
    assert_eq!(version, 2);
    let horsens_review = db
        .create_fidelity_review(
            &first_reviewer,
            &NewReview {
                municipality: HORSENS,
                ..new.clone()
            },
            &data,
            today,
        )
        .await
        .unwrap();
    let horsens_detail = db
        .fidelity_review(&first_reviewer, horsens_review)
        .await
        .unwrap();
    assert_eq!(horsens_detail.summary.scale_version, 2);
    assert_eq!(horsens_detail.items.len(), 23);
    assert_eq!(
        db.fidelity_review(&first_reviewer, id)
            .await
            .unwrap()
            .items
            .len(),
        24
    );
    let versions = db.fidelity_scales(&team_lead).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(versions[0].published_by, "Name of office.all");
}

both_dbs!(fidelity_reviews, story);
