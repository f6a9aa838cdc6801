//! The public form of the trial's signed heads, in the formats of the transparency-log world, so
//! that tools Spire did not write can check them (Go's `golang.org/x/mod/sumdb/note` and
//! `sumdb/tlog`, the transparency-dev witnesses):
//!
//! - checkpoints, C2SP `tlog-checkpoint`: `origin\nsize\nbase64(root)\n`;
//! - signed notes, C2SP `signed-note`: the text, a blank line, then `— name base64(key id ‖ sig)`
//!   lines; Ed25519 keys (type 0x01) with verifier keys `name+hex(key id)+base64(0x01 ‖ key)`;
//! - witness cosignatures, C2SP `tlog-cosignature` (type 0x04): Ed25519 over
//!   `cosignature/v1\ntime T\n` and the checkpoint, the note signature `key id ‖ u64 T ‖ sig`.

use crate::head::verify_strict;
use crate::merkle::Hash;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use std::fmt;

/// Ed25519 signature over a signed note's text (C2SP signed-note).
pub const ED25519_NOTE_KEY: u8 = 0x01;
/// Ed25519 cosignature over a checkpoint and a time (C2SP tlog-cosignature).
pub const COSIGNATURE_KEY: u8 = 0x04;

/// The checkpoint origin (and note key name) of a trial's log: unique per trial public id.
pub fn origin(trial_id: &str) -> String {
    format!("spire-trial/{trial_id}")
}

/// A trial log's verifier key: named by its origin, type Ed25519 (0x01).
pub fn log_key(trial_id: &str, public_key: [u8; 32]) -> VerifierKey {
    VerifierKey::new(&origin(trial_id), ED25519_NOTE_KEY, public_key)
}

/// A tree head as a C2SP checkpoint body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The note text that is signed: three lines, each ending in a newline.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root)
        )
    }

    /// Reads a checkpoint body. Extension lines are refused: this log writes none, and a
    /// verifier that skipped them would sign off text it did not read.
    pub fn parse(body: &str) -> Result<Checkpoint, NoteError> {
        let lines: Vec<&str> = body.split_inclusive('\n').collect();
        let [origin, size, root] = lines.as_slice() else {
            return Err(NoteError::Malformed(
                "a checkpoint is three lines: origin, size, root",
            ));
        };
        let line = |l: &str| l.strip_suffix('\n').map(str::to_string);
        let (Some(origin), Some(size), Some(root)) = (line(origin), line(size), line(root)) else {
            return Err(NoteError::Malformed("a checkpoint line lacks its newline"));
        };
        if origin.is_empty() || origin.chars().any(|c| c.is_whitespace() || c == '+') {
            return Err(NoteError::Malformed("the origin line"));
        }
        let size = decimal(&size).ok_or(NoteError::Malformed("the size line"))?;
        let root = BASE64
            .decode(root.as_bytes())
            .ok()
            .and_then(|bytes| Hash::try_from(bytes.as_slice()).ok())
            .ok_or(NoteError::Malformed("the root line"))?;
        Ok(Checkpoint { origin, size, root })
    }

    /// The message a witness signs for this checkpoint at `time` (seconds since 1970).
    pub fn cosigned_message(&self, time: u64) -> String {
        format!("cosignature/v1\ntime {time}\n{}", self.body())
    }
}

/// A decimal without sign or leading zeros (one spelling per number).
fn decimal(text: &str) -> Option<u64> {
    let canonical = text == "0" || (!text.starts_with('0') && !text.is_empty());
    (canonical && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteError {
    Malformed(&'static str),
}

impl fmt::Display for NoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoteError::Malformed(what) => write!(f, "malformed signed note: {what}"),
        }
    }
}

impl std::error::Error for NoteError {}

/// The 4-byte key id of a note key: SHA-256(name ‖ "\n" ‖ type ‖ public key), first four bytes.
pub fn key_id(name: &str, key_type: u8, public_key: &[u8; 32]) -> [u8; 4] {
    let mut preimage = Vec::with_capacity(name.len() + 34);
    preimage.extend_from_slice(name.as_bytes());
    preimage.push(b'\n');
    preimage.push(key_type);
    preimage.extend_from_slice(public_key);
    let hash = crate::sha256(&preimage);
    [hash[0], hash[1], hash[2], hash[3]]
}

