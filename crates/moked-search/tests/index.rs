//! The search index end to end: documents in, hits out, on a real tantivy
//! index in a temporary directory.

use jiff::Timestamp;
use moked_domain::{EmailAddress, IsraeliId, PhoneE164};
use moked_search::{
    CustomerDoc, DocKind, Filters, Identifiers, MessageDoc, Placement, SearchDoc, SearchError,
    SearchIndex, SearchQuery, TicketDoc, WriterConfig,
};

const ORG: i64 = 1;
const OTHER_ORG: i64 = 2;

fn at(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

fn ticket(org: i64, id: i64, subject: &str, body: &str) -> SearchDoc {
    TicketDoc {
        org,
        id,
        subject: subject.to_owned(),
        body: body.to_owned(),
        placement: Placement {
            status: Some("open".to_owned()),
            queue: Some("10".to_owned()),
            team: Some("3".to_owned()),
            agent: Some("7".to_owned()),
        },
        created: at("2026-03-01T09:00:00Z"),
        customer: Identifiers::default(),
    }
    .into()
}

fn customer() -> SearchDoc {
    CustomerDoc {
        org: ORG,
        id: 500,
        name: "דנה כהן".to_owned(),
        notes: "לקוחה ותיקה, מעדיפה שיחה בבוקר".to_owned(),
        created: at("2025-01-01T00:00:00Z"),
        identifiers: Identifiers {
            phones: vec![PhoneE164::parse("050-123-4567").expect("phone")],
            emails: vec![EmailAddress::parse("Dana.Cohen@Example.co.il").expect("email")],
            id_numbers: vec![IsraeliId::parse("123456782").expect("id")],
        },
    }
    .into()
}

fn index_with(docs: &[SearchDoc]) -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = SearchIndex::open(dir.path()).expect("open index");
    for doc in docs {
        index.upsert(doc).expect("upsert");
    }
    index.commit().expect("commit");
    (dir, index)
}

fn ids(index: &SearchIndex, org: i64, query: &SearchQuery) -> Vec<(DocKind, i64)> {
    let mut found: Vec<_> = index
        .search(org, query)
        .expect("search")
        .into_iter()
        .map(|hit| (hit.kind, hit.id))
        .collect();
    found.sort_by_key(|&(kind, id)| (kind.as_str(), id));
    found
}

fn text_ids(index: &SearchIndex, text: &str) -> Vec<i64> {
    ids(index, ORG, &SearchQuery::text(text))
        .into_iter()
        .map(|(_, id)| id)
        .collect()
}

#[test]
fn a_ticket_is_found_after_commit_and_not_before() {
    let (_dir, index) = index_with(&[]);
    index
        .upsert(&ticket(ORG, 1, "תקלה בגלישה", "אין אינטרנט בסלולרי"))
        .expect("upsert");
    assert!(text_ids(&index, "גלישה").is_empty());
    index.commit().expect("commit");
    let hits = index
        .search(ORG, &SearchQuery::text("גלישה"))
        .expect("search");
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].kind, hits[0].id), (DocKind::Ticket, 1));
    assert_eq!(hits[0].title, "תקלה בגלישה");
    assert!(hits[0].score > 0.0);
}

#[test]
fn organizations_do_not_see_each_other() {
    let (_dir, index) = index_with(&[
        ticket(ORG, 1, "החזר כספי", "ביקשתי החזר"),
        ticket(OTHER_ORG, 2, "החזר כספי", "גם אני ביקשתי החזר"),
    ]);
    assert_eq!(text_ids(&index, "החזר"), [1]);
    assert_eq!(
        ids(&index, OTHER_ORG, &SearchQuery::text("החזר")),
        [(DocKind::Ticket, 2)]
    );
    assert!(ids(&index, 3, &SearchQuery::text("החזר")).is_empty());
}

#[test]
fn a_one_organization_index_still_hides_it_from_others() {
    let (_dir, index) = index_with(&[ticket(ORG, 1, "החזר כספי", "ביקשתי החזר")]);
    assert_eq!(text_ids(&index, "החזר"), [1]);
    assert!(ids(&index, OTHER_ORG, &SearchQuery::text("החזר")).is_empty());
    assert_eq!(
        index
            .count(OTHER_ORG, &SearchQuery::text("החזר"))
            .expect("count"),
        0
    );
    // A deleted document of another organization still counts as one.
    index
        .upsert(&ticket(OTHER_ORG, 2, "החזר", "החזר"))
        .expect("upsert");
    index.commit().expect("commit");
    index.delete(DocKind::Ticket, 2);
    index.commit().expect("commit");
    assert!(ids(&index, OTHER_ORG, &SearchQuery::text("החזר")).is_empty());
    assert_eq!(text_ids(&index, "החזר"), [1]);
}

