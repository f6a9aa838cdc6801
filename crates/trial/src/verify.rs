//! The verifier: recomputes a trial's ledger from its rows and reports everything that does not hold.
//! Without the key it proves the log's integrity (leaf hashes, tree, signed heads, indexes, no
//! subject twice, no allocation number skipped or reused). With the revealed key and the design
//! versions it also replays every allocation against the committed sequence.

use crate::allocate::{Allocation, AllocationInput, Allocator, BlockSlot, Position, TrialState};
use crate::design::{Arm, Design, Method, StratumKey};
use crate::draw::TrialKey;
use crate::head::SignedTreeHead;
use crate::leaf::{Entry, LedgerLeaf, SubjectPseudonym, UtcTime};
use crate::merkle::{Hash, MerkleTree};
use std::collections::HashMap;
use std::fmt;

mod heads;
pub use heads::{SavedCheckpoint, verify_heads};

/// A ledger row as the store holds it: the leaf's fields and the leaf hash it stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerRow {
    pub leaf: LedgerLeaf,
    pub stored_leaf_hash: Hash,
}

/// What the end of a trial reveals: the key and every design version (1, 2, …).
#[derive(Clone, Copy, Debug)]
pub struct Revealed<'a> {
    pub key: &'a TrialKey,
    pub designs: &'a [Design],
}

/// Everything the verifier looks at.
#[derive(Clone, Copy, Debug)]
pub struct LedgerEvidence<'a> {
    pub trial_id: &'a str,
    /// The rows in the order the store returns them (by ledger index).
    pub rows: &'a [LedgerRow],
    /// Every signed tree head known: the store's, and any from receipts or the trial registry.
    pub heads: &'a [SignedTreeHead],
    /// Checkpoints kept outside the log (an auditor's earlier copy, a witness's): a ledger cut
    /// back below one of them, or rewritten under it, shows only against such a copy.
    pub saved: &'a [SavedCheckpoint],
    pub head_public_key: &'a [u8; 32],
    pub revealed: Option<Revealed<'a>>,
}

