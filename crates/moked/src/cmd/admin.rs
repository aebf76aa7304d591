//! `moked admin`: set up an installation from the command line: create
//! organizations and users, and issue API bearer tokens. Works on the same
//! store as `moked serve` (same `--config`, `--data`, `--database-url`),
//! and may run while the server runs.

use crate::cli_error::CliError;
use crate::cmd::serve::{StoreArgs, load_config, runtime};
use moked_server::auth::hash_password;
use moked_store::{NewOrganization, NewUser, Organization, Role, Store, StoreError, TeamId};
use std::io::Read;
use std::sync::Arc;

/// Arguments of `moked admin`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    store: StoreArgs,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AdminCommand {
    /// Print a new API bearer token (shown once; stored only as its hash).
    Token {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        /// admin, supervisor or agent.
        #[arg(long)]
        role: String,
        /// What the token is for.
        #[arg(long, default_value = "api")]
        label: String,
        /// Days until it expires (never, if not given).
        #[arg(long)]
        days: Option<u32>,
    },
    /// Users of an organization.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Organizations (tenants).
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
}

#[derive(Debug, clap::Subcommand)]
enum UserCommand {
    /// Create a user.
    Add {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        /// Login name.
        #[arg(long)]
        login: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// admin, supervisor or agent.
        #[arg(long)]
        role: String,
        /// Read the password from standard input (one line).
        #[arg(long, conflicts_with = "password")]
        password_stdin: bool,
        /// The password (visible in the process list: prefer --password-stdin).
        #[arg(long)]
        password: Option<String>,
        /// Screen language: he or en.
        #[arg(long, default_value = "he")]
        lang: String,
        /// Team id.
        #[arg(long)]
        team: Option<i64>,
    },
}

#[derive(Debug, clap::Subcommand)]
enum OrgCommand {
    /// Create an organization.
    Add {
        /// Short name for URLs and logins (lowercase letters, digits, '-').
        #[arg(long)]
        slug: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// IANA time zone.
        #[arg(long, default_value = "Asia/Jerusalem")]
        tz: String,
    },
}

/// Runs `moked admin`.
pub fn run(args: Args) -> Result<(), CliError> {
    let config = load_config(&args.store, None, false)?;
    runtime()?.block_on(async move {
        let store = moked_server::open_store(&config).await?;
        match args.command {
            AdminCommand::Token {
                org,
                role,
                label,
                days,
            } => token(store, &org, &role, &label, days).await,
            AdminCommand::User {
                command:
                    UserCommand::Add {
                        org,
                        login,
                        name,
                        role,
                        password_stdin,
                        password,
                        lang,
                        team,
                    },
            } => {
                let password = read_password(password_stdin, password)?;
                let new = NewUser {
                    login,
                    display_name: name,
                    role: parse_role(&role)?,
                    password_hash: String::new(),
                    team: team.map(TeamId),
                    lang,
                };
                add_user(store, &org, new, password).await
            }
            AdminCommand::Org {
                command: OrgCommand::Add { slug, name, tz },
            } => add_org(store, slug, name, tz).await,
        }
    })
}

fn parse_role(role: &str) -> Result<Role, CliError> {
    Role::from_name(role).ok_or_else(|| {
        CliError::option(
            "role",
            format!("`{role}` is not admin, supervisor or agent"),
        )
    })
}

fn read_password(from_stdin: bool, given: Option<String>) -> Result<String, CliError> {
    let password = match (from_stdin, given) {
        (true, _) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|error| CliError::option("password-stdin", error))?;
            text.lines().next().unwrap_or_default().to_owned()
        }
        (false, Some(password)) => password,
        (false, None) => {
            return Err(CliError::option(
                "password-stdin",
                "give the password with --password-stdin (or --password)",
            ));
        }
    };
    if password.chars().count() < moked_server::api::admin::MIN_PASSWORD_CHARS {
        return Err(CliError::option(
            if from_stdin {
                "password-stdin"
            } else {
                "password"
            },
            format!(
                "the password must be at least {} characters",
                moked_server::api::admin::MIN_PASSWORD_CHARS
            ),
        ));
    }
    Ok(password)
}

/// Names the flag a store error is about.
fn store_error(error: StoreError) -> CliError {
    match error {
        StoreError::Invalid { field, reason } => CliError::option(flag_of(field), reason),
        StoreError::Conflict { entity, detail } => CliError::option(
            flag_of(entity),
            format!("{entity} already exists: {detail}"),
        ),
        StoreError::NotFound { entity } => {
            CliError::option(flag_of(entity), format!("{entity} not found"))
        }
        StoreError::Backend(source) => CliError::Internal(anyhow::anyhow!(source)),
    }
}

fn flag_of(field: &str) -> &'static str {
    match field {
        "slug" | "organization" => "slug",
        "time_zone" => "tz",
        "login" | "user" => "login",
        "display_name" => "name",
        "role" => "role",
        "team" => "team",
        "lang" => "lang",
        "password_hash" => "password",
        "days" => "days",
        "label" => "label",
        _ => "name",
    }
}

async fn organization(store: &dyn Store, slug: &str) -> Result<Organization, CliError> {
    store
        .organization_by_slug(slug)
        .await
        .map_err(|error| match error {
            StoreError::NotFound { .. } | StoreError::Invalid { .. } => {
                CliError::option("org", format!("no organization with slug `{slug}`"))
            }
            other => store_error(other),
        })
}

async fn token(
    store: Arc<dyn Store>,
    org: &str,
    role: &str,
    label: &str,
    days: Option<u32>,
) -> Result<(), CliError> {
    let role = parse_role(role)?;
    if days == Some(0) {
        return Err(CliError::option("days", "must be at least 1"));
    }
    let org = organization(store.as_ref(), org).await?;
    let token = moked_server::issue_api_token(store.as_ref(), org.id, role, label, days)
        .await
        .map_err(store_error)?;
    println!("{token}");
    Ok(())
}

async fn add_user(
    store: Arc<dyn Store>,
    org: &str,
    mut new: NewUser,
    password: String,
) -> Result<(), CliError> {
    let org = organization(store.as_ref(), org).await?;
    if !moked_store::LANGUAGES.contains(&new.lang.as_str()) {
        return Err(CliError::option("lang", "must be he or en"));
    }
    new.password_hash = hash_password(&password);
    let user = store.create_user(org.id, &new).await.map_err(store_error)?;
    println!(
        "created user {} ({}, {}) in {}: id {}",
        user.login,
        user.display_name,
        user.role.as_str(),
        org.slug,
        user.id
    );
    Ok(())
}

async fn add_org(
    store: Arc<dyn Store>,
    slug: String,
    name: String,
    time_zone: String,
) -> Result<(), CliError> {
    if jiff::tz::TimeZone::get(&time_zone).is_err() {
        return Err(CliError::option(
            "tz",
            format!("`{time_zone}` is not an IANA time zone"),
        ));
    }
    let new = NewOrganization {
        slug,
        name,
        time_zone,
    };
    let org = store.create_organization(&new).await.map_err(store_error)?;
    println!(
        "created organization {} ({}): id {}",
        org.slug, org.name, org.id
    );
    Ok(())
}
