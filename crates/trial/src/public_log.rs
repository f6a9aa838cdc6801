//! The public log's text files (`info`, `heads`, `cosignatures`, the witnessed `checkpoint`)
//! and the audit of a whole log from its files: the same layout over HTTP and in a bundle.

use crate::design::{ALGORITHM_VERSION, Design, commitment, commitment_v2};
use crate::draw::TrialKey;
use crate::head::{SignedTreeHead, TreeHead};
use crate::leaf::{LedgerLeaf, UtcTime};
use crate::merkle::{Hash, MerkleTree};
use crate::note::{Checkpoint, Cosignature, NoteSignature, SignedNote, VerifierKey, origin};
use crate::tiles::{Tile, read_entry_bundle, read_hash_tile, tile_hashes, tiles_of};
use crate::verify::{
    LedgerEvidence, LedgerRow, Revealed, SavedCheckpoint, verify_heads, verify_ledger,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// The log's `info` file: what it is and how far it reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    pub trial: String,
    pub log_version: u32,
    pub commitment: Hash,
    pub key: VerifierKey,
    pub revealed: bool,
    pub size: u64,
}

impl Info {
    pub fn to_text(&self) -> String {
        format!(
            "trial {}\nlog_version {}\norigin {}\nkey {}\ncommitment {}\nalgorithm {}\nsize {}\nrevealed {}\n",
            self.trial,
            self.log_version,
            origin(&self.trial),
            self.key,
            hex::encode(self.commitment),
            ALGORITHM_VERSION,
            self.size,
            if self.revealed { "yes" } else { "no" }
        )
    }

    pub fn parse(text: &str) -> Option<Info> {
        let field = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        };
        Some(Info {
            trial: field("trial")?.to_string(),
            log_version: field("log_version")?.parse().ok()?,
            commitment: hex::decode(field("commitment")?).ok()?.try_into().ok()?,
            key: VerifierKey::parse(field("key")?).ok()?,
            revealed: field("revealed")? == "yes",
            size: field("size")?.parse().ok()?,
        })
    }
}

/// The latest head as a signed note: the log's signature, then each witness's cosignature.
pub fn checkpoint_note<'a>(
    head: &SignedTreeHead,
    key: &VerifierKey,
    signature: [u8; 64],
    cosignatures: impl IntoIterator<Item = (&'a VerifierKey, &'a Cosignature)>,
) -> String {
    let mut signatures = vec![NoteSignature::ed25519(key, signature)];
    signatures.extend(
        cosignatures
            .into_iter()
            .map(|(witness, cosignature)| cosignature.to_note_signature(witness)),
    );
    SignedNote {
        text: head.head.checkpoint().body(),
        signatures,
    }
    .to_text()
}

/// Every stored head, a line each:
/// `size root(base64) seconds.nanos signature(base64) checkpoint-signature(base64 or -)`.
pub fn heads_text<'a>(heads: impl IntoIterator<Item = &'a SignedTreeHead>) -> String {
    let mut text = String::new();
    for signed in heads {
        let head = &signed.head;
        text.push_str(&format!(
            "{} {} {}.{:09} {} {}\n",
            head.size,
            BASE64.encode(head.root),
            head.time.unix_seconds,
            head.time.nanos,
            BASE64.encode(signed.signature),
            signed
                .checkpoint_signature
                .map_or("-".to_string(), |s| BASE64.encode(s))
        ));
    }
    text
}

fn base64_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    BASE64.decode(text).ok()?.try_into().ok()
}

fn parse_head(trial: &str, line: &str) -> Option<SignedTreeHead> {
    let fields: Vec<&str> = line.split(' ').collect();
    let [size, root, time, signature, checkpoint] = fields.as_slice() else {
        return None;
    };
    let (seconds, nanos) = time.split_once('.')?;
    Some(SignedTreeHead {
        head: TreeHead {
            trial_id: trial.to_string(),
            size: size.parse().ok()?,
            root: base64_array(root)?,
            time: UtcTime {
                unix_seconds: seconds.parse().ok()?,
                nanos: (nanos.len() == 9).then(|| nanos.parse().ok())??,
            },
        },
        signature: base64_array(signature)?,
        checkpoint_signature: match *checkpoint {
            "-" => None,
            text => Some(base64_array(text)?),
        },
    })
}

