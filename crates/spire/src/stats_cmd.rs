//! `spire stats …`: the trial statistics of `spire-stats` on any CSV file.
//!
//! CSV files may use `,` or `;` between fields and a decimal point or a decimal comma; empty cells
//! and `NA` are missing. Bad input prints one line on stderr and exits with code 2.

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};
use spire_evaluation::outcomes::{Column, CsvText, Wanted};
use spire_stats::ri::{RiDesign, RiOptions, multiple_outcome_test, randomization_test};
use spire_stats::{
    Estimate, SeType, StatsError, TrialData, balance, dim, iv, lee, multiple, ols, power,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(subcommand)]
    command: StatsCommand,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json, global = true)]
    format: Format,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Json,
    Table,
}

#[derive(Subcommand, Debug)]
enum StatsCommand {
    /// Intention-to-treat effect: lm_robust(Y ~ Z + covariates, fixed_effects = ~strata).
    Itt(IttArgs),
    /// Difference in means (blocked when --blocks is given), as estimatr's difference_in_means.
    Dim(DimArgs),
    /// Effect of participation: 2SLS with the offer instrumenting take-up.
    Iv(IvArgs),
    /// Baseline balance by arm with standardised differences and a joint randomisation test.
    Balance(BalanceArgs),
    /// Minimum detectable effect (SD units) at N, or the N needed for a target MDE.
    Mde(MdeArgs),
    /// Adjust p-values for multiple testing.
    Adjust(AdjustArgs),
    /// Randomisation p-values for several outcomes with Romano–Wolf step-down adjustment.
    RomanoWolf(RomanoWolfArgs),
    /// Lee (2009) bounds when outcomes are missing by attrition.
    Lee(LeeArgs),
}

#[derive(Args, Debug)]
struct DataArgs {
    /// CSV file with a header row.
    #[arg(long)]
    data: PathBuf,
}

#[derive(Args, Debug)]
struct IttArgs {
    #[command(flatten)]
    data: DataArgs,
    #[arg(long)]
    outcome: String,
    #[arg(long)]
    treatment: String,
    /// Strata absorbed as fixed effects (and kept by randomisation inference).
    #[arg(long)]
    strata: Option<String>,
    /// Comma-separated covariate columns.
    #[arg(long, value_delimiter = ',')]
    covariates: Vec<String>,
    #[arg(long, value_enum, default_value_t = SeArg::Hc2)]
    se: SeArg,
    /// Lin (2013): covariates centred and interacted with the treatment.
    #[arg(long)]
    lin: bool,
    /// Randomisation-inference draws (within strata when --strata is given).
    #[arg(long)]
    ri: Option<usize>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SeArg {
    Hc0,
    Hc1,
    Hc2,
    Hc3,
}

impl From<SeArg> for SeType {
    fn from(se: SeArg) -> SeType {
        match se {
            SeArg::Hc0 => SeType::Hc0,
            SeArg::Hc1 => SeType::Hc1,
            SeArg::Hc2 => SeType::Hc2,
            SeArg::Hc3 => SeType::Hc3,
        }
    }
}

#[derive(Args, Debug)]
struct DimArgs {
    #[command(flatten)]
    data: DataArgs,
    #[arg(long)]
    outcome: String,
    #[arg(long)]
    treatment: String,
    #[arg(long)]
    blocks: Option<String>,
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
}

#[derive(Args, Debug)]
struct IvArgs {
    #[command(flatten)]
    data: DataArgs,
    #[arg(long)]
    outcome: String,
    /// The random offer (0/1).
    #[arg(long)]
    instrument: String,
    /// Participation actually taken up.
    #[arg(long)]
    takeup: String,
    #[arg(long)]
    strata: Option<String>,
    #[arg(long, value_delimiter = ',')]
    covariates: Vec<String>,
    #[arg(long, value_enum, default_value_t = SeArg::Hc2)]
    se: SeArg,
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
}

#[derive(Args, Debug)]
struct BalanceArgs {
    #[command(flatten)]
    data: DataArgs,
    #[arg(long)]
    treatment: String,
    #[arg(long, value_delimiter = ',', required = true)]
    covariates: Vec<String>,
    #[arg(long)]
    strata: Option<String>,
    /// Draws for the joint randomisation test (0 skips it).
    #[arg(long, default_value_t = 1000)]
    draws: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("target").required(true).args(["n", "mde"]))]
