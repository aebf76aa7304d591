//! Targeted routing (a contact for one named agent) and the commands a
//! driver uses to rebuild its state after a restart.

use moked_domain::Channel;
use moked_routing::{
    AgentId, AgentSpec, AgentState, Capacity, ContactId, ContactPhase, ContactSpec, EndedBy,
    Engine, EngineConfig, Event, EventKind, NoopSink, QueueSpec, ReasonCode, Requirements, SkillId,
    SkillLevel, Span, Time,
};

const BILLING: SkillId = SkillId(0);

fn at(seconds: u64) -> Time {
    Time::ZERO + Span::from_secs(seconds)
}

fn agent(name: &str, level: u8, chats: u8) -> AgentSpec {
    AgentSpec {
        name: name.to_owned(),
        skills: vec![SkillLevel {
            skill: BILLING,
            level,
        }],
        capacity: Capacity::NONE.with(Channel::Chat, chats),
        queues: Vec::new(),
    }
}

fn chat_queue(engine: &mut Engine, min_level: u8) -> moked_routing::QueueId {
    engine
        .add_queue(QueueSpec {
            skills: Requirements::single(BILLING, min_level).unwrap(),
            ..QueueSpec::new("צ'אט חיובים", Channel::Chat)
        })
        .unwrap()
}

fn holder(engine: &Engine, contact: ContactId) -> Option<(ContactPhase, AgentId)> {
    let view = engine.contact(contact)?;
    Some((view.phase, view.agent?))
}

#[test]
fn a_transfer_to_a_busy_agent_waits_for_that_agent_only() {
    let mut engine = Engine::new(EngineConfig::default());
    let queue = chat_queue(&mut engine, 1);
    let dana = engine.add_agent(agent("דנה", 3, 1)).unwrap();
    let yossi = engine.add_agent(agent("יוסי", 3, 1)).unwrap();
    let rina = engine.add_agent(agent("רינה", 3, 1)).unwrap();
    for (t, a) in [(1, dana), (2, yossi)] {
        engine.login(at(t), a, &mut NoopSink).unwrap();
    }
    let first = engine
        .arrive(at(10), ContactSpec::new(queue), &mut NoopSink)
        .unwrap();
    let second = engine
        .arrive(at(11), ContactSpec::new(queue), &mut NoopSink)
        .unwrap();
    assert_eq!(
        holder(&engine, first),
        Some((ContactPhase::Connected, dana))
    );
    assert_eq!(
        holder(&engine, second),
        Some((ContactPhase::Connected, yossi))
    );

    // Dana hands her chat to Yossi, who is busy: it waits for him, and
    // Rina logging in (free, skilled) does not take it.
    let mut events: Vec<Event> = Vec::new();
    engine
        .transfer_to_agent(at(20), first, yossi, &mut events)
        .unwrap();
    assert!(events.iter().any(|e| matches!(e.kind,
        EventKind::Transferred { contact, agent: Some(a), .. } if contact == first && a == dana)));
    assert_eq!(engine.contact(first).unwrap().phase, ContactPhase::Waiting);
    engine.login(at(21), rina, &mut NoopSink).unwrap();
    assert_eq!(engine.contact(first).unwrap().phase, ContactPhase::Waiting);
    assert_eq!(engine.agent_state(dana), Ok(AgentState::Available));

    // Yossi finishes his chat and gets the transferred one at once.
    engine
        .complete(at(30), second, EndedBy::Agent, &mut NoopSink)
        .unwrap();
    assert_eq!(
        holder(&engine, first),
        Some((ContactPhase::Connected, yossi))
    );
}

