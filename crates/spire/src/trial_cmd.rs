//! `spire trial`: open a trial from a design file, and check its ledger from
//! the outside (verify, signed head, inclusion proof of one allocation).

mod design_file;
mod evaluation;
mod log;

use crate::Failure;
use clap::{Args, Subcommand};
use spire_domain::TrialId;
use spire_store::Db;
use spire_trial::TrialKey;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum TrialCommand {
    /// Open a trial from a design file (see `crates/spire/src/trial_cmd/design_file.rs`) and print its commitment.
    Create(CreateArgs),
    /// Amend the strata of an open trial: the design file (its `id` names the trial) becomes the next
    /// design version, in force from the next ledger index, recorded as an amendment entry in the ledger.
    /// Only the design is taken from the file (method, ratio, factors, …); name, target size and
    /// eligibility stay as the trial was opened, and custom factors must be the trial's own.
    Amend(AmendArgs),
    /// List the trials: id, public id, status, name.
    List(DbOnly),
    /// Recompute every leaf, the Merkle tree and every signed head, from the database or from a
    /// bundle of the public log; against checkpoints saved earlier (--head) and witnesses
    /// (--witness); with --key-file also replay every allocation.
    /// Exit 0 only when everything holds; otherwise one finding a line.
    Verify(log::VerifyArgs),
    /// Write the trial's public log as files (checkpoint, heads, tiles; after the reveal also the
    /// designs) for an auditor without network access, or to publish; with --recipient and
    /// --purpose, after the reveal, also the entries and the key, logged.
    Bundle(log::BundleArgs),
    /// As a witness: check a log bundle against the checkpoint this witness cosigned last, then
    /// cosign its latest checkpoint (C2SP tlog-cosignature) and print it.
    Cosign(log::CosignArgs),
    /// Keep a witness's cosigned checkpoint: the public log serves it with the checkpoint.
    AddCosignature(log::AddCosignatureArgs),
    /// Print the latest signed tree head.
    Head(TrialArgs),
    /// Print a design version's canonical document (hex) and digest: what the commitment hashes.
    Design(DesignArgs),
    /// Print an allocation's inclusion proof against the latest signed tree head.
    Proof(ProofArgs),
    /// Prove that the ledger at an earlier signed size is a prefix of today's: the log was only appended to.
    Consistency(ConsistencyArgs),
    /// The two-person reveal at the end of the trial: writes the trial key to a file, logs who, and closes the trial.
    /// The two passwords are read from standard input, one a line (first, then second).
    Reveal(RevealArgs),
    /// Write the pseudonymised research file for one study (CSV); logged with recipient and purpose.
    Export(ExportArgs),
    /// Lock the pre-analysis plan (JSON) as a researcher; prints its SHA-256.
    Plan(evaluation::PlanArgs),
    /// Import an outcome file (CSV keyed by the study pseudonym) as a researcher.
    Outcomes(evaluation::OutcomesArgs),
    /// Print the evaluation report under the locked plan as JSON.
    Evaluation(evaluation::ReportArgs),
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    trial: TrialArgs,
    /// The server key file (as for `spire serve`): pseudonyms are keyed per study.
    #[arg(long, env = "SPIRE_KEY_FILE")]
    key_file: PathBuf,
    /// The study's name: the same youth gets the same pseudonym within a study only.
    #[arg(long)]
    study: String,
    /// Who receives the file.
    #[arg(long)]
    recipient: String,
    /// What the data is for.
    #[arg(long)]
    purpose: String,
    /// The CSV file to write; an existing file is not overwritten.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct ConsistencyArgs {
    #[command(flatten)]
    trial: TrialArgs,
    /// The size of an earlier signed tree head (e.g. from a receipt or the trial registry).
    #[arg(long)]
    from: u64,
}

#[derive(Args)]
pub struct RevealArgs {
    #[command(flatten)]
    trial: TrialArgs,
    /// The server key file (as for `spire serve`).
    #[arg(long, env = "SPIRE_KEY_FILE")]
    key_file: PathBuf,
    /// The first person's login (programme office, researcher or administrator).
    #[arg(long)]
    first: String,
    /// The second person's login: someone else.
    #[arg(long)]
    second: String,
    /// Where to write the key (64 hex digits); an existing file is not overwritten.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct DbOnly {
    /// SQLite file path, or a postgres:// URL.
    #[arg(long, env = "SPIRE_DB")]
    db: String,
}

#[derive(Args)]
pub struct TrialArgs {
    #[command(flatten)]
    db: DbOnly,
    /// The trial's public id; may be left out when the database holds one trial.
    #[arg(long)]
    trial: Option<String>,
}

