//! The trial design file (`spire trial create --design FILE.toml`).
//!
//! A small subset of TOML, read by hand to keep the dependency list short:
//! `key = value` lines, `[section]` headers, `#` comments, and values that are
//! "strings", integers, true/false or [arrays] of those (an array may span
//! lines). Anything else is refused with its line number. Example:
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
use serde_json::{Map, Value};
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

fn equal_ratio() -> [u32; 2] {
    [1, 1]
}

/// Reads a design file into the trial to open; errors are one line.
pub fn parse(text: &str) -> Result<NewTrial, String> {
    let value = parse_toml_subset(text)?;
    let file: DesignFile = serde_json::from_value(value).map_err(|e| e.to_string())?;
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
fn parse_toml_subset(text: &str) -> Result<Value, String> {
    let mut root = Map::new();
    let mut section: Option<String> = None;
    let mut lines = text.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        let at = |message: String| format!("line {}: {message}", number + 1);
        let mut line = strip_comment(line).trim().to_string();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim();
            if name.is_empty() || name.starts_with('[') || root.contains_key(name) {
                return Err(at(format!("unsupported or repeated section [{name}]")));
            }
            root.insert(name.to_string(), Value::Object(Map::new()));
            section = Some(name.to_string());
            continue;
        }
        // An array may go on over several lines until its brackets close.
        while line.matches('[').count() > line.matches(']').count() {
            let Some((_, more)) = lines.next() else {
                return Err(at("the array is not closed".into()));
            };
            line.push(' ');
            line.push_str(strip_comment(more).trim());
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(at(format!("expected key = value, found {line:?}")));
        };
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(at(format!("unsupported key {key:?}")));
        }
        let (value, rest) = parse_value(value.trim()).map_err(at)?;
        if !rest.trim().is_empty() {
            return Err(at(format!("unexpected {rest:?} after the value")));
        }
        let table = match &section {
            None => &mut root,
            Some(name) => root
                .get_mut(name)
                .and_then(Value::as_object_mut)
                .expect("sections are objects"),
        };
        if table.insert(key.to_string(), value).is_some() {
            return Err(at(format!("{key} is given twice")));
        }
    }
    Ok(Value::Object(root))
}

/// Drops a `#` comment that is not inside a string.
fn strip_comment(line: &str) -> &str {
    let mut in_string = false;
    let mut after_backslash = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' if !after_backslash => in_string = !in_string,
            '#' if !in_string => return &line[..i],
            _ => {}
        }
        after_backslash = c == '\\' && !after_backslash;
    }
    line
}

/// One value from the start of `text`, and the text after it.
fn parse_value(text: &str) -> Result<(Value, &str), String> {
    if let Some(rest) = text.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Ok((Value::String(value), &rest[i + 1..])),
                '\\' => match chars.next() {
                    Some((_, '"')) => value.push('"'),
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, 'n')) => value.push('\n'),
                    _ => return Err("unsupported escape in a string".into()),
                },
                c => value.push(c),
            }
        }
        return Err("the string is not closed".into());
    }
    if let Some(mut rest) = text.strip_prefix('[') {
        let mut items = Vec::new();
        loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix(']') {
                return Ok((Value::Array(items), after));
            }
            let (item, after) = parse_value(rest)?;
            items.push(item);
            rest = after.trim_start();
            if let Some(after) = rest.strip_prefix(',') {
                rest = after;
            } else if !rest.starts_with(']') {
                return Err("expected , or ] in the array".into());
            }
        }
    }
    let end = text
        .find(|c: char| c == ',' || c == ']' || c.is_whitespace())
        .unwrap_or(text.len());
    let (word, rest) = text.split_at(end);
    let value = match word {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        number => Value::from(
            number
                .replace('_', "")
                .parse::<i64>()
                .map_err(|_| format!("unsupported value {number:?}"))?,
        ),
    };
    Ok((value, rest))
}

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

    #[test]
    fn mistakes_are_named_with_their_line() {
        let cases = [
            ("id = spire", "line 1: unsupported value"),
            ("id = \"x\"\nid = \"y\"", "line 2: id is given twice"),
            (
                "[[custom_factor]]",
                "line 1: unsupported or repeated section",
            ),
            ("ratio = [1, 2", "line 1: the array is not closed"),
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
