//! The index schema: which fields exist, how each is indexed, and how a
//! [`SearchDoc`] becomes a tantivy document.

use crate::analyzer::INDEX_ANALYZER;
use crate::doc::{DocKind, Identifiers, SearchDoc};
use moked_domain::PhoneE164;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::{DateTime, TantivyDocument, Term};

/// The fields of the index.
#[derive(Clone, Debug)]
pub(crate) struct Fields {
    /// `kind:id`, the unit of replacement and deletion.
    pub key: Field,
    pub org: Field,
    pub kind: Field,
    pub id: Field,
    pub title: Field,
    pub body: Field,
    pub status: Field,
    pub queue: Field,
    pub team: Field,
    pub agent: Field,
    pub created: Field,
    /// E.164 digits without '+', and the local 0-form of Israeli numbers.
    pub phones: Field,
    pub emails: Field,
    pub id_numbers: Field,
}

impl Fields {
    /// Builds the schema and names its fields.
    pub fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        // Positions are not indexed: search is by words, and freqs are all
        // BM25 needs; positions would make bulk indexing slower and the
        // index larger.
        let text = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(INDEX_ANALYZER)
                    .set_index_option(IndexRecordOption::WithFreqs),
            )
            .set_stored();
        let date = DateOptions::from(INDEXED)
            .set_fast()
            .set_precision(DateTimePrecision::Seconds);
        let fields = Fields {
            key: builder.add_text_field("key", STRING),
            org: builder.add_i64_field("org", INDEXED),
            kind: builder.add_text_field("kind", STRING | STORED),
            id: builder.add_i64_field("id", STORED),
            title: builder.add_text_field("title", text.clone()),
            body: builder.add_text_field("body", text),
            status: builder.add_text_field("status", STRING),
            queue: builder.add_text_field("queue", STRING),
            team: builder.add_text_field("team", STRING),
            agent: builder.add_text_field("agent", STRING),
            created: builder.add_date_field("created", date),
            phones: builder.add_text_field("phones", STRING),
            emails: builder.add_text_field("emails", STRING),
            id_numbers: builder.add_text_field("id_numbers", STRING),
        };
        (builder.build(), fields)
    }

    /// The term naming one document, for replacement and deletion.
    pub fn key_term(&self, kind: DocKind, id: i64) -> Term {
        Term::from_field_text(self.key, &format!("{kind}:{id}"))
    }

    /// The tantivy document for `doc`.
    pub fn document(&self, doc: &SearchDoc) -> TantivyDocument {
        let view = doc.view();
        let mut out = TantivyDocument::new();
        out.add_text(self.key, format!("{}:{}", view.kind, view.id));
        out.add_i64(self.org, view.org);
        out.add_text(self.kind, view.kind.as_str());
        out.add_i64(self.id, view.id);
        out.add_text(self.title, view.title);
        out.add_text(self.body, view.body);
        if let Some(placement) = view.placement {
            let filters = [
                (self.status, &placement.status),
                (self.queue, &placement.queue),
                (self.team, &placement.team),
                (self.agent, &placement.agent),
            ];
            for (field, value) in filters {
                if let Some(value) = value {
                    out.add_text(field, value);
                }
            }
        }
        out.add_date(
            self.created,
            DateTime::from_timestamp_secs(view.created.as_second()),
        );
        self.add_identifiers(&mut out, view.identifiers);
        out
    }

    fn add_identifiers(&self, out: &mut TantivyDocument, identifiers: &Identifiers) {
        for phone in &identifiers.phones {
            for form in phone_terms(phone) {
                out.add_text(self.phones, form);
            }
        }
        for email in &identifiers.emails {
            out.add_text(self.emails, email.as_str().to_lowercase());
        }
        for id_number in &identifiers.id_numbers {
            out.add_text(self.id_numbers, id_number.as_str());
        }
    }
}

/// The terms a phone number is indexed under: its E.164 digits, and for an
/// Israeli number also the local form with the trunk 0, the way agents and
/// customers type it.
pub(crate) fn phone_terms(phone: &PhoneE164) -> Vec<String> {
    let digits = phone.as_str().trim_start_matches('+');
    let mut forms = vec![digits.to_owned()];
    if phone.is_israeli() {
        let national = &digits[3..];
        // Toll-free numbers (1-800-...) are dialled without the trunk 0.
        let trunk = if national.starts_with('1') { "" } else { "0" };
        forms.push(format!("{trunk}{national}"));
    }
    forms
}
