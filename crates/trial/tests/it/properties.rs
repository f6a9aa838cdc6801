//! Properties of the designs and the ledger over many keys, strata sequences and tree sizes.

use crate::support::*;
use proptest::prelude::*;
use spire_trial::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use spire_trial::{
    Allocator, Arm, ArmCounts, Design, DrawContext, DrawStream, Entry, Imbalance, LedgerEvidence,
    MerkleTree, Method, Probability, Ratio, Revealed, StratumKey, TrialKey, TrialState,
    verify_ledger,
};
use std::collections::HashMap;

/// Scaled imbalance |n_P·r_C − n_C·r_P|: zero exactly when the counts are in the ratio.
fn scaled_imbalance(counts: ArmCounts, ratio: Ratio) -> u64 {
    (counts.programme * u64::from(ratio.control))
        .abs_diff(counts.control * u64::from(ratio.programme))
}

fn ratio_strategy() -> impl Strategy<Value = Ratio> {
    prop_oneof![
        Just(Ratio::EQUAL),
        Just(Ratio {
            programme: 2,
            control: 1
        }),
        Just(Ratio {
            programme: 1,
            control: 2
        }),
        Just(Ratio {
            programme: 3,
            control: 2
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Within a block of m·R places, any prefix has scaled imbalance at most m·r_P·r_C, attained by
    /// putting one arm first; blocks close balanced, so a stratum never exceeds that for its largest
    /// block B: B·r_P·r_C/R. At 1:1 that is |n_P − n_C| ≤ B/2, half the largest block.
    #[test]
    fn stratified_blocks_never_exceed_half_the_largest_block(
        key in any::<[u8; 32]>(),
        ratio in ratio_strategy(),
        block_multiples in prop::sample::subsequence(vec![1u32, 2, 3, 4], 1..=3),
        arrivals in prop::collection::vec(0u8..5, 1..400),
    ) {
        let design = Design { ratio, method: Method::StratifiedBlocks { block_multiples }, ..blocks_design() };
        let key = TrialKey::from_bytes(key);
        let allocator = Allocator::new(&key, &design).unwrap();
        let bound = u64::from(design.largest_block()) * u64::from(ratio.programme * ratio.control) / u64::from(ratio.sum());
        let mut state = TrialState::new();
        let mut counts: HashMap<u8, ArmCounts> = HashMap::new();
        for stratum_id in arrivals {
            let stratum = StratumKey::new([("municipality", stratum_id.to_string()), ("readiness", "jobparat".to_string())]);
            let allocation = state.allocate(&allocator, &stratum).unwrap();
            let stratum_counts = counts.entry(stratum_id).or_default();
            stratum_counts.add(allocation.arm);
            prop_assert!(scaled_imbalance(*stratum_counts, ratio) <= bound,
                "stratum {stratum_id}: {stratum_counts:?} beyond {bound}");
            if ratio == Ratio::EQUAL {
                prop_assert!(stratum_counts.programme.abs_diff(stratum_counts.control) <= u64::from(design.largest_block() / 2));
            }
        }
    }

    #[test]
    fn inclusion_proofs_verify_and_fail_when_tampered(
        size in 1u64..1500,
        index_seed in any::<u64>(),
        tamper_seed in any::<u64>(),
    ) {
        let tree = MerkleTree::from_leaf_hashes((0..size).map(|i| leaf_hash(&i.to_le_bytes())).collect());
        let index = index_seed % size;
        let leaf = tree.leaf_hashes()[index as usize];
        let root = tree.root();
        let proof = tree.inclusion_proof(index, size).unwrap();
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &root));
        prop_assert!(!verify_inclusion(&leaf_hash(b"other"), index, size, &proof, &root));
        prop_assert!(!verify_inclusion(&leaf, size, size, &proof, &root));
        prop_assert!(!verify_inclusion(&leaf, index, size, &proof, &leaf_hash(b"root")));
        if !proof.is_empty() {
            let mut tampered = proof.clone();
            let at = (tamper_seed % proof.len() as u64) as usize;
            tampered[at][(tamper_seed % 32) as usize] ^= 1;
            prop_assert!(!verify_inclusion(&leaf, index, size, &tampered, &root));
            prop_assert!(!verify_inclusion(&leaf, index, size, &proof[..proof.len() - 1], &root));
        }
    }

    #[test]
    fn consistency_proofs_verify_and_fail_when_tampered(
        new_size in 1u64..1500,
        old_seed in any::<u64>(),
        tamper_seed in any::<u64>(),
    ) {
        let tree = MerkleTree::from_leaf_hashes((0..new_size).map(|i| leaf_hash(&i.to_le_bytes())).collect());
        let old_size = 1 + old_seed % new_size;
        let (old_root, new_root) = (tree.root_at(old_size).unwrap(), tree.root());
        let proof = tree.consistency_proof(old_size, new_size).unwrap();
        prop_assert!(verify_consistency(old_size, new_size, &old_root, &new_root, &proof));
        if old_size < new_size {
            let mut tampered = proof.clone();
            let at = (tamper_seed % proof.len() as u64) as usize;
            tampered[at][(tamper_seed % 32) as usize] ^= 1;
            prop_assert!(!verify_consistency(old_size, new_size, &old_root, &new_root, &tampered));
            prop_assert!(!verify_consistency(old_size, new_size, &leaf_hash(b"old"), &new_root, &proof));
            prop_assert!(!verify_consistency(old_size, new_size, &old_root, &leaf_hash(b"new"), &proof));
            // A head from a rewritten history cannot be shown consistent.
            let other = MerkleTree::from_leaf_hashes((0..new_size).map(|i| leaf_hash(&(i + 1).to_le_bytes())).collect());
            prop_assert!(!verify_consistency(old_size, new_size, &other.root_at(old_size).unwrap(), &new_root, &proof));
        }
    }

    /// Any single deletion, duplication, swap or re-rolled arm of a signed ledger is reported.
    #[test]
    fn every_single_tampering_is_reported(
        count in 8u64..60,
        victim_seed in any::<u64>(),
        tampering in 0u8..4,
    ) {
        let design = blocks_design();
        let (ledger, heads) = ledger(&design, count);
        let mut rows = ledger.rows().to_vec();
        let victim = (victim_seed % (count - 1)) as usize;
        match tampering {
            0 => { rows.remove(victim); }
            1 => { let copy = rows[victim].clone(); rows.insert(victim + 1, copy); }
            2 => rows.swap(victim, victim + 1),
            _ => {
                if let Entry::Allocation { arm, .. } = &mut rows[victim].leaf.entry { *arm = arm.other(); }
                rows[victim].stored_leaf_hash = rows[victim].leaf.hash();
            }
        }
        let key = key();
        let findings = verify_ledger(&LedgerEvidence {
            trial_id: TRIAL,
            rows: &rows,
            heads: &heads,
            saved: &[],
            head_public_key: &signer().public_key(),
            revealed: Some(Revealed { key: &key, designs: &[design] }),
        });
        prop_assert!(!findings.is_empty());
    }
}

/// Subjects with three factors (4 × 3 × 2 levels) arriving at random, from their own stream.
fn arrivals(seed: u64, count: u64) -> Vec<StratumKey> {
    let key = TrialKey::from_bytes([0xA5; 32]);
    let context = DrawContext::Allocation {
        trial_id: "arrivals",
        design_version: 1,
        allocation_number: seed,
    };
    let mut draws = DrawStream::new(&key, &context);
    (0..count)
        .map(|_| {
            StratumKey::new([
                (
                    "municipality",
                    ["101", "147", "751", "851"][draws.below(4) as usize],
                ),
                (
                    "readiness",
                    ["jobparat", "aktivitetsparat", "uddannelsesparat"][draws.below(3) as usize],
                ),
                ("age_band", ["18-24", "25-29"][draws.below(2) as usize]),
            ])
        })
        .collect()
}

/// The largest |n_P − n_C| over every level of every factor after allocating all arrivals.
fn worst_marginal_imbalance(design: &Design, key: &TrialKey, subjects: &[StratumKey]) -> u64 {
    let allocator = Allocator::new(key, design).unwrap();
    let mut state = TrialState::new();
    for stratum in subjects {
        state.allocate(&allocator, stratum).unwrap();
    }
    subjects
        .iter()
        .flat_map(|s| s.levels().iter())
        .map(|(factor, level)| {
            let counts = state.marginal_counts(factor, level);
            counts.programme.abs_diff(counts.control)
        })
        .max()
        .unwrap()
}

#[test]
fn minimisation_keeps_every_marginal_imbalance_small() {
    let factors = vec![
        "municipality".to_string(),
        "readiness".to_string(),
        "age_band".to_string(),
    ];
    let design_with = |method| Design {
        factors: factors.clone(),
        method,
        ..blocks_design()
    };
    let minimisation = design_with(Method::Minimisation {
        weights: vec![1, 1, 1],
        imbalance: Imbalance::Range,
        preferred_probability: Probability::DEFAULT_PREFERRED,
    });
    let complete = design_with(Method::Complete);
    let (mut minimised_total, mut complete_total) = (0, 0);
    for seed in 0..40u64 {
        let key = TrialKey::from_bytes([seed as u8; 32]);
        let subjects = arrivals(seed, 400);
        let minimised = worst_marginal_imbalance(&minimisation, &key, &subjects);
        // With p = 0.8 each margin drifts back towards balance: the worst of the 9 levels is
        // typically 3 or 4 (8 at most over these 40 keys), while under complete randomisation it is
        // typically near 20 (the largest of 9 random walks of 100–200 steps). Tolerance: 12.
        assert!(
            minimised <= 12,
            "key {seed}: a margin is {minimised} out of balance"
        );
        minimised_total += minimised;
        complete_total += worst_marginal_imbalance(&complete, &key, &subjects);
    }
    assert!(
        minimised_total * 4 < complete_total,
        "minimisation {minimised_total} vs complete {complete_total}"
    );
}

#[test]
fn complete_randomisation_matches_its_ratio_and_has_no_serial_pattern() {
    // 30,000 allocations at 2:1 under a fixed key. Tolerances: |z| < 4 for the programme share
    // (two-sided p ≈ 6e-5) and chi-square < 16.27 (0.999 quantile, 3 d.f.) for consecutive pairs.
    let design = complete_design();
    let key = key();
    let allocator = Allocator::new(&key, &design).unwrap();
    let mut state = TrialState::new();
    let arms: Vec<Arm> = (0..30_000)
        .map(|i| state.allocate(&allocator, &stratum(i)).unwrap().arm)
        .collect();
    let n = arms.len() as f64;
    let programme = arms.iter().filter(|&&a| a == Arm::Programme).count() as f64;
    let z = (programme - n * 2.0 / 3.0) / (n * 2.0 / 9.0).sqrt();
    assert!(
        z.abs() < 4.0,
        "programme share {} gives z = {z}",
        programme / n
    );

    let mut pairs = HashMap::new();
    for pair in arms.chunks_exact(2) {
        *pairs.entry((pair[0], pair[1])).or_insert(0u32) += 1;
    }
    let share = |arm| {
        if arm == Arm::Programme {
            2.0 / 3.0
        } else {
            1.0 / 3.0
        }
    };
    let pair_count = (arms.len() / 2) as f64;
    let chi_square: f64 = [Arm::Programme, Arm::Control]
        .into_iter()
        .flat_map(|a| [(a, Arm::Programme), (a, Arm::Control)])
        .map(|(a, b)| {
            let expected = pair_count * share(a) * share(b);
            (f64::from(*pairs.get(&(a, b)).unwrap_or(&0)) - expected).powi(2) / expected
        })
        .sum();
    assert!(
        chi_square < 16.27,
        "pairs {pairs:?}: chi-square {chi_square}"
    );
}

#[test]
fn leaves_survive_arbitrary_field_values() {
    proptest!(|(index in any::<u64>(), seconds in any::<i64>(), nanos in 0u32..1_000_000_000,
                level in ".{0,40}", actor in ".{0,40}", block in any::<Option<(u64, u32)>>(), programme in any::<bool>())| {
        let leaf = spire_trial::LedgerLeaf {
            ledger_index: index,
            trial_id: TRIAL.into(),
            design_version: 3,
            time: spire_trial::UtcTime { unix_seconds: seconds, nanos },
            actor_id: actor,
            entry: Entry::Allocation {
                stratum: StratumKey::new([("municipality", level)]),
                position: spire_trial::Position {
                    allocation_number: index / 2,
                    block: block.map(|(block_number, offset)| spire_trial::BlockSlot { block_number, offset }),
                },
                subject: subject(index),
                arm: if programme { Arm::Programme } else { Arm::Control },
                baseline_hash: [7; 32],
            },
        };
        prop_assert_eq!(spire_trial::LedgerLeaf::decode(&leaf.encode()), Ok(leaf));
    });
}

proptest! {
    /// Corrupt bytes from a database are refused, never a panic.
    #[test]
    fn decoders_refuse_arbitrary_bytes_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = spire_trial::LedgerLeaf::decode(&bytes);
        let _ = Design::from_canonical_bytes(&bytes);
        let _ = spire_trial::MerkleFrontier::from_bytes(&bytes);
    }

    /// Flipping any byte of a valid leaf either fails to decode or decodes to a different leaf.
    #[test]
    fn a_flipped_leaf_byte_never_decodes_to_the_same_leaf(at_seed in any::<usize>(), bit in 0u8..8) {
        let (ledger, _) = ledger(&blocks_design(), 1);
        let leaf = &ledger.rows()[0].leaf;
        let mut bytes = leaf.encode();
        let at = at_seed % bytes.len();
        bytes[at] ^= 1 << bit;
        let decoded = spire_trial::LedgerLeaf::decode(&bytes);
        prop_assert_ne!(decoded.as_ref(), Ok(leaf));
    }
}
