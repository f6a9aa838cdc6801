//! The dashboard's figures on a small hand-built year (the second half of
//! 2025 in Roskilde and Horsens), each expected value worked out below from
//! the rows written, on SQLite and PostgreSQL alike; the team lead's own
//! figures as they are, the programme office's with small counts suppressed
//! so that no hidden count can be worked out from what is shown.

use spire_domain::dashboard::HalfYear;
use spire_domain::{Cvr, Role};
use spire_store::testing::{cpr, exec_sql as exec, new_user as user};
use spire_store::{
    Dashboard, Db, Error, Metric, NewCompany, NewYouth, Scope, ServerKey, Value, both_dbs,
};
use time::macros::date;

const ROSKILDE: i64 = 265;
const HORSENS: i64 = 615;

/// Youth `n` in the municipality of `scope`; their id.
async fn youth(db: &Db, scope: &Scope, key: &ServerKey, n: u32) -> i64 {
    db.create_youth(
        scope,
        key,
        &NewYouth {
            cpr: cpr(n),
            first_name: format!("Ung{n}"),
            last_name: "Test".into(),
            phone: None,
            email: None,
            interests: String::new(),
            strengths: String::new(),
            consultant_id: Some(scope.user_id()),
            user_id: None,
        },
    )
    .await
    .unwrap()
    .get()
}

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
    let key = ServerKey::from_hex(&"55".repeat(32)).unwrap();
    db.upsert_municipality(ROSKILDE, "Roskilde").await.unwrap();
    db.upsert_municipality(HORSENS, "Horsens").await.unwrap();
    let ida = db
        .create_user(&user("ida.roskilde", Role::Consultant, Some(ROSKILDE)))
        .await
        .unwrap();
    db.create_user(&user("ole.roskilde", Role::Consultant, Some(ROSKILDE)))
        .await
        .unwrap();
    let bo = db
        .create_user(&user("bo.horsens", Role::Consultant, Some(HORSENS)))
        .await
        .unwrap();
    let lead = db
        .create_user(&user("lead.roskilde", Role::TeamLead, Some(ROSKILDE)))
        .await
        .unwrap();
    let office = db
        .create_user(&user("office.all", Role::ProgrammeOffice, None))
        .await
        .unwrap();
    let roskilde = Scope::new(ida, Role::Consultant, Some(ROSKILDE), "t");
    let horsens = Scope::new(bo, Role::Consultant, Some(HORSENS), "t");

    let mut y = Vec::new(); // Roskilde's y[1]..y[8]
    y.push(0);
    for n in 1..=8 {
        y.push(youth(&db, &roskilde, &key, n).await);
    }
    let z: Vec<i64> = vec![
        0,
        youth(&db, &horsens, &key, 11).await,
        youth(&db, &horsens, &key, 12).await,
        youth(&db, &horsens, &key, 13).await,
    ];
    let company = |name: &str, cvr: &str| NewCompany {
        cvr: Cvr::parse("cvr", cvr).unwrap(),
        name: name.into(),
        industry: "Byggeri".into(),
        address: None,
    };
    let c1 = db
        .create_company(&roskilde, &company("Berg", "20000007"))
        .await
        .unwrap()
        .get();
    let c2 = db
        .create_company(&roskilde, &company("Holm", "20000015"))
        .await
        .unwrap()
        .get();
    let c3 = db
        .create_company(&roskilde, &company("Lund", "20000023"))
        .await
        .unwrap()
        .get();
    let ch = db
        .create_company(&horsens, &company("Vang", "20000031"))
        .await
        .unwrap()
        .get();

    // Courses. Roskilde: active in the period y1 y2 y3 y5 y6 y8 (y4 ended
    // before it, y7 started after); in a course on 31 Dec: y1 y2 y5 y6 y8;
    // ended in the period: y3, to a job. Horsens: active z1 z2 z3; on 31 Dec
    // z1 z3; ended: z2, to an education. Roskilde's first course 1 Feb 2025:
    // the team's first year on 31 Dec, norm 15.
    let course = |youth: i64, m: i64, start: &str, exit: Option<(&str, &str)>| {
        let (exit_date, reason) = match exit {
            Some((d, r)) => (format!("'{d}'"), format!("'{r}'")),
            None => ("NULL".into(), "NULL".into()),
        };
        format!(
            "INSERT INTO courses (municipality_code, youth_id, in_trial, readiness, start_date, exit_date, exit_reason, created_by, created_at) \
             VALUES ({m}, {youth}, FALSE, 'jobparat', '{start}', {exit_date}, {reason}, {ida}, 0);"
        )
    };
    let mut sql = String::new();
    sql += &course(y[1], ROSKILDE, "2025-03-01", None);
    sql += &course(y[2], ROSKILDE, "2025-08-01", None);
    sql += &course(y[3], ROSKILDE, "2025-09-01", Some(("2025-11-15", "job")));
    sql += &course(
        y[4],
        ROSKILDE,
        "2025-02-01",
        Some(("2025-06-30", "education")),
    );
    sql += &course(y[5], ROSKILDE, "2025-07-10", None);
    sql += &course(
        y[6],
        ROSKILDE,
        "2025-10-01",
        Some(("2026-01-10", "dropped_out")),
    );
    sql += &course(y[7], ROSKILDE, "2026-01-05", None);
    sql += &course(y[8], ROSKILDE, "2025-12-01", None);
    sql += &course(z[1], HORSENS, "2025-08-01", None);
    sql += &course(
        z[2],
        HORSENS,
        "2025-05-01",
        Some(("2025-09-30", "education")),
    );
    sql += &course(z[3], HORSENS, "2025-11-01", None);
    exec(&db, &sql).await;

    // Internships (id, youth, municipality, company, dates, status, ended by)
    // and the day each status change was recorded.
    let internships: [(i64, i64, i64, i64, &str, &str, &str, &str, Option<&str>); 9] = [
        (
            1,
            y[1],
            ROSKILDE,
            c1,
            "2025-05-01",
            "2025-07-31",
            "completed",
            "NULL",
            Some("2025-08-01"),
        ),
        (
            2,
            y[1],
            ROSKILDE,
            c1,
            "2025-11-01",
            "2026-01-31",
            "active",
            "NULL",
            None,
        ),
        (
            3,
            y[2],
            ROSKILDE,
            c2,
            "2025-08-20",
            "2025-10-20",
            "interrupted",
            "'youth'",
            Some("2025-09-15"),
        ),
        (
            4,
            y[2],
            ROSKILDE,
            c2,
            "2025-12-15",
            "2026-02-15",
            "active",
            "NULL",
            None,
        ),
        (
            5,
            y[5],
            ROSKILDE,
            c3,
            "2025-09-01",
            "2025-11-30",
            "interrupted",
            "'company'",
            Some("2025-10-01"),
        ),
        (
            6,
            y[6],
            ROSKILDE,
            c3,
            "2025-10-20",
            "2026-01-20",
            "interrupted",
            "'youth'",
            Some("2025-12-20"),
        ),
        (
            7,
            y[8],
            ROSKILDE,
            c1,
            "2025-12-10",
            "2026-03-10",
            "planned",
            "NULL",
            None,
        ),
        (
            8,
            y[3],
            ROSKILDE,
            c2,
            "2025-09-15",
            "2025-11-10",
            "converted",
            "NULL",
            Some("2025-11-10"),
        ),
        (
            9,
            z[1],
            HORSENS,
            ch,
            "2025-09-01",
            "2026-02-01",
            "active",
            "NULL",
            None,
        ),
    ];
    let mut sql = String::new();
    for (id, youth, m, company, start, end, status, by, changed) in internships {
        let converted = if status == "converted" {
            "'job'"
        } else {
            "NULL"
        };
        sql += &format!(
            "INSERT INTO internships (id, municipality_code, youth_id, company_id, function, start_date, end_date, \
             hours_per_week, status, ended_by, converted_to, created_by, created_at) \
             VALUES ({id}, {m}, {youth}, {company}, 'Lager', '{start}', '{end}', 30, '{status}', {by}, {converted}, {ida}, 0);"
        );
        if let Some(day) = changed {
            sql += &format!(
                "INSERT INTO internship_events (internship_id, kind, effective_date, detail, recorded_by, recorded_at) \
                 VALUES ({id}, 'status', '{day}', '{status}', {ida}, 0);"
            );
        }
    }
    // The youth network: meetings before, in (one cancelled) and after the period.
    sql += &format!(
        "INSERT INTO youth_groups (id, municipality_code, name, start_time, duration_minutes, created_by, created_at) \
         VALUES (1, {ROSKILDE}, 'Mandag', '16:00', 90, {ida}, 0);"
    );
    for (id, date, cancelled) in [
        (10, "2025-06-30", "FALSE"),
        (11, "2025-08-04", "FALSE"),
        (12, "2025-08-11", "FALSE"),
        (13, "2025-08-18", "TRUE"),
        (14, "2026-01-05", "FALSE"),
    ] {
        sql += &format!(
            "INSERT INTO group_meetings (id, municipality_code, group_id, date, start_time, duration_minutes, cancelled, created_at) \
             VALUES ({id}, {ROSKILDE}, 1, '{date}', '16:00', 90, {cancelled}, 0);"
        );
    }
    for (meeting, youth, mark) in [
        (10, y[1], "present"),
        (11, y[1], "present"),
        (12, y[1], "absent_no_notice"),
        (13, y[1], "present"),
        (14, y[1], "present"),
        (11, y[2], "present"),
        (12, y[2], "present"),
        (11, y[5], "absent_reason"),
    ] {
        sql += &format!(
            "INSERT INTO attendance (meeting_id, youth_id, mark, recorded_by, recorded_at) \
             VALUES ({meeting}, {youth}, '{mark}', {ida}, 0);"
        );
    }
    // Events: one held in the period, one after; internship 8 came from its match.
    for (id, date) in [(1, "2025-09-01"), (2, "2026-02-01")] {
        sql += &format!(
            "INSERT INTO events (id, municipality_code, title, event_date, start_time, rounds, meetings_per_youth, ranking_deadline, created_by, created_at) \
             VALUES ({id}, {ROSKILDE}, 'Event', '{date}', '10:00', 3, 3, '{date}', {ida}, 0);"
        );
    }
    sql += &format!(
        "INSERT INTO match_runs (id, event_id, input_digest, run_by, run_at) VALUES (1, 1, 'x', {ida}, 0);\
         INSERT INTO event_calls (event_id, run_id, youth_id, company_id, status, internship_id, created_at) \
         VALUES (1, 1, {}, {c2}, 'agreed', 8, 0);",
        y[3]
    );
    // The company network: c1 and c3 members in the period, c2 left before it.
    for (company, joined, left) in [
        (c1, "2025-01-01", "NULL"),
        (c2, "2025-03-01", "'2025-06-15'"),
        (c3, "2025-12-01", "NULL"),
    ] {
        sql += &format!(
            "INSERT INTO network_members (municipality_code, company_id, joined_on, left_on, recorded_by, recorded_at) \
             VALUES ({ROSKILDE}, {company}, '{joined}', {left}, {ida}, 0);"
        );
    }
    exec(&db, &sql).await;
    // Follow-ups of y4's exit (30 June): 3 months due in the period (yes),
    // 6 months due in it (no), 12 months after it.
    let y4_course: i64 = match &db {
        Db::Sqlite(pool) => sqlx::query_scalar("SELECT id FROM courses WHERE youth_id = $1")
            .bind(y[4])
            .fetch_one(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar("SELECT id FROM courses WHERE youth_id = $1")
            .bind(y[4])
            .fetch_one(pool)
            .await
            .unwrap(),
    };
    exec(
        &db,
        &format!(
            "INSERT INTO follow_ups (course_id, months, due_date, answer) VALUES \
             ({y4_course}, 3, '2025-09-30', 'yes'), ({y4_course}, 6, '2025-12-30', 'no'), ({y4_course}, 12, '2026-06-30', NULL);"
        ),
    )
    .await;

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
