//! Events' rules on plain values: text limits, the sizes an event may have,
//! the window in which youth rank and companies mark, the outcomes of a
//! company's call, and the one-time log-in codes youth get from their
//! consultant (formatted for reading aloud, forgiving when typed).

use crate::{FieldError, Problem};
use time::Date;

pub const TITLE_MAX: usize = 120;
pub const PLACE_MAX: usize = 200;
pub const OVERRIDE_REASON_MAX: usize = 500;
pub const CALL_NOTE_MAX: usize = 1_000;
pub const ROUNDS_MAX: i64 = 12;
/// Representatives (tables) one company may send.
pub const TABLES_MAX: i64 = 5;
/// Internship places one company may offer from one event.
pub const PLACES_MAX: i64 = 20;
/// How long a log-in code lives, in seconds (a week: given at one meeting,
/// used before the next).
pub const LOGIN_CODE_LIFETIME_SECS: i64 = 7 * 24 * 3600;
/// Failed code attempts from one client within the window before it waits.
pub const LOGIN_CODE_FAILURES_ALLOWED: i64 = 10;
pub const LOGIN_CODE_FAILURE_WINDOW_SECS: i64 = 15 * 60;

/// A municipality's deck of conversation cards: at most this many, each at
/// most `CARD_MAX` characters.
pub const DECK_MAX_CARDS: usize = 60;
pub const CARD_MAX: usize = 200;

/// The cards typed one a line; blank lines are left out. Empty: the default deck.
pub fn parse_deck(text: &str) -> Result<Vec<String>, FieldError> {
    let cards: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(String::from)
        .collect();
    if cards.len() > DECK_MAX_CARDS {
        return Err(
            FieldError::new("cards", Problem::TooManyCards).with("max", DECK_MAX_CARDS as i64)
        );
    }
    if cards.iter().any(|c| c.chars().count() > CARD_MAX) {
        return Err(FieldError::new("cards", Problem::TooLong).with("max", CARD_MAX as i64));
    }
    Ok(cards)
}

/// The event's size: rounds, and how many companies each youth should meet.
pub fn check_size(rounds: i64, meetings_per_youth: i64) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if !(1..=ROUNDS_MAX).contains(&rounds) {
        problems.push(FieldError::out_of_range("rounds", 1, ROUNDS_MAX));
    }
    if !(1..=ROUNDS_MAX).contains(&meetings_per_youth) {
        problems.push(FieldError::out_of_range(
            "meetings_per_youth",
            1,
            ROUNDS_MAX,
        ));
    } else if (1..=ROUNDS_MAX).contains(&rounds) && meetings_per_youth > rounds {
        // A youth sits at one table a round.
        problems.push(FieldError::out_of_range("meetings_per_youth", 1, rounds));
    }
    problems
}

/// The ranking deadline must fall on or after the event day.
pub fn check_deadline(event_date: Date, deadline: Date) -> Option<FieldError> {
    (deadline < event_date)
        .then(|| FieldError::new("ranking_deadline", Problem::DeadlineBeforeEvent))
}

/// Youth rank and companies mark from the event day to the deadline, both
/// inclusive; before the event there is nothing to rank.
pub fn choosing_open(today: Date, event_date: Date, deadline: Date) -> Result<(), Problem> {
    if today < event_date {
        Err(Problem::EventNotHeld)
    } else if today > deadline {
        Err(Problem::DeadlinePassed)
    } else {
        Ok(())
    }
}

/// Which industries (lower case, as companies are registered) fit a youth's
/// interests: an interest that names an industry fits it, and the common
/// interests young people give are mapped to the industries that offer them.
pub fn industries_of_interests(interests: &str) -> Vec<String> {
    const FITS: &[(&str, &[&str])] = &[
        ("køkken", &["hotel og restauration"]),
        ("mad", &["hotel og restauration"]),
        ("café", &["hotel og restauration"]),
        ("cykler", &["detail", "auto"]),
        ("biler", &["auto", "transport og lager"]),
        ("lager", &["transport og lager"]),
        ("logistik", &["transport og lager"]),
        (
            "kundeservice",
            &["detail", "service", "hotel og restauration"],
        ),
        ("byggeri", &["byggeri"]),
        ("dyr", &["grøn sektor"]),
        ("it", &["service", "industri"]),
        ("have", &["grøn sektor"]),
        ("park", &["grøn sektor"]),
        ("frisør", &["service"]),
        ("tøj", &["detail"]),
        ("mode", &["detail"]),
        ("elektronik", &["industri", "detail"]),
        ("omsorg", &["service"]),
        ("træarbejde", &["byggeri", "industri"]),
        ("maling", &["byggeri"]),
        ("sport", &["detail", "service"]),
        ("musik", &["hotel og restauration", "detail"]),
        ("gaming", &["detail", "service"]),
    ];
    let mut industries: Vec<String> = Vec::new();
    for interest in interests.split(',') {
        let interest = interest.trim().to_lowercase();
        if interest.is_empty() {
            continue;
        }
        industries.push(interest.clone());
        for word in interest.split_whitespace() {
            for (key, fits) in FITS {
                if word == *key {
                    industries.extend(fits.iter().map(|f| f.to_string()));
                }
            }
        }
    }
    industries.sort();
    industries.dedup();
    industries
}

/// What the company contact says came of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    Reached,
    NotReached,
    /// They agreed on an internship: a planned one is made.
    Agreed,
}

impl CallOutcome {
    pub const ALL: [CallOutcome; 3] = [
        CallOutcome::Reached,
        CallOutcome::NotReached,
        CallOutcome::Agreed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CallOutcome::Reached => "reached",
            CallOutcome::NotReached => "not_reached",
            CallOutcome::Agreed => "agreed",
        }
    }

    pub fn parse(code: &str) -> Option<CallOutcome> {
        CallOutcome::ALL.into_iter().find(|o| o.code() == code)
    }
}

