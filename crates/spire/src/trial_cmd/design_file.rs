//! The trial design file (`spire trial create --design FILE.toml`).
//!
//! TOML, read by the `toml` crate into the fields below (an unknown field or
//! a mistake is refused with its line and column). Example:
//!
//! ```toml
//! id = "spire-2026"
//! name = "Spire youth programme trial 2026"
//! target_size = 1200
//! method = "stratified_blocks"      # complete | stratified_blocks | minimisation
//! ratio = [1, 1]                    # programme : control
//! factors = ["municipality", "age_band", "readiness"]
//! block_multiples = [1, 2, 3]       # stratified_blocks: sizes = multiple × ratio sum
//! # weights = [2, 1, 1]             # minimisation: one per factor
//! # imbalance = "range"             # minimisation: range | variance
//! # preferred_probability = [4, 5]  # minimisation: p = 4/5
//!
//! [eligibility]                     # the defaults, written out
//! min_age = 18
//! max_age = 29
//! benefits = ["kontanthjaelp", "uddannelseshjaelp"]
//! require_no_qualification = true
//! municipalities = []               # empty: every municipality takes part
//!
//! [custom_factors]                  # fields the caseworker fills in; name = levels
//! school = ["none", "started"]
//! ```

use serde::Deserialize;
use spire_store::{CustomFactor, NewTrial, TrialSettings};
use spire_trial::{Design, Imbalance, Method, Probability, Ratio};
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DesignFile {
    id: String,
    name: String,
    target_size: i64,
    method: String,
    #[serde(default = "equal_ratio")]
    ratio: [u32; 2],
    #[serde(default)]
    factors: Vec<String>,
    #[serde(default)]
    block_multiples: Option<Vec<u32>>,
    #[serde(default)]
    weights: Option<Vec<u32>>,
    #[serde(default)]
    imbalance: Option<String>,
    #[serde(default)]
    preferred_probability: Option<[u32; 2]>,
    #[serde(default)]
    eligibility: Option<Eligibility>,
    #[serde(default)]
    custom_factors: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Eligibility {
    min_age: Option<i32>,
    max_age: Option<i32>,
    benefits: Option<Vec<String>>,
    require_no_qualification: Option<bool>,
    municipalities: Option<Vec<i64>>,
}

/// The `toml` crate's message quotes the line under it; the command line
/// shows one line: where, and what.
fn one_line(message: &str) -> String {
    let mut lines = message.lines().map(str::trim).filter(|l| !l.is_empty());
    let place = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("TOML parse error at ");
    let reason = lines.next_back().unwrap_or_default();
    format!("{place}: {reason}")
}

fn equal_ratio() -> [u32; 2] {
    [1, 1]
}

/// Reads a design file into the trial to open; errors are one line.
pub fn parse(text: &str) -> Result<NewTrial, String> {
    let file: DesignFile = toml::from_str(text).map_err(|e| one_line(&e.to_string()))?;
    let ratio = Ratio {
        programme: file.ratio[0],
        control: file.ratio[1],
    };
    let method = match file.method.as_str() {
        "complete" => Method::Complete,
        "stratified_blocks" => Method::StratifiedBlocks {
            block_multiples: file.block_multiples.unwrap_or_else(|| vec![1, 2, 3]),
        },
        "minimisation" => Method::Minimisation {
            weights: file.weights.unwrap_or_else(|| vec![1; file.factors.len()]),
            imbalance: match file.imbalance.as_deref() {
                None => Imbalance::Range,
                Some(name) => Imbalance::from_name(name).ok_or_else(|| {
                    format!("imbalance {name:?}: expected \"range\" or \"variance\"")
                })?,
            },
            preferred_probability: file.preferred_probability.map_or(
                Probability::DEFAULT_PREFERRED,
                |[numerator, denominator]| Probability {
                    numerator,
                    denominator,
                },
            ),
        },
        other => {
            return Err(format!(
                "method {other:?}: expected complete, stratified_blocks or minimisation"
            ));
        }
    };
    let design = Design {
        trial_id: file.id,
        version: 1,
        ratio,
        factors: file.factors,
        method,
    };
    design.validate().map_err(|e| e.to_string())?;
    let defaults = TrialSettings::default();
    let eligibility = file.eligibility.unwrap_or(Eligibility {
        min_age: None,
        max_age: None,
        benefits: None,
        require_no_qualification: None,
        municipalities: None,
    });
    let settings = TrialSettings {
        min_age: eligibility.min_age.unwrap_or(defaults.min_age),
        max_age: eligibility.max_age.unwrap_or(defaults.max_age),
        benefits: eligibility.benefits.unwrap_or(defaults.benefits),
        require_no_qualification: eligibility
            .require_no_qualification
            .unwrap_or(defaults.require_no_qualification),
        municipalities: eligibility.municipalities.unwrap_or_default(),
        custom_factors: file
            .custom_factors
            .into_iter()
            .map(|(name, levels)| CustomFactor { name, levels })
            .collect(),
    };
    settings.validate(&design)?;
    Ok(NewTrial {
        name: file.name,
        target_size: file.target_size,
        design,
        settings,
    })
}

/// The TOML subset described in the module documentation, as a JSON value.
#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
id = "spire-2026"   # the trial id
name = "Spire # trial"
target_size = 1_200
method = "stratified_blocks"
ratio = [2, 1]
factors = [
  "municipality", # where
  "age_band",
  "school",
]

[eligibility]
max_age = 27
municipalities = [101, 265]

[custom_factors]
school = ["none", "started"]
"#;

    #[test]
    fn the_example_reads_into_a_valid_trial() {
        let trial = parse(EXAMPLE).unwrap();
        assert_eq!(trial.name, "Spire # trial");
        assert_eq!(trial.target_size, 1200);
        assert_eq!(trial.design.trial_id, "spire-2026");
        assert_eq!(
            trial.design.ratio,
            Ratio {
                programme: 2,
                control: 1
            }
        );
        assert_eq!(trial.design.factors, ["municipality", "age_band", "school"]);
        assert_eq!(
            trial.design.method,
            Method::StratifiedBlocks {
                block_multiples: vec![1, 2, 3]
            }
        );
        assert_eq!(trial.settings.max_age, 27);
        assert_eq!(trial.settings.min_age, 18);
        assert_eq!(trial.settings.municipalities, [101, 265]);
        assert_eq!(trial.settings.custom_factors[0].levels, ["none", "started"]);
    }

    /// A bracket inside a string is text, not a section (the hand-written
    /// reader this replaced swallowed the lines after it).
    #[test]
    fn a_bracket_in_a_name_is_text() {
        let trial = parse(
            "id = \"pilot\"\nname = \"Pilot [2026\"\ntarget_size = 50\nmethod = \"complete\"\nratio = [1, 1]",
        )
        .unwrap();
        assert_eq!(trial.name, "Pilot [2026");
        assert_eq!(trial.target_size, 50);
    }

    #[test]
    fn mistakes_are_named_with_their_line() {
        let cases = [
            ("id = spire", "line 1, column 6"),
            ("id = \"x\"\nid = \"y\"", "line 2, column 1: duplicate key"),
            ("[[custom_factor]]", "unknown field `custom_factor`"),
            ("ratio = [1, 2", "line 1"),
            (
                "id = \"x\"\nname = \"n\"\ntarget_size = 5\nmethod = \"coin\"",
                "method \"coin\"",
            ),
            (
                "id = \"x\"\nname = \"n\"\ntarget_size = 5\nmethod = \"complete\"\ncolour = 1",
                "unknown field `colour`",
            ),
            (
                "id = \"x\"\nname = \"n\"\ntarget_size = 5\nmethod = \"complete\"\nfactors = [\"shoe_size\"]",
                "neither built in",
            ),
        ];
        for (text, expected) in cases {
            let error = match parse(text) {
                Err(error) => error,
                Ok(_) => panic!("{text:?} was accepted"),
            };
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }
}
