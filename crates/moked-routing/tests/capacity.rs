//! Changing an agent's capacity on one channel while it works: a phone
//! registering (voice 1) or going away (voice 0).

use moked_domain::Channel;
use moked_routing::{
    AgentSpec, Capacity, ContactPhase, ContactSpec, Engine, EngineConfig, NoopSink, QueueSpec,
    RoutingError, Span, Time,
};

fn at(seconds: u64) -> Time {
    Time::ZERO + Span::from_secs(seconds)
}

fn phone_agent(engine: &mut Engine) -> moked_routing::AgentId {
    engine
        .add_agent(AgentSpec {
            name: "נועה לוי".to_owned(),
            skills: Vec::new(),
            capacity: Capacity::NONE.with(Channel::Voice, 1),
            queues: Vec::new(),
        })
        .unwrap()
}

#[test]
fn no_voice_slot_means_no_call_until_the_phone_returns() {
    let mut engine = Engine::new(EngineConfig::default());
    let queue = engine
        .add_queue(QueueSpec {
            auto_accept: false,
            ..QueueSpec::new("קו חיובים", Channel::Voice)
        })
        .unwrap();
    let agent = phone_agent(&mut engine);
    engine
        .set_capacity(at(0), agent, Channel::Voice, 0, &mut NoopSink)
        .unwrap();
    engine.login(at(1), agent, &mut NoopSink).unwrap();
    let call = engine
        .arrive(at(2), ContactSpec::new(queue), &mut NoopSink)
        .unwrap();
    assert_eq!(engine.contact(call).unwrap().phase, ContactPhase::Waiting);

    engine
        .set_capacity(at(3), agent, Channel::Voice, 1, &mut NoopSink)
        .unwrap();
    let view = engine.contact(call).unwrap();
    assert_eq!(view.phase, ContactPhase::Ringing);
    assert_eq!(view.agent, Some(agent));
}

#[test]
fn capacity_above_the_spec_is_refused() {
    let mut engine = Engine::new(EngineConfig::default());
    let agent = phone_agent(&mut engine);
    let refused = engine.set_capacity(at(0), agent, Channel::Voice, 2, &mut NoopSink);
    assert!(matches!(refused, Err(RoutingError::OutOfRange { .. })));
    let refused = engine.set_capacity(at(0), agent, Channel::Chat, 1, &mut NoopSink);
    assert!(matches!(refused, Err(RoutingError::OutOfRange { .. })));
}
