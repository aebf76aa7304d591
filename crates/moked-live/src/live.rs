//! [`Live`], the handle the server holds: finds (or starts) an
//! organization's actor, sends it jobs, and does the work that needs no
//! actor (storing messages) in the caller's task.

use crate::actor::{Job, NewChat, Org, Phones, Route, Routes, Stage};
use crate::api::{
    AgentBoard, AgentDesk, AgentDetail, ChatOpened, ChatStatus, Lang, LiveConfig, LiveEvent,
    OpenCall, OpenChat, Party, PresenceRequest, TransferTarget, Wallboard,
};
use crate::clock::Clock;
use crate::entries::Entries;
use crate::error::LiveError;
use crate::{MAX_MESSAGE_CHARS, rebuild};
use moked_domain::Channel;
use moked_store::{
    ChatMessage, Customer, CustomerId, CustomerTier, InteractionId, MessageInsert, NewCustomer,
    NewInteraction, NewMessage, OrgId, QueueId, Sender, Store, StoreError, TimelineEntry,
    TimelineStep, UserId, WrapUpCodeId,
};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc, oneshot};

/// Events kept for slow subscribers before they start missing some.
const EVENT_CAPACITY: usize = 4096;
/// Jobs queued for one organization before callers wait to send.
const JOB_CAPACITY: usize = 1024;
/// The longest name a customer can give.
const MAX_NAME_CHARS: usize = 200;

/// A boxed job future borrowing the actor state.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The live contact center: a cheap, cloneable handle.
#[derive(Clone)]
pub struct Live {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: LiveConfig,
    orgs: Mutex<HashMap<OrgId, OrgHandle>>,
    senders: Mutex<HashMap<OrgId, broadcast::Sender<LiveEvent>>>,
    /// Per organization, the agents with a registered phone.
    phones: Mutex<HashMap<OrgId, Phones>>,
    /// Serialises the start of actors, so one organization gets one.
    starting: tokio::sync::Mutex<()>,
    /// Makes idempotency keys of notes unique within a microsecond.
    note_seq: AtomicU64,
    /// The phone channel, asked first when a call is transferred.
    call_transfers: Mutex<Option<Arc<ReferCall>>>,
}

/// The phone channel's part of a call transfer: asks the caller's phone of
/// a call, connected to an agent, to call again (SIP REFER) before the live
/// center moves the call, so a phone that refuses leaves the call with its
/// agent and the agent gets the error. `Ok` once the caller's phone accepted.
type ReferCall = dyn Fn(OrgId, UserId, InteractionId) -> Pin<Box<dyn Future<Output = Result<(), LiveError>> + Send>>
    + Send
    + Sync;

#[derive(Clone)]
struct OrgHandle {
    jobs: mpsc::Sender<Job>,
    entries: Entries,
    events: broadcast::Sender<LiveEvent>,
    routes: Routes,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Live {
    /// Starts an actor for every organization, rebuilding each one's live
    /// state from the store (see the crate doc). Organizations created
    /// later start on first use.
    pub async fn start(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: LiveConfig,
    ) -> Result<Live, LiveError> {
        let live = Live {
            inner: Arc::new(Inner {
                store,
                clock,
                config,
                orgs: Mutex::new(HashMap::new()),
                senders: Mutex::new(HashMap::new()),
                phones: Mutex::new(HashMap::new()),
                starting: tokio::sync::Mutex::new(()),
                note_seq: AtomicU64::new(0),
                call_transfers: Mutex::new(None),
            }),
        };
        for org in live.inner.store.organizations().await? {
            // One organization whose state cannot be rebuilt must not keep
            // the others down: its calls retry the rebuild and report why.
            if let Err(error) = live.handle(org.id).await {
                tracing::error!(org = %org.slug, %error, "the live center of an organization did not start");
            }
        }
        Ok(live)
    }

    /// Rebuilds an organization's live state from the store: after an
    /// admin changed queues, agents, skills, capacities or wrap-up codes.
    pub async fn reload(&self, org: OrgId) -> Result<(), LiveError> {
        self.call(org, |o: &mut Org| Box::pin(o.reload())).await
    }

    /// Live events of an organization (see [`LiveEvent`]). A receiver that
    /// falls more than 4,096 events behind gets `Lagged` and should re-read.
    pub fn subscribe(&self, org: OrgId) -> broadcast::Receiver<LiveEvent> {
        self.sender(org).subscribe()
    }

    /// The clock the live center reads: timers outside the engine (the
    /// server's SLA runner) count on it, so a test's manual clock drives
    /// them too.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    /// Publishes an event that happened outside the routing engine (a
    /// ticket saved by the server) to the organization's subscribers, so
    /// WebSockets, the search index and the channels follow it like any
    /// other live event. Nobody listening is not an error.
    pub fn announce(&self, org: OrgId, event: LiveEvent) {
        let _ = self.sender(org).send(event);
    }

    // ----- customer side ----------------------------------------------------

    /// Opens a web chat: finds the customer by phone (or creates one),
    /// records the interaction with its `queued` step, and routes it. Returns
    /// once all of that is durable.
    pub async fn open_chat(&self, org: OrgId, open: OpenChat) -> Result<ChatOpened, LiveError> {
        let name = open.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(LiveError::invalid(
                "name",
                format!("must be 1 to {MAX_NAME_CHARS} characters"),
            ));
        }
        let wanted = open.queue;
        let queue = self
            .configuration(org, move |o: &mut Org| Box::pin(o.chat_queue(wanted)))
            .await?;
        let customer =
            find_or_create_customer(self.inner.store.as_ref(), org, &name, &open).await?;
        self.enter(org, Channel::Chat, queue, customer, open.lang)
            .await
    }

