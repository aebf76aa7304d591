//! Calls to the queues: a caller's INVITE is answered 100 and 182 (with its
//! place and estimated wait), enters the live center as a voice contact,
//! and, when an agent is reserved, is forwarded to the agent's phone; the
//! phone's answers come back to the caller. One task per call follows it
//! from the INVITE to the caller's ACK of the answer; the dialog's later
//! requests (BYE above all) are forwarded on their own and end the call in
//! the live center.

use crate::dialog::{Ends, Mark, from_tag};
use crate::proxy::{self, ForwardError, Own};
use crate::registrar::Registrar;
use crate::stateless;
use crate::transfer::{Pending, TRANSFER_PREFIX};
use moked_domain::PhoneE164;
use moked_live::{ChatStatus, Live, LiveError, LiveEvent, OpenCall};
use moked_store::{InteractionId, OrgId, SipRoute, Store, UserId};
use rsipstack::sip::prelude::{HeadersExt, ToTypedHeader};
use rsipstack::sip::{Header, Method, Request, Response, SipMessage, StatusCode, StatusCodeKind};
use rsipstack::transaction::endpoint::EndpointInnerRef;
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transaction::transaction::Transaction;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, broadcast, mpsc};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How long a finished transaction is kept to absorb retransmissions and
/// the ACK of a final answer (64 × T1).
const LINGER: Duration = Duration::from_secs(32);
/// How long an answered call's dialog is remembered without a BYE.
const DIALOG_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Offers to a call not yet registered with its organization's dispatcher
/// that are kept; beyond this the oldest are dropped (they are chats' offers).
const MAX_PENDING: usize = 4096;

/// The calls in progress and what they need.
pub(crate) struct Calls {
    pub live: Live,
    pub store: Arc<dyn Store>,
    pub registrar: Arc<Registrar>,
    pub endpoint: EndpointInnerRef,
    pub own: Own,
    pub max_calls: usize,
    pub retry_after: u32,
    /// The server stopped: calls' tasks let go (a new process takes over).
    pub stop: CancellationToken,
    active: AtomicUsize,
    orgs: Mutex<HashMap<OrgId, Arc<Dispatch>>>,
    /// Answered calls' dialogs by Call-ID, for this server's own requests
    /// in them (a transfer's REFER and BYE).
    pub(crate) ends: Mutex<HashMap<String, Ends>>,
    /// Dialogs this server hung up (a transferred call's old one, an
    /// answer never acknowledged) by Call-ID: their requests are answered here.
    pub(crate) hung_up: Mutex<HashMap<String, Instant>>,
    /// Transfers waiting for the caller's INVITE, by token.
    pub(crate) transfers: Mutex<HashMap<String, Pending>>,
    /// Woken when a caller acknowledges an answer (see [`Ends::confirmed`]).
    pub(crate) confirmations: Notify,
}

/// Counts a call in progress until it is dropped.
struct Active<'a>(&'a AtomicUsize);

impl Drop for Active<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Routes an organization's live events to its calls' tasks.
#[derive(Default)]
struct Dispatch {
    calls: Mutex<HashMap<InteractionId, mpsc::UnboundedSender<LiveEvent>>>,
    /// Events that came before their call registered (the offer can be
    /// broadcast before `open_call` returns).
    pending: Mutex<HashMap<InteractionId, Vec<LiveEvent>>>,
}

impl Dispatch {
    fn register(&self, call: InteractionId) -> mpsc::UnboundedReceiver<LiveEvent> {
        let (sender, receiver) = mpsc::unbounded_channel();
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        let early = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&call);
        for event in early.into_iter().flatten() {
            let _ = sender.send(event);
        }
        calls.insert(call, sender);
        receiver
    }

    fn unregister(&self, call: InteractionId) {
        lock(&self.calls).remove(&call);
    }

    fn deliver(&self, event: LiveEvent) {
        let Some(call) = call_of(&event) else {
            return;
        };
        let calls = lock(&self.calls);
        if let Some(sender) = calls.get(&call) {
            let _ = sender.send(event);
            return;
        }
        let mut pending = lock(&self.pending);
        match event {
            LiveEvent::Offer { .. } => {
                if pending.len() >= MAX_PENDING {
                    pending.clear();
                }
                pending.entry(call).or_default().push(event);
            }
            // The chat moved on: an offer kept for it is no call's.
            _ => {
                pending.remove(&call);
            }
        }
    }
}

