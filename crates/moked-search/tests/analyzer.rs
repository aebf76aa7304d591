//! The analyzer cases of `analyzer_cases.txt`, checked one by one.

use moked_search::analyzer::{index_analyzer, query_analyzer, tokens_by_position};

const CASES: &str = include_str!("analyzer_cases.txt");
const QUERY_MARK: &str = "query:";
const NO_TOKENS: &str = "(none)";

/// One line of the cases file.
struct Case<'a> {
    line: usize,
    query: bool,
    input: &'a str,
    expected: Vec<Vec<String>>,
}

fn parse_expected(text: &str) -> Vec<Vec<String>> {
    if text.trim() == NO_TOKENS {
        return Vec::new();
    }
    text.split_whitespace()
        .map(|group| group.split('/').map(str::to_owned).collect())
        .collect()
}

fn cases() -> Vec<Case<'static>> {
    CASES
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|(index, line)| {
            let (input, expected) = line
                .split_once(" => ")
                .unwrap_or_else(|| panic!("line {}: no ' => ' in {line:?}", index + 1));
            let (query, input) = match input.strip_prefix(QUERY_MARK) {
                Some(rest) => (true, rest),
                None => (false, input),
            };
            Case {
                line: index + 1,
                query,
                input,
                expected: parse_expected(expected),
            }
        })
        .collect()
}

#[test]
fn analyzer_cases_hold() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut index = index_analyzer();
    let mut query = query_analyzer();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let analyzer = if case.query { &mut query } else { &mut index };
            let got = tokens_by_position(analyzer, case.input);
            (got != case.expected).then(|| {
                format!(
                    "line {}: {:?}: expected {:?}, got {:?}",
                    case.line, case.input, case.expected, got
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn offsets_cover_the_written_word() {
    let mut analyzer = index_analyzer();
    let text = "פנייה: וכשהלקוח התקשר";
    let mut stream = analyzer.token_stream(text);
    let mut seen = Vec::new();
    while let Some(token) = stream.next() {
        seen.push((
            text[token.offset_from..token.offset_to].to_owned(),
            token.text.clone(),
        ));
    }
    assert!(seen.contains(&("וכשהלקוח".to_owned(), "לקוח".to_owned())));
    assert!(seen.contains(&("פנייה".to_owned(), "פנייה".to_owned())));
}
