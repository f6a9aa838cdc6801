//! The programme's fidelity scale as data: items under the three principles
//! and the team model, each either computed from a measure with four score
//! bands, or scored 1–5 by two reviewers from a guide. A scale is a
//! `;`-separated text with a header line, so the programme office can
//! publish a new version without a code change; every review keeps the
//! version it used.

use crate::validation::{FieldError, Problem};

/// The first published scale (the programme office publishes later ones).
pub const SCALE_V1: &str = include_str!("../data/fidelity-scale-v1.csv");
/// The header every scale text starts with.
pub const HEADER: &str = "code;principle;title_da;title_en;measure;bands;guide_da;guide_en";
pub const MIN_ITEMS: usize = 5;
pub const MAX_ITEMS: usize = 40;
pub const TEXT_MAX: usize = 600;
/// A reviewer's evidence for one item, and a reconciliation's reason.
pub const EVIDENCE_MAX: usize = 2000;
pub const SCALE_SOURCE_MAX: usize = 40_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Principle {
    WorkIdentity,
    ManyToMany,
    PowerShift,
    TeamModel,
}

impl Principle {
    pub const ALL: [Principle; 4] = [
        Principle::WorkIdentity,
        Principle::ManyToMany,
        Principle::PowerShift,
        Principle::TeamModel,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Principle::WorkIdentity => "work_identity",
            Principle::ManyToMany => "many_to_many",
            Principle::PowerShift => "power_shift",
            Principle::TeamModel => "team_model",
        }
    }

    pub fn from_code(code: &str) -> Option<Principle> {
        Principle::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// A closed interval; an open end is written by leaving it out (`0.9..`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl Interval {
    /// Whether every value of `inner` is in this interval too.
    fn holds(self, inner: Interval) -> bool {
        let low_ok = match (self.low, inner.low) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(outer), Some(inner)) => outer <= inner,
        };
        let high_ok = match (self.high, inner.high) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(outer), Some(inner)) => outer >= inner,
        };
        low_ok && high_ok
    }

    fn contains(self, value: f64) -> bool {
        self.low.is_none_or(|low| value >= low) && self.high.is_none_or(|high| value <= high)
    }

    fn parse(text: &str) -> Option<Interval> {
        let (low, high) = text.trim().split_once("..")?;
        let bound = |s: &str| -> Option<Option<f64>> {
            let s = s.trim();
            if s.is_empty() {
                return Some(None);
            }
            s.replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
        };
        let interval = Interval {
            low: bound(low)?,
            high: bound(high)?,
        };
        match interval {
            Interval {
                low: None,
                high: None,
            } => None,
            Interval {
                low: Some(l),
                high: Some(h),
            } if l > h => None,
            _ => Some(interval),
        }
    }

    fn text(self) -> String {
        let end = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        format!("{}..{}", end(self.low), end(self.high))
    }
}

/// Where a measured value scores 5, 4, 3 and 2: the first interval holding
/// the value gives the score; a value in none scores 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bands(pub [Interval; 4]);

impl Bands {
    /// Four intervals, each holding the one before (a value that scores 5
    /// would score at least 4 under the next band, and so on), so a better
    /// value never scores lower.
    pub fn parse(text: &str) -> Option<Bands> {
        let parts: Vec<Interval> = text
            .split('|')
            .map(Interval::parse)
            .collect::<Option<_>>()?;
        let bands = Bands(parts.try_into().ok()?);
        bands
            .0
            .windows(2)
            .all(|pair| pair[1].holds(pair[0]))
            .then_some(bands)
    }

    pub fn score(&self, value: f64) -> i64 {
        self.0
            .iter()
            .position(|interval| interval.contains(value))
            .map_or(1, |i| 5 - i as i64)
    }

