//! The event's rotation schedule: in each round every company representative (a "table") talks
//! with one youth, and every youth talks with at most one company.
//!
//! Planned in two exact steps:
//! 1. *Who meets whom*: a minimum-cost maximum flow from youth (each wanting `meetings_per_youth`
//!    meetings) through pairs that share an industry (each pair at most once) to companies (at most
//!    `tables × rounds` meetings). The flow is as large as any plan can be; among those, company load
//!    per table is as even as possible, then interest fit as high as possible.
//! 2. *In which round*: give each company's meetings to its tables in turn, so no table has more
//!    than `rounds`; the youth–table graph then has degree at most `rounds`, and König's theorem
//!    says its edges can be coloured with `rounds` colours (rounds) so no youth or table is used twice
//!    in a round. We colour it by alternating-path swaps.

use crate::instance::{Company, Youth};
use crate::min_cost_flow::FlowNetwork;

/// What the organiser asks for. Industries are numbers chosen by the caller.
#[derive(Clone, Debug, Default)]
pub struct RotationRequest {
    pub rounds: u32,
    /// How many different companies each youth should meet (at most one per round).
    pub meetings_per_youth: u32,
    pub youth_interests: Vec<Vec<u32>>,
    pub company_industries: Vec<Vec<u32>>,
    /// Representatives each company sends: how many youth it can talk with in one round.
    pub company_tables: Vec<u32>,
}

/// A youth and a company's table in a round; rounds and tables count from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Meeting {
    pub round: u32,
    pub company: Company,
    pub table: u32,
    pub youth: Youth,
}

/// A youth who gets fewer meetings than requested, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shortfall {
    pub youth: Youth,
    pub requested: u32,
    pub planned: u32,
    pub reason: ShortfallReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShortfallReason {
    /// Fewer companies (with at least one table) share an interest with the youth than requested.
    TooFewFittingCompanies { fitting: u32 },
    /// A youth can meet only one company per round.
    MoreMeetingsThanRounds { rounds: u32 },
    /// Enough companies fit, but their tables are needed by others: no plan gives everyone more.
    TablesFull,
}

/// The best plan there is: as many meetings as possible. Complete when `shortfalls` is empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationPlan {
    pub rounds: u32,
    /// Sorted by round, company, table.
    pub meetings: Vec<Meeting>,
    pub shortfalls: Vec<Shortfall>,
}

impl RotationPlan {
    pub fn is_complete(&self) -> bool {
        self.shortfalls.is_empty()
    }

    /// Meetings per company.
    pub fn company_load(&self, company_count: usize) -> Vec<u32> {
        let mut load = vec![0; company_count];
        for meeting in &self.meetings {
            load[meeting.company.index()] += 1;
        }
        load
    }
}

/// How many industries a youth and a company share; they fit when it is at least one.
fn shared_industries(interests: &[u32], industries: &[u32]) -> u32 {
    interests.iter().filter(|i| industries.contains(i)).count() as u32
}