/// One thing that does not hold, at a ledger index where it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub ledger_index: Option<u64>,
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The row's ledger index is not the next one: entries are missing before it.
    IndexGap {
        expected: u64,
    },
    /// The row's ledger index was already passed: a repeated or reordered entry.
    IndexOutOfOrder {
        expected: u64,
    },
    WrongTrial {
        found: String,
    },
    /// The fields no longer hash to the stored leaf hash: the row was changed.
    LeafHashMismatch {
        stored: Hash,
        recomputed: Hash,
    },
    /// The entry is dated before the entry preceding it.
    TimeWentBack {
        previous: UtcTime,
    },
    /// An allocation under a design version other than the one in force.
    DesignVersionNotInForce {
        in_force: u32,
    },
    /// An amendment that does not move to a higher version.
    AmendmentNotNewer {
        in_force: u32,
    },
    /// Allocation numbers must count 0, 1, 2, … over all allocations.
    AllocationNumberSkipped {
        expected: u64,
        found: u64,
    },
    AllocationNumberReused {
        expected: u64,
        found: u64,
    },
    SubjectAllocatedTwice {
        first_index: u64,
    },
    /// An annotation of an entry that is not an earlier allocation of the same subject.
    AnnotatesNoAllocation {
        annotated_index: u64,
    },
    /// Block slots must follow one another within a stratum. `expected` is known only with the
    /// key (block sizes are secret); without it the slot is merely not a successor.
    BlockSlotSkipped {
        expected: Option<BlockSlot>,
        found: BlockSlot,
    },
    BlockSlotReused {
        expected: Option<BlockSlot>,
        found: BlockSlot,
    },
    /// A block slot recorded under a design without blocks, or none under a design with them.
    PositionDoesNotFitDesign {
        method: &'static str,
    },
    /// The recorded arm is not the committed sequence's arm for the recorded slot.
    ArmNotInSequence {
        recorded: Arm,
        sequence: Arm,
    },
    /// The allocation cannot be replayed (e.g. its stratum does not fit the design).
    NotReplayable {
        reason: String,
    },
    /// No design document was revealed for a version the ledger uses.
    DesignVersionUnknown {
        version: u32,
    },
    /// A revealed design document is invalid or names another trial.
    DesignInvalid {
        version: u32,
        reason: String,
    },
    /// An amendment's digest differs from the revealed design document of its version.
    AmendmentDigestMismatch {
        version: u32,
    },
    HeadForOtherTrial {
        size: u64,
        found: String,
    },
    HeadSignatureInvalid {
        size: u64,
    },
    /// A signed head is larger than the ledger: signed entries were removed.
    HeadBeyondLedger {
        size: u64,
        ledger_size: u64,
    },
    /// A signed head's root differs from the ledger's root at that size: history was rewritten.
    HeadRootMismatch {
        size: u64,
    },
    /// A larger head is dated before a smaller one.
    HeadTimesOutOfOrder {
        size: u64,
        earlier_size: u64,
    },
    /// A head's checkpoint signature does not verify under the log's key.
    CheckpointSignatureInvalid {
        size: u64,
    },
    /// A saved checkpoint is not signed by the log's key (or names another log): not evidence.
    SavedSignatureInvalid {
        size: u64,
    },
    /// The ledger is shorter than a checkpoint saved earlier: signed entries were removed.
    SavedBeyondLedger {
        size: u64,
        ledger_size: u64,
    },
    /// The ledger's first entries differ from a checkpoint saved earlier: history was rewritten.
    SavedRootMismatch {
        size: u64,
    },
    /// Two validly signed heads of one size with different roots: the log showed two histories.
    Fork {
        size: u64,
    },
    /// Entries that no valid signed head covers yet.
    UnsignedEntries {
        from: u64,
        to: u64,
    },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ledger_index {
            Some(index) => write!(f, "index {index}: ")?,
            None => write!(f, "ledger: ")?,
        }
        let slot = |slot: &BlockSlot| format!("block {} place {}", slot.block_number, slot.offset);
        let expected_slot = |expected: &Option<BlockSlot>| match expected {
            Some(expected) => format!(" (expected {})", slot(expected)),
            None => String::new(),
        };
        match &self.problem {
            Problem::IndexGap { expected } => {
                write!(f, "entries from index {expected} are missing")
            }
            Problem::IndexOutOfOrder { expected } => {
                write!(f, "out of order or repeated (expected index {expected})")
            }
            Problem::WrongTrial { found } => write!(f, "entry belongs to trial {found:?}"),
            Problem::LeafHashMismatch { stored, recomputed } => write!(
                f,
                "fields hash to {} but the stored leaf hash is {}",
                hex::encode(recomputed),
                hex::encode(stored)
            ),
            Problem::TimeWentBack { previous } => {
                write!(
                    f,
                    "dated before the previous entry ({}s)",
                    previous.unix_seconds
                )
            }
            Problem::DesignVersionNotInForce { in_force } => {
                write!(
                    f,
                    "allocated under a design version other than {in_force}, the one in force"
                )
            }
            Problem::AmendmentNotNewer { in_force } => {
                write!(f, "amendment does not move past design version {in_force}")
            }
            Problem::AllocationNumberSkipped { expected, found } => {
                write!(f, "allocation number {found} skips {expected}..{found}")
            }
            Problem::AllocationNumberReused { expected, found } => {
                write!(f, "allocation number {found} reused (expected {expected})")
            }
            Problem::SubjectAllocatedTwice { first_index } => {
                write!(f, "subject already allocated at index {first_index}")
            }
            Problem::AnnotatesNoAllocation { annotated_index } => write!(
                f,
                "annotates index {annotated_index}, which is no earlier allocation of this subject"
            ),
            Problem::BlockSlotSkipped { expected, found } => {
                write!(f, "{} skips slots{}", slot(found), expected_slot(expected))
            }
            Problem::BlockSlotReused { expected, found } => {
                write!(
                    f,
                    "{} reuses a slot{}",
                    slot(found),
                    expected_slot(expected)
                )
            }
            Problem::PositionDoesNotFitDesign { method } => {
                write!(f, "its position does not fit the {method} design")
            }
            Problem::ArmNotInSequence { recorded, sequence } => {
                write!(
                    f,
                    "arm is {recorded}, the committed sequence says {sequence}"
                )
            }
            Problem::NotReplayable { reason } => write!(f, "cannot be replayed: {reason}"),
            Problem::DesignVersionUnknown { version } => {
                write!(f, "no revealed design document for version {version}")
            }
            Problem::DesignInvalid { version, reason } => {
                write!(f, "revealed design version {version} is unusable: {reason}")
            }
            Problem::AmendmentDigestMismatch { version } => write!(
                f,
                "amendment digest differs from the revealed design version {version}"
            ),
            Problem::HeadForOtherTrial { size, found } => {
                write!(f, "tree head of size {size} is for trial {found:?}")
            }
            Problem::HeadSignatureInvalid { size } => {
                write!(f, "tree head of size {size} has an invalid signature")
            }
            Problem::HeadBeyondLedger { size, ledger_size } => write!(
                f,
                "signed tree head of size {size} but the ledger holds {ledger_size} entries"
            ),
            Problem::HeadRootMismatch { size } => write!(
                f,
                "signed tree head of size {size} does not match the ledger's first {size} entries"
            ),
            Problem::HeadTimesOutOfOrder { size, earlier_size } => write!(
                f,
                "tree head of size {size} is dated before the head of size {earlier_size}"
            ),
            Problem::CheckpointSignatureInvalid { size } => {
                write!(f, "checkpoint of size {size} has an invalid signature")
            }
            Problem::SavedSignatureInvalid { size } => write!(
                f,
                "saved checkpoint of size {size} is not signed by this log's key"
            ),
            Problem::SavedBeyondLedger { size, ledger_size } => write!(
                f,
                "truncated: a checkpoint saved earlier has size {size} but the ledger holds {ledger_size} entries"
            ),
            Problem::SavedRootMismatch { size } => write!(
                f,
                "rewritten: the ledger's first {size} entries differ from the checkpoint saved earlier"
            ),
            Problem::Fork { size } => write!(
                f,
                "fork: two validly signed heads of size {size} have different roots"
            ),
            Problem::UnsignedEntries { from, to } => {
                let last = to.saturating_sub(1);
                write!(
                    f,
                    "entries {from} to {last} (indexes, both included) are covered by no signed tree head"
                )
            }
        }
    }
}

