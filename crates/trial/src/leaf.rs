//! Ledger entries and their canonical leaf encoding.

use crate::allocate::{BlockSlot, Position};
use crate::design::{Arm, StratumKey};
use crate::encoding::{DecodeError, Reader, Writer};
use crate::merkle::{Hash, leaf_hash};

/// A UTC instant as Unix seconds and nanoseconds (0..1e9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTime {
    pub unix_seconds: i64,
    pub nanos: u32,
}

/// A subject's pseudonym in the ledger: a keyed hash of the normalised CPR number, never the CPR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubjectPseudonym(pub [u8; 32]);

/// What a ledger entry records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A subject randomised into an arm.
    Allocation {
        stratum: StratumKey,
        position: Position,
        subject: SubjectPseudonym,
        arm: Arm,
        /// SHA-256 of the frozen baseline record (the store defines that record's bytes).
        baseline_hash: Hash,
    },
    /// A note on an earlier allocation, e.g. "allocated in error". It frees no slot.
    Annotation {
        annotated_index: u64,
        subject: SubjectPseudonym,
        /// SHA-256 of the annotation record (reason, who, when as the store keeps it).
        note_hash: Hash,
    },
    /// A new design version in force from the next entry on; the leaf's `design_version` is the
    /// new version and `design_digest` the SHA-256 of its canonical document.
    Amendment { design_digest: Hash },
}

/// The kind of entry, as stored in a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    Allocation,
    Annotation,
    Amendment,
}

impl EntryKind {
    pub fn code(self) -> u8 {
        match self {
            EntryKind::Allocation => 1,
            EntryKind::Annotation => 2,
            EntryKind::Amendment => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Allocation => "allocation",
            EntryKind::Annotation => "annotation",
            EntryKind::Amendment => "amendment",
        }
    }

    /// The inverse of `as_str`.
    pub fn from_name(name: &str) -> Option<EntryKind> {
        [
            EntryKind::Allocation,
            EntryKind::Annotation,
            EntryKind::Amendment,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == name)
    }
}

/// One ledger entry: the fields every entry has plus what its kind records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerLeaf {
    /// Position in the trial's ledger, from 0, with no gaps.
    pub ledger_index: u64,
    pub trial_id: String,
    /// The design version in force for this entry (for an amendment: the version it introduces).
    pub design_version: u32,
    pub time: UtcTime,
    /// Who made the entry (the store's user id, as text).
    pub actor_id: String,
    pub entry: Entry,
}

const LEAF_DOMAIN: &str = "spire-trial/leaf/v1";

impl LedgerLeaf {
    pub fn kind(&self) -> EntryKind {
        match self.entry {
            Entry::Allocation { .. } => EntryKind::Allocation,
            Entry::Annotation { .. } => EntryKind::Annotation,
            Entry::Amendment { .. } => EntryKind::Amendment,
        }
    }

    /// The canonical leaf bytes (see README for the layout).
    pub fn encode(&self) -> Vec<u8> {
        let mut writer = Writer::with_domain(LEAF_DOMAIN);
        writer
            .u64(self.ledger_index)
            .str(&self.trial_id)
            .u32(self.design_version)
            .i64(self.time.unix_seconds)
            .u32(self.time.nanos)
            .str(&self.actor_id)
            .u8(self.kind().code());
        match &self.entry {
            Entry::Allocation {
                stratum,
                position,
                subject,
                arm,
                baseline_hash,
            } => {
                stratum.encode_into(&mut writer);
                writer.u64(position.allocation_number);
                match position.block {
                    None => writer.u8(0),
                    Some(slot) => writer.u8(1).u64(slot.block_number).u32(slot.offset),
                };
                writer.raw(&subject.0).u8(arm.code()).raw(baseline_hash);
            }
            Entry::Annotation {
                annotated_index,
                subject,
                note_hash,
            } => {
                writer.u64(*annotated_index).raw(&subject.0).raw(note_hash);
            }
            Entry::Amendment { design_digest } => {
                writer.raw(design_digest);
            }
        }
        writer.finish()
    }

    pub fn decode(bytes: &[u8]) -> Result<LedgerLeaf, DecodeError> {
        let mut reader = Reader::with_domain(bytes, LEAF_DOMAIN)?;
        let ledger_index = reader.u64()?;
        let trial_id = reader.string("trial id")?;
        let design_version = reader.u32()?;
        let time = UtcTime {
            unix_seconds: reader.i64()?,
            nanos: reader.u32()?,
        };
        let actor_id = reader.string("actor id")?;
        let entry = match reader.u8()? {
            1 => {
                let stratum = StratumKey::decode_from(&mut reader)?;
                let allocation_number = reader.u64()?;
                let block = match reader.u8()? {
                    0 => None,
                    1 => Some(BlockSlot {
                        block_number: reader.u64()?,
                        offset: reader.u32()?,
                    }),
                    tag => {
                        return Err(DecodeError::UnknownTag {
                            field: "block flag",
                            tag,
                        });
                    }
                };
                let subject = SubjectPseudonym(reader.hash()?);
                let arm_code = reader.u8()?;
                let arm = Arm::from_code(arm_code).ok_or(DecodeError::UnknownTag {
                    field: "arm",
                    tag: arm_code,
                })?;
                let baseline_hash = reader.hash()?;
                Entry::Allocation {
                    stratum,
                    position: Position {
                        allocation_number,
                        block,
                    },
                    subject,
                    arm,
                    baseline_hash,
                }
            }
            2 => Entry::Annotation {
                annotated_index: reader.u64()?,
                subject: SubjectPseudonym(reader.hash()?),
                note_hash: reader.hash()?,
            },
            3 => Entry::Amendment {
                design_digest: reader.hash()?,
            },
            tag => {
                return Err(DecodeError::UnknownTag {
                    field: "entry kind",
                    tag,
                });
            }
        };
        reader.finish()?;
        Ok(LedgerLeaf {
            ledger_index,
            trial_id,
            design_version,
            time,
            actor_id,
            entry,
        })
    }

