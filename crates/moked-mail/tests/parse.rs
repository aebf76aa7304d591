//! Parsing real-looking messages: Hebrew charsets, HTML, attachments and
//! damaged input.

use moked_mail::{Flag, InboundEmail, ParseLimits, parse};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn parsed(name: &str) -> InboundEmail {
    parse(&fixture(name), ParseLimits::default())
}

#[test]
fn outlook_windows_1255_headers_and_body_are_decoded() {
    let email = parsed("outlook_windows1255.eml");
    assert_eq!(email.subject, "החבילה לא הגיעה");
    let from = email.from.as_ref().expect("a From mailbox");
    assert_eq!(from.name.as_deref(), Some("משה כהן"));
    assert_eq!(from.address.as_str(), "moshe.cohen@outlook.example");
    assert_eq!(email.to[0].name.as_deref(), Some("שירות לקוחות"));
    assert_eq!(
        email.text,
        "שלום רב,\n\nהחבילה שהזמנתי (הזמנה 1042) עדיין לא הגיעה.\nאשמח לעדכון.\n\nבברכה,\nמשה כהן"
    );
    assert_eq!(
        email.message_id.as_deref(),
        Some("AM0PR01MB1234ABCD@AM0PR01MB1234.eurprd01.prod.outlook.com")
    );
    assert_eq!(email.date.map(|date| date.as_second()), Some(1_795_331_700));
    assert!(email.flags.is_empty(), "{:?}", email.flags);
}

#[test]
fn gmail_alternative_uses_the_plain_part_and_keeps_threading_ids() {
    let email = parsed("gmail_utf8_alternative.eml");
    assert_eq!(email.subject, "Re: בעיה בהתחברות [#1042]");
    assert_eq!(email.in_reply_to, vec!["ticket-1042.abc@demo.example"]);
    assert_eq!(
        email.references,
        vec!["CAB1042xyz@mail.gmail.com", "ticket-1042.abc@demo.example"]
    );
    assert_eq!(email.cc[0].address.as_str(), "avi@family.example");
    assert!(
        email
            .text
            .starts_with("היי,\n\nלא מצליחה להתחבר לאזור האישי.")
    );
    assert!(!email.text.contains('<'));
    assert!(email.flags.is_empty(), "{:?}", email.flags);
}

#[test]
fn html_only_messages_become_readable_text() {
    let raw = "From: a@b.example\r\nTo: service@demo.example\r\nSubject: html\r\n\
               Content-Type: text/html; charset=utf-8\r\n\r\n\
               <p>שלום</p><p>ראו <a href=\"https://x.example/a\">כאן</a></p><ul><li>אחת</li></ul>\r\n";
    let email = parse(raw.as_bytes(), ParseLimits::default());
    assert_eq!(email.text, "שלום\n\nראו כאן (https://x.example/a)\n• אחת");
}

#[test]
fn visual_iso_8859_8_is_put_in_logical_order() {
    let email = parsed("old_visual_iso88598.eml");
    assert_eq!(email.subject, "חשבון");
    assert_eq!(
        email.from.as_ref().and_then(|from| from.name.as_deref()),
        Some("רות כץ")
    );
    assert_eq!(
        email.text,
        "שלום\nאני לקוח שלכם מאז 1995 סימון\nקיבלתי חיוב (לא נכון) בחשבון"
    );
}

#[test]
fn logical_iso_8859_8_i_is_left_as_it_is() {
    let mut raw = b"From: a@b.example\r\nSubject: =?iso-8859-8-i?Q?=F9=EC=E5=ED?=\r\n\
                    Content-Type: text/plain; charset=iso-8859-8-i\r\n\r\n"
        .to_vec();
    raw.extend_from_slice(&[0xF9, 0xEC, 0xE5, 0xED, b' ', b'1', b'2', b'\r', b'\n']);
    let email = parse(&raw, ParseLimits::default());
    assert_eq!(email.subject, "שלום");
    assert_eq!(email.text, "שלום 12");
}

