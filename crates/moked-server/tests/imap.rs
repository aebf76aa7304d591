//! The server polling a real IMAP mailbox: Debian's dovecot on loopback,
//! started privately by moked-mail's `scripts/dovecot-test.sh`. Hebrew mail
//! in ISO-8859-8 (visual order, as old clients sent it, and the logical
//! `-i` variant) opens tickets and email contacts; a mail polled once is
//! not polled again after the server restarts.

mod common;
mod mail_support;

use common::{Backend, seed_org};
use mail_support::{database, email_address, serve};
use moked_domain::{Channel, EmailAddress};
use moked_server::email::config::ImapSettings;
use moked_store::{OrgId, Store, StoredEmail, TicketQuery};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

both_backends! {
    polled_mail_opens_tickets_once_across_a_restart => polled_mail_opens_tickets_once_across_a_restart;
}

const SERVICE: &str = "service@acme.example";
const PASSWORD: &str = "סוד-של-תיבה";
/// moked-mail's fixture: an old client's visual-order ISO-8859-8 mail.
const VISUAL_ID: &str = "200003140830.AA01234@netvision.example";

/// A running private dovecot, stopped when dropped.
struct Dovecot {
    dir: tempfile::TempDir,
    port: u16,
}

impl Dovecot {
    fn start() -> Dovecot {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let port_text = port.to_string();
        script(&["start", path(dir.path()), &port_text, SERVICE, PASSWORD]);
        Dovecot { dir, port }
    }

    /// Puts messages in the mailbox's INBOX, unseen.
    fn deliver(&self, messages: &[Vec<u8>]) {
        let files = tempfile::tempdir().unwrap();
        let mut names = Vec::new();
        for (n, raw) in messages.iter().enumerate() {
            let file = files.path().join(format!("{n}.eml"));
            std::fs::write(&file, raw).unwrap();
            names.push(file.to_str().unwrap().to_owned());
        }
        let mut arguments = vec!["deliver", path(self.dir.path()), SERVICE];
        arguments.extend(names.iter().map(String::as_str));
        script(&arguments);
    }

    /// Messages dovecot holds as seen (Maildir `cur/` names with `S` in
    /// their flags), and all it holds.
    fn seen_of_all(&self) -> (usize, usize) {
        let maildir = self.dir.path().join("mail").join(SERVICE).join("Maildir");
        let names = |folder: &str| -> Vec<String> {
            std::fs::read_dir(maildir.join(folder))
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        };
        let current = names("cur");
        let seen = current
            .iter()
            .filter(|name| {
                name.rsplit_once(":2,")
                    .is_some_and(|(_, flags)| flags.contains('S'))
            })
            .count();
        (seen, current.len() + names("new").len())
    }

    fn settings(&self) -> ImapSettings {
        ImapSettings {
            host: "127.0.0.1".to_owned(),
            port: self.port,
            user: SERVICE.to_owned(),
            password: PASSWORD.to_owned(),
            folder: "INBOX".to_owned(),
            address: EmailAddress::parse(SERVICE).unwrap(),
            interval_seconds: 1,
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        script(&["stop", path(self.dir.path())]);
    }
}

fn path(dir: &Path) -> &str {
    dir.to_str().expect("a UTF-8 temporary path")
}

fn script(arguments: &[&str]) {
    let script: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "moked-mail",
        "scripts",
        "dovecot-test.sh",
    ]
    .iter()
    .collect();
    let output = Command::new(script)
        .args(arguments)
        .output()
        .expect("the dovecot script runs (Debian package dovecot-imapd)");
    assert!(
        output.status.success(),
        "{arguments:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn visual_fixture() -> Vec<u8> {
    let file = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "moked-mail",
        "tests",
        "fixtures",
        "old_visual_iso88598.eml",
    ]
    .iter()
    .collect::<PathBuf>();
    std::fs::read(file).unwrap()
}

/// Hebrew letters in ISO-8859-8 (U+05D0… are 0xE0…).
fn iso_8859_8(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'א'..='ת' => 0xE0 + (u32::from(c) - 0x05D0) as u8,
            _ => c as u8,
        })
        .collect()
}

