//! The live contact center: the routing engine as the single writer of each
//! organization, with persistence, restart rebuild and live events.
//!
//! # Design
//!
//! - **One actor per organization.** A tokio task (module `actor`) owns the
//!   organization's [`moked_routing::Engine`], the maps between store ids
//!   and engine ids (queues, agents, skills, interactions ⇄ contacts), the
//!   open chats and today's statistics. [`Live`] methods send it a job over
//!   an mpsc channel and await the answer on a oneshot; jobs run one at a
//!   time, so the engine has a single writer and needs no lock. Between
//!   jobs the actor sleeps (through the [`Clock`]) until the engine's next
//!   deadline (an offer's ring timeout, a wrap-up's end) and advances it;
//!   every job also fires the timers that are due first, so a test with a
//!   [`ManualClock`] sees them fire without waiting.
//! - **Engine time** is Unix microseconds from the clock; if the clock steps
//!   back the actor keeps the engine's last time (the engine refuses to go back).
//! - **Nothing acknowledged is lost.** A job changes the engine, turns its
//!   events into store records (events of kind `routing.<event>` with store
//!   ids in the payload; the matching timeline steps; presences the engine
//!   changed; system messages), commits them in one transaction
//!   (`Store::write_live_batch`), and only then updates today's statistics,
//!   broadcasts and answers. Group commit: the jobs already waiting when the
//!   actor takes one run in a round whose batches are committed together,
//!   before any of them is answered or broadcast. If a commit fails, the
//!   actor rebuilds its whole state from the store, which then holds the
//!   truth, and the callers get [`LiveError::Store`].
//! - **Messages skip the actor.** Storing a message is a database commit
//!   (an fsync); serialising those through the actor would make every
//!   chat wait for every other. The actor publishes, per organization, a
//!   small shared map `chat → (agent, open)` behind a `std::sync::RwLock`;
//!   `customer_message`, `agent_message`, `note` and the typing calls check
//!   it and store from the caller's task. Order within a chat is the
//!   store's (message ids), and retries are stored once by idempotency key
//!   (a retry returns the stored message and is not broadcast again).
//!   `open_chat` likewise finds or creates the customer (atomically per
//!   phone number) in the caller's task and has the interaction recorded
//!   with its `queued` step (module `entries`: the contacts arriving
//!   together share one transaction), then asks the actor to route it.
//! - **Restart rebuild** (module `rebuild`): per organization, queues, agents and
//!   wrap-up codes are loaded; today's `routing.*` events are replayed into
//!   the statistics (which also tells which chats were in wrap-up); open
//!   interactions are read with their timelines. Waiting chats re-enter the
//!   engine at the time they began waiting (their original `created_at`
//!   unless transferred since), oldest first, so waits and FIFO order are
//!   kept; a chat transferred to an agent waits for that agent again;
//!   connected chats go back to their agent (`Engine::restore_connected`),
//!   chats in wrap-up too (the wrap-up restarts in full); ringing offers
//!   are offered again. Agents then get their last presence back; only the
//!   events of that last step are persisted, and of those only what is new
//!   (offers of waiting chats to agents who log back in; an agent state the
//!   log already has is not logged again, so time in state goes on). The
//!   events of rebuilding itself are not persisted again, so nothing is
//!   counted twice. An agent the replayed log does not mention keeps its
//!   stored presence and the time it was chosen. `reload` (after an admin
//!   change) is the same rebuild; what only memory held is reset: wrap-up
//!   timers restart in full, codes picked but not yet applied are dropped,
//!   and system messages of rebuilt chats are in Hebrew (a chat's language
//!   is not stored; the texts are in module `notices`).
//! - **Positions.** A chat is told its place when it enters a queue or goes
//!   back to it; when chats leave a queue, the others waiting in it are told
//!   their new places at most every 2 s per queue (the widget can also ask
//!   `chat_status`).
//! - **Agents** are the users with a chat capacity above zero (their
//!   `agent_capacities`; 3 chats when none is set and the role is agent);
//!   store skill levels 1–10 become engine proficiencies 1–5 (`ceil(level/2)`).
//!   A queue's skill becomes a requirement at level 1; its priority becomes
//!   a score weight of one day of waiting per step, so a higher-priority
//!   queue is served first; wrap-up and offer timeout of 0 take
//!   [`LiveConfig`]'s defaults.
//! - **Calls** (the SIP channel, crate `moked-sip`) are contacts of voice
//!   queues and go through the same jobs as chats: [`Live::open_call`]
//!   records and routes one (the caller matched to a customer by number),
//!   offers are the same [`LiveEvent::Offer`], the phone's answer is
//!   `accept`, the caller's hang-up or CANCEL `customer_end` (an
//!   abandonment while waiting), the agent's hang-up `end`. A phone that
//!   rings out or refuses is [`Live::ring_out`]: the agent goes not ready
//!   and the call back to its place. Every agent has one voice slot in its
//!   spec, open only while a phone is registered ([`Live::set_phone`],
//!   kept across rebuilds since registrations live in the registrar's
//!   memory; [`LiveEvent::Phone`] and `AgentBoard::phone` show it). Calls
//!   do not survive a restart (their SIP transactions are gone): a rebuild
//!   skips open voice interactions.
//!
//! # Performance
//!
//! `cargo bench -p moked-live --bench live_load` opens `MOKED_BENCH_CHATS`
//! chats (default 5,000; agents with 3 chats each) from
//! `MOKED_BENCH_CONCURRENCY` callers on a SQLite file, has them accepted,
//! and relays one customer message per chat. On the 2-core development
//! machine (shared with other builds, so upper bounds): 3,000 chats from 2
//! callers (about 220 new chats a second): contact to offer p50 6.6 ms,
//! p99 54 ms; message relay p50 1.6 ms, p99 22 ms. 5,000 chats from 8
//! callers (the store's write rate, about 300 new chats a second): offer
//! p99 160 ms, relay p99 32 ms. A new chat costs five commits (customer,
//! interaction, `queued` step, then in the actor the events and the
//! `offered` step); the single SQLite writer is the limit, not the actor.
//!
//! # Wallboard definitions
//!
//! "Today" is the organization's calendar day (its time zone, default
//! `Asia/Jerusalem`). *Offered*: chats entering the queue (arrivals and
//! transfers in). *Answered*: chats an agent accepted (connected); the
//! answer time is the wait plus the ring. *Abandoned*: chats the customer
//! left before an agent took them. *Service level* = answered within the
//! queue's threshold ÷ (answered + abandoned after the threshold); chats
//! abandoned within the threshold count in neither. *ASA*: mean answer
//! time of answered chats. The 30-minute service level uses the answers
//! and abandons of the last 30 minutes.

mod actor;
mod api;
mod clock;
mod entries;
mod error;
mod live;
mod notices;
mod rebuild;
mod stats;

pub use api::{
    AgentActivity, AgentBoard, AgentDesk, AgentDetail, ChatOpened, ChatStatus, DeskChat, DeskOffer,
    EndedBy, IntervalStats, Lang, LiveConfig, LiveEvent, NotReadyReason, OpenCall, OpenChat, Party,
    PresenceRequest, QueueBoard, StateTime, TransferTarget, Wallboard,
};
pub use clock::{Clock, ManualClock, Sleep, SystemClock};
pub use error::LiveError;
pub use live::Live;
pub use moked_store::ChatMessage;

/// The longest chat message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4_000;
