//! A chat's life through the live center, on a SQLite file with a manual clock.

mod common;

use common::center;
use moked_live::{
    AgentActivity, ChatStatus, LiveError, LiveEvent, PresenceRequest, TransferTarget,
};
use moked_store::{Sender, TimelineStep};

fn steps(interaction: &moked_store::Interaction) -> Vec<&'static str> {
    interaction
        .timeline
        .iter()
        .map(|entry| entry.step.kind())
        .collect()
}

#[tokio::test]
async fn a_hebrew_chat_from_open_to_wrap_up_and_rating() {
    let c = center().await;
    let mut events = c.live.subscribe(c.org);
    c.available(c.dana).await;
    let opened = c
        .live
        .open_chat(
            c.org,
            moked_live::OpenChat {
                queue: Some(c.billing),
                name: "משה ישראלי".into(),
                phone: Some(moked_domain::PhoneE164::parse("050-1234567").unwrap()),
                lang: moked_live::Lang::He,
            },
        )
        .await
        .unwrap();
    let chat = opened.chat;
    assert_eq!(opened.status, ChatStatus::Offered);
    let desk = c.live.agent_desk(c.org, c.dana).await.unwrap();
    assert_eq!(desk.offers.len(), 1);
    assert_eq!(desk.offers[0].customer_name, "משה ישראלי");
    assert_eq!(desk.presence, AgentActivity::Offered);

    c.advance(4);
    c.live.accept(c.org, c.dana, chat).await.unwrap();
    assert_eq!(
        c.live.chat_status(c.org, chat).await.unwrap(),
        ChatStatus::Connected {
            agent_name: "דנה כהן".into()
        }
    );
    let question = "שלום, חויבתי פעמיים על החשבון של אוקטובר 🙁";
    let first = c
        .live
        .customer_message(c.org, chat, question.into(), "k-1".into())
        .await
        .unwrap();
    // A retry of the same send is stored once and returns the same message.
    let retry = c
        .live
        .customer_message(c.org, chat, question.into(), "k-1".into())
        .await
        .unwrap();
    assert_eq!(first.id, retry.id);
    c.live
        .agent_message(
            c.org,
            c.dana,
            chat,
            "אני בודקת, רגע אחד".into(),
            "a-1".into(),
        )
        .await
        .unwrap();
    c.live
        .note(
            c.org,
            c.dana,
            chat,
            "לקוח ותיק, לזכות את החיוב הכפול".into(),
        )
        .await
        .unwrap();
    // Yossi does not hold the chat.
    let stranger = c
        .live
        .agent_message(c.org, c.yossi, chat, "שלום".into(), "y-1".into())
        .await;
    assert!(matches!(
        stranger,
        Err(LiveError::Invalid { field: "chat", .. })
    ));
    let empty = c
        .live
        .customer_message(c.org, chat, "  ".into(), "k-2".into())
        .await;
    assert!(matches!(
        empty,
        Err(LiveError::Invalid { field: "body", .. })
    ));
    let long = c
        .live
        .customer_message(c.org, chat, "א".repeat(4_001), "k-3".into())
        .await;
    assert!(matches!(
        long,
        Err(LiveError::Invalid { field: "body", .. })
    ));

    c.advance(120);
    c.live.end(c.org, c.dana, chat).await.unwrap();
    assert_eq!(
        c.live.chat_status(c.org, chat).await.unwrap(),
        ChatStatus::Ended { wrapped_up: false }
    );
    let late = c
        .live
        .customer_message(c.org, chat, "עוד משהו".into(), "k-4".into())
        .await;
    assert!(matches!(late, Err(LiveError::Conflict { .. })));
    let early_rating = c.live.rate(c.org, chat, 9, String::new()).await;
    assert!(matches!(
        early_rating,
        Err(LiveError::Invalid { field: "score", .. })
    ));
    c.advance(10);
    c.live.wrap_up(c.org, c.dana, chat, c.refund).await.unwrap();
    assert_eq!(
        c.live.chat_status(c.org, chat).await.unwrap(),
        ChatStatus::Ended { wrapped_up: true }
    );
    c.live
        .rate(c.org, chat, 5, "שירות מצוין, תודה!".into())
        .await
        .unwrap();
    let again = c.live.rate(c.org, chat, 4, String::new()).await;
    assert!(matches!(again, Err(LiveError::Conflict { .. })));

    let interaction = c.store.interaction(c.org, chat).await.unwrap();
    assert_eq!(
        steps(&interaction),
        [
            "queued",
            "offered",
            "accepted",
            "ended",
            "wrapped_up",
            "rated"
        ]
    );
    assert!(interaction.ended_at.is_some());
    let messages = c.store.messages(c.org, chat).await.unwrap();
    let senders: Vec<Sender> = messages.iter().map(|m| m.content.sender).collect();
    assert_eq!(
        senders,
        [
            Sender::Customer,
            Sender::Agent(c.dana),
            Sender::Note(c.dana)
        ]
    );
    assert_eq!(messages[0].content.body, question);

    // The customer was found again by phone for the next chat.
    let next = c.open_with_phone(c.billing, "משה", "+972501234567").await;
    let next = c.store.interaction(c.org, next).await.unwrap();
    assert_eq!(next.customer, Some(opened.customer));

    let mut kinds = Vec::new();
    while let Ok(event) = events.try_recv() {
        kinds.push(
            serde_json::to_value(&event).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for expected in [
        "offer",
        "chat_connected",
        "message",
        "chat_ended",
        "wrap_up_done",
        "agent_state",
        "wallboard_changed",
    ] {
        assert!(
            kinds.iter().any(|k| k == expected),
            "no {expected} event in {kinds:?}"
        );
    }
    // The retried message was broadcast once; the note too.
    assert_eq!(kinds.iter().filter(|k| *k == "message").count(), 3);
    let log = c.store.events_from(c.org, 1, 1000).await.unwrap();
    let routing: Vec<&str> = log.iter().map(|e| e.content.kind.as_str()).collect();
    for kind in [
        "routing.contact_queued",
        "routing.offered",
        "routing.connected",
        "routing.completed",
        "routing.wrap_up_started",
        "routing.wrap_up_ended",
        "chat.rated",
    ] {
        assert!(routing.contains(&kind), "{kind} missing from the log");
    }
}

#[tokio::test]
async fn a_rejected_or_unanswered_offer_goes_to_the_next_agent_and_the_chat_keeps_its_place() {
    let c = center().await;
    c.available(c.dana).await;
    c.advance(1);
    c.available(c.yossi).await;
    let first = c.open(c.billing, "אבי").await;
    c.advance(1);
    let second = c.open(c.billing, "בתיה").await;
    let offered =
        |desk: &moked_live::AgentDesk| desk.offers.iter().map(|o| o.chat).collect::<Vec<_>>();
    assert_eq!(
        offered(&c.live.agent_desk(c.org, c.dana).await.unwrap()),
        [first]
    );
    assert_eq!(
        offered(&c.live.agent_desk(c.org, c.yossi).await.unwrap()),
        [second]
    );

    // Dana declines: Yossi, with a free slot, gets it.
    c.live.reject(c.org, c.dana, first).await.unwrap();
    assert_eq!(
        offered(&c.live.agent_desk(c.org, c.yossi).await.unwrap()),
        [first, second]
    );
    let wrong = c.live.accept(c.org, c.dana, first).await;
    assert!(matches!(wrong, Err(LiveError::Conflict { .. })));

    // Yossi lets both ring out (30 s): he goes not ready (no answer) and
    // both come back to Dana, the older one first.
    c.advance(31);
    let yossi = c.live.agent_desk(c.org, c.yossi).await.unwrap();
    assert_eq!(yossi.presence, AgentActivity::NotReady);
    assert_eq!(yossi.reason, Some(moked_live::NotReadyReason::NoAnswer));
    assert!(yossi.offers.is_empty());
    let dana = c.live.agent_desk(c.org, c.dana).await.unwrap();
    assert_eq!(offered(&dana), [first, second]);
    let presences = c.store.agent_presences(c.org).await.unwrap();
    let (_, yossi_presence) = presences.iter().find(|(u, _)| *u == c.yossi).unwrap();
    assert_eq!(yossi_presence.reason.as_deref(), Some("no_answer"));

    // A third chat queues behind: the first two kept their places.
    c.live
        .set_presence(
            c.org,
            c.dana,
            PresenceRequest::NotReady {
                reason: moked_live::NotReadyReason::Break,
            },
        )
        .await
        .unwrap();
    let third = c.open(c.billing, "גדי").await;
    match c.live.chat_status(c.org, third).await.unwrap() {
        ChatStatus::Queued { position, .. } => assert_eq!(position, 1),
        other => panic!("third chat is {other:?}"),
    }
    let interaction = c.store.interaction(c.org, first).await.unwrap();
    assert_eq!(
        steps(&interaction),
        ["queued", "offered", "offered", "offered"]
    );
}

#[tokio::test]
async fn an_agent_holds_up_to_three_chats_at_once() {
    let c = center().await;
    c.available(c.rina).await;
    let mut chats = Vec::new();
    for name in ["אלון", "ברק", "גלית", "דורית"] {
        chats.push(c.open(c.tech, name).await);
        c.advance(1);
    }
    let desk = c.live.agent_desk(c.org, c.rina).await.unwrap();
    assert_eq!(
        desk.chats.iter().map(|d| d.chat).collect::<Vec<_>>(),
        chats[..3]
    );
    assert_eq!(desk.presence, AgentActivity::Busy);
    match c.live.chat_status(c.org, chats[3]).await.unwrap() {
        ChatStatus::Queued {
            position: 1,
            estimated_wait: Some(_),
        } => {}
        other => panic!("fourth chat is {other:?}"),
    }
    let fifth = c.open(c.tech, "הדס").await;
    match c.live.chat_status(c.org, fifth).await.unwrap() {
        ChatStatus::Queued { position: 2, .. } => {}
        other => panic!("fifth chat is {other:?}"),
    }
    let mut events = c.live.subscribe(c.org);
    // Ending one chat does not free the slot until the wrap-up is done.
    c.live.end(c.org, c.rina, chats[0]).await.unwrap();
    assert!(matches!(
        c.live.chat_status(c.org, chats[3]).await.unwrap(),
        ChatStatus::Queued { .. }
    ));
    c.live
        .wrap_up(c.org, c.rina, chats[0], c.refund)
        .await
        .unwrap();
    assert_eq!(
        c.live.chat_status(c.org, chats[3]).await.unwrap(),
        ChatStatus::Connected {
            agent_name: "רינה מזרחי".into()
        }
    );
    // The fifth chat moved up and was told so (place announcements for a
    // queue go out at most every 2 s).
    c.advance(2);
    c.live.agent_desk(c.org, c.rina).await.unwrap();
    let mut told = None;
    while let Ok(event) = events.try_recv() {
        if let LiveEvent::QueuePosition { chat, position, .. } = event
            && chat == fifth
        {
            told = Some(position);
        }
    }
    assert_eq!(told, Some(1));
    // A wrap-up without a code ends by itself after the queue's 60 s.
    c.live.end(c.org, c.rina, chats[1]).await.unwrap();
    c.advance(61);
    let desk = c.live.agent_desk(c.org, c.rina).await.unwrap();
    // The expired wrap-up freed a slot: the fifth chat took it.
    assert_eq!(desk.chats.len(), 3);
    assert!(desk.chats.iter().any(|held| held.chat == fifth));
    let logout = c
        .live
        .set_presence(c.org, c.rina, PresenceRequest::Offline)
        .await;
    assert!(matches!(logout, Err(LiveError::Conflict { .. })));
}

#[tokio::test]
async fn transfers_to_a_queue_and_to_a_busy_agent() {
    let c = center().await;
    c.available(c.dana).await;
    c.available(c.rina).await;
    let chat = c.open(c.billing, "חנה").await;
    c.live.accept(c.org, c.dana, chat).await.unwrap();

    // To the tech queue: Rina (tech, auto-accept) takes it at once.
    c.live
        .transfer(c.org, c.dana, chat, TransferTarget::Queue(c.tech))
        .await
        .unwrap();
    assert_eq!(
        c.live.chat_status(c.org, chat).await.unwrap(),
        ChatStatus::Connected {
            agent_name: "רינה מזרחי".into()
        }
    );
    let not_hers = c.live.end(c.org, c.dana, chat).await;
    assert!(matches!(not_hers, Err(LiveError::Invalid { .. })));

    // Rina hands it to Yossi, who is offline: it waits for him only,
    // even though Dana is free and skilled.
    c.live
        .transfer(c.org, c.rina, chat, TransferTarget::Agent(c.yossi))
        .await
        .unwrap();
    assert!(matches!(
        c.live.chat_status(c.org, chat).await.unwrap(),
        ChatStatus::Queued { .. }
    ));
    assert!(
        c.live
            .agent_desk(c.org, c.dana)
            .await
            .unwrap()
            .chats
            .is_empty()
    );
    c.available(c.yossi).await;
    assert_eq!(
        c.live.chat_status(c.org, chat).await.unwrap(),
        ChatStatus::Connected {
            agent_name: "יוסי לוי".into()
        }
    );
    let interaction = c.store.interaction(c.org, chat).await.unwrap();
    let transfers: Vec<_> = interaction
        .timeline
        .iter()
        .filter_map(|e| match e.step {
            TimelineStep::Transferred { to_queue, to_agent } => Some((to_queue, to_agent)),
            _ => None,
        })
        .collect();
    assert_eq!(transfers, [(Some(c.tech), None), (None, Some(c.yossi))]);
    let system = c
        .store
        .messages(c.org, chat)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.content.sender == Sender::System)
        .map(|m| m.content.body)
        .collect::<Vec<_>>();
    // The chat was opened in Hebrew: each notice in Hebrew, naming where
    // the chat went (a team, then a colleague).
    assert_eq!(system.len(), 2, "{system:?}");
    assert!(system[0].contains("לצוות אחר"), "{}", system[0]);
    assert!(system[1].contains("לנציג אחר"), "{}", system[1]);
    let to_self = c
        .live
        .transfer(c.org, c.yossi, chat, TransferTarget::Agent(c.yossi))
        .await;
    assert!(matches!(
        to_self,
        Err(LiveError::Invalid { field: "agent", .. })
    ));
}

#[tokio::test]
async fn an_agent_ready_after_a_transfer_ends_the_wrap_up_early() {
    let c = center().await;
    c.available(c.dana).await;
    let chat = c.open(c.billing, "חנה").await;
    c.live.accept(c.org, c.dana, chat).await.unwrap();
    // To Yossi, offline: the chat waits for him.
    c.live
        .transfer(c.org, c.dana, chat, TransferTarget::Agent(c.yossi))
        .await
        .unwrap();
    let desk = c.live.agent_desk(c.org, c.dana).await.unwrap();
    assert_eq!(
        desk.presence,
        AgentActivity::WrapUp,
        "billing's 60 s wrap-up"
    );

    // Ready before the 60 s: the next chat comes to her at once.
    c.available(c.dana).await;
    assert_eq!(
        c.live.agent_desk(c.org, c.dana).await.unwrap().presence,
        AgentActivity::Available
    );
    c.open(c.billing, "משה").await;
    assert_eq!(
        c.live.agent_desk(c.org, c.dana).await.unwrap().presence,
        AgentActivity::Offered
    );
}

#[tokio::test]
async fn a_customer_leaving_the_queue_is_abandoned_and_events_name_the_right_people() {
    let c = center().await;
    let mut events = c.live.subscribe(c.org);
    let chat = c.open(c.billing, "דוד").await;
    c.advance(45);
    c.live.customer_end(c.org, chat).await.unwrap();
    // Ending twice is fine.
    c.live.customer_end(c.org, chat).await.unwrap();
    assert_eq!(
        c.live.chat_status(c.org, chat).await.unwrap(),
        ChatStatus::Ended { wrapped_up: false }
    );
    let board = c.live.wallboard(c.org).await.unwrap();
    let billing = board.queues.iter().find(|q| q.queue == c.billing).unwrap();
    assert_eq!(
        (billing.offered, billing.answered, billing.abandoned),
        (1, 0, 1)
    );
    // Abandoned after the 20 s threshold: service level 0 of 1.
    assert_eq!(billing.service_level, Some(0.0));
    let mut ended = None;
    while let Ok(event) = events.try_recv() {
        if let LiveEvent::ChatEnded { chat: id, by, .. } = event {
            ended = Some((id, by));
        }
    }
    assert_eq!(ended, Some((chat, moked_live::EndedBy::Customer)));
    let unknown = c
        .live
        .chat_status(c.org, moked_store::InteractionId(9_999))
        .await;
    assert!(matches!(
        unknown,
        Err(LiveError::NotFound { entity: "chat" })
    ));
}
