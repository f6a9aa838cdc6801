//! PostgreSQL's row-level security, under the repositories' own tenant
//! filters: a query that forgot its filter, run as every repository function
//! runs (in a transaction of its `Scope`), still reads and changes no other
//! municipality's personal rows; a connection that names no municipality
//! reads none; every table that holds a young person's data is covered; and
//! the application refuses to connect as a role that row-level security
//! does not bind. PostgreSQL only: the embedded SQLite file has no such
//! layer (its isolation is the repositories' filters, tested in `story.rs`).

#[path = "support/office_fixture.rs"]
mod office_fixture;

use office_fixture::{HORSENS, ROSKILDE};
use spire_domain::Role;
use spire_store::testing::{
    POSTGRES_URL_VAR, count_as, count_on_bare_connection, count_sql, exec_sql, fresh_postgres,
    try_exec_as,
};
use spire_store::{Db, Error, Scope};

/// Every table with a young person's (or a contact person's) data, and which
/// of its rows belong to municipality `{m}`.
const PERSONAL: &[(&str, &str)] = &[
    ("youth", "municipality_code = {m}"),
    ("courses", "municipality_code = {m}"),
    ("internships", "municipality_code = {m}"),
    ("progress_scores", "municipality_code = {m}"),
    ("portfolio_entries", "municipality_code = {m}"),
    ("psychologist_notes", "municipality_code = {m}"),
    ("tasks", "municipality_code = {m}"),
    ("company_contact_log", "municipality_code = {m}"),
    ("trial_baselines", "municipality_code = {m}"),
    ("access_log", "municipality_code = {m}"),
    ("trial_decisions", "municipality_code = {m}"),
    ("group_members", YOUTH_OF_M),
    ("attendance", YOUTH_OF_M),
    ("agenda_moves", YOUTH_OF_M),
    ("event_youth", YOUTH_OF_M),
    ("event_grid", YOUTH_OF_M),
    ("event_rankings", YOUTH_OF_M),
    ("event_welcomes", YOUTH_OF_M),
    ("event_calls", YOUTH_OF_M),
    ("match_results", YOUTH_OF_M),
    // An agenda item no youth proposed is the group's, not personal.
    (
        "agenda_items",
        "youth_id IS NULL OR youth_id IN (SELECT id FROM youth WHERE municipality_code = {m})",
    ),
    (
        "follow_ups",
        "course_id IN (SELECT id FROM courses WHERE municipality_code = {m})",
    ),
    (
        "internship_events",
        "internship_id IN (SELECT id FROM internships WHERE municipality_code = {m})",
    ),
    (
        "company_contacts",
        "company_id IN (SELECT id FROM companies WHERE municipality_code = {m})",
    ),
];

const YOUTH_OF_M: &str = "youth_id IN (SELECT id FROM youth WHERE municipality_code = {m})";

/// Tables that name a municipality or a youth but are not under row-level
/// security, and why. A new table is in neither list until someone decides.
const NOT_PERSONAL: &[(&str, &str)] = &[
    (
        "users",
        "accounts: read at log-in, before anyone has a scope",
    ),
    ("teams", "the team's make-up, no young person's data"),
    ("companies", "businesses (CVR is public), not persons"),
    ("events", "the event's plan"),
    ("event_companies", "the companies invited to an event"),
    ("youth_groups", "the group's plan"),
    ("group_meetings", "the meeting's plan"),
    ("network_members", "companies in the company network"),
    ("network_meetings", "the meeting's plan"),
    ("internship_slots", "a company's offered places"),
    ("conversation_decks", "the municipality's question cards"),
    (
        "onboarding_plans",
        "a consultant's onboarding, staff not youth",
    ),
    ("fidelity_reviews", "the municipality's programme quality"),
    ("admin_log", "changes to accounts, read by administrators"),
    (
        "trial_ledger",
        "pseudonymous evidence (a keyed hash, no name), verified across the trial",
    ),
    (
        "trial_screenings",
        "pseudonymous (a keyed hash, no name), counted across the trial",
    ),
];

fn predicate_of(table: &str) -> &'static str {
    PERSONAL
        .iter()
        .find(|(t, _)| *t == table)
        .expect("a personal table")
        .1
}