    /// RFC 6962 leaf hash of the canonical bytes.
    pub fn hash(&self) -> Hash {
        leaf_hash(&self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_leaves() -> Vec<LedgerLeaf> {
        let common = |ledger_index, entry| LedgerLeaf {
            ledger_index,
            trial_id: "trial-a".into(),
            design_version: 1,
            time: UtcTime {
                unix_seconds: 1_767_225_600 + ledger_index as i64,
                nanos: 123_456_789,
            },
            actor_id: "user-17".into(),
            entry,
        };
        vec![
            common(
                0,
                Entry::Allocation {
                    stratum: StratumKey::new([("municipality", "101"), ("age_band", "18-24")]),
                    position: Position {
                        allocation_number: 0,
                        block: Some(BlockSlot {
                            block_number: 0,
                            offset: 0,
                        }),
                    },
                    subject: SubjectPseudonym([0xAB; 32]),
                    arm: Arm::Control,
                    baseline_hash: [0x11; 32],
                },
            ),
            common(
                1,
                Entry::Allocation {
                    stratum: StratumKey::default(),
                    position: Position {
                        allocation_number: 1,
                        block: None,
                    },
                    subject: SubjectPseudonym([0xCD; 32]),
                    arm: Arm::Programme,
                    baseline_hash: [0x22; 32],
                },
            ),
            common(
                2,
                Entry::Annotation {
                    annotated_index: 0,
                    subject: SubjectPseudonym([0xAB; 32]),
                    note_hash: [3; 32],
                },
            ),
            common(
                3,
                Entry::Amendment {
                    design_digest: [4; 32],
                },
            ),
        ]
    }

    #[test]
    fn leaves_round_trip_through_their_encoding() {
        for leaf in sample_leaves() {
            assert_eq!(LedgerLeaf::decode(&leaf.encode()), Ok(leaf.clone()));
            assert_eq!(
                EntryKind::from_name(leaf.kind().as_str()),
                Some(leaf.kind())
            );
        }
    }

    #[test]
    fn every_field_changes_the_leaf_hash() {
        let base = sample_leaves().remove(0);
        let mut variants = vec![
            LedgerLeaf {
                ledger_index: 9,
                ..base.clone()
            },
            LedgerLeaf {
                trial_id: "trial-b".into(),
                ..base.clone()
            },
            LedgerLeaf {
                design_version: 2,
                ..base.clone()
            },
            LedgerLeaf {
                time: UtcTime {
                    unix_seconds: 1,
                    nanos: 0,
                },
                ..base.clone()
            },
            LedgerLeaf {
                actor_id: "user-18".into(),
                ..base.clone()
            },
        ];
        let Entry::Allocation {
            stratum,
            position,
            subject,
            arm,
            baseline_hash,
        } = base.entry.clone()
        else {
            unreachable!()
        };
        let entries = [
            Entry::Allocation {
                stratum: StratumKey::new([("municipality", "102")]),
                position,
                subject,
                arm,
                baseline_hash,
            },
            Entry::Allocation {
                stratum: stratum.clone(),
                position: Position {
                    allocation_number: 0,
                    block: Some(BlockSlot {
                        block_number: 0,
                        offset: 1,
                    }),
                },
                subject,
                arm,
                baseline_hash,
            },
            Entry::Allocation {
                stratum: stratum.clone(),
                position,
                subject: SubjectPseudonym([0; 32]),
                arm,
                baseline_hash,
            },
            Entry::Allocation {
                stratum: stratum.clone(),
                position,
                subject,
                arm: Arm::Programme,
                baseline_hash,
            },
            Entry::Allocation {
                stratum: stratum.clone(),
                position,
                subject,
                arm,
                baseline_hash: [0; 32],
            },
        ];
        variants.extend(entries.into_iter().map(|entry| LedgerLeaf {
            entry,
            ..base.clone()
        }));
        for variant in variants {
            assert_ne!(variant.hash(), base.hash(), "{variant:?}");
        }
    }

    #[test]
    fn decoding_refuses_unknown_kinds_and_arms() {
        let leaf = sample_leaves().remove(1);
        let mut bytes = leaf.encode();
        let arm_at = bytes.len() - 33;
        bytes[arm_at] = 7;
        assert_eq!(
            LedgerLeaf::decode(&bytes),
            Err(DecodeError::UnknownTag {
                field: "arm",
                tag: 7
            })
        );
    }
}