struct MdeArgs {
    /// Total number randomised: report the MDE.
    #[arg(long)]
    n: Option<f64>,
    /// Target MDE in SD units: report the total N needed.
    #[arg(long)]
    mde: Option<f64>,
    #[arg(long, default_value_t = 0.5)]
    treated_share: f64,
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    #[arg(long, default_value_t = 0.8)]
    power: f64,
    /// Outcome variance explained by covariates.
    #[arg(long, default_value_t = 0.0)]
    r2: f64,
}

#[derive(Args, Debug)]
struct AdjustArgs {
    /// Comma-separated p-values.
    #[arg(long, value_delimiter = ',', required = true)]
    p: Vec<f64>,
    #[arg(long, value_enum)]
    method: MethodArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum MethodArg {
    Bonferroni,
    Holm,
    Bh,
}

#[derive(Args, Debug)]
struct RomanoWolfArgs {
    #[command(flatten)]
    data: DataArgs,
    #[arg(long, value_delimiter = ',', required = true)]
    outcomes: Vec<String>,
    #[arg(long)]
    treatment: String,
    #[arg(long)]
    strata: Option<String>,
    #[arg(long, value_delimiter = ',')]
    covariates: Vec<String>,
    #[arg(long)]
    draws: usize,
    #[arg(long)]
    seed: u64,
}

#[derive(Args, Debug)]
struct LeeArgs {
    #[command(flatten)]
    data: DataArgs,
    #[arg(long)]
    outcome: String,
    #[arg(long)]
    treatment: String,
    /// 1 where the outcome was observed, 0 where it is missing.
    #[arg(long)]
    observed: String,
}

/// Run a `spire stats` subcommand: results on stdout, one error line on stderr and code 2.
pub fn run(args: StatsArgs) -> ExitCode {
    match execute(&args.command) {
        Ok(report) => {
            match args.format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("JSON of plain values")
                ),
                Format::Table => print!("{}", render_table(&report)),
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn execute(command: &StatsCommand) -> Result<Value, String> {
    match command {
        StatsCommand::Itt(a) => {
            let table = CsvTable::read(&a.data.data)?;
            let names = [&a.outcome, &a.treatment].into_iter().chain(&a.covariates);
            let (mut columns, strata) = table.columns(names, a.strata.as_deref())?;
            let covariates = columns.split_off(2);
            let (y, z) = (&columns[0], &columns[1]);
            let covariate_slices: Vec<&[f64]> = covariates.iter().map(Vec::as_slice).collect();
            let mut data = TrialData::new(y, z).with_covariates(&covariate_slices);
            if let Some((codes, _)) = &strata {
                data = data.with_strata(codes);
            }
            let labels = strata.as_ref().map(|(_, labels)| labels.as_slice());
            let fit = if a.lin {
                ols::lm_lin(&data, a.se.into(), a.alpha)
            } else {
                ols::lm_robust(&data, a.se.into(), a.alpha)
            };
            let fit = fit.map_err(|e| explain(e, labels))?;
            let mut report = estimate_json(&fit.treatment(), fit.n, fit.n_dropped);
            if let Some(draws) = a.ri {
                let options = RiOptions {
                    draws,
                    seed: a.seed,
                    se: a.se.into(),
                    ..Default::default()
                };
                let ri = randomization_test(&data, &options).map_err(|e| explain(e, labels))?;
                report["ri_p_value"] = json!(ri.p_value);
            }
            Ok(report)
        }
        StatsCommand::Dim(a) => {
            let table = CsvTable::read(&a.data.data)?;
            let (columns, blocks) =
                table.columns([&a.outcome, &a.treatment], a.blocks.as_deref())?;
            let mut data = TrialData::new(&columns[0], &columns[1]);
            if let Some((codes, _)) = &blocks {
                data = data.with_strata(codes);
            }
            let labels = blocks.as_ref().map(|(_, labels)| labels.as_slice());
            let result =
                dim::difference_in_means(&data, a.alpha).map_err(|e| explain(e, labels))?;
            Ok(estimate_json(&result.effect, result.n, result.n_dropped))
        }
        StatsCommand::Iv(a) => {
            let table = CsvTable::read(&a.data.data)?;
            let names = [&a.outcome, &a.instrument, &a.takeup]
                .into_iter()
                .chain(&a.covariates);
            let (mut columns, strata) = table.columns(names, a.strata.as_deref())?;
            let covariates = columns.split_off(3);
            let (y, z, d) = (&columns[0], &columns[1], &columns[2]);
            let covariate_slices: Vec<&[f64]> = covariates.iter().map(Vec::as_slice).collect();
            let mut data = TrialData::new(y, z).with_covariates(&covariate_slices);
            if let Some((codes, _)) = &strata {
                data = data.with_strata(codes);
            }
            let labels = strata.as_ref().map(|(_, labels)| labels.as_slice());
            let fit =
                iv::iv_robust(&data, d, a.se.into(), a.alpha).map_err(|e| explain(e, labels))?;
            Ok(estimate_json(&fit.treatment(), fit.n, fit.n_dropped))
        }
        StatsCommand::Balance(a) => {
            let table = CsvTable::read(&a.data.data)?;
            let names = std::iter::once(&a.treatment).chain(&a.covariates);
            let (mut columns, strata) = table.columns(names, a.strata.as_deref())?;
            let covariates = columns.split_off(1);
            let z = &columns[0];
            let covariate_slices: Vec<&[f64]> = covariates.iter().map(Vec::as_slice).collect();
            let labels = strata.as_ref().map(|(_, labels)| labels.as_slice());
            let codes = strata.as_ref().map(|(codes, _)| codes.as_slice());
            let result = balance::balance_table(
                z,
                &covariate_slices,
                codes,
                RiDesign::WithinStrata,
                a.draws,
                a.seed,
            )
            .map_err(|e| explain(e, labels))?;
            let rows: Vec<Value> = a
                .covariates
                .iter()
                .zip(&result.rows)
                .map(|(name, row)| {
                    json!({
                        "covariate": name,
                        "mean_treated": row.mean_treated,
                        "mean_control": row.mean_control,
                        "sd_treated": row.sd_treated,
                        "sd_control": row.sd_control,
                        "std_difference": row.std_difference,
                        "flag": match row.imbalance {
                            balance::Imbalance::Negligible => "",
                            balance::Imbalance::Notable => ">0.1",
                            balance::Imbalance::Large => ">0.25",
                        },
                    })
                })
                .collect();
            Ok(json!({
                "covariates": rows,
                "joint_wald": result.joint_wald,
                "joint_ri_p_value": result.joint_p_value,
                "n_treated": result.n_treated,
                "n_control": result.n_control,
                "n_dropped": result.n_dropped,
            }))
        }
        StatsCommand::Mde(a) => {
            let design = power::PowerDesign {
                n: a.n.unwrap_or(0.0),
                treated_share: a.treated_share,
                alpha: a.alpha,
                power: a.power,
                r_squared: a.r2,
            };
            match a.mde {
                Some(target) => Ok(
                    json!({ "n": power::required_n(&design, target).map_err(|e| e.to_string())? }),
                ),
                None => Ok(json!({ "mde_sd": power::mde_sd(&design).map_err(|e| e.to_string())? })),
            }
        }
        StatsCommand::Adjust(a) => {
            let method = match a.method {
                MethodArg::Bonferroni => multiple::Adjustment::Bonferroni,
                MethodArg::Holm => multiple::Adjustment::Holm,
                MethodArg::Bh => multiple::Adjustment::BenjaminiHochberg,
            };
            let adjusted = multiple::adjust(&a.p, method).map_err(|e| e.to_string())?;
            Ok(json!({ "p_values": a.p, "adjusted": adjusted }))
        }
        StatsCommand::RomanoWolf(a) => {
            let table = CsvTable::read(&a.data.data)?;
            let names = a.outcomes.iter().chain([&a.treatment]).chain(&a.covariates);
            let (mut outcomes, strata) = table.columns(names, a.strata.as_deref())?;
            let covariates = outcomes.split_off(a.outcomes.len() + 1);
            let z = outcomes.pop().expect("the treatment column");
            let outcome_slices: Vec<&[f64]> = outcomes.iter().map(Vec::as_slice).collect();
            let covariate_slices: Vec<&[f64]> = covariates.iter().map(Vec::as_slice).collect();
            let labels = strata.as_ref().map(|(_, labels)| labels.as_slice());
            let codes = strata.as_ref().map(|(codes, _)| codes.as_slice());
            let options = RiOptions {
                draws: a.draws,
                seed: a.seed,
                ..Default::default()
            };
            let result =
                multiple_outcome_test(&outcome_slices, &z, &covariate_slices, codes, &options)
                    .map_err(|e| explain(e, labels))?;
            let rows: Vec<Value> = a
                .outcomes
                .iter()
                .enumerate()
                .map(|(k, name)| {
                    json!({
                        "outcome": name,
                        "t_stat": result.observed[k],
                        "ri_p_value": result.p_values[k],
                        "romano_wolf_p_value": result.romano_wolf[k],
                    })
                })
                .collect();
            Ok(
                json!({ "outcomes": rows, "draws": result.draws, "n": result.n, "n_dropped": result.n_dropped }),
            )
        }
        StatsCommand::Lee(a) => {
            let table = CsvTable::read(&a.data.data)?;
            let (columns, _) = table.columns([&a.outcome, &a.treatment, &a.observed], None)?;
            let bounds = lee::lee_bounds(&columns[0], &columns[1], &columns[2])
                .map_err(|e| e.to_string())?;
            Ok(json!({
                "lower": bounds.lower,
                "upper": bounds.upper,
                "trimming_share": bounds.trimming_share,
                "observed_share_treated": bounds.observed_share_treated,
                "observed_share_control": bounds.observed_share_control,
                "n": bounds.n,
                "n_dropped": bounds.n_dropped,
            }))
        }
    }
}

fn estimate_json(e: &Estimate, n: usize, n_dropped: usize) -> Value {
    json!({
        "estimate": e.estimate,
        "std_error": e.std_error,
        "df": e.df,
        "t_stat": e.t_stat,
        "p_value": e.p_value,
        "ci_lower": e.ci_lower,
        "ci_upper": e.ci_upper,
        "n": n,
        "n_dropped": n_dropped,
    })
}

/// The crate's error with stratum codes turned back into the labels found in the file.
fn explain(error: StatsError, labels: Option<&[String]>) -> String {
    let label = |code: u32| {
        labels
            .and_then(|l| l.get(code as usize))
            .cloned()
            .unwrap_or_else(|| code.to_string())
    };
    match error {
        StatsError::StratumWithOneArm { stratum } => {
            format!("stratum `{}` has units in only one arm", label(stratum))
        }
        StatsError::BlockTooSmall { block } => {
            format!(
                "block `{}` has a single unit in an arm (estimatr needs two per arm unless all blocks are pairs)",
                label(block)
            )
        }
        other => other.to_string(),
    }
}

/// Key–value lines, or one line per element of an array of objects.
fn render_table(report: &Value) -> String {
    let cell = |v: &Value| match v {
        Value::Number(n) => n.as_f64().map_or(n.to_string(), format_number),
        Value::Null => "NA".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out = String::new();
    let Value::Object(fields) = report else {
        return cell(report) + "\n";
    };
    for (key, value) in fields {
        match value {
            Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
                let Value::Object(first) = &items[0] else {
                    unreachable!()
                };
                let header: Vec<&String> = first.keys().collect();
                out += &header
                    .iter()
                    .map(|h| format!("{h:>20}"))
                    .collect::<String>();
                out += "\n";
                for item in items {
                    out += &header
                        .iter()
                        .map(|h| format!("{:>20}", cell(&item[h.as_str()])))
                        .collect::<String>();
                    out += "\n";
                }
            }
            Value::Array(items) => {
                out += &format!(
                    "{key:<24}{}\n",
                    items.iter().map(cell).collect::<Vec<_>>().join("  ")
                )
            }
            _ => out += &format!("{key:<24}{}\n", cell(value)),
        }
    }
    out
}

fn format_number(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.6}")
    }
}

/// A CSV file's text and header, with the separator and decimal mark detected.
struct CsvTable {
    path: PathBuf,
    text: CsvText<'static>,
}

/// Numeric columns, and a column of labels as dense codes with the labels.
type Columns = (Vec<Vec<f64>>, Option<(Vec<Option<u32>>, Vec<String>)>);

impl CsvTable {
    /// Reads the file with the import's CSV rules (separator, decimal comma, BOM).
    fn read(path: &Path) -> Result<CsvTable, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Ok(CsvTable {
            path: path.to_path_buf(),
            text: CsvText::from_vec(bytes),
        })
    }

