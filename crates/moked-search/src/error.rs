//! Errors of the search index.

/// Why an index operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index directory could not be created.
    #[error("cannot create the search index directory {dir}: {source}")]
    CreateDir {
        /// The directory.
        dir: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The index directory could not be opened or created.
    #[error("cannot open the search index in {dir}: {source}")]
    Open {
        /// The directory.
        dir: String,
        /// What tantivy said.
        source: tantivy::TantivyError,
    },
    /// A writer configuration tantivy cannot run with.
    #[error("invalid search index configuration: {0}")]
    InvalidConfig(&'static str),
    /// Another process (a running server) holds the index's writer.
    #[error("the search index in {dir} is in use by another process")]
    InUse {
        /// The directory.
        dir: String,
    },
    /// A query field out of its bounds.
    #[error("invalid search {field}: {reason}")]
    InvalidQuery {
        /// Which part of the query.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing the index failed.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A stored document lacks a field every document has: the index was
    /// written by something else.
    #[error("search index holds a document without its {0} field")]
    Corrupt(&'static str),
}
