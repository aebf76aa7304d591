//! What a search asks for, and how it becomes a tantivy query.
//!
//! Text that parses as a phone number, an email address or an Israeli
//! identity number is looked up exactly in those fields (a number that could
//! be a phone or an ID is tried as both), and also as words, since the same
//! digits may be written in a message; an exact match ranks first. Other
//! text is words: every word must appear in the title or the body, ranked by
//! BM25 with the title counting more. There is no query syntax, so no query can be malformed:
//! quotes, colons and brackets are just characters the analyzer drops.

use crate::analyzer::tokens_by_position;
use crate::error::SearchError;
use crate::schema::{Fields, phone_terms};
use jiff::Timestamp;
use moked_domain::{EmailAddress, IsraeliId, PhoneE164};
use std::ops::Bound;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DateTime, Term};

/// The most hits one search returns.
pub const MAX_LIMIT: usize = 1000;
/// The longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1000;
/// How much more a word in the title counts than one in the body.
const TITLE_BOOST: f32 = 2.0;
/// How much an exact phone, email or ID match counts over the same digits
/// found as words.
const IDENTIFIER_BOOST: f32 = 10.0;
/// Fewest digits in text taken for a phone number.
const MIN_PHONE_DIGITS: usize = 7;
/// Fewest digits taken for an identity number: shorter numbers are ticket
/// numbers and amounts far more often, and pass the check digit by chance.
const MIN_ID_DIGITS: usize = 8;

/// A search: text, filters and how many hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// What the user typed.
    pub text: String,
    /// Only documents matching every filter given.
    pub filters: Filters,
    /// Most hits returned, 1 to [`MAX_LIMIT`].
    pub limit: usize,
}

impl SearchQuery {
    /// A search for `text` with no filters and a limit of 20.
    pub fn text(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            filters: Filters::default(),
            limit: 20,
        }
    }
}

/// Filters of a search; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Ticket status.
    pub status: Option<String>,
    /// Queue id.
    pub queue: Option<String>,
    /// Team id.
    pub team: Option<String>,
    /// Agent id.
    pub agent: Option<String>,
    /// Created at or after.
    pub created_from: Option<Timestamp>,
    /// Created before.
    pub created_until: Option<Timestamp>,
}

/// Checks a query's limits before any work is done.
pub(crate) fn validate(query: &SearchQuery) -> Result<(), SearchError> {
    if query.limit == 0 || query.limit > MAX_LIMIT {
        return Err(SearchError::InvalidQuery {
            field: "limit",
            reason: format!("must be 1 to {MAX_LIMIT}, not {}", query.limit),
        });
    }
    if query.text.len() > MAX_QUERY_BYTES {
        return Err(SearchError::InvalidQuery {
            field: "text",
            reason: format!("at most {MAX_QUERY_BYTES} bytes"),
        });
    }
    if let (Some(from), Some(until)) = (query.filters.created_from, query.filters.created_until)
        && from > until
    {
        return Err(SearchError::InvalidQuery {
            field: "created_from",
            reason: "is after created_until".to_owned(),
        });
    }
    Ok(())
}

/// Which organization's documents a search may see.
pub(crate) enum Scope {
    /// Only this organization's: the index holds others too.
    Org(i64),
    /// All of them: every document in the index is the searching
    /// organization's (the usual single-organization installation), so the
    /// organization clause, which would be intersected with every posting
    /// list, is left out.
    Everything,
}

/// The term every document of `org` carries.
pub(crate) fn org_term(fields: &Fields, org: i64) -> Term {
    Term::from_field_i64(fields.org, org)
}

