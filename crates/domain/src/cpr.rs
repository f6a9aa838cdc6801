//! CPR numbers (Danish personal identity numbers), DDMMYY-SSSS.
//!
//! The century comes from the 7th digit and the year (CPR office rules).
//! Modulus-11 is deliberately NOT checked: numbers failing it have been issued
//! since 2007, so rejecting them would turn real people away.

use crate::validation::{FieldError, Problem};
use std::fmt;
use time::{Date, Month};

/// A parsed CPR number. `Debug` never prints the digits, so a CPR cannot leak
/// into a log line through `{:?}`; there is deliberately no `Display`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cpr {
    digits: [u8; 10],
    birth_date: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Female,
    Male,
}

impl Gender {
    pub fn code(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
        }
    }

    pub fn from_code(code: &str) -> Option<Gender> {
        match code {
            "female" => Some(Gender::Female),
            "male" => Some(Gender::Male),
            _ => None,
        }
    }
}

impl fmt::Debug for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cpr(**********)")
    }
}

impl Cpr {
    /// Parses `DDMMYY-SSSS`, `DDMMYYSSSS` or `DDMMYY SSSS`, surrounding spaces allowed.
    pub fn parse(field: &'static str, input: &str) -> Result<Cpr, FieldError> {
        let input = input.trim();
        let format_error = || FieldError::new(field, Problem::CprFormat);
        let compact: String = match input.len() {
            10 => input.to_string(),
            11 if matches!(input.as_bytes()[6], b'-' | b' ') => {
                format!("{}{}", &input[..6], &input[7..])
            }
            _ => return Err(format_error()),
        };
        if !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format_error());
        }
        let mut digits = [0u8; 10];
        for (slot, byte) in digits.iter_mut().zip(compact.bytes()) {
            *slot = byte - b'0';
        }
        let day = digits[0] * 10 + digits[1];
        let month = digits[2] * 10 + digits[3];
        let yy = i32::from(digits[4] * 10 + digits[5]);
        let year = century_base(digits[6], yy) + yy;
        let birth_date = Month::try_from(month)
            .ok()
            .and_then(|m| Date::from_calendar_date(year, m, day).ok())
            .ok_or_else(|| FieldError::new(field, Problem::CprDate))?;
        Ok(Cpr { digits, birth_date })
    }

    /// The ten digits without separator, for encryption and keyed hashing only.
    pub fn expose_digits(&self) -> String {
        self.digits.iter().map(|d| char::from(b'0' + d)).collect()
    }

    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// Last digit even = female (CPR office rule).
    pub fn gender(&self) -> Gender {
        if self.digits[9].is_multiple_of(2) {
            Gender::Female
        } else {
            Gender::Male
        }
    }

    /// Age in whole years on `on`.
    pub fn age_on(&self, on: Date) -> i32 {
        age_on(self.birth_date, on)
    }
}

/// Age in whole years on `on` for someone born on `birth`.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    age
}

