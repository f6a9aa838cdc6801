//! The programme office's small hand-built year (the second half of 2025
//! in Roskilde and Horsens) that the dashboard's and fidelity's tests work
//! their expected values out from; `copies` repeats every young person.

use spire_domain::{Cvr, Role};
use spire_store::testing::{cpr, exec_sql as exec, new_user as user};
use spire_store::{Db, NewCompany, NewYouth, Scope, ServerKey};

pub const ROSKILDE: i64 = 265;
pub const HORSENS: i64 = 615;

#[allow(dead_code)] // each test reads the users it needs
pub struct Fixture {
    pub ida: i64,
    pub ole: i64,
    pub bo: i64,
    pub lead: i64,
    pub office: i64,
}

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
            outside_trial: None,
        },
    )
    .await
    .unwrap()
    .get()
}

pub async fn build(db: &Db, copies: u32) -> Fixture {
    let key = ServerKey::from_hex(&"55".repeat(32)).unwrap();
    db.upsert_municipality(&spire_store::Actor::command("test"), ROSKILDE, "Roskilde")
        .await
        .unwrap();
    db.upsert_municipality(&spire_store::Actor::command("test"), HORSENS, "Horsens")
        .await
        .unwrap();
    let ida = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("ida.roskilde", Role::Consultant, Some(ROSKILDE)),
        )
        .await
        .unwrap();
    let ole = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("ole.roskilde", Role::Consultant, Some(ROSKILDE)),
        )
        .await
        .unwrap();
    let bo = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("bo.horsens", Role::Consultant, Some(HORSENS)),
        )
        .await
        .unwrap();
    let lead = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("lead.roskilde", Role::TeamLead, Some(ROSKILDE)),
        )
        .await
        .unwrap();
    let office = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("office.all", Role::ProgrammeOffice, None),
        )
        .await
        .unwrap();
    let roskilde = Scope::new(ida, Role::Consultant, Some(ROSKILDE), "t");
    let horsens = Scope::new(bo, Role::Consultant, Some(HORSENS), "t");

    // Each copy repeats every young person and their rows, so every count
    // of young people is a multiple of `copies` and every share, mean and
    // median stays the same.
    let mut copies_of: Vec<(Vec<i64>, Vec<i64>)> = Vec::new();
    for copy in 0..copies {
        let mut y = vec![0]; // Roskilde's y[1]..y[8]
        for n in 1..=8 {
            y.push(youth(db, &roskilde, &key, n + 100 * copy).await);
        }
        let mut z = vec![0];
        for n in 11..=13 {
            z.push(youth(db, &horsens, &key, n + 100 * copy).await);
        }
        copies_of.push((y, z));
    }
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
    for (y, z) in &copies_of {
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
    }
    exec(db, &sql).await;

    // Internships (id, youth, municipality, company, dates, status, ended by)
    // and the day each status change was recorded.
    let mut sql = String::new();
    for (copy, (y, z)) in copies_of.iter().enumerate() {
        let offset = 100 * copy as i64;
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
        for (id, youth, m, company, start, end, status, by, changed) in internships {
            let id = id + offset;
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
    for (y, _) in &copies_of {
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
    }
    // Events: one held in the period, one after; internship 8 came from its match.
    for (id, date) in [(1, "2025-09-01"), (2, "2026-02-01")] {
        sql += &format!(
            "INSERT INTO events (id, municipality_code, title, event_date, start_time, rounds, meetings_per_youth, ranking_deadline, created_by, created_at) \
             VALUES ({id}, {ROSKILDE}, 'Event', '{date}', '10:00', 3, 3, '{date}', {ida}, 0);"
        );
    }
    sql += &format!(
        "INSERT INTO match_runs (id, event_id, input_digest, run_by, run_at) VALUES (1, 1, 'x', {ida}, 0);"
    );
    for (copy, (y, _)) in copies_of.iter().enumerate() {
        sql += &format!(
            "INSERT INTO event_calls (event_id, run_id, youth_id, company_id, status, internship_id, created_at) \
             VALUES (1, 1, {}, {c2}, 'agreed', {}, 0);",
            y[3],
            8 + 100 * copy
        );
    }
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
    exec(db, &sql).await;
    // Follow-ups of y4's exit (30 June): 3 months due in the period (yes),
    // 6 months due in it (no), 12 months after it.
    for (y, _) in &copies_of {
        let y4_course = spire_store::testing::count_sql(
            db,
            &format!("SELECT id FROM courses WHERE youth_id = {}", y[4]),
        )
        .await;
        exec(
            db,
            &format!(
                "INSERT INTO follow_ups (course_id, months, due_date, answer) VALUES \
                 ({y4_course}, 3, '2025-09-30', 'yes'), ({y4_course}, 6, '2025-12-30', 'no'), ({y4_course}, 12, '2026-06-30', NULL);"
            ),
        )
        .await;
    }
    Fixture {
        ida,
        ole,
        bo,
        lead,
        office,
    }
}
