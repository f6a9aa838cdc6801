//! Plain-language explanations: what each youth got, and why not something they ranked higher.

use std::fmt::{self, Write as _};

use crate::instance::{Company, Instance, UNRANKED, Youth};
use crate::matching::Matching;
use crate::stability::Instability;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Danish,
    English,
}

/// What the youth got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `choice` counts from 1 along the youth's own list.
    Matched {
        choice: u32,
        company: Company,
    },
    Unmatched,
    /// The youth's list was empty.
    RankedNoCompanies,
}

/// Why the youth did not get a company they ranked above their outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The company did not list the youth.
    DidNotWelcome,
    /// The company offered no places.
    NoPlaces,
    /// All `places` went to youth the company ranked higher.
    FilledByHigherRanked { places: u32 },
    /// The company had room for this youth: a blocking pair. Never happens in a stable matching,
    /// but a manual override can cause it, and the youth deserves to be told.
    WouldHaveWelcomed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BetterChoice {
    /// Counts from 1 along the youth's list.
    pub choice: u32,
    pub company: Company,
    pub reason: Reason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub youth: Youth,
    pub outcome: Outcome,
    /// Every company the youth ranked above their outcome, in the youth's order.
    pub better_choices: Vec<BetterChoice>,
}

/// Explains one youth's result. Costs as much as [`explain_all`]; use that for everyone.
pub fn explain(
    instance: &Instance,
    matching: &Matching,
    youth: Youth,
) -> Result<Explanation, Instability> {
    let standings = Standings::new(instance, matching)?;
    Ok(explain_with(instance, &standings, matching, youth))
}

/// Explains every youth's result, in youth order. Fails only on an invalid matching (a pair that
/// did not list each other, or too many youth for a company's places).
pub fn explain_all(
    instance: &Instance,
    matching: &Matching,
) -> Result<Vec<Explanation>, Instability> {
    let standings = Standings::new(instance, matching)?;
    Ok(instance
        .youth()
        .map(|youth| explain_with(instance, &standings, matching, youth))
        .collect())
}

fn explain_with(
    instance: &Instance,
    standings: &Standings,
    matching: &Matching,
    youth: Youth,
) -> Explanation {
    let outcome = match (
        matching.company_of(youth),
        standings.matched_choice[youth.index()],
    ) {
        (Some(company), choice) => Outcome::Matched {
            choice: choice + 1,
            company,
        },
        (None, _) if instance.youth_prefs.list(youth.index()).is_empty() => {
            Outcome::RankedNoCompanies
        }
        (None, _) => Outcome::Unmatched,
    };
    let better_choices = better_choices(instance, standings, youth).collect();
    Explanation {
        youth,
        outcome,
        better_choices,
    }
}

/// What each company ended up with, computed once per matching; shared by the stability checker
/// and the explanations so both apply the same rule.
pub(crate) struct Standings {
    matched_count: Vec<u32>,
    /// The company's rank of the lowest-ranked youth it got; meaningless when it got nobody.
    worst_matched_rank: Vec<u32>,
    /// Position of the matched company in the youth's list (unmatched: the list's length).
    matched_choice: Vec<u32>,
}

impl Standings {
    pub(crate) fn new(instance: &Instance, matching: &Matching) -> Result<Standings, Instability> {
        let mut matched_count = vec![0u32; instance.company_count()];
        let mut worst_matched_rank = vec![0u32; instance.company_count()];
        let mut matched_choice = vec![0u32; instance.youth_count()];
        for youth in instance.youth() {
            let list = instance.youth_prefs.list(youth.index());
            let Some(company) = matching.company_of(youth) else {
                matched_choice[youth.index()] = list.len() as u32;
                continue;
            };
            let unacceptable = Instability::Unacceptable { youth, company };
            let position = list
                .iter()
                .position(|&c| c == company.0)
                .ok_or(unacceptable)?;
            let rank = instance.company_rank_at_youth_choice(
                youth.0,
                instance.youth_prefs.range(youth.index()).start + position,
            );
            if rank == UNRANKED {
                return Err(unacceptable);
            }
            matched_choice[youth.index()] = position as u32;
            matched_count[company.index()] += 1;
            let worst = &mut worst_matched_rank[company.index()];
            *worst = (*worst).max(rank);
        }
        for company in instance.companies() {
            let (matched, capacity) = (matched_count[company.index()], instance.capacity(company));
            if matched > capacity {
                return Err(Instability::OverCapacity {
                    company,
                    capacity,
                    matched,
                });
            }
        }
        Ok(Standings {
            matched_count,
            worst_matched_rank,
            matched_choice,
        })
    }
}

