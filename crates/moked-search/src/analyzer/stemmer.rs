//! English stemming: the Snowball English stemmer (the one tantivy's
//! `Stemmer` filter wraps), applied only to words that start with a Latin
//! letter. Hebrew words pass through Snowball English unchanged anyway, and
//! running it over them was the largest single cost of indexing Hebrew text.

use rust_stemmers::{Algorithm, Stemmer};
use std::borrow::Cow;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Token filter stemming English words.
#[derive(Clone, Copy, Debug, Default)]
pub struct EnglishStemmer;

impl TokenFilter for EnglishStemmer {
    type Tokenizer<T: Tokenizer> = EnglishStemmerTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> EnglishStemmerTokenizer<T> {
        EnglishStemmerTokenizer { inner: tokenizer }
    }
}

/// [`EnglishStemmer`] applied to a tokenizer.
#[derive(Clone, Debug)]
pub struct EnglishStemmerTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for EnglishStemmerTokenizer<T> {
    type TokenStream<'a> = EnglishStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        EnglishStemmerStream {
            inner: self.inner.token_stream(text),
            stemmer: Stemmer::create(Algorithm::English),
        }
    }
}

/// The stream of [`EnglishStemmerTokenizer`].
pub struct EnglishStemmerStream<S> {
    inner: S,
    stemmer: Stemmer,
}

impl<S: TokenStream> TokenStream for EnglishStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        if token.text.starts_with(|c: char| c.is_ascii_alphabetic())
            && let Cow::Owned(stem) = self.stemmer.stem(&token.text)
        {
            token.text = stem;
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
