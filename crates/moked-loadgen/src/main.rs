//! `moked-loadgen`: a bounded load test of a running Moked server's chat.
//!
//! It prepares a queue and agents through the admin API (bearer token from
//! `moked admin token`), logs the agents in over the desktop API and live
//! WebSocket, then opens customer chats through the widget API and
//! WebSocket at a steady rate. Agents accept every offer and answer every
//! message. It measures contact-to-offer latency (chat POST → the agent's
//! `offer`), message relay both ways and the round trip, counts errors,
//! then holds every customer connection idle and reads the server's RSS
//! (`--server-pid`) for the memory per idle connection. Everything has a
//! deadline: the run ends even if the server stops answering.

mod agent;
mod api;
mod customer;
mod report;
mod setup;
mod stats;

use api::{Api, ApiError};
use clap::Parser;
use stats::{ErrorKind, Metrics};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// Load-tests a running Moked server's web chat.
#[derive(Debug, Clone, Parser)]
#[command(name = "moked-loadgen", version)]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The organization's slug.
    #[arg(long)]
    org: String,
    /// An admin bearer token (`moked admin token --org ORG --role admin`).
    #[arg(long)]
    token: String,
    /// Customer chats (and WebSocket connections) to open.
    #[arg(long, default_value_t = 100)]
    customers: usize,
    /// Agents to log in.
    #[arg(long, default_value_t = 10)]
    agents: usize,
    /// Chats opened per second.
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// Messages each customer exchanges with the agent.
    #[arg(long, default_value_t = 2)]
    messages: u32,
    /// Seconds to hold every customer connection idle before measuring memory.
    #[arg(long, default_value_t = 5)]
    idle_seconds: u64,
    /// The server's process id, to read its resident memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Login prefix of the agents it creates.
    #[arg(long, default_value = "load")]
    prefix: String,
    /// Seconds to wait for any one expected event.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Seconds the whole run may take.
    #[arg(long, default_value_t = 900)]
    deadline: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Why a run could not be done (as opposed to errors it measured).
#[derive(Debug, thiserror::Error)]
enum RunError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    Input(String),
    #[error("the run took more than its deadline of {0} s")]
    Deadline(u64),
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("moked-loadgen: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let deadline = Duration::from_secs(args.deadline);
    let metrics = Arc::new(Metrics::default());
    let outcome = runtime.block_on(async {
        match tokio::time::timeout(deadline, run(args.clone(), Arc::clone(&metrics))).await {
            Ok(outcome) => outcome,
            Err(_) => Err(RunError::Deadline(args.deadline)),
        }
    });
    if let Err(RunError::Deadline(seconds)) = &outcome {
        // What was measured before the deadline still tells where it stalled.
        let setup = args_summary(&args, chat_capacity(&args));
        let partial = report::RunResult::new(&setup, &metrics, *seconds as f64, None, None);
        eprint!(
            "partial figures at the deadline:\n{}",
            report::table(&partial)
        );
    }
    // Tasks still waiting on a dead server must not hold the exit.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match outcome {
        Ok(result) => {
            if args.json {
                println!("{}", report::json(&result));
            } else {
                print!("{}", report::table(&result));
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("moked-loadgen: {error}");
            ExitCode::from(match error {
                RunError::Input(_) => 2,
                _ => 1,
            })
        }
    }
}

fn check(args: &Args) -> Result<(), RunError> {
    if args.customers == 0 || args.agents == 0 {
        return Err(RunError::Input(
            "--customers and --agents must be at least 1".to_owned(),
        ));
    }
    if !(args.rate.is_finite() && args.rate > 0.0) {
        return Err(RunError::Input(
            "--rate must be a positive number of chats per second".to_owned(),
        ));
    }
    if !(args.url.starts_with("http://") || args.url.starts_with("https://")) {
        return Err(RunError::Input(
            "--url must start with http:// or https://".to_owned(),
        ));
    }
    Ok(())
}

