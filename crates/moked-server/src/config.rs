//! The server's configuration: a TOML file (`--config moked.toml`), then
//! environment variables (`MOKED_LISTEN`, `MOKED_DATA`, `MOKED_DATABASE_URL`,
//! `MOKED_LOG`, `MOKED_SIP_LISTEN`, `MOKED_SIP_REALM`), then command-line flags, each source overriding the one
//! before. Every key is documented in `docs/server.md`, section
//! "Configuration".

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Where the server listens when nothing says otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The data folder when nothing says otherwise (the SQLite file lives inside).
pub const DEFAULT_DATA_DIR: &str = "./moked-data";
/// The digest realm of the agents' SIP accounts when nothing says otherwise.
pub const DEFAULT_SIP_REALM: &str = "moked";
/// The longest SIP realm accepted (it is sent in every challenge).
const MAX_SIP_REALM: usize = 64;

/// Everything `moked serve` needs to run.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    /// The address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The data folder (the SQLite database file is created inside).
    pub data_dir: PathBuf,
    /// A `postgres://` URL: use PostgreSQL instead of SQLite.
    pub database_url: Option<String>,
    /// A `tracing` filter (`info`, `moked_server=debug`, ...).
    pub log: String,
    /// The server sits behind a proxy that terminates TLS: cookies get `Secure`.
    pub tls_terminated: bool,
    /// Trust `X-Forwarded-For` for the client address (only behind a proxy
    /// that sets it; otherwise clients could pick their rate-limit key).
    pub trust_proxy: bool,
    /// Hours a login session lasts.
    pub session_hours: u32,
    /// Request limits of the public endpoints.
    pub rate_limits: RateLimits,
    /// The widget's pre-chat form.
    pub widget: WidgetConfig,
    /// Where the SIP server listens (UDP and TCP); `None`: no SIP.
    pub sip_listen: Option<SocketAddr>,
    /// The digest realm of the agents' SIP accounts.
    pub sip_realm: String,
    /// SIP calls in progress at once (waiting, ringing or talking); more
    /// are answered 503.
    pub sip_max_calls: usize,
    /// SIP requests a second from one source address; more are dropped.
    pub sip_requests_per_second: u32,
    /// The email channel: SMTP listener, relay, IMAP mailbox.
    pub mail: crate::email::config::MailConfig,
}

/// Requests allowed per minute on the public endpoints (each is a token
/// bucket: this many at once, refilled evenly over a minute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimits {
    /// Login attempts per client address and login name.
    pub login_per_minute: u32,
    /// Widget chats opened per client address.
    pub widget_chats_per_minute: u32,
    /// Customer messages per chat.
    pub widget_messages_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            login_per_minute: 10,
            widget_chats_per_minute: 5,
            widget_messages_per_minute: 30,
        }
    }
}

/// What the widget's pre-chat form asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct WidgetConfig {
    /// Whether the customer must give a phone number before chatting.
    pub require_phone: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: DEFAULT_LISTEN.parse().expect("a valid default address"),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database_url: None,
            log: "info".to_owned(),
            tls_terminated: false,
            trust_proxy: false,
            session_hours: 12,
            rate_limits: RateLimits::default(),
            widget: WidgetConfig::default(),
            sip_listen: None,
            sip_realm: DEFAULT_SIP_REALM.to_owned(),
            sip_max_calls: moked_sip::DEFAULT_MAX_CALLS,
            sip_requests_per_second: moked_sip::DEFAULT_REQUESTS_PER_SECOND,
            mail: crate::email::config::MailConfig::default(),
        }
    }
}

/// The TOML file's shape: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data: Option<PathBuf>,
    database_url: Option<String>,
    log: Option<String>,
    tls_terminated: Option<bool>,
    trust_proxy: Option<bool>,
    session_hours: Option<u32>,
    rate_limits: Option<RateLimits>,
    widget: Option<WidgetConfig>,
    sip_listen: Option<String>,
    sip_realm: Option<String>,
    sip_max_calls: Option<u64>,
    sip_requests_per_second: Option<u64>,
    mail: Option<crate::email::config::MailFile>,
}

/// What the command line gave (`None`: not given).
#[derive(Debug, Clone, Default)]
pub struct ConfigOverrides {
    /// `--config FILE`.
    pub config_file: Option<PathBuf>,
    /// `--listen ADDR`.
    pub listen: Option<String>,
    /// `--data DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--database-url URL`.
    pub database_url: Option<String>,
    /// `--secure-cookies`.
    pub secure_cookies: bool,
    /// `--sip-listen ADDR`.
    pub sip_listen: Option<String>,
    /// `--sip-realm REALM`.
    pub sip_realm: Option<String>,
    /// `--sip-max-calls N`.
    pub sip_max_calls: Option<String>,
    /// `--sip-requests-per-second N`.
    pub sip_requests_per_second: Option<String>,
    /// `--smtp-listen`, `--smtp-relay`, `--imap-*`.
    pub mail: crate::email::config::MailOverrides,
}

