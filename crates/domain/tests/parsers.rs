//! Every parser that reads what people and programs send Spire, fed
//! arbitrary Unicode and text shaped like its input: it answers (a value or
//! a field error naming the field), never panics, and what it accepts holds
//! its promise. Bounded by proptest's case count (256 each by default).

use proptest::prelude::*;
use spire_domain::event::{CallOutcome, parse_deck};
use spire_domain::fidelity::{Bands, parse_scale};
use spire_domain::internship::{parse_date, parse_hours};
use spire_domain::network::{parse_minutes, parse_time};
use spire_domain::onboarding::parse_template;
use spire_domain::{Cpr, Cvr, Role, contains_cpr, redact_cpr};

/// Text built from what these inputs are made of: digits, separators,
/// Danish letters, line breaks and the odd control character.
fn shaped() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[0-9 .,;:|/\\-–_+a-zæøåA-ZÆØÅ\"\n\t\u{0}\u{a0}]{0,80}")
        .expect("a valid pattern")
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), shaped()]
}

proptest! {
    #[test]
    fn cpr_and_cvr_numbers(text in any_text()) {
        match Cpr::parse("cpr", &text) {
            Ok(cpr) => {
                prop_assert_eq!(cpr.expose_digits().len(), 10);
                prop_assert!(contains_cpr(&text), "an accepted CPR number is one the filter sees");
            }
            Err(e) => prop_assert_eq!(e.field, "cpr"),
        }
        if let Err(e) = Cvr::parse("cvr", &text) {
            prop_assert_eq!(e.field, "cvr");
        }
        // Redaction leaves no CPR number behind, whatever the text.
        prop_assert!(!contains_cpr(&redact_cpr(&text)));
    }

    #[test]
    fn times_dates_hours_and_minutes(text in any_text()) {
        if let Err(e) = parse_time("starts_at", &text) {
            prop_assert_eq!(e.field, "starts_at");
        }
        if let Ok(minutes) = parse_minutes("minutes", &text, 90) {
            prop_assert!(minutes > 0);
        }
        if let Err(e) = parse_date("start_date", &text) {
            prop_assert_eq!(e.field, "start_date");
        }
        if let Ok(hours) = parse_hours("hours", &text) {
            prop_assert!(hours.is_finite() && hours >= 0.0);
        }
    }

    #[test]
    fn files_and_lists_typed_by_the_office(text in any_text(), lines in prop::collection::vec(any_text(), 0..8)) {
        let joined = lines.join("\n");
        for source in [&text, &joined] {
            let _ = parse_template(source);
            if let Ok(cards) = parse_deck(source) {
                prop_assert!(cards.iter().all(|card| !card.trim().is_empty()));
            }
            let _ = parse_scale(source, &|_| true);
            let _ = Bands::parse(source);
            let _ = CallOutcome::parse(source);
            let _ = spire_domain::dashboard::HalfYear::parse(source);
            let _ = source.parse::<Role>();
        }
    }
}
