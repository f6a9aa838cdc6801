//! A new municipality's first year: the official list of the 98 Danish
//! municipalities (codes are chosen, never typed), the one-year plan's
//! quarters and statuses, and the template as text (one milestone a line).

use crate::validation::{FieldError, Problem};
use std::sync::LazyLock;
use time::{Date, Duration};

/// One municipality of the official list: its code (Danmarks Statistik's
/// kommunekode), name and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialMunicipality {
    pub code: i64,
    pub name: &'static str,
    pub region: &'static str,
}

static OFFICIAL: LazyLock<Vec<OfficialMunicipality>> = LazyLock::new(|| {
    include_str!("../data/municipalities.csv")
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.split(';');
            let (Some(code), Some(name), Some(region)) =
                (fields.next(), fields.next(), fields.next())
            else {
                panic!("data/municipalities.csv: a line without code;name;region: {line:?}");
            };
            OfficialMunicipality {
                code: code
                    .parse()
                    .expect("data/municipalities.csv: a numeric code"),
                name,
                region: region.trim_end(),
            }
        })
        .collect()
});

/// The 98 municipalities, in the order of their codes.
pub fn official_municipalities() -> &'static [OfficialMunicipality] {
    &OFFICIAL
}

pub fn official_municipality(code: i64) -> Option<&'static OfficialMunicipality> {
    OFFICIAL.iter().find(|m| m.code == code)
}

/// A milestone's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Todo,
    Doing,
    Done,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Todo, Status::Doing, Status::Done];

    pub fn code(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::Doing => "doing",
            Status::Done => "done",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The last day of a plan's quarter (1–4), counted from its start: a
/// milestone not done by then is late.
pub fn quarter_end(start: Date, quarter: i64) -> Date {
    start + Duration::days(91 * quarter.clamp(1, 4) - 1)
}

/// One line of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub quarter: i64,
    pub title: String,
    pub owner: String,
}

pub const TITLE_MAX: usize = 200;
/// Notes on a milestone, at most this many characters.
pub const NOTES_MAX: usize = 2000;
pub const TEMPLATE_MAX_LINES: usize = 60;

/// The template as the page edits it: `K1 | Titel | Ejer` a line (the
/// quarter as K1–K4 or Q1–Q4 or 1–4; the owner may be left out).
pub fn template_text(milestones: &[Milestone]) -> String {
    milestones
        .iter()
        .map(|m| format!("K{} | {} | {}", m.quarter, m.title, m.owner))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the template back, refusing it whole at the first bad line (the
/// message says which line and why).
pub fn parse_template(text: &str) -> Result<Vec<Milestone>, FieldError> {
    let mut milestones = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let line_no = (n + 1) as i64;
        let bad = |problem: Problem| FieldError::new("template", problem).with("line", line_no);
        let mut parts = line.split('|').map(str::trim);
        let quarter = parts
            .next()
            .map(|q| q.trim_start_matches(['K', 'k', 'Q', 'q']))
            .and_then(|q| q.parse::<i64>().ok())
            .filter(|q| (1..=4).contains(q))
            .ok_or_else(|| bad(Problem::TemplateQuarter))?;
        let title = parts.next().unwrap_or("").to_string();
        if title.is_empty() {
            return Err(bad(Problem::TemplateTitle));
        }
        let owner = parts.next().unwrap_or("").to_string();
        if title.chars().count() > TITLE_MAX || owner.chars().count() > TITLE_MAX {
            return Err(bad(Problem::TemplateTooLong).with("max", TITLE_MAX as i64));
        }
        milestones.push(Milestone {
            quarter,
            title,
            owner,
        });
    }
    if milestones.is_empty() {
        return Err(FieldError::new("template", Problem::Required));
    }
    if milestones.len() > TEMPLATE_MAX_LINES {
        return Err(FieldError::new("template", Problem::TooLong));
    }
    Ok(milestones)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_official_list_has_the_98_municipalities_once_each() {
        let all = official_municipalities();
        assert_eq!(all.len(), 98);
        let mut codes: Vec<i64> = all.iter().map(|m| m.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), 98, "unique and in order");
        assert_eq!(official_municipality(101).unwrap().name, "København");
        assert_eq!(official_municipality(265).unwrap().name, "Roskilde");
        assert_eq!(
            official_municipality(851).unwrap().region,
            "Region Nordjylland"
        );
        assert_eq!(
            official_municipality(411),
            None,
            "Christiansø is not a municipality"
        );
        assert_eq!(
            all.iter()
                .map(|m| m.region)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            5
        );
    }

    #[test]
    fn quarters_count_from_the_start() {
        let start = date!(2026 - 01 - 01);
        assert_eq!(quarter_end(start, 1), date!(2026 - 04 - 01));
        assert_eq!(quarter_end(start, 4), date!(2026 - 12 - 30));
    }

    #[test]
    fn the_template_round_trips_and_bad_lines_are_named() {
        let text =
            "K1 | Samarbejdsaftale | Kommunen\nQ3|Første event\n\n4 | Seminar | Programkontoret";
        let parsed = parse_template(text).unwrap();
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[1].quarter, 3);
        assert_eq!(parsed[1].owner, "");
        assert_eq!(parse_template(&template_text(&parsed)).unwrap(), parsed);
        let e = parse_template("K1 | A\nK5 | B").unwrap_err();
        assert_eq!((e.field, e.problem), ("template", Problem::TemplateQuarter));
        assert_eq!(e.args, vec![("line", 2)]);
        assert_eq!(
            parse_template("K2 |  | x").unwrap_err().problem,
            Problem::TemplateTitle
        );
        assert_eq!(
            parse_template(" \n").unwrap_err().problem,
            Problem::Required
        );
        let long = format!("K1 | {}", "x".repeat(201));
        assert_eq!(
            parse_template(&long).unwrap_err().problem,
            Problem::TemplateTooLong
        );
    }
}
