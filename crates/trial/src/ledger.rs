//! A trial ledger held in memory: what the store does in its tables, for simulations, demo data,
//! benchmarks and tests. Entries are made exactly as the store makes them.

use crate::allocate::{Allocation, Allocator, TrialState};
use crate::design::{Design, DesignError, StratumKey};
use crate::head::{HeadSigner, SignedTreeHead, TreeHead};
use crate::leaf::{Entry, LedgerLeaf, SubjectPseudonym, UtcTime};
use crate::merkle::{Hash, MerkleTree};
use crate::verify::LedgerRow;

#[derive(Clone, Debug)]
pub struct InMemoryLedger {
    trial_id: String,
    rows: Vec<LedgerRow>,
    tree: MerkleTree,
    state: TrialState,
}

/// Who made an entry and when.
#[derive(Clone, Copy, Debug)]
pub struct Made<'a> {
    pub actor_id: &'a str,
    pub time: UtcTime,
}

impl InMemoryLedger {
    pub fn new(trial_id: &str) -> InMemoryLedger {
        InMemoryLedger {
            trial_id: trial_id.to_owned(),
            rows: Vec::new(),
            tree: MerkleTree::new(),
            state: TrialState::new(),
        }
    }

    pub fn rows(&self) -> &[LedgerRow] {
        &self.rows
    }

    pub fn tree(&self) -> &MerkleTree {
        &self.tree
    }

    pub fn state(&self) -> &TrialState {
        &self.state
    }

    /// Allocates a subject under the allocator's design and appends the allocation entry.
    pub fn allocate(
        &mut self,
        allocator: &Allocator<'_>,
        stratum: &StratumKey,
        subject: SubjectPseudonym,
        baseline_hash: Hash,
        made: Made<'_>,
    ) -> Result<Allocation, DesignError> {
        let allocation = self.state.allocate(allocator, stratum)?;
        let entry = Entry::Allocation {
            stratum: stratum.clone(),
            position: allocation.position,
            subject,
            arm: allocation.arm,
            baseline_hash,
        };
        self.append(allocator.design().version, entry, made);
        Ok(allocation)
    }

    /// Appends an annotation of an earlier entry, e.g. "allocated in error".
    pub fn annotate(
        &mut self,
        annotated_index: u64,
        subject: SubjectPseudonym,
        note_hash: Hash,
        made: Made<'_>,
    ) -> &LedgerLeaf {
        let version = self.design_version_in_force();
        self.append(
            version,
            Entry::Annotation {
                annotated_index,
                subject,
                note_hash,
            },
            made,
        )
    }

    /// Appends an amendment putting `design` (a higher version) in force from the next entry.
    pub fn amend(&mut self, design: &Design, made: Made<'_>) -> &LedgerLeaf {
        self.append(
            design.version,
            Entry::Amendment {
                design_digest: design.digest(),
            },
            made,
        )
    }

    fn design_version_in_force(&self) -> u32 {
        self.rows.last().map_or(1, |row| row.leaf.design_version)
    }

    fn append(&mut self, design_version: u32, entry: Entry, made: Made<'_>) -> &LedgerLeaf {
        let leaf = LedgerLeaf {
            ledger_index: self.rows.len() as u64,
            trial_id: self.trial_id.clone(),
            design_version,
            time: made.time,
            actor_id: made.actor_id.to_owned(),
            entry,
        };
        let stored_leaf_hash = leaf.hash();
        self.tree.push(stored_leaf_hash);
        self.rows.push(LedgerRow {
            leaf,
            stored_leaf_hash,
        });
        &self.rows.last().expect("just pushed").leaf
    }

    /// Signs the current tree head.
    pub fn sign_head(&self, signer: &HeadSigner, time: UtcTime) -> SignedTreeHead {
        signer.sign(TreeHead {
            trial_id: self.trial_id.clone(),
            size: self.tree.len(),
            root: self.tree.root(),
            time,
        })
    }
}
