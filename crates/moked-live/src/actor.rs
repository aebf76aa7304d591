//! The per-organization actor: the routing engine, the id maps, the open
//! chats and today's statistics, changed only by jobs run one at a time.
//!
//! Every job that changes the engine turns the engine's events into a
//! [`Batch`] (store events, timeline steps, presences, system messages,
//! live events), commits it, and only then counts it and broadcasts it.
//!
//! Group commit: the jobs already waiting when the actor takes one run one
//! after the other with their batches held back ([`Group`]); then all those
//! batches are stored in one transaction (one fsync), and only after it are
//! they counted and broadcast and the jobs answered. A busy organization so
//! pays one commit per round instead of one per job, while every reply and
//! live event still follows the commit of what it reports, in the engine's
//! order. A job that reads the store first commits what is held.

use crate::api::{
    AgentActivity, AgentBoard, AgentDesk, AgentDetail, ChatStatus, DeskChat, DeskOffer, EndedBy,
    Lang, LiveConfig, LiveEvent, NotReadyReason, PresenceRequest, QueueBoard, TransferTarget,
    Wallboard,
};
use crate::clock::Clock;
use crate::error::LiveError;
use crate::live::BoxFuture;
use crate::notices::Notice;
use crate::stats::{Payload, Stats, Tally, add_intervals};
use jiff::{SignedDuration, Timestamp};
use moked_domain::Channel;
use moked_routing::{
    AgentId, AgentState, ContactId, ContactSpec, Engine, Event, EventKind, ReasonCode,
    RoutingError, Span, Time,
};
use moked_store::{
    AgentPresence, CustomerId, InteractionId, LiveBatch, MessageInsert, NewEvent, NewMessage,
    OrgId, Organization, PresenceState, QueueId, Sender, Store, StoreError, TimelineEntry,
    TimelineStep, UserId, WrapUpCodeId,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, RwLock};
use tokio::sync::{broadcast, mpsc};

/// How often at most a queue's waiting chats are all told their places.
const POSITION_REFRESH: SignedDuration = SignedDuration::from_secs(2);

/// At most this many jobs share one commit, so the first of them waits
/// for a bounded amount of work before its answer.
const GROUP_JOBS: usize = 128;

/// Work for the actor.
pub(crate) type Job = Box<dyn for<'a> FnOnce(&'a mut Org) -> BoxFuture<'a, ()> + Send>;

/// A job's answer, sent once the commit of its changes is known: given the
/// error when that commit failed.
pub(crate) type Answer = Box<dyn FnOnce(Option<&LiveError>) + Send>;

/// The batches of the jobs run since the last commit, held back to be
/// committed together, and the answers waiting for that commit.
#[derive(Default)]
pub(crate) struct Group {
    /// While true, [`Org::commit`] holds batches back.
    open: bool,
    batches: Vec<Batch>,
    answers: Vec<Answer>,
}

/// What the message path needs to know about each open chat, shared with
/// the callers' tasks so messages need no trip through the actor.
pub(crate) type Routes = Arc<RwLock<HashMap<InteractionId, Route>>>;

/// The agents whose phone is registered now. Registrations live in the SIP
/// registrar's memory, not in the store, so a rebuild reads them here.
pub(crate) type Phones = Arc<std::sync::Mutex<HashSet<UserId>>>;

/// A chat's stage as the message path sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Waiting or offered: the customer may write, no agent yet.
    Waiting,
    /// Connected: both sides write.
    Connected,
    /// Ended, in the agent's wrap-up: only notes.
    WrapUp,
}

/// An open chat's agent and stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Route {
    pub agent: Option<UserId>,
    pub stage: Stage,
}

/// A chat recorded in the store, to be routed.
#[derive(Debug, Clone)]
pub(crate) struct NewChat {
    pub id: InteractionId,
    pub queue: QueueId,
    pub customer: CustomerId,
    pub customer_name: String,
    pub lang: Lang,
    pub created_at: Timestamp,
}

/// A queue as the actor knows it, indexed by engine queue id.
#[derive(Debug, Clone)]
pub(crate) struct QueueInfo {
    pub id: QueueId,
    pub name: String,
    pub channel: Channel,
    pub sl_seconds: u32,
    pub auto_accept: bool,
    pub offer_timeout: SignedDuration,
}

/// An agent as the actor knows it, indexed by engine agent id.
#[derive(Debug, Clone)]
pub(crate) struct AgentInfo {
    pub user: UserId,
    pub name: String,
    /// Chats the agent takes at once.
    pub capacity: u16,
    /// The state last logged, and since when.
    pub state: (AgentActivity, Option<NotReadyReason>),
    pub since: Timestamp,
}

/// Where an open chat is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Phase {
    Queued,
    Offered {
        agent: AgentId,
        expires_at: Option<Timestamp>,
    },
    Connected {
        agent: AgentId,
    },
    WrapUp {
        agent: AgentId,
        until: Timestamp,
    },
}

/// An open chat: from routing to the end of its wrap-up.
#[derive(Debug, Clone)]
pub(crate) struct Chat {
    pub id: InteractionId,
    pub contact: ContactId,
    pub queue: QueueId,
    pub customer: Option<CustomerId>,
    pub customer_name: String,
    pub lang: Lang,
    pub created_at: Timestamp,
    pub phase: Phase,
    /// The code the agent picked, recorded when the wrap-up ends.
    pub code: Option<WrapUpCodeId>,
}

/// What one job produced, to commit together.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// What the store keeps.
    writes: LiveBatch,
    /// The agent of each message's chat, in the order of `writes.messages`.
    message_agents: Vec<Option<UserId>>,
    live: Vec<LiveEvent>,
    touched: BTreeSet<QueueId>,
    /// Chats whose place in line to announce.
    queued: Vec<InteractionId>,
}

impl Batch {
    fn log(&mut self, at: Timestamp, kind: &str, payload: &Payload) {
        let payload = serde_json::to_value(payload).unwrap_or(serde_json::Value::Null);
        self.writes.events.push(NewEvent {
            at,
            kind: format!("routing.{kind}"),
            payload,
        });
    }

    fn step(&mut self, chat: InteractionId, at: Timestamp, step: TimelineStep) {
        self.writes
            .timeline
            .push((chat, TimelineEntry { at, step }));
    }

    fn message(&mut self, agent: Option<UserId>, message: NewMessage) {
        self.writes.messages.push(message);
        self.message_agents.push(agent);
    }
}