async fn run(args: Args, metrics: Arc<Metrics>) -> Result<report::RunResult, RunError> {
    check(&args)?;
    let api = Api::new(&args.url)?;
    let password = random_password()?;
    let capacity = chat_capacity(&args);
    let plan = setup::Plan {
        token: &args.token,
        agents: args.agents,
        prefix: &args.prefix,
        password: &password,
        chat_capacity: capacity,
    };
    let prepared = setup::prepare(&api, &plan).await?;
    let (stop_agents, agents_stop) = watch::channel(false);
    let agents = start_agents(&api, &args, &prepared, &password, &metrics, agents_stop).await?;
    let rss_before = report::rss_kib(args.server_pid);
    let (release, customers_release) = watch::channel(false);
    let started = Instant::now();
    let customers = start_customers(&api, &args, prepared.queue, &metrics, customers_release).await;
    let exchange_seconds = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(args.idle_seconds)).await;
    let rss_idle = report::rss_kib(args.server_pid);
    // Customers end their chats first, so agents see the ends and wrap up.
    let _ = release.send(true);
    for task in customers {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let _ = stop_agents.send(true);
    for task in agents {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    Ok(report::RunResult::new(
        &args_summary(&args, capacity),
        &metrics,
        exchange_seconds,
        rss_before,
        rss_idle,
    ))
}

/// Chats each agent may hold: every customer's chat can be offered at once.
fn chat_capacity(args: &Args) -> u32 {
    args.customers.div_ceil(args.agents.max(1)) as u32 + 1
}

fn args_summary(args: &Args, capacity: u32) -> report::Setup {
    report::Setup {
        url: args.url.clone(),
        customers: args.customers,
        agents: args.agents,
        rate_per_second: args.rate,
        messages_per_chat: args.messages,
        agent_chat_capacity: capacity,
        server_pid: args.server_pid,
    }
}

/// Logs every agent in (a few at a time: logins verify argon2 hashes, which
/// is the server's slowest request by design), opens their sockets and
/// starts serving.
async fn start_agents(
    api: &Api,
    args: &Args,
    prepared: &setup::Prepared,
    password: &str,
    metrics: &Arc<Metrics>,
    stop: watch::Receiver<bool>,
) -> Result<Vec<tokio::task::JoinHandle<()>>, RunError> {
    const PARALLEL_LOGINS: usize = 4;
    let mut handles = Vec::with_capacity(prepared.logins.len());
    for batch in prepared.logins.chunks(PARALLEL_LOGINS) {
        let logins = batch.iter().map(|login| async move {
            let code = prepared.wrap_up_code;
            let agent = agent::Agent::login(api, &args.org, login, password, code).await?;
            let socket = agent.go_live(api).await?;
            Ok::<_, ApiError>((agent, socket))
        });
        for outcome in futures_util::future::join_all(logins).await {
            let (agent, socket) = outcome?;
            let task = agent.serve(api.clone(), socket, Arc::clone(metrics), stop.clone());
            handles.push(tokio::spawn(task));
        }
    }
    Ok(handles)
}

/// Starts the customers at the chosen rate and waits until each has
/// finished its exchange (they stay connected, idle, until released).
async fn start_customers(
    api: &Api,
    args: &Args,
    queue: i64,
    metrics: &Arc<Metrics>,
    release: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let (done, mut finished) = mpsc::channel(args.customers);
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut handles = Vec::with_capacity(args.customers);
    for index in 0..args.customers {
        ticker.tick().await;
        let script = customer::Script {
            org: args.org.clone(),
            queue,
            index,
            messages: args.messages,
            timeout: Duration::from_secs(args.timeout),
        };
        let task = customer::run(
            api.clone(),
            script,
            Arc::clone(metrics),
            done.clone(),
            release.clone(),
        );
        handles.push(tokio::spawn(task));
    }
    drop(done);
    let mut reported = 0;
    while reported < args.customers {
        match finished.recv().await {
            Some(()) => reported += 1,
            None => break,
        }
    }
    if reported < args.customers {
        metrics.errors.record(
            ErrorKind::Protocol,
            format!(
                "{} customers ended without reporting",
                args.customers - reported
            ),
        );
    }
    handles
}

/// A password for the generated agents, 24 hex digits from the OS.
fn random_password() -> Result<String, RunError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes)
        .map_err(|error| RunError::Input(format!("no randomness: {error}")))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}