/// A public key as a note verifier key: `name+8 hex digits of the key id+base64(type ‖ key)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierKey {
    pub name: String,
    pub key_type: u8,
    pub public_key: [u8; 32],
}

impl VerifierKey {
    pub fn new(name: &str, key_type: u8, public_key: [u8; 32]) -> VerifierKey {
        VerifierKey {
            name: name.to_string(),
            key_type,
            public_key,
        }
    }

    pub fn id(&self) -> [u8; 4] {
        key_id(&self.name, self.key_type, &self.public_key)
    }

    pub fn parse(text: &str) -> Result<VerifierKey, NoteError> {
        let bad = NoteError::Malformed("a verifier key is name+keyid+base64(type and key)");
        // The base64 key may hold '+' itself: the name and id end at the first two.
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad);
        };
        let key = BASE64.decode(key.as_bytes()).map_err(|_| bad.clone())?;
        let (Some(&key_type), Ok(public_key)) = (key.first(), <[u8; 32]>::try_from(&key[1..]))
        else {
            return Err(bad);
        };
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            return Err(bad);
        }
        let parsed = VerifierKey::new(name, key_type, public_key);
        if id != hex::encode(parsed.id()) {
            return Err(NoteError::Malformed(
                "the verifier key's id does not match its key",
            ));
        }
        Ok(parsed)
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut key = vec![self.key_type];
        key.extend_from_slice(&self.public_key);
        write!(
            f,
            "{}+{}+{}",
            self.name,
            hex::encode(self.id()),
            BASE64.encode(key)
        )
    }
}

/// One signature line of a signed note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: [u8; 4],
    /// What follows the key id: 64 signature bytes (type 0x01) or time and signature (0x04).
    pub payload: Vec<u8>,
}

impl NoteSignature {
    /// The log's own Ed25519 signature over a checkpoint body.
    pub fn ed25519(key: &VerifierKey, signature: [u8; 64]) -> NoteSignature {
        NoteSignature {
            name: key.name.clone(),
            key_id: key.id(),
            payload: signature.to_vec(),
        }
    }

    /// Does this line sign `text` under `key` (type 0x01, strict Ed25519)?
    pub fn verifies(&self, key: &VerifierKey, text: &str) -> bool {
        let Ok(signature) = <[u8; 64]>::try_from(self.payload.as_slice()) else {
            return false;
        };
        key.key_type == ED25519_NOTE_KEY
            && self.name == key.name
            && self.key_id == key.id()
            && verify_strict(&key.public_key, text.as_bytes(), &signature)
    }

    fn line(&self) -> String {
        let mut bytes = self.key_id.to_vec();
        bytes.extend_from_slice(&self.payload);
        format!("— {} {}\n", self.name, BASE64.encode(bytes))
    }
}

/// A witness's cosignature: who, when, and the signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosignature {
    pub time: u64,
    pub signature: [u8; 64],
}

impl Cosignature {
    /// As a note signature line of the witness `key` (type 0x04).
    pub fn to_note_signature(&self, key: &VerifierKey) -> NoteSignature {
        let mut payload = self.time.to_be_bytes().to_vec();
        payload.extend_from_slice(&self.signature);
        NoteSignature {
            name: key.name.clone(),
            key_id: key.id(),
            payload,
        }
    }

    /// The cosignature a note signature line carries, when it is from `key` and verifies.
    pub fn from_note_signature(
        line: &NoteSignature,
        key: &VerifierKey,
        checkpoint: &Checkpoint,
    ) -> Option<Cosignature> {
        if key.key_type != COSIGNATURE_KEY || line.name != key.name || line.key_id != key.id() {
            return None;
        }
        let (time, signature) = line.payload.split_at_checked(8)?;
        let time = u64::from_be_bytes(time.try_into().ok()?);
        let signature: [u8; 64] = signature.try_into().ok()?;
        let message = checkpoint.cosigned_message(time);
        verify_strict(&key.public_key, message.as_bytes(), &signature)
            .then_some(Cosignature { time, signature })
    }
}

/// A signed note: its text and its signature lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedNote {
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

