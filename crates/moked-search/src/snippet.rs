//! Highlighted excerpts: the part of the body that best matches the query,
//! HTML-escaped, with matched words in `<mark>…</mark>`.

use crate::error::SearchError;
use crate::schema::Fields;
use tantivy::Searcher;
use tantivy::query::Query;
use tantivy::snippet::{Snippet, SnippetGenerator};

/// Longest excerpt, in characters.
const MAX_SNIPPET_CHARS: usize = 200;
const MARK_OPEN: &str = "<mark>";
const MARK_CLOSE: &str = "</mark>";

/// Makes snippets for the hits of one query.
pub(crate) struct Highlighter {
    body: SnippetGenerator,
    title: SnippetGenerator,
}

impl Highlighter {
    pub fn new(
        searcher: &Searcher,
        query: &dyn Query,
        fields: &Fields,
    ) -> Result<Self, SearchError> {
        let generator = |field| -> Result<SnippetGenerator, SearchError> {
            let mut generator = SnippetGenerator::create(searcher, query, field)?;
            generator.set_max_num_chars(MAX_SNIPPET_CHARS);
            Ok(generator)
        };
        Ok(Highlighter {
            body: generator(fields.body)?,
            title: generator(fields.title)?,
        })
    }

    /// The excerpt of the body where the query matches; failing that, the
    /// matching title; failing that (a match on a phone or email), the start
    /// of the body.
    pub fn snippet(&self, title: &str, body: &str) -> String {
        let from_body = self.body.snippet(body);
        if !from_body.highlighted().is_empty() {
            return html(from_body);
        }
        let from_title = self.title.snippet(title);
        if !from_title.highlighted().is_empty() {
            return html(from_title);
        }
        html(from_body)
    }
}

fn html(mut snippet: Snippet) -> String {
    snippet.set_snippet_prefix_postfix(MARK_OPEN, MARK_CLOSE);
    snippet.to_html()
}