/// Plans the event: as many meetings as any plan can hold, load per table as even as possible,
/// then interest overlap as high as possible. Never fails; what cannot be met is in
/// [`RotationPlan::shortfalls`]. Memory grows with (youth + tables) × rounds; time is polynomial
/// (one shortest-path search per meeting), a fraction of a second for a few hundred youth.
pub fn plan_rotation(request: &RotationRequest) -> RotationPlan {
    let youth_count = request.youth_interests.len();
    let company_count = request.company_industries.len();
    assert_eq!(
        company_count,
        request.company_tables.len(),
        "one table count per company"
    );
    let rounds = request.rounds;
    let wanted = request.meetings_per_youth.min(rounds);

    let mut interests: Vec<Vec<u32>> = request.youth_interests.clone();
    for list in &mut interests {
        list.sort_unstable();
        list.dedup();
    }
    let fit: Vec<Vec<u32>> = interests
        .iter()
        .map(|interests| {
            (0..company_count)
                .map(|c| {
                    let has_tables = request.company_tables[c] > 0;
                    if has_tables {
                        shared_industries(interests, &request.company_industries[c])
                    } else {
                        0
                    }
                })
                .collect()
        })
        .collect();
    let best_fit = fit.iter().flatten().copied().max().unwrap_or(0) as i64;

    // Nodes: source, youth, companies, sink.
    let source = 0;
    let youth_node = |y: usize| 1 + y;
    let company_node = |c: usize| 1 + youth_count + c;
    let sink = 1 + youth_count + company_count;
    let mut network = FlowNetwork::new(sink + 1);
    let demand = youth_count as i64 * i64::from(wanted);
    // One more round of load per table must cost more than any difference in fit can save.
    let load_weight = demand * best_fit + 1;
    let mut pair_arcs = Vec::new();
    for (y, fit_by_company) in fit.iter().enumerate() {
        network.add_arc(source, youth_node(y), i64::from(wanted), 0);
        for (c, &pair_fit) in fit_by_company.iter().enumerate() {
            if pair_fit > 0 {
                let arc = network.add_arc(
                    youth_node(y),
                    company_node(c),
                    1,
                    best_fit - i64::from(pair_fit),
                );
                pair_arcs.push((y, c, arc));
            }
        }
    }
    for c in 0..company_count {
        // Convex cost per table-round of load: the flow spreads meetings evenly over tables.
        for level in 0..rounds {
            let tables = i64::from(request.company_tables[c]);
            network.add_arc(
                company_node(c),
                sink,
                tables,
                i64::from(level) * load_weight,
            );
        }
    }
    network.min_cost_max_flow(source, sink);

    let pairs: Vec<(usize, usize)> = pair_arcs
        .iter()
        .filter(|&&(_, _, arc)| network.flow(arc) == 1)
        .map(|&(y, c, _)| (y, c))
        .collect();
    let meetings = schedule_rounds(&pairs, &request.company_tables, youth_count, rounds);

    let mut planned = vec![0u32; youth_count];
    for &(y, _) in &pairs {
        planned[y] += 1;
    }
    let shortfalls = (0..youth_count)
        .filter(|&y| planned[y] < request.meetings_per_youth)
        .map(|y| {
            let fitting = fit[y].iter().filter(|&&f| f > 0).count() as u32;
            let reason = if fitting < request.meetings_per_youth {
                ShortfallReason::TooFewFittingCompanies { fitting }
            } else if request.meetings_per_youth > rounds {
                ShortfallReason::MoreMeetingsThanRounds { rounds }
            } else {
                ShortfallReason::TablesFull
            };
            Shortfall {
                youth: Youth(y as u32),
                requested: request.meetings_per_youth,
                planned: planned[y],
                reason,
            }
        })
        .collect();
    RotationPlan {
        rounds,
        meetings,
        shortfalls,
    }
}

/// Assigns each (youth, company) pair a table and a round so that nobody is double-booked.
/// Requires each youth in at most `rounds` pairs and each company in at most `tables × rounds`.
fn schedule_rounds(
    pairs: &[(usize, usize)],
    company_tables: &[u32],
    youth_count: usize,
    rounds: u32,
) -> Vec<Meeting> {
    let rounds = rounds as usize;
    let mut first_table_node = Vec::with_capacity(company_tables.len());
    let mut next_node = youth_count;
    for &tables in company_tables {
        first_table_node.push(next_node);
        next_node += tables as usize;
    }
    // Deal each company's meetings over its tables in turn.
    let mut dealt = vec![0usize; company_tables.len()];
    let edges: Vec<(usize, usize)> = pairs
        .iter()
        .map(|&(y, c)| {
            let table = dealt[c] % company_tables[c] as usize;
            dealt[c] += 1;
            (y, first_table_node[c] + table)
        })
        .collect();

    const FREE: usize = usize::MAX;
    // edge_in_round[node * rounds + round]: the edge using that node in that round.
    let mut edge_in_round = vec![FREE; next_node * rounds];
    let mut round_of = vec![0usize; edges.len()];
    let free_round = |edge_in_round: &[usize], node: usize| {
        (0..rounds)
            .find(|&r| edge_in_round[node * rounds + r] == FREE)
            .expect("degree is at most rounds")
    };
    for (edge, &(youth, table)) in edges.iter().enumerate() {
        let a = free_round(&edge_in_round, youth);
        let b = free_round(&edge_in_round, table);
        let round = if edge_in_round[table * rounds + a] == FREE {
            a
        } else if edge_in_round[youth * rounds + b] == FREE {
            b
        } else {
            // Swap rounds a and b along the path from `table` that alternates a, b, a, …; it
            // cannot reach `youth` (bipartite parity), and afterwards a is free at both ends.
            let mut path = Vec::new();
            let (mut node, mut round) = (table, a);
            while edge_in_round[node * rounds + round] != FREE {
                let step = edge_in_round[node * rounds + round];
                path.push(step);
                let (y, t) = edges[step];
                node = if node == y { t } else { y };
                round = if round == a { b } else { a };
            }
            for &step in &path {
                let (y, t) = edges[step];
                edge_in_round[y * rounds + round_of[step]] = FREE;
                edge_in_round[t * rounds + round_of[step]] = FREE;
            }
            for &step in &path {
                let (y, t) = edges[step];
                round_of[step] = if round_of[step] == a { b } else { a };
                edge_in_round[y * rounds + round_of[step]] = step;
                edge_in_round[t * rounds + round_of[step]] = step;
            }
            a
        };
        round_of[edge] = round;
        edge_in_round[youth * rounds + round] = edge;
        edge_in_round[table * rounds + round] = edge;
    }

    let mut meetings: Vec<Meeting> = pairs
        .iter()
        .zip(&edges)
        .zip(&round_of)
        .map(|((&(y, c), &(_, table_node)), &round)| Meeting {
            round: round as u32,
            company: Company(c as u32),
            table: (table_node - first_table_node[c]) as u32,
            youth: Youth(y as u32),
        })
        .collect();
    meetings.sort_unstable();
    meetings
}

