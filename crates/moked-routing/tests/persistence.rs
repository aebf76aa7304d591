//! Events and specs survive a JSON round trip, as the server stores them.

use moked_domain::Channel;
use moked_routing::{
    AgentSpec, Capacity, ContactSpec, EndedBy, Engine, EngineConfig, Event, OverflowRule, QueueId,
    QueueSpec, Requirements, SkillId, SkillLevel, Span, Time, WideningRule,
};

#[test]
fn specs_round_trip_through_json() {
    let queue = QueueSpec {
        skills: Requirements::new(&[
            SkillLevel {
                skill: SkillId(3),
                level: 4,
            },
            SkillLevel {
                skill: SkillId(1),
                level: 2,
            },
        ])
        .unwrap(),
        widening: vec![WideningRule {
            after: Span::from_secs(60),
            skill: SkillId(3),
            min_level: 2,
        }],
        overflow: Some(OverflowRule {
            after: Span::from_secs(120),
            to: QueueId(0),
        }),
        ..QueueSpec::new("תמיכה טכנית", Channel::Chat)
    };
    let json = serde_json::to_string(&queue).unwrap();
    assert!(json.contains("\"תמיכה טכנית\"") && json.contains("\"chat\""));
    assert_eq!(serde_json::from_str::<QueueSpec>(&json).unwrap(), queue);

    let agent = AgentSpec {
        name: "דנה כהן".to_owned(),
        skills: vec![SkillLevel {
            skill: SkillId(3),
            level: 5,
        }],
        capacity: Capacity::TYPICAL,
        queues: vec![QueueId(0)],
    };
    let json = serde_json::to_string(&agent).unwrap();
    assert_eq!(serde_json::from_str::<AgentSpec>(&json).unwrap(), agent);

    let config = EngineConfig::default();
    let json = serde_json::to_string(&config).unwrap();
    assert_eq!(serde_json::from_str::<EngineConfig>(&json).unwrap(), config);
}

#[test]
fn requirements_refuse_bad_levels_when_read() {
    let bad = r#"[{"skill":1,"level":9}]"#;
    assert!(serde_json::from_str::<Requirements>(bad).is_err());
}

#[test]
fn events_round_trip_through_json() {
    let mut engine = Engine::new(EngineConfig::default());
    let billing = engine
        .add_queue(QueueSpec::new("חיובים", Channel::Voice))
        .unwrap();
    let dana = engine
        .add_agent(AgentSpec {
            name: "דנה".to_owned(),
            skills: Vec::new(),
            capacity: Capacity::TYPICAL,
            queues: Vec::new(),
        })
        .unwrap();
    let mut events: Vec<Event> = Vec::new();
    engine
        .login(Time::from_secs_f64(1.0), dana, &mut events)
        .unwrap();
    let call = engine
        .arrive(
            Time::from_secs_f64(2.5),
            ContactSpec::new(billing),
            &mut events,
        )
        .unwrap();
    engine
        .complete(
            Time::from_secs_f64(60.0),
            call,
            EndedBy::Customer,
            &mut events,
        )
        .unwrap();
    let json = serde_json::to_string(&events).unwrap();
    assert!(json.contains(r#""type":"connected""#));
    assert_eq!(serde_json::from_str::<Vec<Event>>(&json).unwrap(), events);
}
