//! The demo center: seeding is idempotent (on SQLite and, when configured,
//! PostgreSQL), and the living center offers and answers chats — and
//! leaves work for a person — within seconds on a fast clock.

mod common;

use jiff::{SignedDuration, Timestamp};
use moked_domain::Channel;
use moked_live::{AgentActivity, Clock, Live, LiveConfig, PresenceRequest, Sleep};
use moked_server::demo::{self, DemoCenter, DemoOptions, TrafficConfig};
use moked_store::{CustomerQuery, Sender, Store, TimelineStep};
use moked_store_sqlite::SqliteStore;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Customers seeded in tests (the command seeds 200).
const TEST_CUSTOMERS: usize = 40;

fn options(password: &str) -> DemoOptions {
    DemoOptions {
        seed: 11,
        password: password.to_owned(),
        customers: TEST_CUSTOMERS,
        bots: demo::DEFAULT_BOTS,
        sip_password: format!("{password}-טלפון"),
        sip_realm: "moked".to_owned(),
    }
}

/// 2026-11-22 09:30 UTC: 11:30 in Jerusalem, near the day's peak.
fn late_morning() -> Timestamp {
    "2026-11-22T09:30:00Z".parse().unwrap()
}

both_backends! {
    seeding_twice => seeding_twice_is_idempotent;
}

async fn seeding_twice_is_idempotent(backend: common::Backend) {
    let server = common::start(backend, |_| {}).await;
    let store = &*server.store;
    let first = demo::seed(store, &options("סיסמה-ראשונה"), late_morning())
        .await
        .unwrap();
    let counts_after_first = counts(store, &first).await;
    let admin_hash = store
        .user_by_login(first.org.id, "admin")
        .await
        .unwrap()
        .password_hash;
    let second = demo::seed(store, &options("סיסמה-שנייה"), late_morning())
        .await
        .unwrap();

    assert!(first.created && !second.created);
    assert_eq!(first.org, second.org);
    assert_eq!(first.org.name, "סלולר דמו");
    assert_eq!(first.org.time_zone, "Asia/Jerusalem");
    assert_eq!(counts(store, &second).await, counts_after_first);
    let names: Vec<&str> = second
        .queues
        .iter()
        .map(|q| q.queue.spec.name.as_str())
        .collect();
    assert_eq!(names, ["חיובים", "תמיכה טכנית", "מכירות", "שימור"]);
    assert_eq!(second.bots.len(), 12);
    assert_eq!(
        second
            .humans
            .iter()
            .map(|u| u.login.as_str())
            .collect::<Vec<_>>(),
        ["agent1", "agent2", "agent3"]
    );
    // The password printed by the second run is the one that works now.
    let new_hash = store
        .user_by_login(first.org.id, "admin")
        .await
        .unwrap()
        .password_hash;
    assert_ne!(admin_hash, new_hash);
    assert_eq!(counts_after_first.0, TEST_CUSTOMERS);
    assert_history(store, &second).await;
    assert_phones(store, &second, "סיסמה-שנייה-טלפון").await;
}

/// Each department has a voice queue reached at its SIP address, and each
/// human agent a SIP account (agent1 = 1001, …) opened by the last run's
/// SIP password.
async fn assert_phones(store: &dyn Store, center: &DemoCenter, sip_password: &str) {
    let org = center.org.id;
    let voice: Vec<&str> = center
        .voice_queues
        .iter()
        .map(|q| q.queue.spec.name.as_str())
        .collect();
    assert_eq!(
        voice,
        [
            "חיובים — טלפון",
            "תמיכה טכנית — טלפון",
            "מכירות — טלפון",
            "שימור — טלפון"
        ]
    );
    assert!(
        center
            .voice_queues
            .iter()
            .all(|q| q.queue.spec.channel == Channel::Voice)
    );
    for (address, queue) in ["billing", "support", "sales", "retention"]
        .into_iter()
        .zip(&center.voice_queues)
    {
        let route = store.sip_route(address).await.unwrap().unwrap();
        assert_eq!((route.org, route.queue), (org, queue.queue.id), "{address}");
    }
    assert_eq!(store.sip_routes(org).await.unwrap().len(), 4);
    let accounts = store.sip_accounts(org).await.unwrap();
    assert_eq!(accounts.len(), center.humans.len());
    for (index, human) in center.humans.iter().enumerate() {
        let username = (1001 + index).to_string();
        let account = store
            .sip_account_by_username(&username)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(account.user, human.id, "{username}");
        assert_eq!(account.realm, "moked");
        assert_eq!(
            account.ha1,
            moked_sip::ha1(&username, "moked", sip_password)
        );
        assert_eq!(center.phones[index].login, human.login);
        assert_eq!(center.phones[index].username, username);
    }
}

/// (customers, users, queues, wrap-up codes, interactions of the customers).
async fn counts(store: &dyn Store, center: &DemoCenter) -> (usize, usize, usize, usize, usize) {
    let org = center.org.id;
    let customers = all_customers(store, center).await;
    let mut interactions = 0;
    for customer in &customers {
        interactions += store
            .customer_interactions(org, customer.id)
            .await
            .unwrap()
            .len();
    }
    (
        customers.len(),
        store.users(org).await.unwrap().len(),
        store.queues(org).await.unwrap().len(),
        store.wrap_up_codes(org).await.unwrap().len(),
        interactions,
    )
}