/// The tantivy query for `query` within `scope`, or `None` when the text
/// has nothing to search for.
pub(crate) fn build(
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
    scope: Scope,
    query: &SearchQuery,
) -> Option<Box<dyn Query>> {
    let matcher = match (
        identifier_query(fields, &query.text),
        words_query(fields, analyzer, &query.text),
    ) {
        (Some(identifier), Some(words)) => Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(BoostQuery::new(identifier, IDENTIFIER_BOOST)) as Box<dyn Query>,
            ),
            (Occur::Should, words),
        ])),
        (identifier, words) => identifier.or(words)?,
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, matcher)];
    if let Scope::Org(org) = scope {
        clauses.push((Occur::Must, exact(org_term(fields, org))));
    }
    clauses.extend(filter_clauses(fields, &query.filters));
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// A filter: matches or not, adds nothing to the score.
fn exact(term: Term) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        0.0,
    ))
}

/// An exact identifier match: a constant score, boosted above word matches
/// by the caller.
fn identifier(term: Term) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        1.0,
    ))
}

fn any_of(terms: Vec<Term>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        terms
            .into_iter()
            .map(|t| (Occur::Should, identifier(t)))
            .collect(),
    ))
}

/// A lookup by phone, email or identity number when the text is one.
fn identifier_query(fields: &Fields, text: &str) -> Option<Box<dyn Query>> {
    let text = text.trim();
    if text.contains('@') {
        let email = EmailAddress::parse(text).ok()?;
        let term = Term::from_field_text(fields.emails, &email.as_str().to_lowercase());
        return Some(identifier(term));
    }
    let mut terms = Vec::new();
    if let Some(phone) = parse_phone(text) {
        terms.extend(
            phone_terms(&phone)
                .iter()
                .map(|form| Term::from_field_text(fields.phones, form)),
        );
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if digits >= MIN_ID_DIGITS
        && let Ok(id_number) = IsraeliId::parse(text)
    {
        terms.push(Term::from_field_text(fields.id_numbers, id_number.as_str()));
    }
    (!terms.is_empty()).then(|| any_of(terms))
}

/// A phone number in any of the forms people type, including the
/// international digits without '+' ("972501234567").
fn parse_phone(text: &str) -> Option<PhoneE164> {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if digits < MIN_PHONE_DIGITS {
        return None;
    }
    PhoneE164::parse(text).ok().or_else(|| {
        let bare = text.trim_start();
        (bare.starts_with("972")).then(|| PhoneE164::parse(&format!("+{bare}")).ok())?
    })
}

/// Every word in the title or the body.
fn words_query(fields: &Fields, analyzer: &mut TextAnalyzer, text: &str) -> Option<Box<dyn Query>> {
    let words = tokens_by_position(analyzer, text);
    let clauses: Vec<(Occur, Box<dyn Query>)> = words
        .into_iter()
        .filter_map(|forms| forms.into_iter().next())
        .map(|word| (Occur::Must, word_query(fields, &word)))
        .collect();
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

fn word_query(fields: &Fields, word: &str) -> Box<dyn Query> {
    let scored = |field: Field| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, word),
            IndexRecordOption::WithFreqs,
        ))
    };
    Box::new(BooleanQuery::new(vec![
        (
            Occur::Should,
            Box::new(BoostQuery::new(scored(fields.title), TITLE_BOOST)),
        ),
        (Occur::Should, scored(fields.body)),
    ]))
}

fn filter_clauses(fields: &Fields, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = [
        (fields.status, &filters.status),
        (fields.queue, &filters.queue),
        (fields.team, &filters.team),
        (fields.agent, &filters.agent),
    ]
    .into_iter()
    .filter_map(|(field, value)| {
        value
            .as_ref()
            .map(|v| (Occur::Must, exact(Term::from_field_text(field, v))))
    })
    .collect();
    if filters.created_from.is_some() || filters.created_until.is_some() {
        let bound = |at: Option<Timestamp>, make: fn(Term) -> Bound<Term>| match at {
            Some(at) => make(Term::from_field_date(
                fields.created,
                DateTime::from_timestamp_secs(at.as_second()),
            )),
            None => Bound::Unbounded,
        };
        let range = RangeQuery::new(
            bound(filters.created_from, Bound::Included),
            bound(filters.created_until, Bound::Excluded),
        );
        clauses.push((Occur::Must, Box::new(range)));
    }
    clauses
}