    /// Opens a phone call to a voice queue: finds the customer by the
    /// caller's number (or creates one), records the interaction with its
    /// `queued` step, and routes it, like [`Live::open_chat`]. Offers, ring
    /// outs and the end then go through the same calls as chats (`accept`,
    /// [`Live::ring_out`], `customer_end`, `end`).
    pub async fn open_call(&self, org: OrgId, call: OpenCall) -> Result<ChatOpened, LiveError> {
        let wanted = call.queue;
        let queue = self
            .configuration(org, move |o: &mut Org| Box::pin(o.call_queue(wanted)))
            .await?;
        let name: String = call.name.trim().chars().take(MAX_NAME_CHARS).collect();
        let name = match (name.is_empty(), &call.caller) {
            (false, _) => name,
            (true, Some(phone)) => phone.as_str().to_owned(),
            (true, None) => "?".to_owned(),
        };
        let open = OpenChat {
            queue: Some(queue),
            name: name.clone(),
            phone: call.caller,
            lang: Lang::He,
        };
        let customer =
            find_or_create_customer(self.inner.store.as_ref(), org, &name, &open).await?;
        self.enter(org, Channel::Voice, queue, customer, Lang::He)
            .await
    }

    /// Routes an email as a contact of its organization's email queue, for
    /// a customer the caller found (by address) or created: records the
    /// interaction with its `queued` step and routes it like a chat. The
    /// email's text then enters with [`Live::customer_message`] and the
    /// agent answers with [`Live::agent_message`].
    pub async fn open_email(
        &self,
        org: OrgId,
        queue: QueueId,
        customer: CustomerId,
    ) -> Result<ChatOpened, LiveError> {
        let queue = self
            .configuration(org, move |o: &mut Org| Box::pin(o.email_queue(queue)))
            .await?;
        let customer = self.inner.store.customer(org, customer).await?;
        self.enter(org, Channel::Email, queue, customer, Lang::He)
            .await
    }

    /// An offered call rang out at the agent's phone or the phone refused it
    /// (busy, declined): the agent goes not ready and the call goes back to
    /// its place in the queue, offered to the next agent.
    pub async fn ring_out(
        &self,
        org: OrgId,
        user: UserId,
        call: InteractionId,
    ) -> Result<(), LiveError> {
        self.call(org, move |o: &mut Org| Box::pin(o.ring_out(user, call)))
            .await
    }

    /// An agent's phone registered (the agent can be offered one call at a
    /// time) or its last registration went away (no calls). Announced as
    /// [`LiveEvent::Phone`] and shown on the wallboard.
    pub async fn set_phone(
        &self,
        org: OrgId,
        user: UserId,
        registered: bool,
    ) -> Result<(), LiveError> {
        self.call(org, move |o: &mut Org| {
            Box::pin(o.set_phone(user, registered))
        })
        .await
    }

