//! The allocator: a pure function from (key, design, the state the store holds) to an arm and a slot.
//! The store calls it inside the transaction that appends the ledger entry; the verifier calls the
//! very same code to replay the ledger.

use crate::design::{Arm, Design, DesignError, Imbalance, Method, StratumKey};
use crate::draw::{DrawContext, DrawStream, TrialKey};
use std::collections::HashMap;

/// A slot of a stratum's block sequence: block `block_number` (from 0), place `offset` within it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockSlot {
    pub block_number: u64,
    pub offset: u32,
}

impl BlockSlot {
    /// Where a stratum that has never been allocated starts.
    pub const FIRST: BlockSlot = BlockSlot {
        block_number: 0,
        offset: 0,
    };
}

/// Where an allocation sits in the sequence; recorded in its ledger leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    /// The number of allocations the trial made before this one (all strata, all design versions).
    pub allocation_number: u64,
    /// The block slot within the stratum (design `stratified_blocks` only).
    pub block: Option<BlockSlot>,
}

/// Earlier allocations by arm, e.g. among subjects sharing one factor level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArmCounts {
    pub programme: u64,
    pub control: u64,
}

impl ArmCounts {
    pub fn get(&self, arm: Arm) -> u64 {
        match arm {
            Arm::Programme => self.programme,
            Arm::Control => self.control,
        }
    }

    pub fn add(&mut self, arm: Arm) {
        match arm {
            Arm::Programme => self.programme += 1,
            Arm::Control => self.control += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.programme + self.control
    }
}

/// What the store reads, inside its transaction, before asking for an allocation.
#[derive(Clone, Copy, Debug)]
pub struct AllocationInput<'a> {
    /// How many allocations the trial has made so far (the next allocation number).
    pub allocation_number: u64,
    /// The subject's stratum, naming the design's factors in order.
    pub stratum: &'a StratumKey,
    /// `stratified_blocks`: the stratum's next unused slot under this design version
    /// (`BlockSlot::FIRST` for a new stratum). Ignored otherwise.
    pub next_block_slot: BlockSlot,
    /// `minimisation`: for each design factor in order, the arm counts of all earlier allocations
    /// of the trial whose stratum has this subject's level of that factor. Ignored otherwise.
    pub marginal_counts: &'a [ArmCounts],
}

/// The allocator's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub arm: Arm,
    pub position: Position,
    /// `stratified_blocks`: the stratum's next slot after this one, for the store to save.
    pub next_block_slot: Option<BlockSlot>,
}

/// Allocates under one design version with one key.
#[derive(Clone, Copy, Debug)]
pub struct Allocator<'a> {
    key: &'a TrialKey,
    design: &'a Design,
}

