//! Durations written the way people write them: `20s`, `3m`, `1h30m`, `14d`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A non-negative, finite span of time in seconds.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Seconds(f64);

/// Why a duration text was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationParseError {
    /// Nothing was written.
    #[error("empty duration: write it as 20s, 3m, 1h or 1h30m")]
    Empty,
    /// A number was not followed by a unit.
    #[error("duration {0:?} lacks a unit: write it as 20s, 3m, 1h, 2d or 250ms")]
    MissingUnit(String),
    /// A unit that is not ms, s, m, h, d or w.
    #[error("duration {text:?} has an unknown unit {unit:?}: use ms, s, m, h, d or w")]
    UnknownUnit {
        /// The whole text.
        text: String,
        /// The unit as written.
        unit: String,
    },
    /// Something that is not a number where a number belongs.
    #[error("duration {0:?} is not a number followed by a unit, such as 20s or 1h30m")]
    Malformed(String),
    /// The total is not a finite number of seconds.
    #[error("duration {0:?} is too large")]
    TooLarge(String),
}

impl Seconds {
    /// Zero seconds.
    pub const ZERO: Seconds = Seconds(0.0);

    /// A span of `seconds`, or `None` if it is negative or not finite.
    pub fn new(seconds: f64) -> Option<Seconds> {
        (seconds.is_finite() && seconds >= 0.0).then_some(Seconds(seconds))
    }

    /// The span in seconds.
    pub fn as_secs(self) -> f64 {
        self.0
    }

    /// Parses `20s`, `3m`, `1h`, `1h30m`, `2d`, `1w`, `250ms` or `1.5h`.
    /// A bare number is refused: a unit is always required.
    pub fn parse(text: &str) -> Result<Seconds, DurationParseError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(DurationParseError::Empty);
        }
        let mut total = 0.0;
        let mut rest = trimmed;
        while !rest.is_empty() {
            let number_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            if number_len == 0 {
                return Err(DurationParseError::Malformed(trimmed.to_owned()));
            }
            let number: f64 = rest[..number_len]
                .parse()
                .map_err(|_| DurationParseError::Malformed(trimmed.to_owned()))?;
            rest = &rest[number_len..];
            let unit_len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            if unit_len == 0 {
                return Err(DurationParseError::MissingUnit(trimmed.to_owned()));
            }
            let unit = &rest[..unit_len];
            total += number
                * unit_seconds(unit).ok_or_else(|| DurationParseError::UnknownUnit {
                    text: trimmed.to_owned(),
                    unit: unit.to_owned(),
                })?;
            rest = &rest[unit_len..];
        }
        Seconds::new(total).ok_or_else(|| DurationParseError::TooLarge(trimmed.to_owned()))
    }
}

fn unit_seconds(unit: &str) -> Option<f64> {
    Some(match unit {
        "ms" => 0.001,
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3_600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        _ => return None,
    })
}

impl FromStr for Seconds {
    type Err = DurationParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Seconds::parse(text)
    }
}

impl fmt::Display for Seconds {
    /// Writes the shortest exact form among `h`, `m` and `s`, such as `1h30m` or `20s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0;
        if secs.fract() != 0.0 || secs == 0.0 {
            return write!(f, "{secs}s");
        }
        let whole = secs as u64;
        let (hours, minutes, seconds) = (whole / 3600, whole % 3600 / 60, whole % 60);
        if hours > 0 {
            write!(f, "{hours}h")?;
        }
        if minutes > 0 {
            write!(f, "{minutes}m")?;
        }
        if seconds > 0 {
            write!(f, "{seconds}s")?;
        }
        Ok(())
    }
}

impl Serialize for Seconds {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Seconds::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_forms_people_write() {
        let cases = [
            ("20s", 20.0),
            ("3m", 180.0),
            ("1h", 3600.0),
            ("1h30m", 5400.0),
            ("14d", 14.0 * 86400.0),
            ("1w", 604800.0),
            ("250ms", 0.25),
            ("1.5h", 5400.0),
            (" 8h ", 28800.0),
        ];
        for (text, expected) in cases {
            assert_eq!(
                Seconds::parse(text).map(Seconds::as_secs),
                Ok(expected),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        assert_eq!(Seconds::parse(""), Err(DurationParseError::Empty));
        assert!(matches!(
            Seconds::parse("20"),
            Err(DurationParseError::MissingUnit(_))
        ));
        assert!(matches!(
            Seconds::parse("20x"),
            Err(DurationParseError::UnknownUnit { .. })
        ));
        assert!(matches!(
            Seconds::parse("-5s"),
            Err(DurationParseError::Malformed(_))
        ));
        assert!(matches!(
            Seconds::parse("s"),
            Err(DurationParseError::Malformed(_))
        ));
        assert!(matches!(
            Seconds::parse("1..2s"),
            Err(DurationParseError::Malformed(_))
        ));
    }

    #[test]
    fn displays_compactly() {
        assert_eq!(Seconds::parse("1h30m").unwrap().to_string(), "1h30m");
        assert_eq!(Seconds::parse("20s").unwrap().to_string(), "20s");
        assert_eq!(Seconds::parse("250ms").unwrap().to_string(), "0.25s");
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,12}") {
            let _ = Seconds::parse(&text);
        }

        #[test]
        fn whole_seconds_round_trip(secs in 1u32..10_000_000) {
            let value = Seconds::new(f64::from(secs)).unwrap();
            prop_assert_eq!(Seconds::parse(&value.to_string()), Ok(value));
        }
    }
}
