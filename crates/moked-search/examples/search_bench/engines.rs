//! The three engines, each loaded with the same generated tickets and
//! asked the same questions: the top 20 of a search, and how many tickets
//! match a word.

use crate::ORG;
use crate::args::Args;
use crate::queries::{BenchQuery, fts5_match};
use moked_search::generator::Generator;
use moked_search::{SearchDoc, SearchIndex, SearchQuery, WriterConfig};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::time::Instant;

/// Hits asked of every engine per search.
const TOP: usize = 20;
/// Rows per SQLite transaction while loading.
const SQLITE_BATCH: u64 = 20_000;
/// Tickets per PostgreSQL COPY chunk.
const COPY_CHUNK: u64 = 5_000;

/// An engine under test.
pub enum Engine {
    Tantivy(Box<Tantivy>),
    Sqlite(Sqlite),
    Postgres(Postgres),
}

impl Engine {
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Tantivy(_) => "moked (tantivy)",
            Engine::Sqlite(_) => "sqlite fts5",
            Engine::Postgres(_) => "postgresql fts",
        }
    }

    /// The top hits of a search; returns how many came back.
    pub async fn top(&self, query: &BenchQuery) -> Result<usize, String> {
        match self {
            Engine::Tantivy(e) => e.top(query),
            Engine::Sqlite(e) => e.top(query).await,
            Engine::Postgres(e) => e.top(query).await,
        }
    }

    /// How many tickets match one word.
    pub async fn count(&self, word: &str) -> Result<u64, String> {
        match self {
            Engine::Tantivy(e) => e.count(word),
            Engine::Sqlite(e) => e.count(word).await,
            Engine::Postgres(e) => e.count(word).await,
        }
    }
}

fn report_load(name: &str, tickets: u64, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "load {name}: {tickets} tickets in {seconds:.1} s ({:.0} tickets/s)",
        tickets as f64 / seconds
    );
}

/// Moked's index.
pub struct Tantivy {
    index: SearchIndex,
}

impl Tantivy {
    /// Indexes every ticket into a fresh index: the same path as a full
    /// reindex (generation stands in for reading the store).
    pub fn build(args: &Args, generator: &Generator) -> Result<Tantivy, String> {
        let dir = args.dir.join("tantivy");
        fresh_dir(&dir)?;
        let config = WriterConfig {
            threads: args.threads,
            memory_bytes: args.memory_mb << 20,
            merge: false,
        };
        let index = SearchIndex::open_with(&dir, config).map_err(|e| e.to_string())?;
        let started = Instant::now();
        for n in 0..args.tickets {
            let doc = SearchDoc::Ticket(generator.ticket(n).doc);
            index.insert_new(&doc).map_err(|e| e.to_string())?;
        }
        index.commit().map_err(|e| e.to_string())?;
        report_load(
            "moked (tantivy), generation included",
            args.tickets,
            started,
        );
        Ok(Tantivy { index })
    }

    fn top(&self, query: &BenchQuery) -> Result<usize, String> {
        let search = SearchQuery {
            limit: TOP,
            ..SearchQuery::text(query.text.clone())
        };
        Ok(self
            .index
            .search(ORG, &search)
            .map_err(|e| e.to_string())?
            .len())
    }

    fn count(&self, word: &str) -> Result<u64, String> {
        let count = self
            .index
            .count(ORG, &SearchQuery::text(word))
            .map_err(|e| e.to_string())?;
        Ok(count as u64)
    }
}

fn fresh_dir(dir: &std::path::Path) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// SQLite FTS5 with the unicode61 tokenizer.
pub struct Sqlite {
    pool: SqlitePool,
}