/// Why a configuration cannot be used; names the source and the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML of the expected shape.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and key).
        message: String,
    },
    /// A value is not usable; `source` is the flag, variable or key.
    #[error("{source_name}: {message}")]
    Value {
        /// `--listen`, `MOKED_LISTEN`, `listen` in the file, ...
        source_name: String,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    /// The flag this error is about, when it came from the command line.
    pub fn flag(&self) -> Option<&str> {
        match self {
            ConfigError::Value { source_name, .. } => source_name.strip_prefix("--"),
            _ => None,
        }
    }
}

impl ServerConfig {
    /// The configuration from the file named in `overrides` (if any), the
    /// process environment and the flags.
    pub fn load(overrides: &ConfigOverrides) -> Result<ServerConfig, ConfigError> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        ServerConfig::resolve(overrides, env)
    }

    /// Like [`ServerConfig::load`], with the environment given as a lookup
    /// function (tests pass a map).
    pub fn resolve(
        overrides: &ConfigOverrides,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ServerConfig, ConfigError> {
        let mut config = ServerConfig::default();
        let mut mail_file = None;
        if let Some(path) = &overrides.config_file {
            mail_file = config.apply_file(path)?;
        }
        config.apply_env(&env)?;
        config.apply_flags(overrides)?;
        let file_key = |name: &str| match &overrides.config_file {
            Some(path) => format!("{}: key `{name}`", path.display()),
            None => name.to_owned(),
        };
        config.mail =
            crate::email::config::MailConfig::resolve(mail_file, &file_key, &env, &overrides.mail)?;
        Ok(config)
    }

    /// Applies the file's keys and hands back its `[mail]` table, which
    /// the email channel's settings resolve with the other sources.
    fn apply_file(
        &mut self,
        path: &Path,
    ) -> Result<Option<crate::email::config::MailFile>, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let file: FileConfig = toml::from_str(&text).map_err(|error| ConfigError::File {
            path: path.to_owned(),
            message: error.to_string(),
        })?;
        let key = |name: &str| format!("{}: key `{name}`", path.display());
        if let Some(listen) = file.listen {
            self.listen = parse_listen(&listen, key("listen"))?;
        }
        if let Some(data) = file.data {
            self.data_dir = data;
        }
        if let Some(url) = file.database_url {
            self.database_url = Some(check_database_url(&url, key("database_url"))?);
        }
        if let Some(log) = file.log {
            self.log = log;
        }
        self.tls_terminated = file.tls_terminated.unwrap_or(self.tls_terminated);
        self.trust_proxy = file.trust_proxy.unwrap_or(self.trust_proxy);
        if let Some(hours) = file.session_hours {
            self.session_hours = check_session_hours(hours, key("session_hours"))?;
        }
        self.rate_limits = file.rate_limits.unwrap_or(self.rate_limits);
        check_rate_limits(&self.rate_limits, key("rate_limits"))?;
        self.widget = file.widget.unwrap_or(self.widget);
        if let Some(listen) = file.sip_listen {
            self.sip_listen = Some(parse_sip_listen(&listen, key("sip_listen"))?);
        }
        if let Some(realm) = file.sip_realm {
            self.sip_realm = check_sip_realm(&realm, key("sip_realm"))?;
        }
        if let Some(calls) = file.sip_max_calls {
            self.sip_max_calls = check_count(&calls.to_string(), key("sip_max_calls"))?;
        }
        if let Some(rate) = file.sip_requests_per_second {
            let key = key("sip_requests_per_second");
            self.sip_requests_per_second = check_count(&rate.to_string(), key)?;
        }
        Ok(file.mail)
    }

    fn apply_env(&mut self, env: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(listen) = env("MOKED_LISTEN") {
            self.listen = parse_listen(&listen, "MOKED_LISTEN".into())?;
        }
        if let Some(data) = env("MOKED_DATA") {
            self.data_dir = PathBuf::from(data);
        }
        if let Some(url) = env("MOKED_DATABASE_URL") {
            self.database_url = Some(check_database_url(&url, "MOKED_DATABASE_URL".into())?);
        }
        if let Some(log) = env("MOKED_LOG").or_else(|| env("RUST_LOG")) {
            self.log = log;
        }
        if let Some(listen) = env("MOKED_SIP_LISTEN") {
            self.sip_listen = Some(parse_sip_listen(&listen, "MOKED_SIP_LISTEN".into())?);
        }
        if let Some(realm) = env("MOKED_SIP_REALM") {
            self.sip_realm = check_sip_realm(&realm, "MOKED_SIP_REALM".into())?;
        }
        Ok(())
    }

    fn apply_flags(&mut self, overrides: &ConfigOverrides) -> Result<(), ConfigError> {
        if let Some(listen) = &overrides.listen {
            self.listen = parse_listen(listen, "--listen".into())?;
        }
        if let Some(data) = &overrides.data_dir {
            self.data_dir = data.clone();
        }
        if let Some(url) = &overrides.database_url {
            self.database_url = Some(check_database_url(url, "--database-url".into())?);
        }
        self.tls_terminated |= overrides.secure_cookies;
        if let Some(listen) = &overrides.sip_listen {
            self.sip_listen = Some(parse_sip_listen(listen, "--sip-listen".into())?);
        }
        if let Some(realm) = &overrides.sip_realm {
            self.sip_realm = check_sip_realm(realm, "--sip-realm".into())?;
        }
        if let Some(calls) = &overrides.sip_max_calls {
            self.sip_max_calls = check_count(calls, "--sip-max-calls".into())?;
        }
        if let Some(rate) = &overrides.sip_requests_per_second {
            self.sip_requests_per_second = check_count(rate, "--sip-requests-per-second".into())?;
        }
        Ok(())
    }
}

