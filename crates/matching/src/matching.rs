//! The result: which company, if any, each youth is matched to.

use crate::instance::{Company, Youth};

/// One entry per youth: the company they are matched to, or `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matching {
    company_of_youth: Vec<Option<Company>>,
}

impl Matching {
    /// A matching from any source, e.g. a consultant's override; check it with
    /// [`crate::check_stability`].
    pub fn from_assignments(company_of_youth: Vec<Option<Company>>) -> Matching {
        Matching { company_of_youth }
    }

    pub fn youth_count(&self) -> usize {
        self.company_of_youth.len()
    }

    pub fn company_of(&self, youth: Youth) -> Option<Company> {
        self.company_of_youth[youth.index()]
    }

    pub fn assignments(&self) -> &[Option<Company>] {
        &self.company_of_youth
    }

    /// Matched pairs in youth order.
    pub fn pairs(&self) -> impl Iterator<Item = (Youth, Company)> + '_ {
        self.company_of_youth
            .iter()
            .enumerate()
            .filter_map(|(y, company)| company.map(|c| (Youth(y as u32), c)))
    }

    pub fn unmatched_youth(&self) -> impl Iterator<Item = Youth> + '_ {
        self.company_of_youth
            .iter()
            .enumerate()
            .filter(|(_, company)| company.is_none())
            .map(|(y, _)| Youth(y as u32))
    }

    /// The youth matched to each company, in youth order.
    pub fn youth_by_company(&self, company_count: usize) -> Vec<Vec<Youth>> {
        let mut by_company = vec![Vec::new(); company_count];
        for (youth, company) in self.pairs() {
            by_company[company.index()].push(youth);
        }
        by_company
    }
}
