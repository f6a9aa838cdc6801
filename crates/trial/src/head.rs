//! Signed tree heads: the server's Ed25519 signature over (trial, tree size, root, time), and
//! since log version 2 also over the same head as a C2SP checkpoint (see [`crate::note`]).

use crate::encoding::Writer;
use crate::leaf::UtcTime;
use crate::merkle::Hash;
use crate::note::{Checkpoint, origin};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeHead {
    pub trial_id: String,
    pub size: u64,
    pub root: Hash,
    pub time: UtcTime,
}

const HEAD_DOMAIN: &str = "spire-trial/tree-head/v1";

impl TreeHead {
    /// The exact bytes that are signed.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut writer = Writer::with_domain(HEAD_DOMAIN);
        writer
            .str(&self.trial_id)
            .u64(self.size)
            .raw(&self.root)
            .i64(self.time.unix_seconds)
            .u32(self.time.nanos);
        writer.finish()
    }

    /// The head as a C2SP checkpoint (no time: a checkpoint carries none).
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            origin: origin(&self.trial_id),
            size: self.size,
            root: self.root,
        }
    }
}

/// Strict Ed25519 (RFC 8032 §5.1.7, with ed25519-dalek's `verify_strict`): a public key or `R`
/// of small order, a non-canonical `S` (not below the group order) and a non-canonical point
/// encoding are refused, so one message has one valid signature per key.
pub fn verify_strict(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    VerifyingKey::from_bytes(public_key).is_ok_and(|key| {
        key.verify_strict(message, &Signature::from_bytes(signature))
            .is_ok()
    })
}

/// Both signatures of many heads under one key, decoding the key once (a quarter of the cost
/// of a single check): the v1 signature's verdict and the checkpoint's, if the head has one.
pub(crate) fn verify_heads_under(
    public_key: &[u8; 32],
    heads: &[SignedTreeHead],
) -> Vec<(bool, Option<bool>)> {
    let Ok(key) = VerifyingKey::from_bytes(public_key) else {
        return heads
            .iter()
            .map(|head| (false, head.checkpoint_signature.map(|_| false)))
            .collect();
    };
    let holds = |message: &[u8], signature: &[u8; 64]| {
        key.verify_strict(message, &Signature::from_bytes(signature))
            .is_ok()
    };
    heads
        .iter()
        .map(|head| {
            let checkpoint = head
                .checkpoint_signature
                .map(|signature| holds(head.head.checkpoint().body().as_bytes(), &signature));
            (
                holds(&head.head.signed_bytes(), &head.signature),
                checkpoint,
            )
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTreeHead {
    pub head: TreeHead,
    pub signature: [u8; 64],
    /// The signed note signature over [`TreeHead::checkpoint`]; none on heads signed before
    /// the log served checkpoints.
    pub checkpoint_signature: Option<[u8; 64]>,
}

impl SignedTreeHead {
    /// Checks the signature (strict Ed25519: no malleable or small-order forms accepted).
    pub fn verify(&self, public_key: &[u8; 32]) -> bool {
        verify_strict(public_key, &self.head.signed_bytes(), &self.signature)
    }

    /// Checks the checkpoint signature, when the head has one.
    pub fn verify_checkpoint(&self, public_key: &[u8; 32]) -> Option<bool> {
        let signature = self.checkpoint_signature?;
        let body = self.head.checkpoint().body();
        Some(verify_strict(public_key, body.as_bytes(), &signature))
    }
}

/// The server's tree-head signing key.
pub struct HeadSigner(SigningKey);

impl HeadSigner {
    /// From the 32-byte Ed25519 seed (RFC 8032 private key) the caller keeps in its key file.
    pub fn from_seed(seed: [u8; 32]) -> HeadSigner {
        HeadSigner(SigningKey::from_bytes(&seed))
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// Signs the head both ways: the v1 tree-head bytes and the checkpoint.
    pub fn sign(&self, head: TreeHead) -> SignedTreeHead {
        let signature = self.sign_bytes(&head.signed_bytes());
        let checkpoint_signature = Some(self.sign_bytes(head.checkpoint().body().as_bytes()));
        SignedTreeHead {
            head,
            signature,
            checkpoint_signature,
        }
    }

    /// An Ed25519 signature over any message (a witness signs its cosignatures with this too).
    pub fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for HeadSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HeadSigner(public {})", hex::encode(self.public_key()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> TreeHead {
        TreeHead {
            trial_id: "trial-a".into(),
            size: 5,
            root: [7; 32],
            time: UtcTime {
                unix_seconds: 1,
                nanos: 2,
            },
        }
    }

    #[test]
    fn a_signed_head_verifies_only_unchanged_and_under_its_key() {
        let signer = HeadSigner::from_seed([1; 32]);
        let signed = signer.sign(head());
        assert!(signed.verify(&signer.public_key()));
        assert!(!signed.verify(&HeadSigner::from_seed([2; 32]).public_key()));
        let mut resized = signed.clone();
        resized.head.size = 6;
        assert!(!resized.verify(&signer.public_key()));
        let mut rerooted = signed.clone();
        rerooted.head.root[0] ^= 1;
        assert!(!rerooted.verify(&signer.public_key()));
        let mut bad_signature = signed;
        bad_signature.signature[10] ^= 1;
        assert!(!bad_signature.verify(&signer.public_key()));
    }

    #[test]
    fn debug_shows_only_the_public_key() {
        let signer = HeadSigner::from_seed([1; 32]);
        assert!(!format!("{signer:?}").contains(&hex::encode([1u8; 32])));
    }
}