/// Every kept cosignature, a line each: `size witness-key time signature(base64)`.
pub fn cosignatures_text<'a>(
    cosignatures: impl IntoIterator<Item = (u64, &'a VerifierKey, &'a Cosignature)>,
) -> String {
    let mut text = String::new();
    for (size, witness, cosignature) in cosignatures {
        text.push_str(&format!(
            "{size} {witness} {} {}\n",
            cosignature.time,
            BASE64.encode(cosignature.signature)
        ));
    }
    text
}

fn parse_cosignature(line: &str) -> Option<(u64, VerifierKey, Cosignature)> {
    let fields: Vec<&str> = line.split(' ').collect();
    let [size, witness, time, signature] = fields.as_slice() else {
        return None;
    };
    Some((
        size.parse().ok()?,
        VerifierKey::parse(witness).ok()?,
        Cosignature {
            time: time.parse().ok()?,
            signature: base64_array(signature)?,
        },
    ))
}

/// A checkpoint someone saved (the log's `checkpoint` file, a witness's copy), read with the
/// log's signature line; `None` when it is not a checkpoint signed with a line of `key`'s name.
pub fn saved_checkpoint(note: &str, key: &VerifierKey) -> Option<SavedCheckpoint> {
    let note = SignedNote::parse(note).ok()?;
    let checkpoint = Checkpoint::parse(&note.text).ok()?;
    let line = note
        .signatures
        .iter()
        .find(|line| line.name == key.name && line.key_id == key.id())?;
    Some(SavedCheckpoint {
        checkpoint,
        signature: line.payload.as_slice().try_into().ok()?,
    })
}

/// What an audit of a log's files found and saw.
#[derive(Debug, Default)]
pub struct Audit {
    /// Everything that does not hold, a line each; empty when the log verifies.
    pub findings: Vec<String>,
    /// What holds and is worth saying: sizes, the key, each witnessed head.
    pub notes: Vec<String>,
}

/// What the auditor brings: checkpoints saved earlier, the witnesses they trust, the trial key.
pub struct AuditInput<'a> {
    /// Reads one file of the log by its path (`info`, `tile/0/000`, …).
    pub files: &'a dyn Fn(&str) -> Option<Vec<u8>>,
    pub saved: &'a [String],
    pub witnesses: &'a [VerifierKey],
    pub trial_key: Option<TrialKey>,
}