#[test]
fn a_contact_for_a_named_agent_ignores_skills_but_not_capacity() {
    let mut engine = Engine::new(EngineConfig::default());
    let queue = chat_queue(&mut engine, 4);
    let novice = engine.add_agent(agent("מתחיל", 1, 1)).unwrap();
    let expert = engine.add_agent(agent("מומחית", 5, 1)).unwrap();
    engine.login(at(0), expert, &mut NoopSink).unwrap();
    engine.login(at(1), novice, &mut NoopSink).unwrap();

    let contact = engine
        .arrive_for_agent(at(5), ContactSpec::new(queue), novice, &mut NoopSink)
        .unwrap();
    assert_eq!(
        holder(&engine, contact),
        Some((ContactPhase::Connected, novice))
    );

    // The novice is full: a second contact for the novice waits even though
    // the expert is free.
    let waiting = engine
        .arrive_for_agent(at(6), ContactSpec::new(queue), novice, &mut NoopSink)
        .unwrap();
    assert_eq!(
        engine.contact(waiting).unwrap().phase,
        ContactPhase::Waiting
    );
    assert_eq!(engine.agent_state(expert), Ok(AgentState::Available));
    engine
        .complete(at(9), contact, EndedBy::Customer, &mut NoopSink)
        .unwrap();
    assert_eq!(
        holder(&engine, waiting),
        Some((ContactPhase::Connected, novice))
    );
}

#[test]
fn restored_connections_and_not_ready_logins_take_no_waiting_work() {
    let mut engine = Engine::new(EngineConfig::default());
    let queue = chat_queue(&mut engine, 1);
    let dana = engine.add_agent(agent("דנה", 3, 2)).unwrap();
    let yossi = engine.add_agent(agent("יוסי", 3, 2)).unwrap();
    // A contact that waited since t=100 re-enters at its original time.
    let waiting = engine
        .arrive(at(100), ContactSpec::new(queue), &mut NoopSink)
        .unwrap();
    let restored = engine
        .restore_connected(
            at(500),
            ContactSpec::new(queue),
            dana,
            at(200),
            &mut NoopSink,
        )
        .unwrap();
    assert_eq!(
        holder(&engine, restored),
        Some((ContactPhase::Connected, dana))
    );
    assert_eq!(engine.contact(restored).unwrap().arrival, at(200));
    assert_eq!(
        engine.contact(waiting).unwrap().phase,
        ContactPhase::Waiting
    );
    assert_eq!(
        engine.queue_stats(at(500), queue).unwrap().longest_wait,
        Span::from_secs(400)
    );

    engine
        .login_not_ready(at(500), yossi, ReasonCode(3), &mut NoopSink)
        .unwrap();
    assert_eq!(
        engine.agent_state(yossi),
        Ok(AgentState::NotReady(ReasonCode(3)))
    );
    assert_eq!(
        engine.contact(waiting).unwrap().phase,
        ContactPhase::Waiting
    );

    // Dana logs in holding the restored chat: one free slot takes the waiting one.
    engine.login(at(501), dana, &mut NoopSink).unwrap();
    assert_eq!(
        holder(&engine, waiting),
        Some((ContactPhase::Connected, dana))
    );
    assert_eq!(
        engine.agent_view(dana).unwrap().active[Channel::Chat.index()],
        2
    );
    engine
        .complete(at(600), restored, EndedBy::Agent, &mut NoopSink)
        .unwrap();
    assert_eq!(
        engine.agent_view(dana).unwrap().active[Channel::Chat.index()],
        1
    );
}

#[test]
fn a_rejected_contact_goes_to_another_free_agent_first() {
    let mut engine = Engine::new(EngineConfig::default());
    let queue = engine
        .add_queue(QueueSpec {
            auto_accept: false,
            ..QueueSpec::new("צ'אט", Channel::Chat)
        })
        .unwrap();
    let dana = engine.add_agent(agent("דנה", 3, 2)).unwrap();
    let yossi = engine.add_agent(agent("יוסי", 3, 2)).unwrap();
    engine.login(at(0), dana, &mut NoopSink).unwrap();
    let contact = engine
        .arrive(at(5), ContactSpec::new(queue), &mut NoopSink)
        .unwrap();
    assert_eq!(
        holder(&engine, contact),
        Some((ContactPhase::Ringing, dana))
    );
    // Alone, Dana gets it back after declining.
    engine.reject(at(6), contact, &mut NoopSink).unwrap();
    assert_eq!(
        holder(&engine, contact),
        Some((ContactPhase::Ringing, dana))
    );
    // With Yossi free (and Dana less loaded), it goes to Yossi.
    engine.login(at(7), yossi, &mut NoopSink).unwrap();
    engine.reject(at(8), contact, &mut NoopSink).unwrap();
    assert_eq!(
        holder(&engine, contact),
        Some((ContactPhase::Ringing, yossi))
    );
    assert_eq!(engine.agent_state(dana), Ok(AgentState::Available));
}
