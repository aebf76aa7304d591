//! Delivers each organization's live events to the WebSockets that may see
//! them, serialising every event once.
//!
//! One dispatcher task per organization takes the events from
//! `Live::subscribe` and looks up who follows them: a chat's customer
//! sockets by chat, staff sockets by the agents an event names and the
//! chats they follow, supervisors for floor-wide events. Only those
//! subscribers are touched, so a busy center with thousands of open
//! sockets costs per event what its few recipients cost, not a wake-up and
//! a JSON encoding per socket. The visibility rules themselves stay in
//! [`StaffView::sees`] and [`customer_sees`].
//!
//! A subscriber whose queue is full misses events: it is marked lagged and
//! its socket sends `{"type":"resync"}` once it has drained what it holds,
//! as the broadcast it replaces did.

use crate::api::ws::{StaffView, customer_sees, for_customer};
use axum::extract::ws::Utf8Bytes;
use moked_live::{Live, LiveEvent};
use moked_store::{InteractionId, OrgId};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc};

/// Frames one socket may hold before it counts as lagging.
const SOCKET_QUEUE: usize = 256;

/// The fan-out of every organization, created on first use.
pub struct Fanout {
    live: Live,
    orgs: Mutex<HashMap<OrgId, Arc<Shared>>>,
    next_id: AtomicU64,
}

/// What a socket reads its frames from; unsubscribes when dropped.
pub struct Subscription {
    frames: mpsc::Receiver<Utf8Bytes>,
    lagged: Arc<AtomicBool>,
    shared: Arc<Shared>,
    id: u64,
}

impl Subscription {
    /// The next frame to send; `None` when the organization's events ended.
    pub async fn next(&mut self) -> Option<Utf8Bytes> {
        self.frames.recv().await
    }

    /// Whether events were dropped since the last call, once the socket has
    /// sent all it holds (then it should tell its client to resync).
    pub fn take_lag(&mut self) -> bool {
        self.frames.is_empty() && self.lagged.swap(false, Ordering::Relaxed)
    }

    /// Makes a staff subscriber follow chats it already holds (read after
    /// subscribing, so no event falls between the two).
    pub fn follow(&self, chats: impl IntoIterator<Item = i64>) {
        self.shared.registry().follow(self.id, chats);
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.shared.registry().remove(self.id);
    }
}

impl Fanout {
    /// The fan-out over a live center's events.
    pub fn new(live: Live) -> Fanout {
        Fanout {
            live,
            orgs: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
        }
    }

    /// Follows events for staff: `view` decides which.
    pub fn staff(&self, org: OrgId, view: StaffView) -> Subscription {
        self.subscribe(org, |registry, id, sink| {
            registry.add_staff(id, StaffSocket { view, sink })
        })
    }

    /// Follows one chat's events for its customer.
    pub fn customer(&self, org: OrgId, chat: InteractionId) -> Subscription {
        self.subscribe(org, |registry, id, sink| {
            registry.add_customer(id, chat, sink)
        })
    }

    fn subscribe(&self, org: OrgId, add: impl FnOnce(&mut Registry, u64, Sink)) -> Subscription {
        let shared = self.shared(org);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, frames) = mpsc::channel(SOCKET_QUEUE);
        let lagged = Arc::new(AtomicBool::new(false));
        let sink = Sink {
            sender,
            lagged: lagged.clone(),
        };
        add(&mut shared.registry(), id, sink);
        Subscription {
            frames,
            lagged,
            shared,
            id,
        }
    }

    fn shared(&self, org: OrgId) -> Arc<Shared> {
        let mut orgs = self
            .orgs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        orgs.entry(org)
            .or_insert_with(|| {
                let shared = Arc::new(Shared::default());
                tokio::spawn(dispatch(self.live.subscribe(org), shared.clone()));
                shared
            })
            .clone()
    }
}

/// One organization's subscribers, shared by its dispatcher and sockets.
#[derive(Default)]
struct Shared {
    registry: Mutex<Registry>,
}

impl Shared {
    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Where a subscriber's frames go.
struct Sink {
    sender: mpsc::Sender<Utf8Bytes>,
    lagged: Arc<AtomicBool>,
}

impl Sink {
    fn deliver(&self, frame: &Utf8Bytes) {
        if self.sender.try_send(frame.clone()).is_err() {
            self.lagged.store(true, Ordering::Relaxed);
        }
    }
}

struct StaffSocket {
    view: StaffView,
    sink: Sink,
}

/// The subscribers and the indexes that find an event's recipients.
#[derive(Default)]
struct Registry {
    staff: HashMap<u64, StaffSocket>,
    customers: HashMap<u64, (InteractionId, Sink)>,
    staff_by_user: HashMap<i64, HashSet<u64>>,
    staff_by_chat: HashMap<i64, HashSet<u64>>,
    supervisors: HashSet<u64>,
    customers_by_chat: HashMap<i64, HashSet<u64>>,
}

/// Event fields that name an agent who sees the event.
const AGENT_FIELDS: [&str; 3] = ["agent", "from_agent", "to_agent"];

impl Registry {
    fn add_staff(&mut self, id: u64, socket: StaffSocket) {
        if let Some(user) = socket.view.user() {
            self.staff_by_user.entry(user).or_default().insert(id);
        }
        if socket.view.is_supervisor() {
            self.supervisors.insert(id);
        }
        self.staff.insert(id, socket);
    }

