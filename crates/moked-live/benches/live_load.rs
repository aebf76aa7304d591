//! Load figures for the live center on a SQLite file: contact-to-offer
//! latency (`open_chat` returns once the offer is committed) and message
//! relay latency (a customer's `customer_message` call until a subscriber
//! receives the `message` event), with many chats open at once.
//!
//! `cargo bench -p moked-live --bench live_load` (set `MOKED_BENCH_CHATS`,
//! default 5000, and `MOKED_BENCH_CONCURRENCY`, default 64).

use moked_domain::Channel;
use moked_live::{Lang, Live, LiveConfig, LiveEvent, OpenChat, PresenceRequest, SystemClock};
use moked_store::{AgentCapacity, InteractionId, NewOrganization, NewQueue, NewUser, Role, Store};
use moked_store_sqlite::SqliteStore;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

const HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$bW9rZWRzYWx0$1n3b0sSMU7sKsbWbX2oXzXkHk3Zz1xQ2dFJ0m9yXvGA";

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{what}: n={} p50={:.1} ms p90={:.1} ms p99={:.1} ms max={:.1} ms",
        samples.len(),
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.9).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let chats = setting("MOKED_BENCH_CHATS", 5_000);
    let concurrency = setting("MOKED_BENCH_CONCURRENCY", 64);
    let agents = chats.div_ceil(3);
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_dir(dir.path()).await.unwrap());
    let org = store
        .create_organization(&NewOrganization {
            slug: "load".into(),
            name: "עומס".into(),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await
        .unwrap()
        .id;
    let queue = store
        .create_queue(
            org,
            &NewQueue {
                name: "צ'אט".into(),
                channel: Channel::Chat,
                skill: None,
                service_level_seconds: 20,
                auto_accept: false,
                business_hours: None,
                priority: 0,
                wrap_up_seconds: 30,
                offer_timeout_seconds: 600,
            },
        )
        .await
        .unwrap()
        .id;
    let started = Instant::now();
    let mut users = Vec::with_capacity(agents);
    for n in 0..agents {
        let user = store
            .create_user(
                org,
                &NewUser {
                    login: format!("agent{n}"),
                    display_name: format!("נציג {n}"),
                    role: Role::Agent,
                    password_hash: HASH.into(),
                    team: None,
                    lang: "he".into(),
                },
            )
            .await
            .unwrap()
            .id;
        let capacity = AgentCapacity {
            channel: Channel::Chat,
            max_concurrent: 3,
        };
        store.set_agent_capacity(org, user, capacity).await.unwrap();
        users.push(user);
    }
    let live = Live::start(store.clone(), Arc::new(SystemClock), LiveConfig::default())
        .await
        .unwrap();
    for &user in &users {
        live.set_presence(org, user, PresenceRequest::Available)
            .await
            .unwrap();
    }
    println!(
        "{chats} chats, {agents} agents × 3 chats, {concurrency} callers; setup {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Contact to offer.
    let gate = Arc::new(Semaphore::new(concurrency));
    let mut tasks = Vec::with_capacity(chats);
    for n in 0..chats {
        let (live, gate) = (live.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            let open = OpenChat {
                queue: Some(queue),
                name: format!("לקוח {n}"),
                phone: None,
                lang: Lang::He,
            };
            let begun = Instant::now();
            let opened = live.open_chat(org, open).await.unwrap();
            (opened.chat, begun.elapsed())
        }));
    }
    let mut opened = Vec::with_capacity(chats);
    let mut offer_latency = Vec::with_capacity(chats);
    let wave = Instant::now();
    for task in tasks {
        let (chat, latency) = task.await.unwrap();
        opened.push(chat);
        offer_latency.push(latency);
    }
    println!(
        "opened {chats} chats in {:.1} s",
        wave.elapsed().as_secs_f64()
    );
    report("contact to offer (open_chat)", offer_latency);

    // Agents accept every offer.
    let mut holder: HashMap<InteractionId, moked_store::UserId> = HashMap::new();
    for &user in &users {
        for offer in live.agent_desk(org, user).await.unwrap().offers {
            holder.insert(offer.chat, user);
        }
    }
    let accepting = Instant::now();
    let mut tasks = Vec::new();
    for (&chat, &user) in &holder {
        let (live, gate) = (live.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            live.accept(org, user, chat).await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    println!(
        "accepted {} chats in {:.1} s",
        holder.len(),
        accepting.elapsed().as_secs_f64()
    );

    // Message relay: from the call to the subscriber's receipt.
    let mut events = live.subscribe(org);
    let sent_at: Arc<std::sync::Mutex<HashMap<String, Instant>>> = Arc::default();
    let receiver = {
        let sent_at = sent_at.clone();
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while latencies.len() < chats {
                match events.recv().await {
                    Ok(LiveEvent::Message { message, .. }) => {
                        let key = message.content.idempotency_key;
                        if let Some(begun) = sent_at.lock().unwrap().remove(&key) {
                            latencies.push(begun.elapsed());
                        }
                    }
                    Ok(_) => {}
                    Err(error) => panic!("subscriber: {error}"),
                }
            }
            latencies
        })
    };
    let mut tasks = Vec::with_capacity(chats);
    for (n, &chat) in opened.iter().enumerate() {
        let (live, gate, sent_at) = (live.clone(), gate.clone(), sent_at.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            let key = format!("m-{n}");
            sent_at.lock().unwrap().insert(key.clone(), Instant::now());
            live.customer_message(org, chat, "שלום, יש לי שאלה".into(), key)
                .await
                .unwrap();
        }));
    }
    let relaying = Instant::now();
    for task in tasks {
        task.await.unwrap();
    }
    let relay = receiver.await.unwrap();
    println!(
        "relayed {chats} messages in {:.1} s",
        relaying.elapsed().as_secs_f64()
    );
    report("message relay (call to subscriber)", relay);
}
