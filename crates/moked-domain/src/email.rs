//! Email addresses, validated pragmatically: what a person can type into a
//! pre-chat form and a mail server will accept, not the whole of RFC 5322
//! (no quoted local parts, no comments, no IP-literal domains).
//!
//! The domain is lowercased because it is case-insensitive; the local part
//! is kept as written because some servers treat its case as significant.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Longest address a mail server must accept (RFC 5321 path limit minus
/// the angle brackets).
const MAX_ADDRESS: usize = 254;
/// Longest local part (RFC 5321).
const MAX_LOCAL: usize = 64;
/// Longest domain label (RFC 1035).
const MAX_LABEL: usize = 63;

/// Why an email address was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailParseError {
    /// Nothing was given.
    #[error("the email address is empty")]
    Empty,
    /// More than 254 characters.
    #[error("an email address has at most {MAX_ADDRESS} characters")]
    TooLong,
    /// No '@' between a local part and a domain.
    #[error("an email address needs one '@' between a name and a domain")]
    MissingAt,
    /// The part before '@' is empty, too long or has a forbidden character.
    #[error("the part before '@' is not valid: {0}")]
    BadLocalPart(&'static str),
    /// The part after '@' is not a domain name.
    #[error("the domain after '@' is not valid: {0}")]
    BadDomain(&'static str),
}

/// A validated email address with a lowercase domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address, trimming surrounding whitespace.
    pub fn parse(input: &str) -> Result<Self, EmailParseError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailParseError::Empty);
        }
        if trimmed.chars().count() > MAX_ADDRESS {
            return Err(EmailParseError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailParseError::MissingAt)?;
        check_local_part(local)?;
        let domain = domain.to_lowercase();
        check_domain(&domain)?;
        Ok(EmailAddress(format!("{local}@{domain}")))
    }

    /// The address as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain, lowercase.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

fn check_local_part(local: &str) -> Result<(), EmailParseError> {
    use EmailParseError::BadLocalPart;
    if local.is_empty() {
        return Err(BadLocalPart("it is empty"));
    }
    if local.chars().count() > MAX_LOCAL {
        return Err(BadLocalPart("it is longer than 64 characters"));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(BadLocalPart("dots cannot start, end or repeat"));
    }
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "@<>()[],;:\"\\".contains(c);
    if local.chars().any(forbidden) {
        return Err(BadLocalPart("it contains a space or a reserved character"));
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), EmailParseError> {
    use EmailParseError::BadDomain;
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(BadDomain("it needs a dot, as in example.co.il"));
    }
    for label in &labels {
        if label.is_empty() || label.chars().count() > MAX_LABEL {
            return Err(BadDomain("a part between dots is empty or too long"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(BadDomain("a part cannot start or end with '-'"));
        }
        if !label.chars().all(|c| c.is_alphanumeric() || c == '-') {
            return Err(BadDomain("only letters, digits, '-' and dots are allowed"));
        }
    }
    let top_level = labels[labels.len() - 1];
    if top_level.chars().all(|c| c.is_ascii_digit()) {
        return Err(BadDomain("the last part cannot be a number"));
    }
    Ok(())
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for EmailAddress {
    type Err = EmailParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EmailAddress::parse(s)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailParseError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        EmailAddress::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lowercases_the_domain_only() {
        let email = EmailAddress::parse(" Dana.Levi@Example.CO.IL ").unwrap();
        assert_eq!(email.as_str(), "Dana.Levi@example.co.il");
        assert_eq!(email.domain(), "example.co.il");
    }

    #[test]
    fn accepts_plus_tags_and_hebrew_addresses() {
        assert!(EmailAddress::parse("moshe+billing@cellcom.co.il").is_ok());
        let hebrew = EmailAddress::parse("דנה@דוגמה.ישראל").unwrap();
        assert_eq!(hebrew.domain(), "דוגמה.ישראל");
    }

    #[test]
    fn rejects_with_a_reason() {
        use EmailParseError::*;
        assert_eq!(EmailAddress::parse("  "), Err(Empty));
        assert_eq!(EmailAddress::parse("דנה לוי"), Err(MissingAt));
        assert!(matches!(
            EmailAddress::parse("@example.com"),
            Err(BadLocalPart(_))
        ));
        assert!(matches!(
            EmailAddress::parse("dana levi@example.com"),
            Err(BadLocalPart(_))
        ));
        assert!(matches!(
            EmailAddress::parse("dana..levi@example.com"),
            Err(BadLocalPart(_))
        ));
        assert!(matches!(
            EmailAddress::parse("dana@localhost"),
            Err(BadDomain(_))
        ));
        assert!(matches!(
            EmailAddress::parse("dana@-bad.co.il"),
            Err(BadDomain(_))
        ));
        assert!(matches!(
            EmailAddress::parse("dana@example..com"),
            Err(BadDomain(_))
        ));
        assert!(matches!(
            EmailAddress::parse("dana@10.0.0.1"),
            Err(BadDomain(_))
        ));
        assert!(matches!(
            EmailAddress::parse("<script>@x.com"),
            Err(BadLocalPart(_))
        ));
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(TooLong));
    }

    proptest! {
        #[test]
        fn simple_addresses_round_trip(local in "[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]", domain in "[A-Za-z][A-Za-z0-9]{0,10}\\.(co\\.il|com|org\\.il)") {
            prop_assume!(!local.contains(".."));
            let email = EmailAddress::parse(&format!("{local}@{domain}")).unwrap();
            prop_assert_eq!(email.domain(), domain.to_lowercase());
            prop_assert_eq!(EmailAddress::parse(email.as_str()).unwrap(), email.clone());
        }

        #[test]
        fn never_panics(input in "\\PC{0,40}") {
            let _ = EmailAddress::parse(&input);
        }
    }
}
