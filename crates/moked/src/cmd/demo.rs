//! `moked demo`: the server (same flags as `serve`) with the demo
//! organization `demo` — a Hebrew cellular operator with customers and
//! history — and a living center of simulated customers and agents. Prints
//! the URL, the pages, the logins and the agents' SIP accounts. SIP is on
//! (127.0.0.1:5060 unless `--sip-listen` says otherwise); when its port is
//! taken the demo says so and runs without phones.

use crate::cli_error::CliError;
use crate::cmd::serve::{self, runtime};
use moked_server::demo::{
    self, DEFAULT_BOTS, DEFAULT_CUSTOMERS, DemoCenter, DemoOptions, LOGINS, MAX_BOTS, PAGES,
    TrafficConfig,
};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

/// The highest `--traffic-rate`: beyond it the demo is a load test.
const MAX_TRAFFIC_RATE: f64 = 100.0;
/// Where the demo answers SIP unless told otherwise.
const DEFAULT_SIP_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 5060);

/// Arguments of `moked demo`.
#[derive(Debug, clap::Args)]
// The flattened `serve::Args` already names its argument group `Args`.
#[group(id = "demo_args")]
pub struct Args {
    #[command(flatten)]
    pub serve: serve::Args,
    /// Seed of the demo's customers and simulated behaviour.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Password of every demo login (at least 8 characters; default: a new
    /// random one, printed).
    #[arg(long)]
    pub password: Option<String>,
    /// Password of the agents' SIP accounts 1001, 1002, … (at least 8
    /// characters; default: a new random one, printed).
    #[arg(long)]
    pub sip_password: Option<String>,
    /// Simulated agents (bot01, …) answering chats.
    #[arg(long, default_value_t = DEFAULT_BOTS)]
    pub agents: usize,
    /// Seed the organization but simulate no customers or agents.
    #[arg(long)]
    pub no_traffic: bool,
    /// Multiplies the simulated customers' arrival rates (1 = about 600
    /// chats an hour at the day's peak, half that at night).
    #[arg(long, default_value_t = 1.0)]
    pub traffic_rate: f64,
}

/// Runs `moked demo`.
pub fn run(args: Args) -> Result<(), CliError> {
    check(&args)?;
    let password = given_or_generated(&args.password)?;
    let sip_password = given_or_generated(&args.sip_password)?;
    let mut config = args.serve.config()?;
    // Started after the build, so that a taken port turns only SIP off.
    let sip_listen = config.sip_listen.take().unwrap_or(DEFAULT_SIP_LISTEN);
    let sip_realm = config.sip_realm.clone();
    moked_server::init_logging(&config.log);
    runtime()?.block_on(async move {
        let store = moked_server::open_store(&config).await?;
        let options = DemoOptions {
            seed: args.seed,
            password: password.clone(),
            customers: DEFAULT_CUSTOMERS,
            bots: args.agents,
            sip_password: sip_password.clone(),
            sip_realm: sip_realm.clone(),
        };
        let clock = Arc::new(demo::SystemClock);
        let center = demo::seed(&*store, &options, demo::Clock::now(&*clock))
            .await
            .map_err(|error| CliError::Internal(error.into()))?;
        let mut server = moked_server::build_with_store(config, store).await?;
        let sip = server.start_sip(sip_listen).await.map_err(|error| {
            eprintln!(
                "SIP is off: {error}. The demo goes on without phones; \
                 choose another address with --sip-listen."
            );
        });
        let traffic = (!args.no_traffic).then(|| {
            let traffic = TrafficConfig {
                seed: args.seed,
                rate_multiplier: args.traffic_rate,
                ..TrafficConfig::default()
            };
            demo::start_traffic(server.state().live.clone(), clock, &center, traffic)
        });
        let logins = Logins {
            password: &password,
            sip: sip.ok().map(|addr| (addr, sip_password.as_str())),
            sip_realm: &sip_realm,
        };
        print!(
            "{}",
            banner(&server.url(), &center, &logins, traffic.is_some())
        );
        let served = server.serve().await;
        if let Some(traffic) = traffic {
            traffic.shutdown().await;
        }
        served?;
        Ok(())
    })
}

