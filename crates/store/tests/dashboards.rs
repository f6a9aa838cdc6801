//! The dashboard's figures on a small hand-built year (the second half of
//! 2025 in Roskilde and Horsens), each expected value worked out below from
//! the rows written, on SQLite and PostgreSQL alike; the team lead's own
//! figures as they are, the programme office's with small counts suppressed
//! so that no hidden count can be worked out from what is shown.

use spire_domain::Role;
use spire_domain::dashboard::HalfYear;
use spire_store::{Dashboard, Db, Error, Metric, Scope, Value, both_dbs};
use time::macros::date;

#[path = "support/office_fixture.rs"]
mod office_fixture;
use office_fixture::{Fixture, HORSENS, ROSKILDE};

fn figure(dashboard: &Dashboard, code: Option<i64>, metric: Metric) -> Value {
    let row = match code {
        Some(code) => dashboard
            .rows
            .iter()
            .find(|r| r.code == Some(code))
            .unwrap(),
        None => dashboard.total.as_ref().unwrap(),
    };
    row.value(metric)
}

async fn story(db: Db) {
    let Fixture {
        ida, lead, office, ..
    } = office_fixture::build(&db, 1).await;
    let period = HalfYear {
        year: 2025,
        half: 2,
    };
    let today = date!(2026 - 12 - 03);

    // The team lead: their own municipality, every figure as it is.
    let team_lead = Scope::new(lead, Role::TeamLead, Some(ROSKILDE), "t");
    let own = db.dashboard(&team_lead, period, today).await.unwrap();
    assert!(!own.suppressed);
    assert_eq!(own.reference_day, "2025-12-31");
    assert_eq!(
        own.rows.len(),
        1,
        "a team lead sees their own municipality only"
    );
    assert!(own.total.is_none());
    use Metric::*;
    use Value::*;
    let expected: Vec<(Metric, Value)> = vec![
        (YouthActive, Count(6)),
        (InCourseNow, Count(5)),
        // y1 (internship 2) and y2 (internship 4); y6's was interrupted on
        // 20 Dec, y8's is only planned.
        (InInternshipNow, Count(2)),
        (ShareInInternship, Share(2.0 / 5.0)),
        // Courses begun in the period: y2 19 days, y3 14, y5 53 (10 Jul → 1
        // Sep), y6 19; y8 has only a planned one. Median of 14 19 19 53.
        (FirstInternships, Count(4)),
        (DaysToFirstInternship, Number(19.0)),
        // Begun in the period: 2, 3, 4, 5, 6, 8 (7 is planned, 1 began before).
        (InternshipsStarted, Count(6)),
        (InternshipsPerYouth, Number(1.0)),
        // Ended in the period: 1 (31 Jul), 3 (15 Sep), 5 (1 Oct), 8 (10
        // Nov), 6 (20 Dec); interrupted 3 and 6 by the youth, 5 by the company.
        (InternshipsEnded, Count(5)),
        (Interrupted, Count(3)),
        (InterruptedByYouth, Count(2)),
        (InterruptedByCompany, Count(1)),
        (InterruptionRate, Share(3.0 / 5.0)),
        // Meetings 11 and 12 (13 cancelled, 10 and 14 outside): 5 marks, 3 present.
        (AttendanceMarks, Count(5)),
        (AttendancePresent, Count(3)),
        (AttendanceRate, Share(3.0 / 5.0)),
        // y1 1 of 2, y2 2 of 2, y5 0 of 1: mean (0.5 + 1 + 0) / 3.
        (YouthInNetwork, Count(3)),
        (MeetingStability, Share(0.5)),
        (EventsHeld, Count(1)),
        (InternshipsFromEvents, Count(1)),
        (ShareFromEvents, Share(1.0 / 6.0)),
        (CompaniesInNetwork, Count(2)),
        (Exits, Count(1)),
        (ExitsToJobOrEducation, Count(1)),
        (ShareToJobOrEducation, Share(1.0)),
        (FollowUps3, Count(1)),
        (Durability3, Share(1.0)),
        (FollowUps6, Count(1)),
        (Durability6, Share(0.0)),
        (FollowUps12, Count(0)),
        (Durability12, Missing),
        (Consultants, Count(2)),
        (Caseload, Number(2.5)),
        (CaseloadNorm, Count(15)),
        (RandomisedInPeriod, Count(0)),
        (RandomisedToDate, Count(0)),
    ];
    assert_eq!(expected.len(), Metric::ALL.len(), "every figure is checked");
    for (metric, value) in &expected {
        let got = figure(&own, Some(ROSKILDE), *metric);
        let same = match (got, *value) {
            (Share(a), Share(b)) | (Number(a), Number(b)) => (a - b).abs() < 1e-9,
            (a, b) => a == b,
        };
        assert!(same, "{}: expected {value:?}, got {got:?}", metric.code());
    }

    // The programme office: every municipality and the total, with counts
    // of young people from 1 to 4 suppressed, and the totals not giving them away.
    let office = Scope::new(office, Role::ProgrammeOffice, None, "t");
    let all = db.dashboard(&office, period, today).await.unwrap();
    assert!(all.suppressed);
    assert_eq!(all.rows.len(), 2);
    let people = [
        YouthActive,
        InCourseNow,
        InInternshipNow,
        FirstInternships,
        InternshipsStarted,
        InternshipsEnded,
        Interrupted,
        InterruptedByYouth,
        InterruptedByCompany,
        AttendanceMarks,
        AttendancePresent,
        YouthInNetwork,
        InternshipsFromEvents,
        Exits,
        ExitsToJobOrEducation,
        FollowUps3,
        FollowUps6,
        FollowUps12,
        RandomisedInPeriod,
        RandomisedToDate,
    ];
    for row in all.rows.iter().chain(all.total.as_ref()) {
        for metric in people {
            if let Count(n) = row.value(metric) {
                assert!(
                    !(1..5).contains(&n),
                    "{} {}: {n} shown",
                    row.name,
                    metric.code()
                );
            }
        }
    }
    // Youth active: Horsens 3 is hidden, and with it Roskilde's 6 (9 − 6 = 3).
    assert_eq!(figure(&all, Some(HORSENS), YouthActive), Suppressed);
    assert_eq!(figure(&all, Some(ROSKILDE), YouthActive), Withheld);
    assert_eq!(figure(&all, None, YouthActive), Count(9));
    // Interruptions in Roskilde: 3 = 2 + 1, all hidden; the rate with them.
    assert_eq!(figure(&all, Some(ROSKILDE), InterruptionRate), Withheld);
    // A median over fewer than 5 young people is not shown.
    assert_eq!(
        figure(&all, Some(ROSKILDE), DaysToFirstInternship),
        Withheld
    );
    // Attendance: 3 of 5 present, and so 2 not present (a difference a
    // reader could take): the rate is hidden with the 3.
    assert_eq!(figure(&all, Some(ROSKILDE), AttendancePresent), Suppressed);
    assert_eq!(figure(&all, Some(ROSKILDE), AttendanceRate), Withheld);
    // Randomised in all goes only into the total across municipalities.
    assert_eq!(figure(&all, Some(ROSKILDE), RandomisedToDate), Withheld);
    // A half-year still running is not shown across municipalities.
    let running = HalfYear::containing(today);
    assert!(matches!(
        db.dashboard(&office, running, today).await,
        Err(Error::Invalid(e)) if e.field == "period"
    ));
    assert!(db.dashboard(&team_lead, running, today).await.is_ok());
    // What is not about young people is shown as it is.
    assert_eq!(figure(&all, Some(ROSKILDE), EventsHeld), Count(1));
    assert_eq!(figure(&all, Some(ROSKILDE), CompaniesInNetwork), Count(2));
    // A figure shown to both is the same figure.
    for metric in Metric::ALL {
        if let v @ (Count(_) | Share(_) | Number(_)) = figure(&all, Some(ROSKILDE), metric) {
            assert_eq!(v, figure(&own, Some(ROSKILDE), metric), "{}", metric.code());
        }
    }

    // The forecast starts from today's caseload and consultants, and the
    // length of the courses ended in the last year (y6: 1 Oct 2025 to 10 Jan
    // 2026, 101 days = 3.3 months); in its second year Roskilde's norm is 20.
    let inputs = db.forecast_inputs(&team_lead, today).await.unwrap();
    assert_eq!(inputs.len(), 1);
    let roskilde_input = &inputs[0];
    assert_eq!(roskilde_input.norm, 20);
    assert!(roskilde_input.own_course_length);
    assert!((roskilde_input.input.course_months - 101.0 / 30.44).abs() < 1e-9);
    assert_eq!(
        (
            roskilde_input.input.caseload,
            roskilde_input.input.consultants
        ),
        (5, 2)
    );
    assert_eq!(roskilde_input.input.screenings_per_month, vec![0; 6]);
    assert_eq!(db.forecast_inputs(&office, today).await.unwrap().len(), 2);

    // Nobody else sees a dashboard.
    for role in [
        Role::Consultant,
        Role::Caseworker,
        Role::Youth,
        Role::CompanyContact,
    ] {
        let scope = Scope::new(ida, role, Some(ROSKILDE), "t");
        assert!(matches!(
            db.dashboard(&scope, period, today).await,
            Err(Error::NotFound)
        ));
    }
}

both_dbs!(dashboard_figures, story);
