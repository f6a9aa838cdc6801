//! Sequence derivation: every random choice comes from a ChaCha20 keystream whose key is
//! HMAC-SHA256(trial key, context). The bounded sampling and the shuffle are written here, not
//! taken from `rand`, so that a given key and context give the same draws in every future version.

use crate::design::StratumKey;
use crate::encoding::Writer;
use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// The trial's 32-byte secret. Whoever holds it can predict every allocation, so it lives outside
/// the tables staff can read, and is revealed only at the end of the trial.
#[derive(Clone)]
pub struct TrialKey {
    bytes: [u8; 32],
    /// HMAC-SHA256 with the key already absorbed: each seed then costs only the message's hashing.
    keyed_mac: Hmac<Sha256>,
}

impl TrialKey {
    /// Wraps 32 bytes that the caller took from the operating system's CSPRNG.
    pub fn from_bytes(bytes: [u8; 32]) -> TrialKey {
        let keyed_mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&bytes).expect("HMAC takes any key length");
        TrialKey { bytes, keyed_mac }
    }

    /// Parses 64 hexadecimal digits (a revealed key file).
    pub fn from_hex(text: &str) -> Option<TrialKey> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).ok()?;
        Some(TrialKey::from_bytes(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.bytes)
    }
}

impl PartialEq for TrialKey {
    fn eq(&self, other: &TrialKey) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for TrialKey {}

impl fmt::Debug for TrialKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret, not even in a panic message.
        f.write_str("TrialKey(..)")
    }
}

/// What a stream of draws is for. Each context gets its own independent keystream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrawContext<'a> {
    /// One permuted block of a stratum (design `stratified_blocks`): its size and its order.
    Block {
        trial_id: &'a str,
        design_version: u32,
        stratum: &'a StratumKey,
        block_number: u64,
    },
    /// The n-th allocation of the trial, counted from 0 over all design versions (designs
    /// `complete` and `minimisation`).
    Allocation {
        trial_id: &'a str,
        design_version: u32,
        allocation_number: u64,
    },
}

const CONTEXT_DOMAIN: &str = "spire-trial/draw-context/v1";
const CONTEXT_TAG_BLOCK: u8 = 1;
const CONTEXT_TAG_ALLOCATION: u8 = 2;

impl DrawContext<'_> {
    /// The canonical bytes fed to HMAC-SHA256 as the message.
    pub fn encode(&self) -> Vec<u8> {
        let mut writer = Writer::with_domain(CONTEXT_DOMAIN);
        match *self {
            DrawContext::Block {
                trial_id,
                design_version,
                stratum,
                block_number,
            } => {
                writer
                    .str(trial_id)
                    .u32(design_version)
                    .u8(CONTEXT_TAG_BLOCK);
                stratum.encode_into(&mut writer);
                writer.u64(block_number);
            }
            DrawContext::Allocation {
                trial_id,
                design_version,
                allocation_number,
            } => {
                writer
                    .str(trial_id)
                    .u32(design_version)
                    .u8(CONTEXT_TAG_ALLOCATION)
                    .u64(allocation_number);
            }
        }
        writer.finish()
    }
}

/// The ChaCha20 key for a context: HMAC-SHA256(trial key, canonical context bytes).
pub fn stream_seed(key: &TrialKey, context: &DrawContext<'_>) -> [u8; 32] {
    let mut mac = key.keyed_mac.clone();
    mac.update(&context.encode());
    mac.finalize().into_bytes().into()
}

/// A stream of draws: the RFC 8439 ChaCha20 keystream under the context's seed, with an all-zero
/// 96-bit nonce and the block counter starting at 0, read 4 bytes at a time as little-endian `u32`.
pub struct DrawStream {
    cipher: ChaCha20,
    buffer: [u8; 64],
    used: usize,
}

impl DrawStream {
    pub fn new(key: &TrialKey, context: &DrawContext<'_>) -> DrawStream {
        DrawStream::from_seed(stream_seed(key, context))
    }

