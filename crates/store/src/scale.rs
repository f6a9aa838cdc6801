//! A documented generator of national-scale programme data, for benchmarks
//! (`spire bench-data`, `scripts/programme-load-bench.sh`; docs/performance.md).
//! Not used by the application itself.
//!
//! The shape, deterministic for a given `Scale`:
//! - `municipalities` municipalities (codes 1001, 1002, …), each with a team
//!   lead, a psychologist, one consultant per 20 youth (logins
//!   `konsulent{n}.k{code}`, all with the password given), and 150 companies;
//!   and the programme office (`programkontor`);
//! - `youth` young people spread evenly, each with a consultant and a course
//!   (four in five open, the rest ended with a reason and follow-ups), two
//!   6-week conversations (both sides) for each open course;
//! - `internships` internships, one after another per youth: the earlier
//!   ones completed, interrupted or converted, the last active (open course)
//!   or completed; each with its `created` history row;
//! - `check_ins` weekly check-in notes spread over the internships;
//! - the youth network: the open courses in groups of 7, 40 weekly meetings
//!   each (one in 20 cancelled) with a mark for every member; 40 companies
//!   of each municipality in the company network, an event a quarter;
//! - a team per municipality (the consultants full-time, the psychologist
//!   at half), and a fidelity review of each municipality's last two
//!   half-years that are over, scored by `programkontor` and
//!   `programkontor2` alike (a year of fidelity).
//!
//! Rows go in with multi-row `INSERT`s (texts built from constants only) in
//! one transaction per table; ids are read back in insertion order.

use crate::{BeginWrite, Db, Result, ServerKey, on_db};
use spire_domain::Cpr;

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub municipalities: i64,
    pub youth: i64,
    pub internships: i64,
    pub check_ins: i64,
}

impl Scale {
    /// 98 municipalities, 60,000 youth, 150,000 internships, 1,000,000 check-ins.
    pub const NATIONAL: Scale = Scale {
        municipalities: 98,
        youth: 60_000,
        internships: 150_000,
        check_ins: 1_000_000,
    };
}

/// What the generator made, for the load script: per municipality, a
/// consultant's login and their youth's ids.
pub struct Generated {
    pub consultants: Vec<(String, Vec<i64>)>,
}

enum Value {
    Int(i64),
    Text(String),
    Real(f64),
    Bytes(Vec<u8>),
    Bool(bool),
    Null,
}

use Value::{Bool, Bytes, Int, Null, Real, Text};

/// `INSERT INTO t (…) VALUES ($1, …), (…)` for `rows` rows of `columns`.
fn values_sql(prefix: &str, columns: usize, rows: usize) -> String {
    let mut sql = String::from(prefix);
    sql.push_str(" VALUES ");
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", row * columns + column + 1));
        }
        sql.push(')');
    }
    sql
}

