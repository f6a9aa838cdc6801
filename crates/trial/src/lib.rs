//! Spire's randomisation machine, pure: no IO, no clock, no randomness of its own.
//!
//! - [`design`]: the three designs and the canonical design document the commitment binds.
//! - [`draw`]: sequence derivation (ChaCha20 keyed by HMAC-SHA256(trial key, context)), unbiased
//!   bounded sampling and the shuffle.
//! - [`allocate`]: the allocator the store calls inside its transaction and the verifier replays.
//! - [`leaf`], [`merkle`], [`head`]: the RFC 6962 ledger, its proofs and signed tree heads.
//! - [`ledger`]: an in-memory ledger for simulations, demo data and tests.
//! - [`predictability`]: how guessable allocations were, for the programme office.
//! - [`verify`]: recomputes a ledger and reports every finding.
//!
//! The byte layouts are in the crate's README; `test-vectors/` pins them.

pub mod allocate;
pub mod design;
pub mod draw;
mod encoding;
pub mod head;
pub mod leaf;
pub mod ledger;
pub mod merkle;
pub mod note;
pub mod predictability;
pub mod public_log;
pub mod tiles;
pub mod verify;

pub use allocate::{
    Allocation, AllocationInput, Allocator, ArmCounts, BlockSlot, Position, TrialState,
};
pub use design::{
    ALGORITHM_VERSION, Arm, Design, DesignError, Imbalance, Method, Probability, Ratio, StratumKey,
    commitment, commitment_v2,
};
pub use draw::{DrawContext, DrawStream, TrialKey};
pub use encoding::DecodeError;
pub use head::{HeadSigner, SignedTreeHead, TreeHead};
pub use leaf::{Entry, EntryKind, LedgerLeaf, SubjectPseudonym, UtcTime};
pub use ledger::{InMemoryLedger, Made};
pub use merkle::{Hash, MerkleFrontier, MerkleTree};
pub use predictability::{Predictability, convergence_predictability};
pub use verify::{
    Finding, LedgerEvidence, LedgerRow, Problem, Revealed, SavedCheckpoint, verify_heads,
    verify_ledger,
};

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}