/// The letters of a log-in code: Crockford's base 32, without I, L, O and U,
/// so a code read aloud or off a note is not mistyped.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Ten letters, 50 bits: with the rate limit, guessing is hopeless.
pub const LOGIN_CODE_LENGTH: usize = 10;

/// Formats random bytes as a code in two groups of five ("7KQ2M-XA9TD").
pub fn format_login_code(random: &[u8; LOGIN_CODE_LENGTH]) -> String {
    let mut code = String::with_capacity(LOGIN_CODE_LENGTH + 1);
    for (i, byte) in random.iter().enumerate() {
        if i == LOGIN_CODE_LENGTH / 2 {
            code.push('-');
        }
        code.push(CODE_ALPHABET[usize::from(byte % 32)] as char);
    }
    code
}

/// The code as typed, made canonical: case, spaces and dashes do not matter,
/// and O, I and L are read as 0, 1 and 1. `None` when it cannot be a code.
pub fn normalise_login_code(typed: &str) -> Option<String> {
    let mut code = String::with_capacity(LOGIN_CODE_LENGTH);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !CODE_ALPHABET.contains(&(c as u32).try_into().ok()?) {
            return None;
        }
        code.push(c);
    }
    (code.len() == LOGIN_CODE_LENGTH).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn an_event_has_one_to_twelve_rounds_and_no_more_meetings_than_rounds() {
        assert!(check_size(4, 4).is_empty());
        assert!(check_size(12, 1).is_empty());
        let fields = |p: Vec<FieldError>| p.into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(check_size(0, 1)), ["rounds"]);
        assert_eq!(fields(check_size(13, 1)), ["rounds"]);
        assert_eq!(fields(check_size(4, 5)), ["meetings_per_youth"]);
        assert_eq!(fields(check_size(4, 0)), ["meetings_per_youth"]);
    }

    #[test]
    fn choosing_is_open_from_the_event_day_to_the_deadline() {
        let (event, deadline) = (date!(2026 - 03 - 10), date!(2026 - 03 - 17));
        assert_eq!(
            choosing_open(date!(2026 - 03 - 09), event, deadline),
            Err(Problem::EventNotHeld)
        );
        assert_eq!(choosing_open(event, event, deadline), Ok(()));
        assert_eq!(choosing_open(deadline, event, deadline), Ok(()));
        assert_eq!(
            choosing_open(date!(2026 - 03 - 18), event, deadline),
            Err(Problem::DeadlinePassed)
        );
        assert!(check_deadline(event, date!(2026 - 03 - 09)).is_some());
        assert!(check_deadline(event, event).is_none());
    }

    #[test]
    fn a_code_reads_aloud_and_forgives_how_it_is_typed() {
        // 256 is a multiple of 32, so every letter is equally likely.
        let code = format_login_code(&[0, 1, 2, 3, 31, 32, 33, 200, 255, 17]);
        assert_eq!(code, "0123Z-018ZH");
        assert_eq!(
            normalise_login_code("0123z 018zh").as_deref(),
            Some("0123Z018ZH")
        );
        assert_eq!(
            normalise_login_code("01234-01885").as_deref(),
            Some("0123401885")
        );
        assert_eq!(
            normalise_login_code(" o1234 o1885 ").as_deref(),
            Some("0123401885")
        );
        assert_eq!(
            normalise_login_code("abcde-fghjk").as_deref(),
            Some("ABCDEFGHJK")
        );
        assert_eq!(
            normalise_login_code("ilIL0-00000").as_deref(),
            Some("1111000000")
        );
        assert_eq!(normalise_login_code("0123"), None);
        assert_eq!(
            normalise_login_code("01234-0188U"),
            None,
            "U is not a letter of codes"
        );
        assert_eq!(normalise_login_code("01234-01885-1"), None);
        assert_eq!(normalise_login_code("01234-0188æ"), None);
    }

    #[test]
    fn every_code_letter_is_one_of_thirty_two() {
        let all: [u8; LOGIN_CODE_LENGTH] = std::array::from_fn(|i| (i * 29) as u8);
        let code = format_login_code(&all);
        assert_eq!(code.len(), LOGIN_CODE_LENGTH + 1);
        assert!(normalise_login_code(&code).is_some());
    }

    #[test]
    fn interests_name_the_industries_they_fit() {
        let fits = industries_of_interests("køkken og mad, Byggeri");
        assert!(fits.contains(&"hotel og restauration".to_string()));
        assert!(fits.contains(&"byggeri".to_string()));
        assert!(!fits.contains(&"auto".to_string()));
        assert!(industries_of_interests("").is_empty());
        assert_eq!(industries_of_interests("Auto"), ["auto"]);
    }

    #[test]
    fn a_deck_is_one_card_a_line_within_its_limits() {
        assert_eq!(
            parse_deck("Hvad laver du?\n\n  Hvem hjalp dig?  \n"),
            Ok(vec![
                "Hvad laver du?".to_string(),
                "Hvem hjalp dig?".to_string()
            ])
        );
        assert_eq!(parse_deck(""), Ok(vec![]));
        assert_eq!(
            parse_deck(&"kort\n".repeat(61)).unwrap_err().problem,
            Problem::TooManyCards
        );
        assert_eq!(
            parse_deck(&"x".repeat(201)).unwrap_err().problem,
            Problem::TooLong
        );
    }

    #[test]
    fn a_call_outcome_round_trips_its_code() {
        for outcome in CallOutcome::ALL {
            assert_eq!(CallOutcome::parse(outcome.code()), Some(outcome));
        }
        assert_eq!(CallOutcome::parse("maybe"), None);
    }
}