/// Audits a whole log from its files, as an outsider would: every head's signatures and root
/// against the tree of the leaf hashes in the tiles, every higher tile, the checkpoint, the
/// saved checkpoints (truncation, rewriting, forks), the witnesses' cosignatures; and once the
/// entries are public, every leaf against its hash, the ledger's order and, with the trial key,
/// the replay of every allocation and the commitment.
pub fn audit(input: &AuditInput<'_>) -> Audit {
    let mut audit = Audit::default();
    let text = |path: &str| (input.files)(path).and_then(|bytes| String::from_utf8(bytes).ok());
    let Some(info) = text("info").as_deref().and_then(Info::parse) else {
        audit.findings.push("info: missing or unreadable".into());
        return audit;
    };
    let key = &info.key;
    if key.name != origin(&info.trial) {
        audit.findings.push(format!(
            "info: the key is named {:?}, not the log's origin",
            key.name
        ));
    }
    if text("key").is_some_and(|k| k.trim() != key.to_string()) {
        audit
            .findings
            .push("key: differs from the key in info".into());
    }
    audit.notes.push(format!("log key: {key}"));
    let mut heads = Vec::new();
    for (number, line) in text("heads").unwrap_or_default().lines().enumerate() {
        match parse_head(&info.trial, line) {
            Some(head) => heads.push(head),
            None => audit
                .findings
                .push(format!("heads line {}: unreadable", number + 1)),
        }
    }
    // The leaf hashes, from the level-0 tiles; then every higher tile must agree with them.
    let tiles = tiles_of(info.size);
    let mut leaf_hashes: Vec<Hash> = Vec::with_capacity(info.size as usize);
    for tile in tiles.iter().filter(|t| t.level == Some(0)) {
        match (input.files)(&tile.path()).and_then(|b| read_hash_tile(tile, &b)) {
            Some(hashes) => leaf_hashes.extend(hashes),
            None => {
                audit.findings.push(format!(
                    "{}: missing or not {} hashes",
                    tile.path(),
                    tile.width
                ));
                return audit;
            }
        }
    }
    let tree = MerkleTree::from_leaf_hashes(leaf_hashes);
    for tile in tiles.iter().filter(|t| t.level.is_some_and(|l| l > 0)) {
        if (input.files)(&tile.path()) != tile_hashes(&tree, tile) {
            audit
                .findings
                .push(format!("{}: does not match the leaf hashes", tile.path()));
        }
    }
    // The saved checkpoints and the log's own latest checkpoint.
    let mut saved = Vec::new();
    for (number, note) in input.saved.iter().enumerate() {
        match saved_checkpoint(note, key) {
            Some(checkpoint) => saved.push(checkpoint),
            None => audit.findings.push(format!(
                "saved head {}: not a checkpoint signed under the log's key name",
                number + 1
            )),
        }
    }
    let mut witnessed: Vec<(u64, String, u64)> = Vec::new();
    match text("checkpoint") {
        Some(note) => match saved_checkpoint(&note, key) {
            Some(latest) => {
                if latest.checkpoint.size != info.size {
                    audit.findings.push(format!(
                        "checkpoint: size {} but info says {}",
                        latest.checkpoint.size, info.size
                    ));
                }
                if let Ok(signed) = SignedNote::parse(&note) {
                    witness_lines(&signed, &latest.checkpoint, input.witnesses, &mut witnessed);
                }
                saved.push(latest);
            }
            None => audit
                .findings
                .push("checkpoint: unreadable or not signed by the log".into()),
        },
        None if info.size > 0 => audit.findings.push("checkpoint: missing".into()),
        None => {}
    }
    for (number, line) in text("cosignatures").unwrap_or_default().lines().enumerate() {
        let Some((size, witness, cosignature)) = parse_cosignature(line) else {
            audit
                .findings
                .push(format!("cosignatures line {}: unreadable", number + 1));
            continue;
        };
        if !input.witnesses.contains(&witness) {
            audit.notes.push(format!(
                "cosignature of size {size} by {} not checked: give --witness to trust it",
                witness.name
            ));
            continue;
        }
        let Some(head) = heads.iter().find(|h| h.head.size == size) else {
            audit.findings.push(format!(
                "cosignature of size {size} by {}: no such head",
                witness.name
            ));
            continue;
        };
        let line = cosignature.to_note_signature(&witness);
        match Cosignature::from_note_signature(&line, &witness, &head.head.checkpoint()) {
            Some(_) => witnessed.push((size, witness.name.clone(), cosignature.time)),
            None => audit.findings.push(format!(
                "cosignature of size {size} by {} does not verify",
                witness.name
            )),
        }
    }
    witnessed.sort();
    witnessed.dedup();
    for (size, name, time) in &witnessed {
        audit.notes.push(format!(
            "witnessed: head of size {size} by {name} at {time}"
        ));
    }
    let public_key = key.public_key;
    let designs = read_designs(input.files, &mut audit);
    let trial_key = input
        .trial_key
        .clone()
        .or_else(|| text("trial-key").and_then(|hex| TrialKey::from_hex(hex.trim())));
    // The entries are in a bundle given to a named recipient, never in the public log.
    let has_entries = tiles
        .iter()
        .find(|t| t.level.is_none())
        .is_some_and(|t| (input.files)(&t.path()).is_some());
    if has_entries {
        let rows = read_entries(&tiles, input.files, &tree, &mut audit);
        let findings = verify_ledger(&LedgerEvidence {
            trial_id: &info.trial,
            rows: &rows,
            heads: &heads,
            saved: &saved,
            head_public_key: &public_key,
            revealed: trial_key.as_ref().map(|key| Revealed {
                key,
                designs: &designs,
            }),
        });
        audit
            .findings
            .extend(findings.iter().map(ToString::to_string));
    } else {
        let findings = verify_heads(&info.trial, &heads, &saved, &public_key, &tree);
        audit
            .findings
            .extend(findings.iter().map(ToString::to_string));
    }
    if let (Some(trial_key), Some(first)) = (&trial_key, designs.first()) {
        let recomputed = match info.log_version {
            1 => commitment(trial_key, first),
            _ => commitment_v2(trial_key, first, &public_key),
        };
        if recomputed != info.commitment {
            audit.findings.push(
                "commitment: the trial key and design version 1 do not give the published commitment".into(),
            );
        } else {
            audit.notes.push(format!(
                "commitment {} holds for the trial key and design version 1",
                hex::encode(info.commitment)
            ));
        }
    }
    audit.notes.push(format!(
        "{} entries, {} signed heads, {} saved checkpoint(s) checked{}",
        info.size,
        heads.len(),
        input.saved.len(),
        match (has_entries, trial_key.is_some()) {
            (true, true) => "; every allocation replays from the revealed key",
            (true, false) =>
                "; entries checked against their leaves (give the trial key to replay)",
            (false, _) =>
                "; leaf hashes only (the entries go to a named recipient after the reveal)",
        }
    ));
    audit
}