impl<'a> Allocator<'a> {
    pub fn new(key: &'a TrialKey, design: &'a Design) -> Result<Allocator<'a>, DesignError> {
        design.validate()?;
        Ok(Allocator { key, design })
    }

    pub fn design(&self) -> &'a Design {
        self.design
    }

    /// Draws the allocation for the next subject. Deterministic: the same input gives the same answer.
    pub fn allocate(&self, input: &AllocationInput<'_>) -> Result<Allocation, DesignError> {
        self.design.check_stratum(input.stratum)?;
        let allocation_number = input.allocation_number;
        match &self.design.method {
            Method::Complete => {
                let arm = self.arm_by_ratio(&mut self.allocation_draws(allocation_number));
                Ok(Allocation {
                    arm,
                    position: Position {
                        allocation_number,
                        block: None,
                    },
                    next_block_slot: None,
                })
            }
            Method::StratifiedBlocks { .. } => {
                let slot = input.next_block_slot;
                let block = self.block(input.stratum, slot.block_number);
                let arm = *block.get(slot.offset as usize).ok_or_else(|| {
                    DesignError(format!(
                        "block {} of stratum {} has no place {}",
                        slot.block_number, input.stratum, slot.offset
                    ))
                })?;
                Ok(Allocation {
                    arm,
                    position: Position {
                        allocation_number,
                        block: Some(slot),
                    },
                    next_block_slot: Some(slot_after(slot, block.len())),
                })
            }
            Method::Minimisation {
                weights,
                imbalance,
                preferred_probability,
            } => {
                if input.marginal_counts.len() != weights.len() {
                    return Err(DesignError(
                        "minimisation needs one marginal count per factor".into(),
                    ));
                }
                let score = |arm| {
                    imbalance_score(self.design, weights, *imbalance, input.marginal_counts, arm)
                };
                let (programme_score, control_score) = (score(Arm::Programme), score(Arm::Control));
                let mut draws = self.allocation_draws(allocation_number);
                let arm = if programme_score == control_score {
                    self.arm_by_ratio(&mut draws)
                } else {
                    let preferred = if programme_score < control_score {
                        Arm::Programme
                    } else {
                        Arm::Control
                    };
                    let p = preferred_probability;
                    if draws.chance(p.numerator, p.denominator) {
                        preferred
                    } else {
                        preferred.other()
                    }
                };
                Ok(Allocation {
                    arm,
                    position: Position {
                        allocation_number,
                        block: None,
                    },
                    next_block_slot: None,
                })
            }
        }
    }

    /// The arms of one permuted block of a stratum, in allocation order (stratified blocks only).
    /// Draw 1 picks the size: `block_multiples[below(len)] × ratio sum`; the block is filled
    /// programme first then control in the ratio, then Fisher–Yates shuffled with further draws.
    pub fn block(&self, stratum: &StratumKey, block_number: u64) -> Vec<Arm> {
        let Method::StratifiedBlocks { block_multiples } = &self.design.method else {
            return Vec::new();
        };
        let mut draws = DrawStream::new(
            self.key,
            &DrawContext::Block {
                trial_id: &self.design.trial_id,
                design_version: self.design.version,
                stratum,
                block_number,
            },
        );
        let count = u32::try_from(block_multiples.len()).expect("validated design");
        let multiple = block_multiples[draws.below(count) as usize];
        let ratio = self.design.ratio;
        let mut arms = Vec::with_capacity((multiple * ratio.sum()) as usize);
        for arm in Arm::ALL {
            arms.extend(std::iter::repeat_n(
                arm,
                (multiple * ratio.weight(arm)) as usize,
            ));
        }
        draws.shuffle(&mut arms);
        arms
    }

    /// One draw: programme when `below(r_P + r_C) < r_P`.
    fn arm_by_ratio(&self, draws: &mut DrawStream) -> Arm {
        let ratio = self.design.ratio;
        if draws.below(ratio.sum()) < ratio.programme {
            Arm::Programme
        } else {
            Arm::Control
        }
    }

    fn allocation_draws(&self, allocation_number: u64) -> DrawStream {
        DrawStream::new(
            self.key,
            &DrawContext::Allocation {
                trial_id: &self.design.trial_id,
                design_version: self.design.version,
                allocation_number,
            },
        )
    }
}

pub(crate) fn slot_after(slot: BlockSlot, block_size: usize) -> BlockSlot {
    if slot.offset as usize + 1 < block_size {
        BlockSlot {
            block_number: slot.block_number,
            offset: slot.offset + 1,
        }
    } else {
        BlockSlot {
            block_number: slot.block_number + 1,
            offset: 0,
        }
    }
}

/// Pocock–Simon total imbalance if the subject joined `candidate`: the weighted sum over factors of
/// the imbalance between the ratio-scaled counts (programme × control weight versus control ×
/// programme weight), as range |d| or variance d². Integers only, so replay is exact.
fn imbalance_score(
    design: &Design,
    weights: &[u32],
    imbalance: Imbalance,
    counts: &[ArmCounts],
    candidate: Arm,
) -> u128 {
    weights
        .iter()
        .zip(counts)
        .map(|(&weight, counts)| {
            let mut counts = *counts;
            counts.add(candidate);
            let programme = i128::from(counts.programme) * i128::from(design.ratio.control);
            let control = i128::from(counts.control) * i128::from(design.ratio.programme);
            let difference = (programme - control).unsigned_abs();
            let factor_score = match imbalance {
                Imbalance::Range => difference,
                Imbalance::Variance => difference * difference,
            };
            u128::from(weight) * factor_score
        })
        .sum()
}

/// The whole trial's allocation state held in memory: what a store keeps in tables, for the
/// verifier's replay, for demo data and for simulations.
#[derive(Clone, Debug, Default)]
pub struct TrialState {
    allocations: u64,
    /// Each stratum seen, interned so that recording an allocation hashes its key once.
    strata: HashMap<StratumKey, usize>,
    stratum_states: Vec<StratumState>,
    /// factor name → level → index into `margins`
    margin_index: HashMap<String, HashMap<String, usize>>,
    margins: Vec<ArmCounts>,
}

#[derive(Clone, Debug, Default)]
struct StratumState {
    /// Indexes into `TrialState::margins`, one per (factor, level) of the stratum key.
    margins: Vec<usize>,
    /// The next block slot under each design version that has allocated in this stratum.
    next_slots: Vec<(u32, BlockSlot)>,
}

impl TrialState {
    pub fn new() -> TrialState {
        TrialState::default()
    }

    pub fn allocations(&self) -> u64 {
        self.allocations
    }

    /// The stratum's next block slot under a design version.
    pub fn next_block_slot(&self, design_version: u32, stratum: &StratumKey) -> BlockSlot {
        self.strata
            .get(stratum)
            .and_then(|&id| {
                let slots = &self.stratum_states[id].next_slots;
                slots.iter().find(|(version, _)| *version == design_version)
            })
            .map_or(BlockSlot::FIRST, |&(_, slot)| slot)
    }