impl Sqlite {
    pub async fn build(args: &Args, generator: &Generator) -> Result<Sqlite, String> {
        let dir = args.dir.join("sqlite");
        fresh_dir(&dir)?;
        let options = SqliteConnectOptions::new()
            .filename(dir.join("fts5.sqlite"))
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Off)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Off);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(sql)?;
        sqlx::query("CREATE VIRTUAL TABLE docs USING fts5(title, body, org UNINDEXED, id UNINDEXED, tokenize = 'unicode61')")
            .execute(&pool)
            .await
            .map_err(sql)?;
        let started = Instant::now();
        let mut n = 0;
        while n < args.tickets {
            let mut tx = pool.begin().await.map_err(sql)?;
            for m in n..(n + SQLITE_BATCH).min(args.tickets) {
                let doc = generator.ticket(m).doc;
                sqlx::query("INSERT INTO docs (title, body, org, id) VALUES (?1, ?2, ?3, ?4)")
                    .bind(&doc.subject)
                    .bind(&doc.body)
                    .bind(doc.org)
                    .bind(doc.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(sql)?;
            }
            tx.commit().await.map_err(sql)?;
            n = (n + SQLITE_BATCH).min(args.tickets);
        }
        // Merged b-trees are FTS5 at its fastest.
        sqlx::query("INSERT INTO docs (docs) VALUES ('optimize')")
            .execute(&pool)
            .await
            .map_err(sql)?;
        report_load("sqlite fts5", args.tickets, started);
        Ok(Sqlite { pool })
    }

    async fn top(&self, query: &BenchQuery) -> Result<usize, String> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, title FROM docs WHERE docs MATCH ?1 AND org = ?2 ORDER BY rank LIMIT ?3",
        )
        .bind(fts5_match(&query.text))
        .bind(ORG)
        .bind(TOP as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(sql)?;
        Ok(rows.len())
    }

    async fn count(&self, word: &str) -> Result<u64, String> {
        let count: i64 =
            sqlx::query_scalar("SELECT count(*) FROM docs WHERE docs MATCH ?1 AND org = ?2")
                .bind(fts5_match(word))
                .bind(ORG)
                .fetch_one(&self.pool)
                .await
                .map_err(sql)?;
        Ok(count as u64)
    }
}

/// PostgreSQL full-text search with the 'simple' configuration and a GIN
/// index on a stored tsvector.
pub struct Postgres {
    pool: PgPool,
}

impl Postgres {
    pub async fn build(url: &str, args: &Args, generator: &Generator) -> Result<Postgres, String> {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(sql)?;
        for statement in [
            "DROP TABLE IF EXISTS docs",
            "CREATE TABLE docs (id bigint PRIMARY KEY, org bigint NOT NULL, title text NOT NULL, body text NOT NULL, \
             tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || body)) STORED)",
        ] {
            sqlx::query(statement).execute(&pool).await.map_err(sql)?;
        }
        let started = Instant::now();
        copy_tickets(&pool, args.tickets, generator).await?;
        for statement in [
            "SET maintenance_work_mem = '1GB'",
            "CREATE INDEX docs_tsv ON docs USING gin (tsv)",
            "CREATE INDEX docs_org ON docs (org)",
            "ANALYZE docs",
        ] {
            sqlx::query(statement).execute(&pool).await.map_err(sql)?;
        }
        report_load("postgresql fts", args.tickets, started);
        Ok(Postgres { pool })
    }

    async fn top(&self, query: &BenchQuery) -> Result<usize, String> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, title FROM docs, plainto_tsquery('simple', $1) q \
             WHERE org = $2 AND tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT $3",
        )
        .bind(&query.text)
        .bind(ORG)
        .bind(TOP as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(sql)?;
        Ok(rows.len())
    }

    async fn count(&self, word: &str) -> Result<u64, String> {
        let count: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM docs WHERE org = $2 AND tsv @@ plainto_tsquery('simple', $1)",
        )
        .bind(word)
        .bind(ORG)
        .fetch_one(&self.pool)
        .await
        .map_err(sql)?;
        Ok(count as u64)
    }
}

async fn copy_tickets(pool: &PgPool, tickets: u64, generator: &Generator) -> Result<(), String> {
    let mut conn = pool.acquire().await.map_err(sql)?;
    let mut copy = conn
        .copy_in_raw("COPY docs (id, org, title, body) FROM STDIN")
        .await
        .map_err(sql)?;
    let mut chunk = String::new();
    for n in 0..tickets {
        let doc = generator.ticket(n).doc;
        chunk.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            doc.id,
            doc.org,
            copy_text(&doc.subject),
            copy_text(&doc.body)
        ));
        if (n + 1) % COPY_CHUNK == 0 || n + 1 == tickets {
            copy.send(chunk.as_bytes()).await.map_err(sql)?;
            chunk.clear();
        }
    }
    copy.finish().await.map_err(sql)?;
    Ok(())
}

/// Escapes a value for COPY's text format.
fn copy_text(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn sql(error: sqlx::Error) -> String {
    error.to_string()
}
