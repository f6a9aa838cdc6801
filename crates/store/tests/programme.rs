//! Running the programme, on SQLite and PostgreSQL alike: courses, internships
//! within the law and their history, the youth ending one (and the task it
//! makes), follow-ups, the consultant's week, the team's caseload, progress
//! conversations, the portfolio and psychologist notes — and who may see what.

use spire_domain::course::ExitReason;
use spire_domain::eligibility::Readiness;
use spire_domain::internship::{Conversion, EndedBy, Transition};
use spire_domain::{CompanyId, Cvr, InternshipId, Problem, Role, TaskId, YouthId};
use spire_store::testing::cpr;
use spire_store::{
    Db, Error, NewCompany, NewInternship, NewUser, NewYouth, Scope, ServerKey, both_dbs,
};
use time::macros::date;

fn user(login: &str, role: Role, municipality: Option<i64>, company: Option<i64>) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: format!("Name of {login}"),
        password: "correct horse battery".into(),
        role,
        municipality_code: municipality,
        company_id: company,
    }
}

fn fields(result: Result<impl std::fmt::Debug, Error>) -> Vec<(&'static str, Problem)> {
    match result {
        Err(Error::Invalid(e)) => vec![(e.field, e.problem)],
        Err(Error::InvalidFields(all)) => all.into_iter().map(|e| (e.field, e.problem)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// Sara Holm (CPR number `n`), with a consultant and perhaps a login.
fn sara(n: u32, consultant: i64, login: Option<i64>) -> NewYouth {
    NewYouth {
        cpr: cpr(n),
        first_name: "Sara".into(),
        last_name: "Holm".into(),
        phone: None,
        email: None,
        interests: "træ".into(),
        strengths: "stabil".into(),
        consultant_id: Some(consultant),
        user_id: login,
        outside_trial: None,
    }
}

fn internship(youth: YouthId, company: CompanyId, days: i64, hours: f64) -> NewInternship {
    let start = date!(2026 - 03 - 02);
    NewInternship {
        youth,
        company,
        contact_id: None,
        function: "Lager".into(),
        start,
        end: start + time::Duration::days(days - 1),
        hours_per_week: hours,
        schedule: "man-tors 8-15".into(),
    }
}

async fn story(db: Db) {
    let key = ServerKey::from_hex(&"22".repeat(32)).unwrap();
    spire_store::testing::roskilde_and_horsens(&db).await;
    let consultant_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("ida.roskilde", Role::Consultant, Some(265), None),
        )
        .await
        .unwrap();
    let lead_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("lead.roskilde", Role::TeamLead, Some(265), None),
        )
        .await
        .unwrap();
    let psychologist_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("psy.roskilde", Role::Psychologist, Some(265), None),
        )
        .await
        .unwrap();
    let horsens_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("bo.horsens", Role::Consultant, Some(615), None),
        )
        .await
        .unwrap();
    let youth_user = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("ung.roskilde", Role::Youth, Some(265), None),
        )
        .await
        .unwrap();
    let consultant = Scope::new(consultant_id, Role::Consultant, Some(265), "t");
    let lead = Scope::new(lead_id, Role::TeamLead, Some(265), "t");
    let psychologist = Scope::new(psychologist_id, Role::Psychologist, Some(265), "t");
    let horsens = Scope::new(horsens_id, Role::Consultant, Some(615), "t");
    let own = Scope::new(youth_user, Role::Youth, Some(265), "t");

    let company = db
        .create_company(
            &consultant,
            &NewCompany {
                cvr: Cvr::parse("cvr", "10150817").unwrap(),
                name: "Roskilde Tømrer".into(),
                industry: "Byggeri".into(),
                address: None,
            },
        )
        .await
        .unwrap();
    let other_company = db
        .create_company(
            &consultant,
            &NewCompany {
                cvr: Cvr::parse("cvr", "25313763").unwrap(),
                name: "Café Nord".into(),
                industry: "Restauration".into(),
                address: None,
            },
        )
        .await
        .unwrap();
    let contact_user = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user(
                "kontakt",
                Role::CompanyContact,
                Some(265),
                Some(company.get()),
            ),
        )
        .await
        .unwrap();
    let contact_person = db
        .add_company_contact(
            &consultant,
            company,
            "Karin",
            None,
            None,
            None,
            Some(contact_user),
        )
        .await
        .unwrap();
    let company_contact = Scope::new(contact_user, Role::CompanyContact, Some(265), "t");

    let youth = db
        .create_youth(&consultant, &key, &sara(1, consultant_id, Some(youth_user)))
        .await
        .unwrap();

    // No internship before a course; a course outside the trial is marked so.
    assert_eq!(
        fields(
            db.create_internship(&consultant, &internship(youth, company, 10, 30.0))
                .await
        ),
        vec![("youth_id", Problem::NoOpenCourse)]
    );
    db.open_course(
        &consultant,
        youth,
        Readiness::Jobparat,
        date!(2026 - 02 - 20),
    )
    .await
    .unwrap();
    assert_eq!(
        fields(
            db.open_course(
                &consultant,
                youth,
                Readiness::Jobparat,
                date!(2026 - 02 - 21)
            )
            .await
        ),
        vec![("youth_id", Problem::CourseAlreadyOpen)]
    );
    let (course, _) = db.course(&consultant, youth).await.unwrap().unwrap();
    assert!(
        !course.in_trial,
        "a course opened by hand is outside the trial"
    );
    assert!(matches!(
        db.course(&horsens, youth).await,
        Err(Error::NotFound)
    ));

    // The law, named by field: 45 hours, an end before the start, 14 weeks
    // for a job-ready youth without an extension, an unknown company.
    assert_eq!(
        fields(
            db.create_internship(&consultant, &internship(youth, company, 10, 45.0))
                .await
        ),
        vec![("hours_per_week", Problem::HoursOverLimit)]
    );
    let mut backwards = internship(youth, company, 10, 30.0);
    backwards.end = backwards.start - time::Duration::days(3);
    assert_eq!(
        fields(db.create_internship(&consultant, &backwards).await),
        vec![("end_date", Problem::EndBeforeStart)]
    );
    assert_eq!(
        fields(
            db.create_internship(&consultant, &internship(youth, company, 98, 30.0))
                .await
        ),
        vec![("end_date", Problem::OverLegalLimit)]
    );
    assert_eq!(
        fields(
            db.create_internship(
                &consultant,
                &internship(youth, CompanyId::new(9_999), 10, 30.0)
            )
            .await
        ),
        vec![("company_id", Problem::UnknownCompany)]
    );
    let mut wrong_contact = internship(youth, other_company, 10, 30.0);
    wrong_contact.contact_id = Some(contact_person);
    assert_eq!(
        fields(db.create_internship(&consultant, &wrong_contact).await),
        vec![("contact_id", Problem::UnknownContact)]
    );

    // 28 days at 37 hours is the job-ready limit, and allowed.
    let mut first = internship(youth, company, 28, 37.0);
    first.contact_id = Some(contact_person);
    let first = db.create_internship(&consultant, &first).await.unwrap();
    let mut overlapping = internship(youth, other_company, 5, 20.0);
    overlapping.start = date!(2026 - 03 - 29);
    overlapping.end = date!(2026 - 04 - 02);
    assert_eq!(
        fields(db.create_internship(&consultant, &overlapping).await),
        vec![("start_date", Problem::OverlapsInternship)]
    );
    assert!(matches!(
        db.create_internship(&horsens, &internship(youth, company, 5, 20.0))
            .await,
        Err(Error::NotFound)
    ));

    // Function change, extension with reason, status changes: all in the history.
    db.transition_internship(&consultant, first, Transition::Start, "")
        .await
        .unwrap();
    db.change_internship_function(&consultant, first, "Værksted", date!(2026 - 03 - 16))
        .await
        .unwrap();
    assert_eq!(
        fields(
            db.extend_internship(&consultant, first, date!(2026 - 06 - 30), "", "")
                .await
        ),
        vec![
            ("reason", Problem::Required),
            ("decided_by", Problem::Required)
        ]
    );
    assert_eq!(
        fields(
            db.extend_internship(&consultant, first, date!(2026 - 12 - 31), "Behov", "Leder")
                .await
        ),
        vec![("new_end_date", Problem::OverExtendedLimit)]
    );
    db.extend_internship(
        &consultant,
        first,
        date!(2026 - 05 - 29),
        "Særligt behov",
        "Teamleder Lis",
    )
    .await
    .unwrap();
    db.check_in_internship(&consultant, first, "God uge")
        .await
        .unwrap();
    let (row, events) = db.internship(&consultant, first).await.unwrap();
    assert_eq!(
        (row.function.as_str(), row.end_date.as_str(), row.extensions),
        ("Værksted", "2026-05-29", 1)
    );
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["created", "status", "function", "extension", "check_in"]
    );
    assert_eq!(events[2].previous.as_deref(), Some("Lager"));
    assert_eq!(events[3].decided_by.as_deref(), Some("Teamleder Lis"));
    assert_eq!(events[3].reason.as_deref(), Some("Særligt behov"));
    assert_eq!(events[3].previous.as_deref(), Some("2026-03-29"));
    // Not allowed from active: start again.
    assert_eq!(
        fields(
            db.transition_internship(&consultant, first, Transition::Start, "")
                .await
        ),
        vec![("transition", Problem::TransitionNotAllowed)]
    );
    db.transition_internship(&consultant, first, Transition::Convert(Conversion::Job), "")
        .await
        .unwrap();
    assert_eq!(
        db.internship(&consultant, first).await.unwrap().0.status,
        "converted"
    );

    // The youth sees their own internships and ends one, with a reason; the
    // consultant gets a task. A company contact sees only their company's.
    let mut second = internship(youth, other_company, 20, 25.0);
    second.start = date!(2026 - 06 - 01);
    second.end = date!(2026 - 06 - 20);
    let second = db.create_internship(&consultant, &second).await.unwrap();
    assert_eq!(db.youth_internships(&own, youth).await.unwrap().len(), 2);
    assert_eq!(
        fields(db.end_own_internship(&own, second, " ").await),
        vec![("reason", Problem::Required)]
    );
    // An extension may not run into the youth's next internship.
    let mut third = internship(youth, other_company, 20, 25.0);
    third.start = date!(2026 - 07 - 01);
    third.end = date!(2026 - 07 - 20);
    let third = db.create_internship(&consultant, &third).await.unwrap();
    assert_eq!(
        fields(
            db.extend_internship(&consultant, second, date!(2026 - 07 - 05), "Behov", "Leder")
                .await
        ),
        vec![("new_end_date", Problem::OverlapsInternship)]
    );
    db.end_own_internship(&own, second, "Ikke noget for mig")
        .await
        .unwrap();
    let (ended, _) = db.internship(&consultant, second).await.unwrap();
    assert_eq!(
        (ended.status.as_str(), ended.ended_by.as_deref()),
        ("interrupted", Some("youth"))
    );
    assert!(matches!(
        db.transition_internship(&own, second, Transition::Interrupt(EndedBy::Youth), "x")
            .await,
        Err(Error::NotFound)
    ));
    let seen_by_company = db.visible_internships(&company_contact).await.unwrap();
    assert_eq!(
        seen_by_company.iter().map(|i| i.id).collect::<Vec<_>>(),
        [first.get()]
    );
    assert!(matches!(
        db.internship(&company_contact, second).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        db.internship(&horsens, first).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        db.internship(&consultant, InternshipId::new(9_999)).await,
        Err(Error::NotFound)
    ));

    // The consultant's week: the task is there, one click from the internship.
    let today = date!(2026 - 06 - 10);
    let week = db.consultant_week(&consultant, today).await.unwrap();
    assert_eq!(week.youth.len(), 1);
    let task = week
        .items
        .iter()
        .find(|i| i.kind == "task")
        .expect("a task for the ended internship");
    assert_eq!(
        (task.internship_id, task.detail.as_str()),
        (Some(second.get()), "internship_ended_by_youth")
    );
    assert!(week.items.iter().any(|i| i.kind == "conversation_due"));
    assert!(
        db.consultant_week(&horsens, today)
            .await
            .unwrap()
            .youth
            .is_empty()
    );
    db.complete_task(&consultant, TaskId::new(task.task_id.unwrap()))
        .await
        .unwrap();
    // Twice is no change; another municipality's consultant does not find it.
    db.complete_task(&consultant, TaskId::new(task.task_id.unwrap()))
        .await
        .unwrap();
    assert!(matches!(
        db.complete_task(&horsens, TaskId::new(task.task_id.unwrap()))
            .await,
        Err(Error::NotFound)
    ));
    let week = db.consultant_week(&consultant, today).await.unwrap();
    assert!(!week.items.iter().any(|i| i.kind == "task"));

    // Progress conversations: both sides, once per day and side, 1-5.
    db.record_progress(
        &consultant,
        youth,
        date!(2026 - 04 - 01),
        [3, 3, 4, 2, 3],
        "Godt",
    )
    .await
    .unwrap();
    db.record_progress(
        &own,
        youth,
        date!(2026 - 04 - 01),
        [4, 3, 5, 3, 4],
        "Jeg har lært meget",
    )
    .await
    .unwrap();
    assert_eq!(
        fields(
            db.record_progress(&own, youth, date!(2026 - 04 - 01), [4, 3, 5, 3, 4], "")
                .await
        ),
        vec![("held_on", Problem::ProgressAlreadyRecorded)]
    );
    assert_eq!(
        fields(
            db.record_progress(
                &consultant,
                youth,
                date!(2026 - 05 - 01),
                [6, 3, 5, 3, 4],
                ""
            )
            .await
        ),
        vec![("direction", Problem::OutOfRange)]
    );
    let scores = db.progress_scores(&own, youth).await.unwrap();
    assert_eq!(
        scores.iter().map(|s| s.side.as_str()).collect::<Vec<_>>(),
        ["consultant", "youth"]
    );

    // The portfolio: the youth adds a skill; the company contact writes a reference.
    db.add_portfolio_entry(&own, youth, "skill", "Truckcertifikat")
        .await
        .unwrap();
    db.write_reference(&company_contact, first, "Sara er stabil og nysgerrig")
        .await
        .unwrap();
    assert!(matches!(
        db.write_reference(&company_contact, second, "x").await,
        Err(Error::NotFound)
    ));
    let entries = db.portfolio_entries(&own, youth).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .any(|e| e.kind == "reference" && e.company_name.as_deref() == Some("Roskilde Tømrer"))
    );

    // Psychologist notes: psychologists only, and every read logged.
    db.add_psychologist_note(&psychologist, youth, "Samtale om søvn")
        .await
        .unwrap();
    for other in [&consultant, &lead, &own, &company_contact, &horsens] {
        assert!(matches!(
            db.psychologist_notes(other, youth).await,
            Err(Error::NotFound)
        ));
        assert!(matches!(
            db.add_psychologist_note(other, youth, "x").await,
            Err(Error::NotFound)
        ));
    }
    assert_eq!(
        db.psychologist_notes(&psychologist, youth)
            .await
            .unwrap()
            .len(),
        1
    );
    let log = db.access_log_for_youth(&lead, youth).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.criterion.as_deref() == Some("psychologist-notes") && e.action == "read")
    );

    // No exit while an internship is planned or active.
    assert_eq!(
        fields(
            db.exit_course(
                &consultant,
                youth,
                date!(2026 - 06 - 30),
                ExitReason::Job,
                None
            )
            .await
        ),
        vec![("exit_date", Problem::OpenInternships)]
    );
    db.transition_internship(
        &consultant,
        third,
        Transition::Interrupt(EndedBy::Company),
        "Afdelingen lukker",
    )
    .await
    .unwrap();
    // The exit to a job: follow-ups at 3, 6 and 12 months, answered.
    assert_eq!(
        fields(
            db.exit_course(
                &consultant,
                youth,
                date!(2026 - 01 - 01),
                ExitReason::Job,
                None
            )
            .await
        ),
        vec![("exit_date", Problem::EndBeforeStart)]
    );
    db.exit_course(
        &consultant,
        youth,
        date!(2026 - 06 - 30),
        ExitReason::Job,
        Some("Tømrerlærling"),
    )
    .await
    .unwrap();
    let (course, follow_ups) = db.course(&consultant, youth).await.unwrap().unwrap();
    assert_eq!(course.exit_reason.as_deref(), Some("job"));
    assert_eq!(
        follow_ups
            .iter()
            .map(|f| (f.months, f.due_date.as_str()))
            .collect::<Vec<_>>(),
        [(3, "2026-09-30"), (6, "2026-12-30"), (12, "2027-06-30")]
    );
    // The 3-month follow-up is on the week when it falls due; the exited
    // youth is no longer on the list.
    let due = db
        .consultant_week(&consultant, date!(2026 - 09 - 28))
        .await
        .unwrap();
    assert!(due.youth.is_empty());
    assert_eq!(
        due.items
            .iter()
            .map(|i| (i.kind, i.detail.as_str()))
            .collect::<Vec<_>>(),
        [("follow_up_due", "3")]
    );
    db.answer_follow_up(&consultant, follow_ups[0].id, "yes")
        .await
        .unwrap();
    assert_eq!(
        fields(
            db.answer_follow_up(&consultant, follow_ups[1].id, "maybe")
                .await
        ),
        vec![("answer", Problem::UnknownChoice)]
    );
    assert!(matches!(
        db.answer_follow_up(&horsens, follow_ups[1].id, "no").await,
        Err(Error::NotFound)
    ));

    // Staff may type in the youth's own scores given in the conversation.
    db.record_progress_for_youth(
        &consultant,
        youth,
        date!(2026 - 05 - 13),
        [3, 3, 3, 3, 3],
        "",
    )
    .await
    .unwrap();
    assert!(matches!(
        db.record_progress_for_youth(&own, youth, date!(2026 - 05 - 14), [3, 3, 3, 3, 3], "")
            .await,
        Err(Error::NotFound)
    ));
    // The contacts of the companies the scope sees, for choosing one.
    let contacts = db.company_contacts(&consultant).await.unwrap();
    assert_eq!(
        contacts.iter().map(|c| c.0).collect::<Vec<_>>(),
        [contact_person]
    );
    assert!(db.company_contacts(&horsens).await.unwrap().is_empty());
    assert!(matches!(
        db.require_youth_visible(&horsens, youth).await,
        Err(Error::NotFound)
    ));
    db.require_youth_visible(&consultant, youth).await.unwrap();

    // The rules are settings: the law and the norm change without code.
    let mut rules = db.programme_rules().await.unwrap();
    rules.internship.job_ready_weeks = 6;
    db.set_internship_rules(&rules.internship).await.unwrap();
    db.set_caseload_norms([12, 18, 20]).await.unwrap();
    let changed = db.programme_rules().await.unwrap();
    assert_eq!(
        (changed.internship.job_ready_weeks, changed.caseload_norms),
        (6, [12, 18, 20])
    );
    rules.internship.max_hours_per_week = 0.0;
    assert!(db.set_internship_rules(&rules.internship).await.is_err());
    assert!(db.set_caseload_norms([0, 18, 20]).await.is_err());
    db.set_caseload_norms([15, 20, 22]).await.unwrap();

    // The team: caseload against the norm of the first year.
    let team = db.team_overview(&lead, today).await.unwrap();
    assert_eq!(team.norm, 15);
    assert_eq!(
        team.consultants.len(),
        2,
        "the consultant and the psychologist"
    );
    assert!(matches!(
        db.team_overview(&consultant, today).await,
        Err(Error::NotFound)
    ));
}