/// A logical-order ISO-8859-8-I mail; `message_id` `None`: a client that
/// sets none, so a second fetch would store it twice.
fn logical_mail(from: &str, message_id: Option<&str>, subject: &str, body: &str) -> Vec<u8> {
    let id = message_id.map_or_else(String::new, |id| format!("Message-ID: <{id}>\r\n"));
    let mut raw = format!(
        "From: {from}\r\nTo: {SERVICE}\r\nSubject: {subject}\r\n{id}MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=iso-8859-8-i\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    )
    .into_bytes();
    raw.extend(iso_8859_8(body));
    raw.extend(b"\r\n");
    raw
}

async fn tickets(store: &dyn Store, org: OrgId) -> Vec<moked_store::Ticket> {
    let query = TicketQuery {
        limit: 50,
        ..TicketQuery::default()
    };
    store.tickets(org, &query).await.unwrap()
}

async fn wait_for<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..300 {
        if let Some(found) = check().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn handled(store: &dyn Store, org: OrgId, message_id: &str) -> StoredEmail {
    wait_for(message_id, async || {
        store
            .email_by_message_id(org, message_id)
            .await
            .unwrap()
            .filter(|email| email.processed)
    })
    .await
}

async fn polled_mail_opens_tickets_once_across_a_restart(backend: Backend) {
    let dovecot = Dovecot::start();
    let db = database(backend).await;
    let store = db.store.as_ref();
    let org = seed_org(store, "acme", "אקמה").await;
    email_address(store, org.id, SERVICE).await;
    let without_id = logical_mail(
        "yossi@example.co.il",
        None,
        "=?iso-8859-8-i?Q?=E4=E6=EE=F0=E4?=",
        "שלום, ההזמנה שלי לא הגיעה",
    );
    dovecot.deliver(&[visual_fixture(), without_id]);
    let first = serve(&db, |config| config.mail.imap = Some(dovecot.settings())).await;

    let email = handled(store, org.id, VISUAL_ID).await;
    let ticket = store.ticket(org.id, email.ticket.unwrap()).await.unwrap();
    assert_eq!(ticket.subject, "חשבון");
    assert!(ticket.tags.contains(&"email".to_owned()), "{ticket:?}");
    let customer = store
        .customer(org.id, email.customer.unwrap())
        .await
        .unwrap();
    assert_eq!(customer.details.name, "רות כץ");
    assert_eq!(
        customer.details.emails[0].as_str(),
        "ruth@netvision.example"
    );
    let contact = store
        .interaction(org.id, email.interaction.unwrap())
        .await
        .unwrap();
    assert_eq!(contact.channel, Channel::Email);
    assert_eq!(contact.ended_at, None, "waiting for an agent");
    assert_eq!(contact.customer, Some(customer.id));
    let messages = store.messages(org.id, contact.id).await.unwrap();
    assert_eq!(
        messages[0].content.body,
        "שלום\nאני לקוח שלכם מאז 1995 סימון\nקיבלתי חיוב (לא נכון) בחשבון",
        "the body in logical order, without the subject"
    );
    let opened = wait_for("both mails", async || {
        let opened = tickets(store, org.id).await;
        (opened.len() == 2).then_some(opened)
    })
    .await;
    assert!(opened.iter().any(|t| t.subject == "הזמנה"), "{opened:?}");
    wait_for("dovecot to hold both as seen", async || {
        (dovecot.seen_of_all() == (2, 2)).then_some(())
    })
    .await;
    first.stop().await;

    // The restarted server polls again: the new mail arrives, the two seen
    // ones (one without a Message-ID to tell a second copy by) do not.
    let later = logical_mail(
        "yossi@example.co.il",
        Some("later@example.co.il"),
        "=?iso-8859-8-i?Q?=F2=E5=E3_=F9=E0=EC=E4?=",
        "ועוד שאלה: מתי מגיע השליח?",
    );
    dovecot.deliver(&[later]);
    let second = serve(&db, |config| config.mail.imap = Some(dovecot.settings())).await;
    let email = handled(store, org.id, "later@example.co.il").await;
    let messages = store
        .messages(org.id, email.interaction.unwrap())
        .await
        .unwrap();
    assert_eq!(messages[0].content.body, "ועוד שאלה: מתי מגיע השליח?");
    wait_for("dovecot to hold all three as seen", async || {
        (dovecot.seen_of_all() == (3, 3)).then_some(())
    })
    .await;
    let opened = tickets(store, org.id).await;
    assert_eq!(opened.len(), 3, "{opened:?}");
    for ticket in &opened {
        assert_eq!(
            store.ticket_emails(org.id, ticket.id).await.unwrap().len(),
            1
        );
    }
    second.stop().await;
}
