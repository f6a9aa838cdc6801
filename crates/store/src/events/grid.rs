//! The rotation grid: the engine plans it from the youth's interests and
//! the accepted companies' industries and tables, and a seat moved by hand
//! is checked first for what it breaks.

use super::*;

/// What the grid needs from the database: the youth and their interests, the
/// accepted companies with their industries and tables, in a fixed order.
pub(super) struct GridInput {
    pub(super) youth: Vec<(i64, String, String)>,
    pub(super) companies: Vec<(i64, String, String, i64)>,
    pub(super) rounds: i64,
    pub(super) meetings_per_youth: i64,
}

impl GridInput {
    /// What the stored seats break, with names.
    pub(super) fn check(&self, seats: &[(i64, i64, i64, i64)]) -> Vec<GridIssue> {
        self.issues(&check_grid(&self.request(), &self.meetings(seats)))
    }

    /// The engine's request. Every company also carries a number "open to
    /// any", which a youth carries only when their interests fit fewer of the
    /// companies than they should meet: they then meet others too, fitting
    /// companies first (a pair sharing a real interest counts double).
    fn request(&self) -> RotationRequest {
        const OPEN_TO_ANY: u32 = 0;
        let mut industries: Vec<String> = vec![String::new()];
        let mut number = |name: &str| -> u32 {
            match industries.iter().position(|i| i == name) {
                Some(i) => i as u32,
                None => {
                    industries.push(name.to_string());
                    (industries.len() - 1) as u32
                }
            }
        };
        let company_industries: Vec<Vec<u32>> = self
            .companies
            .iter()
            .map(|(_, _, industry, _)| vec![number(&industry.to_lowercase()), OPEN_TO_ANY])
            .collect();
        let youth_interests = self
            .youth
            .iter()
            .map(|(_, _, interests)| {
                let mut fits: Vec<u32> = spire_domain::event::industries_of_interests(interests)
                    .into_iter()
                    .map(|industry| number(&industry))
                    .collect();
                let fitting = company_industries
                    .iter()
                    .filter(|c| fits.contains(&c[0]))
                    .count() as i64;
                if fitting < self.meetings_per_youth {
                    fits.push(OPEN_TO_ANY);
                }
                fits
            })
            .collect();
        RotationRequest {
            rounds: self.rounds as u32,
            meetings_per_youth: self.meetings_per_youth as u32,
            youth_interests,
            company_industries,
            company_tables: self.companies.iter().map(|c| c.3 as u32).collect(),
        }
    }

    fn youth_index(&self, id: i64) -> Option<Youth> {
        self.youth
            .iter()
            .position(|y| y.0 == id)
            .map(|i| Youth(i as u32))
    }

    fn company_index(&self, id: i64) -> Option<Company> {
        self.companies
            .iter()
            .position(|c| c.0 == id)
            .map(|i| Company(i as u32))
    }

    /// The stored seats as the engine's meetings; seats of youth or companies
    /// no longer at the event are left out (and so show as fewer meetings).
    fn meetings(&self, seats: &[(i64, i64, i64, i64)]) -> Vec<Meeting> {
        seats
            .iter()
            .filter_map(|&(round, company, table, youth)| {
                Some(Meeting {
                    round: round as u32,
                    company: self.company_index(company)?,
                    table: table as u32,
                    youth: self.youth_index(youth)?,
                })
            })
            .collect()
    }

