//! Israeli identity numbers (מספר תעודת זהות): nine digits whose last is a
//! check digit, so a mistyped number is caught before it reaches a record.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Digits in a full identity number, check digit included.
const ID_DIGITS: usize = 9;
/// Digits left visible by [`IsraeliId::masked`].
const MASK_TAIL: usize = 4;

/// Why an identity number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsraeliIdError {
    /// No digits were given.
    #[error("the identity number is empty")]
    Empty,
    /// A character other than a digit, a space or a dash.
    #[error("unexpected character {0:?} in identity number")]
    InvalidCharacter(char),
    /// More than nine digits.
    #[error("an identity number has at most 9 digits, not {0}")]
    TooLong(usize),
    /// Only zeros.
    #[error("an identity number cannot be all zeros")]
    AllZeros,
    /// The check digit does not match the other eight.
    #[error("the check digit does not match: a digit is probably mistyped")]
    BadCheckDigit,
}

/// A valid Israeli identity number, stored as its nine digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IsraeliId(String);

impl IsraeliId {
    /// Parses an identity number; shorter numbers are left-padded with
    /// zeros, as on the identity card. Spaces and dashes are ignored.
    pub fn parse(input: &str) -> Result<Self, IsraeliIdError> {
        let mut digits = String::with_capacity(ID_DIGITS);
        for c in input.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                other => return Err(IsraeliIdError::InvalidCharacter(other)),
            }
        }
        if digits.is_empty() {
            return Err(IsraeliIdError::Empty);
        }
        if digits.len() > ID_DIGITS {
            return Err(IsraeliIdError::TooLong(digits.len()));
        }
        let padded = format!("{digits:0>ID_DIGITS$}");
        if padded.bytes().all(|b| b == b'0') {
            return Err(IsraeliIdError::AllZeros);
        }
        if !weighted_sum(&padded).is_multiple_of(10) {
            return Err(IsraeliIdError::BadCheckDigit);
        }
        Ok(IsraeliId(padded))
    }

    /// Completes the first eight digits (given as a number below 10⁸) with
    /// their check digit, e.g. to generate demo customers.
    pub fn from_body(body: u32) -> Result<Self, IsraeliIdError> {
        let body = format!("{body:08}");
        if body.len() != ID_DIGITS - 1 {
            return Err(IsraeliIdError::TooLong(body.len() + 1));
        }
        let check = (10 - weighted_sum(&format!("{body}0")) % 10) % 10;
        IsraeliId::parse(&format!("{body}{check}"))
    }

    /// The nine digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but its last four digits hidden, e.g. `*****6789`.
    pub fn masked(&self) -> String {
        format!(
            "{}{}",
            "*".repeat(ID_DIGITS - MASK_TAIL),
            &self.0[ID_DIGITS - MASK_TAIL..]
        )
    }
}

/// The Luhn-like sum: digits at odd positions (1-based even) are doubled and
/// a two-digit product counts as the sum of its digits.
fn weighted_sum(nine_digits: &str) -> u32 {
    nine_digits
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let product = u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 2 };
            if product > 9 { product - 9 } else { product }
        })
        .sum()
}

impl fmt::Display for IsraeliId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IsraeliId {
    type Err = IsraeliIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IsraeliId::parse(s)
    }
}

impl TryFrom<String> for IsraeliId {
    type Error = IsraeliIdError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        IsraeliId::parse(&value)
    }
}

impl From<IsraeliId> for String {
    fn from(value: IsraeliId) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_known_valid_numbers() {
        // 123456782 is the number used in Israeli form examples.
        assert_eq!(IsraeliId::parse("123456782").unwrap().as_str(), "123456782");
        assert_eq!(
            IsraeliId::parse("12345678-2").unwrap().as_str(),
            "123456782"
        );
        assert_eq!(
            IsraeliId::parse(" 000000018 ").unwrap().as_str(),
            "000000018"
        );
    }

    #[test]
    fn pads_short_numbers_with_zeros() {
        assert_eq!(IsraeliId::parse("18").unwrap().as_str(), "000000018");
    }

    #[test]
    fn rejects_with_a_reason() {
        assert_eq!(
            IsraeliId::parse("123456789"),
            Err(IsraeliIdError::BadCheckDigit)
        );
        assert_eq!(IsraeliId::parse(""), Err(IsraeliIdError::Empty));
        assert_eq!(IsraeliId::parse("000000000"), Err(IsraeliIdError::AllZeros));
        assert_eq!(
            IsraeliId::parse("1234567820"),
            Err(IsraeliIdError::TooLong(10))
        );
        assert_eq!(
            IsraeliId::parse("ת.ז. 123456782"),
            Err(IsraeliIdError::InvalidCharacter('ת'))
        );
    }

    #[test]
    fn masks_all_but_the_last_four() {
        assert_eq!(IsraeliId::parse("123456782").unwrap().masked(), "*****6782");
    }

    proptest! {
        #[test]
        fn a_completed_body_always_parses(body in 1u32..100_000_000) {
            let id = IsraeliId::from_body(body).unwrap();
            prop_assert_eq!(&id.as_str()[..8], format!("{body:08}"));
            prop_assert_eq!(IsraeliId::parse(id.as_str()).unwrap(), id);
        }

        #[test]
        fn any_single_changed_digit_is_caught(body in 1u32..100_000_000, position in 0usize..9, delta in 1u8..10) {
            let id = IsraeliId::from_body(body).unwrap();
            let mut digits = id.as_str().as_bytes().to_vec();
            digits[position] = b'0' + (digits[position] - b'0' + delta) % 10;
            let changed = String::from_utf8(digits).unwrap();
            prop_assert!(IsraeliId::parse(&changed).is_err());
        }

        #[test]
        fn never_panics(input in "\\PC{0,16}") {
            let _ = IsraeliId::parse(&input);
        }
    }
}
