//! Signed tree heads: the server's Ed25519 signature over (trial, tree size, root, time).

use crate::encoding::Writer;
use crate::leaf::UtcTime;
use crate::merkle::Hash;
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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTreeHead {
    pub head: TreeHead,
    pub signature: [u8; 64],
}

impl SignedTreeHead {
    /// Checks the signature (strict Ed25519: no malleable or small-order forms accepted).
    pub fn verify(&self, public_key: &[u8; 32]) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(public_key) else {
            return false;
        };
        key.verify_strict(
            &self.head.signed_bytes(),
            &Signature::from_bytes(&self.signature),
        )
        .is_ok()
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

    pub fn sign(&self, head: TreeHead) -> SignedTreeHead {
        let signature = self.0.sign(&head.signed_bytes()).to_bytes();
        SignedTreeHead { head, signature }
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
