//! Hebrew attached prefixes: ו ה ב כ ל מ ש and their combinations, written
//! as one word with the word they attach to (וכשהלקוח = ו + כש + ה + לקוח).
//!
//! At indexing time a Hebrew token is emitted as written and, at the same
//! position, once for every way of cutting a prefix off it, so a search for
//! the bare word finds every prefixed form. Without a dictionary a cut cannot
//! tell a prefix from a root letter (לקוח is itself ל + קוח to this filter),
//! so precision is kept by four rules:
//! - only prefix sequences Hebrew grammar allows are cut, in their order:
//!   ו, then one of ש כש מש לכש, then one of ב כ ל מ, then ה (so ולבית is cut
//!   but לוהבית is not);
//! - at most [`MAX_PREFIX_LETTERS`] letters are cut;
//! - at least [`MIN_STEM_LETTERS`] letters remain, so short words survive;
//! - queries are not expanded: the query side looks up the word as typed, so
//!   a search for הלקוח finds הלקוח, והלקוח and שהלקוח but not every לקוח.
//!
//! The extra tokens are at the same position as the written word, so
//! positions, phrase matching and snippets still refer to the real word.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The longest prefix cut off a word (לכשה, וכשה, ומשה ...).
pub const MAX_PREFIX_LETTERS: usize = 4;
/// The fewest letters left after a cut.
pub const MIN_STEM_LETTERS: usize = 2;

/// The prefix grammar: each stage is optional, at most one choice per stage,
/// stages in this order.
const STAGES: [&[&[char]]; 4] = [
    &[&['ו']],
    &[&['ש'], &['כ', 'ש'], &['מ', 'ש'], &['ל', 'כ', 'ש']],
    &[&['ב'], &['כ'], &['ל'], &['מ']],
    &[&['ה']],
];
/// The longest prefix sequence the grammar allows (ו + לכש + ב + ה).
const LONGEST_SEQUENCE: usize = 6;

/// The leading letters of a word and its length, without allocating: this
/// runs for every Hebrew word indexed.
struct Head {
    letters: [char; LONGEST_SEQUENCE],
    known: usize,
    total: usize,
}

impl Head {
    fn of(word: &str) -> Head {
        let mut letters = ['\0'; LONGEST_SEQUENCE];
        let mut total = 0;
        for c in word.chars() {
            if let Some(slot) = letters.get_mut(total) {
                *slot = c;
            }
            total += 1;
        }
        Head {
            letters,
            known: total.min(LONGEST_SEQUENCE),
            total,
        }
    }

    /// Bit `n` is set when a grammatical prefix sequence covers exactly the
    /// first `n` letters (bit 0, the empty sequence, always is).
    fn prefix_ends(&self) -> u8 {
        let letters = &self.letters[..self.known];
        let mut reach: u8 = 1;
        for choices in STAGES {
            let mut next = reach;
            for at in (0..=letters.len()).filter(|&at| reach & (1 << at) != 0) {
                for choice in choices {
                    if letters[at..].starts_with(choice) {
                        next |= 1 << (at + choice.len());
                    }
                }
            }
            reach = next;
        }
        reach
    }
}

/// Whether a whole token is nothing but a prefix sequence (the ה of ה-SIM).
pub(crate) fn is_prefix_only(word: &str) -> bool {
    let head = Head::of(word);
    head.total > 0 && head.total <= LONGEST_SEQUENCE && head.prefix_ends() & (1 << head.total) != 0
}

/// Where prefixes may be cut off a word: byte offsets, fewest letters cut
/// first.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cuts {
    offsets: [usize; MAX_PREFIX_LETTERS],
    len: usize,
}

impl Cuts {
    /// The offsets.
    pub fn as_slice(&self) -> &[usize] {
        &self.offsets[..self.len]
    }
}

/// Byte offsets in `word` where a prefix may be cut off, following the
/// rules of this module; none for non-Hebrew words.
pub fn prefix_cuts(word: &str) -> Cuts {
    let mut cuts = Cuts::default();
    if !word.starts_with(|c| ('א'..='ת').contains(&c)) {
        return cuts;
    }
    let head = Head::of(word);
    let ends = head.prefix_ends();
    let mut offset = 0;
    for end in 1..=MAX_PREFIX_LETTERS.min(head.known) {
        offset += head.letters[end - 1].len_utf8();
        if ends & (1 << end) != 0 && head.total >= end + MIN_STEM_LETTERS {
            cuts.offsets[cuts.len] = offset;
            cuts.len += 1;
        }
    }
    cuts
}

/// Token filter adding the prefix-stripped forms of Hebrew tokens.
#[derive(Clone, Copy, Debug, Default)]
pub struct HebrewPrefixFilter;

impl TokenFilter for HebrewPrefixFilter {
    type Tokenizer<T: Tokenizer> = HebrewPrefixTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> HebrewPrefixTokenizer<T> {
        HebrewPrefixTokenizer { inner: tokenizer }
    }
}

/// [`HebrewPrefixFilter`] applied to a tokenizer.
#[derive(Clone, Debug)]
pub struct HebrewPrefixTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for HebrewPrefixTokenizer<T> {
    type TokenStream<'a> = HebrewPrefixStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        HebrewPrefixStream {
            inner: self.inner.token_stream(text),
            written: String::new(),
            cuts: Cuts::default(),
            next_cut: 0,
        }
    }
}

/// The stream of [`HebrewPrefixTokenizer`]: after each Hebrew token it
/// rewrites the same token (same position and offsets) once per cut.
pub struct HebrewPrefixStream<S> {
    inner: S,
    /// The token as written, kept while its cut forms are emitted.
    written: String,
    cuts: Cuts,
    next_cut: usize,
}

impl<S: TokenStream> TokenStream for HebrewPrefixStream<S> {
    fn advance(&mut self) -> bool {
        if let Some(&cut) = self.cuts.as_slice().get(self.next_cut) {
            self.next_cut += 1;
            let token = self.inner.token_mut();
            token.text.clear();
            token.text.push_str(&self.written[cut..]);
            return true;
        }
        if !self.inner.advance() {
            return false;
        }
        let text = &self.inner.token().text;
        self.cuts = prefix_cuts(text);
        self.next_cut = 0;
        if self.cuts.len > 0 {
            self.written.clear();
            self.written.push_str(text);
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(word: &str) -> Vec<&str> {
        prefix_cuts(word)
            .as_slice()
            .iter()
            .map(|&cut| &word[cut..])
            .collect()
    }

    #[test]
    fn grammatical_sequences_are_cut() {
        assert_eq!(stems("וכשהלקוח"), ["כשהלקוח", "שהלקוח", "הלקוח", "לקוח"]);
        assert_eq!(stems("מהבית"), ["הבית", "בית"]);
    }

    #[test]
    fn out_of_order_letters_are_not_cut() {
        // ה before ל is not a prefix sequence: only the ה is cut.
        assert_eq!(stems("הלוואה"), ["לוואה"]);
        // One of ב כ ל מ at most: the second ב is the word's own.
        assert_eq!(stems("בבית"), ["בית"]);
        assert_eq!(stems("הוו"), ["וו"]);
    }

    #[test]
    fn short_words_keep_their_stem() {
        assert!(stems("בן").is_empty());
        assert_eq!(stems("בית"), ["ית"]);
        assert!(stems("account").is_empty());
    }

    #[test]
    fn prefix_only_words() {
        assert!(is_prefix_only("ה"));
        assert!(is_prefix_only("וב"));
        assert!(!is_prefix_only("בית"));
        assert!(!is_prefix_only(""));
    }
}
