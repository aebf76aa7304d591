//! The SMTP listener, driven by swaks (Debian's `swaks`) and by a raw
//! socket for the protocol errors a real client would not make.

mod common;

use common::{Client, SERVICE, start};
use moked_mail::{ParseLimits, SmtpConfig, parse};
use std::net::SocketAddr;
use std::process::Output;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn fixture_path(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

async fn swaks(address: SocketAddr, arguments: &[&str]) -> Output {
    let port = address.port().to_string();
    tokio::process::Command::new("swaks")
        .args([
            "--server",
            "127.0.0.1",
            "--port",
            &port,
            "--helo",
            "client.example",
        ])
        .args(arguments)
        .output()
        .await
        .expect("swaks runs (apt-get install -y swaks)")
}

fn transcript(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

#[tokio::test]
async fn swaks_delivers_a_hebrew_message() {
    let (address, sink) = start(SmtpConfig::default()).await;
    let output = swaks(
        address,
        &[
            "--from",
            "dana@customer.example",
            "--to",
            SERVICE,
            "--header",
            "Subject: שאלה על חשבונית",
            "--body",
            "שלום, יש לי שאלה.\n.נקודה בתחילת שורה",
        ],
    )
    .await;
    assert!(output.status.success(), "{}", transcript(&output));
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let (envelope, raw) = &messages[0];
    assert_eq!(
        envelope.mail_from.as_ref().map(|a| a.as_str()),
        Some("dana@customer.example")
    );
    assert_eq!(envelope.recipients[0].as_str(), SERVICE);
    assert_eq!(envelope.helo, "client.example");
    assert!(raw.starts_with(b"Received: from client.example ([127.0.0.1])"));
    let email = parse(raw, ParseLimits::default());
    assert_eq!(email.subject, "שאלה על חשבונית");
    assert!(email.text.contains(".נקודה בתחילת שורה"), "{}", email.text);
}

#[tokio::test]
async fn swaks_delivers_outlook_mail_with_an_encoded_hebrew_subject() {
    let (address, sink) = start(SmtpConfig::default()).await;
    let data = fixture_path("outlook_windows1255.eml");
    let output = swaks(
        address,
        &[
            "--from",
            "moshe.cohen@outlook.example",
            "--to",
            SERVICE,
            "--data",
            &data,
        ],
    )
    .await;
    assert!(output.status.success(), "{}", transcript(&output));
    let email = parse(&sink.messages()[0].1, ParseLimits::default());
    assert_eq!(email.subject, "החבילה לא הגיעה");
    assert!(email.text.contains("עדיין לא הגיעה"));
}

#[tokio::test]
async fn swaks_delivers_an_attachment_intact() {
    let (address, sink) = start(SmtpConfig::default()).await;
    let data = fixture_path("attachment.eml");
    let output = swaks(
        address,
        &[
            "--from",
            "yossi@biz.example",
            "--to",
            SERVICE,
            "--data",
            &data,
        ],
    )
    .await;
    assert!(output.status.success(), "{}", transcript(&output));
    let email = parse(&sink.messages()[0].1, ParseLimits::default());
    assert_eq!(email.attachments.len(), 2);
    assert_eq!(
        email.attachments[0].file_name.as_deref(),
        Some("חשבונית.pdf")
    );
    assert!(email.attachments[0].bytes.ends_with(b"%%EOF\n"));
}

#[tokio::test]
async fn swaks_is_refused_as_a_relay() {
    let (address, sink) = start(SmtpConfig::default()).await;
    let output = swaks(
        address,
        &[
            "--from",
            "spammer@bad.example",
            "--to",
            "victim@elsewhere.example",
        ],
    )
    .await;
    assert!(!output.status.success());
    assert!(
        transcript(&output).contains("550 5.7.1 Relaying denied"),
        "{}",
        transcript(&output)
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn swaks_is_refused_a_message_over_the_size_limit() {
    let config = SmtpConfig {
        max_message_bytes: 4_000,
        ..SmtpConfig::default()
    };
    let (address, sink) = start(config).await;
    let body = "שורה ארוכה של טקסט בעברית\n".repeat(300);
    let output = swaks(
        address,
        &[
            "--from",
            "dana@customer.example",
            "--to",
            SERVICE,
            "--body",
            &body,
        ],
    )
    .await;
    assert!(!output.status.success());
    assert!(
        transcript(&output).contains("552 5.3.4"),
        "{}",
        transcript(&output)
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn pipelined_commands_are_answered_in_order_and_dots_unstuffed() {
    let (address, sink) = start(SmtpConfig::default()).await;
    let mut client = Client::connect(address).await;
    client.expect("220").await;
    client
        .send(&format!(
            "EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<{SERVICE}>\r\nDATA\r\n\
             Subject: x\r\n\r\n..שורה עם נקודה\r\n.\r\nQUIT\r\n"
        ))
        .await;
    let ehlo = client.expect("250-").await;
    assert!(ehlo.contains("PIPELINING") && ehlo.contains("8BITMIME") && ehlo.contains("SIZE"));
    for code in ["250 2.1.0", "250 2.1.5", "354", "250 2.0.0", "221"] {
        client.expect(code).await;
    }
    let (envelope, raw) = &sink.messages()[0];
    assert_eq!(envelope.mail_from, None);
    assert!(String::from_utf8_lossy(raw).ends_with("\r\n\r\n.שורה עם נקודה\r\n"));
}

#[tokio::test]
async fn commands_out_of_order_and_bad_syntax_are_refused() {
    let (address, _) = start(SmtpConfig {
        max_errors: 100,
        ..SmtpConfig::default()
    })
    .await;
    let mut client = Client::connect(address).await;
    client.expect("220").await;
    client.command("MAIL FROM:<a@b.example>", "503 5.5.1").await;
    client.command("HELO", "501").await;
    client.command("HELO c.example", "250").await;
    client
        .command("RCPT TO:<service@demo.example>", "503 5.5.1")
        .await;
    client.command("DATA", "503 5.5.1").await;
    client.command("MAIL FROM:a@b.example", "501").await;
    client
        .command("MAIL FROM:<not an address>", "501 5.1.7")
        .await;
    client
        .command("MAIL FROM:<a@b.example> SIZE=99999999999", "552 5.3.4")
        .await;
    client
        .command("MAIL FROM:<a@b.example> XFOO=1", "555")
        .await;
    client.command("MAIL FROM:<a@b.example>", "250").await;
    client.command("MAIL FROM:<a@b.example>", "503").await;
    client.command("DATA", "554 5.5.1").await;
    client.command("RSET", "250").await;
    client.command("NOOP", "250").await;
    client.command("STARTTLS", "500 5.5.1").await;
    client.command(&"X".repeat(2_000), "500 5.5.2").await;
    client.command("QUIT", "221").await;
    assert_eq!(client.reply().await, "");
}

#[tokio::test]
async fn recipients_are_limited_per_message() {
    let config = SmtpConfig {
        max_recipients: 2,
        ..SmtpConfig::default()
    };
    let (address, _) = start(config).await;
    let mut client = Client::connect(address).await;
    client.expect("220").await;
    client.command("EHLO c.example", "250").await;
    client.command("MAIL FROM:<a@b.example>", "250").await;
    client.command(&format!("RCPT TO:<{SERVICE}>"), "250").await;
    client.command(&format!("RCPT TO:<{SERVICE}>"), "250").await;
    client
        .command(&format!("RCPT TO:<{SERVICE}>"), "452 4.5.3")
        .await;
}

#[tokio::test]
async fn a_long_line_in_a_message_is_refused_and_the_session_goes_on() {
    let config = SmtpConfig {
        max_data_line_bytes: 100,
        ..SmtpConfig::default()
    };
    let (address, sink) = start(config).await;
    let mut client = Client::connect(address).await;
    client.expect("220").await;
    client.command("EHLO c.example", "250").await;
    client.command("MAIL FROM:<a@b.example>", "250").await;
    client.command(&format!("RCPT TO:<{SERVICE}>"), "250").await;
    client.command("DATA", "354").await;
    client
        .send(&format!("Subject: x\r\n\r\n{}\r\n", "א".repeat(5_000)))
        .await;
    client.command(".", "552 5.3.4").await;
    client.command("NOOP", "250").await;
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_failing_sink_makes_the_client_retry() {
    let (address, sink) = start(SmtpConfig::default()).await;
    sink.failing.store(true, Ordering::SeqCst);
    let mut client = Client::connect(address).await;
    client.expect("220").await;
    client.command("EHLO c.example", "250").await;
    client.command("MAIL FROM:<a@b.example>", "250").await;
    client.command(&format!("RCPT TO:<{SERVICE}>"), "250").await;
    client.command("DATA", "354").await;
    client
        .command("Subject: נסיון\r\n\r\nגוף\r\n.", "451 4.3.0")
        .await;
}

#[tokio::test]
async fn too_many_errors_close_the_connection() {
    let config = SmtpConfig {
        max_errors: 3,
        ..SmtpConfig::default()
    };
    let (address, _) = start(config).await;
    let mut client = Client::connect(address).await;
    client.expect("220").await;
    client.command("EHLO c.example", "250").await;
    client.command("MAIL FROM:<a@b.example>", "250").await;
    client
        .command("RCPT TO:<a@guess1.example>", "550 5.7.1")
        .await;
    client
        .command("RCPT TO:<a@guess2.example>", "550 5.7.1")
        .await;
    client
        .command("RCPT TO:<a@guess3.example>", "550 5.7.1")
        .await;
    client.expect("421 4.7.0").await;
    assert_eq!(client.reply().await, "");
}

#[tokio::test]
async fn connections_are_limited_per_client_address() {
    let config = SmtpConfig {
        max_connections_per_ip: 1,
        ..SmtpConfig::default()
    };
    let (address, _) = start(config).await;
    let mut first = Client::connect(address).await;
    first.expect("220").await;
    let mut second = Client::connect(address).await;
    second.expect("421 4.7.0").await;
    first.command("QUIT", "221").await;
    assert_eq!(first.reply().await, "");
    let mut third = Client::connect(address).await;
    third.expect("220").await;
}

#[tokio::test]
async fn a_silent_client_is_disconnected() {
    let config = SmtpConfig {
        command_timeout: Duration::from_millis(50),
        ..SmtpConfig::default()
    };
    let (address, _) = start(config).await;
    let mut client = Client::connect(address).await;
    client.expect("220").await;
    client.expect("421 4.4.2").await;
    assert_eq!(client.reply().await, "");
}