fn rows_of(predicate: &str, municipality: i64) -> String {
    predicate.replace("{m}", &municipality.to_string())
}

#[tokio::test]
async fn a_query_without_its_tenant_filter_reads_no_other_municipalitys_rows() {
    let Some(db) = fresh_postgres("row_security").await.unwrap() else {
        return;
    };
    let fixture = office_fixture::build(&db, 1).await;
    let roskilde = Scope::new(fixture.ida, Role::Consultant, Some(ROSKILDE), "t");
    let horsens = Scope::new(fixture.bo, Role::Consultant, Some(HORSENS), "t");
    let office = Scope::new(fixture.office, Role::ProgrammeOffice, None, "t");

    // A follow-up and a psychologist's note in each municipality, beside
    // the fixture's youth, courses, internships and access log.
    for (municipality, author) in [(ROSKILDE, fixture.ida), (HORSENS, fixture.bo)] {
        exec_sql(
            &db,
            &format!(
                "INSERT INTO follow_ups (course_id, months, due_date, answer) \
                 SELECT MIN(id), 12, '2026-07-01', NULL FROM courses WHERE municipality_code = {municipality}; \
                 INSERT INTO psychologist_notes (municipality_code, youth_id, note, written_by, written_at) \
                 SELECT {municipality}, MIN(id), 'Samtale', {author}, 0 FROM youth WHERE municipality_code = {municipality}"
            ),
        )
        .await;
    }
    // The test means something only where both municipalities have rows.
    for table in [
        "youth",
        "courses",
        "internships",
        "follow_ups",
        "psychologist_notes",
        "access_log",
    ] {
        for municipality in [ROSKILDE, HORSENS] {
            let predicate = predicate_of(table);
            let sql = format!(
                "SELECT COUNT(*) FROM {table} WHERE {}",
                rows_of(predicate, municipality)
            );
            assert!(
                count_sql(&db, &sql).await > 0,
                "the fixture has {table} rows in {municipality}"
            );
        }
    }

    for (table, predicate) in PERSONAL {
        let unfiltered = format!("SELECT COUNT(*) FROM {table}");
        let all = count_sql(&db, &unfiltered).await;
        let no_ones = count_sql(
            &db,
            &format!("{unfiltered} WHERE {}", rows_of(predicate, -1)),
        )
        .await;
        for (scope, municipality) in [(&roskilde, ROSKILDE), (&horsens, HORSENS)] {
            let own = count_sql(
                &db,
                &format!("{unfiltered} WHERE {}", rows_of(predicate, municipality)),
            )
            .await;
            assert_eq!(
                count_as(&db, scope, &unfiltered).await,
                own,
                "{table}: {municipality}'s scope reads its own {own} of {all} rows"
            );
        }
        assert_eq!(
            count_as(&db, &office, &unfiltered).await,
            no_ones,
            "{table}: a cross-municipal scope reads no municipality's personal rows"
        );
        assert_eq!(
            count_on_bare_connection(&db, &unfiltered).await,
            no_ones,
            "{table}: a connection that named no municipality reads none"
        );
    }

    // Writes that forgot the filter: a change reaches only the scope's own
    // rows, and a row for another municipality is refused.
    try_exec_as(&db, &roskilde, "UPDATE youth SET last_name = 'Ændret'")
        .await
        .unwrap();
    assert_eq!(
        count_sql(
            &db,
            &format!("SELECT COUNT(*) FROM youth WHERE last_name = 'Ændret' AND municipality_code = {HORSENS}")
        )
        .await,
        0,
        "Horsens's youth are untouched by Roskilde's unfiltered update"
    );
    assert!(
        count_sql(&db, "SELECT COUNT(*) FROM youth WHERE last_name = 'Ændret'").await > 0,
        "Roskilde's own youth were changed"
    );
    let horsens_youth = count_sql(
        &db,
        &format!("SELECT MIN(id) FROM youth WHERE municipality_code = {HORSENS}"),
    )
    .await;
    let refused = try_exec_as(
        &db,
        &roskilde,
        &format!(
            "INSERT INTO psychologist_notes (municipality_code, youth_id, note, written_by, written_at) \
             VALUES ({HORSENS}, {horsens_youth}, 'x', {}, 0)",
            fixture.ida
        ),
    )
    .await
    .expect_err("a Horsens row written from Roskilde's scope");
    assert!(
        refused.to_string().contains("row-level security"),
        "{refused}"
    );
    let deleted = try_exec_as(&db, &roskilde, "DELETE FROM follow_ups").await;
    assert!(deleted.is_ok());
    assert!(
        count_sql(
            &db,
            &format!(
                "SELECT COUNT(*) FROM follow_ups WHERE {}",
                rows_of(predicate_of("follow_ups"), HORSENS)
            )
        )
        .await
            > 0,
        "Roskilde's unfiltered delete left Horsens's follow-ups"
    );
    db.close().await;
}

