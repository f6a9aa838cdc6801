//! Deferred acceptance (Gale–Shapley) with company capacities, in both directions.
//!
//! Both run in O(total list length + proposals × log capacity) over dense indices, with no
//! allocation inside the loop.

use crate::instance::{Company, Instance, UNRANKED};
use crate::matching::Matching;

/// Youth propose, companies hold their best offers so far: the youth-optimal stable matching.
///
/// Every youth weakly prefers it to any other stable matching, and no youth can get a company they
/// prefer by misreporting their list. This is the programme's mechanism.
pub fn youth_proposing(instance: &Instance) -> Matching {
    let lists = &instance.youth_prefs;
    let mut held = HeldOffers::new(instance);
    // Absolute position in `lists.entries()` of each youth's next proposal.
    let mut next_choice: Vec<usize> = (0..instance.youth_count())
        .map(|y| lists.range(y).start)
        .collect();
    // Any proposal order reaches the same matching; a stack is the cheapest.
    let mut unplaced: Vec<u32> = (0..instance.youth_count() as u32).rev().collect();
    while let Some(youth) = unplaced.pop() {
        let end = lists.range(youth as usize).end;
        let mut choice = next_choice[youth as usize];
        while choice < end {
            let company = lists.entries()[choice] as usize;
            let rank = instance.company_rank_at_youth_choice(youth, choice);
            choice += 1;
            if rank == UNRANKED {
                continue; // the company did not list this youth
            }
            match held.offer(company, rank, youth) {
                Offer::Held => break,
                Offer::HeldDisplacing(displaced) => {
                    unplaced.push(displaced);
                    break;
                }
                Offer::Rejected => {}
            }
        }
        next_choice[youth as usize] = choice;
    }
    held.into_matching(instance.youth_count())
}

/// Companies propose, youth hold their best offer so far: the company-optimal stable matching.
///
/// Included for comparison; it is the worst stable matching for every youth.
pub fn company_proposing(instance: &Instance) -> Matching {
    let lists = &instance.company_prefs;
    let youth_rank_at_company_choice = instance.youth_rank_at_company_choice();
    let company_count = instance.company_count();
    let mut next_choice: Vec<usize> = (0..company_count).map(|c| lists.range(c).start).collect();
    let mut held_count = vec![0u32; company_count];
    let mut company_of_youth = vec![UNRANKED; instance.youth_count()];
    // The youth's rank of the company they hold; UNRANKED (worse than any rank) when unmatched.
    let mut held_rank = vec![UNRANKED; instance.youth_count()];
    let mut queued = vec![true; company_count];
    let mut with_open_places: Vec<u32> = (0..company_count as u32).rev().collect();
    while let Some(company) = with_open_places.pop() {
        let c = company as usize;
        queued[c] = false;
        let end = lists.range(c).end;
        while held_count[c] < instance.capacities[c] && next_choice[c] < end {
            let choice = next_choice[c];
            next_choice[c] += 1;
            let youth = lists.entries()[choice] as usize;
            let rank = youth_rank_at_company_choice[choice];
            if rank == UNRANKED || rank >= held_rank[youth] {
                continue; // not on the youth's list, or the youth holds a better offer
            }
            let previous = company_of_youth[youth];
            if previous != UNRANKED {
                held_count[previous as usize] -= 1;
                if !queued[previous as usize] {
                    queued[previous as usize] = true;
                    with_open_places.push(previous);
                }
            }
            company_of_youth[youth] = company;
            held_rank[youth] = rank;
            held_count[c] += 1;
        }
    }
    Matching::from_assignments(
        company_of_youth
            .into_iter()
            .map(|c| (c != UNRANKED).then_some(Company(c)))
            .collect(),
    )
}

enum Offer {
    Held,
    HeldDisplacing(u32),
    Rejected,
}

/// Each company's held offers as a max-heap keyed by the company's rank of the youth, so the
/// worst held youth is at the top. All heaps share one buffer.
struct HeldOffers {
    heap_starts: Vec<usize>,
    heap_len: Vec<u32>,
    /// `(rank << 32) | youth`: ordering by key orders by rank.
    keys: Vec<u64>,
}

