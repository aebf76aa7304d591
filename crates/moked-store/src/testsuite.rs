//! The checks every [`Store`] backend must pass, run by each backend's own
//! tests through [`store_test_suite!`](crate::store_test_suite) so SQLite
//! and PostgreSQL are held to exactly the same behaviour.
//!
//! Each check starts from an empty store and panics on the first deviation.

use crate::{
    AgentCapacity, AgentPresence, AgentSkill, CustomerQuery, CustomerTier, EscalationTrigger,
    ImportedConversation, ImportedMessage, ImportedTicket, InteractionId, MacroActions,
    MessageInsert, NewAttachment, NewAuthToken, NewBusinessHours, NewCannedResponse, NewCustomer,
    NewEscalationRule, NewEvent, NewInteraction, NewMessage, NewOrganization, NewQueue,
    NewSipAccount, NewSlaPolicy, NewTicket, NewUser, NewWrapUpCode, OrgId, PresenceState, QueueId,
    Role, Sender, Store, StoreError, StoreResult, TicketActor, TicketChange, TicketLink,
    TicketNumber, TicketPriority, TicketQuery, TicketStatus, TimelineEntry, TimelineStep,
    TokenKind, UserId, UserUpdate, WeeklyInterval,
};
use jiff::{SignedDuration, Timestamp};
use moked_domain::{Channel, EmailAddress, IsraeliId, PhoneE164};
use serde_json::json;
use std::collections::BTreeSet;

/// A string in the argon2id PHC format the server stores (its salt and
/// hash are placeholders: the store never checks passwords).
pub const SAMPLE_PASSWORD_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$bW9rZWRzYWx0$1n3b0sSMU7sKsbWbX2oXzXkHk3Zz1xQ2dFJ0m9yXvGA";

/// Names with niqqud, a right-to-left mark and emoji: what must come back
/// byte for byte.
pub const HEBREW_NAME: &str = "יוֹסֵף כֹּהֵן";
/// A customer message in Hebrew with niqqud, emoji and mixed-direction text.
pub const HEBREW_MESSAGE: &str =
    "שָׁלוֹם! 👋 יש לי בעיה עם החשבונית של 03/2026 (₪149.90) \u{200f}— אפשר עזרה? 🙏🏽";

fn at(minute: i64) -> Timestamp {
    Timestamp::from_second(1_795_000_000).expect("valid base time")
        + SignedDuration::from_mins(minute)
}

async fn organization(store: &impl Store, slug: &str) -> OrgId {
    store
        .create_organization(&NewOrganization {
            slug: slug.into(),
            name: format!("מוקד {slug}"),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await
        .expect("create organization")
        .id
}

fn new_user(login: &str, role: Role) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: HEBREW_NAME.into(),
        role,
        password_hash: SAMPLE_PASSWORD_HASH.into(),
        team: None,
        lang: "he".into(),
    }
}

fn new_queue(name: &str) -> NewQueue {
    NewQueue {
        name: name.into(),
        channel: Channel::Chat,
        skill: None,
        service_level_seconds: 20,
        auto_accept: false,
        business_hours: None,
        priority: 0,
        wrap_up_seconds: 30,
        offer_timeout_seconds: 0,
    }
}

fn new_customer(phone: &str) -> NewCustomer {
    NewCustomer {
        name: "דנה לוי".into(),
        phones: vec![PhoneE164::parse(phone).expect("valid phone")],
        emails: vec![EmailAddress::parse("dana@example.co.il").expect("valid email")],
        israeli_id: Some(IsraeliId::parse("123456782").expect("valid id")),
        tier: CustomerTier::Premium,
        notes: "לקוחה ותיקה, מעדיפה וואטסאפ".into(),
    }
}

fn message(interaction: InteractionId, key: &str, body: &str) -> NewMessage {
    NewMessage {
        interaction,
        sender: Sender::Customer,
        body: body.into(),
        idempotency_key: key.into(),
        sent_at: at(1),
    }
}

fn event(kind: &str, n: u64) -> NewEvent {
    NewEvent {
        at: at(i64::try_from(n).expect("small")),
        kind: kind.into(),
        payload: json!({ "n": n, "queue": "חיובים" }),
    }
}

/// A chat interaction in a new queue of `org`.
async fn chat(store: &impl Store, org: OrgId, queue_name: &str) -> (QueueId, InteractionId) {
    let queue = store
        .create_queue(org, &new_queue(queue_name))
        .await
        .expect("create queue")
        .id;
    let interaction = store
        .create_interaction(
            org,
            &NewInteraction {
                channel: Channel::Chat,
                queue,
                customer: None,
                created_at: at(0),
            },
        )
        .await
        .expect("create interaction")
        .id;
    (queue, interaction)
}

fn assert_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    assert!(
        matches!(result, Err(StoreError::NotFound { .. })),
        "{what}: expected NotFound, got {result:?}"
    );
}

/// Organizations, users, teams, skills, queues, agent skills and
/// capacities, wrap-up codes and business hours come back as written.
pub async fn configuration_round_trip(store: &impl Store) {
    let org = organization(store, "cellular").await;
    assert_eq!(
        store.organization_by_slug("cellular").await.unwrap().id,
        org
    );
    assert_eq!(
        store.organization(org).await.unwrap().time_zone,
        "Asia/Jerusalem"
    );

    let team = store.create_team(org, "צוות צפון").await.unwrap();
    let skill = store.create_skill(org, "חיובים").await.unwrap();
    let mut agent = new_user("noa", Role::Agent);
    agent.team = Some(team.id);
    let agent = store.create_user(org, &agent).await.unwrap();
    let admin = store
        .create_user(org, &new_user("admin", Role::Admin))
        .await
        .unwrap();
    assert_eq!(store.user_by_login(org, "noa").await.unwrap(), agent);
    assert_eq!(
        store.users(org).await.unwrap(),
        vec![agent.clone(), admin.clone()]
    );
    store
        .set_user_team(org, admin.id, Some(team.id))
        .await
        .unwrap();
    assert_eq!(store.user(org, admin.id).await.unwrap().team, Some(team.id));
    assert_eq!(store.teams(org).await.unwrap(), vec![team]);
    assert_eq!(store.skills(org).await.unwrap(), vec![skill.clone()]);

    let hours = NewBusinessHours {
        name: "שעות פעילות".into(),
        time_zone: "Asia/Jerusalem".into(),
        intervals: vec![
            WeeklyInterval {
                weekday: 5,
                opens_minute: 8 * 60,
                closes_minute: 13 * 60,
            },
            WeeklyInterval {
                weekday: 0,
                opens_minute: 8 * 60,
                closes_minute: 20 * 60,
            },
        ],
    };
    let hours = store.create_business_hours(org, &hours).await.unwrap();
    let weekdays: Vec<u8> = hours.spec.intervals.iter().map(|i| i.weekday).collect();
    assert_eq!(weekdays, vec![0, 5], "intervals come back by day");
    assert_eq!(store.business_hours(org, hours.id).await.unwrap(), hours);

    let mut spec = new_queue("תמיכה טכנית");
    spec.skill = Some(skill.id);
    spec.business_hours = Some(hours.id);
    spec.auto_accept = true;
    let queue = store.create_queue(org, &spec).await.unwrap();
    assert_eq!(queue.spec, spec);
    assert_eq!(store.queue(org, queue.id).await.unwrap(), queue);
    assert_eq!(store.queues(org).await.unwrap(), vec![queue]);

    let level = |level| AgentSkill {
        skill: skill.id,
        level,
    };
    store
        .set_agent_skill(org, agent.id, level(3))
        .await
        .unwrap();
    store
        .set_agent_skill(org, agent.id, level(7))
        .await
        .unwrap();
    assert_eq!(
        store.agent_skills(org, agent.id).await.unwrap(),
        vec![level(7)]
    );
    for capacity in [
        AgentCapacity {
            channel: Channel::Email,
            max_concurrent: 5,
        },
        AgentCapacity {
            channel: Channel::Chat,
            max_concurrent: 2,
        },
        AgentCapacity {
            channel: Channel::Chat,
            max_concurrent: 3,
        },
    ] {
        store
            .set_agent_capacity(org, agent.id, capacity)
            .await
            .unwrap();
    }
    assert_eq!(
        store.agent_capacities(org, agent.id).await.unwrap(),
        vec![
            AgentCapacity {
                channel: Channel::Chat,
                max_concurrent: 3
            },
            AgentCapacity {
                channel: Channel::Email,
                max_concurrent: 5
            },
        ]
    );

    let code = NewWrapUpCode {
        code: "refund".into(),
        label: "החזר כספי".into(),
    };
    let code = store.create_wrap_up_code(org, &code).await.unwrap();
    assert_eq!(store.wrap_up_codes(org).await.unwrap(), vec![code]);
}

/// Customers are found by phone, updated whole, and keep the order of
/// their phones and emails.
pub async fn customers(store: &impl Store) {
    let org = organization(store, "bank").await;
    let mut details = new_customer("050-123-4567");
    details.phones.push(PhoneE164::parse("03-1234567").unwrap());
    let customer = store.create_customer(org, &details).await.unwrap();
    assert_eq!(store.customer(org, customer.id).await.unwrap(), customer);

    let mobile = PhoneE164::parse("+972501234567").unwrap();
    assert_eq!(
        store.customers_by_phone(org, &mobile).await.unwrap(),
        vec![customer.clone()]
    );

    let mut changed = details.clone();
    changed.phones = vec![PhoneE164::parse("054-7654321").unwrap()];
    changed.emails.clear();
    changed.israeli_id = None;
    changed.tier = CustomerTier::Vip;
    changed.notes = "ביקש לבטל — הוצעה הנחה, נשאר".into();
    let updated = store
        .update_customer(org, customer.id, &changed)
        .await
        .unwrap();
    assert_eq!(store.customer(org, customer.id).await.unwrap(), updated);
    assert!(
        store
            .customers_by_phone(org, &mobile)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Timelines keep their order, `Ended` closes an interaction, and a
/// customer's history spans channels.
pub async fn interactions_and_timeline(store: &impl Store) {
    let org = organization(store, "isp").await;
    let agent = store
        .create_user(org, &new_user("avi", Role::Agent))
        .await
        .unwrap()
        .id;
    let code = store
        .create_wrap_up_code(
            org,
            &NewWrapUpCode {
                code: "solved".into(),
                label: "נפתר".into(),
            },
        )
        .await
        .unwrap()
        .id;
    let customer = store
        .create_customer(org, &new_customer("052-000-1111"))
        .await
        .unwrap()
        .id;
    let (billing, first) = chat(store, org, "חיובים").await;
    let retention = store
        .create_queue(org, &new_queue("שימור"))
        .await
        .unwrap()
        .id;
    let second = store
        .create_interaction(
            org,
            &NewInteraction {
                channel: Channel::Voice,
                queue: retention,
                customer: Some(customer),
                created_at: at(30),
            },
        )
        .await
        .unwrap();

    let steps = [
        TimelineStep::Queued { queue: billing },
        TimelineStep::Offered { agent },
        TimelineStep::Accepted { agent },
        TimelineStep::Transferred {
            to_queue: Some(retention),
            to_agent: None,
        },
        TimelineStep::Ended,
        TimelineStep::WrappedUp { agent, code },
    ];
    let entries: Vec<TimelineEntry> = (0..)
        .zip(steps)
        .map(|(minute, step)| TimelineEntry {
            at: at(minute),
            step,
        })
        .collect();
    for entry in &entries {
        store.append_timeline(org, first, entry).await.unwrap();
    }
    let stored = store.interaction(org, first).await.unwrap();
    assert_eq!(stored.timeline, entries);
    assert_eq!(stored.ended_at, Some(at(4)));

    let open = store.open_interactions(org).await.unwrap();
    assert_eq!(open, vec![second.clone()], "the ended chat is not open");
    assert_eq!(
        store.customer_interactions(org, customer).await.unwrap(),
        vec![second]
    );

    let nowhere = TimelineStep::Transferred {
        to_queue: None,
        to_agent: None,
    };
    let result = store
        .append_timeline(
            org,
            first,
            &TimelineEntry {
                at: at(9),
                step: nowhere,
            },
        )
        .await;
    assert!(
        matches!(result, Err(StoreError::Invalid { .. })),
        "{result:?}"
    );
}

/// Hebrew with niqqud, emoji and direction marks comes back byte for byte,
/// in every kind of text column.
pub async fn hebrew_round_trip(store: &impl Store) {
    let org = store
        .create_organization(&NewOrganization {
            slug: "hebrew".into(),
            name: "סֶלְקוֹם — מוקד שירות 📞".into(),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        store.organization(org.id).await.unwrap().name,
        "סֶלְקוֹם — מוקד שירות 📞"
    );
    let user = store
        .create_user(org.id, &new_user("יוסי", Role::Supervisor))
        .await
        .unwrap();
    assert_eq!(
        store
            .user_by_login(org.id, "יוסי")
            .await
            .unwrap()
            .display_name,
        HEBREW_NAME
    );

    let (_, interaction) = chat(store, org.id, "מכירות 🛒").await;
    let key = "מפתח-1";
    store
        .insert_message(org.id, &message(interaction, key, HEBREW_MESSAGE))
        .await
        .unwrap();
    let script = "<script>alert('שלום')</script> & \"ציטוט\"";
    store
        .insert_message(org.id, &message(interaction, "2", script))
        .await
        .unwrap();
    let bodies: Vec<String> = store
        .messages(org.id, interaction)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.content.body)
        .collect();
    assert_eq!(bodies, vec![HEBREW_MESSAGE.to_owned(), script.to_owned()]);

    let payload = json!({ "text": HEBREW_MESSAGE, "agent": user.display_name });
    store
        .append_event(
            org.id,
            &NewEvent {
                at: at(2),
                kind: "chat.message".into(),
                payload: payload.clone(),
            },
        )
        .await
        .unwrap();
    let events = store.events_from(org.id, 1, 10).await.unwrap();
    assert_eq!(events[0].content.payload, payload);
}

/// A retried send with the same idempotency key is stored once, even when
/// the retries race; reusing a key for different text is a conflict.
pub async fn idempotent_messages<S: Store + Clone + 'static>(store: &S) {
    let org = organization(store, "retail").await;
    let (_, interaction) = chat(store, org, "שירות").await;
    let (_, other) = chat(store, org, "שירות 2").await;
    let first = store
        .insert_message(org, &message(interaction, "k1", "היי"))
        .await
        .unwrap();
    let MessageInsert::Stored(stored) = first else {
        panic!("first send must store: {first:?}")
    };
    let again = store
        .insert_message(org, &message(interaction, "k1", "היי"))
        .await
        .unwrap();
    assert_eq!(again, MessageInsert::AlreadyStored(stored.clone()));

    let clash = store
        .insert_message(org, &message(interaction, "k1", "משהו אחר"))
        .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict { .. })),
        "{clash:?}"
    );
    let elsewhere = store
        .insert_message(org, &message(other, "k1", "היי"))
        .await
        .unwrap();
    assert!(
        matches!(elsewhere, MessageInsert::Stored(_)),
        "keys are per interaction"
    );

    let racers: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .insert_message(org, &message(interaction, "k2", "שוב ושוב"))
                    .await
            })
        })
        .collect();
    let mut ids = BTreeSet::new();
    let mut newly_stored = 0;
    for racer in racers {
        let outcome = racer.await.expect("task").expect("insert");
        newly_stored += usize::from(matches!(outcome, MessageInsert::Stored(_)));
        ids.insert(outcome.message().id);
    }
    assert_eq!(
        (newly_stored, ids.len()),
        (1, 1),
        "one message for eight racing sends"
    );
    assert_eq!(store.messages(org, interaction).await.unwrap().len(), 2);
}