#[test]
fn hebrew_words_are_found_behind_prefixes() {
    let (_dir, index) = index_with(&[
        ticket(ORG, 1, "שיחה חוזרת", "וכשהלקוח התקשר שוב, הבעיה נמשכה"),
        ticket(ORG, 2, "ביטול מנוי", "מהבנק הודיעו על חיוב כפול"),
        ticket(ORG, 3, "שאלה", "שאלה כללית על שעות פעילות"),
    ]);
    assert_eq!(text_ids(&index, "לקוח"), [1]);
    assert_eq!(text_ids(&index, "הלקוח"), [1]);
    assert_eq!(text_ids(&index, "בנק"), [2]);
    assert_eq!(text_ids(&index, "בנק חיוב"), [2], "every word must match");
    assert!(text_ids(&index, "בנק שעות").is_empty());
}

#[test]
fn final_letters_niqqud_and_abbreviations_meet() {
    let (_dir, index) = index_with(&[
        ticket(ORG, 1, "חשבון", "בירור בחשבון של הלקוח"),
        ticket(ORG, 2, "שירות מילואים", "החייל משרת בצה\"ל ולא יכול לשלם"),
        ticket(ORG, 3, "תודה", "שָׁלוֹם וּתְּשׁוּבָה מהירה"),
    ]);
    // A final letter typed in its ordinary form.
    assert_eq!(text_ids(&index, "חשבונ"), [1]);
    assert_eq!(text_ids(&index, "צה״ל"), [2]);
    assert_eq!(text_ids(&index, "צהל"), [2]);
    assert_eq!(text_ids(&index, "שלום"), [3]);
}

#[test]
fn english_is_stemmed_and_mixed_text_splits() {
    let (_dir, index) = index_with(&[
        ticket(
            ORG,
            1,
            "Refund requested",
            "The customer was charged twice for roaming",
        ),
        ticket(ORG, 2, "מכשיר", "המסך של הiPhone נסדק"),
    ]);
    assert_eq!(text_ids(&index, "refunds"), [1]);
    assert_eq!(text_ids(&index, "CHARGE"), [1]);
    assert_eq!(text_ids(&index, "iphone"), [2]);
}

#[test]
fn a_phone_in_any_format_finds_the_customer() {
    let (_dir, index) = index_with(&[customer(), ticket(ORG, 1, "שאלה", "אין קשר לטלפון")]);
    for form in [
        "050-123-4567",
        "0501234567",
        "+972 50 123 4567",
        "972501234567",
        "00972-50-1234567",
    ] {
        assert_eq!(
            ids(&index, ORG, &SearchQuery::text(form)),
            [(DocKind::Customer, 500)],
            "{form}"
        );
    }
}

#[test]
fn email_id_number_and_name_find_the_customer() {
    let (_dir, index) = index_with(&[customer()]);
    let expected = [(DocKind::Customer, 500)];
    assert_eq!(
        ids(&index, ORG, &SearchQuery::text("dana.cohen@example.co.il")),
        expected
    );
    assert_eq!(ids(&index, ORG, &SearchQuery::text("12345678-2")), expected);
    assert_eq!(ids(&index, ORG, &SearchQuery::text("דנה כהן")), expected);
    assert!(ids(&index, ORG, &SearchQuery::text("050-765-4321")).is_empty());
}

#[test]
fn filters_narrow_the_hits() {
    let mut solved = ticket(ORG, 2, "חיוב כפול", "חיוב כפול בכרטיס");
    if let SearchDoc::Ticket(t) = &mut solved {
        t.placement.status = Some("solved".to_owned());
        t.placement.agent = Some("8".to_owned());
        t.created = at("2026-05-01T09:00:00Z");
    }
    let message = MessageDoc {
        org: ORG,
        id: 9,
        subject: "חיוב כפול".to_owned(),
        body: "שלום, חויבתי פעמיים. החיוב הכפול מופיע בכרטיס".to_owned(),
        placement: Placement::default(),
        created: at("2026-03-02T10:00:00Z"),
        sender: Identifiers::default(),
    };
    let (_dir, index) = index_with(&[
        ticket(ORG, 1, "חיוב כפול", "חיוב כפול"),
        solved,
        message.into(),
    ]);
    let with = |filters: Filters| {
        let query = SearchQuery {
            filters,
            ..SearchQuery::text("חיוב")
        };
        ids(&index, ORG, &query)
    };
    assert_eq!(with(Filters::default()).len(), 3);
    let status = |s: &str| Filters {
        status: Some(s.to_owned()),
        ..Filters::default()
    };
    assert_eq!(with(status("solved")), [(DocKind::Ticket, 2)]);
    assert_eq!(
        with(Filters {
            agent: Some("7".to_owned()),
            ..Filters::default()
        }),
        [(DocKind::Ticket, 1)]
    );
    assert_eq!(
        with(Filters {
            queue: Some("10".to_owned()),
            team: Some("3".to_owned()),
            ..Filters::default()
        })
        .len(),
        2
    );
    let april = Filters {
        created_from: Some(at("2026-04-01T00:00:00Z")),
        created_until: Some(at("2026-06-01T00:00:00Z")),
        ..Filters::default()
    };
    assert_eq!(with(april), [(DocKind::Ticket, 2)]);
    let until_march_2 = Filters {
        created_until: Some(at("2026-03-02T10:00:00Z")),
        ..Filters::default()
    };
    assert_eq!(
        with(until_march_2),
        [(DocKind::Ticket, 1)],
        "the end is excluded"
    );
}