/// A whole number from 1 up that fits `T` (the SIP limits: zero would
/// refuse every call or every request).
fn check_count<T: std::str::FromStr + TryFrom<u8> + PartialOrd>(
    text: &str,
    source_name: String,
) -> Result<T, ConfigError> {
    let one = T::try_from(1).ok();
    match text.trim().parse::<T>() {
        Ok(count) if one.is_some_and(|one| count >= one) => Ok(count),
        _ => Err(ConfigError::Value {
            source_name,
            message: format!("`{text}` is not a whole number from 1 up"),
        }),
    }
}

fn parse_listen(text: &str, source_name: String) -> Result<SocketAddr, ConfigError> {
    text.trim().parse().map_err(|_| ConfigError::Value {
        source_name,
        message: format!("`{text}` is not an address and port like 127.0.0.1:8080"),
    })
}

fn parse_sip_listen(text: &str, source_name: String) -> Result<SocketAddr, ConfigError> {
    text.trim().parse().map_err(|_| ConfigError::Value {
        source_name,
        message: format!("`{text}` is not an address and port like 127.0.0.1:5060"),
    })
}

/// A realm travels inside a quoted digest parameter and is typed into
/// phones: printable ASCII without quotes or backslashes keeps both safe.
fn check_sip_realm(realm: &str, source_name: String) -> Result<String, ConfigError> {
    let usable = |c: char| c == ' ' || (c.is_ascii_graphic() && c != '"' && c != '\\');
    if !realm.is_empty() && realm.len() <= MAX_SIP_REALM && realm.chars().all(usable) {
        Ok(realm.to_owned())
    } else {
        Err(ConfigError::Value {
            source_name,
            message: format!(
                "`{realm}` is not a realm: 1 to {MAX_SIP_REALM} printable ASCII characters, \
                 no quotes or backslashes"
            ),
        })
    }
}

fn check_database_url(url: &str, source_name: String) -> Result<String, ConfigError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(url.to_owned())
    } else {
        Err(ConfigError::Value {
            source_name,
            message: "must start with postgres:// (SQLite needs no URL: use --data)".into(),
        })
    }
}

fn check_session_hours(hours: u32, source_name: String) -> Result<u32, ConfigError> {
    if (1..=24 * 30).contains(&hours) {
        Ok(hours)
    } else {
        Err(ConfigError::Value {
            source_name,
            message: format!("{hours} is not between 1 and 720"),
        })
    }
}