/// The event log numbers each organization's events 1, 2, 3… and reads
/// from any sequence number.
pub async fn event_log_order(store: &impl Store) {
    let org = organization(store, "insurer").await;
    let other = organization(store, "insurer-2").await;
    for n in 1..=30 {
        let appended = store
            .append_event(org, &event("contact.queued", n))
            .await
            .unwrap();
        assert_eq!(appended.seq, n);
    }
    assert_eq!(
        store
            .append_event(other, &event("agent.ready", 1))
            .await
            .unwrap()
            .seq,
        1
    );

    let page = store.events_from(org, 11, 5).await.unwrap();
    let seqs: Vec<u64> = page.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![11, 12, 13, 14, 15]);
    assert_eq!(page[0].content, event("contact.queued", 11));
    assert_eq!(store.events_from(org, 1, 1000).await.unwrap().len(), 30);
    assert!(store.events_from(org, 31, 10).await.unwrap().is_empty());
    assert_eq!(store.events_from(other, 1, 10).await.unwrap().len(), 1);
    assert_not_found(
        store.append_event(OrgId(i64::MAX), &event("x", 1)).await,
        "no such org",
    );
}

/// A batch of events is numbered consecutively and stored whole or not at
/// all.
pub async fn batched_events(store: &impl Store) {
    let org = organization(store, "outsourcer").await;
    assert!(store.append_events(org, &[]).await.unwrap().is_empty());
    let batch: Vec<NewEvent> = (1..=5).map(|n| event("agent.state", n)).collect();
    let appended = store.append_events(org, &batch).await.unwrap();
    let seqs: Vec<u64> = appended.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    assert_eq!(
        store
            .append_event(org, &event("agent.state", 6))
            .await
            .unwrap()
            .seq,
        6
    );

    let mut broken = vec![event("ok", 7), event("ok", 8)];
    broken[1].kind = String::new();
    let refused = store.append_events(org, &broken).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid { field: "kind", .. })),
        "{refused:?}"
    );
    assert_eq!(
        store.events_from(org, 1, 100).await.unwrap().len(),
        6,
        "nothing of it stored"
    );
    assert_eq!(
        store.append_event(org, &event("ok", 7)).await.unwrap().seq,
        7,
        "no gap"
    );
    let stored = store.events_from(org, 1, 100).await.unwrap();
    assert_eq!(
        stored[..5]
            .iter()
            .map(|e| e.content.clone())
            .collect::<Vec<_>>(),
        batch
    );

    // Larger than one INSERT statement takes.
    let large: Vec<NewEvent> = (0..1200).map(|n| event("contact.offered", n)).collect();
    let appended = store.append_events(org, &large).await.unwrap();
    assert_eq!((appended[0].seq, appended[1199].seq), (8, 1207));
    let tail = store.events_from(org, 1200, 100).await.unwrap();
    assert_eq!(tail.len(), 8);
    assert_eq!(tail[7].content, large[1199]);
    let all: Vec<u64> = store
        .events_from(org, 1, 10_000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(
        all,
        (1..=1207).collect::<Vec<_>>(),
        "no gap between statements"
    );
}

/// Many tasks appending events and messages at once lose nothing and
/// leave no gap or duplicate in the log.
pub async fn concurrent_writers<S: Store + Clone + 'static>(store: &S) {
    const WRITERS: u64 = 8;
    const EACH: u64 = 25;
    let org = organization(store, "hmo").await;
    let (_, interaction) = chat(store, org, "תורים").await;
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 0..EACH {
                    let kind = format!("writer.{writer}");
                    store
                        .append_event(org, &event(&kind, n))
                        .await
                        .expect("append");
                    let key = format!("{writer}-{n}");
                    store
                        .insert_message(org, &message(interaction, &key, "הודעה"))
                        .await
                        .expect("message");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("writer task");
    }
    let events = store.events_from(org, 1, 10_000).await.unwrap();
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=WRITERS * EACH).collect::<Vec<_>>());
    for writer in 0..WRITERS {
        let own: Vec<&serde_json::Value> = events
            .iter()
            .filter(|e| e.content.kind == format!("writer.{writer}"))
            .map(|e| &e.content.payload["n"])
            .collect();
        let expected: Vec<serde_json::Value> = (0..EACH).map(|n| json!(n)).collect();
        assert_eq!(
            own,
            expected.iter().collect::<Vec<_>>(),
            "writer {writer} in order"
        );
    }
    let messages = store.messages(org, interaction).await.unwrap();
    assert_eq!(messages.len(), usize::try_from(WRITERS * EACH).unwrap());
}

/// Nothing of one organization can be read or changed through another.
pub async fn tenant_isolation(store: &impl Store) {
    let mine = organization(store, "partner").await;
    let theirs = organization(store, "other").await;
    let their_user = store
        .create_user(theirs, &new_user("dana", Role::Agent))
        .await
        .unwrap();
    let my_user = store
        .create_user(mine, &new_user("dana", Role::Agent))
        .await
        .unwrap();
    let their_skill = store.create_skill(theirs, "שימור").await.unwrap().id;
    let their_team = store.create_team(theirs, "צוות").await.unwrap().id;
    let their_customer = store
        .create_customer(theirs, &new_customer("050-555-0000"))
        .await
        .unwrap();
    let (their_queue, their_chat) = chat(store, theirs, "חיובים").await;
    store
        .insert_message(theirs, &message(their_chat, "a", "סודי"))
        .await
        .unwrap();
    store
        .append_event(theirs, &event("contact.queued", 1))
        .await
        .unwrap();

    assert_not_found(store.user(mine, their_user.id).await, "read user");
    assert_eq!(
        store.user_by_login(mine, "dana").await.unwrap().id,
        my_user.id
    );
    assert_eq!(store.users(mine).await.unwrap(), vec![my_user.clone()]);
    assert_not_found(store.queue(mine, their_queue).await, "read queue");
    assert!(store.queues(mine).await.unwrap().is_empty());
    assert!(store.skills(mine).await.unwrap().is_empty());
    assert!(store.teams(mine).await.unwrap().is_empty());
    assert_not_found(
        store.customer(mine, their_customer.id).await,
        "read customer",
    );
    let phone = &their_customer.details.phones[0];
    assert!(
        store
            .customers_by_phone(mine, phone)
            .await
            .unwrap()
            .is_empty()
    );
    assert_not_found(
        store.interaction(mine, their_chat).await,
        "read interaction",
    );
    assert!(store.open_interactions(mine).await.unwrap().is_empty());
    assert!(store.messages(mine, their_chat).await.unwrap().is_empty());
    assert!(store.events_from(mine, 1, 10).await.unwrap().is_empty());

    assert_not_found(
        store.set_user_team(mine, their_user.id, None).await,
        "move their user",
    );
    assert_not_found(
        store
            .set_user_team(mine, my_user.id, Some(their_team))
            .await,
        "join their team",
    );
    let skill = AgentSkill {
        skill: their_skill,
        level: 5,
    };
    assert_not_found(
        store.set_agent_skill(mine, my_user.id, skill).await,
        "use their skill",
    );
    let capacity = AgentCapacity {
        channel: Channel::Chat,
        max_concurrent: 9,
    };
    assert_not_found(
        store
            .set_agent_capacity(mine, their_user.id, capacity)
            .await,
        "their agent",
    );
    let mut queue = new_queue("גניבה");
    queue.skill = Some(their_skill);
    assert_not_found(
        store.create_queue(mine, &queue).await,
        "queue with their skill",
    );
    let into_their_queue = NewInteraction {
        channel: Channel::Chat,
        queue: their_queue,
        customer: None,
        created_at: at(0),
    };
    assert_not_found(
        store.create_interaction(mine, &into_their_queue).await,
        "their queue",
    );
    assert_not_found(
        store
            .update_customer(mine, their_customer.id, &new_customer("050-999-9999"))
            .await,
        "update their customer",
    );
    assert_not_found(
        store
            .insert_message(mine, &message(their_chat, "b", "פריצה"))
            .await,
        "write into their chat",
    );
    let ended = TimelineEntry {
        at: at(3),
        step: TimelineStep::Ended,
    };
    assert_not_found(
        store.append_timeline(mine, their_chat, &ended).await,
        "end their chat",
    );

    assert_eq!(
        store.customer(theirs, their_customer.id).await.unwrap(),
        their_customer
    );
    assert_eq!(store.user(theirs, their_user.id).await.unwrap(), their_user);
    let their_interaction = store.interaction(theirs, their_chat).await.unwrap();
    assert!(their_interaction.ended_at.is_none() && their_interaction.timeline.is_empty());
    assert_eq!(store.messages(theirs, their_chat).await.unwrap().len(), 1);
}