/// Verifies a ledger; an empty list means everything holds.
pub fn verify_ledger(evidence: &LedgerEvidence<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut leaf_hashes = Vec::with_capacity(evidence.rows.len());
    let mut sequence = SequenceCheck::new(evidence, &mut findings);
    for (position, row) in evidence.rows.iter().enumerate() {
        let recomputed = row.leaf.hash();
        let at = Some(row.leaf.ledger_index);
        if recomputed != row.stored_leaf_hash {
            let problem = Problem::LeafHashMismatch {
                stored: row.stored_leaf_hash,
                recomputed,
            };
            sequence.findings.push(Finding {
                ledger_index: at,
                problem,
            });
        }
        leaf_hashes.push(recomputed);
        sequence.check(position as u64, &row.leaf);
    }
    sequence.check_subjects();
    let tree = MerkleTree::from_leaf_hashes(leaf_hashes);
    check_heads(evidence, &tree, &mut findings);
    // Entry findings in ledger order, then those about the ledger as a whole.
    findings.sort_by_key(|finding| finding.ledger_index.unwrap_or(u64::MAX));
    findings
}

fn check_heads(evidence: &LedgerEvidence<'_>, tree: &MerkleTree, findings: &mut Vec<Finding>) {
    findings.extend(verify_heads(
        evidence.trial_id,
        evidence.heads,
        evidence.saved,
        evidence.head_public_key,
        tree,
    ));
}

/// Walks the entries in order, checking what follows from order alone and, with the key, replaying.
struct SequenceCheck<'a, 'f> {
    evidence: &'a LedgerEvidence<'a>,
    findings: &'f mut Vec<Finding>,
    previous_time: Option<UtcTime>,
    design_in_force: u32,
    next_allocation_number: u64,
    /// (subject, ledger index) of every allocation; checked by sorting once at the end, which is
    /// faster than a hash map over a million pseudonyms and hashes no untrusted keys.
    allocated: Vec<(SubjectPseudonym, u64)>,
    /// (subject, annotated index, ledger index) of every annotation.
    annotations: Vec<(SubjectPseudonym, u64, u64)>,
    /// Without the key: the last block slot seen per (design version, stratum).
    last_slots: HashMap<u32, HashMap<StratumKey, BlockSlot>>,
    replay: Option<Replay<'a>>,
}

struct Replay<'a> {
    allocators: HashMap<u32, Allocator<'a>>,
    state: TrialState,
    /// Versions already reported as unknown: one finding each, not one per allocation.
    unknown_versions: Vec<u32>,
}

