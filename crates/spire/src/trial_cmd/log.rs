//! The public log from the command line: the bundle an auditor takes away,
//! its verification, and witnessing (a witness cosigns; the office keeps it).

use super::{DbOnly, TrialArgs, open_trial, read_trial_key};
use crate::Failure;
use clap::Args;
use spire_store::{LogLookup, PublicLog};
use spire_trial::note::{COSIGNATURE_KEY, Checkpoint, SignedNote, VerifierKey};
use spire_trial::public_log::{AuditInput, Info, audit, saved_checkpoint};
use spire_trial::{HeadSigner, TrialKey};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct BundleArgs {
    #[command(flatten)]
    trial: TrialArgs,
    /// The server key file (as for `spire serve`): after the reveal, the trial key goes into the bundle.
    #[arg(long, env = "SPIRE_KEY_FILE")]
    key_file: PathBuf,
    /// The directory to write (created; it must not exist yet).
    #[arg(long)]
    out: PathBuf,
    /// After the reveal: who receives the entries and the trial key (an auditor, a journal).
    /// They are never public, as an entry's time and stratum can single a person out; the
    /// handover is logged with the trial's exports. Without it the bundle holds the public files.
    #[arg(long, requires = "purpose")]
    recipient: Option<String>,
    /// What the recipient checks with them.
    #[arg(long, requires = "recipient")]
    purpose: Option<String>,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// SQLite file path, or a postgres:// URL (or give --bundle).
    #[arg(long, env = "SPIRE_DB", conflicts_with = "bundle")]
    db: Option<String>,
    /// The trial's public id; may be left out when the database holds one trial.
    #[arg(long)]
    trial: Option<String>,
    /// A bundle directory written by `spire trial bundle` (or a mirror of the public log).
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// A checkpoint saved earlier (the log's `checkpoint` file); repeatable. A ledger cut back
    /// below it, rewritten under it, or signed two ways at its size fails.
    #[arg(long = "head")]
    heads: Vec<PathBuf>,
    /// A witness's verifier key (name+id+key, type 0x04) whose cosignatures to check; repeatable.
    #[arg(long = "witness")]
    witnesses: Vec<String>,
    /// The revealed trial key (64 hex digits) from `spire trial reveal`: replays every allocation.
    #[arg(long)]
    key_file: Option<PathBuf>,
}

#[derive(Args)]
pub struct CosignArgs {
    /// The log's bundle (or mirror) to witness.
    #[arg(long)]
    bundle: PathBuf,
    /// The witness's Ed25519 seed (64 hex digits), kept by the witness alone.
    #[arg(long)]
    witness_key_file: PathBuf,
    /// The witness's name (its key name), e.g. `witness.example.org/spire`.
    #[arg(long)]
    name: String,
    /// Where the witness keeps the last checkpoint it cosigned for this log: the new one must
    /// extend it. Created on the first run.
    #[arg(long)]
    state: PathBuf,
    /// Only print the witness's verifier key.
    #[arg(long)]
    show_key: bool,
}

#[derive(Args)]
pub struct AddCosignatureArgs {
    #[command(flatten)]
    trial: TrialArgs,
    /// The witness's verifier key (as `spire trial cosign --show-key` prints it).
    #[arg(long)]
    witness: String,
    /// The cosigned checkpoint the witness returned.
    #[arg(long)]
    note: PathBuf,
}

fn bad(flag: &str, path: &Path, reason: impl std::fmt::Display) -> Failure {
    Failure::BadInput(format!("{flag} {}: {reason}", path.display()))
}