/// Duplicates are conflicts, missing records are not found, broken input
/// is invalid — the same error on every backend.
pub async fn typed_errors(store: &impl Store) {
    let org = organization(store, "utility").await;
    let duplicate = store
        .create_organization(&NewOrganization {
            slug: "utility".into(),
            name: "שוב".into(),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict { .. })),
        "{duplicate:?}"
    );
    store.create_skill(org, "מכירות").await.unwrap();
    let again = store.create_skill(org, "מכירות").await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    store
        .create_user(org, &new_user("rina", Role::Agent))
        .await
        .unwrap();
    let same_login = store.create_user(org, &new_user("rina", Role::Admin)).await;
    assert!(
        matches!(same_login, Err(StoreError::Conflict { .. })),
        "{same_login:?}"
    );

    assert_not_found(store.organization_by_slug("nobody").await, "slug");
    assert_not_found(store.user_by_login(org, "nobody").await, "login");
    assert_not_found(
        store.interaction(org, InteractionId(424_242)).await,
        "interaction",
    );

    let mut plain = new_user("plain", Role::Agent);
    plain.password_hash = "123456".into();
    let refused = store.create_user(org, &plain).await;
    assert!(matches!(
        refused,
        Err(StoreError::Invalid {
            field: "password_hash",
            ..
        })
    ));
    let blank = store.create_team(org, "   ").await;
    assert!(
        matches!(blank, Err(StoreError::Invalid { .. })),
        "{blank:?}"
    );
    let (_, interaction) = chat(store, org, "תקלות").await;
    let empty = store
        .insert_message(org, &message(interaction, "k", ""))
        .await;
    assert!(
        matches!(empty, Err(StoreError::Invalid { field: "body", .. })),
        "{empty:?}"
    );
}

/// Every update method replaces what it says and nothing else, and a
/// record of another organization is not found.
pub async fn updates_round_trip(store: &impl Store) {
    let org = organization(store, "updates").await;
    let other = organization(store, "other-updates").await;
    let team = store.create_team(org, "צוות א").await.expect("team");
    let user = store
        .create_user(org, &new_user("noa", Role::Agent))
        .await
        .expect("user");
    assert_eq!(user.lang, "he");
    let update = UserUpdate {
        display_name: "נועה בר".into(),
        role: Role::Supervisor,
        team: Some(team.id),
        lang: "en".into(),
        password_hash: None,
    };
    let updated = store
        .update_user(org, user.id, &update)
        .await
        .expect("update");
    assert_eq!(
        (updated.display_name.as_str(), updated.role, updated.team),
        ("נועה בר", Role::Supervisor, Some(team.id))
    );
    assert_eq!(
        updated.password_hash, user.password_hash,
        "kept without a new hash"
    );
    let bad_lang = UserUpdate {
        lang: "fr".into(),
        ..update.clone()
    };
    assert!(matches!(
        store.update_user(org, user.id, &bad_lang).await,
        Err(StoreError::Invalid { field: "lang", .. })
    ));
    assert!(matches!(
        store.update_user(other, user.id, &update).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store
            .rename_team(org, team.id, "צוות ב")
            .await
            .expect("rename")
            .name,
        "צוות ב"
    );
    let skill = store.create_skill(org, "חיובים").await.expect("skill");
    assert_eq!(
        store
            .rename_skill(org, skill.id, "גבייה")
            .await
            .expect("rename")
            .name,
        "גבייה"
    );
    store
        .set_agent_skill(
            org,
            user.id,
            AgentSkill {
                skill: skill.id,
                level: 7,
            },
        )
        .await
        .expect("skill");
    store
        .remove_agent_skill(org, user.id, skill.id)
        .await
        .expect("remove");
    assert!(
        store
            .agent_skills(org, user.id)
            .await
            .expect("skills")
            .is_empty()
    );

    let queue = store
        .create_queue(org, &new_queue("שימור"))
        .await
        .expect("queue");
    let mut spec = queue.spec.clone();
    spec.priority = 5;
    spec.wrap_up_seconds = 45;
    spec.offer_timeout_seconds = 20;
    spec.skill = Some(skill.id);
    let changed = store
        .update_queue(org, queue.id, &spec)
        .await
        .expect("update");
    assert_eq!(changed.spec, spec);
    assert_eq!(store.queue(org, queue.id).await.expect("queue").spec, spec);
    assert!(matches!(
        store.update_queue(other, queue.id, &spec).await,
        Err(StoreError::NotFound { .. })
    ));

    let code = store
        .create_wrap_up_code(
            org,
            &NewWrapUpCode {
                code: "refund".into(),
                label: "החזר".into(),
            },
        )
        .await
        .expect("code");
    let relabelled = NewWrapUpCode {
        code: "refund".into(),
        label: "החזר כספי".into(),
    };
    assert_eq!(
        store
            .update_wrap_up_code(org, code.id, &relabelled)
            .await
            .expect("update")
            .spec,
        relabelled
    );

    let hours = NewBusinessHours {
        name: "מוקד".into(),
        time_zone: "Asia/Jerusalem".into(),
        intervals: vec![WeeklyInterval {
            weekday: 0,
            opens_minute: 480,
            closes_minute: 1200,
        }],
    };
    let created = store
        .create_business_hours(org, &hours)
        .await
        .expect("hours");
    let friday = NewBusinessHours {
        intervals: vec![
            WeeklyInterval {
                weekday: 5,
                opens_minute: 480,
                closes_minute: 780,
            },
            WeeklyInterval {
                weekday: 0,
                opens_minute: 480,
                closes_minute: 1200,
            },
        ],
        ..hours.clone()
    };
    let replaced = store
        .update_business_hours(org, created.id, &friday)
        .await
        .expect("update");
    assert_eq!(replaced.spec.intervals.len(), 2);
    assert_eq!(replaced.spec.intervals[0].weekday, 0, "sorted by day");
    let list = store.business_hours_list(org).await.expect("list");
    assert_eq!(list, vec![replaced]);
    assert!(
        store
            .business_hours_list(other)
            .await
            .expect("list")
            .is_empty()
    );
    let orgs = store.organizations().await.expect("organizations");
    assert!(orgs.iter().any(|o| o.id == org) && orgs.iter().any(|o| o.id == other));
}

/// Customers are found by name, email, phone in any written form and ID
/// number, page by page, only in their organization.
pub async fn customer_search(store: &impl Store) {
    let org = organization(store, "search").await;
    let other = organization(store, "other-search").await;
    let dana = store
        .create_customer(org, &new_customer("050-1234567"))
        .await
        .expect("dana");
    let mut moshe_details = new_customer("+972 3 555 1234");
    moshe_details.name = "Moshe Levi_100%".into();
    moshe_details.emails = vec![EmailAddress::parse("moshe@example.com").expect("email")];
    moshe_details.israeli_id = None;
    let moshe = store
        .create_customer(org, &moshe_details)
        .await
        .expect("moshe");
    store
        .create_customer(other, &new_customer("050-1234567"))
        .await
        .expect("other org");
    let find = |text: &str| CustomerQuery {
        text: Some(text.into()),
        after: None,
        limit: 50,
    };
    let ids = |found: Vec<crate::Customer>| found.iter().map(|c| c.id).collect::<Vec<_>>();
    for (text, expected) in [
        ("דנה", vec![dana.id]),
        ("LEVI", vec![moshe.id]),
        ("moshe@EXAMPLE", vec![moshe.id]),
        ("0501234567", vec![dana.id]),
        ("050-123", vec![dana.id]),
        ("+972501234567", vec![dana.id]),
        ("123456782", vec![dana.id]),
        ("_100%", vec![moshe.id]),
        ("1%0", vec![]),
        ("אין כזה", vec![]),
    ] {
        let found = store.customers(org, &find(text)).await.expect("search");
        assert_eq!(ids(found), expected, "search {text:?}");
    }
    let first = store
        .customers(
            org,
            &CustomerQuery {
                text: None,
                after: None,
                limit: 1,
            },
        )
        .await
        .expect("page");
    assert_eq!(ids(first), vec![dana.id]);
    let second = store
        .customers(
            org,
            &CustomerQuery {
                text: None,
                after: Some(dana.id),
                limit: 1,
            },
        )
        .await
        .expect("page");
    assert_eq!(ids(second), vec![moshe.id]);
    assert!(matches!(
        store
            .customers(
                org,
                &CustomerQuery {
                    text: None,
                    after: None,
                    limit: 0
                }
            )
            .await,
        Err(StoreError::Invalid { field: "limit", .. })
    ));
}

/// Presence replaces the previous one; notes and ratings come back as
/// such; an interaction gets its customer later.
pub async fn presence_and_notes(store: &impl Store) {
    let org = organization(store, "presence").await;
    let agent = store
        .create_user(org, &new_user("avi", Role::Agent))
        .await
        .expect("agent");
    let available = AgentPresence {
        state: PresenceState::Available,
        reason: None,
        since: at(1),
    };
    store
        .set_agent_presence(org, agent.id, &available)
        .await
        .expect("presence");
    let on_break = AgentPresence {
        state: PresenceState::NotReady,
        reason: Some("break".into()),
        since: at(2),
    };
    store
        .set_agent_presence(org, agent.id, &on_break)
        .await
        .expect("presence");
    assert_eq!(
        store.agent_presences(org).await.expect("presences"),
        vec![(agent.id, on_break)]
    );

    let (_, interaction) = chat(store, org, "צ'אט").await;
    let customer = store
        .create_customer(org, &new_customer("052-7654321"))
        .await
        .expect("customer");
    store
        .set_interaction_customer(org, interaction, customer.id)
        .await
        .expect("customer");
    let note = NewMessage {
        sender: Sender::Note(agent.id),
        ..message(interaction, "note-1", "לקוח עצבני, לטפל בעדינות")
    };
    store.insert_message(org, &note).await.expect("note");
    let rated = TimelineEntry {
        at: at(9),
        step: TimelineStep::Rated {
            score: 5,
            comment: "<script>alert(1)</script> תודה".into(),
        },
    };
    store
        .append_timeline(org, interaction, &rated)
        .await
        .expect("rating");
    let zero = TimelineEntry {
        at: at(9),
        step: TimelineStep::Rated {
            score: 0,
            comment: String::new(),
        },
    };
    assert!(matches!(
        store.append_timeline(org, interaction, &zero).await,
        Err(StoreError::Invalid { field: "score", .. })
    ));
    let stored = store
        .interaction(org, interaction)
        .await
        .expect("interaction");
    assert_eq!(stored.customer, Some(customer.id));
    assert_eq!(stored.timeline.last(), Some(&rated));
    let messages = store.messages(org, interaction).await.expect("messages");
    assert_eq!(messages[0].content.sender, Sender::Note(agent.id));
}

/// Tokens are found by hash until they expire or are deleted, and a token
/// must fit its kind.
pub async fn auth_tokens(store: &impl Store) {
    let org = organization(store, "tokens").await;
    let user = store
        .create_user(org, &new_user("admin", Role::Admin))
        .await
        .expect("user");
    let session = NewAuthToken {
        org,
        kind: TokenKind::Session,
        token_hash: "a".repeat(64),
        user: Some(user.id),
        role: Some(Role::Admin),
        interaction: None,
        label: "דפדפן".into(),
        created_at: at(0),
        expires_at: Some(at(60)),
    };
    let stored = store.create_auth_token(&session).await.expect("token");
    assert_eq!(stored.spec, session);
    assert_eq!(
        store
            .auth_token(&session.token_hash, at(59))
            .await
            .expect("found")
            .spec,
        session
    );
    assert!(matches!(
        store.auth_token(&session.token_hash, at(60)).await,
        Err(StoreError::NotFound { .. })
    ));
    let (_, interaction) = chat(store, org, "ווידג'ט").await;
    let chat_token = NewAuthToken {
        kind: TokenKind::Chat,
        token_hash: "b".repeat(64),
        user: None,
        role: None,
        interaction: Some(interaction),
        expires_at: None,
        ..session.clone()
    };
    store
        .create_auth_token(&chat_token)
        .await
        .expect("chat token");
    assert_eq!(
        store
            .auth_token(&chat_token.token_hash, at(10_000))
            .await
            .expect("found")
            .spec,
        chat_token
    );
    store
        .delete_auth_token(&chat_token.token_hash)
        .await
        .expect("delete");
    assert!(
        store
            .auth_token(&chat_token.token_hash, at(1))
            .await
            .is_err()
    );
    let duplicate = store.create_auth_token(&session).await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict { .. })),
        "{duplicate:?}"
    );
    for bad in [
        NewAuthToken {
            token_hash: "XYZ".into(),
            ..session.clone()
        },
        NewAuthToken {
            user: None,
            ..session.clone()
        },
        NewAuthToken {
            role: Some(Role::Agent),
            ..chat_token.clone()
        },
    ] {
        assert!(matches!(
            store.create_auth_token(&bad).await,
            Err(StoreError::Invalid { .. })
        ));
    }
}