impl<'a, 'f> SequenceCheck<'a, 'f> {
    fn new(evidence: &'a LedgerEvidence<'a>, findings: &'f mut Vec<Finding>) -> Self {
        let replay = evidence.revealed.map(|revealed| {
            let mut allocators = HashMap::new();
            for design in revealed.designs {
                let usable = match Allocator::new(revealed.key, design) {
                    Err(error) => Err(error.0),
                    Ok(_) if design.trial_id != evidence.trial_id => {
                        Err(format!("it names trial {:?}", design.trial_id))
                    }
                    Ok(allocator) => Ok(allocator),
                };
                match usable {
                    Ok(allocator) => {
                        allocators.insert(design.version, allocator);
                    }
                    Err(reason) => findings.push(Finding {
                        ledger_index: None,
                        problem: Problem::DesignInvalid {
                            version: design.version,
                            reason,
                        },
                    }),
                }
            }
            Replay {
                allocators,
                state: TrialState::new(),
                unknown_versions: Vec::new(),
            }
        });
        SequenceCheck {
            evidence,
            findings,
            previous_time: None,
            design_in_force: 1,
            next_allocation_number: 0,
            allocated: Vec::with_capacity(evidence.rows.len()),
            annotations: Vec::new(),
            last_slots: HashMap::new(),
            replay,
        }
    }

    fn report(&mut self, leaf: &LedgerLeaf, problem: Problem) {
        self.findings.push(Finding {
            ledger_index: Some(leaf.ledger_index),
            problem,
        });
    }

    fn check(&mut self, expected_index: u64, leaf: &LedgerLeaf) {
        if leaf.ledger_index > expected_index {
            self.report(
                leaf,
                Problem::IndexGap {
                    expected: expected_index,
                },
            );
        } else if leaf.ledger_index < expected_index {
            self.report(
                leaf,
                Problem::IndexOutOfOrder {
                    expected: expected_index,
                },
            );
        }
        if leaf.trial_id != self.evidence.trial_id {
            self.report(
                leaf,
                Problem::WrongTrial {
                    found: leaf.trial_id.clone(),
                },
            );
        }
        if let Some(previous) = self.previous_time.filter(|&previous| leaf.time < previous) {
            self.report(leaf, Problem::TimeWentBack { previous });
        }
        self.previous_time = Some(self.previous_time.map_or(leaf.time, |p| p.max(leaf.time)));
        match &leaf.entry {
            Entry::Allocation {
                stratum,
                position,
                subject,
                arm,
                ..
            } => self.check_allocation(leaf, stratum, *position, *subject, *arm),
            Entry::Annotation {
                annotated_index,
                subject,
                ..
            } => {
                self.annotations
                    .push((*subject, *annotated_index, leaf.ledger_index));
            }
            Entry::Amendment { design_digest } => self.check_amendment(leaf, design_digest),
        }
    }

    /// No subject allocated twice; every annotation names an earlier allocation of its subject.
    fn check_subjects(&mut self) {
        self.allocated.sort_unstable();
        let mut first_index = 0;
        for (i, &(subject, index)) in self.allocated.iter().enumerate() {
            if i > 0 && self.allocated[i - 1].0 == subject {
                let problem = Problem::SubjectAllocatedTwice { first_index };
                self.findings.push(Finding {
                    ledger_index: Some(index),
                    problem,
                });
            } else {
                first_index = index;
            }
        }
        for &(subject, annotated_index, index) in &self.annotations {
            let allocated = self
                .allocated
                .binary_search(&(subject, annotated_index))
                .is_ok();
            if !allocated || annotated_index >= index {
                let problem = Problem::AnnotatesNoAllocation { annotated_index };
                self.findings.push(Finding {
                    ledger_index: Some(index),
                    problem,
                });
            }
        }
    }

    fn check_amendment(&mut self, leaf: &LedgerLeaf, design_digest: &Hash) {
        if leaf.design_version <= self.design_in_force {
            self.report(
                leaf,
                Problem::AmendmentNotNewer {
                    in_force: self.design_in_force,
                },
            );
            return;
        }
        self.design_in_force = leaf.design_version;
        let Some(revealed) = self.evidence.revealed else {
            return;
        };
        let version = leaf.design_version;
        match revealed
            .designs
            .iter()
            .find(|design| design.version == version)
        {
            None => self.report(leaf, Problem::DesignVersionUnknown { version }),
            // Log version 1 holds the digest, version 2 the sealed digest.
            Some(design)
                if design.digest() != *design_digest
                    && design.sealed_digest(revealed.key) != *design_digest =>
            {
                self.report(leaf, Problem::AmendmentDigestMismatch { version })
            }
            Some(_) => {}
        }
    }