fn witness_lines(
    note: &SignedNote,
    checkpoint: &Checkpoint,
    witnesses: &[VerifierKey],
    witnessed: &mut Vec<(u64, String, u64)>,
) {
    for line in &note.signatures {
        for witness in witnesses {
            if let Some(cosignature) = Cosignature::from_note_signature(line, witness, checkpoint) {
                witnessed.push((checkpoint.size, witness.name.clone(), cosignature.time));
            }
        }
    }
}

fn read_designs(files: &dyn Fn(&str) -> Option<Vec<u8>>, audit: &mut Audit) -> Vec<Design> {
    let mut designs = Vec::new();
    for version in 1.. {
        let Some(bytes) = files(&format!("design/{version}")) else {
            break;
        };
        match Design::from_canonical_bytes(&bytes) {
            Ok(design) => designs.push(design),
            Err(e) => {
                audit.findings.push(format!("design/{version}: {e}"));
                break;
            }
        }
    }
    designs
}

fn read_entries(
    tiles: &[Tile],
    files: &dyn Fn(&str) -> Option<Vec<u8>>,
    tree: &MerkleTree,
    audit: &mut Audit,
) -> Vec<LedgerRow> {
    let mut rows = Vec::new();
    for tile in tiles.iter().filter(|t| t.level.is_none()) {
        let Some(entries) = files(&tile.path()).and_then(|b| read_entry_bundle(tile, &b)) else {
            audit.findings.push(format!(
                "{}: missing or not {} entries",
                tile.path(),
                tile.width
            ));
            continue;
        };
        for (entry, index) in entries.iter().zip(tile.leaf_range()) {
            let stored_leaf_hash = tree.leaf_hashes()[index as usize];
            match LedgerLeaf::decode(entry) {
                Ok(leaf) => rows.push(LedgerRow {
                    leaf,
                    stored_leaf_hash,
                }),
                Err(e) => audit
                    .findings
                    .push(format!("entry {index}: unreadable: {e}")),
            }
        }
    }
    rows
}