both_dbs!(programme_story, story);

/// Reads that arrive together share a commit of their access-log rows on
/// SQLite; each read still has its own row, written before its data returns.
async fn concurrent_reads(db: Db) {
    let key = ServerKey::from_hex(&"44".repeat(32)).unwrap();
    db.upsert_municipality(&spire_store::Actor::command("test"), 265, "Roskilde")
        .await
        .unwrap();
    let consultant_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("ida.roskilde", Role::Consultant, Some(265), None),
        )
        .await
        .unwrap();
    let lead_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("lead.roskilde", Role::TeamLead, Some(265), None),
        )
        .await
        .unwrap();
    let consultant = Scope::new(consultant_id, Role::Consultant, Some(265), "t");
    let youth = db
        .create_youth(&consultant, &key, &sara(9, consultant_id, None))
        .await
        .unwrap();
    let reads: Vec<_> = (0..40)
        .map(|i| {
            let db = db.clone();
            let scope = Scope::new(
                consultant_id,
                Role::Consultant,
                Some(265),
                format!("read-{i}"),
            );
            tokio::spawn(async move { db.get_youth(&scope, youth).await.map(|row| row.id) })
        })
        .collect();
    for read in reads {
        assert_eq!(read.await.unwrap().unwrap(), youth.get());
    }
    let lead = Scope::new(lead_id, Role::TeamLead, Some(265), "t");
    let log = db.access_log_for_youth(&lead, youth).await.unwrap();
    let mut request_ids: Vec<&str> = log
        .iter()
        .filter(|e| e.action == "read" && e.request_id.starts_with("read-"))
        .map(|e| e.request_id.as_str())
        .collect();
    request_ids.sort_unstable();
    request_ids.dedup();
    assert_eq!(request_ids.len(), 40, "one row for each read");
}

both_dbs!(
    concurrent_reads_are_each_logged,
    concurrent_reads,
    multi_thread
);
