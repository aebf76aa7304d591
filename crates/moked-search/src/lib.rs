//! Full-text search over tickets, messages and customers, in Hebrew and
//! English, on an embedded tantivy index.
//!
//! - [`analyzer`]: our Hebrew and English analyzer (niqqud, final letters,
//!   geresh and gershayim, attached prefixes, English stemming).
//! - [`SearchIndex`]: one index per installation in a directory; documents
//!   ([`TicketDoc`], [`MessageDoc`], [`CustomerDoc`]) are upserted, deleted
//!   and committed; a search is always within one organization and returns
//!   [`Hit`]s with highlighted snippets.
//! - [`SearchQuery`]: text (words, or a phone, email or ID number looked up
//!   exactly) and filters (status, queue, team, agent, creation dates).
//! - [`generator`]: deterministic realistic tickets for the benchmarks.

pub mod analyzer;
mod doc;
mod error;
pub mod generator;
mod index;
mod query;
mod schema;
mod snippet;

pub use doc::{
    CustomerDoc, DocKind, Identifiers, MessageDoc, Placement, SearchDoc, TicketDoc, UnknownKind,
};
pub use error::SearchError;
pub use index::{Hit, SearchIndex, WriterConfig};
pub use query::{Filters, MAX_LIMIT, MAX_QUERY_BYTES, SearchQuery};
