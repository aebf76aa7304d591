//! The demo logins' password: generated when none is given, checked when
//! chosen (`--password`).

use super::DemoError;

/// Letters and digits that cannot be misread for one another (no 0/O, 1/l/I),
/// so a password read off a terminal can be typed.
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Length of a generated password: 12 × log2(56) ≈ 70 bits.
const GENERATED_LENGTH: usize = 12;
/// The shortest password `--password` may set.
pub const MIN_LENGTH: usize = 8;

/// A fresh random password from the operating system's generator.
pub fn generate() -> Result<String, DemoError> {
    let mut bytes = [0u8; GENERATED_LENGTH];
    getrandom::fill(&mut bytes).map_err(|error| DemoError::Password(error.to_string()))?;
    // 256 is not a multiple of 56: the first 32 characters are slightly more
    // likely, which costs under a tenth of a bit per character.
    Ok(bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
        .collect())
}

/// Checks a chosen password is usable.
pub fn check(password: &str) -> Result<(), DemoError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(DemoError::Password(format!(
            "the demo password needs at least {MIN_LENGTH} characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_unambiguous_and_differ() {
        let first = generate().unwrap();
        let second = generate().unwrap();
        assert_eq!(first.len(), GENERATED_LENGTH);
        assert!(first.bytes().all(|b| ALPHABET.contains(&b)), "{first}");
        assert_ne!(first, second);
    }

    #[test]
    fn a_short_password_is_refused_and_a_long_hebrew_one_accepted() {
        assert!(matches!(check("קצר"), Err(DemoError::Password(_))));
        check("סיסמה-ארוכה").unwrap();
    }
}
