//! The word splitter for Hebrew, English and text mixing both.
//!
//! A word is a run of letters and digits, lowercased; niqqud, cantillation and quote
//! marks inside it are dropped (see [`super::letters`]). Where Hebrew meets
//! another script inside a run the word is split there, because Hebrew
//! glues prefixes and suffixes to foreign words and numbers ("בiPhone",
//! "ה-SIM", "ב-5G"); a Hebrew piece that is nothing but a prefix and is glued
//! to a foreign word that way is dropped, so "בiPhone" is the one token
//! "iPhone". Letters and digits of other scripts stay together ("5G",
//! "iPhone15").

use super::letters::{CharClass, classify, is_joining_hyphen};
use super::prefix::is_prefix_only;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Splits text into words; see the module documentation.
#[derive(Clone, Debug, Default)]
pub struct HebrewTokenizer {
    /// Tokens of the last text, reused between texts so indexing does not
    /// allocate a string per word.
    tokens: Vec<Token>,
}

/// The tokens of one text.
pub struct HebrewTokenStream<'a> {
    tokens: &'a mut [Token],
    /// Index of the current token plus one; 0 before the first advance.
    next: usize,
}

impl Tokenizer for HebrewTokenizer {
    type TokenStream<'a> = HebrewTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> HebrewTokenStream<'a> {
        let count = Splitter::new(&mut self.tokens).split(text);
        HebrewTokenStream {
            tokens: &mut self.tokens[..count],
            next: 0,
        }
    }
}

impl TokenStream for HebrewTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next.saturating_sub(1)]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next.saturating_sub(1)]
    }
}

/// The word being built.
struct Open {
    hebrew: bool,
}

/// One pass of splitting, writing into the reused token buffer.
struct Splitter<'b> {
    tokens: &'b mut Vec<Token>,
    count: usize,
    open: Option<Open>,
}

impl<'b> Splitter<'b> {
    fn new(tokens: &'b mut Vec<Token>) -> Self {
        Splitter {
            tokens,
            count: 0,
            open: None,
        }
    }

    /// Splits `text` and returns how many tokens the buffer now holds.
    fn split(mut self, text: &str) -> usize {
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let end = at + c.len_utf8();
            match classify(c) {
                CharClass::Hebrew(letter) => self.letter(letter, true, at, end),
                CharClass::Other(letter) => self.letter(letter, false, at, end),
                CharClass::Ignorable => self.extend(end),
                CharClass::Separator => {
                    let glued_to_foreign = is_joining_hyphen(c)
                        && chars.peek().is_some_and(|&(_, next)| {
                            matches!(classify(next), CharClass::Other(_))
                        });
                    self.close(glued_to_foreign);
                }
            }
        }
        self.close(false);
        self.count
    }

    fn letter(&mut self, letter: char, hebrew: bool, at: usize, end: usize) {
        match &self.open {
            Some(open) if open.hebrew == hebrew => {}
            Some(open) => {
                let glued_to_foreign = open.hebrew && !hebrew;
                self.close(glued_to_foreign);
                self.start(hebrew, at);
            }
            None => self.start(hebrew, at),
        }
        let token = &mut self.tokens[self.count];
        // Lowercasing here, while the word is built, saves a pass over
        // every token; Hebrew has no case.
        if letter.is_ascii() {
            token.text.push(letter.to_ascii_lowercase());
        } else if hebrew {
            token.text.push(letter);
        } else {
            token.text.extend(letter.to_lowercase());
        }
        token.offset_to = end;
    }

    fn start(&mut self, hebrew: bool, at: usize) {
        if self.count == self.tokens.len() {
            self.tokens.push(Token::default());
        }
        let token = &mut self.tokens[self.count];
        token.reset();
        token.offset_from = at;
        token.offset_to = at;
        token.position = self.count;
        self.open = Some(Open { hebrew });
    }

    /// Marks inside a word stretch its offsets so highlights cover them.
    fn extend(&mut self, end: usize) {
        if self.open.is_some() {
            self.tokens[self.count].offset_to = end;
        }
    }

    /// Ends the open word; `glued_to_foreign` says a foreign word follows
    /// it directly or after a hyphen, which makes a lone prefix droppable.
    fn close(&mut self, glued_to_foreign: bool) {
        let Some(open) = self.open.take() else {
            return;
        };
        let token = &self.tokens[self.count];
        if open.hebrew && glued_to_foreign && is_prefix_only(&token.text) {
            return;
        }
        self.count += 1;
    }
}
