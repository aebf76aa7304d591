//! One SMTP connection: the command loop, the transaction and DATA.
//!
//! Replies are buffered and flushed only when the client has nothing more
//! in flight, which is all PIPELINING (RFC 2920) asks of a server and saves
//! a write per command for pipelining clients.

use super::line::{LineRead, read_line};
use super::{Envelope, InboundSink, RecipientLookup, Shared};
use moked_domain::EmailAddress;
use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncWriteExt, BufReader, BufWriter};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// Whether the connection goes on after a command.
#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Close,
}

/// A line read, or the client's silence.
enum Read {
    Line(LineRead),
    TimedOut,
}

struct Transaction {
    mail_from: Option<EmailAddress>,
    recipients: Vec<EmailAddress>,
}

struct Session<'a, L, S> {
    shared: &'a Shared<L, S>,
    reader: BufReader<OwnedReadHalf>,
    writer: BufWriter<OwnedWriteHalf>,
    peer: SocketAddr,
    helo: Option<String>,
    transaction: Option<Transaction>,
    errors: usize,
    messages: usize,
    line: Vec<u8>,
}

/// Serves one connection to its end.
pub(super) async fn run<L: RecipientLookup, S: InboundSink>(
    shared: &Shared<L, S>,
    stream: TcpStream,
    peer: SocketAddr,
) -> io::Result<()> {
    // Replies are small and often awaited one by one: Nagle would hold them.
    stream.set_nodelay(true)?;
    let (read, write) = stream.into_split();
    let mut session = Session {
        shared,
        reader: BufReader::new(read),
        writer: BufWriter::new(write),
        peer,
        helo: None,
        transaction: None,
        errors: 0,
        messages: 0,
        line: Vec::new(),
    };
    let greeting = format!("220 {} ESMTP Moked ready", shared.config.hostname);
    session.reply(&greeting).await?;
    session.commands().await?;
    session.writer.flush().await?;
    session.writer.shutdown().await
}

