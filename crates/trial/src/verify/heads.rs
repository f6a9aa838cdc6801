//! The heads part of verification: every signed head and every checkpoint an
//! outsider saved, against the tree of the ledger's leaf hashes.

use super::{Finding, Problem};
use crate::head::{SignedTreeHead, verify_strict};
use crate::leaf::UtcTime;
use crate::merkle::{Hash, MerkleTree};
use crate::note::Checkpoint;

/// A checkpoint with the log's note signature, as someone outside saved it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedCheckpoint {
    pub checkpoint: Checkpoint,
    pub signature: [u8; 64],
}

/// Checks every head and saved checkpoint against the tree of the ledger's leaf hashes: each
/// signature (both of a head), that none reaches past the ledger or differs from its prefix,
/// that no two validly signed ones of a size differ (a fork), and that a head covers every entry.
pub fn verify_heads(
    trial_id: &str,
    heads: &[SignedTreeHead],
    saved: &[SavedCheckpoint],
    public_key: &[u8; 32],
    tree: &MerkleTree,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut report = |problem| {
        findings.push(Finding {
            ledger_index: None,
            problem,
        })
    };
    let ledger_size = tree.len();
    let mut signed_size = 0;
    let mut valid_heads: Vec<(u64, UtcTime)> = Vec::new();
    // (size, root) of every validly signed statement, for forks.
    let mut signed_roots: Vec<(u64, Hash)> = Vec::new();
    let signatures = check_signatures(heads, public_key);
    for (signed, (signature_holds, checkpoint_holds)) in heads.iter().zip(signatures) {
        let head = &signed.head;
        let problem = if head.trial_id != trial_id {
            Some(Problem::HeadForOtherTrial {
                size: head.size,
                found: head.trial_id.clone(),
            })
        } else if !signature_holds {
            Some(Problem::HeadSignatureInvalid { size: head.size })
        } else if checkpoint_holds == Some(false) {
            Some(Problem::CheckpointSignatureInvalid { size: head.size })
        } else {
            signed_roots.push((head.size, head.root));
            if head.size > ledger_size {
                Some(Problem::HeadBeyondLedger {
                    size: head.size,
                    ledger_size,
                })
            } else if tree.root_at(head.size) != Some(head.root) {
                Some(Problem::HeadRootMismatch { size: head.size })
            } else {
                None
            }
        };
        match problem {
            Some(problem) => report(problem),
            None => {
                signed_size = signed_size.max(head.size);
                valid_heads.push((head.size, head.time));
            }
        }
    }
    let origin = crate::note::origin(trial_id);
    for kept in saved {
        let checkpoint = &kept.checkpoint;
        let size = checkpoint.size;
        let body = checkpoint.body();
        if checkpoint.origin != origin
            || !verify_strict(public_key, body.as_bytes(), &kept.signature)
        {
            report(Problem::SavedSignatureInvalid { size });
            continue;
        }
        signed_roots.push((size, checkpoint.root));
        if size > ledger_size {
            report(Problem::SavedBeyondLedger { size, ledger_size });
        } else if tree.root_at(size) != Some(checkpoint.root) {
            report(Problem::SavedRootMismatch { size });
        }
    }
    signed_roots.sort();
    signed_roots.dedup();
    let mut forked: Vec<u64> = signed_roots
        .windows(2)
        .filter(|pair| pair[0].0 == pair[1].0)
        .map(|pair| pair[0].0)
        .collect();
    forked.dedup();
    for size in forked {
        report(Problem::Fork { size });
    }
    valid_heads.sort();
    for pair in valid_heads.windows(2) {
        let ((earlier_size, earlier_time), (size, time)) = (pair[0], pair[1]);
        if time < earlier_time && size > earlier_size {
            report(Problem::HeadTimesOutOfOrder { size, earlier_size });
        }
    }
    if signed_size < ledger_size {
        report(Problem::UnsignedEntries {
            from: signed_size,
            to: ledger_size,
        });
    }
    findings
}

/// Both signatures of every head, checked on every core: a head is signed with each entry, and
/// a signature check costs more than everything else the verifier does for that entry.
fn check_signatures(heads: &[SignedTreeHead], public_key: &[u8; 32]) -> Vec<(bool, Option<bool>)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if heads.len() < 256 || threads == 1 {
        return crate::head::verify_heads_under(public_key, heads);
    }
    let chunk = heads.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = heads
            .chunks(chunk)
            .map(|part| scope.spawn(move || crate::head::verify_heads_under(public_key, part)))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a signature check does not panic"))
            .collect()
    })
}