impl HeldOffers {
    fn new(instance: &Instance) -> HeldOffers {
        let mut heap_starts = Vec::with_capacity(instance.company_count() + 1);
        heap_starts.push(0);
        for c in 0..instance.company_count() {
            // A company can never hold more youth than it listed, however many places it declares.
            let size = instance.capacities[c].min(instance.company_prefs.list(c).len() as u32);
            heap_starts.push(heap_starts[c] + size as usize);
        }
        let total = heap_starts[instance.company_count()];
        HeldOffers {
            heap_starts,
            heap_len: vec![0; instance.company_count()],
            keys: vec![0; total],
        }
    }

    fn offer(&mut self, company: usize, rank: u32, youth: u32) -> Offer {
        let heap = &mut self.keys[self.heap_starts[company]..self.heap_starts[company + 1]];
        let len = &mut self.heap_len[company];
        let key = (u64::from(rank) << 32) | u64::from(youth);
        if (*len as usize) < heap.len() {
            sift_up(heap, *len as usize, key);
            *len += 1;
            Offer::Held
        } else if !heap.is_empty() && key < heap[0] {
            let displaced = heap[0] as u32;
            sift_down(heap, key);
            Offer::HeldDisplacing(displaced)
        } else {
            Offer::Rejected
        }
    }

    fn into_matching(self, youth_count: usize) -> Matching {
        let mut company_of_youth = vec![None; youth_count];
        for company in 0..self.heap_len.len() {
            let start = self.heap_starts[company];
            for &key in &self.keys[start..start + self.heap_len[company] as usize] {
                company_of_youth[key as u32 as usize] = Some(Company(company as u32));
            }
        }
        Matching::from_assignments(company_of_youth)
    }
}

/// Inserts `key` at the free slot `hole` of a max-heap occupying `heap[..hole]`.
fn sift_up(heap: &mut [u64], mut hole: usize, key: u64) {
    while hole > 0 {
        let parent = (hole - 1) / 2;
        if heap[parent] >= key {
            break;
        }
        heap[hole] = heap[parent];
        hole = parent;
    }
    heap[hole] = key;
}

/// Replaces the top of a full max-heap with `key`.
fn sift_down(heap: &mut [u64], key: u64) {
    let mut hole = 0;
    loop {
        let left = 2 * hole + 1;
        if left >= heap.len() {
            break;
        }
        let right = left + 1;
        let larger = if right < heap.len() && heap[right] > heap[left] {
            right
        } else {
            left
        };
        if heap[larger] <= key {
            break;
        }
        heap[hole] = heap[larger];
        hole = larger;
    }
    heap[hole] = key;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::Youth;

    /// The oracle's `hr_small.py` instance; `matching` 1.4.3 gives
    /// resident-optimal {acme: [y2, y4], bolt: [y1], core: [y5]} and the same hospital-optimal.
    fn hr_small() -> Instance {
        // companies: acme 0, bolt 1, core 2; youth y1..y5 = 0..4
        Instance::new(
            &[
                vec![0, 1, 2],
                vec![0, 2],
                vec![1, 0, 2],
                vec![0, 1],
                vec![2, 0],
            ],
            &[vec![3, 1, 0, 2, 4], vec![0, 2, 3], vec![4, 2, 1, 0]],
            vec![2, 1, 1],
        )
        .unwrap()
    }

    #[test]
    fn matches_the_oracle_on_hr_small() {
        let expected = [
            Some(Company(1)),
            Some(Company(0)),
            None,
            Some(Company(0)),
            Some(Company(2)),
        ];
        assert_eq!(youth_proposing(&hr_small()).assignments(), &expected[..]);
        assert_eq!(company_proposing(&hr_small()).assignments(), &expected[..]);
    }

    #[test]
    fn the_two_sides_get_their_own_optimum() {
        // Two youth, two companies, opposite preferences: each side gets its first choices.
        let instance = Instance::new(
            &[vec![0, 1], vec![1, 0]],
            &[vec![1, 0], vec![0, 1]],
            vec![1, 1],
        )
        .unwrap();
        assert_eq!(
            youth_proposing(&instance).company_of(Youth(0)),
            Some(Company(0))
        );
        assert_eq!(
            company_proposing(&instance).company_of(Youth(0)),
            Some(Company(1))
        );
    }

    #[test]
    fn zero_capacity_and_empty_lists_match_nobody() {
        let instance = Instance::new(&[vec![0], vec![]], &[vec![0, 1]], vec![0]).unwrap();
        assert_eq!(youth_proposing(&instance).pairs().count(), 0);
        assert_eq!(company_proposing(&instance).pairs().count(), 0);
    }
}
