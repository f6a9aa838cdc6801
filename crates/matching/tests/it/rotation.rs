//! The event rotation planner: no double bookings, no repeat meetings, and a complete plan
//! exactly when one exists (decided here by exhaustive search on small events).

use proptest::collection::vec;
use proptest::prelude::*;
use spire_matching::{RotationPlan, RotationRequest, ShortfallReason, plan_rotation};
use std::collections::HashSet;

fn fits(request: &RotationRequest, youth: usize, company: usize) -> bool {
    request.company_tables[company] > 0
        && request.youth_interests[youth]
            .iter()
            .any(|i| request.company_industries[company].contains(i))
}

fn request(
    max_youth: usize,
    max_companies: usize,
    max_rounds: u32,
    max_tables: u32,
) -> impl Strategy<Value = RotationRequest> {
    (1..=max_youth, 1..=max_companies, 1..=max_rounds).prop_flat_map(
        move |(youth, companies, rounds)| {
            (
                vec(vec(0..4u32, 0..3), youth),
                vec(vec(0..4u32, 1..3), companies),
                vec(0..=max_tables, companies),
                0..=rounds + 1,
            )
                .prop_map(
                    move |(
                        youth_interests,
                        company_industries,
                        company_tables,
                        meetings_per_youth,
                    )| RotationRequest {
                        rounds,
                        meetings_per_youth,
                        youth_interests,
                        company_industries,
                        company_tables,
                    },
                )
        },
    )
}

/// Everything a plan must respect, whatever was asked.
fn assert_plan_is_sound(request: &RotationRequest, plan: &RotationPlan) {
    let mut pairs = HashSet::new();
    let mut youth_busy = HashSet::new();
    let mut table_busy = HashSet::new();
    for meeting in &plan.meetings {
        let (y, c) = (meeting.youth.index(), meeting.company.index());
        assert!(meeting.round < request.rounds);
        assert!(meeting.table < request.company_tables[c]);
        assert!(
            fits(request, y, c),
            "youth {y} and company {c} share no interest"
        );
        assert!(pairs.insert((y, c)), "youth {y} meets company {c} twice");
        assert!(
            youth_busy.insert((y, meeting.round)),
            "youth {y} double-booked"
        );
        assert!(
            table_busy.insert((c, meeting.table, meeting.round)),
            "table double-booked"
        );
    }
    for youth in 0..request.youth_interests.len() {
        let planned = plan
            .meetings
            .iter()
            .filter(|m| m.youth.index() == youth)
            .count() as u32;
        assert!(planned <= request.meetings_per_youth);
        let shortfall = plan.shortfalls.iter().find(|s| s.youth.index() == youth);
        match shortfall {
            None => assert_eq!(planned, request.meetings_per_youth),
            Some(s) => {
                assert_eq!(
                    (s.planned, s.requested),
                    (planned, request.meetings_per_youth)
                );
                let fitting = (0..request.company_industries.len())
                    .filter(|&c| fits(request, youth, c))
                    .count() as u32;
                if let ShortfallReason::TooFewFittingCompanies { fitting: reported } = s.reason {
                    assert_eq!(reported, fitting);
                    assert!(fitting < request.meetings_per_youth);
                }
            }
        }
    }
}

/// The most meetings any schedule can hold, by trying every choice of company for every youth in
/// every round.
fn most_meetings_possible(request: &RotationRequest) -> u32 {
    struct Search<'a> {
        request: &'a RotationRequest,
        met: Vec<HashSet<usize>>,
        tables_used: Vec<u32>, // per company, in the current round
        best: u32,
    }
    impl Search<'_> {
        fn cell(&mut self, youth: usize, round: u32, so_far: u32) {
            let youth_count = self.request.youth_interests.len();
            if round == self.request.rounds {
                self.best = self.best.max(so_far);
                return;
            }
            if youth == youth_count {
                let saved = std::mem::replace(
                    &mut self.tables_used,
                    vec![0; self.request.company_tables.len()],
                );
                self.cell(0, round + 1, so_far);
                self.tables_used = saved;
                return;
            }
            self.cell(youth + 1, round, so_far);
            if self.met[youth].len() as u32 >= self.request.meetings_per_youth {
                return;
            }
            for company in 0..self.request.company_tables.len() {
                if fits(self.request, youth, company)
                    && !self.met[youth].contains(&company)
                    && self.tables_used[company] < self.request.company_tables[company]
                {
                    self.met[youth].insert(company);
                    self.tables_used[company] += 1;
                    self.cell(youth + 1, round, so_far + 1);
                    self.tables_used[company] -= 1;
                    self.met[youth].remove(&company);
                }
            }
        }
    }
    let mut search = Search {
        request,
        met: vec![HashSet::new(); request.youth_interests.len()],
        tables_used: vec![0; request.company_tables.len()],
        best: 0,
    };
    search.cell(0, 0, 0);
    search.best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn plans_are_sound(request in request(25, 8, 5, 3)) {
        assert_plan_is_sound(&request, &plan_rotation(&request));
    }

    /// The plan is as full as any schedule can be, so it is complete exactly when the request is
    /// feasible, and otherwise it is the best feasible plan.
    #[test]
    fn plan_holds_as_many_meetings_as_any_schedule(request in request(3, 3, 3, 2)) {
        let plan = plan_rotation(&request);
        assert_plan_is_sound(&request, &plan);
        let most = most_meetings_possible(&request);
        prop_assert_eq!(plan.meetings.len() as u32, most);
        let everyone_served = most == request.meetings_per_youth * request.youth_interests.len() as u32;
        prop_assert_eq!(plan.is_complete(), everyone_served);
    }
}

#[test]
fn balances_load_over_tables_when_everyone_fits_everyone() {
    // 30 youth × 4 meetings = 120 meetings; 15 tables × 10 rounds = 150 table-rounds, so the
    // planner has slack and must choose to give every table exactly 8 meetings.
    let tables = vec![1, 2, 3, 1, 1, 2, 2, 3];
    let request = RotationRequest {
        rounds: 10,
        meetings_per_youth: 4,
        youth_interests: vec![vec![0]; 30],
        company_industries: vec![vec![0]; tables.len()],
        company_tables: tables.clone(),
    };
    let plan = plan_rotation(&request);
    assert_plan_is_sound(&request, &plan);
    assert!(plan.is_complete());
    let load = plan.company_load(tables.len());
    for (company, &t) in tables.iter().enumerate() {
        assert_eq!(load[company], 8 * t, "company {company} with {t} tables");
    }
}

#[test]
fn reports_a_request_for_more_meetings_than_rounds() {
    let request = RotationRequest {
        rounds: 2,
        meetings_per_youth: 3,
        youth_interests: vec![vec![0]; 2],
        company_industries: vec![vec![0]; 4],
        company_tables: vec![1; 4],
    };
    let plan = plan_rotation(&request);
    assert_plan_is_sound(&request, &plan);
    assert_eq!(
        plan.meetings.len(),
        4,
        "the best plan still fills both rounds"
    );
    assert!(
        plan.shortfalls
            .iter()
            .all(|s| s.reason == ShortfallReason::MoreMeetingsThanRounds { rounds: 2 })
    );
}
