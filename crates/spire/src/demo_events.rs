//! The demo's events: in each municipality one held two months ago (invited,
//! the grid, both sides' choices, the match, the calls, internships agreed),
//! one held yesterday whose choices are open (the youth with a login of
//! their own met three companies and has not ranked yet), and one in two
//! weeks with its grid. Every write goes through the store functions the
//! pages use.

use crate::Failure;
use crate::demo_programme::DemoTeam;
use spire_domain::event::CallOutcome;
use spire_domain::{CallId, CompanyId, EventId, YouthId};
use spire_store::{CallUpdate, Db, NewEvent, NewInternship, Scope, SeatMove};
use time::macros::time;
use time::{Date, Duration};

const NOTES: &[&str] = &[
    "God samtale. Hun glæder sig til at starte.",
    "Vi aftalte at tales ved igen efter hans ferie.",
    "Telefonsvarer; lagt besked.",
];

pub async fn seed(db: &Db, teams: &[DemoTeam], today: Date) -> Result<(), Failure> {
    let (mut events, mut internships) = (0, 0);
    for team in teams {
        let staff = &team.consultants[0];
        let week = db.consultant_week(&team.lead, today).await?;
        let with_course: Vec<YouthId> = week
            .youth
            .iter()
            .map(|y| YouthId::new(y.youth_id))
            .filter(|y| Some(y) != team.youth.first())
            .collect();
        // Held two months ago: from invitations to internships.
        let past_youth: Vec<YouthId> = with_course.iter().copied().take(9).collect();
        let past_companies: Vec<CompanyId> =
            team.companies.iter().copied().skip(3).take(4).collect();
        let past = plan(
            db,
            staff,
            "NExTWORK-event i foråret",
            today - Duration::days(60),
            4,
            3,
            &past_companies,
            &past_youth,
        )
        .await?;
        for (i, youth) in past_youth.iter().enumerate() {
            let met = db.youth_choices(staff, past, Some(*youth)).await?.met;
            if met.is_empty() {
                continue;
            }
            let order: Vec<CompanyId> = rotate(
                &met.iter().map(|m| CompanyId::new(m.0)).collect::<Vec<_>>(),
                i,
            );
            db.rank_companies(staff, past, Some(*youth), &order).await?;
        }
        for (i, company) in past_companies.iter().enumerate() {
            let met = db.company_choices(staff, past, Some(*company)).await?.met;
            let order: Vec<YouthId> = rotate(
                &met.iter().map(|m| YouthId::new(m.0)).collect::<Vec<_>>(),
                i + 1,
            );
            db.mark_youth(staff, past, Some(*company), &order, 2)
                .await?;
        }
        db.run_match(staff, past).await?;
        for (i, call) in db.calls(staff, Some(past)).await?.iter().enumerate() {
            // After the internships the youth have planned now, within four weeks.
            let start = today + Duration::days(150 + i as i64 * 2);
            let agreed = CallUpdate {
                outcome: CallOutcome::Agreed,
                note: NOTES[0].into(),
                internship: Some(NewInternship {
                    youth: YouthId::new(call.youth_id),
                    company: CompanyId::new(call.company_id),
                    contact_id: None,
                    function: "Praktik fra NExTWORK-event".into(),
                    start,
                    end: start + Duration::days(25),
                    hours_per_week: 25.0,
                    schedule: String::new(),
                }),
            };
            let update = if i % 3 == 2 {
                CallUpdate {
                    outcome: CallOutcome::NotReached,
                    note: NOTES[2].into(),
                    internship: None,
                }
            } else {
                agreed
            };
            // A youth whose course or other internship does not allow this
            // one is recorded as reached, as a consultant would.
            match db.record_call(staff, CallId::new(call.id), &update).await {
                Ok(Some(_)) => internships += 1,
                Ok(None) => {}
                Err(spire_store::Error::Invalid(_) | spire_store::Error::InvalidFields(_)) => {
                    let reached = CallUpdate {
                        outcome: CallOutcome::Reached,
                        note: NOTES[1].into(),
                        internship: None,
                    };
                    db.record_call(staff, CallId::new(call.id), &reached)
                        .await?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        // Held yesterday, choices open: the youth with a login met three companies.
        let mut open_youth: Vec<YouthId> = team.youth.first().copied().into_iter().collect();
        open_youth.extend(with_course.iter().skip(9).take(5));
        let open_companies: Vec<CompanyId> = team.companies.iter().copied().take(3).collect();
        let open = plan(
            db,
            staff,
            "NExTWORK-event i går",
            today - Duration::days(1),
            3,
            3,
            &open_companies,
            &open_youth,
        )
        .await?;
        if let Some(own) = team.youth.first() {
            meet_all(db, staff, open, *own, &open_companies, 3).await?;
        }
        for (i, company) in open_companies.iter().enumerate() {
            let met = db.company_choices(staff, open, Some(*company)).await?.met;
            let order: Vec<YouthId> = rotate(
                &met.iter().map(|m| YouthId::new(m.0)).collect::<Vec<_>>(),
                i,
            );
            db.mark_youth(staff, open, Some(*company), &order, 2)
                .await?;
        }
        // In two weeks: invited, the grid made.
        // Others than the past events' where there are enough (a small
        // team has fewer than 15 youth with a course some days).
        let next_youth: Vec<YouthId> = if with_course.len() > 14 {
            with_course.iter().copied().skip(14).take(8).collect()
        } else {
            with_course.iter().copied().rev().take(8).collect()
        };
        let next_companies: Vec<CompanyId> =
            team.companies.iter().copied().skip(7).take(4).collect();
        plan(
            db,
            staff,
            "NExTWORK-event efter sommerferien",
            today + Duration::days(14),
            4,
            3,
            &next_companies,
            &next_youth,
        )
        .await?;
        events += 3;
    }
    println!("  Events: {events} (past ones matched and called: {internships} internships agreed)");
    Ok(())
}

/// An event with its companies (all said yes, the first with two tables),
/// its youth (the first hosts) and the grid from the engine.
#[allow(clippy::too_many_arguments)]
async fn plan(
    db: &Db,
    staff: &Scope,
    title: &str,
    date: Date,
    rounds: i64,
    meetings: i64,
    companies: &[CompanyId],
    youth: &[YouthId],
) -> Result<EventId, Failure> {
    let event = db
        .create_event(
            staff,
            &NewEvent {
                title: title.into(),
                date,
                time: time!(13:00),
                place: "Ungehuset, salen".into(),
                rounds,
                meetings_per_youth: meetings,
                ranking_deadline: date + Duration::days(7),
                facilitators: vec![staff.user_id()],
            },
        )
        .await?;
    for (i, company) in companies.iter().enumerate() {
        let tables = if i == 0 { 2 } else { 1 };
        db.invite_company(staff, event, *company, tables).await?;
        db.answer_invitation(staff, event, Some(*company), true, tables)
            .await?;
    }
    for (i, y) in youth.iter().enumerate() {
        db.add_event_youth(staff, event, *y, i < 2).await?;
    }
    // The engine needs someone to seat; a team without youth keeps the plan.
    if !youth.is_empty() {
        db.generate_grid(staff, event).await?;
    }
    Ok(event)
}

/// Seats `youth` at every company they have not met, in rounds where they
/// sit nowhere (as a consultant adjusting the grid by hand would).
async fn meet_all(
    db: &Db,
    staff: &Scope,
    event: EventId,
    youth: YouthId,
    companies: &[CompanyId],
    rounds: i64,
) -> Result<(), Failure> {
    let grid = db.event(staff, event).await?.grid;
    let mine: Vec<_> = grid.iter().filter(|s| s.youth_id == youth.get()).collect();
    let mut free_rounds = (1..=rounds).filter(|r| !mine.iter().any(|s| s.round + 1 == *r));
    for company in companies {
        if mine.iter().any(|s| s.company_id == company.get()) {
            continue;
        }
        let Some(round) = free_rounds.next() else {
            break;
        };
        let seat = SeatMove {
            youth,
            round,
            company: *company,
            table: 1,
        };
        db.move_seat(staff, event, seat, true).await?;
    }
    Ok(())
}

/// The list turned `by` places, so not everyone ranks alike.
fn rotate<T: Clone>(list: &[T], by: usize) -> Vec<T> {
    if list.is_empty() {
        return Vec::new();
    }
    let by = by % list.len();
    [&list[by..], &list[..by]].concat()
}
