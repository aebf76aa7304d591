//! Fills a Moked data folder's SQLite store with generated history for the
//! reindex benchmark (`bench/reindex.sh`): one organization, a quarter as
//! many customers as tickets, and each ticket with its email conversation,
//! in Hebrew and English from `moked_search::generator`, written through the
//! store's bulk import. With `MOKED_DATABASE_URL` set, the store is that
//! PostgreSQL database instead (as `moked reindex` reads it).
//!
//! ```text
//! cargo run --release -p moked --example seed_tickets -- DATA_DIR [TICKETS]
//! ```

use anyhow::{Context, bail};
use jiff::SignedDuration;
use moked_domain::{Channel, PhoneE164};
use moked_search::generator::{GeneratedTicket, Generator};
use moked_server::config::ServerConfig;
use moked_store::{
    CustomerId, CustomerTier, ImportedConversation, ImportedMessage, ImportedTicket,
    MAX_IMPORT_BATCH, NewCustomer, NewOrganization, NewQueue, NewTicket, QueueId, Sender, Store,
    TicketPriority, TicketStatus,
};
use std::path::PathBuf;
use std::time::Instant;

/// The generator's seed, the same as the search benchmark's.
const SEED: u64 = 20_261_122;
/// Tickets per customer, on average.
const TICKETS_PER_CUSTOMER: u64 = 4;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        bail!("usage: seed_tickets DATA_DIR [TICKETS]");
    };
    let tickets: u64 = match args.next() {
        Some(count) => count.parse().context("TICKETS must be a whole number")?,
        None => 1_000_000,
    };
    let config = ServerConfig {
        data_dir: PathBuf::from(dir),
        database_url: std::env::var("MOKED_DATABASE_URL").ok(),
        ..ServerConfig::default()
    };
    let store = moked_server::open_store(&config).await?;
    let started = Instant::now();
    let org = store
        .create_organization(&NewOrganization {
            slug: "bench".into(),
            name: "מוקד מדידה".into(),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await
        .context("the data folder must be new")?
        .id;
    let queue = store.create_queue(org, &email_queue()).await?.id;
    let generator = Generator::new(SEED, org.0);
    let customers = seed_customers(store.as_ref(), org, &generator, tickets).await?;
    seed_tickets(store.as_ref(), org, queue, &generator, &customers, tickets).await?;
    println!(
        "seeded {tickets} tickets and {} customers in {:.1} s",
        customers.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn email_queue() -> NewQueue {
    NewQueue {
        name: "דוא\"ל — שירות".into(),
        channel: Channel::Email,
        skill: None,
        service_level_seconds: 3600,
        auto_accept: false,
        business_hours: None,
        priority: 0,
        wrap_up_seconds: 60,
        offer_timeout_seconds: 0,
    }
}

/// Customer `k` is the one of generated ticket `k`.
async fn seed_customers(
    store: &dyn Store,
    org: moked_store::OrgId,
    generator: &Generator,
    tickets: u64,
) -> anyhow::Result<Vec<CustomerId>> {
    let count = tickets.div_ceil(TICKETS_PER_CUSTOMER);
    let mut ids = Vec::new();
    let mut batch = Vec::new();
    for k in 0..count {
        batch.push(customer_of(&generator.ticket(k)));
        if batch.len() == MAX_IMPORT_BATCH || k + 1 == count {
            ids.extend(store.import_customers(org, &batch).await?);
            batch.clear();
        }
    }
    Ok(ids)
}

fn customer_of(generated: &GeneratedTicket) -> NewCustomer {
    let phones: Vec<PhoneE164> = generated.doc.customer.phones.clone();
    NewCustomer {
        name: generated.name.clone(),
        phones,
        emails: Vec::new(),
        israeli_id: None,
        tier: CustomerTier::Standard,
        notes: String::new(),
    }
}

async fn seed_tickets(
    store: &dyn Store,
    org: moked_store::OrgId,
    queue: QueueId,
    generator: &Generator,
    customers: &[CustomerId],
    tickets: u64,
) -> anyhow::Result<()> {
    let mut batch = Vec::with_capacity(MAX_IMPORT_BATCH);
    for n in 0..tickets {
        let customer = customers[(n % customers.len() as u64) as usize];
        batch.push(ticket_of(generator.ticket(n), customer, queue));
        if batch.len() == MAX_IMPORT_BATCH || n + 1 == tickets {
            store.import_tickets(org, &batch).await?;
            batch.clear();
            eprint!("\r{} tickets", n + 1);
        }
    }
    eprintln!();
    Ok(())
}

fn ticket_of(generated: GeneratedTicket, customer: CustomerId, queue: QueueId) -> ImportedTicket {
    let doc = generated.doc;
    let status = doc
        .placement
        .status
        .as_deref()
        .and_then(|status| status.parse().ok())
        .unwrap_or(TicketStatus::Open);
    ImportedTicket {
        ticket: NewTicket {
            subject: doc.subject,
            priority: TicketPriority::Normal,
            category: None,
            customer: Some(customer),
            assignee: None,
            team: None,
            tags: Vec::new(),
        },
        status,
        created_at: doc.created,
        updated_at: doc.created + SignedDuration::from_hours(2),
        conversation: Some(ImportedConversation {
            channel: Channel::Email,
            queue,
            messages: vec![ImportedMessage {
                sender: Sender::Customer,
                body: doc.body,
                sent_at: doc.created,
            }],
        }),
    }
}