/// One organization's live state.
pub(crate) struct Org {
    pub id: OrgId,
    pub organization: Organization,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub config: LiveConfig,
    pub events: broadcast::Sender<LiveEvent>,
    pub routes: Routes,
    pub phones: Phones,
    pub engine: Engine,
    pub queues: Vec<QueueInfo>,
    pub queue_index: HashMap<QueueId, moked_routing::QueueId>,
    pub agents: Vec<AgentInfo>,
    pub agent_index: HashMap<UserId, AgentId>,
    pub codes: HashSet<WrapUpCodeId>,
    pub chats: HashMap<InteractionId, Chat>,
    pub contacts: HashMap<ContactId, InteractionId>,
    pub stats: Stats,
    /// A commit failed: the state must be rebuilt from the store.
    pub stale: bool,
    /// Batches and answers held back for one commit.
    pub group: Group,
    /// When each queue's waiting chats were last told their places.
    pub positions_sent: HashMap<QueueId, Timestamp>,
    /// Queues whose waiting chats have moved up since they were last told.
    pub positions_pending: HashSet<QueueId>,
}

/// Engine time of a timestamp (Unix microseconds; before 1970 is 0).
pub(crate) fn engine_time(at: Timestamp) -> Time {
    Time(u64::try_from(at.as_microsecond()).unwrap_or(0))
}

/// The timestamp of an engine time.
pub(crate) fn timestamp(at: Time) -> Timestamp {
    i64::try_from(at.0)
        .ok()
        .and_then(|micros| Timestamp::from_microsecond(micros).ok())
        .unwrap_or(Timestamp::MAX)
}

/// An engine span as a duration.
pub(crate) fn duration(span: Span) -> SignedDuration {
    SignedDuration::from_micros(i64::try_from(span.0).unwrap_or(i64::MAX))
}

/// A duration as an engine span (negative: zero).
pub(crate) fn span(duration: SignedDuration) -> Span {
    Span(u64::try_from(duration.as_micros()).unwrap_or(0))
}

fn millis(span: Span) -> Option<u64> {
    Some(span.as_millis())
}

/// The floor's name for an engine state.
pub(crate) fn activity(state: AgentState) -> (AgentActivity, Option<NotReadyReason>) {
    match state {
        AgentState::Offline => (AgentActivity::Offline, None),
        AgentState::Available => (AgentActivity::Available, None),
        AgentState::Reserved => (AgentActivity::Offered, None),
        AgentState::Busy => (AgentActivity::Busy, None),
        AgentState::WrapUp => (AgentActivity::WrapUp, None),
        AgentState::NotReady(ReasonCode(code)) => (
            AgentActivity::NotReady,
            Some(NotReadyReason::from_code(code)),
        ),
    }
}

fn refused(error: RoutingError) -> LiveError {
    LiveError::conflict(error.to_string())
}

fn not_found(entity: &'static str) -> LiveError {
    LiveError::NotFound { entity }
}

