//! The networks, on SQLite and PostgreSQL alike: a youth group's weekly
//! meetings (holidays skipped, moved, cancelled), the youth-owned agenda,
//! attendance with meeting stability and the absence task, the company
//! network (members, places, meetings with sign-up, the contact log), the
//! calendar feeds — and who may see what.

use spire_domain::eligibility::Readiness;
use spire_domain::network::{Mark, Series};
use spire_domain::{Cvr, GroupId, MeetingId, NetworkMeetingId, Problem, Role, YouthId};
use spire_store::testing::cpr;
use spire_store::{
    Db, Error, FeedKind, FeedSubject, MeetingChange, NewCompany, NewContactLog, NewGroup,
    NewNetworkMeeting, NewSlot, NewUser, NewYouth, Scope, ServerKey, both_dbs,
};
use time::macros::{date, time};

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

fn problem<T: std::fmt::Debug>(result: Result<T, Error>) -> (&'static str, Problem) {
    match result {
        Err(Error::Invalid(e)) => (e.field, e.problem),
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn not_found<T: std::fmt::Debug>(result: Result<T, Error>) {
    assert!(
        matches!(result, Err(Error::NotFound)),
        "expected not found, got {result:?}"
    );
}

fn youth(n: u32, first: &str, consultant: i64, login: Option<i64>) -> NewYouth {
    NewYouth {
        cpr: cpr(n),
        first_name: first.into(),
        last_name: "Holm".into(),
        phone: None,
        email: None,
        interests: String::new(),
        strengths: String::new(),
        consultant_id: Some(consultant),
        user_id: login,
        outside_trial: None,
    }
}

async fn story(db: Db) {
    let key = ServerKey::from_hex(&"33".repeat(32)).unwrap();
    spire_store::testing::roskilde_and_horsens(&db).await;
    let consultant_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("ida.roskilde", Role::Consultant, Some(265), None),
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
    let sara_user = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("sara.holm", Role::Youth, Some(265), None),
        )
        .await
        .unwrap();
    let ali_user = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("ali.holm", Role::Youth, Some(265), None),
        )
        .await
        .unwrap();
    let staff = Scope::new(consultant_id, Role::Consultant, Some(265), "t");
    let horsens = Scope::new(horsens_id, Role::Consultant, Some(615), "t");
    let sara_scope = Scope::new(sara_user, Role::Youth, Some(265), "t");
    let ali_scope = Scope::new(ali_user, Role::Youth, Some(265), "t");
    let sara = db
        .create_youth(
            &staff,
            &key,
            &youth(1, "Sara", consultant_id, Some(sara_user)),
        )
        .await
        .unwrap();
    let mads = db
        .create_youth(&staff, &key, &youth(2, "Mads", consultant_id, None))
        .await
        .unwrap();
    let ali = db
        .create_youth(
            &staff,
            &key,
            &youth(3, "Ali", consultant_id, Some(ali_user)),
        )
        .await
        .unwrap();

    db.open_course(&staff, sara, Readiness::Jobparat, date!(2026 - 03 - 01))
        .await
        .unwrap();

    // A group, facilitated by Ida, meeting Mondays at 16:00.
    let new_group = NewGroup {
        name: "Mandagsgruppen".into(),
        facilitator: Some(consultant_id),
        place: "Ungehuset".into(),
        start_time: time!(16:00),
        duration_minutes: 90,
    };
    let group = db.create_group(&staff, &new_group).await.unwrap();
    assert_eq!(
        problem(db.create_group(&staff, &new_group).await),
        ("name", Problem::GroupNameTaken)
    );
    let other = db
        .create_group(
            &staff,
            &NewGroup {
                name: "Torsdagsgruppen".into(),
                ..new_group.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        problem(
            db.create_group(
                &staff,
                &NewGroup {
                    name: "X".into(),
                    facilitator: Some(horsens_id),
                    ..new_group.clone()
                }
            )
            .await
        ),
        ("facilitator_id", Problem::UnknownConsultant)
    );
    not_found(db.create_group(&sara_scope, &new_group).await);

    // Members with dates; one group at a time.
    db.join_group(&staff, group, sara, date!(2026 - 03 - 01))
        .await
        .unwrap();
    db.join_group(&staff, group, mads, date!(2026 - 03 - 01))
        .await
        .unwrap();
    assert_eq!(
        problem(
            db.join_group(&staff, other, sara, date!(2026 - 03 - 01))
                .await
        ),
        ("youth_id", Problem::AlreadyInGroup)
    );
    not_found(
        db.join_group(&horsens, group, ali, date!(2026 - 03 - 01))
            .await,
    );
    not_found(
        db.join_group(&horsens, GroupId::new(-1), ali, date!(2026 - 03 - 01))
            .await,
    );

    // The weekly series: Easter Monday 2026 is skipped.
    let series = Series::new(date!(2026 - 03 - 23), date!(2026 - 04 - 20), time!(16:00)).unwrap();
    let outcome = db.generate_meetings(&staff, group, &series).await.unwrap();
    assert_eq!(outcome.created, 4);
    assert_eq!(
        outcome.skipped,
        vec![("2026-04-06".to_string(), "2. påskedag".to_string())]
    );
    let again = db.generate_meetings(&staff, group, &series).await.unwrap();
    assert_eq!((again.created, again.existing), (0, 4), "no meeting twice");
    not_found(db.generate_meetings(&horsens, group, &series).await);

    let detail = db.group(&staff, group).await.unwrap();
    assert_eq!(detail.group.members, 2);
    assert_eq!(detail.group.facilitator_id, Some(consultant_id));
    let meetings: Vec<MeetingId> = detail
        .meetings
        .iter()
        .map(|m| MeetingId::new(m.id))
        .collect();
    let dates: Vec<&str> = detail.meetings.iter().map(|m| m.date.as_str()).collect();
    assert_eq!(
        dates,
        ["2026-03-23", "2026-03-30", "2026-04-13", "2026-04-20"]
    );
    assert!(detail.meetings.iter().all(|m| m.start_time == "16:00"));

    // Who sees the group: staff, and Sara (a member); not Ali, not Horsens.
    assert_eq!(db.groups(&sara_scope).await.unwrap().len(), 1);
    let sara_view = db.group(&sara_scope, group).await.unwrap();
    assert!(sara_view.members.is_empty(), "a youth sees no member list");
    assert!(db.groups(&ali_scope).await.unwrap().is_empty());
    not_found(db.group(&ali_scope, group).await);
    not_found(db.meeting(&ali_scope, meetings[0]).await);
    not_found(db.group(&horsens, group).await);
    not_found(db.meeting(&horsens, meetings[0]).await);
    assert!(db.groups(&horsens).await.unwrap().is_empty());
    assert_eq!(db.own_group(&sara_scope).await.unwrap(), Some(group));

    // The agenda: Sara proposes, the facilitator adds, Sara moves hers up once.
    let first = db
        .propose_agenda_item(&staff, meetings[0], "Velkommen og runde")
        .await
        .unwrap();
    let mine = db
        .propose_agenda_item(
            &sara_scope,
            meetings[0],
            "Hvordan siger man nej til overarbejde?",
        )
        .await
        .unwrap();
    not_found(db.propose_agenda_item(&ali_scope, meetings[0], "Hej").await);
    assert_eq!(
        problem(db.propose_agenda_item(&sara_scope, meetings[0], "  ").await),
        ("text", Problem::Required)
    );
    assert_eq!(
        problem(
            db.propose_agenda_item(&sara_scope, meetings[0], &"x".repeat(301))
                .await
        ),
        ("text", Problem::TooLong)
    );
    assert_eq!(
        problem(db.move_agenda_item_up(&sara_scope, first).await),
        ("item", Problem::AlreadyFirst)
    );
    db.move_agenda_item_up(&sara_scope, mine).await.unwrap();
    let meeting = db.meeting(&sara_scope, meetings[0]).await.unwrap();
    let order: Vec<(&str, &str, bool)> = meeting
        .agenda
        .iter()
        .map(|a| (a.text.as_str(), a.proposer.as_str(), a.youth_id.is_some()))
        .collect();
    assert_eq!(
        order,
        [
            ("Hvordan siger man nej til overarbejde?", "Sara", true),
            ("Velkommen og runde", "Name of ida.roskilde", false),
        ],
        "the youth's item first; whose each item is shows"
    );
    assert_eq!(meeting.moved_up, Some(mine.get()));
    assert!(meeting.attendance.is_empty(), "a youth sees no register");
    assert_eq!(
        problem(db.move_agenda_item_up(&sara_scope, first).await),
        ("item", Problem::AlreadyMovedUp),
        "once per meeting"
    );
    not_found(db.move_agenda_item_up(&staff, first).await);

    // Attendance: three absences without notice in a row make one task.
    let register = db.meeting(&staff, meetings[0]).await.unwrap().attendance;
    assert_eq!(register.len(), 2);
    assert!(register.iter().all(|r| r.mark.is_none()));
    for (i, meeting) in meetings[..3].iter().enumerate() {
        let task = db
            .record_attendance(&staff, *meeting, sara, Mark::AbsentWithoutNotice, None)
            .await
            .unwrap();
        assert_eq!(task, i == 2, "the task comes with the third absence");
        db.record_attendance(&staff, *meeting, mads, Mark::Present, None)
            .await
            .unwrap();
    }
    // Registering the same meeting again replaces the mark and makes no second task.
    assert!(
        !db.record_attendance(&staff, meetings[2], sara, Mark::AbsentWithoutNotice, None)
            .await
            .unwrap()
    );
    let week = db
        .consultant_week(&staff, date!(2026 - 04 - 14))
        .await
        .unwrap();
    let tasks: Vec<&str> = week
        .items
        .iter()
        .filter(|i| i.kind == "task" && i.youth_id == sara.get())
        .map(|i| i.detail.as_str())
        .collect();
    assert_eq!(tasks, ["network_absences"]);
    let stability = |id: YouthId| {
        week.youth
            .iter()
            .find(|y| y.youth_id == id.get())
            .map(|y| y.meeting_stability)
    };
    // The week shows stability for the youth with an open course.
    assert_eq!(stability(sara), Some(Some(0.0)));
    assert_eq!(
        db.youth_meeting_stability(&staff, sara).await.unwrap(),
        Some(0.0)
    );
    assert_eq!(
        db.youth_meeting_stability(&staff, mads).await.unwrap(),
        Some(1.0)
    );
    assert_eq!(db.youth_meeting_stability(&staff, ali).await.unwrap(), None);
    // Registering the same no-show again, after the task is done, makes no new task.
    let task = week
        .items
        .iter()
        .find(|i| i.kind == "task" && i.youth_id == sara.get())
        .and_then(|i| i.task_id)
        .unwrap();
    db.complete_task(&staff, spire_domain::TaskId::new(task))
        .await
        .unwrap();
    assert!(
        !db.record_attendance(&staff, meetings[2], sara, Mark::AbsentWithoutNotice, None)
            .await
            .unwrap(),
        "the same no-show again is no new streak"
    );
    not_found(db.youth_meeting_stability(&horsens, sara).await);
    let members = db.group(&staff, group).await.unwrap().members;
    assert_eq!(
        members
            .iter()
            .map(|m| (m.name.as_str(), m.stability))
            .collect::<Vec<_>>(),
        [("Mads Holm", Some(1.0)), ("Sara Holm", Some(0.0))]
    );
    assert_eq!(
        problem(
            db.record_attendance(&staff, meetings[0], ali, Mark::Present, None)
                .await
        ),
        ("youth_id", Problem::NotInGroup)
    );
    not_found(
        db.record_attendance(&horsens, meetings[0], sara, Mark::Present, None)
            .await,
    );
    not_found(
        db.record_attendance(&sara_scope, meetings[0], sara, Mark::Present, None)
            .await,
    );

    // Move one meeting and cancel another, each with a reason.
    assert_eq!(
        problem(
            db.change_meeting(
                &staff,
                meetings[3],
                &MeetingChange::Cancel { reason: " ".into() }
            )
            .await
        ),
        ("reason", Problem::Required)
    );
    db.change_meeting(
        &staff,
        meetings[3],
        &MeetingChange::Cancel {
            reason: "Facilitator syg".into(),
        },
    )
    .await
    .unwrap();
    db.change_meeting(
        &staff,
        meetings[2],
        &MeetingChange::Move {
            date: date!(2026 - 04 - 14),
            time: time!(15:00),
            reason: "Lokalet er optaget".into(),
        },
    )
    .await
    .unwrap();
    let after = db.group(&staff, group).await.unwrap().meetings;
    assert!(after[3].cancelled && after[3].sequence == 1);
    assert_eq!(after[3].change_reason.as_deref(), Some("Facilitator syg"));
    assert_eq!(
        (
            after[2].date.as_str(),
            after[2].start_time.as_str(),
            after[2].moved_from.as_deref()
        ),
        ("2026-04-14", "15:00", Some("2026-04-13"))
    );
    assert_eq!(
        problem(
            db.record_attendance(&staff, meetings[3], mads, Mark::Present, None)
                .await
        ),
        ("mark", Problem::MeetingCancelled)
    );
    assert_eq!(
        problem(
            db.change_meeting(
                &staff,
                meetings[3],
                &MeetingChange::Cancel {
                    reason: "igen".into()
                }
            )
            .await
        ),
        ("reason", Problem::MeetingCancelled)
    );

    // Shared notes after the meeting, which the group reads.
    db.write_meeting_notes(&staff, meetings[0], "Vi talte om at sige nej.")
        .await
        .unwrap();
    assert_eq!(
        db.meeting(&sara_scope, meetings[0])
            .await
            .unwrap()
            .meeting
            .notes,
        "Vi talte om at sige nej."
    );
    assert_eq!(
        problem(
            db.propose_agenda_item(&sara_scope, meetings[0], "For sent")
                .await
        ),
        ("text", Problem::MeetingHeld),
        "the agenda closes when the notes are written"
    );
    not_found(db.write_meeting_notes(&horsens, meetings[0], "x").await);

    // Leaving: not before joining; afterwards not on the register.
    assert_eq!(
        problem(
            db.leave_group(&staff, group, mads, date!(2026 - 02 - 01))
                .await
        ),
        ("date", Problem::EndBeforeStart)
    );
    db.leave_group(&staff, group, mads, date!(2026 - 04 - 01))
        .await
        .unwrap();
    assert_eq!(
        problem(
            db.record_attendance(&staff, meetings[2], mads, Mark::Present, None)
                .await
        ),
        ("youth_id", Problem::NotInGroup)
    );
    assert_eq!(
        problem(
            db.leave_group(&staff, group, mads, date!(2026 - 04 - 02))
                .await
        ),
        ("youth_id", Problem::NotInGroup)
    );
    assert_eq!(
        problem(
            db.join_group(&staff, other, mads, date!(2026 - 04 - 01))
                .await
        ),
        ("date", Problem::OverlapsMembership),
        "not in two groups on the same day"
    );
    db.join_group(&staff, other, mads, date!(2026 - 04 - 02))
        .await
        .unwrap();

    // Calendar feeds: Sara's own (her meetings), revocable; a group feed for staff.
    let token = db
        .create_feed(
            &sara_scope,
            &key,
            FeedSubject {
                kind: FeedKind::Own,
                group: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    let (title, events) = db
        .calendar_feed(&token, date!(2026 - 04 - 01), "feed")
        .await
        .unwrap();
    assert_eq!(title, "Mit forløb");
    assert_eq!(events.len(), 4);
    assert_eq!(events.iter().filter(|e| e.cancelled).count(), 1);
    not_found(
        db.create_feed(
            &sara_scope,
            &key,
            FeedSubject {
                kind: FeedKind::Group,
                group: Some(group.get()),
            },
        )
        .await,
    );
    let feeds = db.feeds(&sara_scope, &key).await.unwrap();
    assert_eq!(feeds.len(), 1);
    assert_eq!(
        feeds[0].token, token,
        "the owner can copy the address again"
    );
    not_found(db.revoke_feed(&staff, feeds[0].id).await);
    db.revoke_feed(&sara_scope, feeds[0].id).await.unwrap();
    not_found(
        db.calendar_feed(&token, date!(2026 - 04 - 01), "feed")
            .await,
    );
    not_found(
        db.calendar_feed("not a token", date!(2026 - 04 - 01), "feed")
            .await,
    );
    let group_token = db
        .create_feed(
            &staff,
            &key,
            FeedSubject {
                kind: FeedKind::Group,
                group: Some(group.get()),
            },
        )
        .await
        .unwrap();
    let (title, events) = db
        .calendar_feed(&group_token, date!(2026 - 04 - 01), "feed")
        .await
        .unwrap();
    assert_eq!(
        (title.as_str(), events.len()),
        ("Ungenetværk: Mandagsgruppen", 4)
    );
    not_found(
        db.create_feed(
            &horsens,
            &key,
            FeedSubject {
                kind: FeedKind::Group,
                group: Some(group.get()),
            },
        )
        .await,
    );

    // The company network.
    let company = db
        .create_company(
            &staff,
            &NewCompany {
                cvr: Cvr::parse("cvr", "10150817").unwrap(),
                name: "Roskilde Tømrer".into(),
                industry: "Byggeri".into(),
                address: None,
            },
        )
        .await
        .unwrap();
    let cafe = db
        .create_company(
            &staff,
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
                "karin",
                Role::CompanyContact,
                Some(265),
                Some(company.get()),
            ),
        )
        .await
        .unwrap();
    let contact_id = db
        .add_company_contact(
            &staff,
            company,
            "Karin",
            None,
            None,
            None,
            Some(contact_user),
        )
        .await
        .unwrap();
    let contact = Scope::new(contact_user, Role::CompanyContact, Some(265), "t");
    db.join_network(&staff, company, date!(2026 - 01 - 01))
        .await
        .unwrap();
    db.join_network(&staff, cafe, date!(2026 - 02 - 01))
        .await
        .unwrap();
    assert_eq!(
        problem(
            db.join_network(&staff, company, date!(2026 - 01 - 01))
                .await
        ),
        ("company_id", Problem::AlreadyInNetwork)
    );
    not_found(
        db.join_network(&horsens, company, date!(2026 - 01 - 01))
            .await,
    );
    not_found(
        db.join_network(&contact, company, date!(2026 - 01 - 01))
            .await,
    );
    let slot = NewSlot {
        company,
        function: "Tømrerlærling".into(),
        places: 2,
        from: date!(2026 - 09 - 01),
        to: date!(2099 - 12 - 31),
    };
    db.add_slot(&staff, &slot).await.unwrap();
    db.add_slot(
        &contact,
        &NewSlot {
            places: 1,
            ..slot.clone()
        },
    )
    .await
    .unwrap();
    not_found(
        db.add_slot(
            &contact,
            &NewSlot {
                company: cafe,
                ..slot.clone()
            },
        )
        .await,
    );
    assert_eq!(
        problem(
            db.add_slot(
                &staff,
                &NewSlot {
                    places: 0,
                    ..slot.clone()
                }
            )
            .await
        ),
        ("places", Problem::OutOfRange)
    );
    assert_eq!(
        problem(
            db.add_slot(
                &staff,
                &NewSlot {
                    to: date!(2026 - 08 - 01),
                    ..slot.clone()
                }
            )
            .await
        ),
        ("to_date", Problem::EndBeforeStart)
    );
    // Network meetings ahead: the tests run on any day.
    let soon = time::OffsetDateTime::now_utc().date() + time::Duration::days(30);
    let network = db
        .create_network_meeting(
            &staff,
            &NewNetworkMeeting {
                date: soon,
                time: time!(08:30),
                duration_minutes: 120,
                place: "Rådhuset".into(),
                topic: "Morgenmøde: gode praktikforløb".into(),
            },
        )
        .await
        .unwrap();
    not_found(
        db.create_network_meeting(
            &contact,
            &NewNetworkMeeting {
                date: soon,
                time: time!(08:30),
                duration_minutes: 120,
                place: String::new(),
                topic: "x".into(),
            },
        )
        .await,
    );
    db.sign_up_for_network_meeting(&contact, network, true)
        .await
        .unwrap();
    db.sign_up_for_network_meeting(&contact, network, true)
        .await
        .unwrap();
    not_found(db.sign_up_for_network_meeting(&staff, network, true).await);
    let held = db
        .create_network_meeting(
            &staff,
            &NewNetworkMeeting {
                date: date!(2026 - 01 - 13),
                time: time!(08:30),
                duration_minutes: 60,
                place: String::new(),
                topic: "Nytårsmøde".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        problem(db.sign_up_for_network_meeting(&contact, held, true).await),
        ("meeting", Problem::MeetingPast)
    );
    let overview = db.network_overview(&contact).await.unwrap();
    assert_eq!(
        overview
            .members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["Roskilde Tømrer"],
        "a contact sees their own company only"
    );
    assert_eq!(overview.members[0].open_places, 3);
    assert_eq!(overview.members[0].last_contact, None);
    assert_eq!(overview.slots.len(), 2);
    assert_eq!(overview.meetings.len(), 2);
    assert!(!overview.meetings[0].signed_up);
    assert!(overview.meetings[1].signed_up && overview.meetings[1].signups == 1);
    assert_eq!(db.network_overview(&staff).await.unwrap().members.len(), 2);
    assert!(
        db.network_overview(&horsens)
            .await
            .unwrap()
            .members
            .is_empty()
    );
    not_found(db.network_overview(&sara_scope).await);
    db.record_network_attendance(&staff, network, contact_id, true)
        .await
        .unwrap();
    assert_eq!(
        problem(
            db.record_network_attendance(&staff, network, -5, true)
                .await
        ),
        ("contact_id", Problem::UnknownContact)
    );
    not_found(
        db.record_network_attendance(&horsens, network, contact_id, true)
            .await,
    );
    db.write_network_notes(&staff, network, "Fire virksomheder, to nye pladser.")
        .await
        .unwrap();
    let detail = db.network_meeting(&contact, network).await.unwrap();
    assert_eq!(detail.signups.len(), 1);
    assert_eq!(detail.signups[0].attended, Some(true));
    assert_eq!(detail.meeting.notes, "Fire virksomheder, to nye pladser.");
    not_found(db.network_meeting(&horsens, network).await);
    not_found(
        db.network_meeting(&contact, NetworkMeetingId::new(network.get() + 1000))
            .await,
    );

    // The contact log: the team's record.
    let entry = NewContactLog {
        company,
        kind: "visit".into(),
        contact: Some(contact_id),
        happened_on: date!(2026 - 10 - 01),
        summary: "Aftalt to pladser fra september.".into(),
    };
    db.add_contact_log(&staff, &entry).await.unwrap();
    assert_eq!(
        problem(
            db.add_contact_log(
                &staff,
                &NewContactLog {
                    kind: "fax".into(),
                    ..entry.clone()
                }
            )
            .await
        ),
        ("kind", Problem::UnknownChoice)
    );
    assert_eq!(
        problem(
            db.add_contact_log(
                &staff,
                &NewContactLog {
                    company: cafe,
                    ..entry.clone()
                }
            )
            .await
        ),
        ("contact_id", Problem::UnknownContact),
        "the contact person belongs to the company"
    );
    not_found(db.add_contact_log(&contact, &entry).await);
    not_found(db.contact_log(&contact, company).await);
    not_found(db.contact_log(&horsens, company).await);
    let log = db.contact_log(&staff, company).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (
            log[0].kind.as_str(),
            log[0].contact_name.as_deref(),
            log[0].recorded_by.as_str()
        ),
        ("visit", Some("Karin"), "Name of ida.roskilde")
    );
    assert_eq!(
        db.network_overview(&staff).await.unwrap().members[1]
            .last_contact
            .as_deref(),
        Some("2026-10-01")
    );

    // Leaving the network: not before joining; then no places can be offered.
    assert_eq!(
        problem(db.leave_network(&staff, cafe, date!(2026 - 01 - 01)).await),
        ("date", Problem::EndBeforeStart)
    );
    db.leave_network(&staff, cafe, date!(2026 - 11 - 01))
        .await
        .unwrap();
    assert_eq!(
        problem(db.leave_network(&staff, cafe, date!(2026 - 11 - 02)).await),
        ("company_id", Problem::NotInNetwork)
    );
    assert_eq!(
        problem(
            db.add_slot(
                &staff,
                &NewSlot {
                    company: cafe,
                    ..slot.clone()
                }
            )
            .await
        ),
        ("company_id", Problem::NotInNetwork)
    );

    // The company network feed, and a cancelled network meeting in it.
    let network_token = db
        .create_feed(
            &contact,
            &key,
            FeedSubject {
                kind: FeedKind::CompanyNetwork,
                group: None,
            },
        )
        .await
        .unwrap();
    db.cancel_network_meeting(&staff, network, "Udsat til november")
        .await
        .unwrap();
    let (_, events) = db
        .calendar_feed(&network_token, date!(2026 - 04 - 01), "feed")
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert!(!events[0].cancelled);
    assert!(events[1].cancelled && events[1].sequence == 1);
    assert_eq!(
        problem(
            db.sign_up_for_network_meeting(&contact, network, true)
                .await
        ),
        ("meeting", Problem::MeetingCancelled)
    );
    not_found(
        db.create_feed(
            &contact,
            &key,
            FeedSubject {
                kind: FeedKind::Own,
                group: None,
            },
        )
        .await,
    );
}

both_dbs!(the_networks_story, story);

/// Every read and change of a youth's network data is in their access log.
async fn logged(db: Db) {
    let key = ServerKey::from_hex(&"44".repeat(32)).unwrap();
    db.upsert_municipality(&spire_store::Actor::command("test"), 265, "Roskilde")
        .await
        .unwrap();
    let staff_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("ida.roskilde", Role::Consultant, Some(265), None),
        )
        .await
        .unwrap();
    let lead_id = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("lea.roskilde", Role::TeamLead, Some(265), None),
        )
        .await
        .unwrap();
    let sara_user = db
        .create_user(
            &spire_store::Actor::command("test"),
            &user("sara.holm", Role::Youth, Some(265), None),
        )
        .await
        .unwrap();
    let staff = Scope::new(staff_id, Role::Consultant, Some(265), "t");
    let lead = Scope::new(lead_id, Role::TeamLead, Some(265), "t");
    let own = Scope::new(sara_user, Role::Youth, Some(265), "t");
    let sara = db
        .create_youth(&staff, &key, &youth(1, "Sara", staff_id, Some(sara_user)))
        .await
        .unwrap();
    let group = db
        .create_group(
            &staff,
            &NewGroup {
                name: "G".into(),
                facilitator: None,
                place: String::new(),
                start_time: time!(16:00),
                duration_minutes: 90,
            },
        )
        .await
        .unwrap();
    db.join_group(&staff, group, sara, date!(2026 - 03 - 01))
        .await
        .unwrap();
    let series = Series::new(date!(2026 - 03 - 02), date!(2026 - 03 - 16), time!(16:00)).unwrap();
    db.generate_meetings(&staff, group, &series).await.unwrap();
    let meeting = MeetingId::new(db.group(&staff, group).await.unwrap().meetings[0].id);
    db.propose_agenda_item(&staff, meeting, "Velkommen")
        .await
        .unwrap();
    let item = db
        .propose_agenda_item(&own, meeting, "Mit punkt")
        .await
        .unwrap();
    db.move_agenda_item_up(&own, item).await.unwrap();
    db.record_attendance(&staff, meeting, sara, Mark::Present, None)
        .await
        .unwrap();
    db.meeting(&staff, meeting).await.unwrap();
    db.youth_meeting_stability(&staff, sara).await.unwrap();
    let log = db.access_log_for_youth(&lead, sara).await.unwrap();
    for criterion in [
        "joined youth group",
        "youth group members",
        "agenda item",
        "agenda order",
        "network attendance",
        "meeting register",
        "meeting stability",
    ] {
        assert!(
            log.iter()
                .any(|e| e.criterion.as_deref() == Some(criterion)),
            "{criterion} is in the youth's access log"
        );
    }
}

both_dbs!(network_reads_and_changes_are_logged, logged);