    fn follow(&mut self, id: u64, chats: impl IntoIterator<Item = i64>) {
        let Some(socket) = self.staff.get_mut(&id) else {
            return;
        };
        for chat in chats {
            socket.view.follow(chat);
            self.staff_by_chat.entry(chat).or_default().insert(id);
        }
    }

    fn add_customer(&mut self, id: u64, chat: InteractionId, sink: Sink) {
        self.customers_by_chat.entry(chat.0).or_default().insert(id);
        self.customers.insert(id, (chat, sink));
    }

    fn remove(&mut self, id: u64) {
        if let Some((chat, _)) = self.customers.remove(&id) {
            unindex(&mut self.customers_by_chat, chat.0, id);
        }
        if let Some(socket) = self.staff.remove(&id) {
            if let Some(user) = socket.view.user() {
                unindex(&mut self.staff_by_user, user, id);
            }
            for chat in socket.view.chats() {
                unindex(&mut self.staff_by_chat, chat, id);
            }
            self.supervisors.remove(&id);
        }
    }

    fn dispatch(&mut self, event: &Value) {
        let chat = event["chat"].as_i64();
        if let Some(chat) = chat {
            self.deliver_to_customers(chat, event);
        }
        self.deliver_to_staff(chat, event);
    }

    fn deliver_to_customers(&self, chat: i64, event: &Value) {
        let Some(ids) = self.customers_by_chat.get(&chat) else {
            return;
        };
        let frame: Utf8Bytes = for_customer(event.clone()).to_string().into();
        for id in ids {
            if let Some((chat, sink)) = self.customers.get(id)
                && customer_sees(*chat, event)
            {
                sink.deliver(&frame);
            }
        }
    }

    fn deliver_to_staff(&mut self, chat: Option<i64>, event: &Value) {
        let candidates = self.staff_candidates(chat, event);
        let mut frame: Option<Utf8Bytes> = None;
        for id in candidates {
            let Some(socket) = self.staff.get_mut(&id) else {
                continue;
            };
            let followed = chat.is_some_and(|chat| socket.view.follows(chat));
            let sees = socket.view.sees(event);
            let follows = chat.is_some_and(|chat| socket.view.follows(chat));
            if sees {
                let frame = frame.get_or_insert_with(|| event.to_string().into());
                socket.sink.deliver(frame);
            }
            if let Some(chat) = chat
                && followed != follows
            {
                if follows {
                    self.staff_by_chat.entry(chat).or_default().insert(id);
                } else {
                    unindex(&mut self.staff_by_chat, chat, id);
                }
            }
        }
    }

    /// Every staff socket the event could concern; `sees` decides.
    fn staff_candidates(&self, chat: Option<i64>, event: &Value) -> HashSet<u64> {
        let mut candidates = HashSet::new();
        for field in AGENT_FIELDS {
            if let Some(ids) = event[field]
                .as_i64()
                .and_then(|u| self.staff_by_user.get(&u))
            {
                candidates.extend(ids);
            }
        }
        if let Some(ids) = chat.and_then(|chat| self.staff_by_chat.get(&chat)) {
            candidates.extend(ids);
        }
        let is_ticket = matches!(event["type"].as_str(), Some("ticket" | "sla"));
        if is_ticket {
            // Ticket events list everyone they concern in `agents`.
            let named = event["agents"].as_array().map(Vec::as_slice);
            let users = named.unwrap_or_default().iter().filter_map(Value::as_i64);
            for ids in users.filter_map(|u| self.staff_by_user.get(&u)) {
                candidates.extend(ids);
            }
        }
        if is_ticket
            || matches!(
                event["type"].as_str(),
                Some("agent_state" | "phone" | "wallboard_changed")
            )
        {
            candidates.extend(&self.supervisors);
        }
        candidates
    }

    fn mark_all_lagged(&self) {
        let staff = self.staff.values().map(|socket| &socket.sink);
        let customers = self.customers.values().map(|(_, sink)| sink);
        for sink in staff.chain(customers) {
            sink.lagged.store(true, Ordering::Relaxed);
        }
    }

