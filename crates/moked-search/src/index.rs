//! The search index of one installation: a tantivy index in a directory,
//! every organization's documents in it, every search scoped to one
//! organization.

use crate::analyzer::{INDEX_ANALYZER, QUERY_ANALYZER, index_analyzer, query_analyzer};
use crate::doc::{DocKind, SearchDoc};
use crate::error::SearchError;
use crate::query::{self, Scope, SearchQuery};
use crate::schema::Fields;
use crate::snippet::Highlighter;
use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::indexer::NoMergePolicy;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument,
};

/// Memory the writer of a running server may use before it flushes a
/// segment.
const DEFAULT_WRITER_MEMORY: usize = 64 << 20;

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// What was found.
    pub kind: DocKind,
    /// Its id.
    pub id: i64,
    /// Subject or customer name, plain text.
    pub title: String,
    /// An excerpt with the matched words in `<mark>…</mark>` and everything
    /// else HTML-escaped.
    pub snippet: String,
    /// BM25 score; higher is better.
    pub score: f32,
}

/// How the writer indexes: threads and memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterConfig {
    /// Indexing threads.
    pub threads: usize,
    /// Memory shared by the threads before segments are flushed, in bytes.
    pub memory_bytes: usize,
    /// Whether segments are merged in the background; off for a bulk
    /// rebuild, where merging competes with indexing for the cores.
    pub merge: bool,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            threads: 1,
            memory_bytes: DEFAULT_WRITER_MEMORY,
            merge: true,
        }
    }
}

/// The search index of an installation.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index
    /// if needed.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        Self::open_with(dir, WriterConfig::default())
    }

    /// Opens the index with a writer configured for bulk work.
    pub fn open_with(dir: &Path, config: WriterConfig) -> Result<Self, SearchError> {
        if config.threads == 0 {
            return Err(SearchError::InvalidConfig(
                "the writer needs at least one thread",
            ));
        }
        let open_error = |source| SearchError::Open {
            dir: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|source| SearchError::CreateDir {
            dir: dir.display().to_string(),
            source,
        })?;
        let (schema, fields) = Fields::schema();
        let directory = MmapDirectory::open(dir).map_err(|e| open_error(e.into()))?;
        let index = Index::open_or_create(directory, schema).map_err(open_error)?;
        index
            .tokenizers()
            .register(INDEX_ANALYZER, index_analyzer());
        index
            .tokenizers()
            .register(QUERY_ANALYZER, query_analyzer());
        let writer: IndexWriter = index
            .writer_with_num_threads(config.threads, config.memory_bytes)
            .map_err(|error| match error {
                tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                ) => SearchError::InUse {
                    dir: dir.display().to_string(),
                },
                other => other.into(),
            })?;
        if !config.merge {
            writer.set_merge_policy(Box::new(NoMergePolicy));
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            fields,
            writer: Mutex::new(writer),
            reader,
        })
    }

    /// Adds `doc`, replacing the document of the same kind and id; visible
    /// to searches after [`SearchIndex::commit`].
    pub fn upsert(&self, doc: &SearchDoc) -> Result<(), SearchError> {
        let writer = self.lock_writer();
        writer.delete_term(self.fields.key_term(doc.kind(), doc.id()));
        writer.add_document(self.fields.document(doc))?;
        Ok(())
    }

    /// Adds `doc` without looking for an older version: only for documents
    /// known to be new, such as in a rebuild after [`SearchIndex::clear`].
    pub fn insert_new(&self, doc: &SearchDoc) -> Result<(), SearchError> {
        self.lock_writer().add_document(self.fields.document(doc))?;
        Ok(())
    }

    /// Removes a document; effective after [`SearchIndex::commit`].
    pub fn delete(&self, kind: DocKind, id: i64) {
        self.lock_writer()
            .delete_term(self.fields.key_term(kind, id));
    }

    /// Removes every document; effective after [`SearchIndex::commit`].
    pub fn clear(&self) -> Result<(), SearchError> {
        self.lock_writer().delete_all_documents()?;
        Ok(())
    }

    /// Makes every change so far durable and visible to searches.
    pub fn commit(&self) -> Result<(), SearchError> {
        self.lock_writer().commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// The best hits for `query` among `org`'s documents.
    pub fn search(&self, org: i64, query: &SearchQuery) -> Result<Vec<Hit>, SearchError> {
        query::validate(query)?;
        let mut analyzer = self.query_analyzer()?;
        let searcher = self.reader.searcher();
        let scope = self.scope(&searcher, org)?;
        let Some(tantivy_query) = query::build(&self.fields, &mut analyzer, scope, query) else {
            return Ok(Vec::new());
        };
        let top = searcher.search(&tantivy_query, &TopDocs::with_limit(query.limit))?;
        let highlighter = Highlighter::new(&searcher, &*tantivy_query, &self.fields)?;
        top.into_iter()
            .map(|(score, address)| self.hit(&searcher, &highlighter, score, address))
            .collect()
    }

    /// How many of `org`'s documents match `query` (all of them, not only
    /// the first `limit`).
    pub fn count(&self, org: i64, query: &SearchQuery) -> Result<usize, SearchError> {
        query::validate(query)?;
        let mut analyzer = self.query_analyzer()?;
        let searcher = self.reader.searcher();
        let scope = self.scope(&searcher, org)?;
        match query::build(&self.fields, &mut analyzer, scope, query) {
            Some(q) => Ok(searcher.search(&q, &Count)?),
            None => Ok(0),
        }
    }

    /// Whether `org` must be filtered on: not when every document of the
    /// index, deleted ones included, carries `org` (document frequencies
    /// count deleted documents, so comparing with the live count could
    /// wrongly drop the filter).
    fn scope(&self, searcher: &Searcher, org: i64) -> Result<Scope, SearchError> {
        let with_org = searcher.doc_freq(&query::org_term(&self.fields, org))?;
        let all: u64 = searcher
            .segment_readers()
            .iter()
            .map(|segment| u64::from(segment.max_doc()))
            .sum();
        Ok(if with_org == all {
            Scope::Everything
        } else {
            Scope::Org(org)
        })
    }

    /// Documents in the index as of the last commit, all organizations.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn query_analyzer(&self) -> Result<tantivy::tokenizer::TextAnalyzer, SearchError> {
        Ok(self.index.tokenizers().get(QUERY_ANALYZER).ok_or(
            tantivy::TantivyError::SchemaError("query analyzer not registered".to_owned()),
        )?)
    }

    fn hit(
        &self,
        searcher: &Searcher,
        highlighter: &Highlighter,
        score: f32,
        address: DocAddress,
    ) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field, name| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_owned))
                .ok_or(SearchError::Corrupt(name))
        };
        let kind = text(self.fields.kind, "kind")?
            .parse()
            .map_err(|_| SearchError::Corrupt("kind"))?;
        let id = doc
            .get_first(self.fields.id)
            .and_then(|v| v.as_i64())
            .ok_or(SearchError::Corrupt("id"))?;
        let title = text(self.fields.title, "title")?;
        let body = text(self.fields.body, "body")?;
        Ok(Hit {
            kind,
            id,
            snippet: highlighter.snippet(&title, &body),
            title,
            score,
        })
    }

    fn lock_writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic while holding the lock cannot leave the writer half-updated
        // from our side: each call is one tantivy operation.
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
