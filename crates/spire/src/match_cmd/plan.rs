//! `spire match plan`: the event rotation schedule as JSON and as a readable table.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use serde::{Deserialize, Serialize};
use spire_matching::{RotationPlan, RotationRequest, ShortfallReason, plan_rotation};

use super::{
    CliError, Id, InOrder, Lang, input_error, parse_json, read_input, reject_repeated_ids,
    write_json,
};

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The event as JSON: {"rounds", "meetings_per_youth"?, "youth": [{"id", "interests"}],
    /// "companies": [{"id", "industries", "tables"}]}.
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the JSON plan (default: standard output; the table then goes to standard error).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Language of the readable table.
    #[arg(long, value_enum, default_value_t = Lang::Da)]
    pub lang: Lang,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanInput<'a> {
    rounds: i64,
    /// Defaults to one meeting per round.
    meetings_per_youth: Option<i64>,
    #[serde(borrow)]
    youth: Vec<YouthInput<'a>>,
    #[serde(borrow)]
    companies: Vec<CompanyInput<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YouthInput<'a> {
    #[serde(borrow)]
    id: Id<'a>,
    #[serde(borrow)]
    interests: Vec<Id<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompanyInput<'a> {
    #[serde(borrow)]
    id: Id<'a>,
    #[serde(borrow)]
    industries: Vec<Id<'a>>,
    tables: i64,
}

#[derive(Serialize)]
struct PlanOutput<'a> {
    feasible: bool,
    rounds: u32,
    meetings_per_youth: u32,
    /// Rounds and tables count from 1.
    schedule: Vec<RoundOutput<'a>>,
    /// Per youth, the company met in each round (null: a free round).
    youth: InOrder<&'a str, Vec<Option<&'a str>>>,
    company_meetings: InOrder<&'a str, u32>,
    shortfalls: Vec<ShortfallOutput<'a>>,
}

#[derive(Serialize)]
struct RoundOutput<'a> {
    round: u32,
    meetings: Vec<MeetingOutput<'a>>,
}

#[derive(Serialize)]
struct MeetingOutput<'a> {
    company: &'a str,
    table: u32,
    youth: &'a str,
}

#[derive(Serialize)]
struct ShortfallOutput<'a> {
    youth: &'a str,
    requested: u32,
    planned: u32,
    reason: String,
}

pub(super) fn run(args: &PlanArgs) -> Result<(), CliError> {
    let text = read_input(&args.input)?;
    let input: PlanInput = parse_json(&args.input, &text)?;
    let request = build_request(&input)?;
    let plan = plan_rotation(&request);
    let table = readable_table(&input, &plan, args.lang);
    write_json(
        args.output.as_deref(),
        &plan_output(&input, &request, &plan, args.lang),
    )?;
    // Keep standard output pure JSON when the JSON goes there.
    if args.output.is_some() {
        print!("{table}");
    } else {
        eprint!("{table}");
    }
    Ok(())
}

/// An event has a few rounds and tables; the planner's memory grows with (youth + tables) × rounds,
/// so absurd numbers are refused rather than attempted.
const MOST_ROUNDS_OR_TABLES: i64 = 1_000;

fn count(value: i64, what: impl Fn() -> String) -> Result<u32, CliError> {
    if (0..=MOST_ROUNDS_OR_TABLES).contains(&value) {
        Ok(value as u32)
    } else {
        Err(input_error(format!(
            "{} must be between 0 and {MOST_ROUNDS_OR_TABLES} (got {value})",
            what()
        )))
    }
}

