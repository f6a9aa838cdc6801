//! The evaluation from the command line, for researchers who script: lock the
//! pre-analysis plan, import an outcome file, print the report as JSON. The
//! same store calls as the evaluation page, acting as the named user.

use super::{TrialArgs, open_trial};
use crate::Failure;
use clap::Args;
use spire_evaluation::analysis::evaluate;
use spire_evaluation::plan::AnalysisPlan;
use spire_store::{Db, Scope};
use std::path::PathBuf;

#[derive(Args)]
pub struct PlanArgs {
    #[command(flatten)]
    trial: TrialArgs,
    /// The plan as JSON (the fields of `GET /api/v1/trials/{id}/evaluation`'s `analysis`).
    #[arg(long)]
    plan: PathBuf,
    /// The researcher who locks it.
    #[arg(long)]
    user: String,
}

#[derive(Args)]
pub struct OutcomesArgs {
    #[command(flatten)]
    trial: TrialArgs,
    /// The server key file: study pseudonyms are keyed under it.
    #[arg(long, env = "SPIRE_KEY_FILE")]
    key_file: PathBuf,
    /// The outcome file: CSV keyed by the study pseudonym.
    #[arg(long)]
    file: PathBuf,
    /// The researcher who imports it.
    #[arg(long)]
    user: String,
}

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    trial: TrialArgs,
    /// Who reads it (a researcher or the programme office).
    #[arg(long)]
    user: String,
}

/// The named user's scope, for the store's role checks.
async fn scope_of(db: &Db, login: &str) -> Result<Scope, Failure> {
    let user = db
        .user_by_login(login)
        .await
        .map_err(|_| Failure::BadInput(format!("--user {login}: no such user")))?;
    Ok(Scope::new(
        user.id,
        user.role(),
        user.municipality_code,
        "cli",
    ))
}

fn refused(login: &str, error: spire_store::Error) -> Failure {
    match error {
        spire_store::Error::NotFound => Failure::BadInput(format!(
            "--user {login}: only researchers lock plans and import outcomes (and read reports with the programme office)"
        )),
        // The same words as the evaluation page, in English.
        spire_store::Error::Invalid(field) => Failure::BadInput(format!(
            "{}: {}",
            field.field,
            spire_web::i18n::Tr::new(spire_web::i18n::Lang::En).problem(&field)
        )),
        spire_store::Error::Import(problem) => Failure::BadInput(format!("--file: {problem}")),
        other => other.into(),
    }
}

pub async fn plan(args: PlanArgs) -> Result<(), Failure> {
    let text = std::fs::read_to_string(&args.plan)
        .map_err(|e| Failure::BadInput(format!("--plan {}: {e}", args.plan.display())))?;
    let plan: AnalysisPlan = serde_json::from_str(&text)
        .map_err(|e| Failure::BadInput(format!("--plan {}: {e}", args.plan.display())))?;
    let (db, trial_id) = open_trial(&args.trial).await?;
    let scope = scope_of(&db, &args.user).await?;
    let locked = db
        .lock_evaluation_plan(&scope, trial_id, &plan)
        .await
        .map_err(|e| refused(&args.user, e))?;
    println!("plan locked; sha256: {}", locked.digest);
    Ok(())
}

pub async fn outcomes(args: OutcomesArgs) -> Result<(), Failure> {
    let key = crate::read_key_file(&args.key_file)?;
    let bytes = std::fs::read(&args.file)
        .map_err(|e| Failure::BadInput(format!("--file {}: {e}", args.file.display())))?;
    let (db, trial_id) = open_trial(&args.trial).await?;
    let scope = scope_of(&db, &args.user).await?;
    let name = args.file.file_name().map_or_else(
        || "outcomes.csv".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let import = db
        .import_outcomes(&scope, &key, trial_id, &name, &bytes)
        .await
        .map_err(|e| refused(&args.user, e))?;
    println!(
        "imported {} rows ({}); file sha256: {}",
        import.row_count,
        import.columns,
        import.file_sha256()
    );
    Ok(())
}

pub async fn report(args: ReportArgs) -> Result<(), Failure> {
    let (db, trial_id) = open_trial(&args.trial).await?;
    let scope = scope_of(&db, &args.user).await?;
    let locked = db
        .evaluation_plan(&scope, trial_id)
        .await
        .map_err(|e| refused(&args.user, e))?
        .ok_or_else(|| Failure::BadInput("no analysis plan is locked for this trial".into()))?;
    let data = db.evaluation_data(&scope, trial_id).await?;
    let report = evaluate(&data, &locked.plan, &locked.plan);
    println!(
        "{}",
        serde_json::to_string_pretty(&report).expect("the report serialises")
    );
    Ok(())
}
