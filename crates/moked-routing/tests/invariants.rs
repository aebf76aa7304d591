//! Property tests over random operation sequences, checked after every step
//! against brute-force oracles that know only the specs and the public views.

use moked_domain::Channel;
use moked_routing::{
    AgentId, AgentSelection, AgentSpec, AgentView, Capacity, ContactId, ContactPhase, ContactSpec,
    ContactView, EndedBy, Engine, EngineConfig, Event, EventKind, OverflowRule, QueueId, QueueSpec,
    ReasonCode, Requirements, SkillId, SkillLevel, Span, Time, WideningRule,
};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const SKILLS: u16 = 3;

#[derive(Debug, Clone)]
enum Op {
    Arrive {
        queue: u32,
        skills: Option<Vec<(u16, u8)>>,
        priority: i32,
    },
    Login(u32),
    Logout(u32),
    Available(u32),
    NotReady(u32),
    Accept(usize),
    Reject(usize),
    RingNoAnswer(usize),
    Complete(usize, bool),
    EndWrapUp(usize),
    Abandon(usize),
    Callback(usize),
    Transfer(usize, u32),
    EndTransferWrapUp(u32),
    Advance,
}

#[derive(Debug, Clone)]
struct Setup {
    selection: AgentSelection,
    agents: Vec<AgentSpec>,
    ops: Vec<(u64, Op)>,
}

fn queues() -> Vec<QueueSpec> {
    let level = |skill, level| Requirements::single(SkillId(skill), level).unwrap();
    vec![
        QueueSpec {
            skills: level(0, 1),
            aging_per_second: 1.0,
            ..QueueSpec::new("תמיכה טכנית", Channel::Voice)
        },
        QueueSpec {
            skills: level(1, 4),
            priority_weight: 30.0,
            aging_per_second: 0.5,
            widening: vec![WideningRule {
                after: Span::from_secs(60),
                skill: SkillId(1),
                min_level: 2,
            }],
            overflow: Some(OverflowRule {
                after: Span::from_secs(120),
                to: QueueId(0),
            }),
            auto_accept: false,
            offer_timeout: Some(Span::from_secs(15)),
            wrap_up: Span::from_secs(20),
            ..QueueSpec::new("חיובים", Channel::Voice)
        },
        QueueSpec {
            skills: level(2, 2),
            aging_per_second: 2.0,
            wrap_up: Span::from_secs(5),
            ..QueueSpec::new("צ'אט", Channel::Chat)
        },
    ]
}

fn agent_spec() -> impl Strategy<Value = AgentSpec> {
    (
        proptest::collection::btree_map(0..SKILLS, 1u8..=5, 1..=3),
        0u8..=1,
        0u8..=3,
        proptest::collection::btree_set(0u32..3, 0..=2),
    )
        .prop_map(|(skills, voice, chat, queues)| AgentSpec {
            name: "נציג".to_owned(),
            skills: skills
                .into_iter()
                .map(|(skill, level)| SkillLevel {
                    skill: SkillId(skill),
                    level,
                })
                .collect(),
            capacity: Capacity::NONE
                .with(Channel::Voice, voice)
                .with(Channel::Chat, chat),
            queues: queues.into_iter().map(QueueId).collect(),
        })
}

fn op() -> impl Strategy<Value = Op> {
    let agent = 0u32..5;
    let agent_for_wrap_up = agent.clone();
    let contact = 0usize..64;
    prop_oneof![
        4 => (0u32..3, proptest::option::weighted(0.3, proptest::collection::vec((0..SKILLS, 1u8..=5), 1..=2)), -5i32..=5)
            .prop_map(|(queue, skills, priority)| Op::Arrive { queue, skills, priority }),
        2 => agent.clone().prop_map(Op::Login),
        1 => agent.clone().prop_map(Op::Logout),
        2 => agent.clone().prop_map(Op::Available),
        1 => agent.prop_map(Op::NotReady),
        2 => contact.clone().prop_map(Op::Accept),
        1 => contact.clone().prop_map(Op::Reject),
        1 => contact.clone().prop_map(Op::RingNoAnswer),
        3 => (contact.clone(), any::<bool>()).prop_map(|(c, by)| Op::Complete(c, by)),
        1 => contact.clone().prop_map(Op::EndWrapUp),
        1 => contact.clone().prop_map(Op::Abandon),
        1 => contact.clone().prop_map(Op::Callback),
        1 => (contact, 0u32..3).prop_map(|(c, q)| Op::Transfer(c, q)),
        1 => agent_for_wrap_up.prop_map(Op::EndTransferWrapUp),
        2 => Just(Op::Advance),
    ]
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop_oneof![
            Just(AgentSelection::LongestIdle),
            Just(AgentSelection::LeastOccupied),
            Just(AgentSelection::BestProficiency)
        ],
        proptest::collection::vec(agent_spec(), 5),
        proptest::collection::vec((prop_oneof![Just(0u64), 0u64..40], op()), 1..80),
    )
        .prop_map(|(selection, agents, ops)| Setup {
            selection,
            agents,
            ops,
        })
}