impl Org {
    /// Runs jobs, and timers between them, until every handle is dropped.
    pub async fn run(mut self, mut inbox: mpsc::Receiver<Job>) {
        loop {
            let engine_due = self.engine.next_deadline().map(timestamp);
            let due = match (engine_due, self.positions_due()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let sleep = match due {
                Some(at) => self.clock.sleep_until(at),
                None => Box::pin(std::future::pending()),
            };
            tokio::select! {
                job = inbox.recv() => match job {
                    Some(job) => self.run_group(job, &mut inbox).await,
                    None => return,
                },
                () = sleep => self.catch_up().await,
            }
            self.announce_positions(&HashSet::new());
            while self.stale {
                if let Err(error) = self.reload().await {
                    tracing::error!(org = %self.id, %error, "rebuilding failed; retrying in a second");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// Runs `first` and the jobs already waiting behind it with their
    /// batches held back, then commits them in one transaction and answers
    /// them (see the module doc). A failed commit stops the round: the state
    /// is rebuilt before the next job.
    async fn run_group(&mut self, first: Job, inbox: &mut mpsc::Receiver<Job>) {
        self.group.open = true;
        let mut next = Some(first);
        let mut ran = 0;
        while let Some(job) = next.take() {
            self.catch_up().await;
            job(self).await;
            ran += 1;
            if !self.stale && ran < GROUP_JOBS {
                next = inbox.try_recv().ok();
            }
        }
        self.group.open = false;
        // A failure is logged by the commit and answered to every job of
        // the round; the run loop rebuilds.
        let _ = self.flush().await;
    }

    /// Answers a job now, or after the commit of the round's held batches.
    pub(crate) fn answer(&mut self, answer: Answer) {
        if self.group.open {
            self.group.answers.push(answer);
        } else {
            answer(None);
        }
    }

    /// Commits the held batches in one transaction, publishes them, and
    /// sends the answers waiting for them (the error to each, if it failed).
    pub(crate) async fn flush(&mut self) -> Result<(), LiveError> {
        let batches = std::mem::take(&mut self.group.batches);
        let answers = std::mem::take(&mut self.group.answers);
        let result = self.commit_now(batches).await;
        for answer in answers {
            answer(result.as_ref().err());
        }
        result
    }

    /// Fires the engine's timers that are due (ring timeouts, wrap-up ends).
    async fn catch_up(&mut self) {
        let (now, _) = self.tick();
        if self.engine.next_deadline().is_none_or(|due| due > now) {
            return;
        }
        let result = self
            .change(|engine, now, out| engine.advance(now, out))
            .await;
        if let Err(error) = result {
            tracing::error!(org = %self.id, %error, "firing routing timers failed");
        }
    }

    /// The time now: the clock's, but never before the engine's last.
    fn tick(&self) -> (Time, Timestamp) {
        let now = engine_time(self.clock.now()).max(self.engine.now());
        (now, timestamp(now))
    }

    /// Runs an engine command and commits what it did.
    async fn change<R>(
        &mut self,
        command: impl FnOnce(&mut Engine, Time, &mut Vec<Event>) -> Result<R, RoutingError>,
    ) -> Result<R, LiveError> {
        let (result, batch) = self.command(command).await?;
        self.commit(batch).await?;
        Ok(result)
    }

    /// Runs an engine command and gathers what it did, uncommitted. A
    /// refused command may still have fired due timers (or, for a compound
    /// command, done its first steps): those are committed before the error
    /// is returned, so the store never falls behind the engine.
    pub(crate) async fn command<R>(
        &mut self,
        command: impl FnOnce(&mut Engine, Time, &mut Vec<Event>) -> Result<R, RoutingError>,
    ) -> Result<(R, Batch), LiveError> {
        let (now, _) = self.tick();
        let mut out = Vec::new();
        let result = command(&mut self.engine, now, &mut out);
        let mut batch = Batch::default();
        for event in &out {
            self.absorb(event, &mut batch);
        }
        match result {
            Ok(result) => Ok((result, batch)),
            Err(error) => {
                if !batch.writes.events.is_empty() {
                    self.commit(batch).await?;
                }
                Err(refused(error))
            }
        }
    }

    // ----- events ------------------------------------------------------------

    fn chat_of(&self, contact: ContactId) -> Option<InteractionId> {
        self.contacts.get(&contact).copied()
    }

    fn set_route(&self, chat: InteractionId, route: Option<Route>) {
        let mut routes = self.routes.write().unwrap_or_else(|p| p.into_inner());
        match route {
            Some(route) => routes.insert(chat, route),
            None => routes.remove(&chat),
        };
    }

    fn forget(&mut self, chat: InteractionId) {
        if let Some(gone) = self.chats.remove(&chat) {
            self.contacts.remove(&gone.contact);
        }
        self.set_route(chat, None);
    }

    /// Applies one engine event to the chats and agents and records it in `b`.
    fn absorb(&mut self, event: &Event, b: &mut Batch) {
        let at = timestamp(event.at);
        if let EventKind::AgentStateChanged { agent, to, .. } = event.kind {
            self.agent_changed(agent, to, at, b);
            return;
        }
        let Some((contact, queue)) = contact_and_queue(&event.kind) else {
            return;
        };
        let queue_info = self.queues[queue.index()].clone();
        let chat = self.chat_of(contact);
        b.touched.insert(queue_info.id);
        let payload = Payload {
            interaction: chat,
            queue: Some(queue_info.id),
            ..Payload::default()
        };
        let Some(chat) = chat else {
            // A contact of no chat (cannot happen): log it so the count is right.
            b.log(at, kind_name(&event.kind), &payload);
            return;
        };
        match event.kind {
            EventKind::ContactQueued { position, .. } => {
                self.phase(chat, Phase::Queued);
                b.queued.push(chat);
                b.log(
                    at,
                    "contact_queued",
                    &Payload {
                        position: Some(position),
                        ..payload
                    },
                );
            }
            EventKind::Offered { agent, .. } => {
                self.offered(chat, agent, &queue_info, at, payload, b)
            }
            EventKind::Connected {
                agent,
                waited,
                ring,
                ..
            } => self.connected(chat, agent, at, waited, ring, payload, b),
            EventKind::Rejected { agent, .. } | EventKind::RingNoAnswer { agent, .. } => {
                let user = self.agents[agent.index()].user;
                self.phase(chat, Phase::Queued);
                b.queued.push(chat);
                b.live.push(LiveEvent::OfferWithdrawn { chat, agent: user });
                if matches!(event.kind, EventKind::RingNoAnswer { .. }) {
                    b.writes
                        .presences
                        .push((user, not_ready(NotReadyReason::NoAnswer, at)));
                }
                b.log(
                    at,
                    kind_name(&event.kind),
                    &Payload {
                        user: Some(user),
                        ..payload
                    },
                );
            }
            EventKind::Abandoned {
                waited,
                ringing_agent,
                ..
            } => {
                let user = ringing_agent.map(|agent| self.agents[agent.index()].user);
                if let Some(user) = user {
                    b.live.push(LiveEvent::OfferWithdrawn { chat, agent: user });
                }
                b.step(chat, at, TimelineStep::Ended);
                b.live.push(LiveEvent::ChatEnded {
                    chat,
                    agent: None,
                    by: EndedBy::Customer,
                });
                b.log(
                    at,
                    "abandoned",
                    &Payload {
                        user,
                        waited_ms: millis(waited),
                        ..payload
                    },
                );
                self.forget(chat);
            }
            EventKind::Completed {
                agent,
                waited,
                talk,
                by,
                ..
            } => {
                let user = self.agents[agent.index()].user;
                let by = match by {
                    moked_routing::EndedBy::Customer => EndedBy::Customer,
                    moked_routing::EndedBy::Agent => EndedBy::Agent,
                };
                self.phase(chat, Phase::WrapUp { agent, until: at });
                self.set_route(
                    chat,
                    Some(Route {
                        agent: Some(user),
                        stage: Stage::WrapUp,
                    }),
                );
                b.step(chat, at, TimelineStep::Ended);
                b.live.push(LiveEvent::ChatEnded {
                    chat,
                    agent: Some(user),
                    by,
                });
                let payload = Payload {
                    user: Some(user),
                    waited_ms: millis(waited),
                    talk_ms: millis(talk),
                    by: Some(by),
                    ..payload
                };
                b.log(at, "completed", &payload);
            }
            EventKind::WrapUpStarted { agent, until, .. } => {
                let user = self.agents[agent.index()].user;
                let until = timestamp(until);
                self.phase(chat, Phase::WrapUp { agent, until });
                b.log(
                    at,
                    "wrap_up_started",
                    &Payload {
                        user: Some(user),
                        until: Some(until),
                        ..payload
                    },
                );
            }
            EventKind::WrapUpEnded { agent, .. } => {
                let user = self.agents[agent.index()].user;
                let code = self.chats.get_mut(&chat).and_then(|c| c.code.take());
                if let Some(code) = code {
                    b.step(chat, at, TimelineStep::WrappedUp { agent: user, code });
                }
                b.live.push(LiveEvent::WrapUpDone {
                    chat,
                    agent: user,
                    code,
                });
                b.log(
                    at,
                    "wrap_up_ended",
                    &Payload {
                        user: Some(user),
                        code,
                        ..payload
                    },
                );
                self.forget(chat);
            }
            EventKind::Transferred {
                to,
                agent,
                waited,
                talk,
                ..
            } => {
                let user = agent.map(|agent| self.agents[agent.index()].user);
                let to_queue = self.queues[to.index()].id;
                b.touched.insert(to_queue);
                if let Some(open) = self.chats.get_mut(&chat) {
                    open.queue = to_queue;
                }
                self.set_route(
                    chat,
                    Some(Route {
                        agent: None,
                        stage: Stage::Waiting,
                    }),
                );
                let payload = Payload {
                    user,
                    to_queue: Some(to_queue),
                    waited_ms: millis(waited),
                    talk_ms: millis(talk),
                    ..payload
                };
                b.log(at, "transferred", &payload);
            }
            _ => b.log(at, kind_name(&event.kind), &payload),
        }
    }

    fn phase(&mut self, chat: InteractionId, phase: Phase) {
        if let Some(open) = self.chats.get_mut(&chat) {
            open.phase = phase;
        }
    }

    fn agent_changed(&mut self, agent: AgentId, to: AgentState, at: Timestamp, b: &mut Batch) {
        let info = &mut self.agents[agent.index()];
        let (state, reason) = activity(to);
        // The engine starts every agent offline, so a rebuild "changes"
        // agents back into the state the log already has: not a change.
        if info.state == (state, reason) {
            return;
        }
        info.state = (state, reason);
        info.since = at;
        b.log(
            at,
            "agent_state",
            &Payload {
                user: Some(info.user),
                state: Some(state),
                reason,
                ..Payload::default()
            },
        );
        b.live.push(LiveEvent::AgentState {
            agent: info.user,
            state,
            reason,
            since: at,
        });
    }

    fn offered(
        &mut self,
        chat: InteractionId,
        agent: AgentId,
        queue: &QueueInfo,
        at: Timestamp,
        payload: Payload,
        b: &mut Batch,
    ) {
        let user = self.agents[agent.index()].user;
        let expires_at = (!queue.auto_accept).then(|| at + queue.offer_timeout);
        self.phase(chat, Phase::Offered { agent, expires_at });
        b.step(chat, at, TimelineStep::Offered { agent: user });
        if let Some(open) = self.chats.get(&chat) {
            b.live.push(LiveEvent::Offer {
                chat,
                queue: queue.id,
                customer: open.customer,
                customer_name: open.customer_name.clone(),
                agent: user,
                expires_at,
            });
        }
        b.log(
            at,
            "offered",
            &Payload {
                user: Some(user),
                ..payload
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn connected(
        &mut self,
        chat: InteractionId,
        agent: AgentId,
        at: Timestamp,
        waited: Span,
        ring: Span,
        payload: Payload,
        b: &mut Batch,
    ) {
        let info = &self.agents[agent.index()];
        let (user, agent_name) = (info.user, info.name.clone());
        self.phase(chat, Phase::Connected { agent });
        self.set_route(
            chat,
            Some(Route {
                agent: Some(user),
                stage: Stage::Connected,
            }),
        );
        b.step(chat, at, TimelineStep::Accepted { agent: user });
        b.live.push(LiveEvent::ChatConnected {
            chat,
            agent: user,
            agent_name,
        });
        let payload = Payload {
            user: Some(user),
            waited_ms: millis(waited),
            ring_ms: millis(ring),
            ..payload
        };
        b.log(at, "connected", &payload);
    }

    // ----- commit ------------------------------------------------------------

    /// Makes the batch durable, then counts and broadcasts it; while a
    /// round is open, holds it back for the round's commit instead.
    pub async fn commit(&mut self, batch: Batch) -> Result<(), LiveError> {
        if self.group.open {
            self.group.batches.push(batch);
            return Ok(());
        }
        self.commit_now(vec![batch]).await
    }

    /// Stores the batches in one transaction, then counts and broadcasts
    /// each in order. On a store failure the state is rebuilt from the
    /// store, which holds the truth.
    async fn commit_now(&mut self, mut batches: Vec<Batch>) -> Result<(), LiveError> {
        let mut writes = LiveBatch::default();
        for batch in &mut batches {
            writes.extend(std::mem::take(&mut batch.writes));
        }
        let stored = if writes.is_empty() {
            Vec::new()
        } else {
            match self.store.write_live_batch(self.id, &writes).await {
                Ok(stored) => stored.messages,
                Err(error) => {
                    tracing::error!(org = %self.id, %error, "storing live changes failed; rebuilding");
                    // The engine is ahead of the store: rebuild from the store
                    // once this job is over (the run loop does it).
                    self.stale = true;
                    return Err(error.into());
                }
            }
        };
        for event in &writes.events {
            self.stats.apply(event);
        }
        let mut stored = stored.into_iter();
        for batch in batches {
            let messages = batch
                .message_agents
                .iter()
                .zip(stored.by_ref())
                .map(|(agent, message)| message_event(*agent, message))
                .collect();
            self.publish(batch, messages);
        }
        Ok(())
    }

    fn publish(&mut self, batch: Batch, stored: Vec<LiveEvent>) {
        let send = |event: LiveEvent| {
            // No subscriber is not an error: nobody is watching.
            let _ = self.events.send(event);
        };
        batch.live.into_iter().chain(stored).for_each(send);
        let mut announced: HashSet<InteractionId> = HashSet::new();
        for chat in batch.queued {
            if announced.insert(chat)
                && let Some(event) = self.position_event(chat)
            {
                send(event);
            }
        }
        self.positions_pending.extend(batch.touched.iter().copied());
        self.announce_positions(&announced);
        for queue in batch.touched {
            let _ = self.events.send(LiveEvent::WallboardChanged { queue });
        }
    }

    /// Tells the waiting chats of queues that had departures their new
    /// places, at most every POSITION_REFRESH per queue (a busy queue would
    /// otherwise send every waiting customer an event per departure); the
    /// others stay pending until the run loop's next wake-up.
    fn announce_positions(&mut self, announced: &HashSet<InteractionId>) {
        let (_, now) = self.tick();
        let due: Vec<QueueId> = self
            .positions_pending
            .iter()
            .copied()
            .filter(|queue| {
                self.positions_sent
                    .get(queue)
                    .is_none_or(|last| now.duration_since(*last) >= POSITION_REFRESH)
            })
            .collect();
        if due.is_empty() {
            return;
        }
        for queue in &due {
            self.positions_pending.remove(queue);
            self.positions_sent.insert(*queue, now);
        }
        for open in self.chats.values() {
            let moved = open.phase == Phase::Queued
                && due.contains(&open.queue)
                && !announced.contains(&open.id);
            if moved && let Some(event) = self.position_event(open.id) {
                let _ = self.events.send(event);
            }
        }
    }

    /// When pending place announcements are due.
    fn positions_due(&self) -> Option<Timestamp> {
        self.positions_pending
            .iter()
            .map(|queue| {
                self.positions_sent
                    .get(queue)
                    .map_or(Timestamp::MIN, |last| *last + POSITION_REFRESH)
            })
            .min()
    }

    fn position_event(&self, chat: InteractionId) -> Option<LiveEvent> {
        match self.chat_status_live(chat)? {
            ChatStatus::Queued {
                position,
                estimated_wait,
            } => Some(LiveEvent::QueuePosition {
                chat,
                position,
                estimated_wait_s: estimated_wait.map(|wait| wait.as_secs()),
            }),
            _ => None,
        }
    }

    /// Rebuilds the whole state from the store. The chats' routes are built
    /// aside and swapped in at once, so messages sent meanwhile never see
    /// an empty map.
    pub async fn reload(&mut self) -> Result<(), LiveError> {
        self.flush().await?;
        let organization = self.store.organization(self.id).await?;
        let staging = Routes::default();
        let mut fresh = crate::rebuild::load(
            self.store.clone(),
            self.clock.clone(),
            self.config,
            organization,
            self.events.clone(),
            staging.clone(),
            self.phones.clone(),
        )
        .await?;
        let built = std::mem::take(&mut *staging.write().unwrap_or_else(|p| p.into_inner()));
        *self.routes.write().unwrap_or_else(|p| p.into_inner()) = built;
        fresh.routes = self.routes.clone();
        // The round goes on in the rebuilt state: its answers still wait.
        fresh.group = std::mem::take(&mut self.group);
        *self = fresh;
        Ok(())
    }

    // ----- customer side -----------------------------------------------------

    /// The queue a new chat enters.
    pub async fn chat_queue(&mut self, wanted: Option<QueueId>) -> Result<QueueId, LiveError> {
        let Some(wanted) = wanted else {
            return self
                .queues
                .iter()
                .find(|queue| queue.channel == Channel::Chat)
                .map(|queue| queue.id)
                .ok_or_else(|| LiveError::invalid("queue", "the organization has no chat queue"));
        };
        let index = self.queue_index.get(&wanted).ok_or(not_found("queue"))?;
        if self.queues[index.index()].channel != Channel::Chat {
            return Err(LiveError::invalid("queue", "not a chat queue"));
        }
        Ok(wanted)
    }

    /// The voice queue a call to a SIP address enters.
    pub async fn call_queue(&mut self, wanted: QueueId) -> Result<QueueId, LiveError> {
        let index = self.queue_index.get(&wanted).ok_or(not_found("queue"))?;
        if self.queues[index.index()].channel != Channel::Voice {
            return Err(LiveError::invalid("queue", "not a voice queue"));
        }
        Ok(wanted)
    }

    /// The email queue a receiving address feeds.
    pub async fn email_queue(&mut self, wanted: QueueId) -> Result<QueueId, LiveError> {
        let index = self.queue_index.get(&wanted).ok_or(not_found("queue"))?;
        if self.queues[index.index()].channel != Channel::Email {
            return Err(LiveError::invalid("queue", "not an email queue"));
        }
        Ok(wanted)
    }

    /// Routes a chat the caller has recorded.
    pub async fn route_new(&mut self, new: NewChat) -> Result<ChatStatus, LiveError> {
        let queue = *self.queue_index.get(&new.queue).ok_or(not_found("queue"))?;
        // Fire due timers first, so the arrival's batch holds only its own events.
        self.catch_up().await;
        let (now, _) = self.tick();
        let mut out = Vec::new();
        let contact = self
            .engine
            .arrive(now, ContactSpec::new(queue), &mut out)
            .map_err(refused)?;
        self.chats.insert(
            new.id,
            Chat {
                id: new.id,
                contact,
                queue: new.queue,
                customer: Some(new.customer),
                customer_name: new.customer_name,
                lang: new.lang,
                created_at: new.created_at,
                phase: Phase::Queued,
                code: None,
            },
        );
        self.contacts.insert(contact, new.id);
        self.set_route(
            new.id,
            Some(Route {
                agent: None,
                stage: Stage::Waiting,
            }),
        );
        let mut batch = Batch::default();
        for event in &out {
            self.absorb(event, &mut batch);
        }
        self.commit(batch).await?;
        self.chat_status(new.id).await
    }

    /// The customer leaves: abandon while waiting, end while connected.
    pub async fn customer_end(&mut self, chat: InteractionId) -> Result<(), LiveError> {
        let Some(open) = self.chats.get(&chat) else {
            return self.ended_chat(chat).await.map(|_| ());
        };
        let contact = open.contact;
        match open.phase {
            Phase::Queued | Phase::Offered { .. } => {
                self.change(|engine, now, out| engine.abandon(now, contact, out))
                    .await
            }
            Phase::Connected { .. } => {
                self.change(|engine, now, out| {
                    engine.complete(now, contact, moked_routing::EndedBy::Customer, out)
                })
                .await
            }
            Phase::WrapUp { .. } => Ok(()),
        }
    }

    /// A chat that is no longer open, from the store.
    async fn ended_chat(
        &mut self,
        chat: InteractionId,
    ) -> Result<moked_store::Interaction, LiveError> {
        // What the round holds back may be what ended it.
        self.flush().await?;
        match self.store.interaction(self.id, chat).await {
            Ok(interaction) => Ok(interaction),
            Err(StoreError::NotFound { .. }) => Err(not_found("chat")),
            Err(error) => Err(error.into()),
        }
    }

    /// Records the satisfaction answer of an ended chat.
    pub async fn rate(
        &mut self,
        chat: InteractionId,
        score: u8,
        comment: String,
    ) -> Result<(), LiveError> {
        if let Some(open) = self.chats.get(&chat)
            && !matches!(open.phase, Phase::WrapUp { .. })
        {
            return Err(LiveError::conflict("the chat has not ended yet"));
        }
        let interaction = self.ended_chat(chat).await?;
        if interaction.ended_at.is_none() {
            return Err(LiveError::conflict("the chat has not ended yet"));
        }
        let rated = interaction
            .timeline
            .iter()
            .any(|entry| matches!(entry.step, TimelineStep::Rated { .. }));
        if rated {
            return Err(LiveError::conflict("the chat is already rated"));
        }
        let (_, at) = self.tick();
        let entry = TimelineEntry {
            at,
            step: TimelineStep::Rated { score, comment },
        };
        self.store.append_timeline(self.id, chat, &entry).await?;
        let event = NewEvent {
            at,
            kind: "chat.rated".to_owned(),
            payload: serde_json::json!({ "interaction": chat, "score": score }),
        };
        self.store.append_event(self.id, &event).await?;
        Ok(())
    }

    /// Where a chat stands.
    pub async fn chat_status(&mut self, chat: InteractionId) -> Result<ChatStatus, LiveError> {
        if let Some(status) = self.chat_status_live(chat) {
            return Ok(status);
        }
        let interaction = self.ended_chat(chat).await?;
        let wrapped_up = interaction
            .timeline
            .iter()
            .any(|entry| matches!(entry.step, TimelineStep::WrappedUp { .. }));
        Ok(ChatStatus::Ended { wrapped_up })
    }

    fn chat_status_live(&self, chat: InteractionId) -> Option<ChatStatus> {
        let open = self.chats.get(&chat)?;
        Some(match open.phase {
            Phase::Queued => {
                let position = self.engine.queue_position(open.contact).unwrap_or(1);
                ChatStatus::Queued {
                    position,
                    estimated_wait: self.estimate(open.queue, position),
                }
            }
            Phase::Offered { .. } => ChatStatus::Offered,
            Phase::Connected { agent } => ChatStatus::Connected {
                agent_name: self.agents[agent.index()].name.clone(),
            },
            Phase::WrapUp { .. } => ChatStatus::Ended { wrapped_up: false },
        })
    }

    /// The engine's estimate for a newcomer, scaled to the chat's place.
    fn estimate(&self, queue: QueueId, position: u32) -> Option<SignedDuration> {
        let queue = *self.queue_index.get(&queue)?;
        let newcomer = self.engine.estimated_wait(queue).ok()??;
        let (now, _) = self.tick();
        let waiting = self.engine.queue_stats(now, queue).ok()?.waiting;
        let share = f64::from(position.min(waiting + 1)) / f64::from(waiting + 1);
        Some(duration(Span::from_secs_f64(
            newcomer.as_secs_f64() * share,
        )))
    }

    // ----- agent side --------------------------------------------------------

    fn agent(&self, user: UserId) -> Result<AgentId, LiveError> {
        self.agent_index
            .get(&user)
            .copied()
            .ok_or(not_found("agent"))
    }

    /// Sets an agent's presence and records it.
    pub async fn set_presence(
        &mut self,
        user: UserId,
        request: PresenceRequest,
    ) -> Result<(), LiveError> {
        let agent = self.agent(user)?;
        let state = self.engine.agent_state(agent).map_err(refused)?;
        let (_, at) = self.tick();
        let (mut batch, presence) = match request {
            PresenceRequest::Available => {
                let (_, batch) = self
                    .command(|engine, now, out| match state {
                        AgentState::Offline => engine.login(now, agent, out),
                        // Ready now: a wrap-up after a transfer ends early.
                        _ => {
                            engine.end_transfer_wrap_up(now, agent, out)?;
                            engine.set_available(now, agent, out)
                        }
                    })
                    .await?;
                (batch, available(at))
            }
            PresenceRequest::NotReady { reason } => {
                let code = ReasonCode(reason.code());
                let (_, batch) = self
                    .command(|engine, now, out| match state {
                        AgentState::Offline => engine.login_not_ready(now, agent, code, out),
                        _ => engine.set_not_ready(now, agent, code, out),
                    })
                    .await?;
                (batch, not_ready(reason, at))
            }
            PresenceRequest::Offline => (self.log_out(agent, state).await?, offline(at)),
        };
        batch.writes.presences.push((user, presence));
        self.commit(batch).await
    }

    /// Logs an agent out, handing its ringing offers back first; refused
    /// while it holds chats.
    async fn log_out(&mut self, agent: AgentId, state: AgentState) -> Result<Batch, LiveError> {
        if state == AgentState::Offline {
            return Ok(Batch::default());
        }
        let holds = self.chats.values().any(|chat| {
            matches!(chat.phase, Phase::Connected { agent: a } | Phase::WrapUp { agent: a, .. } if a == agent)
        });
        if holds {
            return Err(LiveError::conflict(
                "end or transfer your chats before logging out",
            ));
        }
        let ringing: Vec<ContactId> = self
            .chats
            .values()
            .filter(|chat| matches!(chat.phase, Phase::Offered { agent: a, .. } if a == agent))
            .map(|chat| chat.contact)
            .collect();
        let code = ReasonCode(NotReadyReason::Personal.code());
        let (_, batch) = self
            .command(|engine, now, out| {
                // Not ready first, so rejected offers do not come straight back.
                if !matches!(state, AgentState::NotReady(_)) {
                    engine.set_not_ready(now, agent, code, out)?;
                }
                for contact in ringing {
                    engine.reject(now, contact, out)?;
                }
                engine.logout(now, agent, out)
            })
            .await?;
        Ok(batch)
    }

    /// The chat if it is offered to `user`.
    fn offered_to(&self, user: UserId, chat: InteractionId) -> Result<ContactId, LiveError> {
        let agent = self.agent(user)?;
        let open = self.chats.get(&chat).ok_or(not_found("chat"))?;
        match open.phase {
            Phase::Offered { agent: a, .. } if a == agent => Ok(open.contact),
            _ => Err(LiveError::conflict("the chat is not offered to you now")),
        }
    }

    /// The agent takes an offer.
    pub async fn accept(&mut self, user: UserId, chat: InteractionId) -> Result<(), LiveError> {
        let contact = self.offered_to(user, chat)?;
        self.change(|engine, now, out| engine.accept(now, contact, out))
            .await
    }

    /// The agent declines an offer.
    pub async fn reject(&mut self, user: UserId, chat: InteractionId) -> Result<(), LiveError> {
        let contact = self.offered_to(user, chat)?;
        self.change(|engine, now, out| engine.reject(now, contact, out))
            .await
    }

    /// An offered call rang out or the phone refused it (busy, declined): the
    /// agent goes not ready and the call goes back to its place.
    pub async fn ring_out(&mut self, user: UserId, call: InteractionId) -> Result<(), LiveError> {
        let contact = self.offered_to(user, call)?;
        self.change(|engine, now, out| engine.ring_no_answer(now, contact, out))
            .await
    }

    /// The agent's phone registered (one voice slot) or went away (none).
    pub async fn set_phone(&mut self, user: UserId, registered: bool) -> Result<(), LiveError> {
        let agent = self.agent(user)?;
        {
            let mut phones = self.phones.lock().unwrap_or_else(|p| p.into_inner());
            if registered == phones.contains(&user) {
                return Ok(());
            }
            if registered {
                phones.insert(user);
            } else {
                phones.remove(&user);
            }
        }
        let slots = u8::from(registered);
        let (_, mut batch) = self
            .command(|engine, now, out| engine.set_capacity(now, agent, Channel::Voice, slots, out))
            .await?;
        batch.live.push(LiveEvent::Phone {
            agent: user,
            registered,
        });
        self.commit(batch).await
    }

    fn has_phone(&self, user: UserId) -> bool {
        self.phones
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&user)
    }

    /// The chat if `user` holds it connected.
    fn held(&self, user: UserId, chat: InteractionId) -> Result<&Chat, LiveError> {
        let agent = self.agent(user)?;
        let open = self.chats.get(&chat).ok_or(not_found("chat"))?;
        match open.phase {
            Phase::Connected { agent: a } if a == agent => Ok(open),
            _ => Err(LiveError::invalid("chat", "you do not hold this chat")),
        }
    }

    fn is_voice(&self, queue: QueueId) -> bool {
        self.queue_index
            .get(&queue)
            .is_some_and(|index| self.queues[index.index()].channel == Channel::Voice)
    }

    /// Whether the chat `user` holds connected is a phone call.
    pub async fn holds_call(
        &mut self,
        user: UserId,
        chat: InteractionId,
    ) -> Result<bool, LiveError> {
        let queue = self.held(user, chat)?.queue;
        Ok(self.is_voice(queue))
    }

    /// The phone calls waiting in a queue or ringing an agent.
    pub async fn waiting_calls(&mut self) -> Result<Vec<InteractionId>, LiveError> {
        Ok(self
            .chats
            .values()
            .filter(|chat| matches!(chat.phase, Phase::Queued | Phase::Offered { .. }))
            .filter(|chat| self.is_voice(chat.queue))
            .map(|chat| chat.id)
            .collect())
    }

    /// Moves a held chat to a queue or an agent, telling the customer.
    pub async fn transfer(
        &mut self,
        user: UserId,
        chat: InteractionId,
        to: TransferTarget,
    ) -> Result<(), LiveError> {
        let open = self.held(user, chat)?;
        let (contact, lang) = (open.contact, open.lang);
        let (to_queue, to_agent) = match to {
            TransferTarget::Queue(queue) => {
                self.chat_queue(Some(queue)).await?;
                (Some(queue), None)
            }
            TransferTarget::Agent(target) => {
                if target == user {
                    return Err(LiveError::invalid("agent", "the chat is already yours"));
                }
                (None, Some((target, self.agent(target)?)))
            }
        };
        let engine_queue = to_queue.map(|queue| self.queue_index[&queue]);
        let (_, mut batch) = self
            .command(|engine, now, out| match (engine_queue, to_agent) {
                (Some(queue), _) => engine.transfer(now, contact, queue, out),
                (None, Some((_, agent))) => engine.transfer_to_agent(now, contact, agent, out),
                (None, None) => Ok(()),
            })
            .await?;
        // The engine's time of the transfer itself, so the step sorts before
        // the offers the transfer caused.
        let at = timestamp(self.engine.now());
        let to_user = to_agent.map(|(target, _)| target);
        let step = TimelineStep::Transferred {
            to_queue,
            to_agent: to_user,
        };
        batch
            .writes
            .timeline
            .insert(0, (chat, TimelineEntry { at, step }));
        batch.live.insert(
            0,
            LiveEvent::ChatTransferred {
                chat,
                from_agent: Some(user),
                to_queue,
                to_agent: to_user,
            },
        );
        let notice = NewMessage {
            interaction: chat,
            sender: Sender::System,
            body: match to_queue {
                Some(_) => Notice::TransferredToQueue,
                None => Notice::TransferredToAgent,
            }
            .text(lang)
            .to_owned(),
            // Unique per transfer: the time and the target.
            idempotency_key: match (to_queue, to_user) {
                (Some(queue), _) => format!("transfer-{}-queue-{queue}", at.as_microsecond()),
                (None, user) => format!(
                    "transfer-{}-agent-{}",
                    at.as_microsecond(),
                    user.map_or(0, |user| user.0)
                ),
            },
            sent_at: at,
        };
        batch.message(None, notice);
        self.commit(batch).await
    }

    /// The agent ends a held chat.
    pub async fn end(&mut self, user: UserId, chat: InteractionId) -> Result<(), LiveError> {
        let contact = self.held(user, chat)?.contact;
        self.change(|engine, now, out| {
            engine.complete(now, contact, moked_routing::EndedBy::Agent, out)
        })
        .await
    }

    /// The agent wraps up an ended chat with a code.
    pub async fn wrap_up(
        &mut self,
        user: UserId,
        chat: InteractionId,
        code: WrapUpCodeId,
    ) -> Result<(), LiveError> {
        if !self.codes.contains(&code) {
            return Err(LiveError::invalid("code", "no such wrap-up code"));
        }
        let agent = self.agent(user)?;
        let Some(open) = self.chats.get_mut(&chat) else {
            self.ended_chat(chat).await?;
            return Err(LiveError::conflict("the chat's wrap-up is over"));
        };
        let contact = open.contact;
        match open.phase {
            Phase::WrapUp { agent: a, .. } if a == agent => open.code = Some(code),
            Phase::Connected { agent: a } if a == agent => {
                return Err(LiveError::conflict("end the chat before wrapping it up"));
            }
            _ => return Err(LiveError::invalid("chat", "you do not hold this chat")),
        }
        self.change(|engine, now, out| engine.end_wrap_up(now, contact, out))
            .await
    }

    fn desk_chats(&self, agent: AgentId) -> Vec<DeskChat> {
        let mut chats: Vec<DeskChat> = self
            .chats
            .values()
            .filter_map(|chat| {
                let (state, until) = match chat.phase {
                    Phase::Connected { agent: a } if a == agent => (AgentActivity::Busy, None),
                    Phase::WrapUp { agent: a, until } if a == agent => {
                        (AgentActivity::WrapUp, Some(until))
                    }
                    _ => return None,
                };
                Some(DeskChat {
                    chat: chat.id,
                    queue: chat.queue,
                    customer: chat.customer,
                    customer_name: chat.customer_name.clone(),
                    state,
                    created_at: chat.created_at,
                    wrap_up_until: until,
                })
            })
            .collect();
        chats.sort_by_key(|chat| chat.chat);
        chats
    }

    /// What the agent's desktop shows.
    pub async fn agent_desk(&mut self, user: UserId) -> Result<AgentDesk, LiveError> {
        let agent = self.agent(user)?;
        let (presence, reason) = activity(self.engine.agent_state(agent).map_err(refused)?);
        let mut offers: Vec<DeskOffer> = self
            .chats
            .values()
            .filter_map(|chat| match chat.phase {
                Phase::Offered {
                    agent: a,
                    expires_at,
                } if a == agent => Some(DeskOffer {
                    chat: chat.id,
                    queue: chat.queue,
                    customer: chat.customer,
                    customer_name: chat.customer_name.clone(),
                    expires_at,
                }),
                _ => None,
            })
            .collect();
        offers.sort_by_key(|offer| offer.chat);
        let info = &self.agents[agent.index()];
        Ok(AgentDesk {
            presence,
            reason,
            since: info.since,
            capacity: info.capacity,
            offers,
            chats: self.desk_chats(agent),
        })
    }

    // ----- supervisor --------------------------------------------------------

    /// Today's figures.
    pub async fn wallboard(&mut self) -> Result<Wallboard, LiveError> {
        let (now, at) = self.tick();
        self.stats.roll(at);
        let mut all = Vec::new();
        let mut queues = Vec::with_capacity(self.queues.len());
        for (index, queue) in self.queues.iter().enumerate() {
            let engine_queue = moked_routing::QueueId(index as u32);
            let live = self
                .engine
                .queue_stats(now, engine_queue)
                .map_err(refused)?;
            let threshold = queue.sl_seconds;
            let day = self
                .stats
                .tally(queue.id, threshold, self.stats.day_start(), at);
            let recent = self
                .stats
                .tally(queue.id, threshold, at - crate::stats::INTERVAL, at);
            let intervals = self.stats.intervals(queue.id, threshold, at);
            add_intervals(&mut all, &intervals);
            queues.push(QueueBoard {
                queue: queue.id,
                name: queue.name.clone(),
                service_level_seconds: threshold,
                service_level_target: self.config.service_level_target,
                waiting: live.waiting,
                longest_wait_s: duration(live.longest_wait).as_secs(),
                offered: day.offered,
                answered: day.answered,
                abandoned: day.abandoned,
                service_level: day.service_level(),
                service_level_30m: recent.service_level(),
                asa_s: day.asa_s(),
                intervals: self.stats.interval_stats(&intervals),
            });
        }
        let ringing = self.ringing();
        let agents = self
            .agents
            .iter()
            .enumerate()
            .map(|(index, _)| self.agent_board(AgentId(index as u32), &ringing))
            .collect::<Result<Vec<_>, _>>()?;
        if all.is_empty() {
            all = vec![Tally::default(); 1];
        }
        Ok(Wallboard {
            at,
            time_zone: self.organization.time_zone.clone(),
            queues,
            agents,
            intervals: self.stats.interval_stats(&all),
        })
    }

    /// Every agent's line, without the queues' figures (the colleagues an
    /// agent may transfer to).
    pub async fn agents(&mut self) -> Result<Vec<AgentBoard>, LiveError> {
        let ringing = self.ringing();
        (0..self.agents.len())
            .map(|index| self.agent_board(AgentId(index as u32), &ringing))
            .collect()
    }

    /// Offers ringing per agent, in one pass over the chats.
    fn ringing(&self) -> HashMap<AgentId, usize> {
        let mut ringing = HashMap::new();
        for chat in self.chats.values() {
            if let Phase::Offered { agent, .. } = chat.phase {
                *ringing.entry(agent).or_default() += 1;
            }
        }
        ringing
    }

    /// An agent's line on the wallboard; `ringing`: offers ringing per agent.
    fn agent_board(
        &self,
        agent: AgentId,
        ringing: &HashMap<AgentId, usize>,
    ) -> Result<AgentBoard, LiveError> {
        let info = &self.agents[agent.index()];
        let view = self.engine.agent_view(agent).map_err(refused)?;
        let (state, reason) = activity(view.state);
        let ringing = ringing.get(&agent).copied().unwrap_or(0);
        let held = usize::from(view.active[Channel::Chat.index()]).saturating_sub(ringing);
        Ok(AgentBoard {
            agent: info.user,
            name: info.name.clone(),
            state,
            reason,
            since: info.since,
            active_chats: held as u32,
            phone: self.has_phone(info.user),
        })
    }

    /// One agent's day.
    pub async fn agent_detail(&mut self, user: UserId) -> Result<AgentDetail, LiveError> {
        let agent = self.agent(user)?;
        let board = self.agent_board(agent, &self.ringing())?;
        let (_, at) = self.tick();
        self.stats.roll(at);
        let (handled_today, average_handle_s) = self.stats.handled(user);
        Ok(AgentDetail {
            agent: user,
            name: board.name,
            state: board.state,
            reason: board.reason,
            since: board.since,
            handled_today,
            average_handle_s,
            time_in_state: self.stats.time_in_state(user, at),
            chats: self.desk_chats(agent),
        })
    }
}

/// The live event of a message a batch stored.
fn message_event(agent: Option<UserId>, message: MessageInsert) -> LiveEvent {
    let message = message.message().clone();
    LiveEvent::Message {
        chat: message.content.interaction,
        agent,
        message,
    }
}

/// The contact and queue an event is about, for the events that have them.
fn contact_and_queue(kind: &EventKind) -> Option<(ContactId, moked_routing::QueueId)> {
    Some(match *kind {
        EventKind::AgentStateChanged { .. } => return None,
        EventKind::ContactQueued { contact, queue, .. }
        | EventKind::Offered { contact, queue, .. }
        | EventKind::Connected { contact, queue, .. }
        | EventKind::Rejected { contact, queue, .. }
        | EventKind::RingNoAnswer { contact, queue, .. }
        | EventKind::Abandoned { contact, queue, .. }
        | EventKind::Completed { contact, queue, .. }
        | EventKind::WrapUpStarted { contact, queue, .. }
        | EventKind::WrapUpEnded { contact, queue, .. }
        | EventKind::SkillsWidened { contact, queue, .. }
        | EventKind::CallbackRequested { contact, queue, .. } => (contact, queue),
        EventKind::Overflowed { contact, from, .. }
        | EventKind::Transferred { contact, from, .. } => (contact, from),
    })
}

/// The event kind's name in the log: `routing.<name>`.
fn kind_name(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::AgentStateChanged { .. } => "agent_state",
        EventKind::ContactQueued { .. } => "contact_queued",
        EventKind::Offered { .. } => "offered",
        EventKind::Connected { .. } => "connected",
        EventKind::Rejected { .. } => "rejected",
        EventKind::RingNoAnswer { .. } => "ring_no_answer",
        EventKind::Abandoned { .. } => "abandoned",
        EventKind::Completed { .. } => "completed",
        EventKind::WrapUpStarted { .. } => "wrap_up_started",
        EventKind::WrapUpEnded { .. } => "wrap_up_ended",
        EventKind::SkillsWidened { .. } => "skills_widened",
        EventKind::Overflowed { .. } => "overflowed",
        EventKind::CallbackRequested { .. } => "callback_requested",
        EventKind::Transferred { .. } => "transferred",
    }
}

fn available(since: Timestamp) -> AgentPresence {
    AgentPresence {
        state: PresenceState::Available,
        reason: None,
        since,
    }
}

fn offline(since: Timestamp) -> AgentPresence {
    AgentPresence {
        state: PresenceState::Offline,
        reason: None,
        since,
    }
}

fn not_ready(reason: NotReadyReason, since: Timestamp) -> AgentPresence {
    AgentPresence {
        state: PresenceState::NotReady,
        reason: Some(reason.as_str().to_owned()),
        since,
    }
}
