//! The demo's year of networks: in each municipality two youth groups that
//! have met weekly for a year (holidays skipped, one meeting cancelled, one
//! moved), with attendance, agenda items the youth proposed and the
//! facilitator added, and shared notes; and the company network with its
//! members, places, monthly meetings with sign-ups, and a contact log per
//! company. Every write goes through the same store functions as the pages.

use crate::Failure;
use crate::demo_programme::DemoTeam;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use spire_domain::network::{Mark, Series};
use spire_domain::{MeetingId, YouthId};
use spire_store::{Db, MeetingChange, NewContactLog, NewGroup, NewNetworkMeeting, NewSlot};
use time::macros::time;
use time::{Date, Duration, Weekday};

const GROUPS: [(&str, Weekday); 2] = [
    ("Mandagsgruppen", Weekday::Monday),
    ("Torsdagsgruppen", Weekday::Thursday),
];

const YOUTH_ITEMS: &[&str] = &[
    "Hvordan siger man nej til overarbejde?",
    "Min første uge i praktik",
    "Hvad gør man, når man kommer for sent?",
    "Løn og skat – hvordan læser man en lønseddel?",
    "At tale med chefen om flere opgaver",
    "Jobsamtale på torsdag – øv med mig",
];

const FACILITATOR_ITEMS: &[&str] = &[
    "Velkommen og runde",
    "Besøg fra en virksomhed i netværket",
    "Næste NExTWORK-event",
];

const MEETING_NOTES: &[&str] = &[
    "Vi talte om at sige fra på en god måde. To fortalte om deres første uge.",
    "Runde om praktikken. Gode råd om mødetider og at spørge om hjælp.",
    "Øvede jobsamtaler i par. Alle fik feedback fra to andre.",
    "Vi lavede en liste over virksomheder, gruppen gerne vil besøge.",
];

const CONTACTS: &[(&str, &str)] = &[
    (
        "visit",
        "Besøg på arbejdspladsen. Aftalt en praktikplads fra næste måned.",
    ),
    (
        "phone",
        "Opfølgning på praktikken; virksomheden er tilfreds og vil gerne fortsætte.",
    ),
    ("email", "Sendt invitation til næste netværksmøde."),
    (
        "meeting",
        "Netværksmøde: virksomheden vil være vært for et event.",
    ),
];

const TOPICS: &[&str] = &[
    "Morgenmøde: gode praktikforløb",
    "Sådan tager vi imod en ung i praktik",
    "Fra praktik til job eller lære",
    "Erfaringer fra NExTWORK-eventet",
];

pub async fn seed(db: &Db, teams: &[DemoTeam], today: Date) -> Result<(), Failure> {
    let mut rng = StdRng::seed_from_u64(5545); // RFC 5545
    let mut totals = (0, 0, 0);
    for team in teams {
        let lead = &team.lead;
        let week = db.consultant_week(lead, today).await?;
        let mut members: Vec<YouthId> = week
            .youth
            .iter()
            .map(|y| YouthId::new(y.youth_id))
            .collect();
        // The youth with a login of their own is in the first group.
        if let Some(at) = team
            .youth
            .first()
            .and_then(|own| members.iter().position(|y| y == own))
        {
            members.swap(0, at);
        }
        let start_of_year = today - Duration::days(350);
        for (g, (name, weekday)) in GROUPS.iter().enumerate() {
            let facilitator = &team.consultants[g % team.consultants.len()];
            let group = db
                .create_group(
                    lead,
                    &NewGroup {
                        name: (*name).into(),
                        facilitator: Some(facilitator.user_id()),
                        place: "Ungehuset, mødelokale 2".into(),
                        start_time: time!(15:30),
                        duration_minutes: 90,
                    },
                )
                .await?;
            let mut first = start_of_year;
            while first.weekday() != *weekday {
                first += Duration::days(1);
            }
            let series = Series::new(first, today + Duration::weeks(6), time!(15:30))
                .map_err(|e| Failure::Other(format!("demo series: {e:?}")))?;
            db.generate_meetings(lead, group, &series).await?;
            let chosen: Vec<YouthId> = members
                .iter()
                .skip(g)
                .step_by(GROUPS.len())
                .take(8)
                .copied()
                .collect();
            // The youth with a login proposes items only in a group they are in.
            let proposer = team
                .youth_login
                .as_ref()
                .filter(|_| !chosen.is_empty() && chosen.first() == team.youth.first());
            let mut joined = Vec::new();
            for (i, youth) in chosen.iter().enumerate() {
                // Most joined at the start; some came later.
                let on = first + Duration::weeks(if i < 5 { 0 } else { rng.random_range(4..30) });
                db.join_group(facilitator, group, *youth, on).await?;
                joined.push((*youth, on, rng.random_range(0.55..0.97)));
            }
            let meetings = db.group(facilitator, group).await?.meetings;
            let past: Vec<_> = meetings
                .iter()
                .filter(|m| m.date < today.to_string())
                .collect();
            // One past meeting cancelled, one upcoming moved.
            if let Some(cancelled) = past.get(past.len() / 2) {
                db.change_meeting(
                    facilitator,
                    MeetingId::new(cancelled.id),
                    &MeetingChange::Cancel {
                        reason: "Facilitator syg – ingen afløser".into(),
                    },
                )
                .await?;
            }
            let upcoming: Vec<_> = meetings
                .iter()
                .filter(|m| m.date >= today.to_string())
                .collect();
            if let Some(moved) = upcoming.get(2) {
                let from = Date::parse(
                    &moved.date,
                    &time::format_description::well_known::Iso8601::DATE,
                )
                .unwrap_or(today);
                db.change_meeting(
                    facilitator,
                    MeetingId::new(moved.id),
                    &MeetingChange::Move {
                        date: from + Duration::days(1),
                        time: time!(16:00),
                        reason: "Lokalet er optaget – vi mødes dagen efter".into(),
                    },
                )
                .await?;
            }
            let cancelled_id = past.get(past.len() / 2).map(|m| m.id);
            for (n, meeting) in past.iter().enumerate() {
                if Some(meeting.id) == cancelled_id {
                    continue;
                }
                let id = MeetingId::new(meeting.id);
                // The last ten meetings have their agenda and notes.
                if n + 10 >= past.len() {
                    seed_agenda(db, proposer, facilitator, id, &mut rng).await?;
                    let note = MEETING_NOTES.choose(&mut rng).expect("non-empty");
                    db.write_meeting_notes(facilitator, id, note).await?;
                }
                for (youth, on, propensity) in &joined {
                    if meeting.date < on.to_string() {
                        continue;
                    }
                    let roll: f64 = rng.random();
                    let mark = if roll < *propensity {
                        Mark::Present
                    } else if roll < propensity + (1.0 - propensity) * 0.6 {
                        Mark::AbsentWithReason
                    } else {
                        Mark::AbsentWithoutNotice
                    };
                    let reason = (mark == Mark::AbsentWithReason).then_some("Syg");
                    db.record_attendance(facilitator, id, *youth, mark, reason)
                        .await?;
                    totals.1 += 1;
                }
                totals.0 += 1;
            }
            // The next meeting's agenda is open: youth items waiting to be ordered.
            if let Some(next) = upcoming.first() {
                seed_agenda(db, proposer, facilitator, MeetingId::new(next.id), &mut rng).await?;
            }
        }
        totals.2 += seed_company_network(db, team, today, &mut rng).await?;
    }
    println!(
        "  Networks: {} youth network meetings held, {} attendance marks, {} company network meetings",
        totals.0, totals.1, totals.2
    );
    Ok(())
}

