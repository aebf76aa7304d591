//! One readable test per routing rule.

use moked_domain::Channel;
use moked_routing::{
    AgentId, AgentSelection, AgentSpec, AgentState, Capacity, ContactId, ContactPhase, ContactSpec,
    EndedBy, Engine, EngineConfig, Event, EventKind, NoopSink, OverflowRule, QueueId, QueueSpec,
    ReasonCode, Requirements, RoutingError, SkillId, SkillLevel, Span, Time, WideningRule,
};

const BILLING: SkillId = SkillId(0);
const TECH: SkillId = SkillId(1);

fn at(seconds: u64) -> Time {
    Time::ZERO + Span::from_secs(seconds)
}

fn skill(skill: SkillId, level: u8) -> SkillLevel {
    SkillLevel { skill, level }
}

fn agent(name: &str, skills: &[SkillLevel]) -> AgentSpec {
    AgentSpec {
        name: name.to_owned(),
        skills: skills.to_vec(),
        capacity: Capacity::TYPICAL,
        queues: Vec::new(),
    }
}

fn queue(name: &str, required: SkillId, level: u8) -> QueueSpec {
    QueueSpec {
        skills: Requirements::single(required, level).unwrap(),
        ..QueueSpec::new(name, Channel::Voice)
    }
}

fn engine(selection: AgentSelection) -> Engine {
    Engine::new(EngineConfig {
        selection,
        ..EngineConfig::default()
    })
}

/// The agent each contact was connected to, in order.
fn connections(events: &[Event]) -> Vec<(ContactId, AgentId)> {
    events
        .iter()
        .filter_map(|event| match event.kind {
            EventKind::Connected { contact, agent, .. } => Some((contact, agent)),
            _ => None,
        })
        .collect()
}

fn connected_agent(engine: &Engine, contact: ContactId) -> Option<AgentId> {
    let view = engine.contact(contact)?;
    (view.phase == ContactPhase::Connected).then_some(view.agent?)
}

