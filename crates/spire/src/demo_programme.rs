//! The demo's year of programme work: a course for every young person the
//! teams work with (from the trial's accepted offers, and outside the trial),
//! internships of every status with function changes and extensions, weekly
//! check-ins, 6-week conversations, exits with their follow-ups, and a few
//! psychologist notes — so the consultant's week, the course and internship
//! pages and the team page have data for every login. Every write goes
//! through the same store functions (and the same law) as the pages.

use crate::Failure;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use spire_domain::course::ExitReason;
use spire_domain::eligibility::Readiness;
use spire_domain::internship::{Conversion, EndedBy, Transition};
use spire_domain::{CompanyId, YouthId};
use spire_store::{Db, NewInternship, Scope};
use time::{Date, Duration};

/// One municipality's team and what the demo created for it.
pub struct DemoTeam {
    pub lead: Scope,
    pub psychologist: Scope,
    pub consultants: Vec<Scope>,
    pub companies: Vec<CompanyId>,
    /// Registered by the caseworker, each with a consultant (in order); the
    /// first has a login of their own.
    pub youth: Vec<YouthId>,
    /// The first youth's own login, and the first company's contact's.
    pub youth_login: Option<Scope>,
    pub contact_login: Option<Scope>,
}

const FUNCTIONS: &[&str] = &[
    "Lagermedhjælper",
    "Køkkenhjælp",
    "Butiksassistent",
    "Værkstedsmedhjælper",
    "Pedelmedhjælper",
    "Tømrerlærling i praktik",
    "Kontorassistent",
    "Gartnermedhjælper",
    "IT-support",
    "Plejemedhjælper",
];

const CHECK_INS: &[&str] = &[
    "God uge. Møder til tiden og er glad for kollegerne.",
    "Lidt træt i starten af ugen; vi talte om søvn og mødetider.",
    "Virksomheden roser initiativet – vil gerne give flere opgaver.",
    "Har lært at køre palleløfter; stolt af det.",
    "Fravær mandag; ringede selv og meldte det. Fint.",
];

const INTERRUPTIONS: &[&str] = &[
    "Arbejdet passede ikke til mig",
    "For lang transporttid",
    "Virksomheden fik færre ordrer",
    "Samarbejdet fungerede ikke",
];

const NOTES: &[&str] = &[
    "Første samtale: uro og søvnproblemer; aftalt tre samtaler.",
    "Arbejder med præstationsangst før praktikstart.",
    "God udvikling; mindre undgåelse, mere lyst til at prøve.",
];

pub async fn seed(db: &Db, teams: &[DemoTeam], today: Date) -> Result<(), Failure> {
    let mut rng = StdRng::seed_from_u64(61); // LAB § 61
    let rules = db.programme_rules().await?.internship;
    let mut totals = (0, 0, 0);
    for team in teams {
        // The trial's accepted offers opened courses without a consultant:
        // the team lead spreads them over the team.
        let week = db.consultant_week(&team.lead, today).await?;
        let mut course_youth: Vec<(YouthId, usize)> = Vec::new();
        for (i, youth) in week.youth.iter().enumerate() {
            let consultant = i % team.consultants.len();
            db.assign_consultant(
                &team.lead,
                YouthId::new(youth.youth_id),
                Some(team.consultants[consultant].user_id()),
            )
            .await?;
            course_youth.push((YouthId::new(youth.youth_id), consultant));
        }
        // Most of the registered youth have a course outside the trial.
        for (i, &youth) in team.youth.iter().enumerate() {
            if i != 0 && rng.random_bool(0.3) {
                continue;
            }
            let consultant = i % team.consultants.len();
            let start = today
                - Duration::days(if i == 0 {
                    120
                } else {
                    rng.random_range(20..330)
                });
            let readiness = if i == 0 {
                Readiness::Aktivitetsparat
            } else {
                *Readiness::ALL.choose(&mut rng).expect("non-empty")
            };
            db.open_course(&team.consultants[consultant], youth, readiness, start)
                .await?;
            course_youth.push((youth, consultant));
        }
        for (n, &(youth, consultant)) in course_youth.iter().enumerate() {
            let scope = &team.consultants[consultant];
            let Some((course, _)) = db.course(scope, youth).await? else {
                continue;
            };
            let readiness = Readiness::from_code(&course.readiness).unwrap_or(Readiness::Jobparat);
            let start = Date::parse(
                &course.start_date,
                &time::format_description::well_known::Iso8601::DATE,
            )
            .unwrap_or(today);
            let own_login = team.youth.first() == Some(&youth);
            let year = YouthYear {
                db,
                scope,
                youth,
                max_days: rules.base_days(readiness),
                today,
                companies: &team.companies,
            };
            // The youth with a login has the same year in every demo: the
            // trial's draw (from a fresh key) changes how much of the shared
            // stream the others use.
            let mut own_rng = StdRng::seed_from_u64(97);
            let rng = if own_login { &mut own_rng } else { &mut rng };
            let (internships, exited) = year.internships(rng, start, own_login).await?;
            totals.0 += internships;
            totals.1 += usize::from(exited);
            totals.2 += year.conversations(rng, start).await?;
            if n % 9 == 4 {
                for note in NOTES.iter().take(rng.random_range(1..=NOTES.len())) {
                    db.add_psychologist_note(&team.psychologist, youth, note)
                        .await?;
                }
            }
        }
    }
    println!(
        "  Programme: {} internships, {} courses ended, {} 6-week conversations",
        totals.0, totals.1, totals.2
    );
    Ok(())
}