/// Three items: the facilitator adds one; two come from the youth with a
/// login when they are in the group (else from the facilitator too).
async fn seed_agenda(
    db: &Db,
    proposer: Option<&spire_store::Scope>,
    facilitator: &spire_store::Scope,
    meeting: MeetingId,
    rng: &mut StdRng,
) -> Result<(), Failure> {
    let facilitator_item = FACILITATOR_ITEMS.choose(rng).expect("non-empty");
    db.propose_agenda_item(facilitator, meeting, facilitator_item)
        .await?;
    for item in YOUTH_ITEMS.choose_multiple(rng, 2) {
        db.propose_agenda_item(proposer.unwrap_or(facilitator), meeting, item)
            .await?;
    }
    Ok(())
}

/// Every company of the team in the network, their places, a year of
/// monthly meetings and the contact log. Returns the meetings held.
async fn seed_company_network(
    db: &Db,
    team: &DemoTeam,
    today: Date,
    rng: &mut StdRng,
) -> Result<usize, Failure> {
    let lead = &team.lead;
    for (i, company) in team.companies.iter().enumerate() {
        let joined = today - Duration::days(rng.random_range(30..400));
        db.join_network(lead, *company, joined).await?;
        if i % 2 == 0 {
            let from = today + Duration::days(rng.random_range(7..60));
            db.add_slot(
                lead,
                &NewSlot {
                    company: *company,
                    function: [
                        "Lagermedhjælper",
                        "Køkkenhjælp",
                        "Butiksassistent",
                        "Værkstedsmedhjælper",
                    ]
                    .choose(rng)
                    .expect("non-empty")
                    .to_string(),
                    places: rng.random_range(1..4),
                    from,
                    to: from + Duration::weeks(13),
                },
            )
            .await?;
        }
        for _ in 0..rng.random_range(1..4) {
            let (kind, summary) = CONTACTS.choose(rng).expect("non-empty");
            db.add_contact_log(
                lead,
                &NewContactLog {
                    company: *company,
                    kind: (*kind).into(),
                    contact: None,
                    happened_on: today - Duration::days(rng.random_range(1..300)),
                    summary: (*summary).into(),
                },
            )
            .await?;
        }
    }
    let mut held = 0;
    let contacts = db.company_contacts(lead).await?;
    // Monthly, on a Tuesday morning: eleven past months and two to come.
    for month in -11i64..=2 {
        let mut date = today + Duration::days(month * 30);
        while date.weekday() != Weekday::Tuesday {
            date += Duration::days(1);
        }
        let meeting = db
            .create_network_meeting(
                lead,
                &NewNetworkMeeting {
                    date,
                    time: time!(08:30),
                    duration_minutes: 120,
                    place: "Rådhuset, lokale 1".into(),
                    topic: TOPICS[(month.rem_euclid(4)) as usize].into(),
                },
            )
            .await?;
        // The company contact with a login has signed up for the last one planned.
        if let Some(contact) = team.contact_login.as_ref().filter(|_| month == 2) {
            db.sign_up_for_network_meeting(contact, meeting, true)
                .await?;
        }
        if date < today {
            held += 1;
            // Who came: the staff mark two to four contact persons of the network.
            let came = rng.random_range(2..5);
            for (contact, ..) in contacts.choose_multiple(rng, came) {
                db.record_network_attendance(lead, meeting, *contact, rng.random_bool(0.85))
                    .await?;
            }
            db.write_network_notes(
                lead,
                meeting,
                "Virksomhederne delte erfaringer; to nye praktikpladser blev lovet.",
            )
            .await?;
        }
    }
    Ok(held)
}
