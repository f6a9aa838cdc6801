//! How guessable the allocations were: the figure the programme office sees instead of the sequence.
//!
//! The guesser is Blackwell and Hodges' "convergence" strategy: a caseworker who remembers every
//! earlier allocation in the subject's stratum guesses the arm that is behind its ratio share (the
//! arm with the larger share when the stratum is exactly in ratio). Under complete randomisation no
//! strategy beats always guessing the larger arm; every point above that is allocation bias risk.

use crate::allocate::ArmCounts;
use crate::design::{Arm, Ratio, StratumKey};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Predictability {
    pub allocations: u64,
    pub correct_guesses: u64,
    /// correct_guesses / allocations (0 when there are none)
    pub share_guessed: f64,
    /// What guessing the larger arm every time achieves on average: max(r_P, r_C) / (r_P + r_C).
    pub chance: f64,
}

/// Scores the convergence guesser over allocations in ledger order.
pub fn convergence_predictability<'a>(
    ratio: Ratio,
    allocations: impl IntoIterator<Item = (&'a StratumKey, Arm)>,
) -> Predictability {
    let larger_arm = if ratio.programme >= ratio.control {
        Arm::Programme
    } else {
        Arm::Control
    };
    let mut history: HashMap<&StratumKey, ArmCounts> = HashMap::new();
    let (mut total, mut correct) = (0u64, 0u64);
    for (stratum, arm) in allocations {
        let counts = history.entry(stratum).or_default();
        // Behind its share: n_P·r_C < n_C·r_P means programme is behind.
        let programme_scaled = counts.programme * u64::from(ratio.control);
        let control_scaled = counts.control * u64::from(ratio.programme);
        let guess = match programme_scaled.cmp(&control_scaled) {
            std::cmp::Ordering::Less => Arm::Programme,
            std::cmp::Ordering::Greater => Arm::Control,
            std::cmp::Ordering::Equal => larger_arm,
        };
        total += 1;
        correct += u64::from(guess == arm);
        counts.add(arm);
    }
    Predictability {
        allocations: total,
        correct_guesses: correct,
        share_guessed: if total == 0 {
            0.0
        } else {
            correct as f64 / total as f64
        },
        chance: f64::from(ratio.programme.max(ratio.control)) / f64::from(ratio.sum()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Allocator, Design, Method, TrialKey, TrialState};

    fn share_guessed(method: Method) -> f64 {
        let design = Design {
            method,
            ..Design::stratified_blocks("t", &["m"])
        };
        let key = TrialKey::from_bytes([3; 32]);
        let allocator = Allocator::new(&key, &design).unwrap();
        let strata: Vec<StratumKey> = (0..10)
            .map(|s| StratumKey::new([("m", s.to_string())]))
            .collect();
        let mut state = TrialState::new();
        let sequence: Vec<(&StratumKey, Arm)> = (0..20_000)
            .map(|i| {
                let stratum = &strata[i * 7 % 10];
                (stratum, state.allocate(&allocator, stratum).unwrap().arm)
            })
            .collect();
        convergence_predictability(design.ratio, sequence).share_guessed
    }

    #[test]
    fn blocks_of_two_are_three_quarters_guessable_and_random_sizes_less() {
        // With blocks of 2 the second place is always guessed right and the first half the time.
        // Tolerance ±0.02 is about 3 binomial standard errors for 10,000 unpredictable places.
        let pairs = share_guessed(Method::StratifiedBlocks {
            block_multiples: vec![1],
        });
        assert!((pairs - 0.75).abs() < 0.02, "{pairs}");
        let mixed = share_guessed(Method::StratifiedBlocks {
            block_multiples: vec![1, 2, 3],
        });
        assert!(mixed < pairs - 0.03 && mixed > 0.55, "{mixed}");
        let complete = share_guessed(Method::Complete);
        assert!((complete - 0.5).abs() < 0.02, "{complete}");
    }

    #[test]
    fn chance_is_the_larger_arms_share() {
        let ratio = Ratio {
            programme: 1,
            control: 2,
        };
        assert_eq!(convergence_predictability(ratio, []).chance, 2.0 / 3.0);
    }
}