#[derive(Args)]
pub struct CreateArgs {
    #[command(flatten)]
    db: DbOnly,
    /// The server key file (as for `spire serve`): the trial key is stored encrypted under it.
    #[arg(long, env = "SPIRE_KEY_FILE")]
    key_file: PathBuf,
    /// The design file (TOML subset).
    #[arg(long)]
    design: PathBuf,
}

#[derive(Args)]
pub struct AmendArgs {
    #[command(flatten)]
    db: DbOnly,
    /// The server key file (as for `spire serve`): the new tree head is signed with the trial's head key.
    #[arg(long, env = "SPIRE_KEY_FILE")]
    key_file: PathBuf,
    /// The amended design file (same format as for `create`).
    #[arg(long)]
    design: PathBuf,
    /// Why the strata change, kept beside the amendment entry.
    #[arg(long)]
    reason: Option<String>,
}

#[derive(Args)]
pub struct DesignArgs {
    #[command(flatten)]
    trial: TrialArgs,
    /// The design version (1 is the one the commitment binds).
    #[arg(long, default_value_t = 1)]
    version: usize,
}

#[derive(Args)]
pub struct ProofArgs {
    #[command(flatten)]
    trial: TrialArgs,
    /// The allocation id from the receipt.
    #[arg(long)]
    allocation: i64,
}

pub async fn run(command: TrialCommand) -> Result<(), Failure> {
    match command {
        TrialCommand::Create(args) => {
            let text = std::fs::read_to_string(&args.design).map_err(|e| {
                Failure::BadInput(format!("--design {}: {e}", args.design.display()))
            })?;
            let trial = design_file::parse(&text).map_err(|e| {
                Failure::BadInput(format!("--design {}: {e}", args.design.display()))
            })?;
            let key = crate::read_key_file(&args.key_file)?;
            let db = crate::connect(&args.db.db).await?;
            let opened = db
                .create_trial(&key, &trial, None)
                .await
                .map_err(|e| match e {
                    spire_store::Error::InvalidTrial(reason) => Failure::BadInput(reason),
                    other => other.into(),
                })?;
            println!(
                "opened trial {} ({}), id {}",
                trial.design.trial_id, trial.name, opened.id
            );
            println!("commitment: {}", hex::encode(opened.commitment));
            println!(
                "Register the commitment with the trial registry before the first allocation."
            );
            Ok(())
        }
        TrialCommand::Amend(args) => amend(args).await,
        TrialCommand::List(args) => {
            let db = crate::connect(&args.db).await?;
            for trial in db.list_trials().await? {
                println!(
                    "{} {} {} {}",
                    trial.id, trial.public_id, trial.status, trial.name
                );
            }
            Ok(())
        }
        TrialCommand::Verify(args) => log::verify(args).await,
        TrialCommand::Bundle(args) => log::bundle(args).await,
        TrialCommand::Cosign(args) => log::cosign(args),
        TrialCommand::AddCosignature(args) => log::add_cosignature(args).await,
        TrialCommand::Head(args) => {
            let (db, trial_id) = open_trial(&args).await?;
            let Some(head) = db.trial_head(trial_id, None).await? else {
                println!("the ledger is empty: no head signed yet");
                return Ok(());
            };
            let overview = db.trial_overview(trial_id).await?;
            println!("trial: {}", head.head.trial_id);
            println!("tree_size: {}", head.head.size);
            println!("root: {}", hex::encode(head.head.root));
            println!(
                "time: {}.{:09}",
                head.head.time.unix_seconds, head.head.time.nanos
            );
            println!("signature: {}", hex::encode(head.signature));
            println!("public_key: {}", overview.head_public_key);
            Ok(())
        }
        TrialCommand::Consistency(args) => consistency(args).await,
        TrialCommand::Design(args) => {
            let (db, trial_id) = open_trial(&args.trial).await?;
            let documents = db.trial_design_documents(trial_id).await?;
            let document = args
                .version
                .checked_sub(1)
                .and_then(|i| documents.get(i))
                .ok_or_else(|| {
                    Failure::BadInput(format!(
                        "--version {}: the trial has design versions 1 to {}",
                        args.version,
                        documents.len()
                    ))
                })?;
            println!("version: {}", args.version);
            let design = spire_trial::Design::from_canonical_bytes(document)
                .map_err(|e| Failure::Other(format!("the stored design: {e}")))?;
            println!("digest: {}", hex::encode(design.digest()));
            println!("document: {}", hex::encode(document));
            Ok(())
        }
        TrialCommand::Reveal(args) => reveal(args).await,
        TrialCommand::Export(args) => export(args).await,
        TrialCommand::Plan(args) => evaluation::plan(args).await,
        TrialCommand::Outcomes(args) => evaluation::outcomes(args).await,
        TrialCommand::Evaluation(args) => evaluation::report(args).await,
        TrialCommand::Proof(args) => {
            let (db, trial_id) = open_trial(&args.trial).await?;
            let proof = db
                .trial_inclusion_proof(trial_id, spire_domain::AllocationId::new(args.allocation))
                .await
                .map_err(|e| match e {
                    spire_store::Error::NotFound => Failure::BadInput(format!(
                        "--allocation {}: no such allocation in this trial",
                        args.allocation
                    )),
                    other => other.into(),
                })?;
            let leaf: [u8; 32] = hex::decode(&proof.receipt.leaf_hash)
                .ok()
                .and_then(|bytes| bytes.try_into().ok())
                .ok_or_else(|| Failure::Other("the stored leaf hash is malformed".into()))?;
            let holds = spire_trial::merkle::verify_inclusion(
                &leaf,
                proof.receipt.ledger_index as u64,
                proof.head.head.size,
                &proof.path,
                &proof.head.head.root,
            );
            println!("allocation_id: {}", proof.receipt.allocation_id);
            println!("ledger_index: {}", proof.receipt.ledger_index);
            println!("leaf_hash: {}", proof.receipt.leaf_hash);
            println!("tree_size: {}", proof.head.head.size);
            println!("root: {}", hex::encode(proof.head.head.root));
            println!(
                "time: {}.{:09}",
                proof.head.head.time.unix_seconds, proof.head.head.time.nanos
            );
            println!("signature: {}", hex::encode(proof.head.signature));
            if let Some(signature) = proof.head.checkpoint_signature {
                println!("checkpoint_signature: {}", hex::encode(signature));
            }
            let overview = db.trial_overview(trial_id).await?;
            println!("public_key: {}", overview.head_public_key);
            for (i, hash) in proof.path.iter().enumerate() {
                println!("path[{i}]: {}", hex::encode(hash));
            }
            if holds {
                println!("inclusion: verified");
                Ok(())
            } else {
                Err(Failure::Other(
                    "the inclusion proof does not verify against the signed head".into(),
                ))
            }
        }
    }
}