/// A SIP account for `user`, with an HA1 made of `digit`.
fn sip_account(user: UserId, username: &str, digit: char) -> NewSipAccount {
    NewSipAccount {
        user,
        username: username.into(),
        realm: "moked.example".into(),
        ha1: digit.to_string().repeat(32),
    }
}

/// SIP accounts: one per agent, replaced by a second put; user names are
/// unique across organizations; lookups by user name see every
/// organization, lists and deletes only their own.
pub async fn sip_accounts(store: &impl Store) {
    let org = organization(store, "sip-a").await;
    let other = organization(store, "sip-b").await;
    let dana = store
        .create_user(org, &new_user("dana", Role::Agent))
        .await
        .expect("agent");
    let avi = store
        .create_user(org, &new_user("avi", Role::Agent))
        .await
        .expect("agent");
    let yossi = store
        .create_user(other, &new_user("yossi", Role::Agent))
        .await
        .expect("agent");

    let first = store
        .put_sip_account(org, sip_account(dana.id, "1001", 'a'))
        .await
        .expect("account");
    assert_eq!((first.org, first.user), (org, dana.id));
    let replaced = store
        .put_sip_account(org, sip_account(dana.id, "dana.levi", 'b'))
        .await
        .expect("replace");
    assert_eq!(replaced.username, "dana.levi");
    assert_eq!(replaced.ha1, "b".repeat(32));
    assert_eq!(
        store.sip_account_by_username("1001").await.expect("lookup"),
        None
    );
    assert_eq!(
        store
            .sip_account_by_username("dana.levi")
            .await
            .expect("lookup"),
        Some(replaced.clone())
    );
    assert!(
        !format!("{replaced:?}").contains(&"b".repeat(32)),
        "the HA1 stays out of debug output"
    );

    for (owner_org, owner) in [(org, avi.id), (other, yossi.id)] {
        let taken = store
            .put_sip_account(owner_org, sip_account(owner, "dana.levi", 'c'))
            .await;
        assert!(
            matches!(
                taken,
                Err(StoreError::Conflict {
                    entity: "sip_account",
                    ..
                })
            ),
            "{taken:?}"
        );
    }
    let foreign = store
        .put_sip_account(other, sip_account(dana.id, "2001", 'c'))
        .await;
    assert!(
        matches!(foreign, Err(StoreError::NotFound { entity: "user" })),
        "{foreign:?}"
    );
    for bad in [
        sip_account(avi.id, "אבי", 'c'),
        sip_account(avi.id, "1002", 'C'),
    ] {
        assert!(matches!(
            store.put_sip_account(org, bad).await,
            Err(StoreError::Invalid { .. })
        ));
    }
    let yossi_account = store
        .put_sip_account(other, sip_account(yossi.id, "2001", 'd'))
        .await
        .expect("other organization");
    store
        .put_sip_account(org, sip_account(avi.id, "1002", 'e'))
        .await
        .expect("second agent");
    let usernames = |accounts: Vec<crate::SipAccount>| {
        accounts.into_iter().map(|a| a.username).collect::<Vec<_>>()
    };
    assert_eq!(
        usernames(store.sip_accounts(org).await.expect("list")),
        ["dana.levi", "1002"]
    );
    assert_eq!(
        store.sip_accounts(other).await.expect("list"),
        vec![yossi_account.clone()]
    );

    store
        .delete_sip_account(other, dana.id)
        .await
        .expect("not ours: no change");
    assert!(
        store
            .sip_account_by_username("dana.levi")
            .await
            .expect("lookup")
            .is_some()
    );
    store
        .delete_sip_account(org, dana.id)
        .await
        .expect("delete");
    store
        .delete_sip_account(org, dana.id)
        .await
        .expect("deleting again is no error");
    assert_eq!(
        store
            .sip_account_by_username("dana.levi")
            .await
            .expect("lookup"),
        None
    );
    assert_eq!(
        usernames(store.sip_accounts(org).await.expect("list")),
        ["1002"]
    );
    store
        .put_sip_account(other, sip_account(yossi.id, "dana.levi", 'f'))
        .await
        .expect("a freed user name can be taken");
}

/// SIP routes: an address reaches one queue of one organization, can move
/// between that organization's queues, and is a conflict for any other.
pub async fn sip_routes(store: &impl Store) {
    let org = organization(store, "route-a").await;
    let other = organization(store, "route-b").await;
    let billing = store
        .create_queue(org, &new_queue("חיובים"))
        .await
        .expect("queue")
        .id;
    let support = store
        .create_queue(org, &new_queue("תמיכה"))
        .await
        .expect("queue")
        .id;
    let sales = store
        .create_queue(other, &new_queue("מכירות"))
        .await
        .expect("queue")
        .id;

    let route = store
        .put_sip_route(org, "billing", billing)
        .await
        .expect("route");
    assert_eq!(
        route,
        crate::SipRoute {
            org,
            address: "billing".into(),
            queue: billing
        }
    );
    assert_eq!(
        store.sip_route("billing").await.expect("lookup"),
        Some(route)
    );
    let moved = store
        .put_sip_route(org, "billing", support)
        .await
        .expect("move");
    assert_eq!(moved.queue, support);
    store
        .put_sip_route(org, "035551234", support)
        .await
        .expect("number");
    store
        .put_sip_route(org, "+97235551234", support)
        .await
        .expect("E.164");

    let taken = store.put_sip_route(other, "billing", sales).await;
    assert!(
        matches!(
            taken,
            Err(StoreError::Conflict {
                entity: "sip_route",
                ..
            })
        ),
        "{taken:?}"
    );
    assert_eq!(
        store.sip_route("billing").await.expect("lookup"),
        Some(moved.clone())
    );
    let foreign_queue = store.put_sip_route(other, "sales", billing).await;
    assert!(
        matches!(foreign_queue, Err(StoreError::NotFound { entity: "queue" })),
        "{foreign_queue:?}"
    );
    for bad in ["", "חיובים", "bill ing", "sip:billing@host"] {
        assert!(matches!(
            store.put_sip_route(org, bad, billing).await,
            Err(StoreError::Invalid {
                field: "address",
                ..
            })
        ));
    }
    store
        .put_sip_route(other, "sales", sales)
        .await
        .expect("other organization");

    let addresses =
        |routes: Vec<crate::SipRoute>| routes.into_iter().map(|r| r.address).collect::<Vec<_>>();
    assert_eq!(
        addresses(store.sip_routes(org).await.expect("list")),
        ["+97235551234", "035551234", "billing"]
    );
    assert_eq!(
        addresses(store.sip_routes(other).await.expect("list")),
        ["sales"]
    );

    store
        .delete_sip_route(other, "billing")
        .await
        .expect("not ours: no change");
    assert!(store.sip_route("billing").await.expect("lookup").is_some());
    store
        .delete_sip_route(org, "billing")
        .await
        .expect("delete");
    assert_eq!(store.sip_route("billing").await.expect("lookup"), None);
    store
        .put_sip_route(other, "billing", sales)
        .await
        .expect("a freed address can be taken");
}

/// Who changes a ticket in the checks, and when.
fn by(user: Option<UserId>, minute: i64) -> TicketActor {
    TicketActor {
        user,
        at: at(minute),
    }
}

fn new_ticket(subject: &str) -> NewTicket {
    NewTicket {
        subject: subject.into(),
        priority: TicketPriority::Normal,
        category: Some("חיובים".into()),
        customer: None,
        assignee: None,
        team: None,
        tags: vec!["חשבונית".into(), "vip".into()],
    }
}

