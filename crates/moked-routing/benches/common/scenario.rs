//! The "engine at scale" scenario shared by the criterion bench and the
//! `scale` example: agents with 2–3 skills out of 100, 50 voice queues each
//! needing one skill, every agent busy and a standing pool of waiting contacts.
//! One step completes a random connected contact (its agent picks the best
//! waiting contact across its queues) and brings in a new contact (which waits,
//! or goes to a free agent), so the waiting pool stays the same size.

use moked_domain::Channel;
use moked_routing::{
    AgentSpec, Capacity, ContactId, ContactSpec, EndedBy, Engine, EngineConfig, Event, EventKind,
    EventSink, QueueId, QueueSpec, Requirements, SkillId, SkillLevel, Span, Time,
};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Skills in the center.
pub const SKILLS: u16 = 100;
/// Queues at scale, each needing one of the first `QUEUES` skills.
pub const QUEUES: u32 = 50;

/// Counts events and remembers which contacts got connected.
#[derive(Default)]
pub struct Recorder {
    /// Events seen.
    pub events: u64,
    /// Contacts connected and not yet completed.
    pub connected: Vec<ContactId>,
    /// Contacts connected so far.
    pub connections: u64,
}

impl EventSink for Recorder {
    #[inline]
    fn emit(&mut self, event: Event) {
        self.events += 1;
        if let EventKind::Connected { contact, .. } = event.kind {
            self.connected.push(contact);
            self.connections += 1;
        }
    }
}

/// A center at steady state, ready to step.
pub struct Center {
    /// The engine.
    pub engine: Engine,
    /// Events and connected contacts.
    pub recorder: Recorder,
    /// Simulated time, advanced by one millisecond per step.
    pub now: Time,
    rng: Xoshiro256PlusPlus,
    arrivals: u64,
    queues: u32,
}

impl Center {
    /// Builds a center with `queues` queues (at most [`QUEUES`]), `agents`
    /// agents, all logged in and busy, and `waiting` contacts waiting.
    pub fn with_queues(queues: u32, agents: u32, waiting: u32, seed: u64) -> Center {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut engine = Engine::new(EngineConfig::default());
        for q in 0..queues {
            let skill = Requirements::single(SkillId(q as u16), 1 + (q % 3) as u8)
                .expect("levels 1-3 are valid");
            engine
                .add_queue(QueueSpec {
                    priority_weight: rng.random_range(0.0..30.0),
                    aging_per_second: rng.random_range(0.5..2.0),
                    skills: skill,
                    ..QueueSpec::new(format!("תור {q}"), Channel::Voice)
                })
                .expect("valid queue");
        }
        let mut recorder = Recorder::default();
        let now = Time::ZERO;
        for a in 0..agents {
            let count = rng.random_range(2..=3);
            let mut skills: Vec<SkillLevel> = Vec::with_capacity(count);
            // The first skill serves a queue; the others may or may not.
            let mut skill = SkillId(rng.random_range(0..queues as u16));
            for _ in 0..count {
                while skills.iter().any(|held| held.skill == skill) {
                    skill = SkillId(rng.random_range(0..SKILLS));
                }
                skills.push(SkillLevel {
                    skill,
                    level: rng.random_range(1..=5),
                });
            }
            let id = engine
                .add_agent(AgentSpec {
                    name: format!("נציג {a}"),
                    skills,
                    capacity: Capacity::NONE.with(Channel::Voice, 1),
                    queues: Vec::new(),
                })
                .expect("valid agent");
            engine.login(now, id, &mut recorder).expect("logs in");
        }
        let mut center = Center {
            engine,
            recorder,
            now,
            rng,
            arrivals: 0,
            queues,
        };
        // Fill the agents, then build the waiting pool.
        while center.waiting() < waiting {
            center.arrive();
        }
        center
    }

    /// Contacts waiting now: arrived and not yet connected (nobody abandons here).
    pub fn waiting(&self) -> u32 {
        (self.arrivals - self.recorder.connections) as u32
    }

    /// Contacts waiting now as the engine counts them, over all queues.
    pub fn waiting_in_engine(&self) -> u32 {
        (0..self.queues)
            .map(|q| {
                self.engine
                    .queue_stats(self.now, QueueId(q))
                    .expect("queue exists")
                    .waiting
            })
            .sum()
    }

    /// Brings in one contact for a random queue.
    pub fn arrive(&mut self) {
        self.arrivals += 1;
        let queue = QueueId(self.rng.random_range(0..self.queues));
        self.engine
            .arrive(self.now, ContactSpec::new(queue), &mut self.recorder)
            .expect("queue exists");
    }

    /// Completes one random connected contact; its agent takes the next.
    pub fn complete(&mut self) {
        let connected = &mut self.recorder.connected;
        if connected.is_empty() {
            return;
        }
        let contact = connected.swap_remove(self.rng.random_range(0..connected.len()));
        self.engine
            .complete(self.now, contact, EndedBy::Customer, &mut self.recorder)
            .expect("connected contact completes");
    }

    /// Moves simulated time on by one millisecond.
    pub fn tick(&mut self) {
        self.now += Span(1_000);
    }
}