async fn amend(args: AmendArgs) -> Result<(), Failure> {
    let bad_design =
        |e: String| Failure::BadInput(format!("--design {}: {e}", args.design.display()));
    let text = std::fs::read_to_string(&args.design).map_err(|e| bad_design(e.to_string()))?;
    let design = design_file::parse(&text).map_err(bad_design)?.design;
    let key = crate::read_key_file(&args.key_file)?;
    let db = crate::connect(&args.db.db).await?;
    let (version, ledger_index) = db
        .amend_trial_design(&key, &design, "cli", args.reason.as_deref())
        .await
        .map_err(|e| match e {
            spire_store::Error::InvalidTrial(reason) => bad_design(reason),
            other => other.into(),
        })?;
    println!(
        "amended trial {}: design version {version}, amendment at ledger index {ledger_index}; \
         allocations from index {} use it",
        design.trial_id,
        ledger_index + 1
    );
    Ok(())
}

async fn consistency(args: ConsistencyArgs) -> Result<(), Failure> {
    let (db, trial_id) = open_trial(&args.trial).await?;
    let missing =
        || Failure::BadInput(format!("--from {}: no signed head of that size", args.from));
    let old = db
        .trial_head(trial_id, Some(args.from))
        .await?
        .ok_or_else(missing)?;
    let new = db.trial_head(trial_id, None).await?.ok_or_else(missing)?;
    let evidence = db.trial_evidence(trial_id).await?;
    let tree = spire_trial::MerkleTree::from_leaf_hashes(
        evidence
            .rows
            .iter()
            .map(|row| row.stored_leaf_hash)
            .collect(),
    );
    let proof = tree
        .consistency_proof(old.head.size, new.head.size)
        .ok_or_else(|| Failure::Other("the ledger is shorter than its latest head".into()))?;
    println!(
        "old: size {} root {}",
        old.head.size,
        hex::encode(old.head.root)
    );
    println!(
        "new: size {} root {}",
        new.head.size,
        hex::encode(new.head.root)
    );
    for (i, hash) in proof.iter().enumerate() {
        println!("proof[{i}]: {}", hex::encode(hash));
    }
    let holds = spire_trial::merkle::verify_consistency(
        old.head.size,
        new.head.size,
        &old.head.root,
        &new.head.root,
        &proof,
    ) && old.verify(&evidence.head_public_key)
        && new.verify(&evidence.head_public_key);
    if holds {
        println!("consistency: verified");
        Ok(())
    } else {
        Err(Failure::Other(
            "the ledger is not an extension of the earlier head".into(),
        ))
    }
}

