//! A deterministic generator of realistic tickets for benchmarks: what
//! customers of an Israeli cellular operator and bank write, three in four
//! in Hebrew (nouns behind attached prefixes as often as Hebrew writes them,
//! names, phone numbers in the ways people type them), the rest in English.
//!
//! Ticket `n` of a seed is always the same, whatever else was generated, so
//! several engines can be fed the same data without keeping it in memory,
//! and the recall of prefixed Hebrew words can be checked against the truth
//! the generator reports: which probe nouns each ticket contains, in any
//! form.

mod vocab;

use crate::doc::{Identifiers, Placement, TicketDoc};
use jiff::{SignedDuration, Timestamp};
use moked_domain::PhoneE164;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use vocab::{
    ENGLISH_FILLER, ENGLISH_NOUNS, ENGLISH_SUBJECTS, FIRST_NAMES, HEBREW_FILLER, HEBREW_GREETINGS,
    HEBREW_NOUNS, HEBREW_PREFIXES, HEBREW_SUBJECTS, LAST_NAMES, PROBE_NOUNS,
};

/// Share of tickets written in Hebrew.
const HEBREW_SHARE: f64 = 0.75;
/// Share of Hebrew nouns written with an attached prefix.
const PREFIXED_SHARE: f64 = 0.5;
/// Share of words in a sentence that are nouns (the rest is filler).
const NOUN_SHARE: f64 = 0.45;
/// Share of Hebrew sentence words that are English terms ("ה-router").
const ENGLISH_IN_HEBREW_SHARE: f64 = 0.05;
/// Words per sentence.
const SENTENCE_WORDS: std::ops::RangeInclusive<usize> = 5..=14;
/// Sentences per message.
const MESSAGE_SENTENCES: std::ops::RangeInclusive<usize> = 1..=3;
/// Messages per ticket (the customer's first, replies after it).
const TICKET_MESSAGES: std::ops::RangeInclusive<usize> = 1..=3;
/// Statuses of tickets, most of them closed as in a real center.
const STATUSES: &[&str] = &[
    "new",
    "open",
    "pending_customer",
    "pending_internal",
    "solved",
    "closed",
    "closed",
    "closed",
];
const QUEUES: u32 = 20;
const TEAMS: u32 = 8;
const AGENTS: u32 = 200;
/// Tickets are spread over two years before this instant.
const LATEST: Timestamp = Timestamp::constant(1_767_225_600, 0);
const SPAN_SECONDS: i64 = 2 * 365 * 24 * 3600;

/// One generated ticket and the truth about it.
#[derive(Debug, Clone)]
pub struct GeneratedTicket {
    /// The ticket, ready for the index.
    pub doc: TicketDoc,
    /// Which of [`probe_words`] it contains, in any prefixed or bare form.
    pub probes: Vec<&'static str>,
    /// The customer's phone as written in the ticket text.
    pub phone_as_written: String,
    /// The customer's name as written.
    pub name: String,
}

/// The Hebrew nouns whose recall the benchmark measures.
pub fn probe_words() -> &'static [&'static str] {
    PROBE_NOUNS
}

/// Makes tickets for one organization from one seed.
#[derive(Debug, Clone, Copy)]
pub struct Generator {
    seed: u64,
    org: i64,
}

impl Generator {
    /// A generator of `org`'s tickets.
    pub fn new(seed: u64, org: i64) -> Self {
        Generator { seed, org }
    }

    /// Ticket number `n` (its id is `n + 1`).
    pub fn ticket(&self, n: u64) -> GeneratedTicket {
        let mut rng =
            Xoshiro256PlusPlus::seed_from_u64(self.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut writer = Writer::new(&mut rng);
        writer.write_ticket();
        let Writer {
            text,
            subject,
            probes,
            name,
            phone,
            phone_as_written,
            ..
        } = writer;
        GeneratedTicket {
            doc: TicketDoc {
                org: self.org,
                id: n as i64 + 1,
                subject,
                body: text,
                placement: placement(&mut rng),
                created: LATEST - SignedDuration::from_secs(rng.random_range(0..SPAN_SECONDS)),
                customer: Identifiers {
                    phones: vec![phone],
                    ..Identifiers::default()
                },
            },
            probes,
            phone_as_written,
            name,
        }
    }
}

fn placement(rng: &mut impl Rng) -> Placement {
    Placement {
        status: Some(pick(rng, STATUSES).to_string()),
        queue: Some(rng.random_range(1..=QUEUES).to_string()),
        team: Some(rng.random_range(1..=TEAMS).to_string()),
        agent: Some(rng.random_range(1..=AGENTS).to_string()),
    }
}

fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Picks with a skew towards the start of the list, the way a few words
/// make most of real text.
fn pick_skewed<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    let u: f64 = rng.random();
    &items[((u * u) * items.len() as f64) as usize]
}

