//! CVR numbers (Danish company registration numbers): 8 digits, modulus-11
//! with weights 2,7,6,5,4,3,2,1.

use crate::validation::{FieldError, Problem};

const WEIGHTS: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cvr(String);

impl Cvr {
    /// Parses 8 digits; spaces are allowed between them ("DK" prefix too).
    pub fn parse(field: &'static str, input: &str) -> Result<Cvr, FieldError> {
        let trimmed = input.trim();
        let without_prefix = trimmed
            .strip_prefix("DK")
            .or_else(|| trimmed.strip_prefix("dk"))
            .unwrap_or(trimmed);
        let compact: String = without_prefix.chars().filter(|c| *c != ' ').collect();
        if compact.len() != 8
            || !compact.bytes().all(|b| b.is_ascii_digit())
            || compact.starts_with('0')
        {
            return Err(FieldError::new(field, Problem::CvrFormat));
        }
        if !has_valid_checksum(&compact) {
            return Err(FieldError::new(field, Problem::CvrChecksum));
        }
        Ok(Cvr(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn has_valid_checksum(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    sum.is_multiple_of(11)
}

/// Completes seven leading digits into a valid CVR, if some check digit works.
/// Used to make synthetic demo companies.
pub fn complete_with_check_digit(first_seven: u32) -> Option<Cvr> {
    let stem = format!("{first_seven:07}");
    (0..=9)
        .map(|d| format!("{stem}{d}"))
        .find(|candidate| !candidate.starts_with('0') && has_valid_checksum(candidate))
        .map(Cvr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_numbers() {
        // Publicly listed CVR numbers.
        for cvr in ["10150817", "DK 10 15 08 17", "24256790", "29190925"] {
            assert!(Cvr::parse("cvr", cvr).is_ok(), "{cvr}");
        }
        assert_eq!(
            Cvr::parse("cvr", "10150818").unwrap_err().problem,
            Problem::CvrChecksum
        );
        assert_eq!(
            Cvr::parse("cvr", "1015081").unwrap_err().problem,
            Problem::CvrFormat
        );
        assert_eq!(
            Cvr::parse("cvr", "1015081x").unwrap_err().problem,
            Problem::CvrFormat
        );
    }

    proptest! {
        #[test]
        fn one_changed_digit_is_always_caught(stem in 1_000_000u32..9_999_999, pos in 0usize..8, delta in 1u8..10) {
            if let Some(cvr) = complete_with_check_digit(stem) {
                prop_assert!(Cvr::parse("cvr", cvr.as_str()).is_ok());
                let mut bytes = cvr.as_str().as_bytes().to_vec();
                bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
                let changed = String::from_utf8(bytes).unwrap();
                prop_assert!(Cvr::parse("cvr", &changed).is_err());
            }
        }
    }
}
