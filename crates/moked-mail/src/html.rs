//! HTML bodies to readable plain text for agents and the search index.
//!
//! The HTML parsing and layout (paragraphs, line breaks, lists, quotes,
//! tables; scripts and styles dropped) is `html2text`'s; this module only
//! decides how the text is decorated: links become `text (url)` inline
//! rather than numbered footnotes, because an agent reads a reply next to
//! the conversation, not as a printed page.

use html2text::render::TextDecorator;

/// Lines are not wrapped: the desktop wraps them to its own width.
const NO_WRAP: usize = 100_000;

/// Renders an HTML body as plain text.
pub fn html_to_text(html: &str) -> String {
    let rendered = html2text::config::with_decorator(InlineLinks::default())
        .allow_width_overflow()
        .no_table_borders()
        .string_from_read(html.as_bytes(), NO_WRAP);
    match rendered {
        Ok(text) => tidy(&text),
        // html2text refuses only input it cannot lay out at all; the tags
        // stripped crudely are still better than an empty body.
        Err(_) => tidy(&mail_parser::decoders::html::html_to_text(html)),
    }
}

/// Drops trailing spaces and runs of more than one blank line.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_lines = 0;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            blank_lines += 1;
            if blank_lines > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_lines = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// Writes a link's target after its text; everything else is plain.
#[derive(Default)]
struct InlineLinks {
    open_links: Vec<String>,
}

impl TextDecorator for InlineLinks {
    type Annotation = ();

    fn decorate_link_start(&mut self, url: &str) -> (String, ()) {
        self.open_links.push(url.to_owned());
        (String::new(), ())
    }

    fn decorate_link_end(&mut self) -> String {
        match self.open_links.pop() {
            Some(url) if !url.is_empty() && !url.starts_with('#') => {
                format!(" ({})", url.strip_prefix("mailto:").unwrap_or(&url))
            }
            _ => String::new(),
        }
    }

    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_em_end(&self) -> String {
        String::new()
    }

    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_strong_end(&self) -> String {
        String::new()
    }

    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }

    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_code_end(&self) -> String {
        String::new()
    }

    fn decorate_preformat_first(&self) {}

    fn decorate_preformat_cont(&self) {}

    fn decorate_image(&mut self, _src: &str, title: &str) -> (String, ()) {
        (title.to_owned(), ())
    }

    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }

    fn quote_prefix(&self) -> String {
        "> ".to_owned()
    }

    fn unordered_item_prefix(&self) -> String {
        "• ".to_owned()
    }

    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }

    fn make_subblock_decorator(&self) -> Self {
        InlineLinks::default()
    }
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn paragraphs_breaks_links_and_lists_are_readable() {
        let html = r#"<html><head><style>p { color: red }</style>
            <script>alert("x")</script></head><body dir="rtl">
            <p>שלום רב,</p><p>ההזמנה שלי לא הגיעה.<br>מספר הזמנה 1042.</p>
            <ul><li>חולצה</li><li>מכנסיים</li></ul>
            <ol><li>ראשון</li><li>שני</li></ol>
            <p>פרטים <a href="https://shop.example/orders/1042">באתר</a></p></body></html>"#;
        let text = html_to_text(html);
        assert_eq!(
            text,
            "שלום רב,\n\nההזמנה שלי לא הגיעה.\nמספר הזמנה 1042.\n• חולצה\n• מכנסיים\n\
             1. ראשון\n2. שני\n\nפרטים באתר (https://shop.example/orders/1042)"
        );
        assert!(!text.contains("alert"));
        assert!(!text.contains("color"));
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(html_to_text("<p>A &amp; B &lt;3 &#1513;</p>"), "A & B <3 ש");
    }

    #[test]
    fn deeply_nested_markup_does_not_crash() {
        let html = "<div>".repeat(20_000) + "עמוק" + &"</div>".repeat(20_000);
        assert!(html_to_text(&html).contains("עמוק"));
    }
}