/// Tickets are numbered per organization; changes are applied all or
/// none, each with its history row; the status machine is enforced.
pub async fn ticket_lifecycle(store: &impl Store) {
    let org = organization(store, "tickets").await;
    let other = organization(store, "tickets-b").await;
    let dana = store
        .create_user(org, &new_user("dana", Role::Agent))
        .await
        .expect("agent");
    let team = store.create_team(org, "שירות").await.expect("team");
    let first = store
        .create_ticket(org, &new_ticket("החשבונית של מרץ גבוהה מדי"), by(None, 0))
        .await
        .expect("ticket");
    assert_eq!(first.number.to_string(), "#1");
    assert_eq!(first.status, TicketStatus::New);
    assert_eq!(first.tags, ["vip", "חשבונית"]);
    let second = store
        .create_ticket(org, &new_ticket("שאלה על חבילת גלישה"), by(None, 1))
        .await
        .expect("ticket");
    assert_eq!(second.number.get(), 2);
    let elsewhere = store
        .create_ticket(other, &new_ticket("פנייה"), by(None, 1))
        .await
        .expect("ticket");
    assert_eq!(elsewhere.number.get(), 1, "numbers are per organization");

    let changed = store
        .update_ticket(
            org,
            first.id,
            &[
                TicketChange::Assignee(Some(dana.id)),
                TicketChange::Team(Some(team.id)),
                TicketChange::Status(TicketStatus::Open),
                TicketChange::Priority(TicketPriority::Normal),
                TicketChange::Responded,
            ],
            by(Some(dana.id), 5),
        )
        .await
        .expect("update");
    assert_eq!(changed.assignee, Some(dana.id));
    assert_eq!(changed.first_response_at, Some(at(5)));
    assert_eq!(changed.updated_at, at(5));
    assert_eq!(store.ticket(org, first.id).await.expect("read"), changed);
    assert_eq!(
        store
            .ticket_by_number(org, first.number)
            .await
            .expect("by number"),
        changed
    );

    let refused = store
        .update_ticket(
            org,
            first.id,
            &[
                TicketChange::Priority(TicketPriority::Urgent),
                TicketChange::Status(TicketStatus::New),
            ],
            by(Some(dana.id), 6),
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Invalid {
                field: "status",
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(
        store.ticket(org, first.id).await.expect("read"),
        changed,
        "all or none"
    );
    let solved = store
        .update_ticket(
            org,
            first.id,
            &[TicketChange::Status(TicketStatus::Solved)],
            by(Some(dana.id), 30),
        )
        .await
        .expect("solve");
    assert_eq!(solved.solved_at, Some(at(30)));

    let history = store.ticket_history(org, first.id).await.expect("history");
    let fields: Vec<&str> = history.iter().map(|h| h.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "created",
            "assignee",
            "team",
            "status",
            "first_response_at",
            "status"
        ],
        "one row per real change, none for an unchanged priority or a refused batch"
    );
    assert_eq!(history[0].actor, None);
    assert_eq!(
        history[0].new["subject"],
        json!("החשבונית של מרץ גבוהה מדי")
    );
    assert_eq!(history[1].actor, Some(dana.id));
    assert_eq!(
        (history[1].old.clone(), history[1].new.clone()),
        (json!(null), json!(dana.id))
    );
    assert_eq!(
        (history[3].old.clone(), history[3].new.clone()),
        (json!("new"), json!("open"))
    );
    assert_eq!(history[5].at, at(30));

    for bad in [
        TicketChange::Subject("   ".into()),
        TicketChange::Tags(vec!["שתי מילים".into()]),
        TicketChange::Category(Some("x".repeat(51))),
    ] {
        assert!(matches!(
            store
                .update_ticket(org, second.id, &[bad], by(None, 9))
                .await,
            Err(StoreError::Invalid { .. })
        ));
    }
    let foreign_agent = store
        .update_ticket(
            org,
            second.id,
            &[TicketChange::Assignee(Some(UserId(
                elsewhere.id.0 + 10_000,
            )))],
            by(None, 9),
        )
        .await;
    assert!(
        matches!(foreign_agent, Err(StoreError::NotFound { .. })),
        "{foreign_agent:?}"
    );
}

/// Notes, attachments and links change the ticket's time and history;
/// merging closes the source, links its interactions to the target and
/// freezes it.
pub async fn ticket_records(store: &impl Store) {
    let org = organization(store, "ticket-records").await;
    let avi = store
        .create_user(org, &new_user("avi", Role::Agent))
        .await
        .expect("agent");
    let ticket = store
        .create_ticket(org, &new_ticket("הראוטר לא מתחבר"), by(None, 0))
        .await
        .expect("ticket");
    let note = store
        .add_ticket_note(org, ticket.id, "הלקוח כבר ניסה אתחול 🙂", avi.id, at(2))
        .await
        .expect("note");
    assert_eq!(
        store.ticket_notes(org, ticket.id).await.expect("notes"),
        vec![note]
    );
    assert!(matches!(
        store
            .add_ticket_note(org, ticket.id, " ", avi.id, at(2))
            .await,
        Err(StoreError::Invalid { field: "body", .. })
    ));

    let content = "חשבונית מס 2026 ✓".as_bytes().to_vec();
    let file = NewAttachment {
        file_name: "חשבונית.pdf".into(),
        content_type: "application/pdf".into(),
        content: content.clone(),
    };
    let attached = store
        .add_attachment(org, ticket.id, &file, by(Some(avi.id), 3))
        .await
        .expect("attachment");
    assert_eq!(attached.size, content.len() as u64);
    assert_eq!(attached.sha256, crate::sha256_hex(&content));
    assert_eq!(
        store.attachments(org, ticket.id).await.expect("list"),
        vec![attached.clone()]
    );
    assert_eq!(
        store
            .attachment_content(org, attached.id)
            .await
            .expect("content"),
        (attached, content)
    );
    for bad in [
        NewAttachment {
            content: vec![0; crate::MAX_ATTACHMENT_BYTES + 1],
            ..file.clone()
        },
        NewAttachment {
            content_type: "pdf".into(),
            ..file.clone()
        },
        NewAttachment {
            file_name: "../../etc/passwd".into(),
            ..file.clone()
        },
    ] {
        assert!(matches!(
            store
                .add_attachment(org, ticket.id, &bad, by(None, 3))
                .await,
            Err(StoreError::Invalid { .. })
        ));
    }

    let (_, call) = chat(store, org, "טלפון").await;
    let (_, chat) = chat(store, org, "צ'אט").await;
    store
        .link_interaction(org, ticket.id, chat, by(None, 4))
        .await
        .expect("link");
    store
        .link_interaction(org, ticket.id, chat, by(None, 5))
        .await
        .expect("again: no change");
    assert_eq!(
        store.ticket_links(org, ticket.id).await.expect("links"),
        vec![TicketLink {
            interaction: chat,
            linked_at: at(4)
        }]
    );
    assert!(matches!(
        store
            .link_interaction(org, ticket.id, InteractionId(call.0 + 1000), by(None, 5))
            .await,
        Err(StoreError::NotFound {
            entity: "interaction"
        })
    ));
    assert_eq!(
        store.ticket(org, ticket.id).await.expect("read").updated_at,
        at(4)
    );

    let duplicate = store
        .create_ticket(org, &new_ticket("עדיין אין אינטרנט"), by(None, 6))
        .await
        .expect("ticket");
    store
        .link_interaction(org, duplicate.id, call, by(None, 6))
        .await
        .expect("link");
    let target = store
        .merge_tickets(org, duplicate.id, ticket.id, by(Some(avi.id), 7))
        .await
        .expect("merge");
    assert_eq!(target.id, ticket.id);
    let merged = store.ticket(org, duplicate.id).await.expect("read");
    assert_eq!(
        (merged.status, merged.merged_into),
        (TicketStatus::Closed, Some(ticket.id))
    );
    let linked: BTreeSet<_> = store
        .ticket_links(org, ticket.id)
        .await
        .expect("links")
        .into_iter()
        .map(|l| l.interaction)
        .collect();
    assert_eq!(linked, BTreeSet::from([chat, call]));
    assert_eq!(
        store.interaction_tickets(org, call).await.expect("tickets"),
        vec![ticket.id, duplicate.id]
    );
    let fields =
        |h: Vec<crate::TicketHistoryEntry>| h.into_iter().map(|e| e.field).collect::<Vec<_>>();
    assert_eq!(
        fields(store.ticket_history(org, ticket.id).await.expect("history")),
        [
            "created",
            "note",
            "attachment",
            "interaction",
            "merged_from"
        ]
    );
    assert_eq!(
        fields(
            store
                .ticket_history(org, duplicate.id)
                .await
                .expect("history")
        ),
        ["created", "interaction", "status", "merged_into"]
    );
    assert!(matches!(
        store
            .update_ticket(
                org,
                duplicate.id,
                &[TicketChange::Subject("x".into())],
                by(None, 8)
            )
            .await,
        Err(StoreError::Invalid {
            field: "ticket",
            ..
        })
    ));
    assert!(matches!(
        store
            .merge_tickets(org, ticket.id, ticket.id, by(None, 8))
            .await,
        Err(StoreError::Invalid {
            field: "target",
            ..
        })
    ));
    assert!(matches!(
        store
            .merge_tickets(org, ticket.id, duplicate.id, by(None, 8))
            .await,
        Err(StoreError::Invalid {
            field: "target",
            ..
        })
    ));
}

/// The ticket list filters by every field it offers and pages newest first.
pub async fn ticket_queries(store: &impl Store) {
    let org = organization(store, "ticket-list").await;
    let dana = store
        .create_user(org, &new_user("dana", Role::Agent))
        .await
        .expect("agent");
    let back_office = store.create_team(org, "בק אופיס").await.expect("team");
    let customer = store
        .create_customer(org, &new_customer("050-1234567"))
        .await
        .expect("customer");
    let mut ids = Vec::new();
    for n in 0..6_i64 {
        let ticket = store
            .create_ticket(
                org,
                &NewTicket {
                    priority: if n % 2 == 0 {
                        TicketPriority::High
                    } else {
                        TicketPriority::Low
                    },
                    customer: (n < 2).then_some(customer.id),
                    ..new_ticket(&format!("פנייה מספר {n}"))
                },
                by(None, n),
            )
            .await
            .expect("ticket");
        ids.push(ticket.id);
    }
    store
        .update_ticket(
            org,
            ids[4],
            &[
                TicketChange::Assignee(Some(dana.id)),
                TicketChange::Status(TicketStatus::Open),
                TicketChange::BackOfficeTeam(Some(back_office.id)),
                TicketChange::Owner(Some(dana.id)),
            ],
            by(Some(dana.id), 100),
        )
        .await
        .expect("escalate");
    let found = |query: TicketQuery| async move {
        store
            .tickets(org, &TicketQuery { limit: 50, ..query })
            .await
            .expect("query")
            .into_iter()
            .map(|t| t.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        found(TicketQuery::default()).await,
        ids.iter().rev().copied().collect::<Vec<_>>()
    );
    assert_eq!(
        found(TicketQuery {
            priority: Some(TicketPriority::High),
            ..TicketQuery::default()
        })
        .await,
        [ids[4], ids[2], ids[0]]
    );
    assert_eq!(
        found(TicketQuery {
            customer: Some(customer.id),
            ..TicketQuery::default()
        })
        .await,
        [ids[1], ids[0]]
    );
    for query in [
        TicketQuery {
            assignee: Some(dana.id),
            ..TicketQuery::default()
        },
        TicketQuery {
            back_office_team: Some(back_office.id),
            ..TicketQuery::default()
        },
        TicketQuery {
            updated_since: Some(at(50)),
            ..TicketQuery::default()
        },
        TicketQuery {
            statuses: vec![TicketStatus::Open, TicketStatus::PendingCustomer],
            priority: Some(TicketPriority::High),
            ..TicketQuery::default()
        },
    ] {
        assert_eq!(found(query.clone()).await, [ids[4]], "{query:?}");
    }
    assert_eq!(
        found(TicketQuery {
            statuses: vec![TicketStatus::New],
            team: Some(back_office.id),
            ..TicketQuery::default()
        })
        .await,
        []
    );
    let page = store
        .tickets(
            org,
            &TicketQuery {
                limit: 2,
                ..TicketQuery::default()
            },
        )
        .await
        .expect("page");
    assert_eq!(
        page.iter().map(|t| t.id).collect::<Vec<_>>(),
        [ids[5], ids[4]]
    );
    assert_eq!(
        page[1].tags,
        ["vip", "חשבונית"],
        "tags come with listed tickets"
    );
    assert_eq!(
        found(TicketQuery {
            before: Some(ids[4]),
            ..TicketQuery::default()
        })
        .await,
        [ids[3], ids[2], ids[1], ids[0]]
    );
    assert!(matches!(
        store.tickets(org, &TicketQuery::default()).await,
        Err(StoreError::Invalid { field: "limit", .. })
    ));
}

/// Canned responses, SLA policies and escalation rules round-trip, keep
/// their names unique and are deleted.
pub async fn ticket_configuration(store: &impl Store) {
    let org = organization(store, "ticket-config").await;
    let other = organization(store, "ticket-config-b").await;
    let canned = NewCannedResponse {
        name: "פתיחה".into(),
        lang: "he".into(),
        body: "שלום {{customer.first_name}}, כאן {{agent.name}} ממוקד השירות.".into(),
        actions: MacroActions::default(),
    };
    let stored = store
        .create_canned_response(org, &canned)
        .await
        .expect("canned");
    assert_eq!(stored.spec, canned);
    let english = NewCannedResponse {
        lang: "en".into(),
        body: "Hello {{customer.first_name}}".into(),
        ..canned.clone()
    };
    store
        .create_canned_response(org, &english)
        .await
        .expect("same name, other language");
    assert!(matches!(
        store.create_canned_response(org, &canned).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store
            .create_canned_response(
                org,
                &NewCannedResponse {
                    lang: "fr".into(),
                    ..canned.clone()
                }
            )
            .await,
        Err(StoreError::Invalid { field: "lang", .. })
    ));
    let unknown = NewCannedResponse {
        name: "סיום".into(),
        body: "תודה {{customer.last_name}}".into(),
        ..canned.clone()
    };
    match store.create_canned_response(org, &unknown).await {
        Err(StoreError::Invalid {
            field: "body",
            reason,
        }) => {
            assert!(reason.contains("customer.last_name"), "{reason}");
        }
        other => panic!("an unknown placeholder must be refused: {other:?}"),
    }
    let edited = NewCannedResponse {
        body: "שלום {{customer.first_name}}!".into(),
        ..canned.clone()
    };
    assert_eq!(
        store
            .update_canned_response(org, stored.id, &edited)
            .await
            .expect("update")
            .spec,
        edited
    );
    assert!(matches!(
        store
            .update_canned_response(other, stored.id, &edited)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.delete_canned_response(other, stored.id).await,
        Err(StoreError::NotFound { .. })
    ));
    store
        .delete_canned_response(org, stored.id)
        .await
        .expect("delete");
    assert_eq!(store.canned_responses(org).await.expect("list").len(), 1);

    let policy = NewSlaPolicy {
        name: "דחוף".into(),
        priority: Some(TicketPriority::Urgent),
        category: None,
        first_response_minutes: 30,
        resolution_minutes: 240,
    };
    let stored_policy = store.create_sla_policy(org, &policy).await.expect("policy");
    let by_category = NewSlaPolicy {
        name: "חיובים".into(),
        priority: None,
        category: Some("חיובים".into()),
        ..policy.clone()
    };
    store
        .create_sla_policy(org, &by_category)
        .await
        .expect("policy");
    assert_eq!(
        store
            .sla_policies(org)
            .await
            .expect("list")
            .into_iter()
            .map(|p| p.spec)
            .collect::<Vec<_>>(),
        [policy.clone(), by_category]
    );
    assert!(matches!(
        store.create_sla_policy(org, &policy).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store
            .create_sla_policy(
                org,
                &NewSlaPolicy {
                    resolution_minutes: 10,
                    ..policy.clone()
                }
            )
            .await,
        Err(StoreError::Invalid {
            field: "resolution_minutes",
            ..
        })
    ));
    assert!(store.sla_policies(other).await.expect("list").is_empty());
    store
        .delete_sla_policy(org, stored_policy.id)
        .await
        .expect("delete");
    assert_eq!(store.sla_policies(org).await.expect("list").len(), 1);

    let team = store.create_team(org, "גבייה").await.expect("team");
    let foreign_team = store.create_team(other, "גבייה").await.expect("team");
    let rules = [
        NewEscalationRule {
            name: "חריגה".into(),
            trigger: EscalationTrigger::Breach,
            team: team.id,
        },
        NewEscalationRule {
            name: "החזרים".into(),
            trigger: EscalationTrigger::Category("החזר כספי".into()),
            team: team.id,
        },
    ];
    for rule in &rules {
        store.create_escalation_rule(org, rule).await.expect("rule");
    }
    let stored_rules = store.escalation_rules(org).await.expect("list");
    assert_eq!(
        stored_rules
            .iter()
            .map(|r| r.spec.clone())
            .collect::<Vec<_>>(),
        rules
    );
    assert!(matches!(
        store
            .create_escalation_rule(
                org,
                &NewEscalationRule {
                    name: "אחר".into(),
                    team: foreign_team.id,
                    ..rules[0].clone()
                }
            )
            .await,
        Err(StoreError::NotFound { entity: "team" })
    ));
    store
        .delete_escalation_rule(org, stored_rules[0].id)
        .await
        .expect("delete");
    assert!(matches!(
        store.delete_escalation_rule(org, stored_rules[0].id).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Another organization's tickets are missing for every ticket method.
pub async fn ticket_isolation(store: &impl Store) {
    let org = organization(store, "ticket-own").await;
    let other = organization(store, "ticket-other").await;
    let intruder = store
        .create_user(other, &new_user("eve", Role::Admin))
        .await
        .expect("user");
    let ticket = store
        .create_ticket(org, &new_ticket("סודי"), by(None, 0))
        .await
        .expect("ticket");
    let own = store
        .create_ticket(other, &new_ticket("שלי"), by(None, 0))
        .await
        .expect("ticket");
    let (_, interaction) = chat(store, other, "צ'אט").await;
    let file = NewAttachment {
        file_name: "a.txt".into(),
        content_type: "text/plain".into(),
        content: b"x".to_vec(),
    };
    let actor = by(Some(intruder.id), 1);
    let missing = |result: StoreResult<()>| {
        assert!(
            matches!(result, Err(StoreError::NotFound { .. })),
            "{result:?}"
        );
    };
    missing(store.ticket(other, ticket.id).await.map(drop));
    missing(
        store
            .ticket_by_number(other, TicketNumber::new(2).expect("valid"))
            .await
            .map(drop),
    );
    missing(
        store
            .update_ticket(
                other,
                ticket.id,
                &[TicketChange::Status(TicketStatus::Open)],
                actor,
            )
            .await
            .map(drop),
    );
    missing(store.ticket_history(other, ticket.id).await.map(drop));
    missing(store.ticket_notes(other, ticket.id).await.map(drop));
    missing(store.attachments(other, ticket.id).await.map(drop));
    missing(store.ticket_links(other, ticket.id).await.map(drop));
    missing(
        store
            .link_interaction(other, ticket.id, interaction, actor)
            .await,
    );
    missing(
        store
            .add_ticket_note(other, ticket.id, "היי", intruder.id, at(1))
            .await
            .map(drop),
    );
    missing(
        store
            .add_attachment(other, ticket.id, &file, actor)
            .await
            .map(drop),
    );
    missing(
        store
            .merge_tickets(other, own.id, ticket.id, actor)
            .await
            .map(drop),
    );
    missing(
        store
            .add_ticket_note(org, ticket.id, "היי", intruder.id, at(1))
            .await
            .map(drop),
    );
    let listed = store
        .tickets(
            other,
            &TicketQuery {
                limit: 10,
                ..TicketQuery::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(listed, vec![own]);
    assert_eq!(
        store.ticket(org, ticket.id).await.expect("unchanged"),
        ticket
    );
    assert_eq!(
        store
            .ticket_history(org, ticket.id)
            .await
            .expect("history")
            .len(),
        1
    );
}

/// Generates one `#[tokio::test]` per check of this suite. `$open` is an
/// expression evaluating to a future of `Option<store>`: a fresh, empty
/// store, or `None` to skip (for example when no PostgreSQL is configured).
#[macro_export]
macro_rules! store_test_suite {
    ($open:expr) => {
        $crate::store_test_suite!(@checks $open;
            configuration_round_trip, customers, interactions_and_timeline, hebrew_round_trip,
            idempotent_messages, event_log_order, batched_events, concurrent_writers,
            tenant_isolation,
            typed_errors, updates_round_trip, customer_search, presence_and_notes, auth_tokens,
            sip_accounts, sip_routes, ticket_lifecycle, ticket_records, ticket_queries,
            ticket_configuration, ticket_config_edits, ticket_isolation, mail_addresses, inbound_emails, mail_outbox,
            mail_replies_to_queue,
            export_pages, import_batches, live_batches, customer_by_phone_races);
    };
    (@checks $open:expr; $($check:ident),*) => {$(
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $check() {
            if let Some(store) = $open.await {
                $crate::testsuite::$check(&store).await;
            }
        }
    )*};
}

/// The export reads an organization in keyset pages: customers whole,
/// tickets with their notes and their conversations' messages, and only the
/// conversations that belong to no ticket.
pub async fn export_pages(store: &impl Store) {
    let org = organization(store, "export").await;
    let other = organization(store, "export-other").await;
    let mut customers = Vec::new();
    for phone in ["050-1234567", "052-7654321", "+972 3 555 1234"] {
        customers.push(
            store
                .create_customer(org, &new_customer(phone))
                .await
                .expect("customer"),
        );
    }
    store
        .create_customer(other, &new_customer("054-0000000"))
        .await
        .expect("other customer");
    let first = store
        .export_customers(org, None, 2)
        .await
        .expect("first page");
    assert_eq!(first, customers[..2].to_vec());
    let rest = store
        .export_customers(org, Some(first[1].id), 2)
        .await
        .expect("second page");
    assert_eq!(rest, customers[2..].to_vec());
    assert!(
        store
            .export_customers(org, Some(rest[0].id), 2)
            .await
            .expect("end")
            .is_empty()
    );

    let (_, lone) = chat(store, org, "צ'אט").await;
    let (_, cased) = chat(store, org, "דוא\"ל").await;
    // Between the ticket's and `later`: a conversation without messages.
    chat(store, org, "שקט").await;
    let (_, later) = chat(store, org, "וואטסאפ").await;
    for (interaction, key, body) in [
        (lone, "l1", "שלום, החשבונית לא הגיעה"),
        (lone, "l2", "תודה רבה"),
        (cased, "c1", "הראוטר מהבהב באדום"),
        (cased, "c2", "ניסיתי לאתחל"),
        (later, "w1", "מתי מגיע הטכנאי?"),
    ] {
        store
            .insert_message(org, &message(interaction, key, body))
            .await
            .expect("message");
    }
    let ticket = store
        .create_ticket(org, &new_ticket("הראוטר לא מתחבר"), by(None, 0))
        .await
        .expect("ticket");
    store
        .link_interaction(org, ticket.id, cased, by(None, 1))
        .await
        .expect("link");
    store
        .add_ticket_note(
            org,
            ticket.id,
            "לבדוק קו",
            customer_agent(store, org).await,
            at(2),
        )
        .await
        .expect("note");
    let tickets = store.export_tickets(org, None, 10).await.expect("tickets");
    assert_eq!(tickets.len(), 1);
    assert_eq!(
        tickets[0].ticket,
        store.ticket(org, ticket.id).await.expect("ticket")
    );
    assert_eq!(
        tickets[0].texts,
        ["לבדוק קו", "הראוטר מהבהב באדום", "ניסיתי לאתחל"]
    );
    assert!(
        store
            .export_tickets(other, None, 10)
            .await
            .expect("other")
            .is_empty()
    );

    // A page holds only conversations of their own: the query skips the
    // ticket's (`cased`) and the one without messages ("שקט"), so the
    // second page of one goes straight to `later`.
    let page = store
        .export_conversations(org, None, 1)
        .await
        .expect("conversations");
    assert_eq!(page.len(), 1);
    assert_eq!(
        page[0].interaction,
        store.interaction(org, lone).await.expect("lone")
    );
    assert_eq!(page[0].messages, ["שלום, החשבונית לא הגיעה", "תודה רבה"]);
    let page = store
        .export_conversations(org, Some(lone), 1)
        .await
        .expect("next");
    assert_eq!(
        page.iter()
            .map(|c| (c.interaction.id, c.messages.clone()))
            .collect::<Vec<_>>(),
        [(later, vec!["מתי מגיע הטכנאי?".to_owned()])]
    );
    assert!(
        store
            .export_conversations(org, Some(later), 1)
            .await
            .expect("end")
            .is_empty()
    );
    assert!(matches!(
        store.export_tickets(org, None, 0).await,
        Err(StoreError::Invalid { field: "limit", .. })
    ));
}

/// An import writes a batch whole or not at all, numbers tickets after the
/// organization's last, and stores each conversation as an ended, linked
/// interaction.
pub async fn import_batches(store: &impl Store) {
    let org = organization(store, "import").await;
    let other = organization(store, "import-other").await;
    let (queue, _) = chat(store, org, "דוא\"ל").await;
    let customers = [new_customer("050-1111111"), new_customer("052-2222222")];
    let ids = store
        .import_customers(org, &customers)
        .await
        .expect("customers");
    assert_eq!(
        store.customer(org, ids[1]).await.expect("customer").details,
        customers[1]
    );
    let first = store
        .create_ticket(org, &new_ticket("לפני הייבוא"), by(None, 0))
        .await
        .expect("ticket");
    let solved = ImportedTicket {
        ticket: NewTicket {
            customer: Some(ids[0]),
            tags: vec!["ייבוא".into()],
            ..new_ticket("החשבונית כפולה")
        },
        status: TicketStatus::Solved,
        created_at: at(10),
        updated_at: at(70),
        conversation: Some(ImportedConversation {
            channel: Channel::Email,
            queue,
            messages: vec![
                ImportedMessage {
                    sender: Sender::Customer,
                    body: "חויבתי פעמיים".into(),
                    sent_at: at(10),
                },
                ImportedMessage {
                    sender: Sender::System,
                    body: "הזיכוי בוצע".into(),
                    sent_at: at(60),
                },
            ],
        }),
    };
    let open = ImportedTicket {
        ticket: new_ticket("Router keeps rebooting"),
        status: TicketStatus::Open,
        created_at: at(20),
        updated_at: at(20),
        conversation: None,
    };
    let imported = store
        .import_tickets(org, &[solved, open.clone()])
        .await
        .expect("import");
    let ticket = store.ticket(org, imported[0]).await.expect("imported");
    assert_eq!(ticket.number.get(), first.number.get() + 1);
    assert_eq!(
        (ticket.status, ticket.solved_at),
        (TicketStatus::Solved, Some(at(70)))
    );
    assert_eq!(ticket.tags, ["ייבוא"]);
    assert_eq!(
        store
            .ticket(org, imported[1])
            .await
            .expect("second")
            .number
            .get(),
        first.number.get() + 2
    );
    assert_eq!(
        store
            .ticket_history(org, imported[0])
            .await
            .expect("history")
            .len(),
        1
    );
    let links = store.ticket_links(org, imported[0]).await.expect("links");
    let interaction = store
        .interaction(org, links[0].interaction)
        .await
        .expect("interaction");
    assert_eq!(
        (interaction.channel, interaction.ended_at),
        (Channel::Email, Some(at(70)))
    );
    let exported = store
        .export_tickets(org, Some(first.id), 10)
        .await
        .expect("export");
    assert_eq!(exported[0].texts, ["חויבתי פעמיים", "הזיכוי בוצע"]);

    let before = store
        .export_tickets(org, None, 100)
        .await
        .expect("before")
        .len();
    let blank = ImportedTicket {
        ticket: new_ticket(" "),
        ..open.clone()
    };
    assert!(matches!(
        store.import_tickets(org, &[open.clone(), blank]).await,
        Err(StoreError::Invalid {
            field: "subject",
            ..
        })
    ));
    let foreign = ImportedTicket {
        ticket: NewTicket {
            customer: Some(ids[0]),
            ..new_ticket("לקוח של ארגון אחר")
        },
        ..open.clone()
    };
    assert!(store.import_tickets(other, &[foreign]).await.is_err());
    assert!(matches!(
        store.import_tickets(org, &[]).await,
        Err(StoreError::Invalid { field: "batch", .. })
    ));
    assert_eq!(
        store
            .export_tickets(org, None, 100)
            .await
            .expect("after")
            .len(),
        before
    );
}

async fn customer_agent(store: &impl Store, org: OrgId) -> UserId {
    store
        .create_user(org, &new_user("noa", Role::Agent))
        .await
        .expect("agent")
        .id
}

/// A fresh organization with one chat interaction, for benchmarks that
/// write messages and events.
pub async fn bench_fixture(store: &impl Store) -> (OrgId, InteractionId) {
    let org = organization(store, "bench").await;
    let (_, interaction) = chat(store, org, "מדידה").await;
    (org, interaction)
}

/// One chat message of a benchmark, unique by `n`.
pub fn bench_message(interaction: InteractionId, n: u64) -> NewMessage {
    message(interaction, &format!("bench-{n}"), HEBREW_MESSAGE)
}

/// One event of a benchmark.
pub fn bench_event(n: u64) -> NewEvent {
    event("chat.message", n)
}

fn mail(address: &str) -> EmailAddress {
    EmailAddress::parse(address).expect("valid address")
}

/// An email queue of a new organization with its receiving address.
async fn mail_org(store: &impl Store, slug: &str) -> (OrgId, QueueId) {
    let org = organization(store, slug).await;
    let queue = store
        .create_queue(
            org,
            &NewQueue {
                channel: Channel::Email,
                ..new_queue("דואר — שירות")
            },
        )
        .await
        .expect("create email queue")
        .id;
    (org, queue)
}

fn inbound(message_id: Option<&str>, raw: &[u8]) -> crate::NewEmail {
    crate::NewEmail {
        received_by: mail("Service@Demo.Example"),
        received_at: at(3),
        message_id: message_id.map(str::to_owned),
        in_reply_to: vec!["ticket-7.ab@demo.example".into()],
        references: vec!["a1@mail.example".into(), "ticket-7.ab@demo.example".into()],
        from: Some(mail("dana@example.co.il")),
        from_name: Some("דנה לוי".into()),
        to: vec![mail("service@demo.example")],
        subject: "החבילה לא הגיעה".into(),
        flags: vec!["unknown_charset".into(), "long_line".into()],
        raw: raw.to_vec(),
    }
}

/// Receiving addresses are unique in the installation, found in any case,
/// and changed or removed only by their own organization.
pub async fn mail_addresses(store: &impl Store) {
    let (org, queue) = mail_org(store, "mail-a").await;
    let (other, other_queue) = mail_org(store, "mail-b").await;
    let address = mail("service@demo.example");
    let put = store
        .put_mail_address(org, &address, queue, "שירות לקוחות")
        .await
        .expect("put address");
    assert_eq!(put.org, org);
    assert_eq!(put.display_name, "שירות לקוחות");
    let found = store
        .mail_address(&mail("SERVICE@demo.example"))
        .await
        .expect("lookup")
        .expect("found in any case");
    assert_eq!(found, put);
    let taken = store
        .put_mail_address(other, &address, other_queue, "גניבה")
        .await;
    assert!(
        matches!(
            taken,
            Err(StoreError::Conflict {
                entity: "mail_address",
                ..
            })
        ),
        "another organization's address: {taken:?}"
    );
    assert_not_found(
        store
            .put_mail_address(org, &mail("x@demo.example"), other_queue, "שם")
            .await,
        "another organization's queue",
    );
    assert!(matches!(
        store.put_mail_address(org, &address, queue, "  ").await,
        Err(StoreError::Invalid { .. })
    ));
    assert_eq!(store.mail_addresses(other).await.expect("list"), vec![]);
    store
        .delete_mail_address(other, &address)
        .await
        .expect("no-op delete");
    assert_eq!(store.all_mail_addresses().await.expect("all"), vec![put]);
    store
        .delete_mail_address(org, &address)
        .await
        .expect("delete");
    assert_eq!(store.mail_address(&address).await.expect("lookup"), None);
}

/// An inbound email keeps its raw bytes exactly, is stored once per
/// Message-ID, is linked to what it became, and stays in its organization.
pub async fn inbound_emails(store: &impl Store) {
    let (org, queue) = mail_org(store, "mail-in").await;
    let (other, _) = mail_org(store, "mail-other").await;
    // windows-1255 bytes and a bare CR: not UTF-8, kept as they came.
    let raw = b"Subject: \xf9\xec\xe5\xed\r\n\r\nbody\r\r\n".to_vec();
    let stored = store
        .insert_email(org, &inbound(Some("CAB1@mail.example"), &raw))
        .await
        .expect("insert");
    assert_eq!(stored.received_by, "service@demo.example");
    assert_eq!(stored.subject, "החבילה לא הגיעה");
    assert_eq!(stored.flags, vec!["unknown_charset", "long_line"]);
    assert_eq!(
        stored.references,
        vec!["a1@mail.example", "ticket-7.ab@demo.example"]
    );
    assert_eq!(stored.size, raw.len() as u64);
    assert!(!stored.processed);
    assert_eq!(store.email_raw(org, stored.id).await.expect("raw"), raw);
    let again = store
        .insert_email(org, &inbound(Some("CAB1@mail.example"), b"retry"))
        .await
        .expect("a retried delivery");
    assert_eq!(again, stored);
    let anonymous = store
        .insert_email(org, &inbound(None, b"no id"))
        .await
        .expect("without id");
    assert_ne!(anonymous.id, stored.id);
    let same_id_elsewhere = store
        .insert_email(other, &inbound(Some("CAB1@mail.example"), b"other org"))
        .await
        .expect("another organization's copy");
    assert_ne!(same_id_elsewhere.id, stored.id);

    let customer = store
        .create_customer(org, &new_customer("+972501234567"))
        .await
        .expect("customer");
    assert_eq!(
        store
            .customer_by_email(org, &mail("DANA@example.co.il"))
            .await
            .expect("by email"),
        Some(customer.id)
    );
    assert_eq!(
        store
            .customer_by_email(other, &mail("dana@example.co.il"))
            .await
            .expect("by email elsewhere"),
        None
    );
    let interaction = store
        .create_interaction(
            org,
            &NewInteraction {
                channel: Channel::Email,
                queue,
                customer: Some(customer.id),
                created_at: at(3),
            },
        )
        .await
        .expect("interaction");
    let ticket = store
        .create_ticket(org, &new_ticket("החבילה"), by(None, 3))
        .await
        .expect("ticket");
    let links = crate::EmailLinks {
        message: None,
        interaction: Some(interaction.id),
        ticket: Some(ticket.id),
        customer: Some(customer.id),
    };
    store.link_email(org, stored.id, links).await.expect("link");
    assert_not_found(
        store.link_email(other, stored.id, links).await,
        "another organization's email",
    );
    let linked = store.email(org, stored.id).await.expect("read");
    assert!(linked.processed);
    assert_eq!(linked.ticket, Some(ticket.id));
    assert_eq!(linked.interaction, Some(interaction.id));
    assert_eq!(
        store
            .email_by_message_id(org, "CAB1@mail.example")
            .await
            .expect("by id"),
        Some(linked.clone())
    );
    assert_eq!(
        store
            .ticket_emails(org, ticket.id)
            .await
            .expect("of ticket"),
        vec![linked]
    );
    assert_not_found(store.email(other, stored.id).await, "email elsewhere");
    assert_not_found(store.email_raw(other, stored.id).await, "raw elsewhere");
}

fn reply(ticket: crate::TicketId, message: Option<crate::MessageId>) -> crate::NewOutboundEmail {
    crate::NewOutboundEmail {
        ticket,
        interaction: None,
        message,
        from: mail("service@demo.example"),
        from_name: "שירות לקוחות".into(),
        to: mail("dana@example.co.il"),
        to_name: Some("דנה לוי".into()),
        subject: "החבילה לא הגיעה".into(),
        in_reply_to: Some("CAB1@mail.example".into()),
        references: vec!["a0@mail.example".into(), "CAB1@mail.example".into()],
        body: "שלום דנה, החבילה בדרך אלייך.".into(),
        created_at: at(5),
    }
}

/// The outbox hands out due replies, keeps failures with their retry time
/// and forgets nothing until the relay took it; one reply per message.
pub async fn mail_outbox(store: &impl Store) {
    let (org, _) = mail_org(store, "mail-out").await;
    let (other, _) = mail_org(store, "mail-out-other").await;
    let ticket = store
        .create_ticket(org, &new_ticket("החבילה"), by(None, 3))
        .await
        .expect("ticket");
    let (_, chat) = chat(store, org, "צ'אט").await;
    let message = store
        .insert_message(org, &message(chat, "k1", "שלום דנה"))
        .await
        .expect("message")
        .message()
        .clone();
    let queued = store
        .enqueue_outbound(org, &reply(ticket.id, Some(message.id)))
        .await
        .expect("enqueue");
    assert_eq!(queued.spec, reply(ticket.id, Some(message.id)));
    assert_eq!((queued.attempts, queued.sent_at), (0, None));
    let twice = store
        .enqueue_outbound(org, &reply(ticket.id, Some(message.id)))
        .await
        .expect("enqueue again");
    assert_eq!(twice.id, queued.id);
    assert_not_found(
        store.enqueue_outbound(other, &reply(ticket.id, None)).await,
        "another organization's ticket",
    );
    assert_eq!(store.due_outbound(at(4), 10).await.expect("due"), vec![]);
    assert_eq!(
        store.due_outbound(at(5), 10).await.expect("due"),
        vec![queued.clone()]
    );
    store
        .outbound_failed(org, queued.id, "451 try later", at(9))
        .await
        .expect("failed");
    assert_eq!(store.due_outbound(at(8), 10).await.expect("due"), vec![]);
    let retry = store.due_outbound(at(9), 10).await.expect("due").remove(0);
    assert_eq!(retry.attempts, 1);
    assert_eq!(retry.last_error.as_deref(), Some("451 try later"));
    assert_not_found(
        store.outbound_sent(other, queued.id, "x@y", at(9)).await,
        "another organization's reply",
    );
    store
        .outbound_sent(org, queued.id, "ticket-1.ab@demo.example", at(9))
        .await
        .expect("sent");
    assert_eq!(store.due_outbound(at(99), 10).await.expect("due"), vec![]);
    let sent = store
        .ticket_outbound(org, ticket.id)
        .await
        .expect("of ticket");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].sent_at, Some(at(9)));
    assert_eq!(
        sent[0].sent_message_id.as_deref(),
        Some("ticket-1.ab@demo.example")
    );
    assert_eq!(sent[0].last_error, None);
}

/// An email contact of `org` linked to a ticket that has the customer's
/// email, ended at `ended` (`None`: still open).
async fn answered_contact(
    store: &impl Store,
    org: OrgId,
    queue: QueueId,
    message_id: &str,
    ended: Option<i64>,
) -> InteractionId {
    let contact = store
        .create_interaction(
            org,
            &NewInteraction {
                channel: Channel::Email,
                queue,
                customer: None,
                created_at: at(1),
            },
        )
        .await
        .expect("email contact")
        .id;
    let ticket = store
        .create_ticket(org, &new_ticket("החבילה לא הגיעה"), by(None, 1))
        .await
        .expect("ticket");
    store
        .link_interaction(org, ticket.id, contact, by(None, 1))
        .await
        .expect("link");
    let email = store
        .insert_email(org, &inbound(Some(message_id), b"raw"))
        .await
        .expect("email");
    let links = crate::EmailLinks {
        interaction: Some(contact),
        ticket: Some(ticket.id),
        ..crate::EmailLinks::default()
    };
    store
        .link_email(org, email.id, links)
        .await
        .expect("link email");
    if let Some(minute) = ended {
        let end = TimelineEntry {
            at: at(minute),
            step: TimelineStep::Ended,
        };
        store
            .append_timeline(org, contact, &end)
            .await
            .expect("end");
    }
    contact
}

fn said(contact: InteractionId, key: &str, sender: Sender) -> NewMessage {
    NewMessage {
        sender,
        ..message(contact, key, "שלום דנה, החבילה בדרך אלייך.")
    }
}

/// The outbox's work list: agents' messages (not notes, not the
/// customer's) in email contacts open or ended since the horizon, with an
/// email to answer and no outbox row yet, of every organization.
pub async fn mail_replies_to_queue(store: &impl Store) {
    let (org, queue) = mail_org(store, "mail-replies").await;
    let (other, other_queue) = mail_org(store, "mail-replies-other").await;
    let agent = store
        .create_user(org, &new_user("agent", Role::Agent))
        .await
        .expect("agent")
        .id;
    let colleague = store
        .create_user(other, &new_user("agent", Role::Agent))
        .await
        .expect("agent elsewhere")
        .id;
    let open = answered_contact(store, org, queue, "open@mail.example", None).await;
    let lately = answered_contact(store, org, queue, "late@mail.example", Some(50)).await;
    let long_ago = answered_contact(store, org, queue, "old@mail.example", Some(5)).await;
    let elsewhere = answered_contact(store, other, other_queue, "else@mail.example", None).await;
    let (_, chat_contact) = chat(store, org, "צ'אט").await;
    // (organization, contact, key, sender, to be queued)
    let written = [
        (org, open, "reply", Sender::Agent(agent), true),
        (org, open, "note", Sender::Note(agent), false),
        (org, open, "customer", Sender::Customer, false),
        (org, long_ago, "reply", Sender::Agent(agent), false),
        (org, chat_contact, "reply", Sender::Agent(agent), false),
        (org, lately, "reply", Sender::Agent(agent), true),
        (other, elsewhere, "reply", Sender::Agent(colleague), true),
    ];
    let mut expected = Vec::new();
    for (owner, contact, key, sender, to_queue) in written {
        let stored = store
            .insert_message(owner, &said(contact, key, sender))
            .await
            .expect("message")
            .message()
            .clone();
        if to_queue {
            expected.push((owner, stored));
        }
    }
    let found = store.unqueued_replies(at(30), 10).await.expect("to queue");
    assert_eq!(found, expected);
    assert_eq!(
        store.unqueued_replies(at(30), 1).await.expect("to queue"),
        expected[..1]
    );
    let first = &expected[0].1;
    let ticket = store.interaction_tickets(org, open).await.expect("tickets")[0];
    let mut queued = reply(ticket, Some(first.id));
    queued.interaction = Some(open);
    store.enqueue_outbound(org, &queued).await.expect("queued");
    assert_eq!(
        store.unqueued_replies(at(30), 10).await.expect("to queue"),
        expected[1..]
    );
}

/// Macros keep their actions; SLA policies and escalation rules are
/// edited in place, only in their own organization, with the same checks
/// as when they are created.
pub async fn ticket_config_edits(store: &impl Store) {
    let org = organization(store, "config-edits").await;
    let other = organization(store, "config-edits-b").await;
    let team = store.create_team(org, "החזרים").await.expect("team");
    let foreign_team = store.create_team(other, "החזרים").await.expect("team");
    let refund = NewCannedResponse {
        name: "החזר כספי".into(),
        lang: "he".into(),
        body: "שלום {{customer.first_name}}, ההחזר בטיפול.".into(),
        actions: MacroActions {
            status: Some(TicketStatus::PendingInternal),
            priority: Some(TicketPriority::High),
            category: Some("החזרים".into()),
            add_tags: vec!["החזר".into()],
            remove_tags: vec!["חדש".into()],
            team: Some(team.id),
            assignee: None,
            note: Some("הועבר לצוות ההחזרים".into()),
        },
    };
    let stored = store
        .create_canned_response(org, &refund)
        .await
        .expect("macro");
    assert_eq!(stored.spec, refund);
    assert_eq!(
        store.canned_responses(org).await.expect("list")[0].spec,
        refund,
        "the actions are read back"
    );
    let spaced = NewCannedResponse {
        actions: MacroActions {
            add_tags: vec!["שני מילים".into()],
            ..MacroActions::default()
        },
        ..refund.clone()
    };
    assert!(matches!(
        store.update_canned_response(org, stored.id, &spaced).await,
        Err(StoreError::Invalid {
            field: "actions.add_tags",
            ..
        })
    ));

    let policy = NewSlaPolicy {
        name: "רגיל".into(),
        priority: None,
        category: None,
        first_response_minutes: 60,
        resolution_minutes: 480,
    };
    let saved = store.create_sla_policy(org, &policy).await.expect("policy");
    let faster = NewSlaPolicy {
        name: "רגיל מהיר".into(),
        category: Some("חיובים".into()),
        first_response_minutes: 20,
        ..policy.clone()
    };
    let edited = store
        .update_sla_policy(org, saved.id, &faster)
        .await
        .expect("edit");
    assert_eq!((edited.id, &edited.spec), (saved.id, &faster));
    assert_eq!(store.sla_policies(org).await.expect("list")[0].spec, faster);
    assert!(matches!(
        store.update_sla_policy(other, saved.id, &policy).await,
        Err(StoreError::NotFound { .. })
    ));
    let backwards = NewSlaPolicy {
        resolution_minutes: 5,
        ..faster.clone()
    };
    assert!(matches!(
        store.update_sla_policy(org, saved.id, &backwards).await,
        Err(StoreError::Invalid {
            field: "resolution_minutes",
            ..
        })
    ));
    let second = store
        .create_sla_policy(org, &policy)
        .await
        .expect("the old name is free again");
    assert!(matches!(
        store.update_sla_policy(org, second.id, &faster).await,
        Err(StoreError::Conflict { .. })
    ));

    let rule = NewEscalationRule {
        name: "חריגה".into(),
        trigger: EscalationTrigger::Breach,
        team: team.id,
    };
    let saved = store
        .create_escalation_rule(org, &rule)
        .await
        .expect("rule");
    let by_category = NewEscalationRule {
        name: "החזרים".into(),
        trigger: EscalationTrigger::Category("החזר כספי".into()),
        team: team.id,
    };
    let edited = store
        .update_escalation_rule(org, saved.id, &by_category)
        .await
        .expect("edit");
    assert_eq!(edited.spec, by_category);
    assert_eq!(
        store.escalation_rules(org).await.expect("list")[0].spec,
        by_category
    );
    let elsewhere = NewEscalationRule {
        team: foreign_team.id,
        ..by_category.clone()
    };
    assert!(matches!(
        store
            .update_escalation_rule(org, saved.id, &elsewhere)
            .await,
        Err(StoreError::NotFound { entity: "team" })
    ));
    assert!(matches!(
        store.update_escalation_rule(other, saved.id, &rule).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store.escalation_rules(org).await.expect("list")[0].spec,
        by_category,
        "a refused edit changes nothing"
    );
}

/// A live batch (events, timeline steps, presences, messages) is stored in
/// one transaction, all or none; a new interaction comes with its first step.
pub async fn live_batches(store: &impl Store) {
    let org = organization(store, "live-batch").await;
    let agent = store
        .create_user(org, &new_user("noa", Role::Agent))
        .await
        .expect("agent")
        .id;
    let (queue, _) = chat(store, org, "שיחות").await;
    let contact = |minute| {
        let new = NewInteraction {
            channel: Channel::Voice,
            queue,
            customer: None,
            created_at: at(minute),
        };
        (new, step(minute, TimelineStep::Queued { queue }))
    };
    let opened = store
        .create_interactions(org, &[contact(1), contact(2)])
        .await
        .expect("create interactions");
    assert_eq!(opened.len(), 2);
    for interaction in &opened {
        assert_eq!(
            &store
                .interaction(org, interaction.id)
                .await
                .expect("read back"),
            interaction
        );
    }
    let call = opened[0].id;
    // One refused contact (another organization's queue) refuses them all.
    let elsewhere = organization(store, "live-batch-elsewhere").await;
    let (foreign_queue, _) = chat(store, elsewhere, "זר").await;
    let mut refused = contact(3);
    refused.0.queue = foreign_queue;
    assert_not_found(
        store.create_interactions(org, &[contact(3), refused]).await,
        "foreign queue",
    );
    assert_eq!(
        store.open_interactions(org).await.unwrap().len(),
        3,
        "the refused pair left nothing"
    );
    assert_eq!(
        store.create_interactions(org, &[]).await.expect("none"),
        Vec::new()
    );
    let presence = AgentPresence {
        state: PresenceState::NotReady,
        reason: Some("no_answer".into()),
        since: at(3),
    };
    let batch = crate::LiveBatch {
        events: vec![event("routing.offered", 2), event("routing.connected", 3)],
        timeline: vec![
            (call, step(2, TimelineStep::Offered { agent })),
            (call, step(3, TimelineStep::Accepted { agent })),
            (call, step(4, TimelineStep::Ended)),
        ],
        presences: vec![(agent, presence.clone())],
        messages: vec![message(call, "שלום-1", HEBREW_MESSAGE)],
    };
    let stored = store.write_live_batch(org, &batch).await.expect("batch");
    let seqs: Vec<u64> = stored.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![1, 2]);
    assert!(matches!(stored.messages[..], [MessageInsert::Stored(_)]));
    let read = store.interaction(org, call).await.expect("interaction");
    let steps: Vec<TimelineEntry> = read.timeline[1..].to_vec();
    let written: Vec<TimelineEntry> = batch.timeline.iter().map(|(_, e)| e.clone()).collect();
    assert_eq!(steps, written);
    assert_eq!(read.ended_at, Some(at(4)));
    assert_eq!(
        store.agent_presences(org).await.expect("presences"),
        vec![(agent, presence)]
    );

    // The same message again is already stored; a step of a missing
    // interaction refuses the whole batch, which leaves no trace.
    let mut refused = crate::LiveBatch {
        events: vec![event("routing.abandoned", 5)],
        timeline: vec![(call, step(5, TimelineStep::Ended))],
        presences: Vec::new(),
        messages: vec![message(call, "שלום-1", HEBREW_MESSAGE)],
    };
    refused
        .timeline
        .push((InteractionId(i64::MAX), step(5, TimelineStep::Ended)));
    assert_not_found(
        store.write_live_batch(org, &refused).await,
        "missing interaction",
    );
    refused.timeline.pop();
    refused.messages.push(message(call, "שלום-1", "טקסט אחר"));
    let conflict = store.write_live_batch(org, &refused).await;
    assert!(
        matches!(conflict, Err(StoreError::Conflict { .. })),
        "{conflict:?}"
    );
    assert_eq!(store.events_from(org, 1, 100).await.unwrap().len(), 2);
    assert_eq!(
        store.interaction(org, call).await.unwrap().timeline.len(),
        4
    );
    refused.messages.pop();
    let retried = store.write_live_batch(org, &refused).await.expect("retry");
    assert_eq!(retried.events[0].seq, 3, "no gap after the refusals");
    assert!(matches!(
        retried.messages[..],
        [MessageInsert::AlreadyStored(_)]
    ));
    assert_eq!(store.messages(org, call).await.unwrap().len(), 1);
    let empty = store
        .write_live_batch(org, &crate::LiveBatch::default())
        .await
        .expect("empty batch");
    assert!(empty.events.is_empty() && empty.messages.is_empty());

    // Another organization's interaction is not found, and nothing is written.
    let other = organization(store, "live-batch-other").await;
    let foreign = crate::LiveBatch {
        timeline: vec![(call, step(6, TimelineStep::Ended))],
        ..crate::LiveBatch::default()
    };
    assert_not_found(
        store.write_live_batch(other, &foreign).await,
        "foreign step",
    );
}

fn step(minute: i64, step: TimelineStep) -> TimelineEntry {
    TimelineEntry {
        at: at(minute),
        step,
    }
}

/// Calls racing from one new number make one customer; a known number is
/// found as stored.
pub async fn customer_by_phone_races<S: Store + Clone + 'static>(store: &S) {
    const CALLERS: usize = 8;
    let org = organization(store, "first-calls").await;
    let phone = PhoneE164::parse("054-7654321").expect("phone");
    let racers: Vec<_> = (0..CALLERS)
        .map(|n| {
            let (store, phone) = (store.clone(), phone.clone());
            let mut new = new_customer("054-7654321");
            new.name = format!("מתקשר {n}");
            tokio::spawn(async move {
                store
                    .find_or_create_customer_by_phone(org, &phone, &new)
                    .await
                    .expect("find or create")
            })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for racer in racers {
        ids.insert(racer.await.expect("racer").id);
    }
    assert_eq!(ids.len(), 1, "one customer for one new number: {ids:?}");
    let stored = store
        .customers_by_phone(org, &phone)
        .await
        .expect("by phone");
    assert_eq!(stored.len(), 1);
    let mut other_name = new_customer("054-7654321");
    other_name.name = "שם אחר".into();
    let found = store
        .find_or_create_customer_by_phone(org, &phone, &other_name)
        .await
        .expect("known");
    assert_eq!(found, stored[0], "found as stored, not renamed");

    let unlisted = store
        .find_or_create_customer_by_phone(org, &phone, &new_customer("050-1111111"))
        .await;
    assert!(
        matches!(
            unlisted,
            Err(StoreError::Invalid {
                field: "phones",
                ..
            })
        ),
        "{unlisted:?}"
    );
    let elsewhere = organization(store, "first-calls-other").await;
    let theirs = store
        .find_or_create_customer_by_phone(elsewhere, &phone, &new_customer("054-7654321"))
        .await
        .expect("other organization");
    assert_ne!(theirs.id, found.id, "each organization has its own");
}
