//! The generator is deterministic, and the truth it reports is the truth
//! the analyzer sees.

use super::vocab::*;
use super::*;
use crate::analyzer::{index_analyzer, tokens_by_position};
use std::collections::HashSet;

fn index_tokens(text: &str) -> HashSet<String> {
    tokens_by_position(&mut index_analyzer(), text)
        .into_iter()
        .flatten()
        .collect()
}

#[test]
fn the_same_seed_and_number_give_the_same_ticket() {
    let generator = Generator::new(7, 1);
    let (a, b) = (generator.ticket(42), generator.ticket(42));
    assert_eq!(a.doc, b.doc);
    assert_ne!(generator.ticket(43).doc.body, a.doc.body);
    assert_ne!(Generator::new(8, 1).ticket(42).doc.body, a.doc.body);
    assert_eq!(a.doc.id, 43);
}

#[test]
fn the_reported_probes_are_what_the_analyzer_finds() {
    let generator = Generator::new(1, 1);
    let mut prefixed_probe_seen = false;
    for n in 0..2000 {
        let ticket = generator.ticket(n);
        let tokens = index_tokens(&format!("{}\n{}", ticket.doc.subject, ticket.doc.body));
        for &probe in PROBE_NOUNS {
            let probe_token = tokens_by_position(&mut index_analyzer(), probe)[0][0].clone();
            assert_eq!(
                tokens.contains(&probe_token),
                ticket.probes.contains(&probe),
                "ticket {n}, probe {probe}: {}",
                ticket.doc.body
            );
        }
        prefixed_probe_seen |= PROBE_NOUNS.iter().any(|p| {
            HEBREW_PREFIXES
                .iter()
                .any(|prefix| ticket.doc.body.contains(&format!(" {prefix}{p} ")))
        });
    }
    assert!(prefixed_probe_seen);
}

#[test]
fn no_other_generated_word_becomes_a_probe() {
    let probes: HashSet<String> = PROBE_NOUNS
        .iter()
        .map(|p| index_tokens(p).into_iter().next().unwrap_or_default())
        .collect();
    let mut words: Vec<&str> = HEBREW_NOUNS.iter().chain(HEBREW_FILLER).copied().collect();
    let phrases = HEBREW_SUBJECTS.iter().chain(HEBREW_GREETINGS);
    words.extend(phrases.flat_map(|s| s.split_whitespace()));
    words.extend(
        FIRST_NAMES
            .iter()
            .chain(LAST_NAMES)
            .flat_map(|(he, _)| he.split_whitespace()),
    );
    for word in words {
        if PROBE_NOUNS.iter().any(|p| {
            word == *p
                || word
                    .strip_suffix(p)
                    .is_some_and(|pre| HEBREW_PREFIXES.contains(&pre))
        }) {
            continue;
        }
        for prefix in std::iter::once("").chain(HEBREW_PREFIXES.iter().copied()) {
            let clash: Vec<_> = index_tokens(&format!("{prefix}{word}"))
                .intersection(&probes)
                .cloned()
                .collect();
            assert!(
                clash.is_empty(),
                "{prefix}{word} is indexed as probe {clash:?}"
            );
        }
    }
}

#[test]
fn tickets_look_like_a_contact_center() {
    let generator = Generator::new(3, 9);
    let tickets: Vec<_> = (0..400).map(|n| generator.ticket(n)).collect();
    let hebrew = tickets
        .iter()
        .filter(|t| t.doc.body.contains("שמי"))
        .count();
    assert!(
        (200..=380).contains(&hebrew),
        "{hebrew} Hebrew tickets of 400"
    );
    for ticket in &tickets {
        assert_eq!(ticket.doc.org, 9);
        assert!(ticket.doc.body.contains(&ticket.phone_as_written));
        assert!(ticket.doc.body.contains(&ticket.name));
        assert!(!ticket.doc.subject.is_empty());
        assert!(ticket.doc.created < LATEST);
    }
}