impl SignedNote {
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", self.text);
        for signature in &self.signatures {
            out.push_str(&signature.line());
        }
        out
    }

    pub fn parse(note: &str) -> Result<SignedNote, NoteError> {
        let (text, lines) = note
            .rsplit_once("\n\n")
            .map(|(text, lines)| (format!("{text}\n"), lines))
            .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
        let mut signatures = Vec::new();
        for line in lines.split_inclusive('\n') {
            let line = line
                .strip_suffix('\n')
                .ok_or(NoteError::Malformed("a signature line lacks its newline"))?;
            let (name, value) = line
                .strip_prefix("— ")
                .and_then(|rest| rest.split_once(' '))
                .ok_or(NoteError::Malformed(
                    "a signature line is '— name signature'",
                ))?;
            let bytes = BASE64
                .decode(value.as_bytes())
                .map_err(|_| NoteError::Malformed("a signature is not base64"))?;
            let (key_id, payload) = bytes.split_first_chunk::<4>().ok_or(NoteError::Malformed(
                "a signature is shorter than its key id",
            ))?;
            signatures.push(NoteSignature {
                name: name.to_string(),
                key_id: *key_id,
                payload: payload.to_vec(),
            });
        }
        if signatures.is_empty() {
            return Err(NoteError::Malformed("a signed note needs a signature"));
        }
        Ok(SignedNote { text, signatures })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HeadSigner;

    #[test]
    fn a_checkpoint_reads_back_and_refuses_other_spellings() {
        let checkpoint = Checkpoint {
            origin: origin("nextwork-2026"),
            size: 12,
            root: [3; 32],
        };
        assert_eq!(
            Checkpoint::parse(&checkpoint.body()),
            Ok(checkpoint.clone())
        );
        let body = checkpoint.body();
        for bad in [
            body.replace("\n12\n", "\n012\n"),
            body.replace("\n12\n", "\n+12\n"),
            format!("{body}extension\n"),
            body.trim_end().to_string(),
            body.replace("spire-trial/", "spire trial/"),
        ] {
            assert!(Checkpoint::parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_signed_checkpoint_verifies_only_under_its_key_and_text() {
        let signer = HeadSigner::from_seed([9; 32]);
        let key = VerifierKey::new(&origin("t"), ED25519_NOTE_KEY, signer.public_key());
        assert_eq!(VerifierKey::parse(&key.to_string()), Ok(key.clone()));
        // Keys whose base64 holds '+' read back too.
        for seed in 0..40u8 {
            let other = VerifierKey::new(
                "w",
                COSIGNATURE_KEY,
                HeadSigner::from_seed([seed; 32]).public_key(),
            );
            assert_eq!(VerifierKey::parse(&other.to_string()), Ok(other));
        }
        let body = Checkpoint {
            origin: origin("t"),
            size: 1,
            root: [1; 32],
        }
        .body();
        let note = SignedNote {
            text: body.clone(),
            signatures: vec![NoteSignature::ed25519(
                &key,
                signer.sign_bytes(body.as_bytes()),
            )],
        };
        let read = SignedNote::parse(&note.to_text()).unwrap();
        assert_eq!(read, note);
        assert!(read.signatures[0].verifies(&key, &read.text));
        assert!(!read.signatures[0].verifies(&key, &body.replace("\n1\n", "\n2\n")));
        let other = VerifierKey::new(&origin("t"), ED25519_NOTE_KEY, [7; 32]);
        assert!(!read.signatures[0].verifies(&other, &read.text));
    }

    #[test]
    fn a_cosignature_binds_the_witness_time_and_checkpoint() {
        let witness = HeadSigner::from_seed([5; 32]);
        let key = VerifierKey::new("witness.example/w1", COSIGNATURE_KEY, witness.public_key());
        let checkpoint = Checkpoint {
            origin: origin("t"),
            size: 4,
            root: [2; 32],
        };
        let time = 1_700_000_000;
        let cosignature = Cosignature {
            time,
            signature: witness.sign_bytes(checkpoint.cosigned_message(time).as_bytes()),
        };
        let line = cosignature.to_note_signature(&key);
        assert_eq!(
            Cosignature::from_note_signature(&line, &key, &checkpoint),
            Some(cosignature)
        );
        let mut later = line.clone();
        later.payload[7] ^= 1;
        assert_eq!(
            Cosignature::from_note_signature(&later, &key, &checkpoint),
            None
        );
        let other = Checkpoint {
            size: 5,
            ..checkpoint
        };
        assert_eq!(Cosignature::from_note_signature(&line, &key, &other), None);
    }
}