fn build(setup: &Setup) -> Engine {
    let mut engine = Engine::new(EngineConfig {
        selection: setup.selection,
        ..EngineConfig::default()
    });
    for spec in queues() {
        engine.add_queue(spec).unwrap();
    }
    for spec in &setup.agents {
        engine.add_agent(spec.clone()).unwrap();
    }
    engine
}

/// Applies one operation; returns whether the engine refused it. Refused
/// calls are part of the test: they must change nothing but due timers.
fn apply(
    engine: &mut Engine,
    now: Time,
    op: &Op,
    known: &mut Vec<ContactId>,
    out: &mut Vec<Event>,
) -> bool {
    let pick = |k: usize| known.get(k % known.len().max(1)).copied();
    let result = match op {
        Op::Arrive {
            queue,
            skills,
            priority,
        } => {
            let skills = skills.as_ref().and_then(|levels| {
                let levels: Vec<SkillLevel> = levels
                    .iter()
                    .map(|&(skill, level)| SkillLevel {
                        skill: SkillId(skill),
                        level,
                    })
                    .collect();
                Requirements::new(&levels).ok()
            });
            let spec = ContactSpec {
                queue: QueueId(*queue),
                priority: *priority,
                skills,
                tier: 0,
            };
            engine.arrive(now, spec, out).map(|id| known.push(id))
        }
        Op::Login(a) => engine.login(now, AgentId(*a), out),
        Op::Logout(a) => engine.logout(now, AgentId(*a), out),
        Op::Available(a) => engine.set_available(now, AgentId(*a), out),
        Op::NotReady(a) => engine.set_not_ready(now, AgentId(*a), ReasonCode(7), out),
        Op::EndTransferWrapUp(a) => engine.end_transfer_wrap_up(now, AgentId(*a), out),
        Op::Advance => engine.advance(now, out),
        Op::Accept(k)
        | Op::Reject(k)
        | Op::RingNoAnswer(k)
        | Op::Complete(k, _)
        | Op::EndWrapUp(k)
        | Op::Abandon(k)
        | Op::Callback(k)
        | Op::Transfer(k, _) => {
            let Some(contact) = pick(*k) else {
                return false;
            };
            match op {
                Op::Accept(_) => engine.accept(now, contact, out),
                Op::Reject(_) => engine.reject(now, contact, out),
                Op::RingNoAnswer(_) => engine.ring_no_answer(now, contact, out),
                Op::Complete(_, by_agent) => {
                    let by = if *by_agent {
                        EndedBy::Agent
                    } else {
                        EndedBy::Customer
                    };
                    engine.complete(now, contact, by, out)
                }
                Op::EndWrapUp(_) => engine.end_wrap_up(now, contact, out),
                Op::Abandon(_) => engine.abandon(now, contact, out),
                Op::Callback(_) => engine.request_callback(now, contact, out),
                Op::Transfer(_, q) => engine.transfer(now, contact, QueueId(*q), out),
                _ => unreachable!("handled above"),
            }
        }
    };
    result.is_err()
}

/// Everything a caller can observe of the engine.
fn observe(engine: &Engine) -> (Vec<(ContactId, ContactView)>, Vec<AgentView>, Option<Time>) {
    let agents = (0..engine.agent_specs().len() as u32)
        .map(|a| engine.agent_view(AgentId(a)).unwrap())
        .collect();
    (engine.contacts().collect(), agents, engine.next_deadline())
}