/// The password given, or a new random one.
fn given_or_generated(given: &Option<String>) -> Result<String, CliError> {
    match given {
        Some(password) => Ok(password.clone()),
        None => demo::generate_password().map_err(|error| CliError::Internal(error.into())),
    }
}

/// The phone part of the banner: the agents' SIP accounts and the queues'
/// addresses.
fn phones(out: &mut String, center: &DemoCenter, addr: SocketAddr, realm: &str, password: &str) {
    let _ = writeln!(
        out,
        "\nPhones (SIP over UDP and TCP at {addr}, realm \"{realm}\", password for all: {password}):"
    );
    for phone in &center.phones {
        let _ = writeln!(out, "  {:<6} {}", phone.username, phone.login);
    }
    let _ = writeln!(out, "Voice queues:");
    for queue in &center.voice_queues {
        let _ = writeln!(
            out,
            "  sip:{}@{addr}  {}",
            queue.department.sip_address, queue.queue.spec.name
        );
    }
}

fn check(args: &Args) -> Result<(), CliError> {
    if let Some(password) = &args.password {
        demo::check_password(password).map_err(|error| CliError::option("password", error))?;
    }
    if let Some(password) = &args.sip_password {
        demo::check_password(password).map_err(|error| CliError::option("sip-password", error))?;
    }
    if args.agents > MAX_BOTS {
        return Err(CliError::option(
            "agents",
            format!("at most {MAX_BOTS} simulated agents, not {}", args.agents),
        ));
    }
    if !(args.traffic_rate.is_finite() && (0.0..=MAX_TRAFFIC_RATE).contains(&args.traffic_rate)) {
        return Err(CliError::option(
            "traffic-rate",
            format!(
                "a multiplier from 0 to {MAX_TRAFFIC_RATE}, not {}",
                args.traffic_rate
            ),
        ));
    }
    Ok(())
}

/// The secrets the banner shows.
struct Logins<'a> {
    /// Of every demo login.
    password: &'a str,
    /// Where SIP answers and the agents' SIP password; `None`: SIP is off.
    sip: Option<(SocketAddr, &'a str)>,
    /// The agents' SIP realm.
    sip_realm: &'a str,
}

/// What `moked demo` prints: where to go and how to log in.
fn banner(url: &str, center: &DemoCenter, logins: &Logins<'_>, traffic: bool) -> String {
    let password = logins.password;
    let mut out = String::new();
    let state = if center.created {
        "created"
    } else {
        "kept from an earlier run"
    };
    let _ = writeln!(
        out,
        "Moked demo: {} (org \"{}\", {state})",
        center.org.name, center.org.slug
    );
    let _ = writeln!(out, "Serving at {url}\n");
    let _ = writeln!(out, "Pages:");
    for (path, what) in PAGES {
        let _ = writeln!(out, "  {url}{path:<12} {what}");
    }
    let _ = writeln!(
        out,
        "\nLogins (organization: {}, password for all: {password}):",
        center.org.slug
    );
    for (login, what) in LOGINS {
        let _ = writeln!(out, "  {login:<12} {what}");
    }
    let queues: Vec<&str> = center
        .queues
        .iter()
        .map(|q| q.queue.spec.name.as_str())
        .collect();
    let _ = writeln!(out, "\nQueues: {}", queues.join(", "));
    if let Some((addr, sip_password)) = logins.sip {
        phones(&mut out, center, addr, logins.sip_realm, sip_password);
    }
    if traffic {
        let _ = writeln!(
            out,
            "Simulated customers are writing in; {} simulated agents answer about 70% of them.\n\
             Log in as agent1 at {url}/login to take the rest.",
            center.bots.len()
        );
    } else {
        let _ = writeln!(
            out,
            "No simulated traffic (--no-traffic): open {url}/demo-site to write in."
        );
    }
    let _ = writeln!(out, "(Ctrl-C to stop)");
    out
}