/// One youth's year in the programme.
struct YouthYear<'a> {
    db: &'a Db,
    scope: &'a Scope,
    youth: YouthId,
    max_days: i64,
    today: Date,
    companies: &'a [CompanyId],
}

impl YouthYear<'_> {
    /// Internships one after another from the course's start: the past ones
    /// completed, interrupted or converted; one running now (sometimes with
    /// a new function or an extension); sometimes one planned. Some courses
    /// end, with follow-ups. Returns (internships, whether the course ended).
    async fn internships(
        &self,
        rng: &mut StdRng,
        course_start: Date,
        own_login: bool,
    ) -> Result<(usize, bool), Failure> {
        let mut start = course_start + Duration::days(rng.random_range(7..30));
        let mut count = 0;
        while start <= self.today + Duration::days(20) {
            let days = rng.random_range((self.max_days / 2).max(7)..=self.max_days);
            let end = start + Duration::days(days - 1);
            // The youth with a login works at the company with a login (the first).
            let company = if own_login {
                self.companies[0]
            } else {
                *self.companies.choose(rng).expect("companies")
            };
            let new = NewInternship {
                youth: self.youth,
                company,
                contact_id: None,
                function: FUNCTIONS.choose(rng).expect("non-empty").to_string(),
                start,
                end,
                hours_per_week: f64::from(rng.random_range(15..=37_u8)),
                schedule: "man–tors 8–15".into(),
            };
            let id = self.db.create_internship(self.scope, &new).await?;
            count += 1;
            if start > self.today {
                break; // planned
            }
            self.db
                .transition_internship(self.scope, id, Transition::Start, "")
                .await?;
            if rng.random_bool(0.3) {
                let from = start + Duration::days(days / 2);
                let function = FUNCTIONS.choose(rng).expect("non-empty");
                if *function != new.function {
                    self.db
                        .change_internship_function(self.scope, id, function, from)
                        .await?;
                }
            }
            if end >= self.today {
                // Running now: check-ins, and for some an extension.
                self.db
                    .check_in_internship(self.scope, id, CHECK_INS.choose(rng).expect("non-empty"))
                    .await?;
                let mut last_day = end;
                if own_login || rng.random_bool(0.25) {
                    let weeks = self.max_days / 7 + rng.random_range(2..8);
                    last_day = start + Duration::days(weeks * 7 - 1);
                    self.db
                        .extend_internship(
                            self.scope,
                            id,
                            last_day,
                            "Særligt behov: den unge er i gang med at lære en ny funktion",
                            "Teamleder Lene",
                        )
                        .await?;
                }
                if own_login {
                    // And a planned one after it, which the youth may end themselves.
                    let next = NewInternship {
                        start: last_day + Duration::days(14),
                        end: last_day + Duration::days(14 + 20),
                        function: "Butiksassistent".into(),
                        ..new
                    };
                    self.db.create_internship(self.scope, &next).await?;
                    count += 1;
                }
                break;
            }
            // A finished internship: mostly completed; some interrupted, some a job.
            // The youth with a login is still on their course (their pages show it).
            let outcome = if own_login {
                9
            } else {
                rng.random_range(0..10)
            };
            let transition = match outcome {
                0 => Transition::Interrupt(EndedBy::Youth),
                1 => Transition::Interrupt(EndedBy::Company),
                2 => Transition::Convert(*Conversion::ALL.choose(rng).expect("non-empty")),
                _ => Transition::Complete,
            };
            let reason = match transition {
                Transition::Interrupt(_) => INTERRUPTIONS.choose(rng).expect("non-empty"),
                _ => "",
            };
            self.db
                .transition_internship(self.scope, id, transition, reason)
                .await?;
            if let Transition::Convert(to) = transition {
                let exit = end + Duration::days(1);
                let reason = match to {
                    Conversion::Job | Conversion::WageSubsidy => ExitReason::Job,
                    Conversion::Apprenticeship => ExitReason::Apprenticeship,
                    Conversion::Education => ExitReason::Education,
                };
                return Ok((count, self.exit(rng, exit.min(self.today), reason).await?));
            }
            start = end + Duration::days(rng.random_range(5..25));
        }
        // Some long courses end without a converted internship.
        if !own_login && (self.today - course_start).whole_days() > 200 && rng.random_bool(0.25) {
            let reason = *[
                ExitReason::Education,
                ExitReason::Job,
                ExitReason::OtherHelp,
                ExitReason::Moved,
                ExitReason::DroppedOut,
            ]
            .choose(rng)
            .expect("non-empty");
            let on = self.today - Duration::days(rng.random_range(0..30));
            let exited = self.exit(rng, on, reason).await?;
            return Ok((count, exited));
        }
        Ok((count, false))
    }

    /// Ends the course; follow-ups already due are answered (mostly "yes").
    async fn exit(&self, rng: &mut StdRng, on: Date, reason: ExitReason) -> Result<bool, Failure> {
        // Open internships end with the course.
        for row in self.db.youth_internships(self.scope, self.youth).await? {
            let transition = match row.status.as_str() {
                "active" => Transition::Complete,
                "planned" => Transition::Interrupt(EndedBy::Company),
                _ => continue,
            };
            self.db
                .transition_internship(
                    self.scope,
                    spire_domain::InternshipId::new(row.id),
                    transition,
                    "Forløbet er afsluttet",
                )
                .await?;
        }
        self.db
            .exit_course(self.scope, self.youth, on, reason, None)
            .await?;
        if let Some((_, follow_ups)) = self.db.course(self.scope, self.youth).await? {
            for follow_up in follow_ups
                .iter()
                .filter(|f| f.due_date < self.today.to_string())
            {
                let answer = if rng.random_bool(0.8) { "yes" } else { "no" };
                self.db
                    .answer_follow_up(self.scope, follow_up.id, answer)
                    .await?;
            }
        }
        Ok(true)
    }

    /// The 6-week conversations since the start (the last four), both sides,
    /// slowly rising.
    async fn conversations(&self, rng: &mut StdRng, course_start: Date) -> Result<usize, Failure> {
        let mut held = Vec::new();
        let mut on = course_start + Duration::weeks(6);
        while on <= self.today {
            held.push(on);
            on += Duration::weeks(6);
        }
        let recent = &held[held.len().saturating_sub(4)..];
        for (k, &on) in recent.iter().enumerate() {
            let base = 2 + k as i64 / 2;
            let mut scores = || -> [i64; 5] {
                std::array::from_fn(|_| (base + rng.random_range(-1..=1)).clamp(1, 5))
            };
            let consultant_scores = scores();
            let own_scores = scores();
            self.db
                .record_progress(
                    self.scope,
                    self.youth,
                    on,
                    consultant_scores,
                    "Samtale holdt på jobcentret",
                )
                .await?;
            self.db
                .record_progress_for_youth(self.scope, self.youth, on, own_scores, "")
                .await?;
        }
        Ok(recent.len())
    }
}
