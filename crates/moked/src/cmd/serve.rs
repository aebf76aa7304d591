//! `moked serve`: run the contact-center server (HTTP API, web UI, live
//! routing, and SIP when `--sip-listen` is given) on a SQLite file in the
//! data folder or on PostgreSQL, until Ctrl-C or SIGTERM.

use crate::cli_error::{CliError, Location};
use moked_server::{ConfigError, ConfigOverrides, ServerConfig};
use std::path::PathBuf;

/// Where the data lives: shared by `serve`, `demo` and `admin`.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// A TOML configuration file (keys in docs/server.md, "Configuration").
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The data folder; the SQLite database file is created inside
    /// [env MOKED_DATA; default ./moked-data].
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Use PostgreSQL instead of SQLite: postgres://user:password@host/db
    /// [env MOKED_DATABASE_URL].
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// Arguments of `moked serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address and port to listen on [env MOKED_LISTEN; default 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Mark the session cookie Secure (the server is behind a TLS proxy).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Answer SIP (agents' phones and callers) on this address and port, UDP
    /// and TCP [env MOKED_SIP_LISTEN; default: no SIP for serve,
    /// 127.0.0.1:5060 for demo].
    #[arg(long, value_name = "ADDR")]
    pub sip_listen: Option<String>,
    /// Receive email over SMTP on this address and port, for the
    /// organizations' configured addresses only [env MOKED_SMTP_LISTEN;
    /// default: no SMTP].
    #[arg(long, value_name = "ADDR")]
    pub smtp_listen: Option<String>,
    /// Send agents' email replies through this SMTP relay, address and port
    /// [env MOKED_SMTP_RELAY; default: replies wait in the outbox].
    #[arg(long, value_name = "ADDR")]
    pub smtp_relay: Option<String>,
    /// Poll this IMAP server (HOST:PORT) for mail; the password comes from
    /// MOKED_IMAP_PASSWORD or the file, never a flag [env MOKED_IMAP_SERVER].
    #[arg(long, value_name = "HOST:PORT")]
    pub imap_server: Option<String>,
    /// The IMAP login [env MOKED_IMAP_USER].
    #[arg(long, value_name = "NAME")]
    pub imap_user: Option<String>,
    /// The IMAP folder [env MOKED_IMAP_FOLDER; default INBOX].
    #[arg(long, value_name = "NAME")]
    pub imap_folder: Option<String>,
    /// The organization address the IMAP mailbox feeds
    /// [env MOKED_IMAP_ADDRESS].
    #[arg(long, value_name = "ADDRESS")]
    pub imap_address: Option<String>,
    /// Digest realm of the agents' SIP accounts [env MOKED_SIP_REALM;
    /// default moked].
    #[arg(long, value_name = "REALM")]
    pub sip_realm: Option<String>,
    /// SIP calls in progress at once (waiting, ringing or talking); more
    /// are answered 503 with Retry-After [default 10000].
    #[arg(long, value_name = "N")]
    pub sip_max_calls: Option<String>,
    /// SIP requests a second accepted from one source address; more are
    /// dropped (raise it for a trunk or a load generator) [default 200].
    #[arg(long, value_name = "N")]
    pub sip_requests_per_second: Option<String>,
}

impl Args {
    /// The configuration from the file, the environment and all these flags.
    pub fn config(&self) -> Result<ServerConfig, CliError> {
        load_overrides(ConfigOverrides {
            config_file: self.store.config.clone(),
            listen: self.listen.clone(),
            data_dir: self.store.data.clone(),
            database_url: self.store.database_url.clone(),
            secure_cookies: self.secure_cookies,
            sip_listen: self.sip_listen.clone(),
            sip_realm: self.sip_realm.clone(),
            sip_max_calls: self.sip_max_calls.clone(),
            sip_requests_per_second: self.sip_requests_per_second.clone(),
            mail: moked_server::email::config::MailOverrides {
                smtp_listen: self.smtp_listen.clone(),
                smtp_relay: self.smtp_relay.clone(),
                imap_server: self.imap_server.clone(),
                imap_user: self.imap_user.clone(),
                imap_folder: self.imap_folder.clone(),
                imap_address: self.imap_address.clone(),
            },
        })
    }
}

/// The configuration from the file, the environment and these flags.
pub fn load_config(
    store: &StoreArgs,
    listen: Option<String>,
    secure_cookies: bool,
) -> Result<ServerConfig, CliError> {
    load_overrides(ConfigOverrides {
        config_file: store.config.clone(),
        listen,
        data_dir: store.data.clone(),
        database_url: store.database_url.clone(),
        secure_cookies,
        ..ConfigOverrides::default()
    })
}

fn load_overrides(overrides: ConfigOverrides) -> Result<ServerConfig, CliError> {
    ServerConfig::load(&overrides).map_err(config_error)
}

fn config_error(error: ConfigError) -> CliError {
    let message = error.to_string();
    match error {
        ConfigError::Value { source_name, .. } => match flag(&source_name) {
            Some(flag) => CliError::option(flag, strip(&message, &source_name)),
            None => CliError::Input {
                location: Location {
                    path: PathBuf::from(if source_name.starts_with("MOKED_") {
                        "environment"
                    } else {
                        "configuration"
                    }),
                    line: None,
                    field: Some(source_name.clone()),
                },
                message: strip(&message, &source_name),
            },
        },
        ConfigError::Read { path, source } => CliError::io(&path, source),
        ConfigError::File { path, message } => CliError::Input {
            location: Location {
                path,
                line: None,
                field: None,
            },
            message,
        },
    }
}

/// The flags whose bad values the configuration reports, as `CliError`
/// names them (it wants them for the life of the program).
const FLAGS: [&str; 6] = [
    "listen",
    "database-url",
    "sip-listen",
    "sip-realm",
    "sip-max-calls",
    "sip-requests-per-second",
];

fn flag(source_name: &str) -> Option<&'static str> {
    let name = source_name.strip_prefix("--")?;
    FLAGS.into_iter().find(|flag| *flag == name)
}

fn strip(message: &str, prefix: &str) -> String {
    message
        .strip_prefix(prefix)
        .map(|rest| rest.trim_start_matches(':').trim().to_owned())
        .unwrap_or_else(|| message.to_owned())
}

/// A multi-threaded Tokio runtime for the server commands.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| CliError::Internal(error.into()))
}

/// Runs `moked serve`.
pub fn run(args: Args) -> Result<(), CliError> {
    let config = args.config()?;
    moked_server::init_logging(&config.log);
    runtime()?.block_on(async move {
        let server = moked_server::build(config).await?;
        println!("Moked is serving at {}", server.url());
        if let Some(addr) = server.sip_addr() {
            println!("SIP (UDP and TCP) at {addr}");
        }
        println!("(Ctrl-C to stop)");
        server.serve().await?;
        Ok(())
    })
}