/// Whether `agent` could take `contact` if it had a free slot: the oracle's
/// own reading of the eligibility rule, from the specs.
fn qualifies(agent: &AgentSpec, contact: &ContactView) -> bool {
    let serves = agent.queues.is_empty() || agent.queues.contains(&contact.queue);
    serves
        && contact.requirements.as_slice().iter().all(|required| {
            agent
                .skills
                .iter()
                .any(|held| held.skill == required.skill && held.level >= required.level)
        })
}

struct Checker {
    queues: Vec<QueueSpec>,
    agents: Vec<AgentSpec>,
    ended: BTreeSet<ContactId>,
    seq_of: BTreeMap<ContactId, u64>,
    /// Wrap-ups of agents who transferred a connected contact away: the
    /// agent, the channel of the slot it keeps, and until when.
    transfer_wrap_ups: Vec<(AgentId, usize, Time)>,
}

impl Checker {
    fn channel(&self, contact: &ContactView) -> Channel {
        self.queues[contact.queue.index()].channel
    }

    fn check(
        &mut self,
        engine: &Engine,
        now: Time,
        known: &[ContactId],
        before: &BTreeMap<ContactId, ContactView>,
        events: &[Event],
    ) -> Result<(), TestCaseError> {
        for event in events {
            match event.kind {
                EventKind::Abandoned { contact, .. } | EventKind::WrapUpEnded { contact, .. } => {
                    prop_assert!(self.ended.insert(contact), "{contact} ended twice");
                }
                EventKind::Completed { contact, queue, .. }
                    if self.queues[queue.index()].wrap_up == Span::ZERO =>
                {
                    prop_assert!(self.ended.insert(contact), "{contact} ended twice");
                }
                // A connected transfer starts a new wait, with a new place in arrival order.
                EventKind::Transferred {
                    contact,
                    agent: Some(agent),
                    from,
                    ..
                } => {
                    self.seq_of.remove(&contact);
                    let left = &self.queues[from.index()];
                    if left.wrap_up > Span::ZERO {
                        let slot = (agent, left.channel.index(), event.at + left.wrap_up);
                        self.transfer_wrap_ups.push(slot);
                    }
                }
                _ => {}
            }
        }
        let live: BTreeMap<ContactId, ContactView> = engine.contacts().collect();
        // No contact lost: each is live or has ended, never both.
        for id in known {
            prop_assert!(
                live.contains_key(id) != self.ended.contains(id),
                "{id} lost or ended yet live"
            );
        }
        // A contact keeps its arrival order (ring-no-answer, rejection,
        // callbacks, overflow and waiting transfers keep its place).
        for (id, view) in &live {
            let seq = *self.seq_of.entry(*id).or_insert(view.seq);
            prop_assert_eq!(seq, view.seq);
        }
        // Assigned at most once and no agent over capacity: the contacts held per
        // agent and channel match the agent's load and fit its capacity.
        let mut held: BTreeMap<(AgentId, usize), u8> = BTreeMap::new();
        for view in live.values() {
            prop_assert_eq!(view.agent.is_some(), view.phase != ContactPhase::Waiting);
            if let Some(agent) = view.agent {
                *held.entry((agent, self.channel(view).index())).or_default() += 1;
            }
        }
        // A wrap-up after a transfer keeps its slot until its timer (due
        // timers fire before a command at the same time).
        self.transfer_wrap_ups.retain(|&(_, _, until)| until > now);
        for &(agent, channel, _) in &self.transfer_wrap_ups {
            *held.entry((agent, channel)).or_default() += 1;
        }
        for (a, spec) in self.agents.iter().enumerate() {
            let agent = AgentId(a as u32);
            let load = engine.agent_view(agent).unwrap();
            for channel in Channel::ALL {
                let taken = held.get(&(agent, channel.index())).copied().unwrap_or(0);
                prop_assert_eq!(load.active[channel.index()], taken);
                prop_assert!(taken <= spec.capacity.on(channel), "{agent} over capacity");
            }
        }
        // Work-conserving: no ready agent with a free slot idles while a
        // contact it qualifies for waits.
        for (id, view) in live
            .iter()
            .filter(|(_, v)| v.phase == ContactPhase::Waiting)
        {
            let channel = self.channel(view);
            for (a, spec) in self.agents.iter().enumerate() {
                let load = engine.agent_view(AgentId(a as u32)).unwrap();
                let free = load.active[channel.index()] < spec.capacity.on(channel);
                prop_assert!(
                    !(load.ready && free && qualifies(spec, view)),
                    "agent {a} idles while {id} waits"
                );
            }
        }
        self.check_choices(now, &live, before, events)
    }