#[test]
fn attachments_carry_name_declared_and_sniffed_types() {
    let email = parsed("attachment.eml");
    assert_eq!(email.text, "מצורפת החשבונית. הסכום שגוי.");
    let [invoice, disguised] = &email.attachments[..] else {
        panic!(
            "two attachments expected, got {:?}",
            email.attachments.len()
        );
    };
    assert_eq!(invoice.file_name.as_deref(), Some("חשבונית.pdf"));
    assert_eq!(invoice.declared_type, "application/pdf");
    assert_eq!(invoice.sniffed_type, Some("application/pdf"));
    assert_eq!(invoice.size, invoice.bytes.len());
    assert!(invoice.bytes.starts_with(b"%PDF-1.4"));
    assert_eq!(disguised.declared_type, "application/pdf");
    assert_eq!(disguised.sniffed_type, Some("application/x-msdownload"));
}

#[test]
fn a_bounce_keeps_its_report_and_the_returned_message() {
    let email = parsed("bounce.eml");
    assert_eq!(email.content_type, "multipart/report");
    let status = email
        .delivery_status
        .as_deref()
        .expect("a delivery-status part");
    assert!(status.contains("Status: 5.1.1"));
    assert_eq!(email.header("Return-Path"), Some("<>"));
    let returned = email
        .attachments
        .iter()
        .find(|a| a.declared_type == "message/rfc822");
    assert!(
        returned.is_some_and(|a| String::from_utf8_lossy(&a.bytes).contains("ticket-1042.reply1"))
    );
}

#[test]
fn unknown_charsets_are_flagged_and_read_as_utf8() {
    let raw = "From: a@b.example\r\nSubject: x\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nשלום\r\n";
    let email = parse(raw.as_bytes(), ParseLimits::default());
    assert_eq!(
        email.flags,
        vec![Flag::UnknownCharset("x-klingon".to_owned())]
    );
    assert_eq!(email.text, "שלום");
}

#[test]
fn a_multipart_cut_short_is_truncated() {
    let raw = "From: a@b.example\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n\
               --zz\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nהתחלה של הודעה";
    let email = parse(raw.as_bytes(), ParseLimits::default());
    assert!(email.flags.contains(&Flag::Truncated), "{:?}", email.flags);
    assert!(email.text.contains("התחלה של הודעה"));
}

#[test]
fn broken_base64_is_malformed_but_its_text_is_kept() {
    let raw = "From: a@b.example\r\nSubject: x\r\nContent-Type: text/plain\r\n\
               Content-Transfer-Encoding: base64\r\n\r\n!!!not base64 at all!!!\r\n";
    let email = parse(raw.as_bytes(), ParseLimits::default());
    assert!(
        email
            .flags
            .iter()
            .any(|flag| matches!(flag, Flag::Malformed(_))),
        "{:?}",
        email.flags
    );
}

#[test]
fn bytes_without_headers_are_malformed_and_kept_as_text() {
    let email = parse("סתם טקסט בלי כותרות".as_bytes(), ParseLimits::default());
    assert!(
        email
            .flags
            .iter()
            .any(|flag| matches!(flag, Flag::Malformed(_)))
    );
    assert!(email.text.contains("סתם טקסט"));
}

#[test]
fn a_huge_message_is_parsed_up_to_the_limit_and_flagged() {
    let mut raw = b"From: a@b.example\r\nSubject: big\r\n\r\n".to_vec();
    raw.extend(std::iter::repeat_n(b'x', 10_000));
    let email = parse(
        &raw,
        ParseLimits {
            max_message_bytes: 1_000,
        },
    );
    assert!(email.flags.contains(&Flag::Oversized {
        size: raw.len(),
        limit: 1_000
    }));
    assert_eq!(email.subject, "big");
}

#[test]
fn an_endless_line_is_flagged() {
    let mut raw = b"From: a@b.example\r\nSubject: long\r\n\r\n".to_vec();
    raw.extend(std::iter::repeat_n(b'y', 2_000_000));
    let email = parse(&raw, ParseLimits::default());
    assert!(email.flags.contains(&Flag::LongLine { longest: 2_000_000 }));
    assert_eq!(email.text.len(), 2_000_000);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = parse(&bytes, ParseLimits { max_message_bytes: 2048 });
    }

    #[test]
    fn arbitrary_mime_shaped_input_never_panics(
        header in "[A-Za-z-]{1,12}: [ -~]{0,40}",
        ctype in prop::sample::select(vec!["multipart/mixed; boundary=b", "text/html; charset=iso-8859-8", "text/plain; charset=windows-1255", "message/rfc822"]),
        body in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut raw = format!("{header}\r\nContent-Type: {ctype}\r\n\r\n--b\r\n").into_bytes();
        raw.extend(body);
        let _ = parse(&raw, ParseLimits::default());
    }
}
