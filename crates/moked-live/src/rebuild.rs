//! Building an organization's live state from the store: at start, after
//! an admin change (`reload`) and after a failed commit. See the crate doc
//! for what is restored and how.

use crate::actor::{
    AgentInfo, Chat, Org, Phase, Phones, QueueInfo, Route, Routes, Stage, engine_time, span,
    timestamp,
};
use crate::api::{AgentActivity, Lang, LiveConfig, LiveEvent, NotReadyReason};
use crate::clock::Clock;
use crate::error::LiveError;
use crate::stats::Stats;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use moked_domain::Channel;
use moked_routing::{
    AgentId, AgentSpec, Capacity, ContactSpec, Engine, EngineConfig, NoopSink, QueueSpec,
    ReasonCode, Requirements, RoutingError, ServiceLevelTarget, SkillLevel, Span, Time,
};
use moked_store::{
    Interaction, Organization, PresenceState, QueueId, Role, SkillId, Store, TimelineStep, UserId,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::broadcast;

/// Chat capacity of an agent without a configured one.
const DEFAULT_CHAT_CAPACITY: u16 = 3;
/// Email capacity of an agent without a configured one: emails wait for
/// answers longer than chats, so an agent holds more of them.
const DEFAULT_EMAIL_CAPACITY: u16 = 5;
/// Score weight per step of queue priority: a day of waiting, so a
/// higher-priority queue is served first in practice.
const PRIORITY_WEIGHT: f64 = 86_400.0;
/// Events read per page when replaying today's log.
const REPLAY_PAGE: u32 = 1_000;
/// How far before midnight the replay starts, so chats connected or in
/// wrap-up across midnight are known.
const REPLAY_MARGIN: SignedDuration = SignedDuration::from_hours(2);
/// The time zone when an organization's does not load.
const DEFAULT_TIME_ZONE: &str = "Asia/Jerusalem";

fn setup_error(error: RoutingError) -> LiveError {
    LiveError::conflict(format!("the configuration cannot be routed: {error}"))
}

/// Loads an organization's whole live state from the store.
pub(crate) async fn load(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: LiveConfig,
    organization: Organization,
    events: broadcast::Sender<LiveEvent>,
    routes: Routes,
    phones: Phones,
) -> Result<Org, LiveError> {
    let org = organization.id;
    let tz = TimeZone::get(&organization.time_zone)
        .or_else(|_| TimeZone::get(DEFAULT_TIME_ZONE))
        .unwrap_or(TimeZone::UTC);
    let now = clock.now();
    let engine = Engine::new(EngineConfig {
        ring_no_answer_reason: ReasonCode(NotReadyReason::NoAnswer.code()),
        ..EngineConfig::default()
    });
    let stats = replay(store.as_ref(), organization.id, Stats::new(tz, now)).await?;
    let mut state = Org {
        id: org,
        organization,
        store,
        clock,
        config,
        events,
        routes,
        phones,
        engine,
        queues: Vec::new(),
        queue_index: HashMap::new(),
        agents: Vec::new(),
        agent_index: HashMap::new(),
        codes: HashSet::new(),
        chats: HashMap::new(),
        contacts: HashMap::new(),
        stats,
        stale: false,
        group: crate::actor::Group::default(),
        positions_sent: HashMap::new(),
        positions_pending: HashSet::new(),
    };
    let presences = state.store.agent_presences(org).await?;
    for (user, presence) in &presences {
        // An agent with nothing in the replayed log has kept its chosen
        // presence since it chose it.
        let (activity, reason) = match presence.state {
            PresenceState::Offline => (AgentActivity::Offline, None),
            PresenceState::Available => (AgentActivity::Available, None),
            PresenceState::NotReady => (AgentActivity::NotReady, Some(reason_of(&presence.reason))),
        };
        state
            .stats
            .seed_agent(*user, activity, reason, presence.since);
    }
    state.load_configuration().await?;
    state.restore_chats(now).await?;
    state.restore_presences(presences).await?;
    Ok(state)
}

/// Today's statistics from the event log, read from shortly before midnight.
async fn replay(
    store: &dyn Store,
    org: moked_store::OrgId,
    mut stats: Stats,
) -> Result<Stats, LiveError> {
    let from = stats.day_start() - REPLAY_MARGIN;
    let mut seq = first_seq_at(store, org, from).await?;
    loop {
        let page = store.events_from(org, seq, REPLAY_PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(stats);
        };
        seq = last.seq + 1;
        for event in &page {
            stats.apply(&event.content);
        }
    }
}

/// The first sequence number whose event is at or after `at`, by binary
/// search over the log (appended in time order), in O(log n) reads.
async fn first_seq_at(
    store: &dyn Store,
    org: moked_store::OrgId,
    at: Timestamp,
) -> Result<u64, LiveError> {
    let time_of = async |seq: u64| -> Result<Option<Timestamp>, LiveError> {
        let page = store.events_from(org, seq, 1).await?;
        Ok(page.first().map(|event| event.content.at))
    };
    // Grow the upper bound until it passes the end or reaches `at`.
    let mut high = 1;
    while let Some(time) = time_of(high).await? {
        if time >= at {
            break;
        }
        high *= 2;
    }
    let mut low = high / 2 + 1;
    // Invariant: every seq below `low` is before `at` (or absent), `high`
    // is at or after `at` or past the end.
    while low < high {
        let middle = low + (high - low) / 2;
        match time_of(middle).await? {
            Some(time) if time < at => low = middle + 1,
            _ => high = middle,
        }
    }
    Ok(low.max(1))
}

impl Org {
    /// Queues, skills, agents and wrap-up codes into the engine.
    async fn load_configuration(&mut self) -> Result<(), LiveError> {
        let store = self.store.clone();
        let skills: HashMap<SkillId, moked_routing::SkillId> = store
            .skills(self.id)
            .await?
            .iter()
            .enumerate()
            .map(|(index, skill)| {
                (
                    skill.id,
                    moked_routing::SkillId(index.min(u16::MAX as usize) as u16),
                )
            })
            .collect();
        for queue in store.queues(self.id).await? {
            let spec = queue_spec(&queue, &skills, &self.config).map_err(setup_error)?;
            let id = self.engine.add_queue(spec).map_err(setup_error)?;
            let offer_timeout = match queue.spec.offer_timeout_seconds {
                0 => self.config.offer_timeout,
                seconds => SignedDuration::from_secs(i64::from(seconds)),
            };
            self.queue_index.insert(queue.id, id);
            self.queues.push(QueueInfo {
                id: queue.id,
                name: queue.spec.name,
                channel: queue.spec.channel,
                sl_seconds: queue.spec.service_level_seconds,
                auto_accept: queue.spec.auto_accept,
                offer_timeout,
            });
        }
        for user in store.users(self.id).await? {
            let capacities = store.agent_capacities(self.id, user.id).await?;
            let configured = |channel: Channel, default: u16| {
                capacities
                    .iter()
                    .find(|capacity| capacity.channel == channel)
                    .map(|capacity| capacity.max_concurrent)
                    .unwrap_or(if user.role == Role::Agent { default } else { 0 })
            };
            let chats = configured(Channel::Chat, DEFAULT_CHAT_CAPACITY);
            let emails = configured(Channel::Email, DEFAULT_EMAIL_CAPACITY);
            if chats == 0 && emails == 0 {
                continue;
            }
            // The engine counts contacts in a byte; more than 255 at once
            // is no real agent.
            let slots = chats.min(u16::from(u8::MAX)) as u8;
            let email_slots = emails.min(u16::from(u8::MAX)) as u8;
            let levels = store
                .agent_skills(self.id, user.id)
                .await?
                .into_iter()
                .filter_map(|held| {
                    Some(SkillLevel {
                        skill: *skills.get(&held.skill)?,
                        level: held.level.div_ceil(2).clamp(1, 5),
                    })
                })
                .collect();
            let spec = AgentSpec {
                name: user.display_name.clone(),
                skills: levels,
                // One call at a time, once a phone is registered.
                capacity: Capacity::NONE
                    .with(Channel::Chat, slots)
                    .with(Channel::Email, email_slots)
                    .with(Channel::Voice, 1),
                queues: Vec::new(),
            };
            let id = self.engine.add_agent(spec).map_err(setup_error)?;
            let phone = self
                .phones
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(&user.id);
            let at = self.engine.now();
            self.engine
                .set_capacity(at, id, Channel::Voice, u8::from(phone), &mut NoopSink)
                .map_err(setup_error)?;
            self.agent_index.insert(user.id, id);
            let since = self
                .stats
                .agent_since(user.id)
                .unwrap_or_else(|| self.clock.now());
            let state = self
                .stats
                .logged_state(user.id)
                .unwrap_or((AgentActivity::Offline, None));
            self.agents.push(AgentInfo {
                user: user.id,
                name: user.display_name,
                capacity: u16::from(slots),
                state,
                since,
            });
        }
        self.codes = store
            .wrap_up_codes(self.id)
            .await?
            .into_iter()
            .map(|code| code.id)
            .collect();
        Ok(())
    }

    /// Open chats back into the engine, with nothing logged: their history
    /// is already in the store.
    async fn restore_chats(&mut self, now: Timestamp) -> Result<(), LiveError> {
        let mut waiting = Vec::new();
        let mut connected = Vec::new();
        for interaction in self.store.open_interactions(self.id).await? {
            // Chats and emails wait on. Calls come back too: an answered
            // call's media flows between the two phones and its BYE still
            // finds it; the SIP server ends the ones left waiting, whose
            // INVITE died with the old process.
            if !matches!(
                interaction.channel,
                Channel::Chat | Channel::Email | Channel::Voice
            ) {
                continue;
            }
            let place = place_of(&interaction);
            if !self.queue_index.contains_key(&place.queue) {
                tracing::warn!(org = %self.id, chat = %interaction.id, "an open chat's queue is gone");
                continue;
            }
            match place
                .agent
                .and_then(|user| self.agent_index.get(&user).copied())
            {
                Some(agent) => connected.push((interaction, place, agent)),
                None => waiting.push((interaction, place)),
            }
        }
        // Oldest first, each at the time it began waiting: waits and order are kept.
        waiting.sort_by_key(|(interaction, place)| (place.since, interaction.id));
        for (interaction, place) in waiting {
            let at = engine_time(place.since).max(self.engine.now());
            let queue = self.queue_index[&place.queue];
            let target = place
                .target
                .and_then(|user| self.agent_index.get(&user).copied());
            let spec = ContactSpec::new(queue);
            let contact = match target {
                Some(agent) => self.engine.arrive_for_agent(at, spec, agent, &mut NoopSink),
                None => self.engine.arrive(at, spec, &mut NoopSink),
            }
            .map_err(setup_error)?;
            self.add_chat(&interaction, place.queue, contact, Phase::Queued)
                .await?;
        }
        let now = engine_time(now).max(self.engine.now());
        self.engine
            .advance(now, &mut NoopSink)
            .map_err(setup_error)?;
        for (interaction, place, agent) in connected {
            let spec = ContactSpec::new(self.queue_index[&place.queue]);
            let arrived = engine_time(interaction.created_at);
            let contact = self
                .engine
                .restore_connected(now, spec, agent, arrived, &mut NoopSink)
                .map_err(setup_error)?;
            self.add_chat(
                &interaction,
                place.queue,
                contact,
                Phase::Connected { agent },
            )
            .await?;
        }
        self.restore_wrap_ups(now).await
    }

    /// Chats in wrap-up when the state was lost (known from the log) go
    /// back to their agent; the wrap-up restarts in full.
    async fn restore_wrap_ups(&mut self, now: Time) -> Result<(), LiveError> {
        let open: Vec<_> = self
            .stats
            .open_wrap_ups()
            .iter()
            .map(|(chat, wrap)| (*chat, *wrap))
            .collect();
        for (chat, wrap) in open {
            let (Some(&agent), Some(&queue)) = (
                self.agent_index.get(&wrap.user),
                self.queue_index.get(&wrap.queue),
            ) else {
                continue;
            };
            if engine_time(wrap.until) <= now || self.chats.contains_key(&chat) {
                continue;
            }
            let interaction = match self.store.interaction(self.id, chat).await {
                Ok(interaction) => interaction,
                Err(moked_store::StoreError::NotFound { .. }) => continue,
                Err(error) => return Err(error.into()),
            };
            let spec = ContactSpec::new(queue);
            let arrived = engine_time(interaction.created_at);
            let contact = self
                .engine
                .restore_connected(now, spec, agent, arrived, &mut NoopSink)
                .map_err(setup_error)?;
            self.engine
                .complete(now, contact, moked_routing::EndedBy::Agent, &mut NoopSink)
                .map_err(setup_error)?;
            let until = self
                .engine
                .contact(contact)
                .map_or(now, |_| now + wrap_up_of(&self.engine, queue));
            let phase = Phase::WrapUp {
                agent,
                until: timestamp(until),
            };
            self.add_chat(&interaction, wrap.queue, contact, phase)
                .await?;
        }
        Ok(())
    }

    async fn add_chat(
        &mut self,
        interaction: &Interaction,
        queue: QueueId,
        contact: moked_routing::ContactId,
        phase: Phase,
    ) -> Result<(), LiveError> {
        let customer_name = match interaction.customer {
            Some(customer) => match self.store.customer(self.id, customer).await {
                Ok(customer) => customer.details.name,
                Err(moked_store::StoreError::NotFound { .. }) => String::new(),
                Err(error) => return Err(error.into()),
            },
            None => String::new(),
        };
        let route = match phase {
            Phase::Queued | Phase::Offered { .. } => Route {
                agent: None,
                stage: Stage::Waiting,
            },
            Phase::Connected { agent } => Route {
                agent: Some(self.agents[agent.index()].user),
                stage: Stage::Connected,
            },
            Phase::WrapUp { agent, .. } => Route {
                agent: Some(self.agents[agent.index()].user),
                stage: Stage::WrapUp,
            },
        };
        self.routes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(interaction.id, route);
        self.contacts.insert(contact, interaction.id);
        self.chats.insert(
            interaction.id,
            Chat {
                id: interaction.id,
                contact,
                queue,
                customer: interaction.customer,
                customer_name,
                // Not stored: system messages after a restart are in Hebrew.
                lang: Lang::default(),
                created_at: interaction.created_at,
                phase,
                code: None,
            },
        );
        Ok(())
    }

    /// Agents get their last presence back. This is the first step whose
    /// events are new (offers to agents who come back), so they are committed.
    async fn restore_presences(
        &mut self,
        presences: Vec<(UserId, moked_store::AgentPresence)>,
    ) -> Result<(), LiveError> {
        let mut logins: Vec<(AgentId, Option<ReasonCode>)> = Vec::new();
        for (user, presence) in presences {
            let Some(&agent) = self.agent_index.get(&user) else {
                continue;
            };
            match presence.state {
                PresenceState::Offline => {}
                PresenceState::Available => logins.push((agent, None)),
                PresenceState::NotReady => {
                    let reason = reason_of(&presence.reason);
                    logins.push((agent, Some(ReasonCode(reason.code()))));
                }
            }
        }
        // Not-ready agents first: they take nothing, and the order of the
        // available ones then decides who gets the waiting chats, as before.
        logins.sort_by_key(|(agent, reason)| (reason.is_none(), *agent));
        self.restore_logins(logins).await
    }

    async fn restore_logins(
        &mut self,
        logins: Vec<(AgentId, Option<ReasonCode>)>,
    ) -> Result<(), LiveError> {
        if logins.is_empty() {
            return Ok(());
        }
        let (_, batch) = self
            .command(|engine, now, out| {
                for (agent, reason) in logins {
                    match reason {
                        Some(reason) => engine.login_not_ready(now, agent, reason, out)?,
                        None => engine.login(now, agent, out)?,
                    }
                }
                Ok(())
            })
            .await?;
        self.commit(batch).await
    }
}

/// A stored not-ready reason (an unknown one reads as personal time).
fn reason_of(stored: &Option<String>) -> NotReadyReason {
    stored
        .as_deref()
        .and_then(NotReadyReason::from_name)
        .unwrap_or(NotReadyReason::Personal)
}

/// Where an open interaction stands by its timeline.
struct Place {
    queue: QueueId,
    /// When it began its current wait.
    since: Timestamp,
    /// The agent connected to it.
    agent: Option<UserId>,
    /// The one agent it waits for, after a transfer to an agent.
    target: Option<UserId>,
}

fn place_of(interaction: &Interaction) -> Place {
    let mut place = Place {
        queue: interaction.queue,
        since: interaction.created_at,
        agent: None,
        target: None,
    };
    for entry in &interaction.timeline {
        match &entry.step {
            TimelineStep::Queued { queue } => {
                place = Place {
                    queue: *queue,
                    since: entry.at,
                    agent: None,
                    target: None,
                };
            }
            TimelineStep::Accepted { agent } => place.agent = Some(*agent),
            TimelineStep::Transferred { to_queue, to_agent } => {
                place.queue = to_queue.unwrap_or(place.queue);
                place.since = entry.at;
                place.agent = None;
                place.target = *to_agent;
            }
            _ => {}
        }
    }
    place
}

fn queue_spec(
    queue: &moked_store::Queue,
    skills: &HashMap<SkillId, moked_routing::SkillId>,
    config: &LiveConfig,
) -> Result<QueueSpec, RoutingError> {
    let spec = &queue.spec;
    let requirements = match spec.skill.and_then(|skill| skills.get(&skill)) {
        Some(&skill) => Requirements::single(skill, 1)?,
        None => Requirements::NONE,
    };
    let seconds = |value: u32, default: SignedDuration| match value {
        0 => span(default),
        value => Span::from_secs(u64::from(value)),
    };
    // Every chat gets a wrap-up phase (at least a second), so it always
    // ends with a wrap-up event the desk and the statistics can rely on.
    let wrap_up = seconds(spec.wrap_up_seconds, config.default_wrap_up).max(Span::from_secs(1));
    Ok(QueueSpec {
        service_level: ServiceLevelTarget {
            fraction: 0.8,
            within: Span::from_secs(u64::from(spec.service_level_seconds)),
        },
        priority_weight: f64::from(spec.priority) * PRIORITY_WEIGHT,
        skills: requirements,
        auto_accept: spec.auto_accept,
        offer_timeout: Some(seconds(spec.offer_timeout_seconds, config.offer_timeout)),
        wrap_up,
        ..QueueSpec::new(spec.name.clone(), spec.channel)
    })
}

fn wrap_up_of(engine: &Engine, queue: moked_routing::QueueId) -> Span {
    engine
        .queue_specs()
        .nth(queue.index())
        .map_or(Span::ZERO, |spec| spec.wrap_up)
}
