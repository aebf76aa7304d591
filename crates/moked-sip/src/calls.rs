//! Calls to the queues: a caller's INVITE is answered 100 and 182 (with its
//! place and estimated wait), enters the live center as a voice contact,
//! and, when an agent is reserved, is forwarded to the agent's phone; the
//! phone's answers come back to the caller. One task per call follows it
//! from the INVITE to the caller's ACK of the answer; the dialog's later
//! requests (BYE above all) are forwarded on their own and end the call in
//! the live center.

use crate::proxy::{self, ForwardError, Own};
use crate::registrar::Registrar;
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
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

/// How long a finished transaction is kept to absorb retransmissions and
/// the ACK of a final answer (64 × T1).
const LINGER: Duration = Duration::from_secs(32);
/// How long an answered call's dialog is remembered without a BYE.
const DIALOG_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Offers to a call not yet registered with its organization's dispatcher
/// that are kept; beyond this the oldest are dropped (they are chats' offers).
const MAX_PENDING: usize = 4096;

/// An answered call, for its BYE.
#[derive(Debug, Clone)]
struct Dialog {
    org: OrgId,
    call: InteractionId,
    agent: UserId,
    caller_tag: String,
    since: Instant,
}

/// The calls in progress and what they need.
pub(crate) struct Calls {
    pub live: Live,
    pub store: Arc<dyn Store>,
    pub registrar: Arc<Registrar>,
    pub endpoint: EndpointInnerRef,
    pub own: Own,
    pub max_calls: usize,
    pub retry_after: u32,
    active: AtomicUsize,
    orgs: Mutex<HashMap<OrgId, Arc<Dispatch>>>,
    dialogs: Mutex<HashMap<String, Dialog>>,
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

fn call_of(event: &LiveEvent) -> Option<InteractionId> {
    match event {
        LiveEvent::Offer { chat, .. }
        | LiveEvent::OfferWithdrawn { chat, .. }
        | LiveEvent::ChatConnected { chat, .. }
        | LiveEvent::ChatEnded { chat, .. } => Some(*chat),
        _ => None,
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
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
            active: AtomicUsize::new(0),
            orgs: Mutex::new(HashMap::new()),
            dialogs: Mutex::new(HashMap::new()),
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
        let mut events = self.live.subscribe(org);
        let feeding = dispatch.clone();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(event) => feeding.deliver(event),
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(%org, missed, "SIP calls missed live events");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        orgs.insert(org, dispatch.clone());
        dispatch
    }

    /// Follows a caller's INVITE to the end of its transaction.
    pub(crate) async fn invite(self: Arc<Self>, mut tx: Transaction) {
        self.active.fetch_add(1, Ordering::Relaxed);
        let _active = Active(&self.active);
        let route = match self.admit(&tx).await {
            Ok(route) => route,
            Err(Refused(status, headers)) => {
                finish(&mut tx, status, headers).await;
                return;
            }
        };
        if let Err(error) = tx.send_trying().await {
            tracing::debug!(%error, "100 Trying not sent");
            return;
        }
        let dispatch = self.dispatch(route.org);
        let opened = match self
            .live
            .open_call(route.org, caller(&tx.original, route.queue))
            .await
        {
            Ok(opened) => opened,
            Err(error) => {
                tracing::warn!(org = %route.org, %error, "a call could not enter the queue");
                finish(&mut tx, live_status(&error), Vec::new()).await;
                return;
            }
        };
        let call = opened.chat;
        let events = dispatch.register(call);
        let queued = queued_response(&tx, &opened.status);
        if tx.respond(queued).await.is_ok() {
            self.follow(&mut tx, route.org, call, events).await;
        } else {
            self.abandon(route.org, call).await;
        }
        dispatch.unregister(call);
    }

    /// Checks a new call: hops, loops, its address, capacity.
    async fn admit(&self, tx: &Transaction) -> Result<SipRoute, Refused> {
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
        Ok(route)
    }

    /// From the 182 to the caller's ACK of the answer, or the call's end.
    async fn follow(
        &self,
        tx: &mut Transaction,
        org: OrgId,
        call: InteractionId,
        mut events: mpsc::UnboundedReceiver<LiveEvent>,
    ) {
        let mut leg: Option<Leg> = None;
        loop {
            let next = tokio::select! {
                event = events.recv() => match event {
                    Some(event) => self.on_event(tx, org, call, &mut leg, event).await,
                    None => Next::Over,
                },
                message = tx.receive() => self.on_caller(tx, org, call, &mut leg, message).await,
                message = ringing(&mut leg) => self.on_phone(tx, org, call, &mut leg, message).await,
            };
            match next {
                Next::Wait => {}
                Next::Over => return,
                Next::Answered(leg) => return self.answered(tx, *leg).await,
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
        let forwarded = proxy::forward(&tx.original, &self.endpoint, true).map(|mut request| {
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

    async fn send(
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

    /// After the answer: the caller's ACK goes to the phone, the phone's
    /// repeated 2xx to the caller, until the caller's transaction ends.
    async fn answered(&self, tx: &mut Transaction, mut leg: Leg) {
        let mut phone_done = false;
        loop {
            tokio::select! {
                message = tx.receive() => match message {
                    Some(SipMessage::Request(ack)) if ack.method == Method::Ack => {
                        self.pass_ack(ack).await;
                    }
                    Some(_) => {}
                    None => return,
                },
                message = leg.tx.receive(), if !phone_done => match message {
                    Some(SipMessage::Response(response))
                        if response.status_code.kind() == StatusCodeKind::Successful =>
                    {
                        relay(tx, response).await;
                    }
                    Some(_) => {}
                    None => phone_done = true,
                },
            }
        }
    }

    async fn pass_ack(&self, mut ack: Request) {
        self.own.strip_route(&mut ack);
        let sent = match (
            proxy::forward(&ack, &self.endpoint, false),
            proxy::next_hop(&ack),
        ) {
            (Ok(forwarded), Ok(to)) => proxy::send_stateless(&self.endpoint, forwarded, &to).await,
            (Err(error), _) | (_, Err(error)) => Err(error),
        };
        if let Err(error) = sent {
            tracing::debug!(%error, "ACK not passed on");
        }
    }

    fn remember(
        &self,
        invite: &Request,
        answer: &Response,
        org: OrgId,
        call: InteractionId,
        agent: UserId,
    ) {
        let Ok(call_id) = answer.call_id_header().map(|h| h.value().to_owned()) else {
            return;
        };
        let caller_tag = invite
            .from_header()
            .ok()
            .and_then(|from| from.tag().ok().flatten())
            .map(|tag| tag.to_string())
            .unwrap_or_default();
        let now = Instant::now();
        let mut dialogs = lock(&self.dialogs);
        dialogs.retain(|_, dialog| now.duration_since(dialog.since) < DIALOG_LIFETIME);
        dialogs.insert(
            call_id,
            Dialog {
                org,
                call,
                agent,
                caller_tag,
                since: now,
            },
        );
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
    /// relays its answers; a BYE ends the call in the live center.
    pub(crate) async fn in_dialog(self: Arc<Self>, mut tx: Transaction) {
        let mut request = tx.original.clone();
        self.own.strip_route(&mut request);
        if request.method == Method::Bye {
            self.hang_up(&request).await;
        }
        let sent = match (
            proxy::forward(&request, &self.endpoint, false),
            proxy::next_hop(&request),
        ) {
            (Ok(forwarded), Ok(to)) => self.send(forwarded, to).await,
            (Err(error), _) | (_, Err(error)) => Err(error),
        };
        let mut out = match sent {
            Ok(out) => out,
            Err(error) => {
                let Refused(status, headers) = error.into();
                finish(&mut tx, status, headers).await;
                return;
            }
        };
        while let Some(message) = out.receive().await {
            let SipMessage::Response(response) = message else {
                continue;
            };
            if response.status_code == StatusCode::Trying {
                continue;
            }
            let last = response.status_code.kind() != StatusCodeKind::Provisional;
            relay(&mut tx, response).await;
            if last {
                return;
            }
        }
        finish(&mut tx, StatusCode::RequestTimeout, Vec::new()).await;
    }

    async fn hang_up(&self, bye: &Request) {
        let Ok(call_id) = bye.call_id_header().map(|h| h.value().to_owned()) else {
            return;
        };
        let Some(dialog) = lock(&self.dialogs).remove(&call_id) else {
            return;
        };
        let from_tag = bye
            .from_header()
            .ok()
            .and_then(|from| from.tag().ok().flatten())
            .map(|tag| tag.to_string())
            .unwrap_or_default();
        let ended = if from_tag == dialog.caller_tag {
            self.live.customer_end(dialog.org, dialog.call).await
        } else {
            self.live.end(dialog.org, dialog.agent, dialog.call).await
        };
        if let Err(error) = ended {
            tracing::warn!(org = %dialog.org, %error, "a hung-up call was not ended");
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