pub async fn bundle(args: BundleArgs) -> Result<(), Failure> {
    let key = crate::read_key_file(&args.key_file)?;
    let (db, trial_id) = open_trial(&args.trial).await?;
    let public_id = db
        .list_trials()
        .await?
        .into_iter()
        .find(|t| t.id == trial_id.get())
        .map(|t| t.public_id)
        .ok_or_else(|| Failure::Other("the trial vanished".into()))?;
    if args.out.exists() {
        return Err(bad("--out", &args.out, "exists already"));
    }
    let mut log = PublicLog::open(&db, &key, &public_id).await?;
    if let (Some(recipient), Some(purpose)) = (&args.recipient, &args.purpose) {
        log.disclose_to(recipient, purpose)
            .await
            .map_err(|e| match e {
                spire_store::Error::Refused(reason) => {
                    Failure::BadInput(format!("--recipient: {reason}"))
                }
                spire_store::Error::Invalid(field) => {
                    Failure::BadInput(format!("--{}: required", field.field))
                }
                other => other.into(),
            })?;
    }
    // Only once the disclosure (if any) is allowed and logged: a refused one leaves nothing.
    std::fs::create_dir(&args.out).map_err(|e| bad("--out", &args.out, e))?;
    log.read_tree().await?;
    let mut written = 0;
    for path in log.paths() {
        let LogLookup::Found(file) = log.file(&path).await? else {
            continue;
        };
        let target = args.out.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // The entries and the key are for the recipient alone: not for other users of this machine.
        let private = path == "trial-key" || path.starts_with("tile/entries/");
        crate::write_new_file(&target, &file.bytes, private)?;
        written += 1;
    }
    println!(
        "wrote {written} files of trial {public_id}'s log ({} entries{}) to {}",
        log.size(),
        match (log.trial.revealed, &args.recipient) {
            (true, Some(_)) =>
                "; revealed: designs, and for the recipient entries and key (logged)",
            (true, None) => "; revealed: designs included, entries and key only with --recipient",
            (false, _) => "; hashes and signatures only until the reveal",
        },
        args.out.display()
    );
    println!(
        "Check it: spire trial verify --bundle {}",
        args.out.display()
    );
    Ok(())
}

fn read_saved(paths: &[PathBuf]) -> Result<Vec<String>, Failure> {
    paths
        .iter()
        .map(|path| std::fs::read_to_string(path).map_err(|e| bad("--head", path, e)))
        .collect()
}

fn parse_witnesses(keys: &[String]) -> Result<Vec<VerifierKey>, Failure> {
    keys.iter()
        .map(|text| {
            VerifierKey::parse(text)
                .ok()
                .filter(|key| key.key_type == COSIGNATURE_KEY)
                .ok_or_else(|| {
                    Failure::BadInput(format!(
                        "--witness {text}: not a cosignature verifier key (name+id+base64 of 0x04 and the key)"
                    ))
                })
        })
        .collect()
}

/// Exit 0 with what holds (`ok: ` and the summary last), or 1 with a finding a line.
fn report(findings: &[String], notes: &[String], summary: &str) -> Result<(), Failure> {
    if findings.is_empty() {
        for note in notes {
            println!("{note}");
        }
        println!("ok: {summary}");
        return Ok(());
    }
    for finding in findings {
        println!("{finding}");
    }
    Err(Failure::Other(format!(
        "the ledger does not verify: {} finding(s)",
        findings.len()
    )))
}

pub async fn verify(args: VerifyArgs) -> Result<(), Failure> {
    let trial_key = args.key_file.as_ref().map(read_trial_key).transpose()?;
    let saved = read_saved(&args.heads)?;
    let witnesses = parse_witnesses(&args.witnesses)?;
    if let Some(dir) = &args.bundle {
        return verify_bundle(dir, &saved, &witnesses, trial_key);
    }
    let Some(db) = args.db else {
        return Err(Failure::BadInput(
            "give --db (or SPIRE_DB) or --bundle".into(),
        ));
    };
    let (db, trial_id) = open_trial(&TrialArgs {
        db: DbOnly { db },
        trial: args.trial,
    })
    .await?;
    let evidence = db.trial_evidence(trial_id).await?;
    let key = spire_trial::note::log_key(&evidence.public_id, evidence.head_public_key);
    let mut checkpoints = Vec::new();
    let mut findings = Vec::new();
    for (number, note) in saved.iter().enumerate() {
        match saved_checkpoint(note, &key) {
            Some(checkpoint) => checkpoints.push(checkpoint),
            None => findings.push(format!(
                "saved head {}: not a checkpoint signed under this log's key name",
                number + 1
            )),
        }
    }
    findings.extend(evidence.findings_with_saved(trial_key.as_ref(), &checkpoints));
    let summary = format!(
        "{} entries verify; {} signed head(s) and {} saved checkpoint(s) checked{}",
        evidence.rows.len(),
        evidence.heads.len(),
        checkpoints.len(),
        if trial_key.is_some() {
            "; every allocation replays from the revealed key"
        } else {
            ""
        }
    );
    report(&findings, &[], &summary)
}

