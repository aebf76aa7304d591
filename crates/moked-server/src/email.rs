//! The email channel in the server: the SMTP listener (`smtp_listen`) and
//! the IMAP poller deliver into [`intake`], which turns mail into tickets
//! and email contacts routed by the live center; [`outbox`] sends agents'
//! replies through the relay (`smtp_relay`). Settings: [`config`].
//!
//! [`EmailState`] lives in the [`AppState`](crate::AppState) (the reply
//! endpoint and the admin's address changes reach it there); [`start`]
//! runs its tasks for as long as the returned [`EmailTasks`] lives.

pub mod config;
pub mod intake;
pub mod outbox;

use crate::tickets::TicketService;
use anyhow::Context;
use config::MailConfig;
use intake::{Addresses, Intake};
use moked_live::Live;
use moked_mail::{ImapConfig, SmtpConfig, SmtpServer};
use moked_store::{OrgId, Store};
use outbox::Outbox;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The name the listener greets with and the relay is greeted with.
const MAIL_HOSTNAME: &str = "moked";

/// The email channel's shared parts.
pub struct EmailState {
    store: Arc<dyn Store>,
    live: Live,
    /// The addresses the listener accepts.
    pub addresses: Addresses,
    /// Turns delivered mail into tickets.
    pub intake: Intake,
    /// Queues and sends replies.
    pub outbox: Outbox,
    /// Organizations whose agents' messages are followed, with their tasks.
    followed: Mutex<Vec<(OrgId, JoinHandle<()>)>>,
}

impl EmailState {
    /// The channel's parts over the server's store and live center.
    pub fn new(store: Arc<dyn Store>, live: Live) -> EmailState {
        let tickets = TicketService::new(store.clone(), live.clone());
        EmailState {
            addresses: Addresses::default(),
            intake: Intake::new(store.clone(), live.clone(), tickets.clone()),
            outbox: Outbox::new(store.clone(), tickets),
            store,
            live,
            followed: Mutex::new(Vec::new()),
        }
    }

    /// After an admin changed an organization's addresses: the listener
    /// learns them and the organization's replies are followed.
    pub async fn addresses_changed(&self, org: OrgId) -> Result<(), moked_store::StoreError> {
        self.addresses.refresh(self.store.as_ref()).await?;
        self.follow(org);
        Ok(())
    }

    fn follow(&self, org: OrgId) {
        let mut followed = self
            .followed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if followed.iter().any(|(known, _)| *known == org) {
            return;
        }
        let task = tokio::spawn(self.outbox.clone().follow(org, self.live.subscribe(org)));
        followed.push((org, task));
    }
}

impl Drop for EmailState {
    fn drop(&mut self) {
        let followed = self
            .followed
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (_, task) in followed.drain(..) {
            task.abort();
        }
    }
}

/// The channel's running tasks; dropping it stops them.
pub struct EmailTasks {
    smtp_addr: Option<SocketAddr>,
    tasks: Vec<JoinHandle<()>>,
}

impl EmailTasks {
    /// Where the SMTP listener is bound, when it runs.
    pub fn smtp_addr(&self) -> Option<SocketAddr> {
        self.smtp_addr
    }
}

impl Drop for EmailTasks {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Loads the addresses, follows every organization's live events, starts
/// queuing the stored replies, and what `config` asks for: the SMTP
/// listener, the reply sender, the IMAP poller.
pub async fn start(state: &Arc<EmailState>, config: &MailConfig) -> anyhow::Result<EmailTasks> {
    state
        .addresses
        .refresh(state.store.as_ref())
        .await
        .context("loading the organizations' mail addresses")?;
    for org in state.store.organizations().await? {
        state.follow(org.id);
    }
    let mut running = EmailTasks {
        smtp_addr: None,
        tasks: Vec::new(),
    };
    if let Some(listen) = config.smtp_listen {
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening for SMTP on {listen} (--smtp-listen)"))?;
        running.smtp_addr = Some(listener.local_addr()?);
        let smtp = SmtpConfig {
            hostname: MAIL_HOSTNAME.to_owned(),
            ..SmtpConfig::default()
        };
        let server = SmtpServer::new(smtp, state.addresses.clone(), state.intake.clone());
        running.tasks.push(tokio::spawn(server.serve(listener)));
        tracing::info!(addr = %listen, "SMTP listening");
    }
    running
        .tasks
        .push(tokio::spawn(state.outbox.clone().queue_forever()));
    if let Some(relay) = config.smtp_relay {
        let sender = state
            .outbox
            .clone()
            .send_forever(relay, MAIL_HOSTNAME.to_owned());
        running.tasks.push(tokio::spawn(sender));
    }
    if let Some(imap) = &config.imap {
        let poll = ImapConfig {
            host: imap.host.clone(),
            port: imap.port,
            user: imap.user.clone(),
            password: imap.password.clone(),
            folder: imap.folder.clone(),
            address: imap.address.clone(),
            batch: 100,
            timeout: Duration::from_secs(30),
        };
        let interval = Duration::from_secs(imap.interval_seconds);
        let poller = moked_mail::poll_forever(poll, state.intake.clone(), interval);
        running.tasks.push(tokio::spawn(poller));
        tracing::info!(host = %imap.host, folder = %imap.folder, "IMAP polling");
    }
    Ok(running)
}
