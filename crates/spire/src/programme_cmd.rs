//! `spire internship` and `spire rules`: plan and extend internships from a
//! script with the same law and the same messages as the pages (exit code 2
//! naming the flag), and read or change the programme's rules — the limits of
//! LAB § 61 and the caseload norms are configuration, not code.

use crate::Failure;
use clap::{Args, Subcommand};
use spire_domain::internship::{InternshipRules, parse_date, parse_hours};
use spire_domain::validation::required_text;
use spire_domain::{CompanyId, FieldError, InternshipId, YouthId};
use spire_store::{Db, NewInternship, Scope};
use spire_web::i18n::{Lang, Tr};

#[derive(Subcommand)]
pub enum InternshipCommand {
    /// Plan an internship for a youth with an open course (checked against LAB § 61).
    Add(AddArgs),
    /// Extend an internship beyond its limit, with a reason and who decided.
    Extend(ExtendArgs),
}

#[derive(Subcommand)]
pub enum RulesCommand {
    /// Print the internship limits and caseload norms in force.
    Show(DbOnly),
    /// Change the internship limits or the caseload norms (after a change in the law or the plan).
    Set(SetArgs),
}

#[derive(Args)]
pub struct DbOnly {
    /// SQLite file path, or a postgres:// URL.
    #[arg(long, env = "SPIRE_DB")]
    db: String,
}

#[derive(Args)]
pub struct AddArgs {
    #[arg(long, env = "SPIRE_DB")]
    db: String,
    /// The login of the consultant (or psychologist, team lead) who plans it.
    #[arg(long)]
    user: String,
    /// The youth's id (as in /youth/ID).
    #[arg(long)]
    youth: i64,
    /// The company's id in the municipality's network.
    #[arg(long)]
    company: i64,
    /// A contact person of that company.
    #[arg(long)]
    contact: Option<i64>,
    #[arg(long)]
    function: String,
    /// First day: 2026-03-02 or 2.3.2026.
    #[arg(long)]
    start: String,
    /// Last day.
    #[arg(long)]
    end: String,
    /// Hours a week (at most the legal limit).
    #[arg(long)]
    hours: String,
    #[arg(long, default_value = "")]
    schedule: String,
}

#[derive(Args)]
pub struct ExtendArgs {
    #[arg(long, env = "SPIRE_DB")]
    db: String,
    #[arg(long)]
    user: String,
    #[arg(long)]
    internship: i64,
    /// The new last day.
    #[arg(long)]
    new_end: String,
    #[arg(long)]
    reason: String,
    /// Who decided the extension.
    #[arg(long)]
    decided_by: String,
}

#[derive(Args)]
pub struct SetArgs {
    #[arg(long, env = "SPIRE_DB")]
    db: String,
    /// Longest internship for job- and education-ready youth, in weeks.
    #[arg(long)]
    job_ready_weeks: Option<i64>,
    /// Longest internship for activity-ready youth, in weeks.
    #[arg(long)]
    activity_ready_weeks: Option<i64>,
    /// The first extension may reach this many weeks.
    #[arg(long)]
    extended_weeks: Option<i64>,
    /// Each further extension adds at most this many weeks.
    #[arg(long)]
    block_weeks: Option<i64>,
    /// At most this many hours a week.
    #[arg(long)]
    max_hours: Option<f64>,
    /// Youth per consultant in the first year, the second and later: 15,20,22.
    #[arg(long)]
    caseload: Option<String>,
    /// The programme's age band, youngest-oldest in whole years: 15-29.
    #[arg(long)]
    ages: Option<String>,
}

/// The flag a field error is about.
fn flag(field: &str) -> String {
    let name = match field {
        "youth_id" => "youth",
        "company_id" => "company",
        "contact_id" => "contact",
        "start_date" => "start",
        "end_date" => "end",
        "hours_per_week" => "hours",
        "new_end_date" => "new-end",
        other => other,
    };
    format!("--{}", name.replace('_', "-"))
}

/// Every refused field as `--flag: why` lines, in English (the pages' words).
fn bad_input(errors: &[FieldError]) -> Failure {
    let tr = Tr::new(Lang::En);
    Failure::BadInput(
        errors
            .iter()
            .map(|e| format!("{}: {}", flag(e.field), tr.problem(e)))
            .collect::<Vec<_>>()
            .join("\n       "),
    )
}

fn store_failure(error: spire_store::Error, what: &str) -> Failure {
    match error {
        spire_store::Error::Invalid(field) => bad_input(&[field]),
        spire_store::Error::InvalidFields(fields) => bad_input(&fields),
        spire_store::Error::NotFound => Failure::BadInput(format!(
            "{what}: not found, or --user may not work with it (programme staff of the same municipality)"
        )),
        other => other.into(),
    }
}