impl<L: RecipientLookup, S: InboundSink> Session<'_, L, S> {
    async fn commands(&mut self) -> io::Result<()> {
        loop {
            let flow = match self.read(self.shared.config.max_command_bytes).await? {
                Read::TimedOut => self.close("421 4.4.2 Timeout, closing connection").await?,
                Read::Line(LineRead::Closed) => Flow::Close,
                Read::Line(LineRead::TooLong) => self.fail("500 5.5.2 Line too long").await?,
                Read::Line(LineRead::Line) => self.command().await?,
            };
            if flow == Flow::Close {
                return Ok(());
            }
        }
    }

    async fn read(&mut self, max_bytes: usize) -> io::Result<Read> {
        if self.reader.buffer().is_empty() {
            self.writer.flush().await?;
        }
        let timeout = self.shared.config.command_timeout;
        match tokio::time::timeout(
            timeout,
            read_line(&mut self.reader, &mut self.line, max_bytes),
        )
        .await
        {
            Ok(read) => read.map(Read::Line),
            Err(_) => Ok(Read::TimedOut),
        }
    }

    async fn reply(&mut self, text: &str) -> io::Result<()> {
        self.writer.write_all(text.as_bytes()).await?;
        self.writer.write_all(b"\r\n").await
    }

    async fn ok(&mut self, text: &str) -> io::Result<Flow> {
        self.reply(text).await?;
        Ok(Flow::Continue)
    }

    async fn close(&mut self, text: &str) -> io::Result<Flow> {
        self.reply(text).await?;
        Ok(Flow::Close)
    }

    /// A refused command; too many of them end the connection, which keeps
    /// address-guessing and protocol abuse cheap for us.
    async fn fail(&mut self, text: &str) -> io::Result<Flow> {
        self.errors += 1;
        if self.errors >= self.shared.config.max_errors {
            self.reply(text).await?;
            return self
                .close("421 4.7.0 Too many errors, closing connection")
                .await;
        }
        self.ok(text).await
    }

    async fn command(&mut self) -> io::Result<Flow> {
        let line = String::from_utf8_lossy(&self.line).into_owned();
        let (verb, argument) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => self.hello(argument, true).await,
            "HELO" => self.hello(argument, false).await,
            "MAIL" => self.mail(argument).await,
            "RCPT" => self.rcpt(argument).await,
            "DATA" => self.data().await,
            "RSET" => {
                self.transaction = None;
                self.ok("250 2.0.0 Reset").await
            }
            "NOOP" => self.ok("250 2.0.0 OK").await,
            "QUIT" => self.close("221 2.0.0 Bye").await,
            "VRFY" => self.ok("252 2.5.2 Cannot verify, send the message").await,
            "HELP" => self.ok("214 2.0.0 See RFC 5321").await,
            _ => self.fail("500 5.5.1 Command not recognized").await,
        }
    }

    async fn hello(&mut self, argument: &str, extended: bool) -> io::Result<Flow> {
        let name = argument.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return self.fail("501 5.5.4 Give your host name").await;
        }
        self.helo = Some(
            name.chars()
                .filter(char::is_ascii_graphic)
                .take(100)
                .collect(),
        );
        self.transaction = None;
        let host = self.shared.config.hostname.clone();
        if !extended {
            return self.ok(&format!("250 {host}")).await;
        }
        let size = self.shared.config.max_message_bytes;
        let lines = format!(
            "250-{host}\r\n250-SIZE {size}\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES"
        );
        self.ok(&lines).await
    }

    async fn mail(&mut self, argument: &str) -> io::Result<Flow> {
        if self.helo.is_none() {
            return self.fail("503 5.5.1 Send EHLO or HELO first").await;
        }
        if self.transaction.is_some() {
            return self.fail("503 5.5.1 A transaction is already open").await;
        }
        if self.messages >= self.shared.config.max_messages_per_connection {
            return self
                .close("421 4.7.0 Too many messages on one connection")
                .await;
        }
        let Some((path, parameters)) = path_argument(argument, "FROM:") else {
            return self.fail("501 5.5.4 Syntax: MAIL FROM:<address>").await;
        };
        if let Err(reply) = self.check_mail_parameters(parameters) {
            return self.fail(reply).await;
        }
        let mail_from = match path {
            "" => None,
            address => match EmailAddress::parse(address) {
                Ok(address) => Some(address),
                Err(_) => return self.fail("501 5.1.7 Bad sender address").await,
            },
        };
        self.transaction = Some(Transaction {
            mail_from,
            recipients: Vec::new(),
        });
        self.ok("250 2.1.0 OK").await
    }

    fn check_mail_parameters(&self, parameters: &str) -> Result<(), &'static str> {
        for parameter in parameters.split_whitespace() {
            let (key, value) = parameter.split_once('=').unwrap_or((parameter, ""));
            match key.to_ascii_uppercase().as_str() {
                "SIZE" => match value.parse::<usize>() {
                    Ok(size) if size > self.shared.config.max_message_bytes => {
                        return Err("552 5.3.4 Message size exceeds the limit");
                    }
                    Ok(_) => {}
                    Err(_) => return Err("501 5.5.4 SIZE needs a number"),
                },
                "BODY"
                    if value.eq_ignore_ascii_case("7BIT")
                        || value.eq_ignore_ascii_case("8BITMIME") => {}
                _ => return Err("555 5.5.4 Parameter not recognized"),
            }
        }
        Ok(())
    }

    async fn rcpt(&mut self, argument: &str) -> io::Result<Flow> {
        let Some(transaction) = &self.transaction else {
            return self.fail("503 5.5.1 Send MAIL first").await;
        };
        let count = transaction.recipients.len();
        let Some((path, _)) = path_argument(argument, "TO:") else {
            return self.fail("501 5.5.4 Syntax: RCPT TO:<address>").await;
        };
        let Ok(address) = EmailAddress::parse(path) else {
            return self.fail("501 5.1.3 Bad recipient address").await;
        };
        if count >= self.shared.config.max_recipients {
            return self.ok("452 4.5.3 Too many recipients").await;
        }
        if !self.shared.lookup.is_ours(&address) {
            return self.fail("550 5.7.1 Relaying denied").await;
        }
        if let Some(transaction) = &mut self.transaction {
            transaction.recipients.push(address);
        }
        self.ok("250 2.1.5 OK").await
    }

    async fn data(&mut self) -> io::Result<Flow> {
        let ready = self.transaction.as_ref().map(|t| !t.recipients.is_empty());
        match ready {
            None => return self.fail("503 5.5.1 Send MAIL first").await,
            Some(false) => return self.fail("554 5.5.1 No valid recipients").await,
            Some(true) => {}
        }
        self.reply("354 End data with <CR><LF>.<CR><LF>").await?;
        let Some(outcome) = self.read_message().await? else {
            return Ok(Flow::Close);
        };
        let transaction = self.transaction.take();
        match (outcome, transaction) {
            (Message::Complete(raw), Some(transaction)) => self.deliver(transaction, raw).await,
            (Message::TooBig, _) => self.ok("552 5.3.4 Message size exceeds the limit").await,
            (Message::LineTooLong, _) => {
                self.ok("552 5.3.4 A line of the message is too long").await
            }
            (Message::TimedOut, _) => self.close("421 4.4.2 Timeout, closing connection").await,
            (Message::Complete(_), None) => self.ok("503 5.5.1 Send MAIL first").await,
        }
    }

    /// Reads DATA up to the lone dot; `None` if the client went away.
    async fn read_message(&mut self) -> io::Result<Option<Message>> {
        let max_bytes = self.shared.config.max_message_bytes;
        let mut raw = self.received_header().into_bytes();
        let mut outcome: Option<Message> = None;
        loop {
            let read = self.read(self.shared.config.max_data_line_bytes).await?;
            match read {
                Read::TimedOut => return Ok(Some(Message::TimedOut)),
                Read::Line(LineRead::Closed) => return Ok(None),
                Read::Line(LineRead::TooLong) => {
                    outcome.get_or_insert(Message::LineTooLong);
                }
                Read::Line(LineRead::Line) if self.line == b"." => break,
                Read::Line(LineRead::Line) if outcome.is_none() => {
                    // RFC 5321 §4.5.2: a leading dot was doubled by the client.
                    let content = self.line.strip_prefix(b".").unwrap_or(&self.line);
                    if raw.len() + content.len() + 2 > max_bytes {
                        outcome = Some(Message::TooBig);
                        raw = Vec::new();
                    } else {
                        raw.extend_from_slice(content);
                        raw.extend_from_slice(b"\r\n");
                    }
                }
                Read::Line(LineRead::Line) => {}
            }
        }
        Ok(Some(outcome.unwrap_or(Message::Complete(raw))))
    }

    /// The trace header RFC 5321 §4.4 asks of every server that takes mail.
    fn received_header(&self) -> String {
        let helo = self.helo.as_deref().unwrap_or("unknown");
        let now = jiff::Zoned::now();
        let date = jiff::fmt::rfc2822::to_string(&now).unwrap_or_default();
        format!(
            "Received: from {helo} ([{}])\r\n\tby {} (Moked) with ESMTP;\r\n\t{date}\r\n",
            self.peer.ip(),
            self.shared.config.hostname
        )
    }

    async fn deliver(&mut self, transaction: Transaction, raw: Vec<u8>) -> io::Result<Flow> {
        self.messages += 1;
        let envelope = Envelope {
            peer: self.peer,
            helo: self.helo.clone().unwrap_or_default(),
            mail_from: transaction.mail_from,
            recipients: transaction.recipients,
        };
        match self.shared.sink.deliver(envelope, raw).await {
            Ok(()) => self.ok("250 2.0.0 OK: stored").await,
            Err(error) => {
                tracing::warn!(%error, "inbound mail not stored, client told to retry");
                self.ok("451 4.3.0 Could not store the message, try again later")
                    .await
            }
        }
    }
}

