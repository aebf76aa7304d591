//! Many contacts at once: the actor commits the jobs waiting together in
//! one transaction, and still answers each job and broadcasts each event
//! only once what it reports is stored, with the log in the engine's order.

mod common;

use moked_domain::PhoneE164;
use moked_live::{ChatStatus, Lang, LiveEvent, OpenChat};
use moked_store::{InteractionId, TimelineStep};
use std::collections::{BTreeSet, HashMap};

const CHATS: usize = 40;

/// Whether the stored timeline of `chat` has a step matching `wanted`.
async fn stored_step(
    c: &common::Center,
    chat: InteractionId,
    wanted: fn(&TimelineStep) -> bool,
) -> bool {
    let interaction = c.store.interaction(c.org, chat).await.unwrap();
    interaction.timeline.iter().any(|entry| wanted(&entry.step))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_opened_at_once_are_answered_and_announced_only_once_stored() {
    let c = std::sync::Arc::new(common::center().await);
    c.available(c.dana).await;
    c.available(c.yossi).await;
    let mut events = c.live.subscribe(c.org);
    let phone = PhoneE164::parse("052-3334444").unwrap();
    let openers: Vec<_> = (0..CHATS)
        .map(|n| {
            let (c, phone) = (c.clone(), phone.clone());
            tokio::spawn(async move {
                let open = OpenChat {
                    queue: Some(c.billing),
                    name: format!("אורית {n}"),
                    phone: Some(phone),
                    lang: Lang::He,
                };
                let opened = c.live.open_chat(c.org, open).await.unwrap();
                // Answered after the commit: the store already has what the
                // answer says.
                assert!(
                    stored_step(&c, opened.chat, |s| matches!(
                        s,
                        TimelineStep::Queued { .. }
                    ))
                    .await
                );
                if opened.status == ChatStatus::Offered {
                    assert!(
                        stored_step(&c, opened.chat, |s| matches!(
                            s,
                            TimelineStep::Offered { .. }
                        ))
                        .await,
                        "chat {} answered offered before its offer was stored",
                        opened.chat
                    );
                }
                opened
            })
        })
        .collect();
    let mut opened = Vec::new();
    for opener in openers {
        opened.push(opener.await.unwrap());
    }

    // Every offer was broadcast after its step was stored.
    let mut offers = 0;
    while let Ok(event) = events.try_recv() {
        if let LiveEvent::Offer { chat, .. } = event {
            offers += 1;
            assert!(stored_step(&c, chat, |s| matches!(s, TimelineStep::Offered { .. })).await);
        }
    }
    assert_eq!(offers, 6, "two agents, three chats each");

    let customers: BTreeSet<_> = opened.iter().map(|o| o.customer).collect();
    assert_eq!(customers.len(), 1, "one customer for one new number");

    // The log is gap-free and each chat's events are in the engine's order.
    let log = c.store.events_from(c.org, 1, 10_000).await.unwrap();
    let seqs: Vec<u64> = log.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=log.len() as u64).collect::<Vec<_>>());
    let mut kinds: HashMap<i64, Vec<String>> = HashMap::new();
    for event in &log {
        if let Some(chat) = event.content.payload["interaction"].as_i64() {
            kinds
                .entry(chat)
                .or_default()
                .push(event.content.kind.clone());
        }
    }
    for o in &opened {
        let own = &kinds[&o.chat.0];
        assert_eq!(own[0], "routing.contact_queued", "chat {}: {own:?}", o.chat);
        let offered = own.iter().filter(|k| *k == "routing.offered").count();
        assert_eq!(offered, usize::from(o.status == ChatStatus::Offered));
    }
    let waiting = opened
        .iter()
        .filter(|o| matches!(o.status, ChatStatus::Queued { .. }))
        .count();
    assert_eq!(waiting, CHATS - 6);
}