    /// Every contact taken from the waiting set was the best the agent could
    /// take: no contact it qualified for, waiting before and after on the same
    /// channel in the same queue, had a higher score, or an equal score and an
    /// earlier arrival (first come, first served among equals).
    fn check_choices(
        &self,
        now: Time,
        live: &BTreeMap<ContactId, ContactView>,
        before: &BTreeMap<ContactId, ContactView>,
        events: &[Event],
    ) -> Result<(), TestCaseError> {
        let score_at = |view: &ContactView, at: Time| {
            view.score - self.queues[view.queue.index()].aging_per_second * (now - at).as_secs_f64()
        };
        for event in events {
            let EventKind::Offered { contact, agent, .. } = event.kind else {
                continue;
            };
            let (Some(chosen_before), Some(chosen)) = (before.get(&contact), live.get(&contact))
            else {
                continue;
            };
            if chosen_before.phase != ContactPhase::Waiting || chosen.queue != chosen_before.queue {
                continue;
            }
            let spec = &self.agents[agent.index()];
            let chosen_score = score_at(chosen, event.at);
            for (other_id, other) in live {
                let Some(other_before) = before.get(other_id) else {
                    continue;
                };
                let comparable = other.phase == ContactPhase::Waiting
                    && other_before.phase == ContactPhase::Waiting
                    && other.queue == other_before.queue
                    && self.channel(other) == self.channel(chosen)
                    && qualifies(spec, other_before);
                if !comparable {
                    continue;
                }
                let other_score = score_at(other, event.at);
                let better = other_score > chosen_score + 1e-9
                    || ((other_score - chosen_score).abs() <= 1e-9
                        && (other.arrival, other.seq) < (chosen.arrival, chosen.seq)
                        && other.queue == chosen.queue);
                prop_assert!(!better, "{agent} took {contact} over better {other_id}");
            }
        }
        Ok(())
    }
}

fn run(setup: &Setup, check: bool) -> Result<Vec<Event>, TestCaseError> {
    let mut engine = build(setup);
    let mut checker = Checker {
        queues: queues(),
        agents: setup.agents.clone(),
        ended: BTreeSet::new(),
        seq_of: BTreeMap::new(),
        transfer_wrap_ups: Vec::new(),
    };
    let mut known = Vec::new();
    let mut all = Vec::new();
    let mut now = Time::ZERO;
    for (step, op) in &setup.ops {
        now += Span::from_secs(*step);
        let before: BTreeMap<ContactId, ContactView> = engine.contacts().collect();
        let mut timers_only = engine.clone();
        timers_only.advance(now, &mut Vec::new()).unwrap();
        let mut events = Vec::new();
        let refused = apply(&mut engine, now, op, &mut known, &mut events);
        if let (Op::EndTransferWrapUp(a), false) = (op, refused) {
            // Ended early: the agent's slots kept after transfers free now.
            checker
                .transfer_wrap_ups
                .retain(|&(agent, _, _)| agent != AgentId(*a));
        }
        if check && refused {
            prop_assert_eq!(
                observe(&engine),
                observe(&timers_only),
                "refused {:?} changed state",
                op
            );
        }
        if check {
            checker.check(&engine, now, &known, &before, &events)?;
        }
        all.extend(events);
    }
    Ok(all)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_after_every_step(setup in setup()) {
        run(&setup, true)?;
    }

    #[test]
    fn same_events_in_give_the_same_decisions_out(setup in setup()) {
        let first = run(&setup, false)?;
        let second = run(&setup, false)?;
        prop_assert_eq!(first, second);
    }
}
