//! Is a matching stable? If not, who could do better together?

use std::fmt;

use crate::explain::{Reason, Standings, better_choices};
use crate::instance::{Company, Instance, Youth};
use crate::matching::Matching;

/// Why a matching is not stable (or not even valid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instability {
    /// The youth is matched to a company that is not on their list or did not list them.
    Unacceptable { youth: Youth, company: Company },
    /// The company has more youth than places.
    OverCapacity {
        company: Company,
        capacity: u32,
        matched: u32,
    },
    /// Both would rather be matched to each other: the youth prefers the company to their match,
    /// and the company has a free place or holds a youth it ranked lower.
    BlockingPair { youth: Youth, company: Company },
}

impl fmt::Display for Instability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Instability::Unacceptable { youth, company } => write!(
                f,
                "youth {} is matched to company {} but they did not both list each other",
                youth.0, company.0
            ),
            Instability::OverCapacity {
                company,
                capacity,
                matched,
            } => {
                write!(
                    f,
                    "company {} has {matched} youth for {capacity} places",
                    company.0
                )
            }
            Instability::BlockingPair { youth, company } => write!(
                f,
                "blocking pair: youth {} and company {} both prefer each other to their matches",
                youth.0, company.0
            ),
        }
    }
}

/// `Ok` when the matching is valid (mutually acceptable pairs, capacities respected) and no
/// blocking pair exists; otherwise the first problem found. O(total list length).
///
/// # Panics
/// When the matching is for a different number of youth than the instance.
pub fn check_stability(instance: &Instance, matching: &Matching) -> Result<(), Instability> {
    assert_eq!(
        matching.youth_count(),
        instance.youth_count(),
        "matching and instance differ in size"
    );
    let standings = Standings::new(instance, matching)?;
    for youth in instance.youth() {
        let mut better = better_choices(instance, &standings, youth);
        if let Some(blocking) = better.find(|choice| choice.reason == Reason::WouldHaveWelcomed) {
            return Err(Instability::BlockingPair {
                youth,
                company: blocking.company,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::youth_proposing;

    fn two_by_two() -> Instance {
        Instance::new(
            &[vec![0, 1], vec![0, 1]],
            &[vec![0, 1], vec![0, 1]],
            vec![1, 1],
        )
        .unwrap()
    }

    #[test]
    fn names_a_blocking_pair() {
        // Youth 0 and company 0 rank each other first but are kept apart.
        let swapped = Matching::from_assignments(vec![Some(Company(1)), Some(Company(0))]);
        assert_eq!(
            check_stability(&two_by_two(), &swapped),
            Err(Instability::BlockingPair {
                youth: Youth(0),
                company: Company(0)
            })
        );
        assert_eq!(
            check_stability(&two_by_two(), &youth_proposing(&two_by_two())),
            Ok(())
        );
    }

    #[test]
    fn a_free_place_blocks_with_an_unmatched_youth() {
        let empty = Matching::from_assignments(vec![Some(Company(0)), None]);
        assert_eq!(
            check_stability(&two_by_two(), &empty),
            Err(Instability::BlockingPair {
                youth: Youth(1),
                company: Company(1)
            })
        );
    }

    #[test]
    fn rejects_invalid_matchings() {
        let instance = Instance::new(&[vec![0], vec![0]], &[vec![0]], vec![2]).unwrap();
        let unlisted = Matching::from_assignments(vec![Some(Company(0)), Some(Company(0))]);
        assert_eq!(
            check_stability(&instance, &unlisted),
            Err(Instability::Unacceptable {
                youth: Youth(1),
                company: Company(0)
            })
        );
        let instance = Instance::new(&[vec![0], vec![0]], &[vec![0, 1]], vec![1]).unwrap();
        let crowded = Matching::from_assignments(vec![Some(Company(0)), Some(Company(0))]);
        assert_eq!(
            check_stability(&instance, &crowded),
            Err(Instability::OverCapacity {
                company: Company(0),
                capacity: 1,
                matched: 2
            })
        );
    }
}