    /// Registers the phone channel's REFER for call transfers (see
    /// [`Live::transfer`]); a phone channel started again replaces it.
    pub fn set_call_transfers(
        &self,
        refer: impl Fn(
            OrgId,
            UserId,
            InteractionId,
        ) -> Pin<Box<dyn Future<Output = Result<(), LiveError>> + Send>>
        + Send
        + Sync
        + 'static,
    ) {
        *lock(&self.inner.call_transfers) = Some(Arc::new(refer));
    }

    /// The phone calls waiting in a queue or ringing an agent. A phone
    /// channel starting up ends these: the previous process that held their
    /// callers' INVITEs is gone.
    pub async fn waiting_calls(&self, org: OrgId) -> Result<Vec<InteractionId>, LiveError> {
        self.call(org, |o: &mut Org| Box::pin(o.waiting_calls()))
            .await
    }

    /// Records a contact of `channel` with its `queued` step and routes it.
    async fn enter(
        &self,
        org: OrgId,
        channel: Channel,
        queue: QueueId,
        customer: Customer,
        lang: Lang,
    ) -> Result<ChatOpened, LiveError> {
        let created_at = self.inner.clock.now();
        let new = NewInteraction {
            channel,
            queue,
            customer: Some(customer.id),
            created_at,
        };
        let entry = TimelineEntry {
            at: created_at,
            step: TimelineStep::Queued { queue },
        };
        let entries = self.handle(org).await?.entries;
        let interaction = entries.open(new, entry).await?;
        let chat = NewChat {
            id: interaction.id,
            queue,
            customer: customer.id,
            customer_name: customer.details.name.clone(),
            lang,
            created_at,
        };
        let status = self
            .call(org, move |o: &mut Org| Box::pin(o.route_new(chat)))
            .await?;
        Ok(ChatOpened {
            chat: interaction.id,
            customer: customer.id,
            status,
        })
    }

    /// Stores a customer's message (once per idempotency key) and relays it.
    pub async fn customer_message(
        &self,
        org: OrgId,
        chat: InteractionId,
        body: String,
        idempotency_key: String,
    ) -> Result<ChatMessage, LiveError> {
        check_body(&body)?;
        check_key(&idempotency_key)?;
        let handle = self.handle(org).await?;
        let route = self.open_route(org, &handle, chat).await?;
        self.store_message(
            &handle,
            org,
            route,
            chat,
            Sender::Customer,
            body,
            idempotency_key,
        )
        .await
    }

    /// Tells the agent the customer is typing.
    pub async fn customer_typing(&self, org: OrgId, chat: InteractionId) -> Result<(), LiveError> {
        let handle = self.handle(org).await?;
        let route = self.open_route(org, &handle, chat).await?;
        let _ = handle.events.send(LiveEvent::Typing {
            chat,
            agent: route.agent,
            from: Party::Customer,
        });
        Ok(())
    }

    /// The customer closes the chat: a waiting chat is abandoned, a
    /// connected one ends (and its agent wraps up). Ending an ended chat is
    /// not an error.
    pub async fn customer_end(&self, org: OrgId, chat: InteractionId) -> Result<(), LiveError> {
        self.call(org, move |o: &mut Org| Box::pin(o.customer_end(chat)))
            .await
    }

    /// Records the customer's satisfaction answer (1–5 and a comment) once
    /// the chat has ended; a chat is rated once.
    pub async fn rate(
        &self,
        org: OrgId,
        chat: InteractionId,
        score: u8,
        comment: String,
    ) -> Result<(), LiveError> {
        if !(1..=5).contains(&score) {
            return Err(LiveError::invalid("score", "must be from 1 to 5"));
        }
        if comment.chars().count() > MAX_MESSAGE_CHARS {
            return Err(LiveError::invalid(
                "comment",
                format!("must be at most {MAX_MESSAGE_CHARS} characters"),
            ));
        }
        self.call(org, move |o: &mut Org| {
            Box::pin(o.rate(chat, score, comment))
        })
        .await
    }

    /// Where a chat stands: place in line and estimated wait, offered,
    /// connected (with the agent's name) or ended.
    pub async fn chat_status(
        &self,
        org: OrgId,
        chat: InteractionId,
    ) -> Result<ChatStatus, LiveError> {
        self.call(org, move |o: &mut Org| Box::pin(o.chat_status(chat)))
            .await
    }

    // ----- agent side -------------------------------------------------------