    fn issues(&self, problems: &[GridProblem]) -> Vec<GridIssue> {
        let youth = |y: Youth| Some(self.youth[y.index()].1.clone());
        let company = |c: Company| Some(self.companies[c.index()].1.clone());
        let blank = GridIssue {
            kind: "",
            round: None,
            youth: None,
            company: None,
            table: None,
            planned: None,
            requested: None,
        };
        problems
            .iter()
            .map(|p| match *p {
                GridProblem::NoSuchSeat {
                    round,
                    company: c,
                    table,
                } => GridIssue {
                    kind: "no_such_seat",
                    round: Some(i64::from(round) + 1),
                    company: self.companies.get(c.index()).map(|c| c.1.clone()),
                    table: Some(i64::from(table) + 1),
                    ..blank.clone()
                },
                GridProblem::YouthTwiceInRound { round, youth: y } => GridIssue {
                    kind: "youth_twice_in_round",
                    round: Some(i64::from(round) + 1),
                    youth: youth(y),
                    ..blank.clone()
                },
                GridProblem::TableTaken {
                    round,
                    company: c,
                    table,
                } => GridIssue {
                    kind: "table_taken",
                    round: Some(i64::from(round) + 1),
                    company: company(c),
                    table: Some(i64::from(table) + 1),
                    ..blank.clone()
                },
                GridProblem::MetTwice {
                    youth: y,
                    company: c,
                } => GridIssue {
                    kind: "met_twice",
                    youth: youth(y),
                    company: company(c),
                    ..blank.clone()
                },
                GridProblem::NoSharedInterest {
                    youth: y,
                    company: c,
                } => GridIssue {
                    kind: "no_shared_interest",
                    youth: youth(y),
                    company: company(c),
                    ..blank.clone()
                },
                GridProblem::FewerMeetings {
                    youth: y,
                    planned,
                    requested,
                } => GridIssue {
                    kind: "fewer_meetings",
                    youth: youth(y),
                    planned: Some(i64::from(planned)),
                    requested: Some(i64::from(requested)),
                    ..blank.clone()
                },
            })
            .collect()
    }
}

macro_rules! grid_input {
    ($conn:expr, $event:expr, $row:expr) => {{
        let youth: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT y.id, y.first_name || ' ' || y.last_name, y.interests FROM event_youth ey \
             JOIN youth y ON y.id = ey.youth_id WHERE ey.event_id = $1 ORDER BY y.id",
        )
        .bind($event)
        .fetch_all(&mut *$conn)
        .await?;
        let companies: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT c.id, c.name, c.industry, ec.tables FROM event_companies ec \
             JOIN companies c ON c.id = ec.company_id WHERE ec.event_id = $1 AND ec.status = 'accepted' ORDER BY c.id",
        )
        .bind($event)
        .fetch_all(&mut *$conn)
        .await?;
        GridInput {
            youth,
            companies,
            rounds: $row.rounds,
            meetings_per_youth: $row.meetings_per_youth,
        }
    }};
}

macro_rules! stored_seats {
    ($conn:expr, $event:expr) => {{
        let seats: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT round, company_id, table_no, youth_id FROM event_grid WHERE event_id = $1",
        )
        .bind($event)
        .fetch_all(&mut *$conn)
        .await?;
        seats
    }};
}