#[test]
fn an_arriving_contact_goes_to_the_longest_idle_agent() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let billing = engine.add_queue(queue("חיובים", BILLING, 1)).unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    let yossi = engine
        .add_agent(agent("יוסי", &[skill(BILLING, 3)]))
        .unwrap();
    engine.login(at(10), yossi, &mut NoopSink).unwrap();
    engine.login(at(20), dana, &mut NoopSink).unwrap();

    let first = engine
        .arrive(at(30), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    let second = engine
        .arrive(at(31), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();

    assert_eq!(connected_agent(&engine, first), Some(yossi));
    assert_eq!(connected_agent(&engine, second), Some(dana));
    assert_eq!(engine.agent_state(yossi), Ok(AgentState::Busy));
}

#[test]
fn best_proficiency_prefers_the_expert() {
    let mut engine = engine(AgentSelection::BestProficiency);
    let billing = engine.add_queue(queue("חיובים", BILLING, 1)).unwrap();
    let novice = engine
        .add_agent(agent("מתחיל", &[skill(BILLING, 2)]))
        .unwrap();
    let expert = engine
        .add_agent(agent("מומחית", &[skill(BILLING, 5)]))
        .unwrap();
    engine.login(at(0), novice, &mut NoopSink).unwrap();
    engine.login(at(5), expert, &mut NoopSink).unwrap();

    let contact = engine
        .arrive(at(10), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();

    assert_eq!(connected_agent(&engine, contact), Some(expert));
}

#[test]
fn least_occupied_prefers_the_agent_with_less_handle_time() {
    let mut engine = engine(AgentSelection::LeastOccupied);
    let billing = engine.add_queue(queue("חיובים", BILLING, 1)).unwrap();
    let busy = engine
        .add_agent(agent("עמוס", &[skill(BILLING, 3)]))
        .unwrap();
    let fresh = engine
        .add_agent(agent("רענן", &[skill(BILLING, 3)]))
        .unwrap();
    engine.login(at(0), busy, &mut NoopSink).unwrap();
    let long_call = engine
        .arrive(at(1), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    engine
        .complete(at(301), long_call, EndedBy::Customer, &mut NoopSink)
        .unwrap();
    // Longest-idle would pick "עמוס" (idle since 301 s, the other since 400 s).
    engine.login(at(400), fresh, &mut NoopSink).unwrap();

    let contact = engine
        .arrive(at(500), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();

    assert_eq!(connected_agent(&engine, contact), Some(fresh));
}

#[test]
fn a_freed_agent_takes_the_highest_score_across_its_queues() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let billing = engine
        .add_queue(QueueSpec {
            priority_weight: 0.0,
            ..queue("חיובים", BILLING, 1)
        })
        .unwrap();
    let vip = engine
        .add_queue(QueueSpec {
            priority_weight: 100.0,
            ..queue("לקוחות זהב", BILLING, 1)
        })
        .unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    engine.login(at(0), dana, &mut NoopSink).unwrap();
    let busy_with = engine
        .arrive(at(0), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    let old = engine
        .arrive(at(10), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    let gold = engine
        .arrive(at(50), ContactSpec::new(vip), &mut NoopSink)
        .unwrap();

    // At 60 s: old scores 0 + 50 = 50, gold scores 100 + 10 = 110.
    engine
        .complete(at(60), busy_with, EndedBy::Agent, &mut NoopSink)
        .unwrap();

    assert_eq!(connected_agent(&engine, gold), Some(dana));
    assert_eq!(engine.contact(old).unwrap().phase, ContactPhase::Waiting);
}

#[test]
fn aging_prevents_starvation_of_a_low_priority_queue() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let low = engine.add_queue(queue("תמיכה טכנית", BILLING, 1)).unwrap();
    let high = engine
        .add_queue(QueueSpec {
            priority_weight: 120.0,
            ..queue("חיובים", BILLING, 1)
        })
        .unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    engine.login(at(0), dana, &mut NoopSink).unwrap();
    let mut current = engine
        .arrive(at(0), ContactSpec::new(high), &mut NoopSink)
        .unwrap();
    let starving = engine
        .arrive(at(1), ContactSpec::new(low), &mut NoopSink)
        .unwrap();

    // A new high-priority contact arrives every 30 s and each call lasts 30 s:
    // the fresh one always scores 120, the low-priority one 1 point per second
    // waited, so it wins at the first completion after 121 s: at 150 s (149 > 120).
    let mut served_at = None;
    for step in 1..=10 {
        let now = at(30 * step);
        engine
            .arrive(now, ContactSpec::new(high), &mut NoopSink)
            .unwrap();
        engine
            .complete(now, current, EndedBy::Customer, &mut NoopSink)
            .unwrap();
        if connected_agent(&engine, starving) == Some(dana) {
            served_at = Some(now);
            break;
        }
        current = engine
            .contacts()
            .find(|(_, view)| view.phase == ContactPhase::Connected)
            .unwrap()
            .0;
    }
    assert_eq!(served_at, Some(at(150)));
}

#[test]
fn equal_scores_are_served_first_come_first_served() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let billing = engine.add_queue(queue("חיובים", BILLING, 1)).unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    let first = engine
        .arrive(at(5), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    let second = engine
        .arrive(at(5), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    let mut events = Vec::new();
    engine.login(at(9), dana, &mut events).unwrap();
    engine
        .complete(at(20), first, EndedBy::Agent, &mut events)
        .unwrap();
    assert_eq!(connections(&events), vec![(first, dana), (second, dana)]);
}

#[test]
fn skills_widen_after_sixty_seconds() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let billing = engine
        .add_queue(QueueSpec {
            widening: vec![WideningRule {
                after: Span::from_secs(60),
                skill: BILLING,
                min_level: 2,
            }],
            ..queue("חיובים", BILLING, 4)
        })
        .unwrap();
    let junior = engine
        .add_agent(agent("מתחילה", &[skill(BILLING, 2)]))
        .unwrap();
    engine.login(at(0), junior, &mut NoopSink).unwrap();
    let contact = engine
        .arrive(at(0), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();

    let mut events = Vec::new();
    engine.advance(at(59), &mut events).unwrap();
    assert!(events.is_empty());
    assert_eq!(engine.next_deadline(), Some(at(60)));
    engine.advance(at(60), &mut events).unwrap();

    assert!(events.iter().any(|event| matches!(
        event.kind,
        EventKind::SkillsWidened {
            skill: BILLING,
            min_level: 2,
            ..
        }
    )));
    assert_eq!(connected_agent(&engine, contact), Some(junior));
    assert_eq!(
        events
            .iter()
            .find(|e| matches!(e.kind, EventKind::Connected { .. }))
            .map(|e| e.at),
        Some(at(60))
    );
}

#[test]
fn contacts_overflow_after_one_hundred_twenty_seconds() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let tech = engine.add_queue(queue("תמיכה טכנית", TECH, 1)).unwrap();
    let billing = engine
        .add_queue(QueueSpec {
            overflow: Some(OverflowRule {
                after: Span::from_secs(120),
                to: tech,
            }),
            ..queue("חיובים", BILLING, 1)
        })
        .unwrap();
    let techie = engine.add_agent(agent("טכנאי", &[skill(TECH, 3)])).unwrap();
    engine.login(at(0), techie, &mut NoopSink).unwrap();
    let contact = engine
        .arrive(at(0), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();

    let mut events = Vec::new();
    engine.advance(at(119), &mut events).unwrap();
    assert_eq!(engine.contact(contact).unwrap().queue, billing);
    engine.advance(at(120), &mut events).unwrap();

    assert!(events.iter().any(|event| matches!(
        event.kind,
        EventKind::Overflowed { from, to, .. } if from == billing && to == tech
    )));
    let view = engine.contact(contact).unwrap();
    assert_eq!((view.queue, view.agent), (tech, Some(techie)));
}

#[test]
fn ring_no_answer_makes_the_agent_not_ready_and_keeps_the_contacts_place() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let billing = engine
        .add_queue(QueueSpec {
            auto_accept: false,
            offer_timeout: Some(Span::from_secs(15)),
            ..queue("חיובים", BILLING, 1)
        })
        .unwrap();
    let sleepy = engine
        .add_agent(agent("ישנוני", &[skill(BILLING, 3)]))
        .unwrap();
    let awake = engine
        .add_agent(agent("ערני", &[skill(BILLING, 3)]))
        .unwrap();
    engine.login(at(0), sleepy, &mut NoopSink).unwrap();
    let first = engine
        .arrive(at(10), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    let second = engine
        .arrive(at(12), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    assert_eq!(engine.agent_state(sleepy), Ok(AgentState::Reserved));

    let mut events = Vec::new();
    engine.advance(at(25), &mut events).unwrap();
    assert_eq!(
        engine.agent_state(sleepy),
        Ok(AgentState::NotReady(
            EngineConfig::default().ring_no_answer_reason
        ))
    );
    engine.login(at(30), awake, &mut events).unwrap();

    // The first contact is back ahead of the second, with its original arrival.
    let view = engine.contact(first).unwrap();
    assert_eq!(
        (view.phase, view.agent, view.arrival),
        (ContactPhase::Ringing, Some(awake), at(10))
    );
    assert_eq!(engine.contact(second).unwrap().phase, ContactPhase::Waiting);
    engine.accept(at(31), first, &mut events).unwrap();
    assert!(events.iter().any(|event| matches!(
        event.kind,
        EventKind::Connected { waited, ring, .. }
            if waited == Span::from_secs(20) && ring == Span::from_secs(1)
    )));
}

#[test]
fn a_callback_keeps_its_place_and_cannot_hang_up() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let billing = engine.add_queue(queue("חיובים", BILLING, 1)).unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    let early = engine
        .arrive(at(0), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    let late = engine
        .arrive(at(5), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    let mut events = Vec::new();
    engine.request_callback(at(60), early, &mut events).unwrap();
    assert_eq!(
        engine.abandon(at(61), early, &mut events),
        Err(RoutingError::CallbackCannotAbandon(early))
    );
    engine.login(at(90), dana, &mut events).unwrap();
    assert_eq!(connected_agent(&engine, early), Some(dana));
    assert!(engine.contact(early).unwrap().callback);
    assert_eq!(engine.contact(late).unwrap().phase, ContactPhase::Waiting);
}

#[test]
fn wrap_up_holds_the_slot_until_its_timer() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let billing = engine
        .add_queue(QueueSpec {
            wrap_up: Span::from_secs(30),
            ..queue("חיובים", BILLING, 1)
        })
        .unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    engine.login(at(0), dana, &mut NoopSink).unwrap();
    let first = engine
        .arrive(at(0), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    let second = engine
        .arrive(at(1), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    engine
        .complete(at(100), first, EndedBy::Customer, &mut NoopSink)
        .unwrap();
    assert_eq!(engine.agent_state(dana), Ok(AgentState::WrapUp));
    assert_eq!(engine.next_deadline(), Some(at(130)));
    engine.advance(at(129), &mut NoopSink).unwrap();
    assert_eq!(engine.contact(second).unwrap().phase, ContactPhase::Waiting);
    engine.advance(at(130), &mut NoopSink).unwrap();
    assert_eq!(connected_agent(&engine, second), Some(dana));
    assert_eq!(engine.contact(first), None);
}

#[test]
fn a_chat_agent_takes_up_to_its_capacity() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let chat = engine
        .add_queue(QueueSpec {
            skills: Requirements::single(BILLING, 1).unwrap(),
            ..QueueSpec::new("צ'אט חיובים", Channel::Chat)
        })
        .unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    engine.login(at(0), dana, &mut NoopSink).unwrap();
    let chats: Vec<ContactId> = (0..4)
        .map(|i| {
            engine
                .arrive(at(i), ContactSpec::new(chat), &mut NoopSink)
                .unwrap()
        })
        .collect();
    let connected = chats
        .iter()
        .filter(|&&c| connected_agent(&engine, c).is_some())
        .count();
    assert_eq!(connected, 3);
    assert_eq!(
        engine.agent_view(dana).unwrap().active[Channel::Chat.index()],
        3
    );
    assert_eq!(
        engine.contact(chats[3]).unwrap().phase,
        ContactPhase::Waiting
    );
}

#[test]
fn estimated_wait_follows_position_agents_and_handle_time() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let billing = engine
        .add_queue(QueueSpec {
            handle_time_hint: Span::from_secs(120),
            ..queue("חיובים", BILLING, 1)
        })
        .unwrap();
    assert_eq!(engine.estimated_wait(billing), Ok(None));
    let agents: Vec<AgentId> = (0..2)
        .map(|i| {
            engine
                .add_agent(agent(&format!("נציג {i}"), &[skill(BILLING, 3)]))
                .unwrap()
        })
        .collect();
    for &a in &agents {
        engine.login(at(0), a, &mut NoopSink).unwrap();
    }
    assert_eq!(engine.estimated_wait(billing), Ok(Some(Span::ZERO)));
    for i in 0..5 {
        engine
            .arrive(at(i), ContactSpec::new(billing), &mut NoopSink)
            .unwrap();
    }
    // Three waiting, two agents, 120 s each: (3 + 1) × 120 / 2 = 240 s.
    assert_eq!(
        engine.estimated_wait(billing),
        Ok(Some(Span::from_secs(240)))
    );
    let stats = engine.queue_stats(at(100), billing).unwrap();
    assert_eq!(
        (stats.waiting, stats.longest_wait),
        (3, Span::from_secs(98))
    );
}

#[test]
fn a_connected_transfer_frees_the_agent_and_queues_the_contact_elsewhere() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let billing = engine.add_queue(queue("חיובים", BILLING, 1)).unwrap();
    let tech = engine.add_queue(queue("תמיכה טכנית", TECH, 1)).unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    engine.login(at(0), dana, &mut NoopSink).unwrap();
    let contact = engine
        .arrive(at(0), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    let mut events = Vec::new();
    engine.transfer(at(40), contact, tech, &mut events).unwrap();
    assert_eq!(engine.agent_state(dana), Ok(AgentState::Available));
    let view = engine.contact(contact).unwrap();
    assert_eq!((view.queue, view.phase), (tech, ContactPhase::Waiting));
    assert!(matches!(
        events[0].kind,
        EventKind::Transferred { agent: Some(a), talk, .. } if a == dana && talk == Span::from_secs(40)
    ));
}

/// דנה talks on a billing call (30 s wrap-up) with a second one waiting;
/// the engine, דנה, the call she talks on, the waiting one, and tech.
fn dana_on_a_billing_call() -> (Engine, AgentId, ContactId, ContactId, QueueId) {
    let mut engine = engine(AgentSelection::LongestIdle);
    let billing = engine
        .add_queue(QueueSpec {
            wrap_up: Span::from_secs(30),
            ..queue("חיובים", BILLING, 1)
        })
        .unwrap();
    let tech = engine.add_queue(queue("תמיכה טכנית", TECH, 1)).unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    engine.login(at(0), dana, &mut NoopSink).unwrap();
    let transferred = engine
        .arrive(at(0), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    let next = engine
        .arrive(at(1), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    (engine, dana, transferred, next, tech)
}

#[test]
fn an_agent_who_transfers_a_call_wraps_up_before_the_next_one() {
    let (mut engine, dana, transferred, next, tech) = dana_on_a_billing_call();
    let mut events = Vec::new();
    engine
        .transfer(at(40), transferred, tech, &mut events)
        .unwrap();
    // Billing's wrap-up, though the call went on to another queue.
    assert_eq!(engine.agent_state(dana), Ok(AgentState::WrapUp));
    assert!(events.iter().any(|e| matches!(e.kind,
        EventKind::AgentStateChanged { agent, to: AgentState::WrapUp, .. } if agent == dana)));
    assert_eq!(
        engine.agent_view(dana).unwrap().active[Channel::Voice.index()],
        1
    );
    assert_eq!(engine.next_deadline(), Some(at(70)));
    engine.advance(at(69), &mut NoopSink).unwrap();
    assert_eq!(engine.contact(next).unwrap().phase, ContactPhase::Waiting);

    let mut events = Vec::new();
    engine.advance(at(70), &mut events).unwrap();
    assert_eq!(connected_agent(&engine, next), Some(dana));
    assert_eq!(
        engine.contact(transferred).unwrap().phase,
        ContactPhase::Waiting,
        "the transferred call waits in its new queue"
    );
}

#[test]
fn an_agent_ready_before_the_wrap_up_after_a_transfer_takes_the_next_call_at_once() {
    let (mut engine, dana, transferred, next, tech) = dana_on_a_billing_call();
    engine
        .transfer(at(40), transferred, tech, &mut NoopSink)
        .unwrap();

    engine
        .end_transfer_wrap_up(at(45), dana, &mut NoopSink)
        .unwrap();
    assert_eq!(connected_agent(&engine, next), Some(dana));
    // The wrap-up's own end, later, frees nothing a second time.
    engine.advance(at(70), &mut NoopSink).unwrap();
    assert_eq!(
        engine.agent_view(dana).unwrap().active[Channel::Voice.index()],
        1,
        "dana holds the next call, and only it"
    );
    assert_eq!(engine.agent_state(dana), Ok(AgentState::Busy));
    // With no wrap-up left, ending it again changes nothing.
    engine
        .end_transfer_wrap_up(at(71), dana, &mut NoopSink)
        .unwrap();
    assert_eq!(engine.agent_state(dana), Ok(AgentState::Busy));
}

#[test]
fn invalid_calls_are_refused_without_effect() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let billing = engine.add_queue(queue("חיובים", BILLING, 1)).unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    let mut events = Vec::new();
    assert_eq!(
        engine.arrive(at(0), ContactSpec::new(QueueId(9)), &mut events),
        Err(RoutingError::UnknownQueue(QueueId(9)))
    );
    assert_eq!(
        engine.set_available(at(0), dana, &mut events),
        Err(RoutingError::AgentWrongState {
            agent: dana,
            state: AgentState::Offline,
            action: "become available"
        })
    );
    assert_eq!(
        engine.login(at(0), AgentId(7), &mut events),
        Err(RoutingError::UnknownAgent(AgentId(7)))
    );
    let contact = engine
        .arrive(at(5), ContactSpec::new(billing), &mut events)
        .unwrap();
    assert!(matches!(
        engine.accept(at(5), contact, &mut events),
        Err(RoutingError::ContactWrongState {
            phase: ContactPhase::Waiting,
            ..
        })
    ));
    assert!(matches!(
        engine.abandon(at(4), contact, &mut events),
        Err(RoutingError::TimeWentBackwards { .. })
    ));
    engine.abandon(at(6), contact, &mut events).unwrap();
    assert_eq!(
        engine.abandon(at(7), contact, &mut events),
        Err(RoutingError::UnknownContact(contact))
    );
    assert!(
        engine
            .add_agent(agent("כפול", &[skill(BILLING, 3), skill(BILLING, 2)]))
            .is_err()
    );
    assert!(engine.add_agent(agent("שש", &[skill(BILLING, 6)])).is_err());
    assert_eq!(
        engine.set_not_ready(at(8), AgentId(3), ReasonCode(2), &mut events),
        Err(RoutingError::UnknownAgent(AgentId(3)))
    );
}

#[test]
fn equal_scores_across_queues_go_to_the_earlier_arrival_then_the_lower_sequence() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let flat = |name: &str| QueueSpec {
        aging_per_second: 0.0,
        ..queue(name, BILLING, 1)
    };
    let billing = engine.add_queue(flat("חיובים")).unwrap();
    let tech = engine.add_queue(flat("תמיכה טכנית")).unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    let mut events = Vec::new();
    let in_tech = engine
        .arrive(at(0), ContactSpec::new(tech), &mut events)
        .unwrap();
    let in_billing = engine
        .arrive(at(0), ContactSpec::new(billing), &mut events)
        .unwrap();
    let later = engine
        .arrive(at(1), ContactSpec::new(billing), &mut events)
        .unwrap();
    engine.login(at(2), dana, &mut events).unwrap();
    engine
        .complete(at(3), in_tech, EndedBy::Agent, &mut events)
        .unwrap();
    engine
        .complete(at(4), in_billing, EndedBy::Agent, &mut events)
        .unwrap();
    assert_eq!(
        connections(&events),
        vec![(in_tech, dana), (in_billing, dana), (later, dana)]
    );
}

#[test]
fn the_next_deadline_skips_timers_made_moot() {
    let mut engine = engine(AgentSelection::LongestIdle);
    let tech = engine.add_queue(queue("תמיכה טכנית", TECH, 1)).unwrap();
    let billing = engine
        .add_queue(QueueSpec {
            overflow: Some(OverflowRule {
                after: Span::from_secs(120),
                to: tech,
            }),
            ..queue("חיובים", BILLING, 1)
        })
        .unwrap();
    let dana = engine
        .add_agent(agent("דנה", &[skill(BILLING, 3)]))
        .unwrap();
    engine
        .arrive(at(0), ContactSpec::new(billing), &mut NoopSink)
        .unwrap();
    assert_eq!(engine.next_deadline(), Some(at(120)));
    // Answered at 30 s: the overflow at 120 s no longer applies.
    engine.login(at(30), dana, &mut NoopSink).unwrap();
    assert_eq!(engine.next_deadline(), None);
}
