//! Visual-order Hebrew (ISO-8859-8 without the `-i` suffix) to logical order.
//!
//! Old Israeli mail systems stored Hebrew in the order it is *displayed*,
//! left to right, so a decoded line reads backwards. Each line is turned
//! back into reading order: a line with mostly Hebrew letters is taken as a
//! right-to-left paragraph (the whole line is reversed, then the runs of
//! Latin letters and digits inside it are put back); any other line is a
//! left-to-right paragraph where only the Hebrew runs are reversed (and the
//! numbers inside those runs put back). Brackets are mirrored wherever a
//! run is reversed, because a displayed `)` in right-to-left text was typed
//! as `(`.

/// Converts visual-order text to logical order, line by line.
pub fn visual_to_logical(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let (body, carriage) = match line.strip_suffix('\r') {
            Some(body) => (body, "\r"),
            None => (line, ""),
        };
        out.push_str(&line_to_logical(body));
        out.push_str(carriage);
    }
    out
}

/// The direction class of a character, as far as reordering needs it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Hebrew,
    Latin,
    Digit,
    Neutral,
}

fn class_of(c: char) -> Class {
    if is_hebrew(c) {
        Class::Hebrew
    } else if c.is_ascii_digit() {
        Class::Digit
    } else if c.is_alphabetic() {
        Class::Latin
    } else {
        Class::Neutral
    }
}

fn is_hebrew(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{05FF}' | '\u{FB1D}'..='\u{FB4F}')
}

fn line_to_logical(line: &str) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    let hebrew = chars.iter().filter(|c| is_hebrew(**c)).count();
    if hebrew == 0 {
        return line.to_owned();
    }
    let latin = chars
        .iter()
        .filter(|c| class_of(**c) == Class::Latin)
        .count();
    if hebrew >= latin {
        reverse_mirrored(&mut chars);
        for (start, end) in runs(&chars, |c| matches!(c, Class::Latin | Class::Digit)) {
            reverse_mirrored(&mut chars[start..end]);
        }
    } else {
        for (start, end) in runs(&chars, |c| matches!(c, Class::Hebrew | Class::Digit)) {
            if chars[start..end].iter().any(|c| is_hebrew(*c)) {
                reverse_mirrored(&mut chars[start..end]);
                restore_numbers(&mut chars[start..end]);
            }
        }
    }
    chars.into_iter().collect()
}

/// Puts the digit runs of a reversed stretch back in reading order: numbers
/// are written left to right even inside right-to-left text.
fn restore_numbers(chars: &mut [char]) {
    for (start, end) in runs(chars, |c| c == Class::Digit) {
        reverse_mirrored(&mut chars[start..end]);
    }
}

/// Maximal stretches from a member character to the last member character
/// before a non-member strong character; neutrals between members belong to
/// the stretch, neutrals at its edges do not.
fn runs(chars: &[char], member: impl Fn(Class) -> bool) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    for (index, c) in chars.iter().enumerate() {
        let class = class_of(*c);
        if member(class) {
            current = Some(current.map_or((index, index + 1), |(start, _)| (start, index + 1)));
        } else if class != Class::Neutral {
            found.extend(current.take());
        }
    }
    found.extend(current);
    found
}

fn reverse_mirrored(chars: &mut [char]) {
    chars.reverse();
    for c in chars.iter_mut() {
        *c = mirror(*c);
    }
}

fn mirror(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::visual_to_logical;

    fn visual(logical: &str) -> String {
        logical.chars().rev().collect()
    }

    #[test]
    fn a_hebrew_sentence_reads_in_order() {
        assert_eq!(visual_to_logical(&visual("שלום עולם")), "שלום עולם");
    }

    #[test]
    fn numbers_and_latin_inside_hebrew_keep_their_order() {
        // Displayed right to left: "הזמנה 1042 של ACME נשלחה"
        let displayed = "החלשנ ACME לש 1042 הנמזה";
        assert_eq!(visual_to_logical(displayed), "הזמנה 1042 של ACME נשלחה");
    }

    #[test]
    fn brackets_are_mirrored_in_right_to_left_text() {
        let displayed = "(ןושאר) ךיראת";
        assert_eq!(visual_to_logical(displayed), "תאריך (ראשון)");
    }

    #[test]
    fn hebrew_words_in_an_english_line_are_reversed_alone() {
        assert_eq!(
            visual_to_logical("Order from ןהכ םהרבא in Haifa, ref 12"),
            "Order from אברהם כהן in Haifa, ref 12"
        );
    }

    #[test]
    fn each_line_is_handled_on_its_own_and_line_ends_are_kept() {
        let displayed = "םולש\r\nHello\r\nהדות";
        assert_eq!(visual_to_logical(displayed), "שלום\r\nHello\r\nתודה");
    }

    #[test]
    fn text_without_hebrew_is_unchanged() {
        assert_eq!(visual_to_logical("a (b) 12 [c]"), "a (b) 12 [c]");
    }

    #[test]
    fn leading_and_trailing_punctuation_of_a_hebrew_line_swaps_sides() {
        // Displayed: "!הדות" means the sentence "תודה!" read right to left.
        assert_eq!(visual_to_logical("!הדות"), "תודה!");
    }
}
