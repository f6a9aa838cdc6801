//! The flow the store follows, written against the low-level API with plain collections standing
//! in for tables: state read per allocation, a frontier row, a head signed per allocation, receipts.
//! Whatever the store keeps this way must verify, and every receipt must prove its inclusion.

use crate::support::*;
use spire_trial::merkle::{verify_consistency, verify_inclusion};
use spire_trial::{
    AllocationInput, Allocator, ArmCounts, BlockSlot, Design, Entry, LedgerEvidence, LedgerLeaf,
    LedgerRow, MerkleFrontier, MerkleTree, Revealed, SignedTreeHead, StratumKey, TreeHead,
    verify_ledger,
};
use std::collections::HashMap;

struct Receipt {
    ledger_index: u64,
    leaf_hash: [u8; 32],
    head: SignedTreeHead,
}

#[derive(Default)]
struct Tables {
    ledger: Vec<LedgerRow>,
    block_slots: HashMap<(u32, StratumKey), BlockSlot>,
    frontier: Vec<u8>,
    heads: Vec<SignedTreeHead>,
}

impl Tables {
    /// `SELECT arm, count(*) FROM allocations WHERE stratum ->> factor = level GROUP BY arm`
    fn marginal_counts(&self, design: &Design, stratum: &StratumKey) -> Vec<ArmCounts> {
        design
            .factors
            .iter()
            .map(|factor| {
                let mut counts = ArmCounts::default();
                for row in &self.ledger {
                    if let Entry::Allocation {
                        stratum: other,
                        arm,
                        ..
                    } = &row.leaf.entry
                        && other.level(factor) == stratum.level(factor)
                    {
                        counts.add(*arm);
                    }
                }
                counts
            })
            .collect()
    }

    fn allocations_so_far(&self) -> u64 {
        self.ledger
            .iter()
            .filter(|row| matches!(row.leaf.entry, Entry::Allocation { .. }))
            .count() as u64
    }

    /// One allocation transaction.
    fn randomise(&mut self, design: &Design, i: u64) -> Receipt {
        let key = key();
        let stratum = stratum(i);
        let slot_key = (design.version, stratum.clone());
        let allocation = Allocator::new(&key, design)
            .unwrap()
            .allocate(&AllocationInput {
                allocation_number: self.allocations_so_far(),
                stratum: &stratum,
                next_block_slot: self
                    .block_slots
                    .get(&slot_key)
                    .copied()
                    .unwrap_or(BlockSlot::FIRST),
                marginal_counts: &self.marginal_counts(design, &stratum),
            })
            .unwrap();
        if let Some(next) = allocation.next_block_slot {
            self.block_slots.insert(slot_key, next);
        }
        let leaf = LedgerLeaf {
            ledger_index: self.ledger.len() as u64,
            trial_id: TRIAL.into(),
            design_version: design.version,
            time: time(i),
            actor_id: "caseworker-7".into(),
            entry: Entry::Allocation {
                stratum,
                position: allocation.position,
                subject: subject(i),
                arm: allocation.arm,
                baseline_hash: [0xBA; 32],
            },
        };
        let leaf_hash = leaf.hash();
        let ledger_index = leaf.ledger_index;
        self.ledger.push(LedgerRow {
            leaf,
            stored_leaf_hash: leaf_hash,
        });
        let mut frontier = MerkleFrontier::from_bytes(&self.frontier).unwrap_or_default();
        frontier.push(leaf_hash);
        self.frontier = frontier.to_bytes();
        let head = signer().sign(TreeHead {
            trial_id: TRIAL.into(),
            size: frontier.len(),
            root: frontier.root(),
            time: time(i),
        });
        self.heads.push(head.clone());
        Receipt {
            ledger_index,
            leaf_hash,
            head,
        }
    }
}

#[test]
fn a_store_built_on_the_low_level_api_verifies_and_its_receipts_prove_inclusion() {
    for design in [blocks_design(), minimisation_design(), complete_design()] {
        let key = key();
        let mut tables = Tables::default();
        let receipts: Vec<Receipt> = (0..80).map(|i| tables.randomise(&design, i)).collect();

        // The store's allocations are exactly the in-memory reference's.
        let (reference, _) = ledger(&design, 80);
        let hashes: Vec<_> = tables
            .ledger
            .iter()
            .map(|row| row.stored_leaf_hash)
            .collect();
        let reference_hashes: Vec<_> = reference
            .rows()
            .iter()
            .map(|row| row.stored_leaf_hash)
            .collect();
        assert_eq!(hashes, reference_hashes, "{}", design.method.name());

        let tree = MerkleTree::from_leaf_hashes(hashes);
        for receipt in &receipts {
            let head = &receipt.head.head;
            let proof = tree
                .inclusion_proof(receipt.ledger_index, head.size)
                .unwrap();
            assert!(receipt.head.verify(&signer().public_key()));
            assert!(verify_inclusion(
                &receipt.leaf_hash,
                receipt.ledger_index,
                head.size,
                &proof,
                &head.root
            ));
        }
        let (first, last) = (&receipts[0].head.head, &receipts[79].head.head);
        let proof = tree.consistency_proof(first.size, last.size).unwrap();
        assert!(verify_consistency(
            first.size,
            last.size,
            &first.root,
            &last.root,
            &proof
        ));

        let findings = verify_ledger(&LedgerEvidence {
            trial_id: TRIAL,
            rows: &tables.ledger,
            heads: &tables.heads,
            saved: &[],
            head_public_key: &signer().public_key(),
            revealed: Some(Revealed {
                key: &key,
                designs: std::slice::from_ref(&design),
            }),
        });
        assert_eq!(findings, vec![], "{}", design.method.name());
    }
}