    fn check_allocation(
        &mut self,
        leaf: &LedgerLeaf,
        stratum: &StratumKey,
        position: Position,
        subject: SubjectPseudonym,
        arm: Arm,
    ) {
        if leaf.design_version != self.design_in_force {
            self.report(
                leaf,
                Problem::DesignVersionNotInForce {
                    in_force: self.design_in_force,
                },
            );
        }
        let (expected, found) = (self.next_allocation_number, position.allocation_number);
        if found > expected {
            self.report(leaf, Problem::AllocationNumberSkipped { expected, found });
        } else if found < expected {
            self.report(leaf, Problem::AllocationNumberReused { expected, found });
        }
        self.next_allocation_number = self.next_allocation_number.max(found + 1);
        self.allocated.push((subject, leaf.ledger_index));
        if self.replay.is_some() {
            self.replay_allocation(leaf, stratum, position, arm);
        } else {
            self.check_block_slot_order(leaf, stratum, position.block);
        }
    }

    /// Without the key block sizes are unknown; a slot must still be the previous one's
    /// successor: the next place in the same block or the first place of the next block.
    fn check_block_slot_order(
        &mut self,
        leaf: &LedgerLeaf,
        stratum: &StratumKey,
        found: Option<BlockSlot>,
    ) {
        let Some(found) = found else { return };
        let strata = self.last_slots.entry(leaf.design_version).or_default();
        let previous_slot = strata.get_mut(stratum);
        let previous = previous_slot.as_deref().copied();
        let problem = match previous {
            None if found == BlockSlot::FIRST => None,
            None => Some(Problem::BlockSlotSkipped {
                expected: Some(BlockSlot::FIRST),
                found,
            }),
            Some(previous) if found <= previous => Some(Problem::BlockSlotReused {
                expected: None,
                found,
            }),
            Some(previous) => {
                let next_place = BlockSlot {
                    offset: previous.offset + 1,
                    ..previous
                };
                let next_block = BlockSlot {
                    block_number: previous.block_number + 1,
                    offset: 0,
                };
                (found != next_place && found != next_block).then_some(Problem::BlockSlotSkipped {
                    expected: None,
                    found,
                })
            }
        };
        match previous_slot {
            Some(slot) => *slot = (*slot).max(found),
            None => {
                strata.insert(stratum.clone(), found);
            }
        }
        if let Some(problem) = problem {
            self.report(leaf, problem);
        }
    }

    fn replay_allocation(
        &mut self,
        leaf: &LedgerLeaf,
        stratum: &StratumKey,
        position: Position,
        arm: Arm,
    ) {
        let replay = self.replay.as_mut().expect("replaying");
        let version = leaf.design_version;
        let Some(allocator) = replay.allocators.get(&version).copied() else {
            if !replay.unknown_versions.contains(&version) {
                replay.unknown_versions.push(version);
                self.report(leaf, Problem::DesignVersionUnknown { version });
            }
            return;
        };
        let design = allocator.design();
        let expected_block = match design.method {
            Method::StratifiedBlocks { .. } => Some(replay.state.next_block_slot(version, stratum)),
            _ => None,
        };
        let mut problems = Vec::new();
        match (expected_block, position.block) {
            (Some(expected), Some(found)) if found < expected => {
                problems.push(Problem::BlockSlotReused {
                    expected: Some(expected),
                    found,
                })
            }
            (Some(expected), Some(found)) if found > expected => {
                problems.push(Problem::BlockSlotSkipped {
                    expected: Some(expected),
                    found,
                })
            }
            (Some(_), Some(_)) | (None, None) => {}
            _ => problems.push(Problem::PositionDoesNotFitDesign {
                method: design.method.name(),
            }),
        }
        // The arm is checked against the sequence at the slot the entry claims, so a re-rolled
        // allocation shows even when its slot was also tampered with.
        let input = AllocationInput {
            allocation_number: position.allocation_number,
            stratum,
            next_block_slot: position.block.unwrap_or(BlockSlot::FIRST),
            marginal_counts: &replay.state.marginal_counts_for(design, stratum),
        };
        let claimed_shape_fits = position.block.is_some() == expected_block.is_some();
        let sequence = allocator.allocate(&input);
        match &sequence {
            Ok(sequence) if claimed_shape_fits && sequence.arm != arm => {
                problems.push(Problem::ArmNotInSequence {
                    recorded: arm,
                    sequence: sequence.arm,
                })
            }
            Err(error) => problems.push(Problem::NotReplayable {
                reason: error.0.clone(),
            }),
            Ok(_) => {}
        }
        // Carry on from what the ledger records. A slot that does not exist in the sequence
        // moves no block on, but its arm still counts towards the margins, as it did in the store.
        let next_block_slot = match sequence {
            Ok(sequence) if claimed_shape_fits => sequence.next_block_slot,
            _ => None,
        };
        let recorded = Allocation {
            arm,
            position,
            next_block_slot,
        };
        replay.state.record(version, stratum, &recorded);
        for problem in problems {
            self.report(leaf, problem);
        }
    }
}