    pub fn text(&self) -> String {
        self.0.map(Interval::text).join("|")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScaleItem {
    pub code: String,
    pub principle: Principle,
    pub title_da: String,
    pub title_en: String,
    /// The measure a computed item is scored from; `None` for an item the
    /// reviewers score.
    pub measure: Option<String>,
    pub bands: Option<Bands>,
    /// For a computed item how it is counted; for a reviewed item what a
    /// 5, a 3 and a 1 look like.
    pub guide_da: String,
    pub guide_en: String,
}

impl ScaleItem {
    pub fn is_computed(&self) -> bool {
        self.measure.is_some()
    }
}

/// Reads a scale, refusing it whole at the first bad line (the message says
/// which line and why). `known_measure` says which measures Spire computes.
pub fn parse_scale(
    text: &str,
    known_measure: &dyn Fn(&str) -> bool,
) -> Result<Vec<ScaleItem>, FieldError> {
    if text.chars().count() > SCALE_SOURCE_MAX {
        return Err(
            FieldError::new("source", Problem::TooLong).with("max", SCALE_SOURCE_MAX as i64)
        );
    }
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, header)) if header.trim() == HEADER => {}
        _ => return Err(FieldError::new("source", Problem::ScaleHeader).with("line", 1)),
    }
    let mut items: Vec<ScaleItem> = Vec::new();
    for (n, line) in lines {
        let line_no = (n + 1) as i64;
        let bad = |problem: Problem| FieldError::new("source", problem).with("line", line_no);
        let fields: Vec<&str> = line.split(';').map(str::trim).collect();
        let [
            code,
            principle,
            title_da,
            title_en,
            measure,
            bands,
            guide_da,
            guide_en,
        ] = fields[..]
        else {
            return Err(bad(Problem::ScaleColumns).with("columns", 8));
        };
        if code.is_empty()
            || code.len() > 8
            || !code.chars().all(|c| c.is_ascii_alphanumeric())
            || items.iter().any(|i| i.code == code)
        {
            return Err(bad(Problem::ScaleCode));
        }
        let principle =
            Principle::from_code(principle).ok_or_else(|| bad(Problem::ScalePrinciple))?;
        if [title_da, title_en, guide_da, guide_en]
            .iter()
            .any(|t| t.is_empty())
        {
            return Err(bad(Problem::ScaleText));
        }
        if [title_da, title_en, guide_da, guide_en]
            .iter()
            .any(|t| t.chars().count() > TEXT_MAX)
        {
            return Err(bad(Problem::ScaleTooLong).with("max", TEXT_MAX as i64));
        }
        let (measure, bands) = match (measure.is_empty(), bands.is_empty()) {
            (true, true) => (None, None),
            (false, false) => {
                if !known_measure(measure) {
                    return Err(bad(Problem::ScaleMeasure));
                }
                let bands = Bands::parse(bands).ok_or_else(|| bad(Problem::ScaleBands))?;
                (Some(measure.to_string()), Some(bands))
            }
            _ => return Err(bad(Problem::ScaleBands)),
        };
        items.push(ScaleItem {
            code: code.to_string(),
            principle,
            title_da: title_da.to_string(),
            title_en: title_en.to_string(),
            measure,
            bands,
            guide_da: guide_da.to_string(),
            guide_en: guide_en.to_string(),
        });
    }
    if !(MIN_ITEMS..=MAX_ITEMS).contains(&items.len()) {
        return Err(FieldError::new("source", Problem::ScaleItemCount)
            .with("min", MIN_ITEMS as i64)
            .with("max", MAX_ITEMS as i64)
            .with("count", items.len() as i64));
    }
    Ok(items)
}

/// What a total says, on the IPS scale's cut points turned into a mean item
/// score (IPS-25: 115+ of 125 exemplary, 100 good, 74 fair).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    Exemplary,
    Good,
    Fair,
    NotYet,
}

impl Rating {
    pub fn of_mean(mean: f64) -> Rating {
        if mean >= 4.6 {
            Rating::Exemplary
        } else if mean >= 4.0 {
            Rating::Good
        } else if mean >= 2.96 {
            Rating::Fair
        } else {
            Rating::NotYet
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Rating::Exemplary => "exemplary",
            Rating::Good => "good",
            Rating::Fair => "fair",
            Rating::NotYet => "not_yet",
        }
    }
}

/// The mean of the scored items (items without a score are left out).
pub fn mean_score(scores: &[Option<i64>]) -> Option<f64> {
    let scored: Vec<i64> = scores.iter().flatten().copied().collect();
    (!scored.is_empty()).then(|| scored.iter().sum::<i64>() as f64 / scored.len() as f64)
}

