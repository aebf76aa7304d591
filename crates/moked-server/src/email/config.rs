//! The email channel's settings: where the SMTP listener binds, the relay
//! replies go through, and an IMAP mailbox to poll. They come from the
//! `[mail]` table of the configuration file, then `MOKED_SMTP_LISTEN`,
//! `MOKED_SMTP_RELAY` and `MOKED_IMAP_*`, then `--smtp-listen`,
//! `--smtp-relay` and `--imap-*`. The IMAP password has no flag: a flag is
//! visible to every user of the machine in the process list.

use crate::config::ConfigError;
use moked_domain::EmailAddress;
use serde::Deserialize;
use std::net::SocketAddr;

/// How often the IMAP mailbox is polled when nothing says otherwise.
pub const DEFAULT_IMAP_INTERVAL_SECONDS: u64 = 60;

/// The email channel's settings; all off by default.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MailConfig {
    /// Where the SMTP listener binds; `None`: no SMTP intake.
    pub smtp_listen: Option<SocketAddr>,
    /// The relay replies are sent through; `None`: replies wait in the
    /// outbox.
    pub smtp_relay: Option<SocketAddr>,
    /// A mailbox polled over IMAP.
    pub imap: Option<ImapSettings>,
}

/// An IMAP mailbox and the organization address its mail counts as sent to.
#[derive(Clone, PartialEq)]
pub struct ImapSettings {
    /// Server host name or address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Login name.
    pub user: String,
    /// Password (never logged: see the `Debug` implementation).
    pub password: String,
    /// The folder, `INBOX` by default.
    pub folder: String,
    /// The organization address the mailbox feeds.
    pub address: EmailAddress,
    /// Seconds between polls.
    pub interval_seconds: u64,
}

impl std::fmt::Debug for ImapSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &"<hidden>")
            .field("folder", &self.folder)
            .field("address", &self.address)
            .field("interval_seconds", &self.interval_seconds)
            .finish()
    }
}

/// The `[mail]` table of the configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailFile {
    smtp_listen: Option<String>,
    smtp_relay: Option<String>,
    imap: Option<ImapFile>,
}

/// The `[mail.imap]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImapFile {
    server: Option<String>,
    user: Option<String>,
    password: Option<String>,
    folder: Option<String>,
    address: Option<String>,
    interval_seconds: Option<u64>,
}

/// The mail flags of the command line (`None`: not given).
#[derive(Debug, Clone, Default)]
pub struct MailOverrides {
    /// `--smtp-listen ADDR`.
    pub smtp_listen: Option<String>,
    /// `--smtp-relay ADDR`.
    pub smtp_relay: Option<String>,
    /// `--imap-server HOST:PORT`.
    pub imap_server: Option<String>,
    /// `--imap-user NAME`.
    pub imap_user: Option<String>,
    /// `--imap-folder NAME`.
    pub imap_folder: Option<String>,
    /// `--imap-address ADDRESS`.
    pub imap_address: Option<String>,
}

/// The IMAP values gathered from every source before they are checked
/// together (a mailbox needs all of server, user, password and address).
#[derive(Debug, Default)]
struct ImapParts {
    server: Option<(String, String)>,
    user: Option<String>,
    password: Option<String>,
    folder: Option<String>,
    address: Option<(String, String)>,
    interval_seconds: Option<u64>,
}

fn value_error(source_name: &str, message: String) -> ConfigError {
    ConfigError::Value {
        source_name: source_name.to_owned(),
        message,
    }
}

fn socket(text: &str, source_name: &str) -> Result<SocketAddr, ConfigError> {
    text.trim().parse().map_err(|_| {
        value_error(
            source_name,
            format!("`{text}` is not an address and port like 127.0.0.1:2525"),
        )
    })
}

impl MailConfig {
    /// Resolves the file table, the environment and the flags, in that
    /// order of precedence (last wins). `file_key` names a file key in errors.
    pub fn resolve(
        file: Option<MailFile>,
        file_key: &dyn Fn(&str) -> String,
        env: &dyn Fn(&str) -> Option<String>,
        flags: &MailOverrides,
    ) -> Result<MailConfig, ConfigError> {
        let mut config = MailConfig::default();
        let mut imap = ImapParts::default();
        if let Some(file) = file {
            config.take(
                file.smtp_listen,
                file.smtp_relay,
                &file_key("mail.smtp_listen"),
                &file_key("mail.smtp_relay"),
            )?;
            if let Some(table) = file.imap {
                imap.server = table.server.map(|s| (s, file_key("mail.imap.server")));
                imap.user = table.user;
                imap.password = table.password;
                imap.folder = table.folder;
                imap.address = table.address.map(|a| (a, file_key("mail.imap.address")));
                imap.interval_seconds = table.interval_seconds;
            }
        }
        config.take(
            env("MOKED_SMTP_LISTEN"),
            env("MOKED_SMTP_RELAY"),
            "MOKED_SMTP_LISTEN",
            "MOKED_SMTP_RELAY",
        )?;
        imap.overlay_env(env);
        config.take(
            flags.smtp_listen.clone(),
            flags.smtp_relay.clone(),
            "--smtp-listen",
            "--smtp-relay",
        )?;
        imap.overlay_flags(flags);
        config.imap = imap.finish()?;
        Ok(config)
    }