    /// Sets an agent's presence (kept in the store and restored on restart).
    pub async fn set_presence(
        &self,
        org: OrgId,
        user: UserId,
        presence: PresenceRequest,
    ) -> Result<(), LiveError> {
        self.call(org, move |o: &mut Org| {
            Box::pin(o.set_presence(user, presence))
        })
        .await
    }

    /// The agent takes a chat offered to them.
    pub async fn accept(
        &self,
        org: OrgId,
        user: UserId,
        chat: InteractionId,
    ) -> Result<(), LiveError> {
        self.call(org, move |o: &mut Org| Box::pin(o.accept(user, chat)))
            .await
    }

    /// The agent declines an offer: the chat goes back to its place in line.
    pub async fn reject(
        &self,
        org: OrgId,
        user: UserId,
        chat: InteractionId,
    ) -> Result<(), LiveError> {
        self.call(org, move |o: &mut Org| Box::pin(o.reject(user, chat)))
            .await
    }

    /// Stores an agent's message in a chat they hold and relays it.
    pub async fn agent_message(
        &self,
        org: OrgId,
        user: UserId,
        chat: InteractionId,
        body: String,
        idempotency_key: String,
    ) -> Result<ChatMessage, LiveError> {
        check_body(&body)?;
        check_key(&idempotency_key)?;
        let handle = self.handle(org).await?;
        let route = held_route(&handle, user, chat, &[Stage::Connected])?;
        self.store_message(
            &handle,
            org,
            route,
            chat,
            Sender::Agent(user),
            body,
            idempotency_key,
        )
        .await
    }

    /// Tells the customer the agent is typing.
    pub async fn agent_typing(
        &self,
        org: OrgId,
        user: UserId,
        chat: InteractionId,
    ) -> Result<(), LiveError> {
        let handle = self.handle(org).await?;
        held_route(&handle, user, chat, &[Stage::Connected])?;
        let _ = handle.events.send(LiveEvent::Typing {
            chat,
            agent: Some(user),
            from: Party::Agent,
        });
        Ok(())
    }

    /// Stores an internal note (never shown to the customer) in a chat the
    /// agent holds, during the chat or its wrap-up.
    pub async fn note(
        &self,
        org: OrgId,
        user: UserId,
        chat: InteractionId,
        body: String,
    ) -> Result<ChatMessage, LiveError> {
        check_body(&body)?;
        let handle = self.handle(org).await?;
        let route = held_route(&handle, user, chat, &[Stage::Connected, Stage::WrapUp])?;
        let now = self.inner.clock.now();
        let seq = self.inner.note_seq.fetch_add(1, Ordering::Relaxed);
        let key = format!("note-{user}-{}-{seq}", now.as_microsecond());
        self.store_message(&handle, org, route, chat, Sender::Note(user), body, key)
            .await
    }

    /// Moves a chat the agent holds to a queue or to another agent; the
    /// customer gets a system message. A phone call is first handed to the
    /// phone channel ([`Live::set_call_transfers`]); without one, or when
    /// the caller's phone refuses, the call stays and the error says why.
    pub async fn transfer(
        &self,
        org: OrgId,
        user: UserId,
        chat: InteractionId,
        to: TransferTarget,
    ) -> Result<(), LiveError> {
        let voice = self
            .call(org, move |o: &mut Org| Box::pin(o.holds_call(user, chat)))
            .await?;
        if voice {
            let refer = lock(&self.inner.call_transfers).clone();
            let refer = refer
                .ok_or_else(|| LiveError::conflict("no phone channel to transfer the call"))?;
            refer(org, user, chat).await?;
        }
        self.call(org, move |o: &mut Org| Box::pin(o.transfer(user, chat, to)))
            .await
    }

    /// The agent ends a chat they hold; their wrap-up begins.
    pub async fn end(
        &self,
        org: OrgId,
        user: UserId,
        chat: InteractionId,
    ) -> Result<(), LiveError> {
        self.call(org, move |o: &mut Org| Box::pin(o.end(user, chat)))
            .await
    }

    /// The agent wraps up an ended chat with a code, freeing the slot.
    pub async fn wrap_up(
        &self,
        org: OrgId,
        user: UserId,
        chat: InteractionId,
        code: WrapUpCodeId,
    ) -> Result<(), LiveError> {
        self.call(org, move |o: &mut Org| {
            Box::pin(o.wrap_up(user, chat, code))
        })
        .await
    }