    /// Arm counts of all allocations so far whose stratum has `level` for `factor`.
    pub fn marginal_counts(&self, factor: &str, level: &str) -> ArmCounts {
        self.margin_index
            .get(factor)
            .and_then(|levels| levels.get(level))
            .map_or_else(ArmCounts::default, |&id| self.margins[id])
    }

    /// Allocates the next subject of `stratum` and records it.
    pub fn allocate(
        &mut self,
        allocator: &Allocator<'_>,
        stratum: &StratumKey,
    ) -> Result<Allocation, DesignError> {
        let allocation = self.expected(allocator, stratum)?;
        self.record(allocator.design().version, stratum, &allocation);
        Ok(allocation)
    }

    /// What the allocator says the next allocation of `stratum` must be, without recording it.
    pub fn expected(
        &self,
        allocator: &Allocator<'_>,
        stratum: &StratumKey,
    ) -> Result<Allocation, DesignError> {
        let design = allocator.design();
        allocator.allocate(&AllocationInput {
            allocation_number: self.allocations,
            stratum,
            next_block_slot: self.next_block_slot(design.version, stratum),
            marginal_counts: &self.marginal_counts_for(design, stratum),
        })
    }

    /// The `marginal_counts` input for a subject of `stratum` (empty unless minimisation).
    pub fn marginal_counts_for(&self, design: &Design, stratum: &StratumKey) -> Vec<ArmCounts> {
        if !matches!(design.method, Method::Minimisation { .. }) {
            return Vec::new();
        }
        let known = self.strata.get(stratum).map(|&id| &self.stratum_states[id]);
        design
            .factors
            .iter()
            .map(|factor| {
                let position = stratum.levels().iter().position(|(name, _)| name == factor);
                match (known, position) {
                    // A stratum seen before has its margins interned: no string hashing.
                    (Some(state), Some(at)) => self.margins[state.margins[at]],
                    (_, Some(at)) => self.marginal_counts(factor, &stratum.levels()[at].1),
                    (_, None) => ArmCounts::default(),
                }
            })
            .collect()
    }

    /// Advances the state past an allocation as it was made under `design_version`. The verifier
    /// records what the ledger says even where it differs from the sequence, so one bad entry gives
    /// one finding rather than a cascade; a slot already passed never moves the state backwards.
    pub fn record(&mut self, design_version: u32, stratum: &StratumKey, allocation: &Allocation) {
        self.allocations = self
            .allocations
            .max(allocation.position.allocation_number + 1);
        let id = self.intern(stratum);
        let state = &mut self.stratum_states[id];
        if let Some(next) = allocation.next_block_slot {
            match state
                .next_slots
                .iter_mut()
                .find(|(version, _)| *version == design_version)
            {
                Some((_, slot)) => *slot = (*slot).max(next),
                None => state.next_slots.push((design_version, next)),
            }
        }
        for &margin in &state.margins {
            self.margins[margin].add(allocation.arm);
        }
    }

    fn intern(&mut self, stratum: &StratumKey) -> usize {
        if let Some(&id) = self.strata.get(stratum) {
            return id;
        }
        let margins = stratum
            .levels()
            .iter()
            .map(|(factor, level)| {
                let levels = self.margin_index.entry(factor.clone()).or_default();
                *levels.entry(level.clone()).or_insert_with(|| {
                    self.margins.push(ArmCounts::default());
                    self.margins.len() - 1
                })
            })
            .collect();
        self.stratum_states.push(StratumState {
            margins,
            next_slots: Vec::new(),
        });
        self.strata
            .insert(stratum.clone(), self.stratum_states.len() - 1);
        self.stratum_states.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Probability, Ratio};

    fn key() -> TrialKey {
        TrialKey::from_bytes([9; 32])
    }

    fn minimisation(p: Probability) -> Design {
        Design {
            trial_id: "t".into(),
            version: 1,
            ratio: Ratio::EQUAL,
            factors: vec!["sex".into(), "age".into()],
            method: Method::Minimisation {
                weights: vec![1, 1],
                imbalance: Imbalance::Range,
                preferred_probability: p,
            },
        }
    }

    #[test]
    fn blocks_hold_the_ratio_exactly() {
        let mut design = Design::stratified_blocks("t", &["m"]);
        design.ratio = Ratio {
            programme: 2,
            control: 1,
        };
        let key = key();
        let allocator = Allocator::new(&key, &design).unwrap();
        let stratum = StratumKey::new([("m", "101")]);
        for block_number in 0..50 {
            let block = allocator.block(&stratum, block_number);
            let programme = block.iter().filter(|&&a| a == Arm::Programme).count();
            assert!([3, 6, 9].contains(&block.len()), "size {}", block.len());
            assert_eq!(programme * 3, block.len() * 2);
        }
    }

