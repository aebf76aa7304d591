//! `moked serve`: run the contact-center server (HTTP API, web UI, live
//! routing) on a SQLite file in the data folder or on PostgreSQL, until
//! Ctrl-C or SIGTERM.

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
}

/// The configuration from the file, the environment and these flags.
pub fn load_config(
    store: &StoreArgs,
    listen: Option<String>,
    secure_cookies: bool,
) -> Result<ServerConfig, CliError> {
    let overrides = ConfigOverrides {
        config_file: store.config.clone(),
        listen,
        data_dir: store.data.clone(),
        database_url: store.database_url.clone(),
        secure_cookies,
    };
    ServerConfig::load(&overrides).map_err(config_error)
}

fn config_error(error: ConfigError) -> CliError {
    let message = error.to_string();
    match error {
        ConfigError::Value { source_name, .. } => match source_name.as_str() {
            "--listen" => CliError::option("listen", strip(&message, &source_name)),
            "--database-url" => CliError::option("database-url", strip(&message, &source_name)),
            other => CliError::Input {
                location: Location {
                    path: PathBuf::from(if other.starts_with("MOKED_") {
                        "environment"
                    } else {
                        "configuration"
                    }),
                    line: None,
                    field: Some(other.to_owned()),
                },
                message: strip(&message, other),
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
    let config = load_config(&args.store, args.listen, args.secure_cookies)?;
    moked_server::init_logging(&config.log);
    runtime()?.block_on(async move {
        let server = moked_server::build(config).await?;
        println!("Moked is serving at {}", server.url());
        println!("(Ctrl-C to stop)");
        server.serve().await?;
        Ok(())
    })
}