/// What a grid changed by hand breaks, for the organiser to read before saving.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GridProblem {
    /// A round or table the event does not have.
    NoSuchSeat {
        round: u32,
        company: Company,
        table: u32,
    },
    /// The youth sits at two tables in one round.
    YouthTwiceInRound { round: u32, youth: Youth },
    /// Two youth at one table in one round.
    TableTaken {
        round: u32,
        company: Company,
        table: u32,
    },
    /// The youth meets the company more than once.
    MetTwice { youth: Youth, company: Company },
    /// The youth and the company share no interest.
    NoSharedInterest { youth: Youth, company: Company },
    /// The youth meets fewer companies than asked for.
    FewerMeetings {
        youth: Youth,
        planned: u32,
        requested: u32,
    },
}

/// Checks a grid against the request: the rules `plan_rotation` keeps, each
/// broken one named once, sorted. An empty list: the grid is as good to use
/// as a planned one (though perhaps less even).
pub fn check_grid(request: &RotationRequest, meetings: &[Meeting]) -> Vec<GridProblem> {
    use std::collections::BTreeSet;
    let youth_count = request.youth_interests.len();
    let mut problems = BTreeSet::new();
    let mut youth_in_round = BTreeSet::new();
    let mut seat_taken = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    let mut planned = vec![0u32; youth_count];
    for m in meetings {
        let tables = request.company_tables.get(m.company.index()).copied();
        if m.round >= request.rounds || tables.is_none_or(|t| m.table >= t) {
            problems.insert(GridProblem::NoSuchSeat {
                round: m.round,
                company: m.company,
                table: m.table,
            });
        }
        if !youth_in_round.insert((m.round, m.youth)) {
            problems.insert(GridProblem::YouthTwiceInRound {
                round: m.round,
                youth: m.youth,
            });
        }
        if !seat_taken.insert((m.round, m.company, m.table)) {
            problems.insert(GridProblem::TableTaken {
                round: m.round,
                company: m.company,
                table: m.table,
            });
        }
        if !pairs.insert((m.youth, m.company)) {
            problems.insert(GridProblem::MetTwice {
                youth: m.youth,
                company: m.company,
            });
        } else if let Some(count) = planned.get_mut(m.youth.index()) {
            *count += 1;
        }
        let interests = request.youth_interests.get(m.youth.index());
        let industries = request.company_industries.get(m.company.index());
        if let (Some(interests), Some(industries)) = (interests, industries)
            && shared_industries(interests, industries) == 0
        {
            problems.insert(GridProblem::NoSharedInterest {
                youth: m.youth,
                company: m.company,
            });
        }
    }
    let requested = request.meetings_per_youth.min(request.rounds);
    for (y, &count) in planned.iter().enumerate() {
        if count < requested {
            problems.insert(GridProblem::FewerMeetings {
                youth: Youth(y as u32),
                planned: count,
                requested,
            });
        }
    }
    problems.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_meets_everyone_when_there_is_room() {
        // 3 youth, 3 one-table companies, 3 rounds, all in one industry: a Latin square.
        let request = RotationRequest {
            rounds: 3,
            meetings_per_youth: 3,
            youth_interests: vec![vec![7]; 3],
            company_industries: vec![vec![7]; 3],
            company_tables: vec![1; 3],
        };
        let plan = plan_rotation(&request);
        assert!(plan.is_complete());
        assert_eq!(plan.meetings.len(), 9);
        assert_eq!(plan.company_load(3), vec![3, 3, 3]);
    }

    #[test]
    fn reports_each_kind_of_shortfall() {
        let request = RotationRequest {
            rounds: 2,
            meetings_per_youth: 2,
            // youth 0 fits one company; youth 1 and 2 compete for company 1's single table.
            youth_interests: vec![vec![1], vec![2], vec![2]],
            company_industries: vec![vec![1], vec![2], vec![3]],
            company_tables: vec![1, 1, 1],
        };
        let plan = plan_rotation(&request);
        assert_eq!(
            plan.shortfalls[0],
            Shortfall {
                youth: Youth(0),
                requested: 2,
                planned: 1,
                reason: ShortfallReason::TooFewFittingCompanies { fitting: 1 }
            }
        );
        let more_than_rounds = plan_rotation(&RotationRequest {
            meetings_per_youth: 3,
            ..request.clone()
        });
        assert!(more_than_rounds.shortfalls.iter().all(|s| s.planned <= 2));
        let request = RotationRequest {
            rounds: 1,
            meetings_per_youth: 1,
            youth_interests: vec![vec![2], vec![2]],
            company_industries: vec![vec![2]],
            company_tables: vec![1],
        };
        let plan = plan_rotation(&request);
        assert_eq!(
            plan.meetings.len(),
            1,
            "the best plan still uses the one table"
        );
        assert_eq!(plan.shortfalls.len(), 1);
        assert_eq!(plan.shortfalls[0].reason, ShortfallReason::TablesFull);
    }

    #[test]
    fn prefers_the_better_fit_when_load_is_equal() {
        let request = RotationRequest {
            rounds: 1,
            meetings_per_youth: 1,
            youth_interests: vec![vec![1, 2]],
            company_industries: vec![vec![1], vec![1, 2]],
            company_tables: vec![1, 1],
        };
        assert_eq!(plan_rotation(&request).meetings[0].company, Company(1));
    }
    #[test]
    fn a_planned_grid_breaks_nothing_and_a_moved_youth_is_told_what_breaks() {
        let request = RotationRequest {
            rounds: 2,
            meetings_per_youth: 2,
            youth_interests: vec![vec![1], vec![1, 2], vec![2]],
            company_industries: vec![vec![1], vec![2], vec![1, 2]],
            company_tables: vec![1, 1, 1],
        };
        let plan = plan_rotation(&request);
        assert!(plan.is_complete());
        assert_eq!(check_grid(&request, &plan.meetings), []);

        // Youth 0 moved into the seat youth 1 holds in the same round.
        let mut moved = plan.meetings.clone();
        let taken = *moved.iter().find(|m| m.youth != Youth(0)).unwrap();
        let mine = moved
            .iter_mut()
            .find(|m| m.youth == Youth(0) && m.round == taken.round)
            .unwrap();
        mine.company = taken.company;
        mine.table = taken.table;
        let problems = check_grid(&request, &moved);
        assert!(problems.contains(&GridProblem::TableTaken {
            round: taken.round,
            company: taken.company,
            table: taken.table,
        }));

        // A seat the event does not have, a company outside the youth's interests.
        let outside = vec![Meeting {
            round: 5,
            company: Company(1),
            table: 0,
            youth: Youth(0),
        }];
        let problems = check_grid(&request, &outside);
        assert!(problems.contains(&GridProblem::NoSuchSeat {
            round: 5,
            company: Company(1),
            table: 0
        }));
        assert!(problems.contains(&GridProblem::NoSharedInterest {
            youth: Youth(0),
            company: Company(1)
        }));
        assert!(problems.contains(&GridProblem::FewerMeetings {
            youth: Youth(2),
            planned: 0,
            requested: 2
        }));

        // The same company twice, and two seats in one round.
        let twice = vec![
            Meeting {
                round: 0,
                company: Company(0),
                table: 0,
                youth: Youth(0),
            },
            Meeting {
                round: 1,
                company: Company(0),
                table: 0,
                youth: Youth(0),
            },
            Meeting {
                round: 1,
                company: Company(2),
                table: 0,
                youth: Youth(0),
            },
        ];
        let problems = check_grid(&request, &twice);
        assert!(problems.contains(&GridProblem::MetTwice {
            youth: Youth(0),
            company: Company(0)
        }));
        assert!(problems.contains(&GridProblem::YouthTwiceInRound {
            round: 1,
            youth: Youth(0)
        }));
    }
}
