//! A crash (the live center dropped without any shutdown) and a restart on
//! the same SQLite file: nothing acknowledged is lost, nothing counted twice.

mod common;

use common::center;
use moked_live::{AgentActivity, ChatStatus, NotReadyReason, PresenceRequest, TransferTarget};
use moked_store::{InteractionId, TimelineStep};

async fn routing_kinds(c: &common::Center) -> Vec<String> {
    let log = c.store.events_from(c.org, 1, 10_000).await.unwrap();
    log.into_iter().map(|event| event.content.kind).collect()
}

async fn positions(c: &common::Center, chats: &[InteractionId]) -> Vec<u32> {
    let mut places = Vec::new();
    for &chat in chats {
        match c.live.chat_status(c.org, chat).await.unwrap() {
            ChatStatus::Queued { position, .. } => places.push(position),
            other => panic!("{chat} is {other:?}"),
        }
    }
    places
}

#[tokio::test]
async fn a_restart_restores_waiting_connected_and_wrapping_chats_presences_and_figures() {
    let mut c = center().await;
    let not_ready = |reason| PresenceRequest::NotReady { reason };
    c.live
        .set_presence(c.org, c.rina, not_ready(NotReadyReason::Meal))
        .await
        .unwrap();
    c.available(c.dana).await;
    let connected = c.open(c.billing, "שרה").await;
    c.advance(3);
    c.live.accept(c.org, c.dana, connected).await.unwrap();
    c.live
        .customer_message(
            c.org,
            connected,
            "שלום, הראוטר לא עובד".into(),
            "m-1".into(),
        )
        .await
        .unwrap();
    c.live
        .agent_message(c.org, c.dana, connected, "נבדוק יחד".into(), "m-2".into())
        .await
        .unwrap();
    c.available(c.yossi).await;
    let wrapping = c.open(c.billing, "רבקה").await;
    c.live.accept(c.org, c.yossi, wrapping).await.unwrap();
    c.advance(20);
    c.live.end(c.org, c.yossi, wrapping).await.unwrap();
    let handed = c.open(c.billing, "לאה").await;
    c.live.accept(c.org, c.dana, handed).await.unwrap();
    // Dana hands this one to Rina, who is at lunch: it waits for her.
    c.live
        .transfer(c.org, c.dana, handed, TransferTarget::Agent(c.rina))
        .await
        .unwrap();
    c.live
        .set_presence(c.org, c.dana, not_ready(NotReadyReason::Break))
        .await
        .unwrap();
    c.live
        .set_presence(c.org, c.yossi, not_ready(NotReadyReason::Meeting))
        .await
        .unwrap();
    let mut waiting = Vec::new();
    for name in ["יעקב", "יצחק", "אברהם"] {
        waiting.push(c.open(c.billing, name).await);
        c.advance(10);
    }
    // The chat waiting for Rina entered the queue first.
    let places_before = positions(&c, &waiting).await;
    assert_eq!(places_before, [2, 3, 4]);
    let board_before = c.live.wallboard(c.org).await.unwrap();
    let dana_since = c.live.agent_desk(c.org, c.dana).await.unwrap().since;
    let kinds_before = routing_kinds(&c).await;
    let messages_before = c.store.messages(c.org, connected).await.unwrap();

    // Crash: no shutdown of any kind. Twenty seconds later a new process starts.
    c.advance(20);
    c.restart().await;

    // Nothing was logged by rebuilding: every agent came back in the state
    // the log has, so nothing new happened.
    assert_eq!(routing_kinds(&c).await, kinds_before);
    // Waiting chats: same order, original waiting time kept.
    assert_eq!(positions(&c, &waiting).await, places_before);
    let board = c.live.wallboard(c.org).await.unwrap();
    let billing = board.queues.iter().find(|q| q.queue == c.billing).unwrap();
    let before = board_before
        .queues
        .iter()
        .find(|q| q.queue == c.billing)
        .unwrap();
    assert_eq!(billing.waiting, 4);
    assert_eq!(billing.longest_wait_s, before.longest_wait_s + 20);
    assert_eq!(
        (
            billing.offered,
            billing.answered,
            billing.abandoned,
            billing.asa_s
        ),
        (
            before.offered,
            before.answered,
            before.abandoned,
            before.asa_s
        )
    );
    // Connected and wrapping chats are back with their agents.
    assert_eq!(
        c.live.chat_status(c.org, connected).await.unwrap(),
        ChatStatus::Connected {
            agent_name: "דנה כהן".into()
        }
    );
    let yossi = c.live.agent_desk(c.org, c.yossi).await.unwrap();
    assert_eq!(yossi.chats.len(), 1);
    assert_eq!(
        (yossi.chats[0].chat, yossi.chats[0].state),
        (wrapping, AgentActivity::WrapUp)
    );
    // Presences are restored.
    for (user, reason) in [
        (c.dana, NotReadyReason::Break),
        (c.yossi, NotReadyReason::Meeting),
        (c.rina, NotReadyReason::Meal),
    ] {
        let desk = c.live.agent_desk(c.org, user).await.unwrap();
        assert_eq!(
            (desk.presence, desk.reason),
            (AgentActivity::NotReady, Some(reason))
        );
    }
    // Time in state goes on from before the crash.
    assert_eq!(
        c.live.agent_desk(c.org, c.dana).await.unwrap().since,
        dana_since
    );
    // Messages are all there once; the chat goes on.
    assert_eq!(
        c.store.messages(c.org, connected).await.unwrap(),
        messages_before
    );
    c.live
        .customer_message(c.org, connected, "עכשיו זה עובד, תודה".into(), "m-3".into())
        .await
        .unwrap();
    // A retry of a message sent before the crash is still stored once.
    let retry = c
        .live
        .customer_message(
            c.org,
            connected,
            "שלום, הראוטר לא עובד".into(),
            "m-1".into(),
        )
        .await
        .unwrap();
    assert_eq!(retry.id, messages_before[0].id);
    assert_eq!(c.store.messages(c.org, connected).await.unwrap().len(), 3);
    c.live
        .wrap_up(c.org, c.yossi, wrapping, c.refund)
        .await
        .unwrap();

    // Routing goes on: Dana comes back and gets the oldest waiting chat;
    // Rina comes back and gets the chat handed to her.
    c.available(c.dana).await;
    let dana = c.live.agent_desk(c.org, c.dana).await.unwrap();
    assert_eq!(
        dana.offers.iter().map(|o| o.chat).collect::<Vec<_>>(),
        waiting[..2]
    );
    c.available(c.rina).await;
    let rina = c.live.agent_desk(c.org, c.rina).await.unwrap();
    assert_eq!(
        rina.offers.iter().map(|o| o.chat).collect::<Vec<_>>(),
        [handed]
    );
    let timeline = c
        .store
        .interaction(c.org, connected)
        .await
        .unwrap()
        .timeline;
    let accepted = timeline
        .iter()
        .filter(|e| matches!(e.step, TimelineStep::Accepted { .. }))
        .count();
    assert_eq!(accepted, 1);

    // A second crash right away changes nothing either.
    let board_before = c.live.wallboard(c.org).await.unwrap();
    c.restart().await;
    let board = c.live.wallboard(c.org).await.unwrap();
    for (after, before) in board.queues.iter().zip(&board_before.queues) {
        assert_eq!(
            (
                after.offered,
                after.answered,
                after.abandoned,
                after.waiting
            ),
            (
                before.offered,
                before.answered,
                before.abandoned,
                before.waiting
            )
        );
    }
    let dana = c.live.agent_desk(c.org, c.dana).await.unwrap();
    assert_eq!(
        dana.offers.iter().map(|o| o.chat).collect::<Vec<_>>(),
        waiting[..2]
    );
}

