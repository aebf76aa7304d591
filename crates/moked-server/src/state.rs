//! The state every handler shares: the store, the live center, the
//! configuration and the rate limiters. Cloning it is cheap (handles and
//! `Arc`s).

use crate::api::fanout::Fanout;
use crate::config::ServerConfig;
use crate::ratelimit::RateLimiter;
use crate::search::SearchService;
use crate::sla::SlaRunner;
use crate::tickets::TicketService;
use moked_live::Live;
use moked_store::Store;
use std::sync::Arc;
use tokio::sync::watch;

/// What handlers reach through `State<AppState>`.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// The live contact center (routing, chats, wallboard, events).
    pub live: Live,
    /// The live events' delivery to WebSockets.
    pub fanout: Arc<Fanout>,
    /// The search index, kept in step with the store.
    pub search: Arc<SearchService>,
    /// Every ticket write goes through it (saved, then announced).
    pub tickets: TicketService,
    /// The SLA runner (its task announces warnings and breaches).
    pub sla: Arc<SlaRunner>,
    /// The email channel (intake, outbox, receiving addresses).
    pub email: Arc<crate::email::EmailState>,
    /// The configuration the server started with.
    pub config: Arc<ServerConfig>,
    /// The public endpoints' rate limiters.
    pub limits: Arc<Limiters>,
    /// Turns `true` when the server shuts down: WebSocket loops end.
    pub closing: Arc<watch::Sender<bool>>,
}

/// One limiter per public endpoint family.
#[derive(Debug)]
pub struct Limiters {
    /// `POST /login`, per client address and login name.
    pub login: RateLimiter,
    /// `POST /widget/{org}/chats`, per client address.
    pub widget_chats: RateLimiter,
    /// Customer messages, per chat.
    pub widget_messages: RateLimiter,
}

impl AppState {
    /// The state for a store and a started live center.
    pub fn new(store: Arc<dyn Store>, live: Live, config: ServerConfig) -> AppState {
        let limits = Limiters {
            login: RateLimiter::per_minute(config.rate_limits.login_per_minute),
            widget_chats: RateLimiter::per_minute(config.rate_limits.widget_chats_per_minute),
            widget_messages: RateLimiter::per_minute(config.rate_limits.widget_messages_per_minute),
        };
        let search_dir = crate::search::index_dir(&config.data_dir);
        let closing = Arc::new(watch::Sender::new(false));
        let tickets = TicketService::new(store.clone(), live.clone());
        let sla = Arc::new(SlaRunner::new(store.clone(), tickets.clone(), live.clock()));
        sla.clone().spawn(closing.subscribe());
        AppState {
            tickets,
            sla,
            search: SearchService::start(&search_dir, store.clone(), live.clone()),
            email: Arc::new(crate::email::EmailState::new(store.clone(), live.clone())),
            store,
            fanout: Arc::new(Fanout::new(live.clone())),
            live,
            config: Arc::new(config),
            limits: Arc::new(limits),
            closing,
        }
    }
}
