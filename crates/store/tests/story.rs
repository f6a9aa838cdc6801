//! The store story: every repository function, run against SQLite and (when
//! `SPIRE_TEST_POSTGRES_URL` is set) a real PostgreSQL server, with the same
//! expectations. What one database allows, the other must too.

use spire_domain::{Cpr, Cvr, Problem, Role};
use spire_store::both_dbs;
use spire_store::testing::{exec_sql, fresh_sqlite, try_exec_sql};
use spire_store::{
    AccessLogQuery, Db, Error, LoginOutcome, NewCompany, NewTeamMember, NewUser, NewYouth, Scope,
    ServerKey,
};

fn key() -> ServerKey {
    ServerKey::from_hex(&"11".repeat(32)).unwrap()
}

fn user(login: &str, role: Role, municipality: Option<i64>) -> NewUser {
    spire_store::testing::new_user(login, role, municipality)
}

fn youth(cpr: &str, first: &str, last: &str) -> NewYouth {
    NewYouth {
        cpr: Cpr::parse("cpr", cpr).unwrap(),
        first_name: first.into(),
        last_name: last.into(),
        phone: Some("+45 20 30 40 50".into()),
        email: None,
        interests: "cykler, mad".into(),
        strengths: "punktlig".into(),
        consultant_id: None,
        user_id: None,
        outside_trial: None,
    }
}

