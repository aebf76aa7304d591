//! `moked_server::search::rebuild` (what `moked reindex` runs) over a real
//! store: every customer and ticket becomes one document, a conversation
//! linked to a ticket is found through the ticket only, a conversation of
//! its own is found as itself, and a rebuild over several pages indexes
//! each record once.

mod common;

use common::{Backend, start};
use jiff::{SignedDuration, Timestamp};
use moked_domain::{Channel, PhoneE164};
use moked_search::{DocKind, SearchIndex, SearchQuery, WriterConfig};
use moked_server::search::rebuild;
use moked_store::{
    CustomerId, CustomerTier, ImportedConversation, ImportedMessage, ImportedTicket, NewCustomer,
    NewInteraction, NewMessage, NewOrganization, NewQueue, NewTicket, OrgId, QueueId, Sender,
    Store, TicketPriority, TicketStatus,
};
use std::sync::Arc;

both_backends! {
    rebuild_indexes_each_record_once => rebuild_indexes_each_record_once;
}

/// More tickets than a rebuild page (5,000), so the pipeline hands over
/// several pages.
const TICKETS: usize = 6_001;

async fn rebuild_indexes_each_record_once(backend: Backend) {
    let server = start(backend, |_| {}).await;
    let store = server.store.as_ref();
    let org = organization(store).await;
    let queue = store
        .create_queue(org, &email_queue())
        .await
        .expect("queue")
        .id;
    let customers = store
        .import_customers(org, &[customer("דנה כהן", "050-1234567")])
        .await
        .expect("customers");
    let customer = customers[0];
    let mut tickets: Vec<ImportedTicket> = (0..TICKETS)
        .map(|n| ticket(&format!("פנייה מספר {n}"), "שלום", customer, queue))
        .collect();
    tickets[TICKETS - 1] = ticket("הראוטר לא מתחבר", "הנורה מהבהבת באדום", customer, queue);
    for batch in tickets.chunks(moked_store::MAX_IMPORT_BATCH) {
        store.import_tickets(org, batch).await.expect("tickets");
    }
    let chat = own_conversation(store, org, queue, customer).await;

    let dir = tempfile::tempdir().expect("index folder");
    let index = Arc::new(
        SearchIndex::open_with(
            dir.path(),
            WriterConfig {
                threads: 1,
                memory_bytes: 50_000_000,
                merge: false,
            },
        )
        .expect("index"),
    );
    let mut seen = Vec::new();
    let count = rebuild(store, &index, |done| seen.push(done))
        .await
        .expect("rebuild");
    assert_eq!(count, (1 + TICKETS + 1) as u64);
    assert_eq!(index.num_docs(), count);
    assert_eq!(seen.last(), Some(&count));
    assert!(seen.windows(2).all(|pair| pair[0] <= pair[1]), "{seen:?}");

    let found = |text: &str| {
        index
            .search(org.0, &SearchQuery::text(text))
            .expect("search")
            .into_iter()
            .map(|hit| hit.kind)
            .collect::<Vec<_>>()
    };
    // The linked conversation's message is found through its ticket, once.
    assert_eq!(found("מהבהבת"), [DocKind::Ticket]);
    assert_eq!(found("חשבונית"), [DocKind::Message]);
    let chats = index
        .search(org.0, &SearchQuery::text("חשבונית"))
        .expect("search");
    assert_eq!(chats[0].id, chat);
    // The customer, and the conversation titled with her name.
    let mut named = found("דנה");
    named.sort_by_key(|kind| format!("{kind:?}"));
    assert_eq!(named, [DocKind::Customer, DocKind::Message]);
    assert_eq!(
        index
            .count(org.0, &SearchQuery::text("פנייה"))
            .expect("count"),
        TICKETS - 1
    );
}

async fn organization(store: &dyn Store) -> OrgId {
    store
        .create_organization(&NewOrganization {
            slug: "rebuild".into(),
            name: "מוקד בנייה מחדש".into(),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await
        .expect("organization")
        .id
}

fn email_queue() -> NewQueue {
    NewQueue {
        name: "דוא\"ל".into(),
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

fn customer(name: &str, phone: &str) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        phones: vec![PhoneE164::parse(phone).expect("phone")],
        emails: Vec::new(),
        israeli_id: None,
        tier: CustomerTier::Standard,
        notes: String::new(),
    }
}

fn ticket(subject: &str, body: &str, customer: CustomerId, queue: QueueId) -> ImportedTicket {
    let created = Timestamp::from_second(1_790_000_000).expect("time");
    ImportedTicket {
        ticket: NewTicket {
            subject: subject.into(),
            priority: TicketPriority::Normal,
            category: None,
            customer: Some(customer),
            assignee: None,
            team: None,
            tags: Vec::new(),
        },
        status: TicketStatus::Open,
        created_at: created,
        updated_at: created + SignedDuration::from_hours(1),
        conversation: Some(ImportedConversation {
            channel: Channel::Email,
            queue,
            messages: vec![ImportedMessage {
                sender: Sender::Customer,
                body: body.into(),
                sent_at: created,
            }],
        }),
    }
}

/// An email conversation of no ticket with one message; returns its id.
async fn own_conversation(
    store: &dyn Store,
    org: OrgId,
    queue: QueueId,
    customer: CustomerId,
) -> i64 {
    let at = Timestamp::from_second(1_790_000_000).expect("time");
    let chat = store
        .create_interaction(
            org,
            &NewInteraction {
                channel: Channel::Email,
                queue,
                customer: Some(customer),
                created_at: at,
            },
        )
        .await
        .expect("chat")
        .id;
    store
        .insert_message(
            org,
            &NewMessage {
                interaction: chat,
                sender: Sender::Customer,
                body: "החשבונית לא הגיעה".into(),
                idempotency_key: "m1".into(),
                sent_at: at,
            },
        )
        .await
        .expect("message");
    chat.0
}