/// First year of the century a CPR number belongs to.
fn century_base(seventh_digit: u8, yy: i32) -> i32 {
    match seventh_digit {
        0..=3 => 1900,
        4 | 9 => {
            if yy <= 36 {
                2000
            } else {
                1900
            }
        }
        _ => {
            if yy <= 57 {
                2000
            } else {
                1800
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn parse(s: &str) -> Result<Cpr, Problem> {
        Cpr::parse("cpr", s).map_err(|e| e.problem)
    }

    #[test]
    fn century_rule_examples() {
        let cases = [
            ("010190-1234", date!(1990 - 01 - 01)),
            ("010136-4000", date!(2036 - 01 - 01)),
            ("010137-4000", date!(1937 - 01 - 01)),
            ("010136-9000", date!(2036 - 01 - 01)),
            ("010199-9000", date!(1999 - 01 - 01)),
            ("010157-5000", date!(2057 - 01 - 01)),
            ("010158-5000", date!(1858 - 01 - 01)),
            ("311299-8000", date!(1899 - 12 - 31)),
            ("010100-3999", date!(1900 - 01 - 01)),
        ];
        for (cpr, expected) in cases {
            assert_eq!(parse(cpr).unwrap().birth_date(), expected, "{cpr}");
        }
    }

    #[test]
    fn modulus_11_failures_are_accepted() {
        // 010190-1235 fails modulus 11 but is a valid CPR number since 2007.
        assert!(parse("010190-1235").is_ok());
        assert!(parse("0101901235").is_ok());
    }

    #[test]
    fn gender_from_last_digit() {
        assert_eq!(parse("010190-1234").unwrap().gender(), Gender::Female);
        assert_eq!(parse("010190-1235").unwrap().gender(), Gender::Male);
    }

    #[test]
    fn bad_shapes_and_dates() {
        assert_eq!(parse("").unwrap_err(), Problem::CprFormat);
        assert_eq!(parse("01019-01234").unwrap_err(), Problem::CprFormat);
        assert_eq!(parse("0101901a34").unwrap_err(), Problem::CprFormat);
        assert_eq!(parse("010190/1234").unwrap_err(), Problem::CprFormat);
        assert_eq!(parse("310290-1234").unwrap_err(), Problem::CprDate);
        assert_eq!(parse("011390-1234").unwrap_err(), Problem::CprDate);
        assert_eq!(parse("290201-4000").unwrap_err(), Problem::CprDate); // 2001 not leap
        assert!(parse("290200-4000").is_ok()); // 2000 leap
    }

    #[test]
    fn debug_hides_digits() {
        let cpr = parse("010190-1234").unwrap();
        assert!(!format!("{cpr:?}").contains("0101"));
    }

    #[test]
    fn age_counts_birthdays() {
        let cpr = parse("150605-4321").unwrap(); // 15.06.2005
        assert_eq!(cpr.age_on(date!(2023 - 06 - 14)), 17);
        assert_eq!(cpr.age_on(date!(2023 - 06 - 15)), 18);
    }

    proptest! {
        #[test]
        fn every_real_date_and_serial_round_trips(days in 0i64..(200 * 366), serial in 0u32..10_000) {
            let birth = date!(1858 - 01 - 01) + time::Duration::days(days);
            prop_assume!(birth.year() <= 2057);
            let yy = birth.year() % 100;
            // Pick a 7th digit whose century rule yields the birth year, if one exists.
            let seventh = (0u8..=9).find(|&d| century_base(d, yy) + yy == birth.year());
            prop_assume!(seventh.is_some());
            let seventh = u32::from(seventh.unwrap());
            let serial = seventh * 1000 + serial % 1000;
            let text = format!("{:02}{:02}{:02}-{:04}", birth.day(), birth.month() as u8, yy, serial);
            let cpr = Cpr::parse("cpr", &text).unwrap();
            prop_assert_eq!(cpr.birth_date(), birth);
            prop_assert_eq!(cpr.expose_digits(), text.replace('-', ""));
            prop_assert_eq!(cpr.gender() == Gender::Female, serial % 2 == 0);
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,14}") {
            let _ = Cpr::parse("cpr", &s);
        }
    }
}

/// What people type between the groups of a CPR number's digits: white
/// space of any kind (tabs and line breaks too), hyphens and dashes of every
/// kind, slashes, dots, underscores; and the invisible characters a paste
/// can carry (soft hyphen, joiners, the zero-width and invisible operators,
/// direction marks, variation selectors, BOM).
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2010}'..='\u{2015}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{2212}'
                | '\u{2e3a}'
                | '\u{2e3b}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{fe58}'
                | '\u{fe63}'
                | '\u{feff}'
                | '\u{ff0d}'
                | '\u{ffa0}'
                | '/'
                | '\u{ff0f}'
                | '\\'
                | '.'
                | '\u{ff0e}'
                | '_'
        )
}

/// The digit a character writes, in the scripts a paste can bring: ASCII,
/// full-width, Arabic-Indic (both), Devanagari and the mathematical digits.
fn digit_of(c: char) -> Option<char> {
    let from = |zero: u32| char::from_digit((c as u32 - zero) % 10, 10);
    match c {
        '0'..='9' => Some(c),
        '\u{ff10}'..='\u{ff19}' => from(0xff10),
        '\u{660}'..='\u{669}' => from(0x660),
        '\u{6f0}'..='\u{6f9}' => from(0x6f0),
        '\u{966}'..='\u{96f}' => from(0x966),
        '\u{1d7ce}'..='\u{1d7ff}' => from(0x1d7ce),
        _ => None,
    }
}

/// The most separator characters between two groups ("010203 – 4101").
const MAX_SEPARATORS: usize = 5;

/// Whether free text holds something that parses as a CPR number: ten
/// digits of any script, together or in groups with up to five separators
/// between them ("010203-4101", "010203 - 4101", "0102 03 4101",
/// "01.02.03–4101", full-width digits), not part of a longer run of digits.
/// Works on characters, so any text is safe.
pub fn contains_cpr(text: &str) -> bool {
    !cpr_runs(&text.chars().collect::<Vec<_>>()).is_empty()
}

/// `text` with every run of digits that holds a CPR number (as
/// [`contains_cpr`] finds it) replaced by `[CPR]`: for what is logged or
/// shown back.
pub fn redact_cpr(text: &str) -> std::borrow::Cow<'_, str> {
    let chars: Vec<char> = text.chars().collect();
    let runs = cpr_runs(&chars);
    if runs.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in runs {
        out.extend(&chars[at..start]);
        out.push_str("[CPR]");
        at = end;
    }
    out.extend(&chars[at..]);
    std::borrow::Cow::Owned(out)
}

