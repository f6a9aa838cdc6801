//! `spire match`: deferred acceptance on a JSON file of rankings, and `spire match plan`: the
//! event rotation planner. Transfer types live here; the algorithms are in `spire-matching`.

mod plan;
mod rankings;

use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Subcommand, ValueEnum};
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use spire_matching::{Company, Instance, Language, Matching, Youth};

use rankings::Rankings;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct MatchArgs {
    #[command(subcommand)]
    pub command: Option<MatchCommand>,
    /// Rankings as JSON: {"youth": [{"id", "prefs"}], "companies": [{"id", "capacity", "prefs"}]}.
    #[arg(long, required = true)]
    pub input: Option<PathBuf>,
    /// Where to write the result (default: standard output).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Which side proposes. Youth-proposing is the programme's mechanism.
    #[arg(long, value_enum, default_value_t = Proposing::Youth)]
    pub proposing: Proposing,
    /// Language of the explanations.
    #[arg(long, value_enum, default_value_t = Lang::Da)]
    pub lang: Lang,
    /// Print how long each step took to standard error.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Subcommand, Debug)]
pub enum MatchCommand {
    /// Plan an event's rotation (rounds × tables) from interests and industries.
    Plan(plan::PlanArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Proposing {
    Youth,
    Companies,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Lang {
    Da,
    En,
}

impl From<Lang> for Language {
    fn from(lang: Lang) -> Language {
        match lang {
            Lang::Da => Language::Danish,
            Lang::En => Language::English,
        }
    }
}

pub fn run(args: MatchArgs) -> ExitCode {
    let result = match args.command {
        Some(MatchCommand::Plan(plan_args)) => plan::run(&plan_args),
        None => run_match(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            error.exit_code()
        }
    }
}

/// Bad input (exit code 2: the caller must fix the file) or a failure to write (exit code 1).
pub(crate) enum CliError {
    Input(String),
    Output(String),
}

impl CliError {
    fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Input(_) => ExitCode::from(2),
            CliError::Output(_) => ExitCode::FAILURE,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(message) | CliError::Output(message) => f.write_str(message),
        }
    }
}

fn input_error(message: impl Into<String>) -> CliError {
    CliError::Input(message.into())
}

// ---------------------------------------------------------------------------------------------
// Shared input and output plumbing.

pub(crate) fn read_input(path: &Path) -> Result<String, CliError> {
    // Validating UTF-8 once for the whole file is cheaper than string by string while parsing.
    std::fs::read_to_string(path)
        .map_err(|e| input_error(format!("cannot read {}: {e}", path.display())))
}

pub(crate) fn parse_json<'a, T: Deserialize<'a>>(
    path: &Path,
    text: &'a str,
) -> Result<T, CliError> {
    serde_json::from_str(text).map_err(|e| invalid_json(path, e))
}

fn invalid_json(path: &Path, error: serde_json::Error) -> CliError {
    input_error(format!("{} is not valid input: {error}", path.display()))
}

/// Writes JSON to `path`, or to standard output when there is none.
pub(crate) fn write_json(path: Option<&Path>, value: &impl Serialize) -> Result<(), CliError> {
    let sink: Box<dyn Write> = match path {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| CliError::Output(format!("cannot create {}: {e}", path.display())))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let mut writer = BufWriter::with_capacity(1 << 20, sink);
    serde_json::to_writer(&mut writer, value)
        .map_err(io::Error::from)
        .and_then(|()| writer.write_all(b"\n"))
        .and_then(|()| writer.flush())
        .map_err(|e| CliError::Output(format!("cannot write the result: {e}")))
}

/// An id from the input, borrowed from the file's text unless it contained escapes.
#[derive(Debug)]
pub(crate) struct Id<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl<'de> Visitor<'de> for IdVisitor {
            type Value = Id<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string id")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Id<'de>, E> {
                Ok(Id(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id<'de>, E> {
                Ok(Id(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(IdVisitor)
    }
}

impl Id<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// Numbers ids in order of first appearance.
///
/// At 100,000 youth × 20 choices the lookups dominate `spire match`. A `HashMap<&str, _>` into
/// the 36 MB input text costs several cache misses per lookup; here each table slot carries the
/// id's length and first 8 bytes, so a short id is found with one memory access. Longer ids are
/// confirmed against a copy of all ids kept back to back. The hash is not keyed: ids come from
/// the operator's own file.
pub(crate) struct IdTable {
    text: String,
    /// `ends[n]` is where id number `n` ends in `text`.
    ends: Vec<usize>,
    slots: Vec<Slot>,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    /// 0 = empty, otherwise the id's number + 1.
    number_plus_one: u32,
    len: u32,
    prefix: [u8; 8],
}

fn prefix_of(id: &str) -> [u8; 8] {
    let mut prefix = [0u8; 8];
    let n = id.len().min(8);
    prefix[..n].copy_from_slice(&id.as_bytes()[..n]);
    prefix
}

impl Default for IdTable {
    fn default() -> Self {
        IdTable {
            text: String::new(),
            ends: Vec::new(),
            slots: vec![Slot::default(); 16],
        }
    }
}

impl IdTable {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn id(&self, number: u32) -> &str {
        let number = number as usize;
        let start = if number == 0 {
            0
        } else {
            self.ends[number - 1]
        };
        &self.text[start..self.ends[number]]
    }

    /// The id's number, and whether it is new.
    pub(crate) fn intern(&mut self, id: &str) -> (u32, bool) {
        match self.probe(id) {
            Ok(number) => (number, false),
            Err(empty_slot) => {
                self.text.push_str(id);
                self.ends.push(self.text.len());
                let number = self.ends.len() as u32 - 1;
                self.slots[empty_slot] = Slot {
                    number_plus_one: number + 1,
                    len: id.len() as u32,
                    prefix: prefix_of(id),
                };
                // At most three quarters full: probes stay short, and the table small enough
                // to stay in cache as long as possible.
                if 4 * self.ends.len() > 3 * self.slots.len() {
                    self.grow();
                }
                (number, true)
            }
        }
    }

    fn grow(&mut self) {
        let doubled = vec![Slot::default(); 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.number_plus_one != 0) {
            let mut position = hash(self.id(slot.number_plus_one - 1).as_bytes()) as usize & mask;
            while self.slots[position].number_plus_one != 0 {
                position = (position + 1) & mask;
            }
            self.slots[position] = slot;
        }
    }

    /// `Ok(number)` of the id, or `Err(slot)`: the empty slot where it would go.
    fn probe(&self, id: &str) -> Result<u32, usize> {
        let prefix = prefix_of(id);
        let mask = self.slots.len() - 1;
        let mut position = hash(id.as_bytes()) as usize & mask;
        loop {
            let slot = self.slots[position];
            if slot.number_plus_one == 0 {
                return Err(position);
            }
            let number = slot.number_plus_one - 1;
            if slot.len as usize == id.len()
                && slot.prefix == prefix
                && (id.len() <= 8 || self.id(number) == id)
            {
                return Ok(number);
            }
            position = (position + 1) & mask;
        }
    }
}

/// Fails on the first id given twice.
pub(crate) fn reject_repeated_ids<'t>(
    kind: &str,
    ids: impl Iterator<Item = &'t str>,
) -> Result<(), CliError> {
    let mut seen = IdTable::default();
    for id in ids {
        if !seen.intern(id).1 {
            return Err(input_error(format!(
                "{kind} id \"{id}\" appears more than once"
            )));
        }
    }
    Ok(())
}

/// FxHash over 8-byte words, then MurmurHash3's avalanche step: the multiply only carries
/// information upward, and without the avalanche ids sharing their first characters collide.
fn hash(bytes: &[u8]) -> u64 {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        h = (h.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h.rotate_left(5) ^ u64::from_le_bytes(tail)).wrapping_mul(SEED);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

// ---------------------------------------------------------------------------------------------
// `spire match`

#[derive(Serialize)]
struct MatchOutput<'a> {
    matches: Vec<PairOutput<'a>>,
    unmatched_youth: Vec<&'a str>,
    stable: bool,
    explanations: InOrder<&'a str, String>,
}

#[derive(Serialize)]
struct PairOutput<'a> {
    youth: &'a str,
    company: &'a str,
}

/// A JSON object that keeps the given key order (youth order) instead of sorting.
pub(crate) struct InOrder<K, V>(pub Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for InOrder<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Phase timings for `--timings`.
struct Stopwatch {
    enabled: bool,
    last: Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Stopwatch {
    fn new(enabled: bool) -> Stopwatch {
        Stopwatch {
            enabled,
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, phase: &'static str) {
        let now = Instant::now();
        self.laps
            .push((phase, (now - self.last).as_secs_f64() * 1e3));
        self.last = now;
    }

    fn report(&self) {
        if self.enabled {
            let laps: Vec<String> = self
                .laps
                .iter()
                .map(|(phase, ms)| format!("{phase} {ms:.1} ms"))
                .collect();
            eprintln!("timings: {}", laps.join(", "));
        }
    }
}

fn run_match(args: &MatchArgs) -> Result<(), CliError> {
    let path = args
        .input
        .as_deref()
        .expect("clap requires --input without a subcommand");
    let mut stopwatch = Stopwatch::new(args.timings);
    let text = read_input(path)?;
    stopwatch.lap("read");
    let rankings = Rankings::parse(&text).map_err(|e| invalid_json(path, e))?;
    drop(text);
    stopwatch.lap("parse");
    let instance = rankings.to_instance()?;
    stopwatch.lap("index");
    let matching = match args.proposing {
        Proposing::Youth => spire_matching::youth_proposing(&instance),
        Proposing::Companies => spire_matching::company_proposing(&instance),
    };
    stopwatch.lap("match");
    let stability = spire_matching::check_stability(&instance, &matching);
    if let Err(problem) = stability {
        eprintln!("warning: the matching is not stable: {problem}");
    }
    stopwatch.lap("stability");
    let output = match_output(
        &rankings,
        &instance,
        &matching,
        stability.is_ok(),
        args.lang.into(),
    );
    stopwatch.lap("explain");
    write_json(args.output.as_deref(), &output)?;
    stopwatch.lap("write");
    stopwatch.report();
    Ok(())
}

fn match_output<'a>(
    rankings: &'a Rankings,
    instance: &Instance,
    matching: &Matching,
    stable: bool,
    language: Language,
) -> MatchOutput<'a> {
    let youth_id = |youth: Youth| rankings.youth.name(youth.index());
    let company_id = |company: Company| rankings.companies.name(company.index());
    let explanations = spire_matching::explain_all(instance, matching)
        .expect("the algorithms produce valid matchings")
        .into_iter()
        .map(|explanation| {
            (
                youth_id(explanation.youth),
                explanation.render(language, company_id),
            )
        })
        .collect();
    MatchOutput {
        matches: matching
            .pairs()
            .map(|(youth, company)| PairOutput {
                youth: youth_id(youth),
                company: company_id(company),
            })
            .collect(),
        unmatched_youth: matching.unmatched_youth().map(youth_id).collect(),
        stable,
        explanations: InOrder(explanations),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_table_numbers_ids_in_order_of_first_appearance_through_growth() {
        let mut table = IdTable::default();
        // Long ids sharing their first 8 bytes exercise the comparison beyond the inline prefix.
        let ids: Vec<String> = (0..5_000).map(|i| format!("company-{i:05}")).collect();
        for (n, id) in ids.iter().enumerate() {
            assert_eq!(table.intern(id), (n as u32, true));
        }
        for (n, id) in ids.iter().enumerate() {
            assert_eq!(table.intern(id), (n as u32, false), "{id}");
            assert_eq!(table.id(n as u32), id);
        }
        assert_eq!(table.len(), 5_000);
        assert_eq!(
            table.intern("company-0000"),
            (5_000, true),
            "a prefix of another id is its own id"
        );
        assert_eq!(table.intern(""), (5_001, true));
    }

    #[test]
    fn rejects_repeated_ids_by_name() {
        let error = reject_repeated_ids("youth", ["a", "b", "a"].into_iter())
            .err()
            .unwrap();
        assert_eq!(error.to_string(), r#"youth id "a" appears more than once"#);
        assert!(reject_repeated_ids("youth", ["a", "b"].into_iter()).is_ok());
    }
}
