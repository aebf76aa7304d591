//! `moked demo`: the server (same flags as `serve`) with the demo
//! organization `demo` — a Hebrew cellular operator with customers and
//! history — and a living center of simulated customers and agents. Prints
//! the URL, the pages and the logins.

use crate::cli_error::CliError;
use crate::cmd::serve::{self, load_config, runtime};
use moked_server::demo::{
    self, DEFAULT_BOTS, DEFAULT_CUSTOMERS, DemoCenter, DemoOptions, LOGINS, MAX_BOTS, PAGES,
    TrafficConfig,
};
use std::fmt::Write as _;
use std::sync::Arc;

/// The highest `--traffic-rate`: beyond it the demo is a load test.
const MAX_TRAFFIC_RATE: f64 = 100.0;

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
    let password = match &args.password {
        Some(password) => password.clone(),
        None => demo::generate_password().map_err(|error| CliError::Internal(error.into()))?,
    };
    let config = load_config(
        &args.serve.store,
        args.serve.listen.clone(),
        args.serve.secure_cookies,
    )?;
    moked_server::init_logging(&config.log);
    runtime()?.block_on(async move {
        let store = moked_server::open_store(&config).await?;
        let options = DemoOptions {
            seed: args.seed,
            password: password.clone(),
            customers: DEFAULT_CUSTOMERS,
            bots: args.agents,
        };
        let clock = Arc::new(demo::SystemClock);
        let center = demo::seed(&*store, &options, demo::Clock::now(&*clock))
            .await
            .map_err(|error| CliError::Internal(error.into()))?;
        let server = moked_server::build_with_store(config, store).await?;
        let traffic = (!args.no_traffic).then(|| {
            let traffic = TrafficConfig {
                seed: args.seed,
                rate_multiplier: args.traffic_rate,
                ..TrafficConfig::default()
            };
            demo::start_traffic(server.state().live.clone(), clock, &center, traffic)
        });
        print!(
            "{}",
            banner(&server.url(), &center, &password, traffic.is_some())
        );
        let served = server.serve().await;
        if let Some(traffic) = traffic {
            traffic.shutdown().await;
        }
        served?;
        Ok(())
    })
}

fn check(args: &Args) -> Result<(), CliError> {
    if let Some(password) = &args.password {
        demo::check_password(password).map_err(|error| CliError::option("password", error))?;
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

/// What `moked demo` prints: where to go and how to log in.
fn banner(url: &str, center: &DemoCenter, password: &str, traffic: bool) -> String {
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