/// Inserts `rows` in one transaction, as many rows a statement as the
/// databases' parameter limits allow.
async fn insert(
    db: &Db,
    prefix: &'static str,
    columns: usize,
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    let per_statement = (30_000 / columns).min(100);
    on_db!(db, |pool| {
        // Generated data for every municipality at once.
        let mut tx = pool.begin_across().await?;
        for chunk in rows.chunks(per_statement) {
            let sql = values_sql(prefix, columns, chunk.len());
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for row in chunk {
                for value in row {
                    query = match value {
                        Int(v) => query.bind(*v),
                        Text(v) => query.bind(v.as_str()),
                        Real(v) => query.bind(*v),
                        Bytes(v) => query.bind(v.as_slice()),
                        Bool(v) => query.bind(*v),
                        Null => query.bind(None::<i64>),
                    };
                }
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    })
}

async fn ids(db: &Db, sql: &'static str) -> Result<Vec<i64>> {
    on_db!(db, |pool| {
        let mut tx = pool.begin_across().await?;
        Ok(sqlx::query_scalar(sql).fetch_all(&mut *tx).await?)
    })
}

const FUNCTIONS: [&str; 6] = ["Lager", "Køkken", "Butik", "Værksted", "Kontor", "Gartneri"];
const STATUSES: [&str; 4] = ["completed", "completed", "interrupted", "converted"];

/// A day `days` after 2025-01-06, as ISO text.
fn day(days: i64) -> String {
    (time::macros::date!(2025 - 01 - 06) + time::Duration::days(days)).to_string()
}

/// A team per municipality and a year of fidelity reviews, through the
/// store's own functions (the reviews measure the dashboard's figures).
async fn fidelity(
    db: &Db,
    scale: Scale,
    user_ids: &[i64],
    stride: usize,
    consultants_per: i64,
) -> Result<()> {
    for m in 0..scale.municipalities as usize {
        let mut members = vec![crate::NewTeamMember {
            user_id: user_ids[m * stride + 1],
            fte: 0.5,
        }];
        for c in 0..consultants_per as usize {
            members.push(crate::NewTeamMember {
                user_id: user_ids[m * stride + 2 + c],
                fte: 1.0,
            });
        }
        db.create_team(1001 + m as i64, &format!("Team {}", 1001 + m), &members)
            .await?;
    }
    let office_ids = &user_ids[user_ids.len() - 2..];
    let reviewers: Vec<crate::Scope> = office_ids
        .iter()
        .map(|&id| crate::Scope::new(id, spire_domain::Role::ProgrammeOffice, None, "bench"))
        .collect();
    let today = time::OffsetDateTime::now_utc().date();
    let latest = spire_domain::dashboard::HalfYear::containing(today).previous();
    let items = db.scale_items(1).await?;
    for period in [latest.previous(), latest] {
        let data = db.dashboard_data(period, today).await?;
        for m in 0..scale.municipalities {
            let review = crate::NewReview {
                municipality: 1001 + m,
                period,
                reviewer_a: office_ids[0],
                reviewer_b: office_ids[1],
                due: period.last_day() + time::Duration::days(crate::DAYS_TO_REVIEW),
            };
            let planned = period.last_day().next_day().unwrap_or(today);
            let id = db
                .create_fidelity_review(&reviewers[0], &review, &data, planned)
                .await?;
            let scores: Vec<(String, Option<i64>, String)> = items
                .iter()
                .filter(|i| !i.is_computed())
                .map(|i| (i.code.clone(), Some(2 + m % 4), "Set ved besøget.".into()))
                .collect();
            for reviewer in &reviewers {
                db.submit_fidelity_ratings(reviewer, id, &scores).await?;
            }
        }
    }
    Ok(())
}

/// Fills an empty, migrated database. `password_hash` is the stored hash every
/// generated login gets (hash one password once; argon2 for 3,000 users
/// would take minutes).
pub async fn generate(
    db: &Db,
    key: &ServerKey,
    scale: Scale,
    password_hash: &str,
) -> Result<Generated> {
    let now = crate::now();
    let per_municipality = (scale.youth / scale.municipalities).max(1);
    let consultants_per = (per_municipality + 19) / 20;
    let mut users = Vec::new();
    for m in 0..scale.municipalities {
        let code = 1001 + m;
        db.upsert_municipality(
            &crate::Actor::command("spire bench-data"),
            code,
            &format!("Kommune {code}"),
        )
        .await?;
        users.push(vec![
            Text(format!("teamleder.k{code}")),
            Text(format!("Teamleder {code}")),
            Text(password_hash.into()),
            Text("team_lead".into()),
            Int(code),
            Int(now),
        ]);
        users.push(vec![
            Text(format!("psykolog.k{code}")),
            Text(format!("Psykolog {code}")),
            Text(password_hash.into()),
            Text("psychologist".into()),
            Int(code),
            Int(now),
        ]);
        for c in 0..consultants_per {
            users.push(vec![
                Text(format!("konsulent{c}.k{code}")),
                Text(format!("Konsulent {c} ({code})")),
                Text(password_hash.into()),
                Text("consultant".into()),
                Int(code),
                Int(now),
            ]);
        }
    }
    // Last, so the municipal users' ids keep their stride: the programme office.
    users.push(vec![
        Text("programkontor".into()),
        Text("Programkontoret".into()),
        Text(password_hash.into()),
        Text("programme_office".into()),
        Null,
        Int(now),
    ]);
    users.push(vec![
        Text("programkontor2".into()),
        Text("Programkontoret 2".into()),
        Text(password_hash.into()),
        Text("programme_office".into()),
        Null,
        Int(now),
    ]);
    insert(
        db,
        "INSERT INTO users (login, display_name, password_hash, role, municipality_code, created_at)",
        6,
        users,
    )
    .await?;
    // Users in insertion order: per municipality a lead, a psychologist, the consultants.
    let user_ids = ids(db, "SELECT id FROM users ORDER BY id").await?;
    let stride = (2 + consultants_per) as usize;
    let lead = |m: i64| user_ids[m as usize * stride];
    let consultant = |m: i64, c: i64| user_ids[m as usize * stride + 2 + c as usize];

    let mut companies = Vec::new();
    for m in 0..scale.municipalities {
        for k in 0..150_i64 {
            let cvr =
                spire_domain::cvr::complete_with_check_digit((1_000_000 + m * 1000 + k) as u32)
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_else(|| format!("9{:07}", m * 1000 + k));
            companies.push(vec![
                Int(1001 + m),
                Text(cvr),
                Text(format!("Virksomhed {k} ({})", 1001 + m)),
                Text(FUNCTIONS[k as usize % FUNCTIONS.len()].into()),
                Int(now),
            ]);
        }
    }
    insert(
        db,
        "INSERT INTO companies (municipality_code, cvr, name, industry, created_at)",
        5,
        companies,
    )
    .await?;
    let company_ids = ids(db, "SELECT id FROM companies ORDER BY id").await?;

    let mut youth = Vec::new();
    for n in 0..scale.youth {
        let m = n % scale.municipalities;
        let cpr: Cpr = crate::testing::cpr(n as u32);
        youth.push(vec![
            Int(1001 + m),
            Bytes(key.encrypt_cpr(&cpr)),
            Bytes(key.cpr_lookup(&cpr)),
            Text(cpr.birth_date().to_string()),
            Text(cpr.gender().code().into()),
            Text(format!("Ung{n}")),
            Text(format!("Efternavn{}", n % 977)),
            Text("cykler, mad".into()),
            Text("mødestabil".into()),
            Int(consultant(m, (n / scale.municipalities) % consultants_per)),
            Int(lead(m)),
            Int(now),
        ]);
    }
    insert(
        db,
        "INSERT INTO youth (municipality_code, cpr_ciphertext, cpr_lookup, birth_date, gender, first_name, last_name, \
         interests, strengths, consultant_id, created_by, created_at)",
        12,
        youth,
    )
    .await?;
    let youth_ids = ids(db, "SELECT id FROM youth ORDER BY id").await?;

    // Courses: four in five open; the rest ended to a job or education.
    let mut courses = Vec::new();
    for (n, &id) in youth_ids.iter().enumerate() {
        let n = n as i64;
        let m = n % scale.municipalities;
        let open = n % 5 != 0;
        courses.push(vec![
            Int(1001 + m),
            Int(id),
            Bool(false),
            Text(["jobparat", "uddannelsesparat", "aktivitetsparat"][n as usize % 3].into()),
            Text(day(n % 300)),
            if open { Null } else { Text(day(500 + n % 100)) },
            if open {
                Null
            } else {
                Text(["job", "education"][n as usize % 2].into())
            },
            Int(lead(m)),
            Int(now),
        ]);
    }
    insert(
        db,
        "INSERT INTO courses (municipality_code, youth_id, in_trial, readiness, start_date, exit_date, exit_reason, \
         created_by, created_at)",
        9,
        courses,
    )
    .await?;

    // Internships one after another, 28 days each with a gap of a week.
    let per_youth = scale.internships as f64 / scale.youth as f64;
    let mut internships = Vec::new();
    let mut owner = Vec::new();
    for (n, &id) in youth_ids.iter().enumerate() {
        let n = n as i64;
        let m = n % scale.municipalities;
        let count = ((n + 1) as f64 * per_youth) as i64 - (n as f64 * per_youth) as i64;
        let open = n % 5 != 0;
        for k in 0..count {
            let start = n % 300 + 10 + k * 35;
            let last = k == count - 1;
            let status = if last && open {
                "active"
            } else {
                STATUSES[(n + k) as usize % 4]
            };
            internships.push(vec![
                Int(1001 + m),
                Int(id),
                Int(company_ids[(m * 150 + (n + k) % 150) as usize]),
                Text(FUNCTIONS[(n + k) as usize % FUNCTIONS.len()].into()),
                Text(day(start)),
                Text(day(if status == "active" {
                    690 + n % 30
                } else {
                    start + 27
                })),
                Real(30.0),
                Text(status.into()),
                if status == "interrupted" {
                    Text("youth".into())
                } else {
                    Null
                },
                if status == "converted" {
                    Text("job".into())
                } else {
                    Null
                },
                Int(consultant(m, (n / scale.municipalities) % consultants_per)),
                Int(now),
            ]);
            owner.push(consultant(m, (n / scale.municipalities) % consultants_per));
        }
    }
    insert(
        db,
        "INSERT INTO internships (municipality_code, youth_id, company_id, function, start_date, end_date, \
         hours_per_week, status, ended_by, converted_to, created_by, created_at)",
        12,
        internships,
    )
    .await?;
    let internship_ids = ids(db, "SELECT id FROM internships ORDER BY id").await?;

    // The history: a `created` row for each, and the check-ins spread over them.
    let mut events = Vec::with_capacity(internship_ids.len() + scale.check_ins as usize);
    for (k, &id) in internship_ids.iter().enumerate() {
        events.push(vec![
            Int(id),
            Text("created".into()),
            Text(day(k as i64 % 600)),
            Text("Lager".into()),
            Int(owner[k]),
            Int(now - 86_400 * 200),
        ]);
    }
    for c in 0..scale.check_ins {
        let k = (c % internship_ids.len() as i64) as usize;
        events.push(vec![
            Int(internship_ids[k]),
            Text("check_in".into()),
            Text(day(c % 600)),
            Text("God uge; møder til tiden.".into()),
            Int(owner[k]),
            Int(now - 86_400 * (c % 60)),
        ]);
    }
    insert(
        db,
        "INSERT INTO internship_events (internship_id, kind, effective_date, detail, recorded_by, recorded_at)",
        6,
        events,
    )
    .await?;

    // Two 6-week conversations, both sides, for each open course.
    let mut scores = Vec::new();
    for (n, &id) in youth_ids.iter().enumerate() {
        let n = n as i64;
        if n % 5 == 0 {
            continue;
        }
        let m = n % scale.municipalities;
        for (w, side) in [
            (0, "consultant"),
            (0, "youth"),
            (1, "consultant"),
            (1, "youth"),
        ] {
            scores.push(vec![
                Int(1001 + m),
                Int(id),
                Text(day(n % 300 + 42 * (w + 1))),
                Text(side.into()),
                Int(2 + w),
                Int(3),
                Int(3 + w),
                Int(2),
                Int(3),
                Text(String::new()),
                Int(consultant(m, (n / scale.municipalities) % consultants_per)),
                Int(now),
            ]);
        }
    }
    insert(
        db,
        "INSERT INTO progress_scores (municipality_code, youth_id, held_on, side, direction, persistence, curiosity, \
         resilience, self_esteem, note, recorded_by, recorded_at)",
        12,
        scores,
    )
    .await?;

    // The youth network: the open courses in groups of 7 per municipality,
    // a weekly meeting for the last 40 weeks (one in 20 cancelled), a mark
    // for every member at each meeting held (mostly present).
    let mut groups = Vec::new();
    let mut members: Vec<(i64, Vec<i64>)> = Vec::new();
    for m in 0..scale.municipalities {
        let open: Vec<i64> = youth_ids
            .iter()
            .enumerate()
            .filter(|(n, _)| *n as i64 % scale.municipalities == m && *n as i64 % 5 != 0)
            .map(|(_, &id)| id)
            .collect();
        for (g, chunk) in open.chunks(7).enumerate() {
            groups.push(vec![
                Int(1001 + m),
                Text(format!("Gruppe {g}")),
                Int(consultant(m, g as i64 % consultants_per)),
                Text("16:00".into()),
                Int(90),
                Int(lead(m)),
                Int(now),
            ]);
            members.push((m, chunk.to_vec()));
        }
    }
    insert(
        db,
        "INSERT INTO youth_groups (municipality_code, name, facilitator_id, start_time, duration_minutes, created_by, created_at)",
        7,
        groups,
    )
    .await?;
    let group_ids = ids(db, "SELECT id FROM youth_groups ORDER BY id").await?;
    let mut meetings = Vec::new();
    for (g, &group) in group_ids.iter().enumerate() {
        let m = members[g].0;
        for w in 0..40_i64 {
            meetings.push(vec![
                Int(1001 + m),
                Int(group),
                Text(day(420 + 7 * w)),
                Text("16:00".into()),
                Int(90),
                Bool((g as i64 + w) % 20 == 0),
                Int(now),
            ]);
        }
    }
    insert(
        db,
        "INSERT INTO group_meetings (municipality_code, group_id, date, start_time, duration_minutes, cancelled, created_at)",
        7,
        meetings,
    )
    .await?;
    let meeting_ids = ids(db, "SELECT id FROM group_meetings ORDER BY id").await?;
    let mut marks = Vec::new();
    for (g, (m, youth)) in members.iter().enumerate() {
        for w in 0..40_usize {
            if (g + w) % 20 == 0 {
                continue;
            }
            for (k, &id) in youth.iter().enumerate() {
                let mark = [
                    "present",
                    "present",
                    "present",
                    "present",
                    "present",
                    "absent_reason",
                    "absent_no_notice",
                ][(g + w + k) % 7];
                marks.push(vec![
                    Int(meeting_ids[g * 40 + w]),
                    Int(id),
                    Text(mark.into()),
                    Int(consultant(*m, g as i64 % consultants_per)),
                    Int(now),
                ]);
            }
        }
    }
    insert(
        db,
        "INSERT INTO attendance (meeting_id, youth_id, mark, recorded_by, recorded_at)",
        5,
        marks,
    )
    .await?;

    // The company network: 40 of each municipality's companies are members;
    // an event every quarter.
    let mut network = Vec::new();
    let mut events = Vec::new();
    for m in 0..scale.municipalities {
        for k in 0..40_i64 {
            network.push(vec![
                Int(1001 + m),
                Int(company_ids[(m * 150 + k) as usize]),
                Text(day(k * 5)),
                Int(lead(m)),
                Int(now),
            ]);
        }
        for q in 0..8_i64 {
            let date = day(30 + 91 * q);
            events.push(vec![
                Int(1001 + m),
                Text(format!("Event {q}")),
                Text(date.clone()),
                Text("10:00".into()),
                Int(4),
                Int(3),
                Text(date),
                Int(lead(m)),
                Int(now),
            ]);
        }
    }
    insert(
        db,
        "INSERT INTO network_members (municipality_code, company_id, joined_on, recorded_by, recorded_at)",
        5,
        network,
    )
    .await?;
    insert(
        db,
        "INSERT INTO events (municipality_code, title, event_date, start_time, rounds, meetings_per_youth, \
         ranking_deadline, created_by, created_at)",
        9,
        events,
    )
    .await?;

    fidelity(db, scale, &user_ids, stride, consultants_per).await?;

    // For the load: the first consultant of each municipality and their youth.
    let mut consultants = Vec::new();
    for m in 0..scale.municipalities {
        let theirs: Vec<i64> = youth_ids
            .iter()
            .enumerate()
            .filter(|(n, _)| {
                let n = *n as i64;
                n % scale.municipalities == m && (n / scale.municipalities) % consultants_per == 0
            })
            .map(|(_, &id)| id)
            .collect();
        consultants.push((format!("konsulent0.k{}", 1001 + m), theirs));
    }
    on_db!(db, |pool| {
        // Fresh statistics for the planner after a bulk load.
        sqlx::raw_sql("ANALYZE").execute(pool).await?;
    });
    Ok(Generated { consultants })
}