    pub fn from_seed(seed: [u8; 32]) -> DrawStream {
        let cipher = ChaCha20::new(&seed.into(), &[0u8; 12].into());
        DrawStream {
            cipher,
            buffer: [0; 64],
            used: 64,
        }
    }

    /// The next four keystream bytes as a little-endian integer.
    pub fn next_u32(&mut self) -> u32 {
        if self.used == self.buffer.len() {
            self.buffer = [0; 64];
            self.cipher.write_keystream(&mut self.buffer);
            self.used = 0;
        }
        let word = &self.buffer[self.used..self.used + 4];
        self.used += 4;
        u32::from_le_bytes(word.try_into().expect("four bytes"))
    }

    /// A uniform integer in `0..bound` by rejection: draws `x` until `x < 2^32 - (2^32 mod bound)`,
    /// then returns `x mod bound`. Exactly uniform; the expected number of draws is below 2.
    pub fn below(&mut self, bound: u32) -> u32 {
        assert!(bound > 0, "below(0) has no value");
        let range = 1u64 << 32;
        let accept_below = range - range % u64::from(bound);
        loop {
            let draw = u64::from(self.next_u32());
            if draw < accept_below {
                return (draw % u64::from(bound)) as u32;
            }
        }
    }

    /// `true` with probability `numerator / denominator`: `below(denominator) < numerator`.
    pub fn chance(&mut self, numerator: u32, denominator: u32) -> bool {
        self.below(denominator) < numerator
    }

    /// Fisher–Yates (Durstenfeld): for i from len−1 down to 1, swap item i with item below(i+1).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let bound = u32::try_from(i + 1).expect("shuffled slices are small");
            let j = self.below(bound) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(label: u64) -> DrawStream {
        let key = TrialKey::from_bytes([7; 32]);
        DrawStream::new(
            &key,
            &DrawContext::Allocation {
                trial_id: "t",
                design_version: 1,
                allocation_number: label,
            },
        )
    }

    #[test]
    fn keystream_is_rfc8439_chacha20_with_zero_nonce() {
        // RFC 8439 §2.3.2 block function example uses a counter of 1; the first keystream block with
        // counter 0, all-zero key and nonce is the well-known 76b8e0ad… vector (RFC 8439 §A.1 #1).
        let mut draws = DrawStream::from_seed([0; 32]);
        let first = draws.next_u32().to_le_bytes();
        let second = draws.next_u32().to_le_bytes();
        assert_eq!(hex::encode([first, second].concat()), "76b8e0ada0f13d90");
    }

    #[test]
    fn different_contexts_give_different_streams() {
        assert_ne!(stream(0).next_u32(), stream(1).next_u32());
        assert_eq!(stream(5).next_u32(), stream(5).next_u32());
    }

    #[test]
    fn below_is_uniform_by_chi_square() {
        // 60,000 draws into 7 cells; the 0.999 quantile of chi-square with 6 d.f. is 22.46.
        let mut draws = stream(42);
        let mut cells = [0u32; 7];
        for _ in 0..60_000 {
            cells[draws.below(7) as usize] += 1;
        }
        let expected = 60_000.0 / 7.0;
        let chi_square: f64 = cells
            .iter()
            .map(|&c| (f64::from(c) - expected).powi(2) / expected)
            .sum();
        assert!(chi_square < 22.46, "chi-square {chi_square} for {cells:?}");
    }

    #[test]
    fn below_rejects_the_biased_tail() {
        // With bound 2^31 + 1 nearly half of all u32 values must be rejected; results stay in range.
        let mut draws = stream(3);
        for _ in 0..1000 {
            assert!(draws.below((1 << 31) + 1) <= 1 << 31);
        }
        assert_eq!(stream(3).below(1), 0);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut items: Vec<u32> = (0..50).collect();
        stream(9).shuffle(&mut items);
        assert_ne!(items, (0..50).collect::<Vec<_>>());
        items.sort();
        assert_eq!(items, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(
            format!("{:?}", TrialKey::from_bytes([1; 32])),
            "TrialKey(..)"
        );
    }
}
