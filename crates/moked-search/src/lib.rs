//! Full-text search over tickets, messages and customers, in Hebrew and
//! English, on an embedded tantivy index.
//!
//! - [`analyzer`]: our Hebrew and English analyzer (niqqud, final letters,
//!   geresh and gershayim, attached prefixes, English stemming).

pub mod analyzer;