/// A customer phone: a valid Israeli mobile in one of the ways people
/// write it.
fn phone(rng: &mut impl Rng) -> (PhoneE164, String) {
    let operator = rng.random_range(0..=8);
    let line = rng.random_range(0..10_000_000);
    let written = match rng.random_range(0..4) {
        0 => format!("05{operator}-{line:07}"),
        1 => format!("05{operator}{line:07}"),
        2 => format!("+972-5{operator}-{:03}-{:04}", line / 10_000, line % 10_000),
        _ => format!("05{operator} {:03} {:04}", line / 10_000, line % 10_000),
    };
    let parsed = PhoneE164::parse(&written).expect("generated phones follow the Israeli plan");
    (parsed, written)
}

/// Builds one ticket's text.
struct Writer<'r, R: Rng> {
    rng: &'r mut R,
    hebrew: bool,
    text: String,
    subject: String,
    probes: Vec<&'static str>,
    name: String,
    phone: PhoneE164,
    phone_as_written: String,
}

impl<'r, R: Rng> Writer<'r, R> {
    fn new(rng: &'r mut R) -> Self {
        let hebrew = rng.random_bool(HEBREW_SHARE);
        let (first, last) = (pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES));
        let name = if hebrew {
            format!("{} {}", first.0, last.0)
        } else {
            format!("{} {}", first.1, last.1)
        };
        let (phone, phone_as_written) = phone(rng);
        Writer {
            rng,
            hebrew,
            text: String::with_capacity(600),
            subject: String::new(),
            probes: Vec::new(),
            name,
            phone,
            phone_as_written,
        }
    }

    fn write_ticket(&mut self) {
        self.write_subject();
        let messages = self.rng.random_range(TICKET_MESSAGES);
        for message in 0..messages {
            if message == 0 {
                self.write_introduction();
            }
            for _ in 0..self.rng.random_range(MESSAGE_SENTENCES) {
                self.write_sentence();
            }
            self.text.push('\n');
        }
    }

    fn write_subject(&mut self) {
        let subject = if self.hebrew {
            *pick(self.rng, HEBREW_SUBJECTS)
        } else {
            *pick(self.rng, ENGLISH_SUBJECTS)
        };
        self.subject.push_str(subject);
        if self.hebrew {
            self.note_probes_in(subject);
        }
    }

    fn write_introduction(&mut self) {
        let intro = if self.hebrew {
            format!(
                "{} שמי {}, הטלפון שלי {}. ",
                pick(self.rng, HEBREW_GREETINGS),
                self.name,
                self.phone_as_written
            )
        } else {
            format!(
                "Hello, my name is {}, my phone is {}. ",
                self.name, self.phone_as_written
            )
        };
        self.text.push_str(&intro);
    }

    fn write_sentence(&mut self) {
        let words = self.rng.random_range(SENTENCE_WORDS);
        for _ in 0..words {
            let word = self.word();
            self.text.push_str(&word);
            self.text.push(' ');
        }
        self.text.pop();
        self.text.push_str(". ");
    }

    fn word(&mut self) -> String {
        if !self.hebrew {
            let list = if self.rng.random_bool(NOUN_SHARE) {
                ENGLISH_NOUNS
            } else {
                ENGLISH_FILLER
            };
            return pick_skewed(self.rng, list).to_string();
        }
        if self.rng.random_bool(ENGLISH_IN_HEBREW_SHARE) {
            return format!("ה-{}", pick(self.rng, ENGLISH_NOUNS));
        }
        if !self.rng.random_bool(NOUN_SHARE) {
            return pick_skewed(self.rng, HEBREW_FILLER).to_string();
        }
        let noun = *pick_skewed(self.rng, HEBREW_NOUNS);
        self.note_probe(noun);
        if self.rng.random_bool(PREFIXED_SHARE) {
            format!("{}{noun}", pick(self.rng, HEBREW_PREFIXES))
        } else {
            noun.to_owned()
        }
    }

    /// Subjects are fixed phrases: their words count as probes when they
    /// are a probe noun with or without a prefix.
    fn note_probes_in(&mut self, phrase: &str) {
        for word in phrase.split_whitespace() {
            let probe = PROBE_NOUNS.iter().find(|&&probe| {
                word == probe
                    || word
                        .strip_suffix(probe)
                        .is_some_and(|prefix| HEBREW_PREFIXES.contains(&prefix))
            });
            if let Some(probe) = probe {
                self.note_probe(probe);
            }
        }
    }

    fn note_probe(&mut self, noun: &'static str) {
        if PROBE_NOUNS.contains(&noun) && !self.probes.contains(&noun) {
            self.probes.push(noun);
        }
    }
}

#[cfg(test)]
mod tests;