async fn staff_scope(db: &Db, login: &str) -> Result<Scope, Failure> {
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

pub async fn run_internship(command: InternshipCommand) -> Result<(), Failure> {
    match command {
        InternshipCommand::Add(args) => {
            let function = required_text("function", &args.function, 120);
            let start = parse_date("start_date", &args.start);
            let end = parse_date("end_date", &args.end);
            let hours = parse_hours("hours_per_week", &args.hours);
            let errors: Vec<FieldError> = [
                function.as_ref().err(),
                start.as_ref().err(),
                end.as_ref().err(),
                hours.as_ref().err(),
            ]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
            let (Ok(function), Ok(start), Ok(end), Ok(hours)) = (function, start, end, hours)
            else {
                return Err(bad_input(&errors));
            };
            let hours_per_week = hours;
            let db = crate::connect_existing(&args.db).await?;
            let scope = staff_scope(&db, &args.user).await?;
            let new = NewInternship {
                youth: YouthId::new(args.youth),
                company: CompanyId::new(args.company),
                contact_id: args.contact,
                function,
                start,
                end,
                hours_per_week,
                schedule: args.schedule,
            };
            let id = db
                .create_internship(&scope, &new)
                .await
                .map_err(|e| store_failure(e, "--youth"))?;
            println!("planned internship {id} ({start} to {end})");
            Ok(())
        }
        InternshipCommand::Extend(args) => {
            let new_end = parse_date("new_end_date", &args.new_end).map_err(|e| bad_input(&[e]))?;
            let db = crate::connect_existing(&args.db).await?;
            let scope = staff_scope(&db, &args.user).await?;
            db.extend_internship(
                &scope,
                InternshipId::new(args.internship),
                new_end,
                &args.reason,
                &args.decided_by,
            )
            .await
            .map_err(|e| store_failure(e, "--internship"))?;
            println!("internship {} now ends {new_end}", args.internship);
            Ok(())
        }
    }
}

fn print_rules(rules: &spire_store::ProgrammeRules) {
    let r = &rules.internship;
    println!("internship limits (LAB § 61):");
    println!(
        "  job- and education-ready youth   {} weeks",
        r.job_ready_weeks
    );
    println!(
        "  activity-ready youth             {} weeks",
        r.activity_ready_weeks
    );
    println!(
        "  first extension up to            {} weeks",
        r.extended_weeks
    );
    println!("  each further extension at most   {} weeks", r.block_weeks);
    println!(
        "  hours a week at most             {}",
        r.max_hours_per_week
    );
    let [first, second, later] = rules.caseload_norms;
    println!(
        "caseload norm (youth per consultant): year 1 {first}, year 2 {second}, later {later}"
    );
    let (youngest, oldest) = rules.age_band;
    println!("age band of the programme: {youngest} to {oldest} years");
}

pub async fn run_rules(command: RulesCommand) -> Result<(), Failure> {
    match command {
        RulesCommand::Show(args) => {
            let db = crate::connect_existing(&args.db).await?;
            print_rules(&db.programme_rules().await?);
            Ok(())
        }
        RulesCommand::Set(args) => {
            let db = crate::connect_existing(&args.db).await?;
            let current = db.programme_rules().await?;
            let rules = InternshipRules {
                job_ready_weeks: args
                    .job_ready_weeks
                    .unwrap_or(current.internship.job_ready_weeks),
                activity_ready_weeks: args
                    .activity_ready_weeks
                    .unwrap_or(current.internship.activity_ready_weeks),
                extended_weeks: args
                    .extended_weeks
                    .unwrap_or(current.internship.extended_weeks),
                block_weeks: args.block_weeks.unwrap_or(current.internship.block_weeks),
                max_hours_per_week: args
                    .max_hours
                    .unwrap_or(current.internship.max_hours_per_week),
            };
            db.set_internship_rules(&rules).await.map_err(|_| {
                Failure::BadInput(
                    "--job-ready-weeks, --activity-ready-weeks, --extended-weeks, --block-weeks: 1 to 520; --max-hours: above 0, at most 80".into(),
                )
            })?;
            if let Some(text) = &args.caseload {
                let norms: Vec<i64> = text
                    .split(',')
                    .map(|n| n.trim().parse::<i64>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        Failure::BadInput("--caseload: three whole numbers, e.g. 15,20,22".into())
                    })?;
                let [first, second, later] = norms[..] else {
                    return Err(Failure::BadInput(
                        "--caseload: three whole numbers, e.g. 15,20,22".into(),
                    ));
                };
                db.set_caseload_norms([first, second, later])
                    .await
                    .map_err(|_| Failure::BadInput("--caseload: each from 1 to 200".into()))?;
            }
            if let Some(text) = &args.ages {
                const AGES: &str =
                    "--ages: youngest-oldest in whole years from 10 to 40, e.g. 15-29";
                let (min, max) = text
                    .split_once('-')
                    .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
                    .ok_or_else(|| Failure::BadInput(AGES.into()))?;
                db.set_age_band(min, max)
                    .await
                    .map_err(|_| Failure::BadInput(AGES.into()))?;
            }
            print_rules(&db.programme_rules().await?);
            Ok(())
        }
    }
}
