//! Golden `queue_log` lines for a short day in a Hebrew contact center.

use moked_domain::Channel;
use moked_routing::queue_log::{Names, format_events};
use moked_routing::{
    AgentSpec, Capacity, ContactSpec, EndedBy, Engine, EngineConfig, OverflowRule, QueueSpec,
    ReasonCode, Requirements, SkillId, SkillLevel, Span, Time,
};

/// A day starting at 2026-11-22 08:00:00 UTC.
const EPOCH: u64 = 1_795_334_400;

fn at(seconds: u64) -> Time {
    Time::ZERO + Span::from_secs(EPOCH + seconds)
}

/// Reason names layered over the engine's queue and agent names.
struct WithReasons<'a>(&'a Engine);

impl Names for WithReasons<'_> {
    fn queue_name(&self, queue: moked_routing::QueueId) -> &str {
        self.0.queue_name(queue)
    }
    fn agent_name(&self, agent: moked_routing::AgentId) -> &str {
        self.0.agent_name(agent)
    }
    fn reason_name(&self, reason: ReasonCode) -> Option<&str> {
        (reason == ReasonCode(3)).then_some("הפסקה")
    }
}

#[test]
fn a_short_day_in_queue_log_lines() {
    let mut engine = Engine::new(EngineConfig::default());
    let skill = |s| Requirements::single(SkillId(s), 1).unwrap();
    let tech = engine
        .add_queue(QueueSpec {
            skills: skill(1),
            ..QueueSpec::new("תמיכה טכנית", Channel::Voice)
        })
        .unwrap();
    let billing = engine
        .add_queue(QueueSpec {
            skills: skill(0),
            auto_accept: false,
            offer_timeout: Some(Span::from_secs(15)),
            overflow: Some(OverflowRule {
                after: Span::from_secs(120),
                to: tech,
            }),
            ..QueueSpec::new("חיובים", Channel::Voice)
        })
        .unwrap();
    let dana = engine
        .add_agent(AgentSpec {
            name: "דנה".to_owned(),
            skills: vec![SkillLevel {
                skill: SkillId(0),
                level: 3,
            }],
            capacity: Capacity::TYPICAL,
            queues: Vec::new(),
        })
        .unwrap();
    let moshe = engine
        .add_agent(AgentSpec {
            name: "משה".to_owned(),
            skills: vec![SkillLevel {
                skill: SkillId(1),
                level: 3,
            }],
            capacity: Capacity::TYPICAL,
            queues: Vec::new(),
        })
        .unwrap();
    let mut events = Vec::new();
    let out = &mut events;
    engine.login(at(0), dana, out).unwrap();
    let first = engine
        .arrive(at(10), ContactSpec::new(billing), out)
        .unwrap();
    engine.accept(at(14), first, out).unwrap();
    engine
        .complete(at(194), first, EndedBy::Customer, out)
        .unwrap();
    let second = engine
        .arrive(at(200), ContactSpec::new(billing), out)
        .unwrap();
    let third = engine
        .arrive(at(201), ContactSpec::new(billing), out)
        .unwrap();
    engine.advance(at(215), out).unwrap(); // דנה lets the second ring out
    engine.abandon(at(250), third, out).unwrap();
    engine
        .set_not_ready(at(260), dana, ReasonCode(3), out)
        .unwrap();
    engine.login(at(330), moshe, out).unwrap(); // the second overflowed at 320
    engine.transfer(at(400), second, billing, out).unwrap();
    engine.set_available(at(410), dana, out).unwrap();
    engine.accept(at(412), second, out).unwrap();
    engine
        .complete(at(472), second, EndedBy::Agent, out)
        .unwrap();
    engine.logout(at(500), dana, out).unwrap();

    let expected = "\
1795334400|NONE|NONE|דנה|AGENTLOGIN|
1795334410|0.0|חיובים|NONE|ENTERQUEUE|||1
1795334414|0.0|חיובים|דנה|CONNECT|0|0.0|4
1795334594|0.0|חיובים|דנה|COMPLETECALLER|0|180|1
1795334600|0.1|חיובים|NONE|ENTERQUEUE|||1
1795334601|1.0|חיובים|NONE|ENTERQUEUE|||1
1795334615|0.1|חיובים|דנה|RINGNOANSWER|15000
1795334615|NONE|NONE|דנה|PAUSE|1
1795334650|1.0|חיובים|NONE|ABANDON|1|1|49
1795334660|NONE|NONE|דנה|PAUSE|הפסקה
1795334720|0.1|חיובים|NONE|EXITWITHTIMEOUT|1|1|120
1795334720|0.1|תמיכה טכנית|NONE|ENTERQUEUE|||1
1795334730|NONE|NONE|משה|AGENTLOGIN|
1795334730|0.1|תמיכה טכנית|משה|CONNECT|130|0.1|0
1795334800|0.1|תמיכה טכנית|משה|TRANSFER|חיובים|moked|130|70
1795334800|0.1|חיובים|NONE|ENTERQUEUE|||1
1795334810|NONE|NONE|דנה|UNPAUSE|
1795334812|0.1|חיובים|דנה|CONNECT|10|0.1|2
1795334872|0.1|חיובים|דנה|COMPLETEAGENT|10|60|1
1795334900|NONE|NONE|דנה|AGENTLOGOFF|
";
    assert_eq!(format_events(&events, &WithReasons(&engine)), expected);
}