    fn take(
        &mut self,
        listen: Option<String>,
        relay: Option<String>,
        listen_name: &str,
        relay_name: &str,
    ) -> Result<(), ConfigError> {
        if let Some(listen) = listen {
            self.smtp_listen = Some(socket(&listen, listen_name)?);
        }
        if let Some(relay) = relay {
            self.smtp_relay = Some(socket(&relay, relay_name)?);
        }
        Ok(())
    }
}

impl ImapParts {
    fn overlay_env(&mut self, env: &dyn Fn(&str) -> Option<String>) {
        if let Some(server) = env("MOKED_IMAP_SERVER") {
            self.server = Some((server, "MOKED_IMAP_SERVER".to_owned()));
        }
        self.user = env("MOKED_IMAP_USER").or(self.user.take());
        self.password = env("MOKED_IMAP_PASSWORD").or(self.password.take());
        self.folder = env("MOKED_IMAP_FOLDER").or(self.folder.take());
        if let Some(address) = env("MOKED_IMAP_ADDRESS") {
            self.address = Some((address, "MOKED_IMAP_ADDRESS".to_owned()));
        }
    }

    fn overlay_flags(&mut self, flags: &MailOverrides) {
        if let Some(server) = &flags.imap_server {
            self.server = Some((server.clone(), "--imap-server".to_owned()));
        }
        self.user = flags.imap_user.clone().or(self.user.take());
        self.folder = flags.imap_folder.clone().or(self.folder.take());
        if let Some(address) = &flags.imap_address {
            self.address = Some((address.clone(), "--imap-address".to_owned()));
        }
    }

    /// The mailbox, when a server is named; then everything else it needs
    /// must be there too.
    fn finish(self) -> Result<Option<ImapSettings>, ConfigError> {
        let Some((server, server_name)) = self.server else {
            return Ok(None);
        };
        let (host, port) = server
            .rsplit_once(':')
            .and_then(|(host, port)| Some((host.trim(), port.trim().parse::<u16>().ok()?)))
            .filter(|(host, _)| !host.is_empty())
            .ok_or_else(|| {
                value_error(
                    &server_name,
                    format!("`{server}` is not a host and port like 127.0.0.1:143"),
                )
            })?;
        let missing = |what: &str| {
            value_error(
                &server_name,
                format!(
                    "an IMAP mailbox also needs {what} (MOKED_IMAP_{})",
                    what.to_uppercase()
                ),
            )
        };
        let (address, address_name) = self.address.ok_or_else(|| missing("address"))?;
        let address = EmailAddress::parse(&address)
            .map_err(|e| value_error(&address_name, format!("`{address}`: {e}")))?;
        Ok(Some(ImapSettings {
            host: host.to_owned(),
            port,
            user: self.user.ok_or_else(|| missing("user"))?,
            password: self.password.ok_or_else(|| missing("password"))?,
            folder: self.folder.unwrap_or_else(|| "INBOX".to_owned()),
            address,
            interval_seconds: self
                .interval_seconds
                .unwrap_or(DEFAULT_IMAP_INTERVAL_SECONDS)
                .max(1),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(env: &[(&str, &str)], flags: &MailOverrides) -> Result<MailConfig, ConfigError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        MailConfig::resolve(None, &|k| k.to_owned(), &|k| env.get(k).cloned(), flags)
    }

    #[test]
    fn flags_win_over_the_environment_and_the_password_stays_hidden() {
        let flags = MailOverrides {
            smtp_listen: Some("127.0.0.1:2525".into()),
            imap_server: Some("127.0.0.1:10143".into()),
            ..MailOverrides::default()
        };
        let config = resolve(
            &[
                ("MOKED_SMTP_LISTEN", "127.0.0.1:9"),
                ("MOKED_SMTP_RELAY", "127.0.0.1:2526"),
                ("MOKED_IMAP_USER", "שירות"),
                ("MOKED_IMAP_PASSWORD", "סוד-גדול"),
                ("MOKED_IMAP_ADDRESS", "service@demo.example"),
            ],
            &flags,
        )
        .expect("valid");
        assert_eq!(config.smtp_listen, Some("127.0.0.1:2525".parse().unwrap()));
        assert_eq!(config.smtp_relay, Some("127.0.0.1:2526".parse().unwrap()));
        let imap = config.imap.expect("a mailbox");
        assert_eq!((imap.host.as_str(), imap.port), ("127.0.0.1", 10143));
        assert_eq!(imap.folder, "INBOX");
        assert!(!format!("{imap:?}").contains("סוד"));
    }

    #[test]
    fn bad_values_name_their_source() {
        let flags = MailOverrides {
            smtp_relay: Some("ממסר".into()),
            ..MailOverrides::default()
        };
        let error = resolve(&[], &flags).expect_err("bad relay");
        assert_eq!(error.flag(), Some("smtp-relay"));
        let flags = MailOverrides {
            imap_server: Some("127.0.0.1:143".into()),
            ..MailOverrides::default()
        };
        let env = [
            ("MOKED_IMAP_USER", "u"),
            ("MOKED_IMAP_ADDRESS", "service@demo.example"),
        ];
        let error = resolve(&env, &flags).expect_err("no password");
        assert!(error.to_string().contains("password"), "{error}");
    }
}