/// A grid problem's short text for the log (language-free codes and names).
fn breaks_text(issues: &[GridIssue]) -> String {
    issues
        .iter()
        .map(|i| {
            let mut text = i.kind.to_string();
            for part in [i.youth.as_deref(), i.company.as_deref()]
                .into_iter()
                .flatten()
            {
                text.push(' ');
                text.push_str(part);
            }
            if let Some(round) = i.round {
                text.push_str(&format!(" r{round}"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join("; ")
}
pub(super) use {grid_input, stored_seats};

impl Db {
    /// Plans the rotation grid with the engine from the youth's interests and
    /// the accepted companies' industries and tables; replaces the grid.
    /// Returns what the plan could not give (fewer meetings, with names).
    pub async fn generate_grid(&self, scope: &Scope, id: EventId) -> Result<Vec<GridIssue>> {
        let municipality = staff_municipality(scope)?;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let event = require_event!(&mut *tx, id, Viewer::Staff { municipality });
            let input = grid_input!(&mut *tx, id.get(), event);
            if input.companies.is_empty() {
                return Err(one("grid", Problem::NotInvited));
            }
            if input.youth.is_empty() {
                return Err(one("grid", Problem::NotAtEvent));
            }
            let request = input.request();
            let plan = plan_rotation(&request);
            sqlx::query("DELETE FROM event_grid WHERE event_id = $1")
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            for m in &plan.meetings {
                sqlx::query(
                    "INSERT INTO event_grid (event_id, round, company_id, table_no, youth_id) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id.get())
                .bind(i64::from(m.round))
                .bind(input.companies[m.company.index()].0)
                .bind(i64::from(m.table))
                .bind(input.youth[m.youth.index()].0)
                .execute(&mut *tx)
                .await?;
            }
            let issues = input.issues(&check_grid(&request, &plan.meetings));
            sqlx::query(
                "INSERT INTO event_grid_log (event_id, change, breaks, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.get())
            .bind("generated")
            .bind(breaks_text(&issues))
            .bind(scope.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(issues)
        })
    }

    /// Moves a youth's seat in one round by hand. The check runs on the grid
    /// as it would be: with problems and without `accept_breaks`, nothing is
    /// saved and the problems come back; with it, the move is saved and its
    /// problems logged.
    pub async fn move_seat(
        &self,
        scope: &Scope,
        id: EventId,
        seat: SeatMove,
        accept_breaks: bool,
    ) -> Result<Vec<GridIssue>> {
        let municipality = staff_municipality(scope)?;
        let now = crate::now();
        on_db!(self, |pool| {
            let mut tx = pool.begin_write_as(scope).await?;
            let event = require_event!(&mut *tx, id, Viewer::Staff { municipality });
            let input = grid_input!(&mut *tx, id.get(), event);
            let mut problems = Vec::new();
            if !(1..=event.rounds).contains(&seat.round) {
                problems.push(FieldError::out_of_range("round", 1, event.rounds));
            }
            let company = input.companies.iter().find(|c| c.0 == seat.company.get());
            match company {
                None => problems.push(FieldError::new("company_id", Problem::NotInvited)),
                Some(c) if !(1..=c.3).contains(&seat.table) => {
                    problems.push(FieldError::out_of_range("table", 1, c.3));
                }
                Some(_) => {}
            }
            if input.youth_index(seat.youth.get()).is_none() {
                problems.push(FieldError::new("youth_id", Problem::NotAtEvent));
            }
            refuse(problems)?;
            let round = seat.round - 1;
            let table = seat.table - 1;
            // The youth leaves their seat of the round; whoever held the new
            // seat gives it up.
            let request = input.request();
            let mut seats = stored_seats!(&mut *tx, id.get());
            let before = check_grid(&request, &input.meetings(&seats));
            seats.retain(|s| {
                s.0 != round
                    || (s.3 != seat.youth.get() && (s.1, s.2) != (seat.company.get(), table))
            });
            seats.push((round, seat.company.get(), table, seat.youth.get()));
            let mut broken = check_grid(&request, &input.meetings(&seats));
            broken.retain(|p| !before.contains(p));
            let issues = input.issues(&broken);
            if !issues.is_empty() && !accept_breaks {
                return Ok(issues);
            }
            sqlx::query(
                "DELETE FROM event_grid WHERE event_id = $1 AND round = $2 AND youth_id = $3",
            )
            .bind(id.get())
            .bind(round)
            .bind(seat.youth.get())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM event_grid WHERE event_id = $1 AND round = $2 AND company_id = $3 AND table_no = $4",
            )
            .bind(id.get())
            .bind(round)
            .bind(seat.company.get())
            .bind(table)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO event_grid (event_id, round, company_id, table_no, youth_id) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.get())
            .bind(round)
            .bind(seat.company.get())
            .bind(table)
            .bind(seat.youth.get())
            .execute(&mut *tx)
            .await?;
            let youth_name = &input.youth[input
                .youth_index(seat.youth.get())
                .expect("checked")
                .index()]
            .1;
            let company_name = &company.expect("checked").1;
            sqlx::query(
                "INSERT INTO event_grid_log (event_id, change, breaks, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.get())
            .bind(format!(
                "moved {youth_name} r{} {company_name} t{}",
                seat.round, seat.table
            ))
            .bind(breaks_text(&issues))
            .bind(scope.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Vec::new())
        })
    }
}