async fn reveal(args: RevealArgs) -> Result<(), Failure> {
    let key = crate::read_key_file(&args.key_file)?;
    let mut passwords = std::io::stdin().lines();
    let mut password = |who: &str| -> Result<String, Failure> {
        passwords
            .next()
            .transpose()?
            .ok_or_else(|| Failure::BadInput(format!("give the {who} password on standard input")))
    };
    let (first_password, second_password) = (password("first")?, password("second")?);
    let (db, trial_id) = open_trial(&args.trial).await?;
    let mut people = Vec::new();
    for (login, password) in [
        (&args.first, first_password),
        (&args.second, second_password),
    ] {
        match db
            .authenticate(login, &password, "cli", "cli-trial-reveal")
            .await?
        {
            spire_store::LoginOutcome::Success(user) => people.push(user),
            _ => {
                return Err(Failure::BadInput(format!(
                    "{login}: wrong login or password, or blocked"
                )));
            }
        }
    }
    // The file first: a key revealed but not written would be a reveal for nothing.
    let mut file = crate::private_new_file(&args.out)
        .map_err(|e| Failure::BadInput(format!("--out {}: {e}", args.out.display())))?;
    let trial_key = match db
        .reveal_trial_key(&key, trial_id, &people[0], &people[1])
        .await
    {
        Ok(trial_key) => trial_key,
        Err(error) => {
            let _ = std::fs::remove_file(&args.out);
            return Err(match error {
                spire_store::Error::Refused(reason) => Failure::BadInput(reason),
                other => other.into(),
            });
        }
    };
    std::io::Write::write_all(&mut file, format!("{}\n", trial_key.to_hex()).as_bytes())?;
    println!(
        "revealed by {} and {}; the trial is closed; key written to {}",
        args.first,
        args.second,
        args.out.display()
    );
    println!(
        "Replay every allocation: spire trial verify --db … --key-file {}",
        args.out.display()
    );
    Ok(())
}

async fn export(args: ExportArgs) -> Result<(), Failure> {
    let key = crate::read_key_file(&args.key_file)?;
    let (db, trial_id) = open_trial(&args.trial).await?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.out)
        .map_err(|e| Failure::BadInput(format!("--out {}: {e}", args.out.display())))?;
    let rows = match db
        .export_trial(&key, trial_id, &args.study, &args.recipient, &args.purpose)
        .await
    {
        Ok(rows) => rows,
        Err(error) => {
            let _ = std::fs::remove_file(&args.out);
            return Err(match error {
                spire_store::Error::Invalid(field) => {
                    Failure::BadInput(format!("--{}: required", field.field))
                }
                other => other.into(),
            });
        }
    };
    let mut csv = String::from("pseudonym,municipality,stratum,arm,allocated_on");
    for name in spire_store::EXPORT_COVARIATES {
        csv.push(',');
        csv.push_str(name);
    }
    csv.push_str(",take_up,annotated\n");
    for row in &rows {
        let mut fields = vec![
            row.pseudonym.clone(),
            row.municipality_code.to_string(),
            row.stratum.clone(),
            row.arm.clone(),
            row.allocated_on.clone(),
        ];
        fields.extend(row.covariates.iter().map(|(_, value)| value.clone()));
        fields.push(row.take_up.clone());
        fields.push(if row.annotated { "yes" } else { "no" }.into());
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&line.join(","));
        csv.push('\n');
    }
    std::io::Write::write_all(&mut file, csv.as_bytes())?;
    println!(
        "wrote {} youth to {} for {} ({}); the export is logged",
        rows.len(),
        args.out.display(),
        args.recipient,
        args.study
    );
    Ok(())
}

/// A CSV field, quoted when it holds a separator, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', ';']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn read_trial_key(path: &PathBuf) -> Result<TrialKey, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::BadInput(format!("--key-file {}: {e}", path.display())))?;
    TrialKey::from_hex(text.trim()).ok_or_else(|| {
        Failure::BadInput(format!(
            "--key-file {}: the trial key must be 64 hexadecimal digits",
            path.display()
        ))
    })
}

/// The database and the trial meant: by public id, or the only one.
async fn open_trial(args: &TrialArgs) -> Result<(Db, TrialId), Failure> {
    let db = crate::connect(&args.db.db).await?;
    let id = match &args.trial {
        Some(public_id) => db
            .trial_id_by_public_id(public_id)
            .await
            .map_err(|e| match e {
                spire_store::Error::NotFound => {
                    Failure::BadInput(format!("--trial {public_id}: no such trial"))
                }
                other => other.into(),
            })?,
        None => {
            let trials = db.list_trials().await?;
            match trials.as_slice() {
                [only] => TrialId::new(only.id),
                [] => return Err(Failure::BadInput("the database holds no trial".into())),
                _ => {
                    return Err(Failure::BadInput(
                        "the database holds several trials: name one with --trial ID".into(),
                    ));
                }
            }
        }
    };
    Ok((db, id))
}
