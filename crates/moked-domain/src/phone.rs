//! Phone numbers in E.164 form, parsed from the ways Israelis actually write
//! them ("050-123-4567", "(03) 123 4567", "1-800-123-456", "+972 50 ...",
//! "00972...") and from international numbers.
//!
//! Israeli numbers are checked against the national numbering plan so that a
//! typo is caught at the form, not when an agent tries to call back.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Israel's country calling code.
const ISRAEL_CODE: &str = "972";
/// E.164 allows at most 15 digits including the country code.
const E164_MAX_DIGITS: usize = 15;
/// Shortest international number accepted (country code included).
const E164_MIN_DIGITS: usize = 8;
/// Digits kept visible at the end of a masked number.
const MASK_TAIL: usize = 4;
/// Digits kept visible at the start of a masked number (country code and
/// operator prefix for Israeli mobiles).
const MASK_HEAD: usize = 5;
/// Digits always hidden by [`PhoneE164::masked`].
const MASK_MIN_HIDDEN: usize = 3;

/// Why a phone number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneParseError {
    /// Nothing but separators was given.
    #[error("the phone number is empty")]
    Empty,
    /// A character that is neither a digit nor a separator.
    #[error("unexpected character {0:?} in phone number")]
    InvalidCharacter(char),
    /// A '+' anywhere but at the start.
    #[error("'+' may only start a phone number")]
    MisplacedPlus,
    /// Digits without a country code or a leading 0.
    #[error("add the leading 0 or the country code (+972...)")]
    MissingPrefix,
    /// An Israeli number whose prefix is not in the numbering plan.
    #[error("no Israeli numbers start with 0{0}")]
    UnknownIsraeliPrefix(String),
    /// An Israeli number with the wrong number of digits for its prefix.
    #[error(
        "an Israeli number starting with 0{prefix} has {expected} digits after the 0, not {found}"
    )]
    WrongIsraeliLength {
        /// The prefix that decided the expected length.
        prefix: String,
        /// How many digits that prefix needs after the trunk 0.
        expected: usize,
        /// How many were given.
        found: usize,
    },
    /// An international number that is too short or too long for E.164.
    #[error("an international number has {E164_MIN_DIGITS} to {E164_MAX_DIGITS} digits, not {0}")]
    WrongInternationalLength(usize),
    /// A country code cannot start with 0.
    #[error("a country code cannot start with 0")]
    BadCountryCode,
}

/// A phone number in E.164 form: '+', the country code, the national number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneE164(String);

impl PhoneE164 {
    /// Parses a phone number as typed by a person or written in a file.
    pub fn parse(input: &str) -> Result<Self, PhoneParseError> {
        let (international, digits) = strip_separators(input)?;
        if digits.is_empty() {
            return Err(PhoneParseError::Empty);
        }
        let e164_digits = if international {
            international_digits(&digits)?
        } else if let Some(rest) = digits.strip_prefix("00") {
            international_digits(rest)?
        } else if let Some(national) = digits.strip_prefix('0') {
            israeli_digits(national)?
        } else if is_toll_free_prefix(&digits) {
            israeli_digits(&digits)?
        } else {
            return Err(PhoneParseError::MissingPrefix);
        };
        Ok(PhoneE164(format!("+{e164_digits}")))
    }

    /// The number in E.164 form, e.g. `+972501234567`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is an Israeli number.
    pub fn is_israeli(&self) -> bool {
        self.0[1..].starts_with(ISRAEL_CODE)
    }

    /// The number with its middle digits hidden, for logs and screens that
    /// must not show it whole, e.g. `+97250***4567`.
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let visible = digits.len().saturating_sub(MASK_MIN_HIDDEN);
        let tail = MASK_TAIL.min(visible);
        let head = MASK_HEAD.min(visible - tail);
        format!("+{}***{}", &digits[..head], &digits[digits.len() - tail..])
    }
}

/// Drops spaces, dashes, dots and parentheses; reports whether a leading
/// '+' marked the number as international.
fn strip_separators(input: &str) -> Result<(bool, String), PhoneParseError> {
    let trimmed = input.trim();
    let (international, body) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            '+' => return Err(PhoneParseError::MisplacedPlus),
            other => return Err(PhoneParseError::InvalidCharacter(other)),
        }
    }
    Ok((international, digits))
}

/// Validates the digits after '+' or "00".
fn international_digits(digits: &str) -> Result<String, PhoneParseError> {
    if digits.starts_with('0') {
        return Err(PhoneParseError::BadCountryCode);
    }
    if let Some(national) = digits.strip_prefix(ISRAEL_CODE) {
        // People often keep the trunk 0 after the country code: +972-050-...
        let national = national.strip_prefix('0').unwrap_or(national);
        return israeli_digits(national);
    }
    if !(E164_MIN_DIGITS..=E164_MAX_DIGITS).contains(&digits.len()) {
        return Err(PhoneParseError::WrongInternationalLength(digits.len()));
    }
    Ok(digits.to_owned())
}

/// Whether national digits start like an Israeli toll-free or shared-cost
/// number, which is dialled without the trunk 0 ("1-800-...").
fn is_toll_free_prefix(digits: &str) -> bool {
    ["1700", "1800", "1801"]
        .iter()
        .any(|p| digits.starts_with(p))
}