/// The companies `youth` ranked above their match, each with the reason it did not take them.
pub(crate) fn better_choices<'a>(
    instance: &'a Instance,
    standings: &'a Standings,
    youth: Youth,
) -> impl Iterator<Item = BetterChoice> + 'a {
    let range = instance.youth_prefs.range(youth.index());
    let better = standings.matched_choice[youth.index()] as usize;
    (range.start..range.start + better)
        .enumerate()
        .map(move |(position, entry)| {
            let company = Company(instance.youth_prefs.entries()[entry]);
            let rank = instance.company_rank_at_youth_choice(youth.0, entry);
            let capacity = instance.capacity(company);
            let full = standings.matched_count[company.index()] >= capacity;
            let reason = if rank == UNRANKED {
                Reason::DidNotWelcome
            } else if capacity == 0 {
                Reason::NoPlaces
            } else if full && standings.worst_matched_rank[company.index()] < rank {
                Reason::FilledByHigherRanked { places: capacity }
            } else {
                Reason::WouldHaveWelcomed
            };
            BetterChoice {
                choice: position as u32 + 1,
                company,
                reason,
            }
        })
}

impl Explanation {
    /// One short paragraph for the youth, naming companies with `company_name`.
    pub fn render<'a>(
        &self,
        language: Language,
        company_name: impl Fn(Company) -> &'a str,
    ) -> String {
        let mut text = String::with_capacity(128);
        // Writing to a String cannot fail.
        let _ = self.write(&mut text, language, &company_name);
        text
    }

    fn write<'a>(
        &self,
        text: &mut String,
        language: Language,
        company_name: &impl Fn(Company) -> &'a str,
    ) -> fmt::Result {
        match (self.outcome, language) {
            (Outcome::Matched { choice, company }, Language::Danish) => {
                write!(
                    text,
                    "Du fik dit {} ({}).",
                    ChoiceLabel(language, choice),
                    company_name(company)
                )?;
            }
            (Outcome::Matched { choice, company }, Language::English) => {
                write!(
                    text,
                    "You got your {} ({}).",
                    ChoiceLabel(language, choice),
                    company_name(company)
                )?;
            }
            (Outcome::Unmatched, Language::Danish) => {
                text.push_str("Du blev ikke matchet denne gang.")
            }
            (Outcome::Unmatched, Language::English) => {
                text.push_str("You were not matched this time.")
            }
            (Outcome::RankedNoCompanies, Language::Danish) => {
                text.push_str("Du prioriterede ingen virksomheder, så du blev ikke matchet.");
            }
            (Outcome::RankedNoCompanies, Language::English) => {
                text.push_str("You did not rank any companies, so you were not matched.");
            }
        }
        // One sentence per kind of reason, in the order the youth first meets it down their list.
        let mut written = [false; 4];
        for first in &self.better_choices {
            let kind = ReasonKind::of(first.reason);
            if std::mem::replace(&mut written[kind as usize], true) {
                continue;
            }
            let group = self
                .better_choices
                .iter()
                .filter(move |c| ReasonKind::of(c.reason) == kind);
            text.push(' ');
            write_reason_sentence(text, language, kind, group, company_name)?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReasonKind {
    DidNotWelcome,
    NoPlaces,
    FilledByHigherRanked,
    WouldHaveWelcomed,
}

impl ReasonKind {
    fn of(reason: Reason) -> ReasonKind {
        match reason {
            Reason::DidNotWelcome => ReasonKind::DidNotWelcome,
            Reason::NoPlaces => ReasonKind::NoPlaces,
            Reason::FilledByHigherRanked { .. } => ReasonKind::FilledByHigherRanked,
            Reason::WouldHaveWelcomed => ReasonKind::WouldHaveWelcomed,
        }
    }
}

fn write_reason_sentence<'a, 'c>(
    text: &mut String,
    language: Language,
    kind: ReasonKind,
    group: impl Iterator<Item = &'c BetterChoice> + Clone,
    company_name: &impl Fn(Company) -> &'a str,
) -> fmt::Result {
    let count = group.clone().count();
    let single = count == 1;
    text.push_str(match language {
        Language::Danish => "Dit ",
        Language::English => "Your ",
    });
    // "1st choice (Acme), 2nd choice (Bolt) and 3rd choice (Core)"; with several companies
    // filled, each one's places go in its parenthesis.
    let show_places = kind == ReasonKind::FilledByHigherRanked && !single;
    for (i, choice) in group.clone().enumerate() {
        if i > 0 {
            text.push_str(match (i + 1 == count, language) {
                (false, _) => ", ",
                (true, Language::Danish) => " og ",
                (true, Language::English) => " and ",
            });
        }
        write!(
            text,
            "{} ({}",
            ChoiceLabel(language, choice.choice),
            company_name(choice.company)
        )?;
        if let (Reason::FilledByHigherRanked { places }, true) = (choice.reason, show_places) {
            write!(text, ", {}", PlacesLabel(language, places))?;
        }
        text.push(')');
    }
    let places = match group.clone().next().map(|c| c.reason) {
        Some(Reason::FilledByHigherRanked { places }) => places,
        _ => 0,
    };
    match (language, kind) {
        (Language::English, ReasonKind::FilledByHigherRanked) if single && places == 1 => {
            text.push_str(" filled its only place with young people it ranked higher than you.");
        }
        (Language::English, ReasonKind::FilledByHigherRanked) if single => {
            write!(
                text,
                " filled its {places} places with young people it ranked higher than you."
            )?;
        }
        (Language::English, ReasonKind::FilledByHigherRanked) => {
            text.push_str(
                " filled all their places with young people they ranked higher than you.",
            );
        }
        (Language::English, ReasonKind::DidNotWelcome) => {
            let pronoun = if single { "it" } else { "they" };
            write!(text, " did not say {pronoun} would welcome you.")?;
        }
        (Language::English, ReasonKind::NoPlaces) => text.push_str(" had no places this time."),
        (Language::English, ReasonKind::WouldHaveWelcomed) => {
            text.push_str(" would have welcomed you, but the match was set differently.");
        }
        (Language::Danish, ReasonKind::FilledByHigherRanked) if single && places == 1 => {
            text.push_str(" fyldte sin eneste plads med unge, som den havde sat højere end dig.");
        }
        (Language::Danish, ReasonKind::FilledByHigherRanked) if single => {
            write!(
                text,
                " fyldte sine {places} pladser med unge, som den havde sat højere end dig."
            )?;
        }
        (Language::Danish, ReasonKind::FilledByHigherRanked) => {
            text.push_str(" fyldte alle deres pladser med unge, som de havde sat højere end dig.");
        }
        (Language::Danish, ReasonKind::DidNotWelcome) => {
            let pronoun = if single { "den" } else { "de" };
            write!(text, " sagde ikke, at {pronoun} ville tage imod dig.")?;
        }
        (Language::Danish, ReasonKind::NoPlaces) => {
            text.push_str(" havde ingen pladser denne gang.")
        }
        (Language::Danish, ReasonKind::WouldHaveWelcomed) => {
            text.push_str(" ville have taget imod dig, men matchet blev lagt anderledes.");
        }
    }
    Ok(())
}

/// "2nd choice" / "2. valg".
struct ChoiceLabel(Language, u32);

impl fmt::Display for ChoiceLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ChoiceLabel(language, choice) = *self;
        match language {
            Language::Danish => write!(f, "{choice}. valg"),
            Language::English => {
                let suffix = match (choice % 10, choice % 100) {
                    (_, 11..=13) => "th",
                    (1, _) => "st",
                    (2, _) => "nd",
                    (3, _) => "rd",
                    _ => "th",
                };
                write!(f, "{choice}{suffix} choice")
            }
        }
    }
}

