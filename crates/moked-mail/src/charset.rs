//! Character sets: which ones we can decode, which Hebrew ones are stored
//! in visual order, and RFC 2047 headers written in those.
//!
//! `mail-parser` decodes ISO-8859-8 bytes to the right letters but cannot
//! know the order they are in: plain `ISO-8859-8` (and its aliases) is
//! visual order by definition (RFC 1556), `ISO-8859-8-i` is logical. Headers
//! whose encoded words use a visual charset are decoded here word by word so
//! that only those words are reordered.

use crate::visual::visual_to_logical;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::parsers::MessageStream;

/// Names of UTF-8, which `mail-parser` decodes without a table.
const UTF8_NAMES: &[&str] = &[
    "utf-8",
    "utf8",
    "unicode-1-1-utf-8",
    "unicode11utf8",
    "unicode20utf8",
    "x-unicode20utf8",
];

/// Aliases of ISO-8859-8 in visual order (not `-i`, not `-e`).
const VISUAL_NAMES: &[&str] = &[
    "iso-8859-8",
    "iso8859-8",
    "iso88598",
    "iso-8859-8:1988",
    "iso-ir-138",
    "visual",
    "hebrew",
    "csisolatinhebrew",
];

fn normalized(name: &str) -> String {
    name.trim()
        .trim_matches('"')
        .to_ascii_lowercase()
        .replace('_', "-")
}

/// Whether text in this charset can be decoded.
pub fn is_known(name: &str) -> bool {
    let name = normalized(name);
    UTF8_NAMES.contains(&name.as_str()) || charset_decoder(name.as_bytes()).is_some()
}

/// Whether this charset stores Hebrew in visual order.
pub fn is_visual(name: &str) -> bool {
    VISUAL_NAMES.contains(&normalized(name).as_str())
}

/// Whether a raw header value has an encoded word in a visual charset.
pub fn has_visual_word(raw: &str) -> bool {
    encoded_words(raw).any(|word| word.charset.is_some_and(is_visual))
}

/// Decodes the RFC 2047 encoded words of a raw header value, putting the
/// words in a visual charset into logical order. Whitespace between two
/// encoded words is dropped, as RFC 2047 says; other text is kept.
pub fn decode_header_words(raw: &str) -> String {
    let unfolded = raw.replace("\r\n", "").replace('\n', "");
    let mut out = String::with_capacity(unfolded.len());
    let mut pending_space = String::new();
    let mut previous_was_word = false;
    for piece in encoded_words(&unfolded) {
        match piece.charset {
            Some(charset) => {
                if !previous_was_word {
                    out.push_str(&pending_space);
                }
                out.push_str(&decode_word(piece.text, charset));
                previous_was_word = true;
                pending_space.clear();
            }
            None if piece.text.trim().is_empty() => pending_space.push_str(piece.text),
            None => {
                out.push_str(&pending_space);
                out.push_str(piece.text);
                pending_space.clear();
                previous_was_word = false;
            }
        }
    }
    out.push_str(&pending_space);
    out.trim().to_owned()
}

fn decode_word(word: &str, charset: &str) -> String {
    // MessageStream expects the word without its leading '='.
    match MessageStream::new(&word.as_bytes()[1..]).decode_rfc2047() {
        Some(text) if is_visual(charset) => visual_to_logical(&text),
        Some(text) => text,
        None => word.to_owned(),
    }
}

/// A stretch of a header: an encoded word (with its charset) or plain text.
struct Piece<'a> {
    text: &'a str,
    charset: Option<&'a str>,
}

fn encoded_words(raw: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = raw;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match find_word(rest) {
            Some((0, len, charset)) => {
                let (text, tail) = rest.split_at(len);
                rest = tail;
                Some(Piece {
                    text,
                    charset: Some(&text[2..2 + charset]),
                })
            }
            Some((start, _, _)) => {
                let (text, tail) = rest.split_at(start);
                rest = tail;
                Some(Piece {
                    text,
                    charset: None,
                })
            }
            None => {
                let text = std::mem::take(&mut rest);
                Some(Piece {
                    text,
                    charset: None,
                })
            }
        }
    })
}

/// Finds the next `=?charset?E?text?=`: its start, length and the length of
/// its charset name.
fn find_word(text: &str) -> Option<(usize, usize, usize)> {
    let mut from = 0;
    while let Some(offset) = text[from..].find("=?") {
        let start = from + offset;
        if let Some((len, charset)) = word_at(&text[start..]) {
            return Some((start, len, charset));
        }
        from = start + 2;
    }
    None
}

fn word_at(text: &str) -> Option<(usize, usize)> {
    let inner = &text[2..];
    let charset = inner.find('?')?;
    let after_charset = &inner[charset + 1..];
    let mut chars = after_charset.chars();
    if !matches!(chars.next(), Some('q' | 'Q' | 'b' | 'B')) || chars.next() != Some('?') {
        return None;
    }
    let payload = &after_charset[2..];
    let end = payload.find("?=")?;
    if charset == 0 || payload[..end].contains(' ') {
        return None;
    }
    Some((2 + charset + 1 + 2 + end + 2, charset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets_are_known_or_not() {
        for name in [
            "UTF-8",
            "windows-1255",
            "ISO-8859-8-i",
            "iso-8859-8",
            "us-ascii",
        ] {
            assert!(is_known(name), "{name}");
        }
        assert!(!is_known("x-klingon"));
        assert!(is_visual("ISO-8859-8") && is_visual("iso_8859-8"));
        assert!(!is_visual("ISO-8859-8-I") && !is_visual("windows-1255"));
    }

    #[test]
    fn a_visual_subject_is_put_in_logical_order() {
        // "שלום" stored visually is "םולש": ISO-8859-8 bytes ED E5 EC F9.
        let raw = "=?iso-8859-8?Q?=ED=E5=EC=F9?= =?iso-8859-8-i?Q?=F9=EC=E5=ED?=";
        assert!(has_visual_word(raw));
        assert_eq!(decode_header_words(raw), "שלוםשלום");
    }

    #[test]
    fn plain_text_between_words_is_kept() {
        assert_eq!(
            decode_header_words("Re: =?iso-8859-8?B?7eXs+Q==?= [#12]"),
            "Re: שלום [#12]"
        );
    }

    #[test]
    fn broken_words_stay_as_written() {
        assert_eq!(
            decode_header_words("=?iso-8859-8?X?abc?= =?"),
            "=?iso-8859-8?X?abc?= =?"
        );
        assert!(!has_visual_word("no words"));
    }
}