#[tokio::test]
async fn every_table_with_a_young_persons_data_is_under_forced_row_level_security() {
    let Some(db) = fresh_postgres("row_security_tables").await.unwrap() else {
        return;
    };
    let Db::Postgres(pool) = &db else {
        unreachable!("fresh_postgres gives PostgreSQL")
    };
    let tables: Vec<(String, bool, bool)> = sqlx::query_as(
        "SELECT DISTINCT c.relname::TEXT, c.relrowsecurity, c.relforcerowsecurity \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND NOT a.attisdropped \
         WHERE n.nspname = 'public' AND c.relkind = 'r' \
         AND a.attname IN ('municipality_code', 'youth_id', 'course_id', 'internship_id', 'company_id') \
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut undecided = Vec::new();
    for (table, enabled, forced) in &tables {
        let personal = PERSONAL.iter().any(|(t, _)| t == table);
        let exempt = NOT_PERSONAL.iter().any(|(t, _)| t == table);
        if personal {
            assert!(
                *enabled && *forced,
                "{table} holds personal data: ENABLE and FORCE row-level security"
            );
        } else if !exempt {
            undecided.push(table.clone());
        }
    }
    assert!(
        undecided.is_empty(),
        "tables naming a municipality, youth, course or internship that are neither \
         under row-level security nor listed as not personal: {undecided:?}"
    );
    for (table, _) in PERSONAL {
        assert!(
            tables.iter().any(|(t, ..)| t == table),
            "{table} is listed as personal but has no such column"
        );
    }
    let (superuser, bypass): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(
        !superuser && !bypass,
        "the application's role is bound by row-level security"
    );
    db.close().await;
}

#[tokio::test]
async fn the_application_refuses_a_role_that_row_level_security_does_not_bind() {
    let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
        println!("row_security_role: did not run ({POSTGRES_URL_VAR} is not set)");
        return;
    };
    // The test server's administrator is a superuser.
    match Db::connect(&admin_url).await {
        Err(Error::Refused(message)) => assert!(
            message.contains("superuser or has BYPASSRLS") && message.contains("README"),
            "{message}"
        ),
        other => panic!("a superuser connection was accepted: {other:?}"),
    }
}

/// Every repository function that takes a `Scope` reaches the database only
/// through a transaction of that scope (`begin_as`, `begin_write_as`), so
/// row-level security knows the municipality; never through the bare pool.
/// The one exception writes an access-log row, which anyone may add.
#[test]
fn every_scoped_repository_function_works_in_a_transaction_of_its_scope() {
    const BARE: [&str; 6] = [
        "(pool)",
        "(&pool)",
        "pool.begin()",
        "pool.begin_write()",
        "pool.acquire()",
        "!(pool",
    ];
    const EXEMPT: [&str; 1] = ["log_read"];
    let mut offenders = Vec::new();
    let mut scoped = 0;
    let mut files = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for function in source.split("async fn ").skip(1) {
            let name = function.split(['(', '<']).next().unwrap_or_default();
            let signature = function.split('{').next().unwrap_or_default();
            if !signature.contains("scope: &Scope") && !signature.contains("scope: &crate::Scope") {
                continue;
            }
            scoped += 1;
            if EXEMPT.contains(&name) {
                continue;
            }
            if let Some(bare) = BARE.iter().find(|bare| function.contains(*bare)) {
                offenders.push(format!("{}: {name} uses {bare}", path.display()));
            }
        }
    }
    assert!(
        scoped > 100,
        "found {scoped} scoped functions: is the scan reading the sources?"
    );
    assert!(offenders.is_empty(), "{offenders:#?}");
}