#[test]
fn snippets_mark_matches_and_escape_html() {
    let (_dir, index) = index_with(&[ticket(
        ORG,
        1,
        "<b>כותרת</b>",
        "הלקוח כתב <script>alert('x')</script> וביקש החזר & זיכוי",
    )]);
    let hits = index
        .search(ORG, &SearchQuery::text("החזר"))
        .expect("search");
    let snippet = &hits[0].snippet;
    assert!(snippet.contains("<mark>החזר</mark>"), "{snippet}");
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    assert!(!snippet.contains("<script>"), "{snippet}");
    assert!(snippet.contains("&amp;"), "{snippet}");
    assert_eq!(
        hits[0].title, "<b>כותרת</b>",
        "the title is plain text for the caller to escape"
    );
    let by_prefix = index
        .search(ORG, &SearchQuery::text("לקוח"))
        .expect("search");
    assert!(
        by_prefix[0].snippet.contains("<mark>הלקוח</mark>"),
        "{}",
        by_prefix[0].snippet
    );
}

#[test]
fn the_title_counts_more_than_the_body() {
    let (_dir, index) = index_with(&[
        ticket(ORG, 1, "שאלה כללית", "הלקוח שואל על ראוטר חדש"),
        ticket(ORG, 2, "ראוטר לא עובד", "הלקוח שואל על החבילה"),
    ]);
    let hits = index
        .search(ORG, &SearchQuery::text("ראוטר"))
        .expect("search");
    assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), [2, 1]);
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let (_dir, index) = index_with(&[ticket(ORG, 1, "ישן", "נוסח ישן")]);
    index
        .upsert(&ticket(ORG, 1, "חדש", "נוסח חדש"))
        .expect("upsert");
    index.commit().expect("commit");
    assert!(text_ids(&index, "ישן").is_empty());
    assert_eq!(text_ids(&index, "חדש"), [1]);
    assert_eq!(index.num_docs(), 1);
    index.delete(DocKind::Ticket, 1);
    index.commit().expect("commit");
    assert!(text_ids(&index, "חדש").is_empty());
}

#[test]
fn odd_query_text_is_plain_words() {
    let (_dir, index) = index_with(&[ticket(ORG, 1, "תקלה", "title:AND (( תקלה ]")]);
    for text in [
        "title:AND ((",
        "תקלה ]",
        "\"",
        "*",
        "AND OR NOT",
        "~!@#$%^&*()",
        "",
    ] {
        assert!(
            index.search(ORG, &SearchQuery::text(text)).is_ok(),
            "{text:?}"
        );
    }
    assert_eq!(text_ids(&index, "(( תקלה ]"), [1]);
    assert!(text_ids(&index, "!!!").is_empty());
}

#[test]
fn out_of_bounds_queries_are_errors() {
    let (_dir, index) = index_with(&[]);
    let zero = SearchQuery {
        limit: 0,
        ..SearchQuery::text("חיוב")
    };
    assert!(matches!(
        index.search(ORG, &zero),
        Err(SearchError::InvalidQuery { field: "limit", .. })
    ));
    let long = SearchQuery::text("א".repeat(600));
    assert!(matches!(
        index.search(ORG, &long),
        Err(SearchError::InvalidQuery { field: "text", .. })
    ));
    let backwards = SearchQuery {
        filters: Filters {
            created_from: Some(at("2026-02-01T00:00:00Z")),
            created_until: Some(at("2026-01-01T00:00:00Z")),
            ..Filters::default()
        },
        ..SearchQuery::text("חיוב")
    };
    assert!(matches!(
        index.search(ORG, &backwards),
        Err(SearchError::InvalidQuery { .. })
    ));
}

#[test]
fn the_index_survives_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let index = SearchIndex::open(dir.path()).expect("open");
        index
            .upsert(&ticket(ORG, 1, "משכנתא", "בקשה למחזור משכנתא"))
            .expect("upsert");
        index.commit().expect("commit");
    }
    let index = SearchIndex::open(dir.path()).expect("reopen");
    assert_eq!(text_ids(&index, "משכנתא"), [1]);
}

#[test]
fn a_file_where_the_directory_should_be_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    assert!(matches!(
        SearchIndex::open(&file),
        Err(SearchError::CreateDir { .. })
    ));
}

#[test]
fn a_writer_without_threads_or_memory_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let no_threads = WriterConfig {
        threads: 0,
        ..WriterConfig::default()
    };
    assert!(matches!(
        SearchIndex::open_with(dir.path(), no_threads),
        Err(SearchError::InvalidConfig(_))
    ));
    let no_memory = WriterConfig {
        memory_bytes: 1024,
        ..WriterConfig::default()
    };
    assert!(matches!(
        SearchIndex::open_with(dir.path(), no_memory),
        Err(SearchError::Index(_))
    ));
}