/// How reading DATA ended.
enum Message {
    Complete(Vec<u8>),
    TooBig,
    LineTooLong,
    TimedOut,
}

/// Splits `FROM:<path> params` into the path (without brackets or source
/// route) and the parameters.
fn path_argument<'a>(argument: &'a str, keyword: &str) -> Option<(&'a str, &'a str)> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument[keyword.len()..].trim_start();
    let inside = rest.strip_prefix('<')?;
    let (path, parameters) = inside.split_once('>')?;
    // A source route (@relay,@relay:user@domain) is obsolete; RFC 5321
    // §3.3 says to ignore it.
    let path = match path.starts_with('@') {
        true => path.split_once(':').map_or(path, |(_, address)| address),
        false => path,
    };
    Some((path, parameters.trim()))
}

#[cfg(test)]
mod tests {
    use super::path_argument;

    #[test]
    fn paths_and_parameters_are_split() {
        assert_eq!(
            path_argument("FROM:<a@b.example> SIZE=10", "FROM:"),
            Some(("a@b.example", "SIZE=10"))
        );
        assert_eq!(path_argument("from: <>", "FROM:"), Some(("", "")));
        assert_eq!(
            path_argument("TO:<@relay.example:דנה@x.example>", "TO:"),
            Some(("דנה@x.example", ""))
        );
        assert_eq!(path_argument("TO:a@b.example", "TO:"), None);
        assert_eq!(path_argument("T", "TO:"), None);
        assert_eq!(path_argument("TOא:<a@b.example>", "TO:"), None);
    }
}