/// The half-years between reviews: every half-year until the rating is good,
/// then every year (as IPS reviews).
pub fn half_years_to_next_review(last: Option<Rating>) -> i32 {
    match last {
        Some(Rating::Exemplary | Rating::Good) => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any_measure(_: &str) -> bool {
        true
    }

    #[test]
    fn the_first_scale_has_15_to_25_items_under_every_principle_and_the_team_model() {
        let items = parse_scale(SCALE_V1, &any_measure).unwrap();
        assert!((15..=25).contains(&items.len()), "{}", items.len());
        for principle in Principle::ALL {
            let of = items.iter().filter(|i| i.principle == principle);
            assert!(of.clone().any(|i| i.is_computed()), "{principle:?}");
            assert!(of.clone().any(|i| !i.is_computed()), "{principle:?}");
        }
    }

    #[test]
    fn bands_score_the_first_interval_that_holds_the_value() {
        let higher = Bands::parse("0.9..|0.8..|0.7..|0.6..").unwrap();
        let table = [
            (1.0, 5),
            (0.9, 5),
            (0.89, 4),
            (0.8, 4),
            (0.75, 3),
            (0.6, 2),
            (0.59, 1),
            (0.0, 1),
        ];
        for (value, score) in table {
            assert_eq!(higher.score(value), score, "{value}");
        }
        let lower = Bands::parse("..30|..45|..60|..90").unwrap();
        for (value, score) in [
            (0.0, 5),
            (30.0, 5),
            (31.0, 4),
            (60.0, 3),
            (90.0, 2),
            (91.0, 1),
        ] {
            assert_eq!(lower.score(value), score, "{value}");
        }
        let range = Bands::parse("3..5|2..6|2..7|1..8").unwrap();
        for (value, score) in [
            (4.0, 5),
            (2.0, 4),
            (6.0, 4),
            (7.0, 3),
            (8.0, 2),
            (0.0, 1),
            (9.0, 1),
        ] {
            assert_eq!(range.score(value), score, "{value}");
        }
        assert_eq!(Bands::parse(&range.text()), Some(range));
        assert_eq!(
            Bands::parse("0,5..1|0,4..|..|1.."),
            None,
            "an interval open at both ends"
        );
        assert_eq!(Bands::parse("2..1|1..|1..|1.."), None, "low above high");
        assert_eq!(Bands::parse("1..|1..|1.."), None, "three intervals");
        assert!(
            Bands::parse("0,5..1|0,4..|0.2..|0..").is_some(),
            "a decimal comma"
        );
        assert_eq!(
            Bands::parse("0.3..|0.5..|0.4..|0.6.."),
            None,
            "a 4 stricter than the 5: a better value would score lower"
        );
        assert_eq!(Bands::parse("3..5|4..6|2..7|1..8"), None, "not nested");
    }

    #[test]
    fn a_bad_line_is_refused_with_its_number_and_reason() {
        let known = |m: &str| m == "events_held";
        let good = "A1;power_shift;T;T;events_held;4..|3..|2..|1..;G;G";
        let reviewed = |n: usize| format!("R{n};team_model;T;T;;;G;G");
        let scale = |line: &str| {
            let mut text = format!("{HEADER}\n{line}");
            for n in 0..5 {
                text.push('\n');
                text.push_str(&reviewed(n));
            }
            text
        };
        assert!(parse_scale(&scale(good), &known).is_ok());
        let cases = [
            (
                "A1;power_shift;T;T;unknown;4..|3..|2..|1..;G;G",
                Problem::ScaleMeasure,
            ),
            ("A1;power_shift;T;T;events_held;;G;G", Problem::ScaleBands),
            (
                "A1;power_shift;T;T;;4..|3..|2..|1..;G;G",
                Problem::ScaleBands,
            ),
            (
                "A1;power_shift;T;T;events_held;4..|x..|2..|1..;G;G",
                Problem::ScaleBands,
            ),
            ("A1;fairness;T;T;;;G;G", Problem::ScalePrinciple),
            ("A1;power_shift;;T;;;G;G", Problem::ScaleText),
            ("A1;power_shift;T;T;;;G", Problem::ScaleColumns),
            ("A-1;power_shift;T;T;;;G;G", Problem::ScaleCode),
            ("R0;power_shift;T;T;;;G;G", Problem::ScaleCode),
        ];
        for (line, problem) in cases {
            let error = parse_scale(&scale(line), &known).unwrap_err();
            assert_eq!((error.field, error.problem), ("source", problem), "{line}");
            // A duplicate code is refused where it comes the second time.
            let line_no = if line.starts_with("R0") { 3 } else { 2 };
            assert!(
                error.args.contains(&("line", line_no)),
                "{line}: {:?}",
                error.args
            );
        }
        let error = parse_scale("code;title\nA1", &known).unwrap_err();
        assert_eq!(error.problem, Problem::ScaleHeader);
        let error = parse_scale(&format!("{HEADER}\n{good}"), &known).unwrap_err();
        assert_eq!(error.problem, Problem::ScaleItemCount, "too few items");
        assert!(error.args.contains(&("count", 1)));
    }

    #[test]
    fn the_rating_follows_the_ips_cut_points_as_a_mean() {
        // IPS-25: 115 of 125 is exemplary, 100 good, 74 fair.
        assert_eq!(Rating::of_mean(115.0 / 25.0), Rating::Exemplary);
        assert_eq!(Rating::of_mean(114.0 / 25.0), Rating::Good);
        assert_eq!(Rating::of_mean(100.0 / 25.0), Rating::Good);
        assert_eq!(Rating::of_mean(99.0 / 25.0), Rating::Fair);
        assert_eq!(Rating::of_mean(74.0 / 25.0), Rating::Fair);
        assert_eq!(Rating::of_mean(73.0 / 25.0), Rating::NotYet);
        assert_eq!(mean_score(&[Some(5), None, Some(3)]), Some(4.0));
        assert_eq!(mean_score(&[None]), None);
        assert_eq!(half_years_to_next_review(Some(Rating::Good)), 2);
        assert_eq!(half_years_to_next_review(Some(Rating::Fair)), 1);
        assert_eq!(half_years_to_next_review(None), 1);
    }
}