/// Validates an Israeli national significant number (without the trunk 0)
/// and returns the E.164 digits.
fn israeli_digits(national: &str) -> Result<String, PhoneParseError> {
    let Some(first) = national.chars().next() else {
        return Err(PhoneParseError::Empty);
    };
    let (prefix_len, expected) = match first {
        // Mobile (05X) and nationwide VoIP (07X).
        '5' | '7' => (2, 9),
        // Landline areas: 02 Jerusalem, 03 Tel Aviv, 04 Haifa, 08 south, 09 Sharon.
        '2' | '3' | '4' | '8' | '9' => (1, 8),
        '1' if is_toll_free_prefix(national) => (4, 10),
        _ => {
            let shown = national.chars().take(1).collect();
            return Err(PhoneParseError::UnknownIsraeliPrefix(shown));
        }
    };
    if national.len() != expected {
        return Err(PhoneParseError::WrongIsraeliLength {
            prefix: national.chars().take(prefix_len).collect(),
            expected,
            found: national.len(),
        });
    }
    Ok(format!("{ISRAEL_CODE}{national}"))
}

impl fmt::Display for PhoneE164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for PhoneE164 {
    type Err = PhoneParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneE164::parse(s)
    }
}

impl TryFrom<String> for PhoneE164 {
    type Error = PhoneParseError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        PhoneE164::parse(&value)
    }
}

impl From<PhoneE164> for String {
    fn from(value: PhoneE164) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(input: &str) -> String {
        PhoneE164::parse(input)
            .unwrap_or_else(|e| panic!("{input:?}: {e}"))
            .to_string()
    }

    #[test]
    fn israeli_mobile_in_every_usual_spelling() {
        for written in [
            "050-123-4567",
            "0501234567",
            "050 123 4567",
            "(050) 123-4567",
            "+972 50 123 4567",
            "+972-050-123-4567",
            "00972501234567",
            " 050.123.4567 ",
        ] {
            assert_eq!(e164(written), "+972501234567", "{written}");
        }
    }

    #[test]
    fn israeli_landlines_voip_and_toll_free() {
        assert_eq!(e164("03-1234567"), "+97231234567");
        assert_eq!(e164("(02) 623 4567"), "+97226234567");
        assert_eq!(e164("077-1234567"), "+972771234567");
        assert_eq!(e164("1-800-123-456"), "+9721800123456");
        assert_eq!(e164("1700-50-50-50"), "+9721700505050");
    }

    #[test]
    fn other_countries_pass_through() {
        assert_eq!(e164("+1 (212) 555-0100"), "+12125550100");
        assert_eq!(e164("0044 20 7946 0958"), "+442079460958");
    }

    #[test]
    fn garbage_is_rejected_with_a_reason() {
        use PhoneParseError::*;
        assert_eq!(PhoneE164::parse(""), Err(Empty));
        assert_eq!(PhoneE164::parse(" - "), Err(Empty));
        assert_eq!(PhoneE164::parse("050-123-456א"), Err(InvalidCharacter('א')));
        assert_eq!(PhoneE164::parse("501234567"), Err(MissingPrefix));
        assert_eq!(PhoneE164::parse("050+1234567"), Err(MisplacedPlus));
        assert_eq!(
            PhoneE164::parse("06-1234567"),
            Err(UnknownIsraeliPrefix("6".into()))
        );
        assert_eq!(
            PhoneE164::parse("050-123-456"),
            Err(WrongIsraeliLength {
                prefix: "50".into(),
                expected: 9,
                found: 8
            })
        );
        assert_eq!(PhoneE164::parse("+0123456789"), Err(BadCountryCode));
        assert_eq!(PhoneE164::parse("+1234"), Err(WrongInternationalLength(4)));
        assert!(PhoneE164::parse("טלפון: 050-1234567").is_err());
    }

    #[test]
    fn masks_the_middle_digits() {
        assert_eq!(
            PhoneE164::parse("050-123-4567").unwrap().masked(),
            "+97250***4567"
        );
        assert_eq!(
            PhoneE164::parse("03-1234567").unwrap().masked(),
            "+9723***4567"
        );
    }

    #[test]
    fn knows_israeli_numbers() {
        assert!(PhoneE164::parse("054-7654321").unwrap().is_israeli());
        assert!(!PhoneE164::parse("+12125550100").unwrap().is_israeli());
    }

    #[test]
    fn conversion_from_string_validates() {
        let phone = PhoneE164::try_from("052-000-1111".to_owned()).unwrap();
        assert_eq!(String::from(phone), "+972520001111");
        assert!(PhoneE164::try_from("שלום".to_owned()).is_err());
        assert_eq!(
            "03-9876543".parse::<PhoneE164>().unwrap().as_str(),
            "+97239876543"
        );
    }

    proptest! {
        #[test]
        fn every_israeli_mobile_normalizes_and_reparses(operator in 0u8..10, rest in 0u32..10_000_000) {
            let national = format!("05{operator}-{rest:07}");
            let phone = PhoneE164::parse(&national).unwrap();
            prop_assert_eq!(phone.as_str(), format!("+9725{operator}{rest:07}"));
            prop_assert_eq!(PhoneE164::parse(phone.as_str()).unwrap(), phone.clone());
            let masked = phone.masked();
            let last_four = format!("{:04}", rest % 10_000);
            prop_assert!(masked.ends_with(&last_four), "{} hides the last four", masked);
            prop_assert!(masked.contains("***"));
        }

        #[test]
        fn never_panics(input in "\\PC{0,24}") {
            let _ = PhoneE164::parse(&input);
        }
    }
}