async fn all_customers(store: &dyn Store, center: &DemoCenter) -> Vec<moked_store::Customer> {
    let query = CustomerQuery {
        text: None,
        after: None,
        limit: 500,
    };
    store.customers(center.org.id, &query).await.unwrap()
}

/// Customers have Hebrew names, Israeli mobiles, some an ID number, and
/// past chats with a full timeline and messages from both sides.
async fn assert_history(store: &dyn Store, center: &DemoCenter) {
    let org = center.org.id;
    let customers = all_customers(store, center).await;
    assert!(
        customers
            .iter()
            .all(|c| c.details.phones[0].as_str().starts_with("+9725"))
    );
    assert!(customers.iter().any(|c| c.details.israeli_id.is_some()));
    let mut chats_with_messages = 0;
    for customer in &customers {
        for interaction in store.customer_interactions(org, customer.id).await.unwrap() {
            assert!(interaction.ended_at.is_some(), "history is finished");
            assert!(interaction.created_at < late_morning());
            let kinds: Vec<&str> = interaction.timeline.iter().map(|e| e.step.kind()).collect();
            assert_eq!(kinds.first(), Some(&"queued"));
            let messages = store.messages(org, interaction.id).await.unwrap();
            if kinds.last() == Some(&"wrapped_up") && !messages.is_empty() {
                assert!(
                    messages
                        .iter()
                        .any(|m| m.content.sender == Sender::Customer)
                );
                assert!(
                    messages
                        .iter()
                        .any(|m| matches!(m.content.sender, Sender::Agent(_)))
                );
                assert!(
                    messages[0]
                        .content
                        .body
                        .chars()
                        .any(|c| ('א'..='ת').contains(&c))
                );
                chats_with_messages += 1;
            }
        }
    }
    assert!(
        chats_with_messages > 0,
        "some past chats have their conversation"
    );
}

/// A clock running `speed` times faster than real time from `start`: the
/// live center's timers and the demo's waits all follow it.
struct FastClock {
    start: Timestamp,
    real: Instant,
    speed: f64,
}

impl Clock for FastClock {
    fn now(&self) -> Timestamp {
        let elapsed = self.real.elapsed().as_secs_f64() * self.speed;
        self.start + SignedDuration::from_secs_f64(elapsed)
    }

    fn sleep_until(&self, at: Timestamp) -> Sleep {
        let wait = at.duration_since(self.now()).as_secs_f64().max(0.0) / self.speed;
        Box::pin(tokio::time::sleep(Duration::from_secs_f64(wait)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_living_center_offers_and_answers_chats_and_leaves_some_for_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_dir(dir.path()).await.unwrap());
    let clock = Arc::new(FastClock {
        start: late_morning(),
        real: Instant::now(),
        speed: 30.0,
    });
    let center = demo::seed(&*store, &options("סיסמה-לבדיקה"), clock.now())
        .await
        .unwrap();
    let live = Live::start(store.clone(), clock.clone(), LiveConfig::default())
        .await
        .unwrap();
    let mut events = live.subscribe(center.org.id);
    let config = TrafficConfig {
        seed: 5,
        rate_multiplier: 2.0,
        ..TrafficConfig::default()
    };
    let traffic = demo::start_traffic(live.clone(), clock.clone(), &center, config);
    let agent1 = center.humans[0].id;
    live.set_presence(center.org.id, agent1, PresenceRequest::Available)
        .await
        .unwrap();

    // Real seconds: at 30× that is over four minutes of the demo's day.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(9);
    let mut person_offered = None;
    while person_offered.is_none()
        || traffic.stats().wrapped_up_by_bots.load(Ordering::Relaxed) == 0
    {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("within 9 s a person is offered a chat and a bot finishes one")
            .expect("the live center runs");
        let event = serde_json::to_value(&event).unwrap();
        if event["type"] == "offer" && event["agent"].as_i64() == Some(agent1.0) {
            person_offered = event["chat"].as_i64();
        }
    }
    let stats = traffic.stats();
    assert!(stats.opened.load(Ordering::Relaxed) >= 3);
    assert!(stats.accepted_by_bots.load(Ordering::Relaxed) >= 1);
    assert!(stats.messages.load(Ordering::Relaxed) >= 2);
    assert_eq!(
        stats.errors.load(Ordering::Relaxed),
        0,
        "no live call failed unexpectedly"
    );

    // What the bots did is in the store: offered, accepted, in Hebrew.
    let chat = stats.accepted_chats()[0];
    let interaction = store.interaction(center.org.id, chat).await.unwrap();
    let steps = &interaction.timeline;
    assert!(
        steps
            .iter()
            .any(|e| matches!(e.step, TimelineStep::Offered { .. }))
    );
    assert!(
        steps
            .iter()
            .any(|e| matches!(e.step, TimelineStep::Accepted { .. }))
    );
    let board = live.wallboard(center.org.id).await.unwrap();
    let offered: u32 = board.queues.iter().map(|q| q.offered).sum();
    let answered: u32 = board.queues.iter().map(|q| q.answered).sum();
    assert!(
        offered >= 3 && answered >= 1,
        "wallboard: {offered} offered, {answered} answered"
    );

    traffic.shutdown().await;
    let bot = center.bots[0].user.id;
    let desk = live.agent_desk(center.org.id, bot).await.unwrap();
    assert_eq!(
        desk.presence,
        AgentActivity::Offline,
        "bots log out on shutdown"
    );
}