#[tokio::test]
async fn a_reload_after_an_admin_change_keeps_every_chat_and_adds_the_new_agent() {
    let c = center().await;
    c.available(c.dana).await;
    let connected = c.open(c.billing, "נחום").await;
    c.live.accept(c.org, c.dana, connected).await.unwrap();
    c.live
        .set_presence(
            c.org,
            c.dana,
            PresenceRequest::NotReady {
                reason: NotReadyReason::Coaching,
            },
        )
        .await
        .unwrap();
    let waiting = c.open(c.tech, "צביה").await;
    c.advance(15);

    let noa = c
        .store
        .create_user(
            c.org,
            &moked_store::NewUser {
                login: "noa".into(),
                display_name: "נועה ברק".into(),
                role: moked_store::Role::Agent,
                password_hash: common::HASH.into(),
                team: None,
                lang: "he".into(),
            },
        )
        .await
        .unwrap()
        .id;
    let skills = c.store.skills(c.org).await.unwrap();
    let tech_skill = skills.iter().find(|s| s.name == "תמיכה").unwrap().id;
    let skill = moked_store::AgentSkill {
        skill: tech_skill,
        level: 7,
    };
    c.store.set_agent_skill(c.org, noa, skill).await.unwrap();
    // Before the reload Moked does not know her.
    let unknown = c
        .live
        .set_presence(c.org, noa, PresenceRequest::Available)
        .await;
    assert!(matches!(
        unknown,
        Err(moked_live::LiveError::NotFound { entity: "agent" })
    ));
    c.live.reload(c.org).await.unwrap();
    c.available(noa).await;
    assert_eq!(
        c.live.chat_status(c.org, waiting).await.unwrap(),
        ChatStatus::Connected {
            agent_name: "נועה ברק".into()
        }
    );
    assert_eq!(
        c.live.chat_status(c.org, connected).await.unwrap(),
        ChatStatus::Connected {
            agent_name: "דנה כהן".into()
        }
    );
    c.live
        .agent_message(c.org, c.dana, connected, "עדיין כאן".into(), "r-1".into())
        .await
        .unwrap();
    let board = c.live.wallboard(c.org).await.unwrap();
    let tech = board.queues.iter().find(|q| q.queue == c.tech).unwrap();
    assert_eq!((tech.offered, tech.answered), (1, 1));
    assert_eq!(tech.asa_s, Some(15.0));
}