/// Reads one file of a bundle directory by its log path (no path leaves the directory).
fn bundle_reader(dir: &Path) -> impl Fn(&str) -> Option<Vec<u8>> + '_ {
    move |path: &str| {
        if path.split('/').any(|part| part.is_empty() || part == "..") {
            return None;
        }
        std::fs::read(dir.join(path)).ok()
    }
}

fn verify_bundle(
    dir: &Path,
    saved: &[String],
    witnesses: &[VerifierKey],
    trial_key: Option<TrialKey>,
) -> Result<(), Failure> {
    if !dir.join("info").is_file() {
        return Err(bad(
            "--bundle",
            dir,
            "no info file: not a bundle of the log",
        ));
    }
    let files = bundle_reader(dir);
    let mut result = audit(&AuditInput {
        files: &files,
        saved,
        witnesses,
        trial_key,
    });
    let summary = result.notes.pop().unwrap_or_default();
    report(&result.findings, &result.notes, &summary)
}

fn read_seed(path: &Path) -> Result<[u8; 32], Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| bad("--witness-key-file", path, e))?;
    hex::decode(text.trim())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| bad("--witness-key-file", path, "must be 64 hexadecimal digits"))
}

/// A witness's round: audit the log (against the checkpoint it cosigned last
/// time, so a truncated, rewritten or forked log is refused), then cosign the
/// latest checkpoint and keep it as the new state.
pub fn cosign(args: CosignArgs) -> Result<(), Failure> {
    let signer = HeadSigner::from_seed(read_seed(&args.witness_key_file)?);
    let key = VerifierKey::new(&args.name, COSIGNATURE_KEY, signer.public_key());
    if args.show_key {
        println!("{key}");
        return Ok(());
    }
    let files = bundle_reader(&args.bundle);
    let note = files("checkpoint")
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| bad("--bundle", &args.bundle, "no checkpoint"))?;
    let previous = match std::fs::read_to_string(&args.state) {
        Ok(text) => vec![text],
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(bad("--state", &args.state, e)),
    };
    let result = audit(&AuditInput {
        files: &files,
        saved: &previous,
        witnesses: &[],
        trial_key: None,
    });
    if !result.findings.is_empty() {
        for finding in &result.findings {
            println!("{finding}");
        }
        return Err(Failure::Other(
            "not cosigned: the log does not verify against the last checkpoint witnessed".into(),
        ));
    }
    let info = files("info")
        .and_then(|bytes| Info::parse(&String::from_utf8(bytes).ok()?))
        .ok_or_else(|| bad("--bundle", &args.bundle, "unreadable info"))?;
    let signed = SignedNote::parse(&note).map_err(|e| bad("--bundle", &args.bundle, e))?;
    let checkpoint =
        Checkpoint::parse(&signed.text).map_err(|e| bad("--bundle", &args.bundle, e))?;
    let log_line = saved_checkpoint(&note, &info.key)
        .ok_or_else(|| bad("--bundle", &args.bundle, "the checkpoint is not the log's"))?;
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| Failure::Other(e.to_string()))?
        .as_secs();
    let cosignature = spire_trial::note::Cosignature {
        time,
        signature: signer.sign_bytes(checkpoint.cosigned_message(time).as_bytes()),
    };
    let cosigned = SignedNote {
        text: signed.text,
        signatures: vec![
            spire_trial::note::NoteSignature::ed25519(&info.key, log_line.signature),
            cosignature.to_note_signature(&key),
        ],
    }
    .to_text();
    std::fs::write(&args.state, &cosigned).map_err(|e| bad("--state", &args.state, e))?;
    print!("{cosigned}");
    Ok(())
}

pub async fn add_cosignature(args: AddCosignatureArgs) -> Result<(), Failure> {
    let witness = parse_witnesses(std::slice::from_ref(&args.witness))?.remove(0);
    let note = std::fs::read_to_string(&args.note).map_err(|e| bad("--note", &args.note, e))?;
    let (db, trial_id) = open_trial(&args.trial).await?;
    let size = db
        .add_trial_cosignature(trial_id, &witness, &note)
        .await
        .map_err(|e| match e {
            spire_store::Error::Refused(reason) => bad("--note", &args.note, reason),
            other => other.into(),
        })?;
    println!(
        "kept {}'s cosignature of the head of size {size}; the log's checkpoint and cosignatures now show it",
        witness.name
    );
    Ok(())
}
