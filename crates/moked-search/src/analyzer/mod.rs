//! The Hebrew and English analyzer, written on tantivy's tokenizer API.
//!
//! Indexing chain: [`HebrewTokenizer`] (words, lowercased; niqqud and
//! cantillation stripped, final letters folded, quotes and geresh/gershayim
//! ignored inside words, Hebrew split from other scripts) →
//! [`EnglishStemmer`] (Snowball English, Latin words only) →
//! [`HebrewPrefixFilter`] (the word again without its attached prefixes, at
//! the same position).
//!
//! The query chain is the same without the prefix filter; see
//! [`prefix`] for why queries are not expanded.

mod letters;
pub mod prefix;
mod stemmer;
mod tokenizer;

pub use prefix::HebrewPrefixFilter;
pub use stemmer::EnglishStemmer;
pub use tokenizer::HebrewTokenizer;

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

/// Name under which the indexing analyzer is registered in an index.
pub const INDEX_ANALYZER: &str = "moked_he_en";
/// Name under which the query analyzer is registered in an index.
pub const QUERY_ANALYZER: &str = "moked_he_en_query";

/// The analyzer used when indexing text.
pub fn index_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(HebrewTokenizer::default())
        .filter(EnglishStemmer)
        .filter(HebrewPrefixFilter)
        .build()
}

/// The analyzer used on query text.
pub fn query_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(HebrewTokenizer::default())
        .filter(EnglishStemmer)
        .build()
}

/// The tokens of `text`, grouped by position: each group holds the word as
/// indexed first, then its other forms at that position.
pub fn tokens_by_position(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        match groups.get_mut(token.position) {
            Some(group) => group.push(token.text.clone()),
            None => groups.push(vec![token.text.clone()]),
        }
    }
    groups
}