#[tokio::test]
async fn a_restart_counts_only_today_from_the_log() {
    let mut c = center().await;
    // Yesterday, a busy hour: five chats, two answered, three abandoned.
    c.clock
        .set(common::morning() - jiff::SignedDuration::from_hours(24));
    c.restart().await;
    c.available(c.dana).await;
    for n in 0..5 {
        let chat = c.open(c.billing, &format!("אתמול {n}")).await;
        c.advance(20);
        if n < 2 {
            c.live.accept(c.org, c.dana, chat).await.unwrap();
            c.live.end(c.org, c.dana, chat).await.unwrap();
            c.live.wrap_up(c.org, c.dana, chat, c.refund).await.unwrap();
        } else {
            c.live.customer_end(c.org, chat).await.unwrap();
        }
    }
    // This morning (10:00 in Jerusalem) the server starts again.
    c.clock.set(common::morning());
    c.restart().await;
    let chat = c.open(c.billing, "היום").await;
    let board = c.live.wallboard(c.org).await.unwrap();
    let billing = board.queues.iter().find(|q| q.queue == c.billing).unwrap();
    assert_eq!(
        (billing.offered, billing.answered, billing.abandoned),
        (1, 0, 0)
    );
    assert_eq!(billing.intervals.iter().map(|i| i.offered).sum::<u32>(), 1);
    // Dana stayed available overnight: today counts from midnight (22:00 UTC).
    let detail = c.live.agent_detail(c.org, c.dana).await.unwrap();
    assert_eq!(detail.handled_today, 0);
    let total: f64 = detail.time_in_state.iter().map(|s| s.seconds).sum();
    assert_eq!(total, 10.0 * 3600.0);
    assert!(matches!(
        c.live.chat_status(c.org, chat).await.unwrap(),
        ChatStatus::Offered
    ));
}