    fn is_empty(&self) -> bool {
        self.staff.is_empty() && self.customers.is_empty()
    }
}

fn unindex(index: &mut HashMap<i64, HashSet<u64>>, key: i64, id: u64) {
    if let Some(ids) = index.get_mut(&key) {
        ids.remove(&id);
        if ids.is_empty() {
            index.remove(&key);
        }
    }
}

/// Serialises each event once and hands it to its recipients.
async fn dispatch(mut events: broadcast::Receiver<LiveEvent>, shared: Arc<Shared>) {
    loop {
        match events.recv().await {
            Ok(event) => {
                let mut registry = shared.registry();
                if registry.is_empty() {
                    continue;
                }
                let value = serde_json::to_value(&event).unwrap_or(Value::Null);
                registry.dispatch(&value);
            }
            Err(RecvError::Lagged(_)) => shared.registry().mark_all_lagged(),
            Err(RecvError::Closed) => break,
        }
    }
    // Dropping the sinks ends every socket's stream.
    let mut registry = shared.registry();
    registry.staff.clear();
    registry.customers.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use moked_store::Role;
    use serde_json::json;

    fn sink(capacity: usize) -> (Sink, mpsc::Receiver<Utf8Bytes>, Arc<AtomicBool>) {
        let (sender, frames) = mpsc::channel(capacity);
        let lagged = Arc::new(AtomicBool::new(false));
        let sink = Sink {
            sender,
            lagged: lagged.clone(),
        };
        (sink, frames, lagged)
    }

    fn received(frames: &mut mpsc::Receiver<Utf8Bytes>) -> Vec<Value> {
        std::iter::from_fn(|| frames.try_recv().ok())
            .map(|frame| serde_json::from_str(frame.as_str()).expect("JSON frame"))
            .collect()
    }

    fn staff(registry: &mut Registry, id: u64, user: i64, role: Role) -> mpsc::Receiver<Utf8Bytes> {
        let (sink, frames, _) = sink(16);
        let view = StaffView::new(Some(user), role, []);
        registry.add_staff(id, StaffSocket { view, sink });
        frames
    }

    #[test]
    fn a_customer_gets_its_own_chat_without_staff_ids_or_notes() {
        let mut registry = Registry::default();
        let (sink, mut frames, _) = sink(16);
        registry.add_customer(1, InteractionId(5), sink);
        let reply = json!({"type": "message", "chat": 5, "agent": 7,
            "message": {"sender": {"kind": "agent", "user": 7}, "body": "שלום, איך אפשר לעזור?"}});
        let note = json!({"type": "message", "chat": 5, "agent": 7,
            "message": {"sender": {"kind": "note", "user": 7}, "body": "לקוח עצבני"}});
        registry.dispatch(&reply);
        registry.dispatch(&note);
        registry.dispatch(&json!({"type": "message", "chat": 6, "agent": 7, "message": {}}));
        let got = received(&mut frames);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0]["message"]["body"], "שלום, איך אפשר לעזור?");
        assert!(got[0].get("agent").is_none(), "staff ids stripped");
    }

    #[test]
    fn an_agent_follows_a_chat_from_connect_to_wrap_up() {
        let mut registry = Registry::default();
        let mut agent = staff(&mut registry, 1, 7, Role::Agent);
        let mut other = staff(&mut registry, 2, 8, Role::Agent);
        registry.dispatch(&json!({"type": "chat_connected", "chat": 3, "agent": 7}));
        // Between a transfer and the next connect the chat names no agent:
        // the follower index still finds the agent who had it.
        registry.dispatch(&json!({"type": "message", "chat": 3, "agent": null}));
        registry.dispatch(&json!({"type": "wrap_up_done", "chat": 3, "agent": 7}));
        registry.dispatch(&json!({"type": "message", "chat": 3, "agent": null}));
        assert_eq!(received(&mut agent).len(), 3);
        assert!(received(&mut other).is_empty());
        assert!(
            registry.staff_by_chat.is_empty(),
            "unfollowed after wrap-up"
        );
    }

    #[test]
    fn supervisors_get_floor_events_and_agents_only_their_own_state() {
        let mut registry = Registry::default();
        let mut supervisor = staff(&mut registry, 1, 1, Role::Supervisor);
        let mut agent = staff(&mut registry, 2, 8, Role::Agent);
        registry.dispatch(&json!({"type": "agent_state", "agent": 7, "state": "available"}));
        registry.dispatch(&json!({"type": "wallboard_changed", "queue": 2}));
        registry.dispatch(&json!({"type": "agent_state", "agent": 8, "state": "available"}));
        assert_eq!(received(&mut supervisor).len(), 3);
        assert_eq!(received(&mut agent).len(), 1);
    }

    #[test]
    fn a_full_socket_is_marked_lagged_and_removed_sockets_get_nothing() {
        let mut registry = Registry::default();
        let (sink, mut frames, lagged) = sink(1);
        registry.add_customer(1, InteractionId(5), sink);
        let position = json!({"type": "queue_position", "chat": 5, "position": 2});
        registry.dispatch(&position);
        registry.dispatch(&position);
        assert!(lagged.load(Ordering::Relaxed));
        assert_eq!(received(&mut frames).len(), 1);
        registry.remove(1);
        registry.dispatch(&position);
        assert!(received(&mut frames).is_empty());
        assert!(registry.is_empty() && registry.customers_by_chat.is_empty());
    }
}