    #[test]
    fn block_slots_walk_through_blocks() {
        let design = Design::stratified_blocks("t", &["m"]);
        let key = key();
        let allocator = Allocator::new(&key, &design).unwrap();
        let stratum = StratumKey::new([("m", "101")]);
        let mut state = TrialState::new();
        let first_block = allocator.block(&stratum, 0);
        let arms: Vec<Arm> = (0..first_block.len())
            .map(|_| state.allocate(&allocator, &stratum).unwrap().arm)
            .collect();
        assert_eq!(arms, first_block);
        let next = state.allocate(&allocator, &stratum).unwrap();
        assert_eq!(
            next.position.block,
            Some(BlockSlot {
                block_number: 1,
                offset: 0
            })
        );
        assert_eq!(next.position.allocation_number, first_block.len() as u64);
    }

    #[test]
    fn a_slot_past_the_end_of_its_block_is_refused() {
        let design = Design::stratified_blocks("t", &["m"]);
        let key = key();
        let allocator = Allocator::new(&key, &design).unwrap();
        let stratum = StratumKey::new([("m", "101")]);
        let input = AllocationInput {
            allocation_number: 0,
            stratum: &stratum,
            next_block_slot: BlockSlot {
                block_number: 0,
                offset: 6,
            },
            marginal_counts: &[],
        };
        assert!(allocator.allocate(&input).is_err());
    }

    #[test]
    fn deterministic_minimisation_always_takes_the_arm_that_reduces_imbalance() {
        let design = minimisation(Probability {
            numerator: 1,
            denominator: 1,
        });
        let key = key();
        let allocator = Allocator::new(&key, &design).unwrap();
        let stratum = StratumKey::new([("sex", "f"), ("age", "young")]);
        let leaning_programme = [
            ArmCounts {
                programme: 5,
                control: 3,
            },
            ArmCounts {
                programme: 2,
                control: 2,
            },
        ];
        for allocation_number in 0..20 {
            let input = AllocationInput {
                allocation_number,
                stratum: &stratum,
                next_block_slot: BlockSlot::FIRST,
                marginal_counts: &leaning_programme,
            };
            assert_eq!(allocator.allocate(&input).unwrap().arm, Arm::Control);
        }
    }

    #[test]
    fn minimisation_takes_the_preferred_arm_about_p_of_the_time() {
        let design = minimisation(Probability::DEFAULT_PREFERRED);
        let key = key();
        let allocator = Allocator::new(&key, &design).unwrap();
        let stratum = StratumKey::new([("sex", "f"), ("age", "young")]);
        let leaning_control = [
            ArmCounts {
                programme: 1,
                control: 4,
            },
            ArmCounts::default(),
        ];
        let trials = 10_000u64;
        let preferred = (0..trials)
            .filter(|&n| {
                let input = AllocationInput {
                    allocation_number: n,
                    stratum: &stratum,
                    next_block_slot: BlockSlot::FIRST,
                    marginal_counts: &leaning_control,
                };
                allocator.allocate(&input).unwrap().arm == Arm::Programme
            })
            .count() as f64;
        // Binomial(10000, 0.8): standard deviation 40; allow 4 standard deviations.
        assert!(
            (preferred - 8000.0).abs() < 160.0,
            "preferred {preferred} times"
        );
    }

    #[test]
    fn minimisation_needs_one_count_per_factor() {
        let design = minimisation(Probability::DEFAULT_PREFERRED);
        let key = key();
        let allocator = Allocator::new(&key, &design).unwrap();
        let stratum = StratumKey::new([("sex", "f"), ("age", "young")]);
        let input = AllocationInput {
            allocation_number: 0,
            stratum: &stratum,
            next_block_slot: BlockSlot::FIRST,
            marginal_counts: &[ArmCounts::default()],
        };
        assert!(allocator.allocate(&input).is_err());
    }

    #[test]
    fn variance_and_range_differ_across_weighted_factors() {
        // Joining programme leaves one factor off by 3; joining control leaves two off by 1 and 2.
        // Range calls that a tie; variance prefers control, penalising the single large imbalance.
        let design = minimisation(Probability::DEFAULT_PREFERRED);
        let weights = [1, 1];
        let counts = [
            ArmCounts {
                programme: 2,
                control: 0,
            },
            ArmCounts {
                programme: 0,
                control: 1,
            },
        ];
        let range = |arm| imbalance_score(&design, &weights, Imbalance::Range, &counts, arm);
        let variance = |arm| imbalance_score(&design, &weights, Imbalance::Variance, &counts, arm);
        assert_eq!((range(Arm::Programme), range(Arm::Control)), (3, 1 + 2));
        assert_eq!(
            (variance(Arm::Programme), variance(Arm::Control)),
            (9, 1 + 4)
        );
    }
}
