//! How the tokenizer sees each character of Hebrew and mixed text.
//!
//! Niqqud and cantillation marks are dropped so that pointed and unpointed
//! spellings meet; the five final letters are folded to their ordinary forms
//! so that a word cut by a prefix or written without its final form still
//! matches; quote marks (ASCII, geresh, gershayim, typographic) are ignored
//! inside words so that צה"ל, צה״ל and צהל are one word.

/// What the tokenizer does with one character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CharClass {
    /// A Hebrew letter, already folded to its non-final form.
    Hebrew(char),
    /// A letter or digit of any other script, kept as written (lowercasing
    /// comes later, in its own filter).
    Other(char),
    /// Part of a word but not of its token: niqqud, cantillation, quotes.
    Ignorable,
    /// Ends a word.
    Separator,
}

/// Classifies one character.
pub(crate) fn classify(c: char) -> CharClass {
    match c {
        'א'..='ת' => CharClass::Hebrew(fold_final(c)),
        '\u{0591}'..='\u{05C7}' if is_point_or_accent(c) => CharClass::Ignorable,
        '"' | '\'' | '\u{05F3}' | '\u{05F4}' | '\u{2018}' | '\u{2019}' | '\u{201C}'
        | '\u{201D}' => CharClass::Ignorable,
        // Yiddish ligatures are letters of Hebrew script.
        '\u{05F0}'..='\u{05F2}' => CharClass::Hebrew(c),
        // Soft hyphen and zero-width joiners hide inside copied text.
        '\u{00AD}' | '\u{200C}' | '\u{200D}' => CharClass::Ignorable,
        _ if c.is_alphanumeric() => CharClass::Other(c),
        _ => CharClass::Separator,
    }
}

/// Whether a character of the Hebrew points block is a mark on a letter
/// rather than punctuation: maqaf, paseq, sof pasuq and the inverted nun
/// separate words and so are not marks.
fn is_point_or_accent(c: char) -> bool {
    !matches!(c, '\u{05BE}' | '\u{05C0}' | '\u{05C3}' | '\u{05C6}')
}

/// Maps a final letter to its ordinary form; other letters are unchanged.
pub(crate) fn fold_final(c: char) -> char {
    match c {
        'ך' => 'כ',
        'ם' => 'מ',
        'ן' => 'נ',
        'ף' => 'פ',
        'ץ' => 'צ',
        other => other,
    }
}

/// Whether a character joins a Hebrew prefix to the word after it
/// ("ה-SIM", "ב־2025"): a hyphen or the Hebrew maqaf.
pub(crate) fn is_joining_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{05BE}' | '\u{2010}' | '\u{2011}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finals_fold_and_marks_are_ignorable() {
        assert_eq!(classify('ם'), CharClass::Hebrew('מ'));
        assert_eq!(classify('\u{05B8}'), CharClass::Ignorable); // qamats
        assert_eq!(classify('\u{0591}'), CharClass::Ignorable); // etnahta
        assert_eq!(classify('\u{05BE}'), CharClass::Separator); // maqaf
        assert_eq!(classify('״'), CharClass::Ignorable);
        assert_eq!(classify('a'), CharClass::Other('a'));
        assert_eq!(classify('7'), CharClass::Other('7'));
        assert_eq!(classify(','), CharClass::Separator);
    }
}