fn build_request(input: &PlanInput) -> Result<RotationRequest, CliError> {
    reject_repeated_ids("youth", input.youth.iter().map(|y| y.id.as_str()))?;
    reject_repeated_ids("company", input.companies.iter().map(|c| c.id.as_str()))?;
    let rounds = count(input.rounds, || "rounds".to_owned())?;
    let meetings_per_youth = match input.meetings_per_youth {
        Some(meetings) => count(meetings, || "meetings_per_youth".to_owned())?,
        None => rounds,
    };
    let mut industries = Vec::new();
    let youth_interests = input
        .youth
        .iter()
        .map(|y| {
            number_industries(
                &mut industries,
                &y.interests,
                format!("youth \"{}\"", y.id.as_str()),
                "interest",
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let company_industries = input
        .companies
        .iter()
        .map(|c| {
            number_industries(
                &mut industries,
                &c.industries,
                format!("company \"{}\"", c.id.as_str()),
                "industry",
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let company_tables = input
        .companies
        .iter()
        .map(|c| {
            count(c.tables, || {
                format!("tables of company \"{}\"", c.id.as_str())
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RotationRequest {
        rounds,
        meetings_per_youth,
        youth_interests,
        company_industries,
        company_tables,
    })
}

/// Industries are free text; numbers them in order of first appearance across the whole event.
fn number_industries<'t>(
    industries: &mut Vec<&'t str>,
    names: &'t [Id<'t>],
    owner: String,
    list: &str,
) -> Result<Vec<u32>, CliError> {
    let mut numbers = Vec::with_capacity(names.len());
    for name in names {
        let number = match industries.iter().position(|&known| known == name.as_str()) {
            Some(position) => position as u32,
            None => {
                industries.push(name.as_str());
                industries.len() as u32 - 1
            }
        };
        if numbers.contains(&number) {
            return Err(input_error(format!(
                "{owner} lists {list} \"{}\" more than once",
                name.as_str()
            )));
        }
        numbers.push(number);
    }
    Ok(numbers)
}

fn shortfall_reason(lang: Lang, reason: ShortfallReason) -> String {
    match (lang, reason) {
        (Lang::En, ShortfallReason::TooFewFittingCompanies { fitting: 0 }) => {
            "no company at the event shares an interest with them".to_owned()
        }
        (Lang::En, ShortfallReason::TooFewFittingCompanies { fitting: 1 }) => {
            "only 1 company at the event shares an interest with them".to_owned()
        }
        (Lang::En, ShortfallReason::TooFewFittingCompanies { fitting }) => {
            format!("only {fitting} companies at the event share an interest with them")
        }
        (Lang::En, ShortfallReason::MoreMeetingsThanRounds { rounds }) => {
            format!("the event has only {rounds} rounds")
        }
        (Lang::En, ShortfallReason::TablesFull) => {
            "the fitting companies' tables are needed by others".to_owned()
        }
        (Lang::Da, ShortfallReason::TooFewFittingCompanies { fitting: 0 }) => {
            "ingen virksomheder til arrangementet deler en interesse med den unge".to_owned()
        }
        (Lang::Da, ShortfallReason::TooFewFittingCompanies { fitting: 1 }) => {
            "kun 1 virksomhed til arrangementet deler en interesse med den unge".to_owned()
        }
        (Lang::Da, ShortfallReason::TooFewFittingCompanies { fitting }) => {
            format!("kun {fitting} virksomheder til arrangementet deler en interesse med den unge")
        }
        (Lang::Da, ShortfallReason::MoreMeetingsThanRounds { rounds }) => {
            format!("arrangementet har kun {rounds} runder")
        }
        (Lang::Da, ShortfallReason::TablesFull) => {
            "de virksomheder, der passer, har ikke flere ledige borde".to_owned()
        }
    }
}

/// For each youth, the company index met in each round.
fn grid(youth_count: usize, plan: &RotationPlan) -> Vec<Vec<Option<(usize, u32)>>> {
    let mut grid = vec![vec![None; plan.rounds as usize]; youth_count];
    for meeting in &plan.meetings {
        grid[meeting.youth.index()][meeting.round as usize] =
            Some((meeting.company.index(), meeting.table));
    }
    grid
}

fn plan_output<'a>(
    input: &'a PlanInput,
    request: &RotationRequest,
    plan: &RotationPlan,
    lang: Lang,
) -> PlanOutput<'a> {
    let company_id = |c: usize| input.companies[c].id.as_str();
    let youth_id = |y: usize| input.youth[y].id.as_str();
    let schedule = (0..plan.rounds)
        .map(|round| RoundOutput {
            round: round + 1,
            meetings: plan
                .meetings
                .iter()
                .filter(|m| m.round == round)
                .map(|m| MeetingOutput {
                    company: company_id(m.company.index()),
                    table: m.table + 1,
                    youth: youth_id(m.youth.index()),
                })
                .collect(),
        })
        .collect();
    let by_youth = grid(input.youth.len(), plan)
        .into_iter()
        .enumerate()
        .map(|(y, rounds)| {
            (
                youth_id(y),
                rounds
                    .into_iter()
                    .map(|cell| cell.map(|(c, _)| company_id(c)))
                    .collect(),
            )
        })
        .collect();
    let load = plan.company_load(input.companies.len());
    PlanOutput {
        feasible: plan.is_complete(),
        rounds: request.rounds,
        meetings_per_youth: request.meetings_per_youth,
        schedule,
        youth: InOrder(by_youth),
        company_meetings: InOrder(
            load.iter()
                .enumerate()
                .map(|(c, &n)| (company_id(c), n))
                .collect(),
        ),
        shortfalls: plan
            .shortfalls
            .iter()
            .map(|s| ShortfallOutput {
                youth: youth_id(s.youth.index()),
                requested: s.requested,
                planned: s.planned,
                reason: shortfall_reason(lang, s.reason),
            })
            .collect(),
    }
}

/// Youth down the side, rounds across, "company (table n)" in the cells; then what fell short.
fn readable_table(input: &PlanInput, plan: &RotationPlan, lang: Lang) -> String {
    let (youth_heading, round_word, table_word) = match lang {
        Lang::Da => ("ung", "runde", "bord"),
        Lang::En => ("youth", "round", "table"),
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut heading = vec![youth_heading.to_owned()];
    heading.extend((1..=plan.rounds).map(|r| format!("{round_word} {r}")));
    rows.push(heading);
    for (y, rounds) in grid(input.youth.len(), plan).into_iter().enumerate() {
        let mut row = vec![input.youth[y].id.as_str().to_owned()];
        row.extend(rounds.into_iter().map(|cell| match cell {
            Some((c, table)) => format!(
                "{} ({table_word} {})",
                input.companies[c].id.as_str(),
                table + 1
            ),
            None => "-".to_owned(),
        }));
        rows.push(row);
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|col| {
            rows.iter()
                .map(|row| row[col].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = String::new();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| format!("{cell:<w$}"))
            .collect();
        let _ = writeln!(text, "{}", cells.join(" | ").trim_end());
        if i == 0 {
            let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
            let _ = writeln!(text, "{}", rule.join("-+-"));
        }
    }
    if plan.is_complete() {
        let _ = match lang {
            Lang::Da => writeln!(text, "Alle unge får det ønskede antal møder."),
            Lang::En => writeln!(text, "Every youth gets the requested number of meetings."),
        };
    } else {
        let _ = match lang {
            Lang::Da => writeln!(
                text,
                "Ønsket kan ikke opfyldes; dette er den bedst mulige plan:"
            ),
            Lang::En => writeln!(
                text,
                "The request cannot be met; this is the best possible plan:"
            ),
        };
        for shortfall in &plan.shortfalls {
            let youth = input.youth[shortfall.youth.index()].id.as_str();
            let (requested, planned) = (shortfall.requested, shortfall.planned);
            let reason = shortfall_reason(lang, shortfall.reason);
            let _ = match lang {
                Lang::Da => writeln!(
                    text,
                    "  {youth}: {planned} af {requested} møder, fordi {reason}"
                ),
                Lang::En => writeln!(
                    text,
                    "  {youth}: {planned} of {requested} meetings, because {reason}"
                ),
            };
        }
    }
    text
}
