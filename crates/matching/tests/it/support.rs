//! Random instances for property tests, and brute-force references written independently of the
//! crate's own checker.

use proptest::collection::vec;
use proptest::prelude::*;
use spire_matching::{Company, Instance, Layout, Matching, Youth};

/// Results must not depend on how ranks are stored, so property tests run on both layouts.
pub const LAYOUTS: [Layout; 2] = [Layout::Matrix, Layout::Slots];

#[derive(Clone, Debug)]
pub struct Lists {
    pub youth: Vec<Vec<u32>>,
    pub companies: Vec<Vec<u32>>,
    pub capacities: Vec<u32>,
}

impl Lists {
    pub fn instance(&self) -> Instance {
        Instance::new(&self.youth, &self.companies, self.capacities.clone())
            .expect("generated lists are valid")
    }

    pub fn instance_in(&self, layout: Layout) -> Instance {
        Instance::with_layout(
            self.youth[..].into(),
            self.companies[..].into(),
            self.capacities.clone(),
            layout,
        )
        .expect("generated lists are valid")
    }

    /// Position of `company` in `youth`'s list; unmatched (`None`) ranks below every listed company.
    pub fn youth_rank(&self, youth: usize, company: Option<Company>) -> usize {
        let list = &self.youth[youth];
        company.map_or(list.len(), |c| {
            list.iter().position(|&x| x == c.0).unwrap_or(usize::MAX)
        })
    }

    fn company_rank(&self, company: usize, youth: usize) -> Option<usize> {
        self.companies[company]
            .iter()
            .position(|&y| y as usize == youth)
    }

    fn acceptable(&self, youth: usize, company: usize) -> bool {
        self.youth[youth].contains(&(company as u32))
            && self.companies[company].contains(&(youth as u32))
    }

    /// Valid (mutually acceptable, within capacity) and without a blocking pair, by definition.
    pub fn is_stable(&self, matching: &[Option<Company>]) -> bool {
        let mut assigned: Vec<Vec<usize>> = vec![Vec::new(); self.companies.len()];
        for (y, company) in matching.iter().enumerate() {
            if let Some(c) = company {
                if !self.acceptable(y, c.index()) {
                    return false;
                }
                assigned[c.index()].push(y);
            }
        }
        if assigned
            .iter()
            .zip(&self.capacities)
            .any(|(a, &cap)| a.len() > cap as usize)
        {
            return false;
        }
        for y in 0..self.youth.len() {
            for c in 0..self.companies.len() {
                if !self.acceptable(y, c)
                    || self.youth_rank(y, Some(Company(c as u32)))
                        >= self.youth_rank(y, matching[y])
                {
                    continue;
                }
                let rank_of_y = self.company_rank(c, y);
                let has_room = assigned[c].len() < self.capacities[c] as usize;
                let holds_worse = assigned[c]
                    .iter()
                    .any(|&other| self.company_rank(c, other) > rank_of_y);
                if has_room || holds_worse {
                    return false;
                }
            }
        }
        true
    }

    /// Every valid matching (each youth to a mutually acceptable company or nobody, capacities kept).
    pub fn all_valid_matchings(&self) -> Vec<Vec<Option<Company>>> {
        let mut found = Vec::new();
        let mut current = Vec::with_capacity(self.youth.len());
        let mut load = vec![0u32; self.companies.len()];
        self.extend(&mut current, &mut load, &mut found);
        found
    }

    fn extend(
        &self,
        current: &mut Vec<Option<Company>>,
        load: &mut [u32],
        found: &mut Vec<Vec<Option<Company>>>,
    ) {
        let y = current.len();
        if y == self.youth.len() {
            found.push(current.clone());
            return;
        }
        current.push(None);
        self.extend(current, load, found);
        current.pop();
        for &c in &self.youth[y] {
            let c = c as usize;
            if self.acceptable(y, c) && load[c] < self.capacities[c] {
                load[c] += 1;
                current.push(Some(Company(c as u32)));
                self.extend(current, load, found);
                current.pop();
                load[c] -= 1;
            }
        }
    }
}

/// Some of `0..n` in random order.
pub fn ranked_subset(n: usize) -> impl Strategy<Value = Vec<u32>> {
    (
        Just((0..n as u32).collect::<Vec<u32>>()).prop_shuffle(),
        0..=n,
    )
        .prop_map(|(order, length)| order[..length].to_vec())
}

pub fn lists(
    max_youth: usize,
    max_companies: usize,
    max_capacity: u32,
) -> impl Strategy<Value = Lists> {
    (0..=max_youth, 1..=max_companies)
        .prop_flat_map(move |(youth, companies)| {
            (
                vec(ranked_subset(companies), youth),
                vec(ranked_subset(youth), companies),
                vec(0..=max_capacity, companies),
            )
        })
        .prop_map(|(youth, companies, capacities)| Lists {
            youth,
            companies,
            capacities,
        })
}

pub fn matched(matching: &Matching, youth: usize) -> Option<Company> {
    matching.company_of(Youth(youth as u32))
}