/// The runs of digit groups (single separators between them), as character
/// ranges, in which whole groups make exactly ten digits that parse as a CPR.
fn cpr_runs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if digit_of(chars[i]).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        let mut groups: Vec<String> = Vec::new();
        let mut group = String::new();
        while i < chars.len() {
            if let Some(digit) = digit_of(chars[i]) {
                group.push(digit);
                i += 1;
                continue;
            }
            let separators = chars[i..]
                .iter()
                .take(MAX_SEPARATORS + 1)
                .take_while(|c| is_separator(**c))
                .count();
            let digit_follows = chars
                .get(i + separators)
                .is_some_and(|c| digit_of(*c).is_some());
            if (1..=MAX_SEPARATORS).contains(&separators) && !group.is_empty() && digit_follows {
                groups.push(std::mem::take(&mut group));
                i += separators;
            } else {
                break;
            }
        }
        groups.push(group);
        let holds_cpr = (0..groups.len()).any(|first| {
            let mut digits = String::new();
            for g in &groups[first..] {
                digits.push_str(g);
                if digits.len() >= 10 {
                    break;
                }
            }
            digits.len() == 10 && Cpr::parse("text", &digits).is_ok()
        });
        if holds_cpr {
            runs.push((start, i));
        }
    }
    runs
}

#[cfg(test)]
mod free_text_tests {
    use super::contains_cpr;

    #[test]
    fn cpr_numbers_are_redacted_and_nothing_else() {
        use super::redact_cpr;
        assert_eq!(redact_cpr("/nosuch/1506044123"), "/nosuch/[CPR]");
        assert_eq!(redact_cpr("q=CPR 150604-4123&x=1"), "q=CPR [CPR]&x=1");
        assert_eq!(redact_cpr("ring 0102 03 4101, æøå"), "ring [CPR], æøå");
        assert_eq!(redact_cpr("/youth/12345?page=2"), "/youth/12345?page=2");
        assert!(matches!(
            redact_cpr("intet her"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn cpr_numbers_are_found_in_free_text() {
        assert!(contains_cpr("fejl: 010304-4123 var forkert"));
        assert!(contains_cpr("0103044123"));
        assert!(!contains_cpr("allokering 231, ledger 230"));
        assert!(!contains_cpr("telefon 12345678"));
        assert!(!contains_cpr("123456789012"), "part of a longer number");
        assert!(!contains_cpr("Møde 12. januar på grund af forkert alder"));
        for typed in [
            "010203/4101",
            "0102 03 4101",
            "010203–4101",
            "010203—4101",
            "01.02.03-4101",
            "010203\u{a0}4101",
            "ring på 010203 4101 i dag",
            "cpr:010203-4101.",
            // Found by the security re-probe: spaces around the separator,
            // other scripts' digits, invisible characters from a paste.
            "010203 - 4101",
            "010203– 4101",
            "010203/ 4101",
            "\u{ff10}\u{ff11}\u{ff10}\u{ff12}\u{ff10}\u{ff13}\u{ff0d}\u{ff14}\u{ff11}\u{ff10}\u{ff11}",
            "\u{660}\u{661}\u{660}\u{662}\u{660}\u{663}-\u{664}\u{661}\u{660}\u{661}",
            "010203\u{200b}4101",
            "010203\u{ad}4101",
            "0102\u{200b}034101",
            "010203\u{2063}-4101",
            "010203 -- 4101",
            "010203\u{180e}4101",
            "010203\u{34f}4101",
            "010203 \n 4101",
            "010203-\t4101",
        ] {
            assert!(contains_cpr(typed), "{typed}");
        }
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_is_safe(text in "\\PC*") {
            let _ = contains_cpr(&text);
        }

        #[test]
        fn a_cpr_number_with_any_common_separator_is_found(
            day in 1u32..=28,
            month in 1u32..=12,
            year in 0u32..=99,
            serial in 0u32..=9999,
            separator in prop::sample::select(vec!["", "-", " ", "/", "–", "—", ".", "\u{a0}", " - ", "\u{ad}", "\u{200b}", "\u{ff0d}"]),
            paired in any::<bool>(),
            before in "[a-zæøåA-ZÆØÅ ,.:]{0,12}",
            after in "[a-zæøåA-ZÆØÅ ,.:]{0,12}",
        ) {
            let date = if paired {
                format!("{day:02}{separator}{month:02}{separator}{year:02}")
            } else {
                format!("{day:02}{month:02}{year:02}")
            };
            let text = format!("{before} {date}{separator}{serial:04} {after}");
            prop_assert!(contains_cpr(&text), "{}", text);
            // Redacted, nothing of it is left and the words around it are.
            let redacted = super::redact_cpr(&text);
            prop_assert!(!contains_cpr(&redacted), "{}", redacted);
            prop_assert_eq!(redacted.as_ref(), format!("{before} [CPR] {after}"));
        }

        #[test]
        fn redacting_any_text_leaves_no_cpr_and_never_panics(text in "\\PC*") {
            prop_assert!(!contains_cpr(&super::redact_cpr(&text)));
        }
    }
}