    /// What the agent's desktop shows: state, offers ringing, chats held.
    pub async fn agent_desk(&self, org: OrgId, user: UserId) -> Result<AgentDesk, LiveError> {
        self.call(org, move |o: &mut Org| Box::pin(o.agent_desk(user)))
            .await
    }

    // ----- supervisor -------------------------------------------------------

    /// Today's figures per queue and agent (definitions in the crate doc).
    pub async fn wallboard(&self, org: OrgId) -> Result<Wallboard, LiveError> {
        self.call(org, |o: &mut Org| Box::pin(o.wallboard())).await
    }

    /// Every agent of the live center (users who take chats) with their
    /// state now: the colleagues a chat can be transferred to.
    pub async fn agents(&self, org: OrgId) -> Result<Vec<AgentBoard>, LiveError> {
        self.call(org, |o: &mut Org| Box::pin(o.agents())).await
    }

    /// One agent's day.
    pub async fn agent_detail(&self, org: OrgId, user: UserId) -> Result<AgentDetail, LiveError> {
        self.call(org, move |o: &mut Org| Box::pin(o.agent_detail(user)))
            .await
    }

    // ----- plumbing ---------------------------------------------------------

    /// Runs `job` on the organization's actor and returns its answer, once
    /// what the job and the jobs before it changed is committed.
    async fn call<T, F>(&self, org: OrgId, job: F) -> Result<T, LiveError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Org) -> BoxFuture<'a, Result<T, LiveError>> + Send + 'static,
    {
        self.call_as(org, Reply::AfterCommit, job).await
    }

    /// Runs a job that only reads the actor's configuration (its queues),
    /// which no commit changes: answered at once, so a contact entering
    /// does not wait for the round's commit before it can be recorded.
    async fn configuration<T, F>(&self, org: OrgId, job: F) -> Result<T, LiveError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Org) -> BoxFuture<'a, Result<T, LiveError>> + Send + 'static,
    {
        self.call_as(org, Reply::Now, job).await
    }

    async fn call_as<T, F>(&self, org: OrgId, when: Reply, job: F) -> Result<T, LiveError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Org) -> BoxFuture<'a, Result<T, LiveError>> + Send + 'static,
    {
        let handle = self.handle(org).await?;
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |o: &mut Org| {
            Box::pin(async move {
                let result = job(o).await;
                if when == Reply::Now {
                    let _ = reply.send(result);
                    return;
                }
                o.answer(Box::new(move |failed: Option<&LiveError>| {
                    let _ = reply.send(match failed {
                        Some(error) => Err(uncommitted(error)),
                        None => result,
                    });
                }));
            })
        });
        handle
            .jobs
            .send(job)
            .await
            .map_err(|_| LiveError::Stopped)?;
        answer.await.map_err(|_| LiveError::Stopped)?
    }

    fn sender(&self, org: OrgId) -> broadcast::Sender<LiveEvent> {
        let mut senders = lock(&self.inner.senders);
        senders
            .entry(org)
            .or_insert_with(|| broadcast::Sender::new(EVENT_CAPACITY))
            .clone()
    }

    /// The organization's actor, started (and rebuilt) on first use.
    async fn handle(&self, org: OrgId) -> Result<OrgHandle, LiveError> {
        if let Some(handle) = lock(&self.inner.orgs).get(&org) {
            return Ok(handle.clone());
        }
        let _starting = self.inner.starting.lock().await;
        if let Some(handle) = lock(&self.inner.orgs).get(&org) {
            return Ok(handle.clone());
        }
        let organization = match self.inner.store.organization(org).await {
            Err(StoreError::NotFound { .. }) => {
                return Err(LiveError::NotFound {
                    entity: "organization",
                });
            }
            other => other?,
        };
        let events = self.sender(org);
        let routes = Routes::default();
        let phones = lock(&self.inner.phones).entry(org).or_default().clone();
        let state = rebuild::load(
            self.inner.store.clone(),
            self.inner.clock.clone(),
            self.inner.config,
            organization,
            events.clone(),
            routes.clone(),
            phones,
        )
        .await?;
        let (jobs, inbox) = mpsc::channel(JOB_CAPACITY);
        tokio::spawn(state.run(inbox));
        let handle = OrgHandle {
            jobs,
            entries: Entries::start(self.inner.store.clone(), org),
            events,
            routes,
        };
        lock(&self.inner.orgs).insert(org, handle.clone());
        Ok(handle)
    }

    /// The chat's route when the customer may still write in it.
    async fn open_route(
        &self,
        org: OrgId,
        handle: &OrgHandle,
        chat: InteractionId,
    ) -> Result<Route, LiveError> {
        let route = read(&handle.routes).get(&chat).copied();
        match route {
            Some(route) if route.stage != Stage::WrapUp => Ok(route),
            Some(_) => Err(LiveError::conflict("the chat has ended")),
            None => match self.inner.store.interaction(org, chat).await {
                Ok(_) => Err(LiveError::conflict("the chat has ended")),
                Err(StoreError::NotFound { .. }) => Err(LiveError::NotFound { entity: "chat" }),
                Err(error) => Err(error.into()),
            },
        }
    }

    /// Stores a message from the caller's task and relays it if it is new.
    #[allow(clippy::too_many_arguments)]
    async fn store_message(
        &self,
        handle: &OrgHandle,
        org: OrgId,
        route: Route,
        chat: InteractionId,
        sender: Sender,
        body: String,
        idempotency_key: String,
    ) -> Result<ChatMessage, LiveError> {
        let message = NewMessage {
            interaction: chat,
            sender,
            body,
            idempotency_key,
            sent_at: self.inner.clock.now(),
        };
        match self.inner.store.insert_message(org, &message).await? {
            MessageInsert::Stored(stored) => {
                let _ = handle.events.send(LiveEvent::Message {
                    chat,
                    agent: route.agent,
                    message: stored.clone(),
                });
                Ok(stored)
            }
            MessageInsert::AlreadyStored(stored) => Ok(stored),
        }
    }
}