fn invalid_field(result: Result<impl std::fmt::Debug, Error>) -> (&'static str, Problem) {
    match result {
        Err(Error::Invalid(e)) => (e.field, e.problem),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn story(db: Db) {
    let key = key();
    spire_store::testing::roskilde_and_horsens(&db).await;
    db.upsert_municipality(
        &spire_store::Actor::command("test"),
        265,
        "Roskilde Kommune",
    )
    .await
    .unwrap();
    let municipalities = db.list_municipalities().await.unwrap();
    assert_eq!(
        municipalities.iter().map(|m| m.code).collect::<Vec<_>>(),
        vec![265, 615]
    );
    assert_eq!(municipalities[0].name, "Roskilde Kommune");

    // Users, validation and unique logins.
    let consultant_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("ida.roskilde", Role::Consultant, Some(265)),
        )
        .await
        .unwrap();
    let lead_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("lead.roskilde", Role::TeamLead, Some(265)),
        )
        .await
        .unwrap();
    let horsens_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("bo.horsens", Role::Consultant, Some(615)),
        )
        .await
        .unwrap();
    let caseworker_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("case.roskilde", Role::Caseworker, Some(265)),
        )
        .await
        .unwrap();
    let office_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("office", Role::ProgrammeOffice, Some(265)),
        )
        .await
        .unwrap();
    assert_eq!(
        invalid_field(
            db.create_user(
                &spire_store::Actor::command("test"),
                &user("ida.roskilde", Role::Consultant, Some(265))
            )
            .await
        ),
        ("login", Problem::LoginTaken)
    );
    assert_eq!(
        invalid_field(
            db.create_user(
                &spire_store::Actor::command("test"),
                &user("x.y", Role::Consultant, Some(999))
            )
            .await
        ),
        ("municipality_code", Problem::UnknownMunicipality)
    );
    assert_eq!(
        invalid_field(
            db.create_user(
                &spire_store::Actor::command("test"),
                &user("x.y", Role::Consultant, None)
            )
            .await
        ),
        ("municipality_code", Problem::RoleNeedsMunicipality)
    );
    assert_eq!(
        invalid_field(
            db.create_user(
                &spire_store::Actor::command("test"),
                &user("Bad Login", Role::Consultant, Some(265))
            )
            .await
        ),
        ("login", Problem::LoginFormat)
    );
    let users = db.list_users().await.unwrap();
    assert_eq!(users.len(), 5);
    let office = db.user_by_login("office").await.unwrap();
    assert_eq!(office.id, office_id);
    assert_eq!(
        office.municipality_code, None,
        "a cross-municipal role holds no municipality"
    );
    assert!(matches!(
        db.user_by_login("nobody").await,
        Err(Error::NotFound)
    ));

    // Log-in: success, failures, the block after three, and unblocking.
    assert!(
        matches!(db.authenticate("ida.roskilde", "correct horse battery", "10.0.0.1", "r1").await.unwrap(), LoginOutcome::Success(u) if u.id == consultant_id)
    );
    assert!(matches!(
        db.authenticate("nobody", "x", "10.0.0.1", "r2")
            .await
            .unwrap(),
        LoginOutcome::WrongCredentials
    ));
    for _ in 0..3 {
        assert!(matches!(
            db.authenticate("bo.horsens", "wrong", "10.0.0.1", "r3")
                .await
                .unwrap(),
            LoginOutcome::WrongCredentials
        ));
    }
    assert!(matches!(
        db.authenticate("bo.horsens", "correct horse battery", "10.0.0.1", "r4")
            .await
            .unwrap(),
        LoginOutcome::Blocked { .. }
    ));
    db.unblock_user(&spire_store::Actor::command("test"), "bo.horsens")
        .await
        .unwrap();
    assert!(matches!(
        db.authenticate("bo.horsens", "correct horse battery", "10.0.0.1", "r5")
            .await
            .unwrap(),
        LoginOutcome::Success(_)
    ));

    // Sessions: created, found, rotated, ended; idle timeout honoured.
    let first = db.create_session(consultant_id, None).await.unwrap();
    let found = db
        .session(&first.token, 1800, 43200)
        .await
        .unwrap()
        .expect("live session");
    assert_eq!(found.user.id, consultant_id);
    assert_eq!(found.csrf_token, first.csrf_token);
    let second = db
        .create_session(consultant_id, Some(&first.token))
        .await
        .unwrap();
    assert!(
        db.session(&first.token, 1800, 43200)
            .await
            .unwrap()
            .is_none(),
        "rotation ends the old session"
    );
    assert!(
        db.session(&second.token, -1, 43200)
            .await
            .unwrap()
            .is_none(),
        "idle timeout"
    );
    assert!(
        db.session(&second.token, 1800, 43200)
            .await
            .unwrap()
            .is_none(),
        "an expired session is gone"
    );
    // Two-factor log-in: a secret, a code that puts it in use once, a session
    // that waits for the code, an administrator's reset.
    let server_key = spire_store::ServerKey::from_hex(&"5a".repeat(32)).unwrap();
    let secret = db
        .start_totp_enrolment(&server_key, consultant_id)
        .await
        .unwrap();
    assert_eq!(
        db.pending_totp_secret(&server_key, consultant_id)
            .await
            .unwrap()
            .as_deref(),
        Some(secret.as_slice())
    );
    let code = spire_domain::totp::code_at(&secret, spire_store::now());
    assert_eq!(
        db.check_totp(&server_key, consultant_id, &code, true, "10.0.0.1")
            .await
            .unwrap(),
        spire_store::CodeOutcome::Accepted
    );
    assert_eq!(
        db.check_totp(&server_key, consultant_id, &code, false, "10.0.0.1")
            .await
            .unwrap(),
        spire_store::CodeOutcome::Wrong,
        "a code is used once"
    );
    assert!(
        db.start_totp_enrolment(&server_key, consultant_id)
            .await
            .is_err(),
        "already in use"
    );
    let waiting = db
        .create_pending_session(consultant_id, None)
        .await
        .unwrap();
    let row = db
        .session(&waiting.token, 1800, 43200)
        .await
        .unwrap()
        .unwrap();
    assert!(row.second_factor_pending && row.user.totp_enabled);
    db.reset_totp(&spire_store::Actor::command("test"), &row.user.login)
        .await
        .unwrap();
    db.unblock_user(&spire_store::Actor::command("test"), &row.user.login)
        .await
        .unwrap();
    db.delete_session(&waiting.token).await.unwrap();

    let third = db.create_session(consultant_id, None).await.unwrap();
    db.delete_session(&third.token).await.unwrap();
    assert!(
        db.session(&third.token, 1800, 43200)
            .await
            .unwrap()
            .is_none()
    );

    // Youth: registered with an encrypted CPR, found by name and by CPR.
    let roskilde = Scope::new(consultant_id, Role::Consultant, Some(265), "req-1");
    let mut ida = youth("010203-4002", "Ida", "Hansen");
    ida.consultant_id = Some(consultant_id);
    let ida_id = db.create_youth(&roskilde, &key, &ida).await.unwrap();
    let caseworker = Scope::new(caseworker_id, Role::Caseworker, Some(265), "req-2");
    let ali_id = db
        .create_youth(
            &caseworker,
            &key,
            &youth("150599-1235", "Ali", "Østergaard"),
        )
        .await
        .unwrap();
    assert_eq!(
        invalid_field(
            db.create_youth(&caseworker, &key, &youth("0102034002", "Ida", "Again"))
                .await
        ),
        ("cpr", Problem::CprAlreadyRegistered)
    );
    let horsens = Scope::new(horsens_id, Role::Consultant, Some(615), "req-3");
    assert_eq!(
        invalid_field(
            db.create_youth(&horsens, &key, &youth("010203-4002", "Ida", "Elsewhere"))
                .await
        ),
        ("cpr", Problem::CprElsewhere),
        "duplicates are found across municipalities, and only that is said"
    );
    let mut foreign_consultant = youth("020304-4001", "Kim", "Berg");
    foreign_consultant.consultant_id = Some(consultant_id);
    assert_eq!(
        invalid_field(db.create_youth(&horsens, &key, &foreign_consultant).await).0,
        "consultant_id"
    );

    let all = db.search_youth(&roskilde, &key, "", 1, 50).await.unwrap();
    assert_eq!(all.total, 2);
    assert_eq!(
        all.rows
            .iter()
            .map(|r| r.first_name.as_str())
            .collect::<Vec<_>>(),
        vec!["Ida", "Ali"]
    );
    let by_name = db
        .search_youth(&roskilde, &key, "hans", 1, 50)
        .await
        .unwrap();
    assert_eq!(by_name.rows.len(), 1);
    assert_eq!(
        by_name.rows[0].consultant_name.as_deref(),
        Some("Name of ida.roskilde")
    );
    assert_eq!(by_name.rows[0].gender, "female");
    assert_eq!(by_name.rows[0].birth_date, "2003-02-01");
    let by_cpr = db
        .search_youth(&roskilde, &key, "150599-1235", 1, 50)
        .await
        .unwrap();
    assert_eq!(
        by_cpr.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ali_id.get()]
    );
    assert_eq!(
        db.search_youth(&roskilde, &key, "100%_", 1, 50)
            .await
            .unwrap()
            .total,
        0,
        "wildcards are literal"
    );
    let paged = db.search_youth(&roskilde, &key, "", 2, 1).await.unwrap();
    assert_eq!(
        (paged.total, paged.rows.len(), paged.rows[0].id),
        (2, 1, ali_id.get())
    );

    // The caseworker sees only the youth they registered.
    assert_eq!(
        db.search_youth(&caseworker, &key, "", 1, 50)
            .await
            .unwrap()
            .total,
        1
    );
    assert!(matches!(
        db.get_youth(&caseworker, ida_id).await,
        Err(Error::NotFound)
    ));

    // Tenant isolation: Horsens cannot read, search or reveal Roskilde's youth.
    assert_eq!(
        db.get_youth(&roskilde, ida_id).await.unwrap().last_name,
        "Hansen"
    );
    assert!(matches!(
        db.get_youth(&horsens, ida_id).await,
        Err(Error::NotFound)
    ));
    assert_eq!(
        db.search_youth(&horsens, &key, "", 1, 50)
            .await
            .unwrap()
            .total,
        0
    );
    assert!(matches!(
        db.reveal_youth_cpr(&horsens, &key, ida_id).await,
        Err(Error::NotFound)
    ));
    assert_eq!(
        db.reveal_youth_cpr(&roskilde, &key, ida_id).await.unwrap(),
        Cpr::parse("cpr", "010203-4002").unwrap()
    );
    let programme_office = Scope::new(office_id, Role::ProgrammeOffice, Some(265), "req-4");
    assert!(matches!(
        db.get_youth(&programme_office, ida_id).await,
        Err(Error::NotFound)
    ));

    // The access log holds each use, in the same transaction; the only
    // foreign one is Horsens's attempt to register Ida, told "elsewhere".
    let lead = Scope::new(lead_id, Role::TeamLead, Some(265), "req-5");
    let log = db
        .search_access_log(
            &lead,
            &AccessLogQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (looked_up_from_horsens, reads_of_ida): (Vec<_>, Vec<_>) = log
        .iter()
        .filter(|e| e.youth_id == Some(ida_id.get()) && e.action == "read")
        .partition(|e| e.criterion.as_deref() == Some("cpr-looked-up-from-elsewhere"));
    assert_eq!(looked_up_from_horsens.len(), 1);
    assert_eq!(looked_up_from_horsens[0].user_login, "bo.horsens");
    assert_eq!(
        reads_of_ida.len(),
        2,
        "one page read and one CPR reveal by the Roskilde consultant"
    );
    assert!(
        reads_of_ida
            .iter()
            .all(|e| e.user_login == "ida.roskilde" && e.purpose == "casework")
    );
    assert!(
        log.iter()
            .any(|e| e.action == "search" && e.criterion.as_deref() == Some("cpr-number"))
    );
    assert!(log.iter().any(|e| e.action == "create"
        && e.youth_id == Some(ali_id.get())
        && e.user_login == "case.roskilde"));
    assert!(log.iter().all(|e| e.municipality_code == Some(265)));
    let only_ida = db
        .search_access_log(
            &lead,
            &AccessLogQuery {
                youth_id: Some(ida_id.get()),
                user_login: Some("ida.roskilde".into()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(only_ida.iter().all(|e| e.youth_id == Some(ida_id.get())));
    assert!(
        matches!(
            db.search_access_log(&roskilde, &AccessLogQuery::default())
                .await,
            Err(Error::NotFound)
        ),
        "only team leads"
    );
    let extract = db.access_log_for_youth(&lead, ida_id).await.unwrap();
    assert_eq!(
        extract.len(),
        4,
        "create, read, reveal, and Horsens's look-up"
    );
    let horsens_lead = Scope::new(horsens_id, Role::TeamLead, Some(615), "req-6");
    assert!(matches!(
        db.access_log_for_youth(&horsens_lead, ida_id).await,
        Err(Error::NotFound)
    ));
    let horsens_log = db
        .search_access_log(
            &horsens_lead,
            &AccessLogQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        horsens_log.iter().all(|e| e.youth_id.is_none()),
        "Horsens's log claims no read of a Roskilde youth"
    );

    // A youth sees their own record and their own access log, nobody else's.
    let youth_user = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("ung.ida", Role::Youth, Some(265)),
        )
        .await
        .unwrap();
    let mut linked = youth("030405-4006", "Sara", "Lund");
    linked.user_id = Some(youth_user);
    let sara_id = db.create_youth(&roskilde, &key, &linked).await.unwrap();
    let sara = Scope::new(youth_user, Role::Youth, Some(265), "req-7");
    assert_eq!(db.own_youth_id(&sara).await.unwrap(), Some(sara_id));
    assert_eq!(
        db.get_youth(&sara, sara_id).await.unwrap().first_name,
        "Sara"
    );
    assert!(matches!(
        db.get_youth(&sara, ida_id).await,
        Err(Error::NotFound)
    ));
    assert!(
        !db.access_log_for_youth(&sara, sara_id)
            .await
            .unwrap()
            .is_empty()
    );

    // The team lead assigns a consultant of the same municipality, and only such.
    db.assign_consultant(&lead, ali_id, Some(consultant_id))
        .await
        .unwrap();
    assert_eq!(
        db.get_youth(&lead, ali_id).await.unwrap().consultant_id,
        Some(consultant_id)
    );
    assert_eq!(
        invalid_field(db.assign_consultant(&lead, ali_id, Some(horsens_id)).await),
        ("consultant_id", Problem::UnknownConsultant)
    );
    assert!(
        matches!(
            db.assign_consultant(&roskilde, ali_id, None).await,
            Err(Error::NotFound)
        ),
        "only the team lead"
    );
    assert!(matches!(
        db.assign_consultant(&horsens_lead, ali_id, None).await,
        Err(Error::NotFound)
    ));
    assert_eq!(
        db.consultants(&lead)
            .await
            .unwrap()
            .iter()
            .map(|(id, _)| *id)
            .collect::<Vec<_>>(),
        vec![consultant_id]
    );
    db.assign_consultant(&lead, ali_id, None).await.unwrap();

    // The access log is append-only in the database itself.
    let tampering = try_exec_sql(&db, "UPDATE access_log SET purpose = 'x'")
        .await
        .err();
    assert!(
        tampering
            .expect("update refused")
            .to_string()
            .contains("append-only")
    );
    let deleting = try_exec_sql(&db, "DELETE FROM access_log").await.err();
    assert!(
        deleting
            .expect("delete refused")
            .to_string()
            .contains("retention")
    );

    // The hourly purge removes rows past the retention period, and only those.
    let ancient = spire_store::now() - 200 * 86_400;
    exec_sql(
        &db,
        &format!(
            "INSERT INTO access_log (at, user_id, municipality_code, action, youth_id, criterion, purpose, request_id) \
             VALUES ({ancient}, {lead_id}, 265, 'read', NULL, NULL, 'test', 'req-old')"
        ),
    )
    .await;
    let before = db.access_log_for_youth(&lead, ida_id).await.unwrap().len();
    assert!(
        matches!(db.purge_access_log(30).await, Err(Error::Refused(_))),
        "never below 183 days"
    );
    assert_eq!(
        db.purge_access_log(183).await.unwrap(),
        1,
        "only the 200-day-old row"
    );
    assert_eq!(db.purge_access_log(183).await.unwrap(), 0);
    assert_eq!(
        db.access_log_for_youth(&lead, ida_id).await.unwrap().len(),
        before + 1,
        "young rows stay"
    );

    // Companies and contacts, tenant-scoped; CVR unique per municipality.
    let company = NewCompany {
        cvr: Cvr::parse("cvr", "10150817").unwrap(),
        name: "Roskilde Cykler ApS".into(),
        industry: "Detail".into(),
        address: Some("Algade 1, 4000 Roskilde".into()),
    };
    let company_id = db.create_company(&roskilde, &company).await.unwrap();
    assert_eq!(
        invalid_field(db.create_company(&roskilde, &company).await),
        ("cvr", Problem::CvrAlreadyRegistered)
    );
    db.create_company(&horsens, &company)
        .await
        .expect("the same company may join another municipality's network");
    assert!(matches!(
        db.create_company(&caseworker, &company).await,
        Err(Error::NotFound)
    ));
    db.add_company_contact(
        &roskilde,
        company_id,
        "Per Jensen",
        Some("Værkfører"),
        Some("+45 11 22 33 44"),
        None,
        None,
    )
    .await
    .unwrap();
    assert!(
        db.add_company_contact(&horsens, company_id, "X", None, None, None, None)
            .await
            .is_err()
    );
    let companies = db.search_companies(&roskilde, "cykler", 50).await.unwrap();
    assert_eq!((companies.len(), companies[0].contact_count), (1, 1));
    assert_eq!(
        db.search_companies(&roskilde, "detail", 50)
            .await
            .unwrap()
            .len(),
        1
    );
    let (found, contacts) = db.get_company(&roskilde, company_id).await.unwrap();
    assert_eq!(
        (found.cvr.as_str(), contacts[0].name.as_str()),
        ("10150817", "Per Jensen")
    );
    assert!(matches!(
        db.get_company(&horsens, company_id).await,
        Err(Error::NotFound)
    ));
    let mut contact_user = user("per.cykler", Role::CompanyContact, Some(265));
    contact_user.company_id = Some(company_id.get());
    let contact_id = db
        .create_user(&spire_store::Actor::command("test"), &contact_user)
        .await
        .unwrap();
    let contact = Scope::new(contact_id, Role::CompanyContact, Some(265), "req-8");
    assert_eq!(
        db.search_companies(&contact, "", 50).await.unwrap().len(),
        1
    );
    assert!(
        db.search_youth(&contact, &key, "", 1, 50)
            .await
            .unwrap()
            .rows
            .is_empty()
    );

    // Teams with FTE and caseload; the cross-municipal overview.
    db.create_team(
        265,
        "Team Roskilde",
        &[
            NewTeamMember {
                user_id: consultant_id,
                fte: 1.0,
            },
            NewTeamMember {
                user_id: lead_id,
                fte: 0.5,
            },
        ],
    )
    .await
    .unwrap();
    let team = db.team_members(&lead).await.unwrap();
    let ida_member = team.iter().find(|m| m.user_id == consultant_id).unwrap();
    assert_eq!((ida_member.caseload, ida_member.fte), (1, 1.0));
    assert!(matches!(
        db.team_members(&caseworker).await,
        Err(Error::NotFound)
    ));
    let overview = db.municipality_overview().await.unwrap();
    let roskilde_row = overview.iter().find(|m| m.code == 265).unwrap();
    assert_eq!(
        (
            roskilde_row.youth,
            roskilde_row.companies,
            roskilde_row.staff,
            roskilde_row.youth_with_consultant
        ),
        (3, 1, 2, 1)
    );

    // The CPR number is nowhere in the database in the clear.
    let clear: i64 = match &db {
        Db::Sqlite(pool) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM youth WHERE CAST(cpr_ciphertext AS TEXT) LIKE '%0102034002%'",
        )
        .fetch_one(pool)
        .await
        .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM youth WHERE encode(cpr_ciphertext, 'escape') LIKE '%0102034002%'",
        )
        .fetch_one(pool)
        .await
        .unwrap(),
    };
    assert_eq!(clear, 0);
    db.close().await;
}

both_dbs!(store_story, story);

#[tokio::test]
async fn sqlite_refuses_unsafe_durability_settings() {
    // A database opened with our settings reports WAL + FULL; the check itself
    // is exercised by connecting (it would fail otherwise).
    let (db, path) = fresh_sqlite().await.unwrap();
    let Db::Sqlite(pool) = &db else {
        unreachable!()
    };
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(synchronous, 2);
    db.close().await;
    let _ = std::fs::remove_file(path);
}
