//! The engine's account of a youth's result, in plain words through Fluent:
//! what they got, then one sentence per kind of reason they did not get a
//! company they ranked higher, in the order they meet it down their list.

use crate::i18n::{Arg, Tr};
use spire_matching::{BetterChoice, Explanation, Instability, Outcome, Reason};

/// The English ordinal category of `n` (CLDR): Fluent picks "1st", "2nd",
/// "3rd", "4th" by it; Danish writes "2." for every number.
fn ordinal(n: u32) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=13) => "other",
        (1, _) => "one",
        (2, _) => "two",
        (3, _) => "few",
        _ => "other",
    }
}

fn choice(tr: Tr, n: u32, company: &str) -> String {
    tr.t_args(
        "event-choice",
        &[
            ("n", Arg::Number(i64::from(n))),
            ("ordinal", Arg::Text(ordinal(n).into())),
            ("company", Arg::Text(company.into())),
        ],
    )
}

fn kind(reason: Reason) -> usize {
    match reason {
        Reason::DidNotWelcome => 0,
        Reason::NoPlaces => 1,
        Reason::FilledByHigherRanked { .. } => 2,
        Reason::WouldHaveWelcomed => 3,
    }
}

/// One paragraph for the youth; `names` are the companies by the engine's index.
pub fn explanation_text(tr: Tr, explanation: &Explanation, names: &[String]) -> String {
    let name = |c: spire_matching::Company| names.get(c.index()).map(String::as_str).unwrap_or("?");
    let mut text = match explanation.outcome {
        Outcome::Matched { choice: n, company } => tr.t_args(
            "event-why-matched",
            &[("choice", Arg::Text(choice(tr, n, name(company))))],
        ),
        Outcome::Unmatched => tr.t("event-why-unmatched"),
        Outcome::RankedNoCompanies => tr.t("event-why-ranked-none"),
    };
    let mut written = [false; 4];
    for first in &explanation.better_choices {
        let k = kind(first.reason);
        if std::mem::replace(&mut written[k], true) {
            continue;
        }
        let group: Vec<&BetterChoice> = explanation
            .better_choices
            .iter()
            .filter(|c| kind(c.reason) == k)
            .collect();
        let several = group.len() > 1;
        let labels: Vec<String> = group
            .iter()
            .map(|c| match (c.reason, several) {
                (Reason::FilledByHigherRanked { places }, true) => tr.t_args(
                    "event-choice-with-places",
                    &[
                        ("n", Arg::Number(i64::from(c.choice))),
                        ("ordinal", Arg::Text(ordinal(c.choice).into())),
                        ("company", Arg::Text(name(c.company).into())),
                        ("places", Arg::Number(i64::from(places))),
                    ],
                ),
                _ => choice(tr, c.choice, name(c.company)),
            })
            .collect();
        let list = match labels.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => tr.t_args(
                "event-list-and",
                &[
                    ("first", Arg::Text(rest.join(", "))),
                    ("last", Arg::Text(last.clone())),
                ],
            ),
            None => String::new(),
        };
        let places = match group[0].reason {
            Reason::FilledByHigherRanked { places } => i64::from(places),
            _ => 0,
        };
        let id = match (k, several) {
            (0, false) => "event-why-not-welcomed-one",
            (0, true) => "event-why-not-welcomed-several",
            (1, _) => "event-why-no-places",
            (2, false) => "event-why-filled-one",
            (2, true) => "event-why-filled-several",
            _ => "event-why-would-have-welcomed",
        };
        text.push(' ');
        text.push_str(&tr.t_args(
            id,
            &[
                ("choices", Arg::Text(list)),
                ("places", Arg::Number(places)),
            ],
        ));
    }
    text
}

/// Why a result changed by hand is no longer stable, with names.
pub fn instability_text(
    tr: Tr,
    instability: &Instability,
    youth_names: &[String],
    company_names: &[String],
) -> String {
    let youth = |y: spire_matching::Youth| {
        Arg::Text(youth_names.get(y.index()).cloned().unwrap_or_default())
    };
    let company = |c: spire_matching::Company| {
        Arg::Text(company_names.get(c.index()).cloned().unwrap_or_default())
    };
    match *instability {
        Instability::Unacceptable {
            youth: y,
            company: c,
        } => tr.t_args(
            "event-instability-unacceptable",
            &[("youth", youth(y)), ("company", company(c))],
        ),
        Instability::OverCapacity {
            company: c,
            capacity,
            matched,
        } => tr.t_args(
            "event-instability-over-capacity",
            &[
                ("company", company(c)),
                ("capacity", Arg::Number(i64::from(capacity))),
                ("matched", Arg::Number(i64::from(matched))),
            ],
        ),
        Instability::BlockingPair {
            youth: y,
            company: c,
        } => tr.t_args(
            "event-instability-blocking",
            &[("youth", youth(y)), ("company", company(c))],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use spire_matching::{Instance, Language, explain_all, youth_proposing};

    /// The Fluent texts say what the engine's own texts say, word for word,
    /// in both languages, over every kind of reason.
    #[test]
    fn the_fluent_explanations_read_as_the_engines_own() {
        let names: Vec<String> = ["Acme", "Bolt", "Core", "Dyn"].map(String::from).into();
        // Youth 0 ranks all four; Acme does not list them, Bolt has no
        // places, Core and Dyn are filled by youth they rank higher.
        let instance = Instance::new(
            &[
                vec![0, 1, 2, 3],
                vec![2],
                vec![3, 2],
                vec![],
                vec![2, 1, 3, 0],
                vec![0, 3, 2, 1],
            ],
            &[
                vec![1, 4, 5],
                vec![0, 4],
                vec![1, 2, 0, 4],
                vec![2, 0, 5, 4],
            ],
            vec![1, 0, 1, 2],
        )
        .unwrap();
        let matching = youth_proposing(&instance);
        let explanations = explain_all(&instance, &matching).unwrap();
        for (lang, language) in [(Lang::Da, Language::Danish), (Lang::En, Language::English)] {
            let tr = Tr::new(lang);
            for e in &explanations {
                let engine = e.render(language, |c| names[c.index()].as_str());
                assert_eq!(explanation_text(tr, e, &names), engine, "{lang:?}");
            }
        }
        assert!(
            explanations.iter().any(|e| e.better_choices.len() > 1),
            "the instance reaches a sentence with several companies"
        );
    }
}