    fn column_index(&self, name: &str) -> Result<usize, String> {
        let header = self.text.header();
        header.iter().position(|h| h == name).ok_or_else(|| {
            format!(
                "column `{name}` not found in {} (columns: {})",
                self.path.display(),
                header.join(", ")
            )
        })
    }

    /// The named numeric columns (empty cells and `NA` are missing, NaN) and,
    /// when named, a stratum column of any labels, in one pass over the rows.
    /// The first problem is reported: a row not as wide as the header, then
    /// in the order named a missing column or a cell that is not a number.
    fn columns<'n>(
        &self,
        numbers: impl IntoIterator<Item = &'n String>,
        labels: Option<&str>,
    ) -> Result<Columns, String> {
        let numbers: Vec<(&str, Result<usize, String>)> = numbers
            .into_iter()
            .map(|name| (name.as_str(), self.column_index(name)))
            .collect();
        let labels = labels.map(|name| self.column_index(name));
        let wanted: Vec<Wanted> = numbers
            .iter()
            .filter_map(|(_, position)| position.as_ref().ok().map(|&p| Wanted::Numbers(p)))
            .chain(labels.iter().flatten().map(|&p| Wanted::Labels(p)))
            .collect();
        let mut read = self
            .text
            .columns(&wanted)
            .map_err(|line| {
                format!(
                    "{}: line {line} does not have as many fields as the header",
                    self.path.display()
                )
            })?
            .into_iter();
        let mut columns = Vec::with_capacity(numbers.len());
        for (name, position) in numbers {
            position?;
            match read.next() {
                Some(Column::Numbers(Ok(values))) => columns.push(values),
                Some(Column::Numbers(Err(bad))) => {
                    return Err(format!(
                        "non-numeric value `{}` in column `{name}`, row {} (line {} of {})",
                        bad.cell,
                        bad.row + 1,
                        bad.line,
                        self.path.display()
                    ));
                }
                _ => unreachable!("a column of numbers for each found name"),
            }
        }
        let labels = match labels {
            None => None,
            Some(position) => {
                position?;
                match read.next() {
                    Some(Column::Labels { codes, labels }) => Some((codes, labels)),
                    _ => unreachable!("a column of labels when named"),
                }
            }
        };
        Ok((columns, labels))
    }
}