fn check_rate_limits(limits: &RateLimits, source_name: String) -> Result<(), ConfigError> {
    let all = [
        limits.login_per_minute,
        limits.widget_chats_per_minute,
        limits.widget_messages_per_minute,
    ];
    if all.iter().all(|&n| n > 0) {
        Ok(())
    } else {
        Err(ConfigError::Value {
            source_name,
            message: "every limit must be at least 1 per minute".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn flags_win_over_environment_over_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("moked.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:7000\"\ndata = \"/srv/מוקד\"\ntrust_proxy = true\n\
             [rate_limits]\nlogin_per_minute = 3\n",
        )
        .unwrap();
        let overrides = ConfigOverrides {
            config_file: Some(file),
            listen: Some("127.0.0.1:9000".into()),
            ..ConfigOverrides::default()
        };
        let config =
            ServerConfig::resolve(&overrides, env(&[("MOKED_DATA", "/var/lib/moked")])).unwrap();
        assert_eq!(config.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/moked"));
        assert!(config.trust_proxy);
        assert_eq!(config.rate_limits.login_per_minute, 3);
        assert_eq!(config.rate_limits.widget_chats_per_minute, 5);
    }

    #[test]
    fn bad_values_name_their_source() {
        let overrides = ConfigOverrides {
            listen: Some("localhost".into()),
            ..ConfigOverrides::default()
        };
        let error = ServerConfig::resolve(&overrides, env(&[])).unwrap_err();
        assert_eq!(error.flag(), Some("listen"));
        let error = ServerConfig::resolve(
            &ConfigOverrides::default(),
            env(&[("MOKED_DATABASE_URL", "mysql://x")]),
        )
        .unwrap_err();
        assert!(
            error.to_string().starts_with("MOKED_DATABASE_URL"),
            "{error}"
        );
    }

    #[test]
    fn sip_is_off_unless_an_address_is_given_and_the_realm_comes_from_any_source() {
        let config = ServerConfig::resolve(&ConfigOverrides::default(), env(&[])).unwrap();
        assert_eq!(config.sip_listen, None);
        assert_eq!(config.sip_realm, "moked");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("moked.toml");
        std::fs::write(
            &file,
            "sip_listen = \"127.0.0.1:5070\"\nsip_realm = \"file\"\n",
        )
        .unwrap();
        let overrides = ConfigOverrides {
            config_file: Some(file),
            sip_listen: Some("127.0.0.1:15060".into()),
            ..ConfigOverrides::default()
        };
        let config =
            ServerConfig::resolve(&overrides, env(&[("MOKED_SIP_REALM", "call-center")])).unwrap();
        assert_eq!(config.sip_listen, Some("127.0.0.1:15060".parse().unwrap()));
        assert_eq!(config.sip_realm, "call-center");
    }

    #[test]
    fn bad_sip_values_name_their_flag() {
        let overrides = ConfigOverrides {
            sip_listen: Some("מוקד:5060".into()),
            ..ConfigOverrides::default()
        };
        let error = ServerConfig::resolve(&overrides, env(&[])).unwrap_err();
        assert_eq!(error.flag(), Some("sip-listen"));
        for realm in ["", "מוקד", "a\"b", &"r".repeat(65)] {
            let overrides = ConfigOverrides {
                sip_realm: Some(realm.into()),
                ..ConfigOverrides::default()
            };
            let error = ServerConfig::resolve(&overrides, env(&[])).unwrap_err();
            assert_eq!(error.flag(), Some("sip-realm"), "{realm}");
        }
    }

    #[test]
    fn sip_limits_come_from_the_file_or_the_flags() {
        let config = ServerConfig::resolve(&ConfigOverrides::default(), env(&[])).unwrap();
        assert_eq!(
            (config.sip_max_calls, config.sip_requests_per_second),
            (10_000, 200)
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("moked.toml");
        std::fs::write(
            &file,
            "sip_max_calls = 500\nsip_requests_per_second = 300\n",
        )
        .unwrap();
        let overrides = ConfigOverrides {
            config_file: Some(file),
            sip_requests_per_second: Some("50000".into()),
            ..ConfigOverrides::default()
        };
        let config = ServerConfig::resolve(&overrides, env(&[])).unwrap();
        assert_eq!(
            (config.sip_max_calls, config.sip_requests_per_second),
            (500, 50_000)
        );
        for bad in ["0", "-3", "אלף", "1.5", "99999999999"] {
            let overrides = ConfigOverrides {
                sip_requests_per_second: Some(bad.into()),
                ..ConfigOverrides::default()
            };
            let error = ServerConfig::resolve(&overrides, env(&[])).unwrap_err();
            assert_eq!(error.flag(), Some("sip-requests-per-second"), "{bad}");
            let overrides = ConfigOverrides {
                sip_max_calls: Some(bad.replace("99999999999", "0x10")),
                ..ConfigOverrides::default()
            };
            let error = ServerConfig::resolve(&overrides, env(&[])).unwrap_err();
            assert_eq!(error.flag(), Some("sip-max-calls"), "{bad}");
        }
    }

    #[test]
    fn unknown_file_keys_are_refused_with_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("moked.toml");
        std::fs::write(&file, "listn = \"127.0.0.1:1\"\n").unwrap();
        let overrides = ConfigOverrides {
            config_file: Some(file),
            ..ConfigOverrides::default()
        };
        let error = ServerConfig::resolve(&overrides, env(&[])).unwrap_err();
        assert!(error.to_string().contains("listn"), "{error}");
    }
}