/// "1 place" / "2 pladser".
struct PlacesLabel(Language, u32);

impl fmt::Display for PlacesLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PlacesLabel(Language::Danish, 1) => f.write_str("1 plads"),
            PlacesLabel(Language::Danish, n) => write!(f, "{n} pladser"),
            PlacesLabel(Language::English, 1) => f.write_str("1 place"),
            PlacesLabel(Language::English, n) => write!(f, "{n} places"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::youth_proposing;

    const NAMES: [&str; 4] = ["Acme", "Bolt", "Core", "Dyn"];

    fn render_all(instance: &Instance, matching: &Matching, language: Language) -> Vec<String> {
        explain_all(instance, matching)
            .unwrap()
            .iter()
            .map(|e| e.render(language, |c| NAMES[c.index()]))
            .collect()
    }

    /// Acme (2 places) prefers youth 1 and 2 over youth 0; Bolt did not list youth 0; Core has
    /// no places; Dyn takes youth 0.
    fn scenario() -> (Instance, Matching) {
        let instance = Instance::new(
            &[vec![0, 1, 2, 3], vec![0], vec![0], vec![], vec![1]],
            &[vec![1, 2, 0], vec![4], vec![0], vec![0]],
            vec![2, 1, 0, 1],
        )
        .unwrap();
        let matching = youth_proposing(&instance);
        (instance, matching)
    }

    #[test]
    fn explains_in_english() {
        let (instance, matching) = scenario();
        let texts = render_all(&instance, &matching, Language::English);
        assert_eq!(
            texts[0],
            "You got your 4th choice (Dyn). Your 1st choice (Acme) filled its 2 places with young people it \
             ranked higher than you. Your 2nd choice (Bolt) did not say it would welcome you. Your 3rd choice \
             (Core) had no places this time."
        );
        assert_eq!(texts[1], "You got your 1st choice (Acme).");
        assert_eq!(
            texts[3],
            "You did not rank any companies, so you were not matched."
        );
    }

    #[test]
    fn explains_in_danish() {
        let (instance, matching) = scenario();
        let texts = render_all(&instance, &matching, Language::Danish);
        assert_eq!(
            texts[0],
            "Du fik dit 4. valg (Dyn). Dit 1. valg (Acme) fyldte sine 2 pladser med unge, som den havde sat \
             højere end dig. Dit 2. valg (Bolt) sagde ikke, at den ville tage imod dig. Dit 3. valg (Core) \
             havde ingen pladser denne gang."
        );
        assert_eq!(
            texts[3],
            "Du prioriterede ingen virksomheder, så du blev ikke matchet."
        );
    }

    #[test]
    fn groups_companies_with_the_same_reason() {
        // Youth 0 ranks Acme and Bolt, each full (1 and 2 places) with youth ranked higher.
        let instance = Instance::new(
            &[vec![0, 1], vec![0], vec![1], vec![1]],
            &[vec![1, 0], vec![2, 3, 0]],
            vec![1, 2],
        )
        .unwrap();
        let matching = youth_proposing(&instance);
        let explanation = explain(&instance, &matching, Youth(0)).unwrap();
        assert_eq!(explanation.outcome, Outcome::Unmatched);
        assert_eq!(
            explanation.render(Language::English, |c| NAMES[c.index()]),
            "You were not matched this time. Your 1st choice (Acme, 1 place) and 2nd choice (Bolt, 2 places) \
             filled all their places with young people they ranked higher than you."
        );
        assert_eq!(
            explanation.render(Language::Danish, |c| NAMES[c.index()]),
            "Du blev ikke matchet denne gang. Dit 1. valg (Acme, 1 plads) og 2. valg (Bolt, 2 pladser) fyldte \
             alle deres pladser med unge, som de havde sat højere end dig."
        );
    }

    #[test]
    fn tells_the_youth_when_an_override_passed_them_over() {
        let instance = Instance::new(&[vec![0, 1]], &[vec![0], vec![0]], vec![1, 1]).unwrap();
        let overridden = Matching::from_assignments(vec![Some(Company(1))]);
        let text = explain(&instance, &overridden, Youth(0))
            .unwrap()
            .render(Language::English, |c| NAMES[c.index()]);
        assert_eq!(
            text,
            "You got your 2nd choice (Bolt). Your 1st choice (Acme) would have welcomed you, but the match was \
             set differently."
        );
    }

    #[test]
    fn english_ordinals() {
        let labels: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 111]
            .map(|n| ChoiceLabel(Language::English, n).to_string())
            .into();
        assert_eq!(
            labels,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "111th"
            ]
            .map(|s| format!("{s} choice"))
        );
    }
}