/// The chat's route when `user` holds it in one of `stages`.
fn held_route(
    handle: &OrgHandle,
    user: UserId,
    chat: InteractionId,
    stages: &[Stage],
) -> Result<Route, LiveError> {
    let route = read(&handle.routes)
        .get(&chat)
        .copied()
        .ok_or(LiveError::NotFound { entity: "chat" })?;
    if route.agent != Some(user) || !stages.contains(&route.stage) {
        return Err(LiveError::invalid("chat", "you do not hold this chat"));
    }
    Ok(route)
}

/// The customer who gave the contact's phone number, or a new one; the
/// store makes it atomic, so two first contacts at once from one number
/// make one customer.
async fn find_or_create_customer(
    store: &dyn Store,
    org: OrgId,
    name: &str,
    open: &OpenChat,
) -> Result<Customer, LiveError> {
    let details = NewCustomer {
        name: name.to_owned(),
        phones: open.phone.iter().cloned().collect(),
        emails: Vec::new(),
        israeli_id: None,
        tier: CustomerTier::Standard,
        notes: String::new(),
    };
    Ok(match &open.phone {
        Some(phone) => {
            store
                .find_or_create_customer_by_phone(org, phone, &details)
                .await?
        }
        None => store.create_customer(org, &details).await?,
    })
}

/// When a job is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reply {
    /// After the commit of the actor's round (see the `actor` module).
    AfterCommit,
    /// As soon as it has run: it changed nothing and read nothing a
    /// commit could take back.
    Now,
}

/// The error a job answers when the commit of its round failed: the
/// job's own outcome was never stored.
fn uncommitted(error: &LiveError) -> LiveError {
    LiveError::Store(StoreError::Backend(
        format!("the change was not stored: {error}").into(),
    ))
}

fn check_body(body: &str) -> Result<(), LiveError> {
    if body.trim().is_empty() {
        return Err(LiveError::invalid("body", "a message cannot be empty"));
    }
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(LiveError::invalid(
            "body",
            format!("must be at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    Ok(())
}

fn check_key(key: &str) -> Result<(), LiveError> {
    let most = moked_store::validate::MAX_IDEMPOTENCY_KEY_CHARS;
    if key.trim().is_empty() || key.chars().count() > most {
        return Err(LiveError::invalid(
            "idempotency_key",
            format!("must be 1 to {most} characters"),
        ));
    }
    Ok(())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn read(
    routes: &Routes,
) -> std::sync::RwLockReadGuard<'_, HashMap<InteractionId, Route>> {
    routes
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

mod offers;
