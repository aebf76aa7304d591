//! The words of the HTML reports, in Hebrew (the default) and English.
//!
//! Every user-visible string of a report comes from `locales/he.toml` or
//! `locales/en.toml`, embedded in the binary and parsed once. Nested tables
//! flatten into dotted keys (`[sim] heading` is `sim.heading`), and `{name}`
//! marks where a number or a name goes, filled by [`Lang::html`]. A key
//! missing at run time shows as itself rather than panicking; the tests below
//! make a missing key, or the two files disagreeing, a test failure instead.

use crate::svg::{Direction, escape};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// Hebrew, right to left.
    #[default]
    He,
    /// English, left to right.
    En,
}

type Messages = BTreeMap<String, String>;

impl Lang {
    /// The value of the page's `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::He => "he",
            Lang::En => "en",
        }
    }

    /// The page's writing direction.
    pub fn direction(self) -> Direction {
        match self {
            Lang::He => Direction::Rtl,
            Lang::En => Direction::Ltr,
        }
    }

    fn messages(self) -> &'static Messages {
        static HE: OnceLock<Messages> = OnceLock::new();
        static EN: OnceLock<Messages> = OnceLock::new();
        match self {
            Lang::He => HE.get_or_init(|| parse(include_str!("../locales/he.toml"))),
            Lang::En => EN.get_or_init(|| parse(include_str!("../locales/en.toml"))),
        }
    }

    /// The text of `key`, or `key` itself when the locale lacks it.
    pub fn t(self, key: &str) -> &str {
        self.messages().get(key).map_or(key, String::as_str)
    }

    /// A duration in the locale's units, such as "1 h 30 min" or "1 שע׳ 30 דק׳":
    /// hours, minutes and seconds as `moked_domain::Seconds` writes them (no
    /// days, so a one-day run reads "24 h"), or seconds when it has a fraction.
    pub fn duration(self, seconds: f64) -> String {
        let whole = seconds as u64;
        if seconds.fract() != 0.0 || seconds <= 0.0 || !seconds.is_finite() {
            return fill(
                self.t("duration.seconds"),
                &[("count", &seconds.to_string())],
            );
        }
        let units = [
            (whole / 3_600, self.t("duration.hours")),
            (whole % 3_600 / 60, self.t("duration.minutes")),
            (whole % 60, self.t("duration.seconds")),
        ];
        units
            .iter()
            .filter(|(count, _)| *count > 0)
            .map(|(count, template)| fill(template, &[("count", &count.to_string())]))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The text of `key` as HTML: the text escaped, then each `{name}` replaced
    /// by its value from `values`, which must already be HTML (escaped, or
    /// wrapped in [`bdi`]) so a name cannot inject markup.
    pub fn html(self, key: &str, values: &[(&str, &str)]) -> String {
        fill(&escape(self.t(key)), values)
    }
}

/// Replaces each `{name}` in `template` by its value; unknown names stay as written.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` escaped and isolated left to right, for numbers, dates and time
/// ranges inside a sentence: without it a Hebrew page reorders "08:00–16:00"
/// or moves a trailing number to the wrong end of the line.
pub fn ltr(text: &str) -> String {
    format!(r#"<bdi dir="ltr">{}</bdi>"#, escape(text))
}

/// `text` escaped and isolated in its own direction, for user-given names.
pub fn bdi(text: &str) -> String {
    format!("<bdi>{}</bdi>", escape(text))
}

/// Flattens a locale file into dotted keys. The files are part of the binary
/// and checked by the tests, so a parse failure cannot reach a user; it would
/// show as untranslated keys, not a crash.
fn parse(text: &str) -> Messages {
    fn walk(prefix: &str, table: &toml::Table, into: &mut Messages) {
        for (key, value) in table {
            let key = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                toml::Value::Table(inner) => walk(&key, inner, into),
                toml::Value::String(text) => {
                    into.insert(key, text.clone());
                }
                _ => {}
            }
        }
    }
    let mut messages = Messages::new();
    if let Ok(table) = toml::from_str::<toml::Table>(text) {
        walk("", &table, &mut messages);
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const LANGS: [Lang; 2] = [Lang::He, Lang::En];

    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn both_files_parse_to_the_same_keys_and_placeholders() {
        let (he, en) = (Lang::He.messages(), Lang::En.messages());
        assert!(he.len() > 50, "he.toml parsed to {} keys", he.len());
        assert_eq!(he.keys().collect::<Vec<_>>(), en.keys().collect::<Vec<_>>());
        for (key, text) in he {
            assert_eq!(placeholders(text), placeholders(&en[key]), "{key}");
            assert!(
                !text.trim().is_empty() && !en[key].trim().is_empty(),
                "{key}"
            );
        }
    }

    /// Every key the reports look up, found by reading their source: a lookup
    /// of a key the files lack fails here rather than showing the key, and a
    /// key nothing looks up any more fails too, so the files hold no dead text.
    #[test]
    fn every_key_used_exists() {
        let own = include_str!("i18n.rs");
        let sources = [
            own.split("#[cfg(test)]").next().unwrap_or_default(),
            include_str!("cmd/simulate.rs"),
            include_str!("cmd/schedule.rs"),
        ];
        let mut used = BTreeSet::new();
        for source in sources {
            for call in [".t(", ".html("] {
                for part in source.split(call).skip(1) {
                    // rustfmt may put the key on the line after the call.
                    if let Some(rest) = part.trim_start().strip_prefix('"') {
                        used.insert(rest.split('"').next().unwrap_or_default());
                    }
                }
            }
        }
        for key in &used {
            for lang in LANGS {
                assert!(lang.messages().contains_key(*key), "{lang:?} lacks {key}");
            }
        }
        let unused: Vec<&String> = Lang::He
            .messages()
            .keys()
            .filter(|key| !used.contains(key.as_str()))
            .collect();
        assert!(unused.is_empty(), "keys no report uses: {unused:?}");
    }

    #[test]
    fn missing_keys_show_as_themselves_and_values_fill_placeholders() {
        assert_eq!(Lang::En.t("no.such.key"), "no.such.key");
        assert_eq!(Lang::He.t("sim.target"), "יעד");
        let html = Lang::En.html("sim.heading", &[("scenario", &bdi("<a & b>"))]);
        assert_eq!(html, "Simulation of <bdi>&lt;a &amp; b&gt;</bdi>");
        assert_eq!(fill("{a} {b} {", &[("a", "1")]), "1 {b} {");
    }

    #[test]
    fn durations_use_the_locale_units() {
        assert_eq!(Lang::En.duration(1_800.0), "30 min");
        assert_eq!(Lang::En.duration(90_000.0), "25 h");
        assert_eq!(Lang::En.duration(0.0), "0 s");
        assert_eq!(Lang::En.duration(1.5), "1.5 s");
        assert_eq!(Lang::He.duration(5_400.0), "1 שע׳ 30 דק׳");
    }

    #[test]
    fn languages_have_a_code_and_a_direction() {
        assert_eq!(
            (Lang::He.code(), Lang::He.direction()),
            ("he", Direction::Rtl)
        );
        assert_eq!(
            (Lang::En.code(), Lang::En.direction()),
            ("en", Direction::Ltr)
        );
        assert_eq!(Lang::default(), Lang::He);
    }
}