/// Passes an organization's live events to its calls until the server
/// stops. A subscriber that falls behind loses the oldest events (a flood
/// of waiting callers' new places can push an `Offer` out): the offers
/// ringing now are then read from the live center and delivered again, so
/// every offered call rings its agent's phone. A call told of the offer it
/// already rings ignores the repeat.
async fn feed(
    dispatch: Arc<Dispatch>,
    mut events: broadcast::Receiver<LiveEvent>,
    live: Live,
    org: OrgId,
    stop: CancellationToken,
) {
    loop {
        let received = tokio::select! {
            _ = stop.cancelled() => return,
            received = events.recv() => received,
        };
        match received {
            Ok(event) => dispatch.deliver(event),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(%org, missed, "SIP calls missed live events; reading the offers again");
                match live.call_offers(org).await {
                    Ok(offers) => offers.into_iter().for_each(|offer| dispatch.deliver(offer)),
                    Err(error) => tracing::warn!(%org, %error, "the ringing offers were not read"),
                }
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

fn call_of(event: &LiveEvent) -> Option<InteractionId> {
    match event {
        LiveEvent::Offer { chat, .. }
        | LiveEvent::OfferWithdrawn { chat, .. }
        | LiveEvent::ChatConnected { chat, .. }
        | LiveEvent::ChatEnded { chat, .. } => Some(*chat),
        _ => None,
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// A refusal of a new call: status and extra headers.
struct Refused(StatusCode, Vec<Header>);

impl From<ForwardError> for Refused {
    fn from(error: ForwardError) -> Refused {
        let status = match error {
            ForwardError::TooManyHops => StatusCode::TooManyHops,
            ForwardError::Loop => StatusCode::LoopDetected,
            ForwardError::Malformed(_) => StatusCode::BadRequest,
            ForwardError::Stack(_) => StatusCode::ServerInternalError,
        };
        Refused(status, Vec::new())
    }
}

/// What an admitted INVITE is.
enum Entry {
    /// A new call to a queue.
    Queue(SipRoute),
    /// A transferred caller calling the transfer address.
    Transfer(Pending),
}

/// The forwarded INVITE ringing an agent's phone.
struct Leg {
    agent: UserId,
    tx: Transaction,
}

/// What the call task does after an event.
enum Next {
    Wait,
    Answered(Box<Leg>),
    Over,
}

impl Calls {
    pub(crate) fn new(
        live: Live,
        store: Arc<dyn Store>,
        registrar: Arc<Registrar>,
        endpoint: EndpointInnerRef,
        max_calls: usize,
        retry_after: u32,
        stop: CancellationToken,
    ) -> Calls {
        let own = Own::new(endpoint.get_addrs());
        Calls {
            live,
            store,
            registrar,
            endpoint,
            own,
            max_calls,
            retry_after,
            stop,
            active: AtomicUsize::new(0),
            orgs: Mutex::new(HashMap::new()),
            ends: Mutex::new(HashMap::new()),
            hung_up: Mutex::new(HashMap::new()),
            transfers: Mutex::new(HashMap::new()),
            confirmations: Notify::new(),
        }
    }

    /// The organization's dispatcher, subscribed before it is returned so
    /// no event of a call opened afterwards is missed.
    fn dispatch(&self, org: OrgId) -> Arc<Dispatch> {
        let mut orgs = lock(&self.orgs);
        if let Some(dispatch) = orgs.get(&org) {
            return dispatch.clone();
        }
        let dispatch = Arc::new(Dispatch::default());
        let events = self.live.subscribe(org);
        tokio::spawn(feed(
            dispatch.clone(),
            events,
            self.live.clone(),
            org,
            self.stop.clone(),
        ));
        orgs.insert(org, dispatch.clone());
        dispatch
    }

    /// Follows a caller's INVITE to the end of its transaction.
    pub(crate) async fn invite(self: Arc<Self>, mut tx: Transaction) {
        self.active.fetch_add(1, Ordering::Relaxed);
        let _active = Active(&self.active);
        let entry = match self.admit(&tx).await {
            Ok(entry) => entry,
            Err(Refused(status, headers)) => {
                finish(&mut tx, status, headers).await;
                return;
            }
        };
        if let Err(error) = tx.send_trying().await {
            tracing::debug!(%error, "100 Trying not sent");
            return;
        }
        let org = match &entry {
            Entry::Queue(route) => route.org,
            Entry::Transfer(pending) => pending.org,
        };
        let dispatch = self.dispatch(org);
        let Some((call, status)) = self.enter(&mut tx, entry).await else {
            return;
        };
        let events = dispatch.register(call);
        let queued = queued_response(&tx, &status);
        if tx.respond(queued).await.is_err() {
            self.abandon(org, call).await;
            dispatch.unregister(call);
            return;
        }
        let answered = self.follow(&mut tx, org, call, events).await;
        // The call's later events (a transfer's offers) are for the
        // caller's next INVITE, not this one.
        dispatch.unregister(call);
        if let Some(leg) = answered {
            self.answered(&mut tx, leg, org, call).await;
        }
    }

    /// The call an admitted INVITE is: a new one in its queue, or a
    /// transferred one calling back; `None` when answered already.
    async fn enter(
        &self,
        tx: &mut Transaction,
        entry: Entry,
    ) -> Option<(InteractionId, ChatStatus)> {
        let (org, entered) = match entry {
            Entry::Queue(route) => {
                let opened = self
                    .live
                    .open_call(route.org, caller(&tx.original, route.queue))
                    .await;
                (route.org, opened.map(|opened| (opened.chat, opened.status)))
            }
            Entry::Transfer(Pending { org, call }) => {
                let status = self.live.chat_status(org, call).await;
                (org, status.map(|status| (call, status)))
            }
        };
        match entered {
            Ok(entered) => Some(entered),
            Err(error) => {
                tracing::warn!(%org, %error, "a call could not enter the queue");
                finish(tx, live_status(&error), Vec::new()).await;
                None
            }
        }
    }

    /// Checks a new call: hops, loops, its address, capacity.
    async fn admit(&self, tx: &Transaction) -> Result<Entry, Refused> {
        let request = &tx.original;
        if self.own.looped(request) {
            return Err(ForwardError::Loop.into());
        }
        if let Ok(header) = request.max_forwards_header()
            && header.value().trim() == "0"
        {
            return Err(ForwardError::TooManyHops.into());
        }
        let not_found = || Refused(StatusCode::NotFound, Vec::new());
        let address = request.uri.user().ok_or_else(not_found)?;
        if address.starts_with(TRANSFER_PREFIX) {
            // A transfer address is claimed once; a stale or guessed one is unknown.
            return self
                .claim_transfer(address)
                .map(Entry::Transfer)
                .ok_or_else(not_found);
        }
        let route = match self.store.sip_route(address).await {
            Ok(Some(route)) => route,
            Ok(None) => return Err(not_found()),
            Err(error) => {
                tracing::warn!(%error, "SIP route lookup failed");
                return Err(Refused(StatusCode::ServerInternalError, Vec::new()));
            }
        };
        if self.active.load(Ordering::Relaxed) > self.max_calls {
            let retry = Header::RetryAfter(self.retry_after.to_string().into());
            return Err(Refused(StatusCode::ServiceUnavailable, vec![retry]));
        }
        Ok(Entry::Queue(route))
    }

    /// From the 182 to the caller's ACK of the answer, or the call's end.
    async fn follow(
        &self,
        tx: &mut Transaction,
        org: OrgId,
        call: InteractionId,
        mut events: mpsc::UnboundedReceiver<LiveEvent>,
    ) -> Option<Leg> {
        let mut leg: Option<Leg> = None;
        loop {
            let next = tokio::select! {
                _ = self.stop.cancelled() => Next::Over,
                event = events.recv() => match event {
                    Some(event) => self.on_event(tx, org, call, &mut leg, event).await,
                    None => Next::Over,
                },
                message = tx.receive() => self.on_caller(tx, org, call, &mut leg, message).await,
                message = ringing(&mut leg) => self.on_phone(tx, org, call, &mut leg, message).await,
            };
            match next {
                Next::Wait => {}
                Next::Over => return None,
                Next::Answered(leg) => return Some(*leg),
            }
        }
    }

    async fn on_event(
        &self,
        tx: &mut Transaction,
        org: OrgId,
        call: InteractionId,
        leg: &mut Option<Leg>,
        event: LiveEvent,
    ) -> Next {
        match event {
            // Delivered again after missed events: it rings already.
            LiveEvent::Offer { agent, .. } if leg.as_ref().is_some_and(|l| l.agent == agent) => {
                Next::Wait
            }
            LiveEvent::Offer { agent, .. } => {
                if let Some(old) = leg.take() {
                    cancel(old).await;
                }
                *leg = self.ring(tx, org, call, agent).await;
                Next::Wait
            }
            LiveEvent::OfferWithdrawn { agent, .. } => {
                if let Some(ringing) = leg.take_if(|l| l.agent == agent) {
                    cancel(ringing).await;
                }
                Next::Wait
            }
            LiveEvent::ChatEnded { .. } => {
                if let Some(ringing) = leg.take() {
                    cancel(ringing).await;
                }
                finish(tx, StatusCode::TemporarilyUnavailable, Vec::new()).await;
                Next::Over
            }
            _ => Next::Wait,
        }
    }

    /// Forwards the INVITE to the offered agent's phone; with no phone (it
    /// went away since), the offer rings out at once.
    async fn ring(
        &self,
        tx: &Transaction,
        org: OrgId,
        call: InteractionId,
        agent: UserId,
    ) -> Option<Leg> {
        let Some(phone) = self.registrar.phone_of(org, agent) else {
            self.ring_out(org, agent, call).await;
            return None;
        };
        let caller_tag = from_tag(&tx.original).unwrap_or_default();
        let mark = Mark::new(org, call, agent, &caller_tag);
        let forwarded =
            proxy::forward(&tx.original, &self.endpoint, Some(mark.param())).map(|mut request| {
                request.uri = phone.uri.clone();
                request
            });
        let sent = match forwarded {
            Ok(request) => self.send(request, phone.target).await,
            Err(error) => Err(error),
        };
        match sent {
            Ok(tx) => Some(Leg { agent, tx }),
            Err(error) => {
                tracing::warn!(%org, %agent, %error, "the INVITE to the agent's phone failed");
                self.ring_out(org, agent, call).await;
                None
            }
        }
    }

    pub(crate) async fn send(
        &self,
        request: Request,
        to: rsipstack::transport::SipAddr,
    ) -> Result<Transaction, ForwardError> {
        let key = TransactionKey::from_request(&request, TransactionRole::Client)?;
        let mut tx = Transaction::new_client(key, request, self.endpoint.clone(), None);
        tx.destination = Some(to);
        tx.send().await?;
        Ok(tx)
    }

    async fn on_caller(
        &self,
        tx: &mut Transaction,
        org: OrgId,
        call: InteractionId,
        leg: &mut Option<Leg>,
        message: Option<SipMessage>,
    ) -> Next {
        match message {
            Some(SipMessage::Request(request)) if request.method == Method::Cancel => {
                if let Some(ringing) = leg.take() {
                    cancel(ringing).await;
                }
                self.abandon(org, call).await;
                finish(tx, StatusCode::RequestTerminated, Vec::new()).await;
                Next::Over
            }
            Some(_) => Next::Wait,
            None => {
                if let Some(ringing) = leg.take() {
                    cancel(ringing).await;
                }
                self.abandon(org, call).await;
                Next::Over
            }
        }
    }

    async fn on_phone(
        &self,
        tx: &mut Transaction,
        org: OrgId,
        call: InteractionId,
        leg: &mut Option<Leg>,
        message: Option<SipMessage>,
    ) -> Next {
        let Some(ringing) = leg.take() else {
            return Next::Wait;
        };
        let response = match message {
            Some(SipMessage::Response(response)) => response,
            Some(SipMessage::Request(_)) => {
                *leg = Some(ringing);
                return Next::Wait;
            }
            None => {
                self.ring_out(org, ringing.agent, call).await;
                return Next::Wait;
            }
        };
        match response.status_code.kind() {
            StatusCodeKind::Provisional => {
                if response.status_code != StatusCode::Trying {
                    relay(tx, response).await;
                }
                *leg = Some(ringing);
                Next::Wait
            }
            StatusCodeKind::Successful => {
                match self.live.accept(org, ringing.agent, call).await {
                    Ok(()) => self.remember(&tx.original, &response, org, call, ringing.agent),
                    Err(error) => {
                        tracing::warn!(%org, %error, "an answered call was not connected")
                    }
                }
                relay(tx, response).await;
                Next::Answered(Box::new(ringing))
            }
            _ => {
                // Busy, declined or any failure: the agent is not taking calls now.
                self.ring_out(org, ringing.agent, call).await;
                Next::Wait
            }
        }
    }

    /// After the answer: the phone's repeated 2xx go to the caller until
    /// the caller's transaction ends (the caller's ACK is passed on as it
    /// arrives, module `stateless`, and then confirms the dialog here). An
    /// answer the caller never acknowledged ends the call.
    async fn answered(
        self: &Arc<Self>,
        tx: &mut Transaction,
        mut leg: Leg,
        org: OrgId,
        call: InteractionId,
    ) {
        let mut phone_done = false;
        let mut acknowledged = false;
        loop {
            tokio::select! {
                _ = self.stop.cancelled() => return,
                message = tx.receive() => match message {
                    Some(SipMessage::Request(ack)) if ack.method == Method::Ack => {
                        acknowledged = true;
                        self.confirm(&ack);
                    }
                    Some(_) => {}
                    None => break,
                },
                message = leg.tx.receive(), if !phone_done => match message {
                    // Every 2xx goes on, also after the caller's ACK ended
                    // the server transaction's part (RFC 3261 §16.7).
                    Some(SipMessage::Response(response))
                        if response.status_code.kind() == StatusCodeKind::Successful =>
                    {
                        stateless::relay_2xx(&self.endpoint, &self.own, response).await;
                    }
                    Some(_) => {}
                    None => phone_done = true,
                },
            }
        }
        if !acknowledged {
            self.unacknowledged(&tx.original, org, call).await;
        }
    }

    /// The caller's phone never acknowledged the answer (it went away, or
    /// every ACK was lost): nobody would ever hang up, so the call ends
    /// here, as the caller's end, and both phones get BYE (RFC 3261
    /// §13.3.1.4 asks the same of the answering phone).
    async fn unacknowledged(self: &Arc<Self>, invite: &Request, org: OrgId, call: InteractionId) {
        tracing::info!(%org, %call, "the caller never acknowledged the answer; hanging up");
        let ends = invite
            .call_id_header()
            .ok()
            .and_then(|call_id| lock(&self.ends).get(call_id.value()).cloned());
        if let Some(ends) = ends {
            self.hang_up_both(ends);
        }
        if let Err(error) = self.live.customer_end(org, call).await {
            tracing::debug!(%org, %error, "the unacknowledged call was already over");
        }
    }

    /// Notes that the caller acknowledged the answer of its dialog.
    fn confirm(&self, ack: &Request) {
        let Ok(call_id) = ack.call_id_header() else {
            return;
        };
        if let Some(ends) = lock(&self.ends).get_mut(call_id.value()) {
            ends.confirmed = true;
        }
        self.confirmations.notify_waiters();
    }

    /// Keeps the answered dialog's ends for this server's own requests.
    fn remember(
        &self,
        invite: &Request,
        answer: &Response,
        org: OrgId,
        call: InteractionId,
        agent: UserId,
    ) {
        let mark = Mark::new(org, call, agent, &from_tag(invite).unwrap_or_default());
        let Some(ends) = Ends::new(invite, answer, mark, &self.own) else {
            tracing::debug!(%org, "an answered call's dialog is not transferable (no Contact)");
            return;
        };
        let now = Instant::now();
        let mut all = lock(&self.ends);
        all.retain(|_, ends| now.duration_since(ends.since) < DIALOG_LIFETIME);
        all.insert(ends.call_id.clone(), ends);
    }

    async fn ring_out(&self, org: OrgId, agent: UserId, call: InteractionId) {
        if let Err(error) = self.live.ring_out(org, agent, call).await {
            tracing::debug!(%org, %error, "ring-out not applied (the offer had moved on)");
        }
    }

    async fn abandon(&self, org: OrgId, call: InteractionId) {
        if let Err(error) = self.live.customer_end(org, call).await {
            tracing::warn!(%org, %error, "an abandoned call was not recorded");
        }
    }

    /// Forwards a request inside a dialog (BYE, re-INVITE, INFO, …) and
    /// relays its answers; a BYE ends the call its Route's mark names. A
    /// dialog this server hung up is answered here.
    pub(crate) async fn in_dialog(self: Arc<Self>, mut tx: Transaction) {
        if self.hung_up_here(&tx.original) {
            let status = match tx.original.method {
                Method::Bye | Method::Notify => StatusCode::OK,
                _ => StatusCode::CallTransactionDoesNotExist,
            };
            finish(&mut tx, status, Vec::new()).await;
            return;
        }
        if self.own.looped(&tx.original) {
            // Sent back here (a Request-URI of this server and no Route).
            finish(&mut tx, StatusCode::LoopDetected, Vec::new()).await;
            return;
        }
        let mark = Mark::of_request(&tx.original, &self.own);
        let mut request = tx.original.clone();
        self.own.strip_route(&mut request);
        if let Ok(call_id) = request.call_id_header()
            && let Some(ends) = lock(&self.ends).get_mut(call_id.value())
        {
            ends.saw(&request);
        }
        // A BYE goes on to the other end while the live center ends the
        // call; its answer is relayed once both are done, so a caller
        // told the call is over finds it over in the store too.
        let ending = async {
            if request.method == Method::Bye
                && let Some(mark) = mark
            {
                self.hang_up(&request, mark).await;
            }
        };
        let ((), answer) = tokio::join!(ending, self.pass_on(&mut tx, &request));
        match answer {
            Ok(last) => relay(&mut tx, last).await,
            Err(Refused(status, headers)) => finish(&mut tx, status, headers).await,
        }
    }

    /// Forwards a request inside a dialog, relays its provisional answers
    /// and returns its final one.
    async fn pass_on(&self, tx: &mut Transaction, request: &Request) -> Result<Response, Refused> {
        let forwarded = proxy::forward(request, &self.endpoint, None)?;
        let to = proxy::next_hop(request)?;
        let mut out = self.send(forwarded, to).await?;
        while let Some(message) = out.receive().await {
            let SipMessage::Response(response) = message else {
                continue;
            };
            match response.status_code.kind() {
                StatusCodeKind::Provisional if response.status_code == StatusCode::Trying => {}
                StatusCodeKind::Provisional => relay(tx, response).await,
                _ => return Ok(response),
            }
        }
        Err(Refused(StatusCode::RequestTimeout, Vec::new()))
    }

    /// Ends the call a BYE's mark names: the caller's hang-up or the agent's.
    async fn hang_up(&self, bye: &Request, mark: Mark) {
        if let Ok(call_id) = bye.call_id_header() {
            lock(&self.ends).remove(call_id.value());
        }
        let ended = if mark.sent_by_caller(bye) {
            self.live.customer_end(mark.org, mark.call).await
        } else {
            self.live.end(mark.org, mark.agent, mark.call).await
        };
        if let Err(error) = ended {
            tracing::debug!(org = %mark.org, %error, "a hung-up call was already over");
        }
    }
}

/// The next message of the ringing leg; never, without one.
async fn ringing(leg: &mut Option<Leg>) -> Option<SipMessage> {
    match leg {
        Some(leg) => leg.tx.receive().await,
        None => std::future::pending().await,
    }
}

/// CANCELs a ringing leg and keeps its transaction until the phone's 487
/// is acknowledged.
async fn cancel(mut leg: Leg) {
    let invite = &leg.tx.original;
    let mut cancel = invite.clone();
    cancel.method = Method::Cancel;
    cancel.body = Vec::new();
    cancel.headers.retain(|h| {
        matches!(
            h,
            Header::Via(_)
                | Header::From(_)
                | Header::To(_)
                | Header::CallId(_)
                | Header::Route(_)
                | Header::MaxForwards(_)
        )
    });
    // Only this server's Via: the CANCEL goes hop by hop (RFC 3261 §9.1).
    let mut first = true;
    cancel.headers.retain(|h| match h {
        Header::Via(_) if first => {
            first = false;
            true
        }
        Header::Via(_) => false,
        _ => true,
    });
    if let Ok(cseq) = invite.cseq_header().and_then(|c| c.seq()) {
        cancel
            .headers
            .push(Header::CSeq(format!("{cseq} CANCEL").into()));
    }
    cancel.headers.push(Header::ContentLength(0.into()));
    if let Err(error) = leg.tx.send_cancel(cancel).await {
        tracing::debug!(%error, "CANCEL not sent");
    }
    tokio::spawn(async move {
        let _ =
            tokio::time::timeout(LINGER, async { while leg.tx.receive().await.is_some() {} }).await;
    });
}

/// Relays a phone's response to the caller.
async fn relay(tx: &mut Transaction, response: Response) {
    if let Err(error) = tx.respond(proxy::backward(response)).await {
        tracing::debug!(%error, "response not relayed");
    }
}

/// Answers with a final status, then keeps the transaction until the ACK
/// (or its timers) so retransmissions are absorbed.
async fn finish(tx: &mut Transaction, status: StatusCode, headers: Vec<Header>) {
    if let Err(error) = tx.reply_with(status, headers, None).await {
        tracing::debug!(%error, "final answer not sent");
        return;
    }
    if tx.original.method == Method::Invite {
        let _ = tokio::time::timeout(LINGER, async {
            while let Some(message) = tx.receive().await {
                if matches!(&message, SipMessage::Request(r) if r.method == Method::Ack) {
                    break;
                }
            }
        })
        .await;
    }
}

/// The 182 Queued, telling the caller's phone its place and estimated wait
/// in a Warning header (code 399, miscellaneous).
fn queued_response(tx: &Transaction, status: &ChatStatus) -> Response {
    let text = match status {
        ChatStatus::Queued {
            position,
            estimated_wait,
        } => match estimated_wait {
            Some(wait) => format!(
                "position {position}, estimated wait {} s",
                wait.as_secs().max(0)
            ),
            None => format!("position {position}, estimated wait unknown"),
        },
        _ => "position 1, estimated wait 0 s".to_owned(),
    };
    let mut response = tx
        .endpoint_inner
        .make_response(&tx.original, StatusCode::Queued, None);
    response
        .headers
        .push(Header::Warning(format!("399 moked \"{text}\"").into()));
    response
}

/// The call as the live center takes it: the caller's number from
/// P-Asserted-Identity, else From, normalized to E.164 when it is one.
fn caller(invite: &Request, queue: moked_store::QueueId) -> OpenCall {
    let asserted = invite.p_asserted_identity_header().and_then(|header| {
        rsipstack::sip::typed::From::parse(header.value())
            .ok()
            .map(|identity| identity.uri)
    });
    let from = invite.from_header().ok().and_then(|h| h.typed().ok());
    let number = asserted
        .as_ref()
        .or(from.as_ref().map(|from| &from.uri))
        .and_then(|uri| uri.user())
        .and_then(|user| PhoneE164::parse(user).ok());
    let name = from
        .and_then(|from| from.display_name)
        .map(|name| name.trim_matches('"').to_owned())
        .unwrap_or_default();
    OpenCall {
        queue,
        caller: number,
        name,
    }
}

fn live_status(error: &LiveError) -> StatusCode {
    match error {
        LiveError::NotFound { .. } | LiveError::Invalid { .. } => StatusCode::NotFound,
        LiveError::Stopped => StatusCode::ServiceUnavailable,
        _ => StatusCode::ServerInternalError,
    }
}
