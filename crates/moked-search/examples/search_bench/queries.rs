//! The query set every engine answers: Hebrew words bare and with attached
//! prefixes, English words, customer names and phone numbers as written.

use moked_search::generator::{Generator, probe_words};

/// One search of the set.
pub struct BenchQuery {
    /// Which group of queries it belongs to.
    pub group: &'static str,
    /// What the user typed.
    pub text: String,
}

/// The groups, in the order they are reported.
pub const GROUPS: [&str; 5] = ["hebrew", "hebrew prefixed", "english", "names", "phones"];

const PREFIXED: &[&str] = &[
    "הלקוח",
    "בחשבונית",
    "והתשלום",
    "מהסניף",
    "לכרטיס",
    "שהטכנאי",
    "בגלישה",
    "והראוטר",
];
const ENGLISH: &[&str] = &[
    "refund",
    "router",
    "credit card",
    "roaming charges",
    "password",
    "invoice",
    "mortgage",
    "technician",
];
const NAMES: &[&str] = &[
    "דנה כהן",
    "יוסי לוי",
    "מיכל מזרחי",
    "אבי פרץ",
    "Cohen",
    "Dana Levi",
    "Samer",
    "שירה",
];
/// Tickets whose customer's phone, as written in the ticket, is searched
/// (modulo the number of tickets, so small runs search phones they hold).
const PHONE_TICKETS: &[u64] = &[0, 17, 999, 4321, 77_777, 123_456, 500_000, 999_999];

/// The query set for data of `tickets` tickets.
pub fn query_set(generator: &Generator, tickets: u64) -> Vec<BenchQuery> {
    let mut set = Vec::new();
    let mut add = |group, texts: &mut dyn Iterator<Item = String>| {
        set.extend(texts.map(|text| BenchQuery { group, text }));
    };
    let [hebrew, prefixed, english, names, phones] = GROUPS;
    add(hebrew, &mut probe_words().iter().map(|w| w.to_string()));
    add(prefixed, &mut PREFIXED.iter().map(|w| w.to_string()));
    add(english, &mut ENGLISH.iter().map(|w| w.to_string()));
    add(names, &mut NAMES.iter().map(|w| w.to_string()));
    add(
        phones,
        &mut PHONE_TICKETS
            .iter()
            .map(|&n| generator.ticket(n % tickets).phone_as_written),
    );
    set
}

/// The FTS5 query for what the user typed: every word a quoted string, so
/// nothing is taken as FTS5 syntax; the words are ANDed.
pub fn fts5_match(text: &str) -> String {
    text.split_whitespace()
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}
