//! The living demo center: simulated customers and agents driven through
//! the [`Live`] API.
//!
//! - One arrival loop per queue draws chat arrivals from moked-sim's
//!   [`ArrivalProfile`] (a Poisson process whose rate follows the day's
//!   shape of `examples/cellular-center.toml`'s chat queue), in the
//!   organization's local time of day read from the [`Clock`].
//! - Each customer opens a chat (half of them with a seeded customer's
//!   phone, so the agent sees a history), waits with an exponential
//!   patience and gives up when it runs out, otherwise writes a few Hebrew
//!   lines and says goodbye.
//! - Each bot accepts the offers addressed to it after a short delay,
//!   answers, ends the chat and wraps it up with one of its department's
//!   codes. A staffing loop keeps about [`TrafficConfig::staffing`] of the
//!   offered load's agents logged in, so a queue builds and a person who
//!   logs in gets contacts.
//!
//! Every wait is a sleep on the [`Clock`], so a test's fast clock speeds
//! the whole floor up, live center included. Every loop is bounded (arrivals stop at `max_customers` simultaneous chats,
//! conversations have a fixed number of turns and a deadline) and every
//! task ends when the [`TrafficHandle`] is shut down or dropped.

use super::data::{
    AGENT_CLOSINGS, AGENT_REPLIES, CUSTOMER_FOLLOW_UPS, CUSTOMER_THANKS, FIRST_NAMES, LAST_NAMES,
    ORG_TIME_ZONE,
};
use super::{DemoCenter, DemoQueue};
use jiff::{SignedDuration, Timestamp};
use moked_domain::PhoneE164;
use moked_live::{AgentActivity, ChatStatus, Clock, Lang, Live, OpenChat, PresenceRequest};
use moked_sim::arrivals::ArrivalProfile;
use moked_sim::distribution::Duration as Distribution;
use moked_store::{InteractionId, OrgId, QueueId, UserId, WrapUpCodeId};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinSet;

/// Chats per half hour of the example center's chat queue over a day,
/// from 00:00: the shape of the demo's day.
const DAY_SHAPE: [f64; 48] = [
    7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 8.0, 10.0, 12.0, 17.0, 24.0, 34.0, 46.0,
    59.0, 72.0, 83.0, 89.0, 89.0, 83.0, 72.0, 59.0, 46.0, 34.0, 24.0, 18.0, 15.0, 16.0, 19.0, 26.0,
    35.0, 46.0, 54.0, 60.0, 60.0, 54.0, 46.0, 35.0, 26.0, 18.0, 13.0, 10.0, 8.0, 7.0, 7.0,
];
/// Half an hour, the shape's interval.
const INTERVAL_SECONDS: f64 = 1_800.0;
/// The quietest part of the day still gets this share of the peak rate: a
/// demo started at night must be alive too.
const NIGHT_FLOOR: f64 = 0.5;
/// Chats per hour over all queues at the day's peak (times `rate_multiplier`).
const PEAK_CHATS_PER_HOUR: f64 = 600.0;
/// Mean patience of a waiting customer, demo seconds.
const MEAN_PATIENCE_SECONDS: f64 = 120.0;
/// A bot's expected time per chat (accept, conversation, wrap-up), demo
/// seconds: what the staffing loop divides the load by.
const BOT_SECONDS_PER_CHAT: f64 = 50.0;
/// How often the staffing loop looks again, demo seconds.
const STAFFING_PERIOD_SECONDS: f64 = 60.0;
/// How often a waiting customer looks at the chat's status, demo seconds.
const STATUS_POLL_SECONDS: f64 = 2.0;
/// The longest a finished customer waits for the agent to close, demo seconds.
const GOODBYE_WAIT_SECONDS: f64 = 120.0;
/// Offers a bot can have queued before new ones are dropped (they then
/// time out in the live center and go to someone else).
const BOT_INBOX: usize = 16;
/// Chat ids kept for inspection (tests look them up in the store).
const KEPT_CHAT_IDS: usize = 100;

/// How lively the demo is.
#[derive(Debug, Clone)]
pub struct TrafficConfig {
    /// Seed of the simulated behaviour.
    pub seed: u64,
    /// Multiplies every arrival rate (`--traffic-rate`).
    pub rate_multiplier: f64,
    /// Share of the offered load the bots staff (0.7: the rest waits for people).
    pub staffing: f64,
    /// Simultaneous simulated customers at most.
    pub max_customers: usize,
}

impl Default for TrafficConfig {
    fn default() -> Self {
        TrafficConfig {
            seed: 1,
            rate_multiplier: 1.0,
            staffing: 0.7,
            max_customers: 300,
        }
    }
}

/// Counts of what the living center did.
#[derive(Debug, Default)]
pub struct TrafficStats {
    /// Chats simulated customers opened.
    pub opened: AtomicU64,
    /// Chats given up while waiting.
    pub abandoned: AtomicU64,
    /// Offers bots accepted.
    pub accepted_by_bots: AtomicU64,
    /// Chats bots ended and wrapped up.
    pub wrapped_up_by_bots: AtomicU64,
    /// Messages customers and bots wrote.
    pub messages: AtomicU64,
    /// Calls to the live center that failed unexpectedly.
    pub errors: AtomicU64,
    /// The first chats opened and the first chats bots accepted.
    ids: Mutex<(Vec<InteractionId>, Vec<InteractionId>)>,
}

impl TrafficStats {
    /// The first chats simulated customers opened.
    pub fn opened_chats(&self) -> Vec<InteractionId> {
        self.ids.lock().map(|ids| ids.0.clone()).unwrap_or_default()
    }

    /// The first chats bots accepted.
    pub fn accepted_chats(&self) -> Vec<InteractionId> {
        self.ids.lock().map(|ids| ids.1.clone()).unwrap_or_default()
    }

    fn keep(&self, chat: InteractionId, accepted: bool) {
        if let Ok(mut ids) = self.ids.lock() {
            let list = if accepted { &mut ids.1 } else { &mut ids.0 };
            if list.len() < KEPT_CHAT_IDS {
                list.push(chat);
            }
        }
    }

    fn error(&self, what: &str, error: impl std::fmt::Display) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(%error, "demo traffic: {what}");
    }
}

/// The running demo traffic; dropping it stops every task.
pub struct TrafficHandle {
    tasks: JoinSet<()>,
    world: Arc<World>,
    /// Each bot with a wrap-up code to close its chats with on the way out.
    bots: Vec<(UserId, WrapUpCodeId)>,
    stats: Arc<TrafficStats>,
}

impl TrafficHandle {
    /// What the traffic has done so far.
    pub fn stats(&self) -> &TrafficStats {
        &self.stats
    }

    /// Stops every simulated customer and agent; the bots close the chats
    /// they hold and log out, so none is left with a silent agent.
    pub async fn shutdown(mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        for (bot, code) in &self.bots {
            finish_chats(&self.world, *bot, *code).await;
            let offline = PresenceRequest::Offline;
            if let Err(error) = self
                .world
                .live
                .set_presence(self.world.org, *bot, offline)
                .await
            {
                self.world.stats.error("logging a bot out", error);
            }
        }
    }
}

/// Ends and wraps up every chat an agent holds (a bot's chats left by an
/// earlier run, or held at shutdown).
async fn finish_chats(world: &World, agent: UserId, code: WrapUpCodeId) {
    let desk = match world.live.agent_desk(world.org, agent).await {
        Ok(desk) => desk,
        Err(error) => return world.stats.error("reading a bot's desk", error),
    };
    for chat in desk.chats {
        if chat.state != AgentActivity::WrapUp {
            // It may have ended meanwhile: the wrap-up below still applies.
            let _ = world.live.end(world.org, agent, chat.chat).await;
        }
        if let Err(error) = world.live.wrap_up(world.org, agent, chat.chat, code).await {
            world.stats.error("wrapping up a bot's chat", error);
        }
    }
}

/// Starts the living center for a seeded demo.
pub fn start_traffic(
    live: Live,
    clock: Arc<dyn Clock>,
    center: &DemoCenter,
    config: TrafficConfig,
) -> TrafficHandle {
    let stats = Arc::new(TrafficStats::default());
    let org = center.org.id;
    let start = clock.now();
    let timer = Timer(clock);
    let world = Arc::new(World {
        live: live.clone(),
        org,
        timer: timer.clone(),
        stats: Arc::clone(&stats),
        seed: config.seed,
    });
    let mut tasks = JoinSet::new();
    let mut inboxes = HashMap::new();
    let start_of_day = seconds_into_day(start);
    let mut targets = Vec::new();
    let mut bot_codes = Vec::new();
    for (index, demo_queue) in center.queues.iter().enumerate() {
        let rates = queue_rates(demo_queue, config.rate_multiplier);
        let (target_tx, target_rx) = watch::channel(0usize);
        let bots = center
            .bots
            .iter()
            .filter(|bot| bot.department == index)
            .count();
        targets.push((rates.clone(), target_tx, bots));
        let codes = department_codes(center, demo_queue);
        let department_bots = center.bots.iter().filter(|bot| bot.department == index);
        for (rank, bot) in department_bots.enumerate() {
            let (inbox_tx, inbox_rx) = mpsc::channel(BOT_INBOX);
            inboxes.insert(bot.user.id, inbox_tx);
            if let Some(code) = codes.first() {
                bot_codes.push((bot.user.id, *code));
            }
            let agent = BotAgent {
                world: Arc::clone(&world),
                user: bot.user.id,
                rank,
                codes: codes.clone(),
                rng: StdRng::seed_from_u64(config.seed ^ 0xB07 ^ bot.user.id.0 as u64),
            };
            tasks.spawn(agent.run(inbox_rx, target_rx.clone()));
        }
        let arrivals = Arrivals {
            world: Arc::clone(&world),
            queue: demo_queue.queue.id,
            openings: demo_queue.department.openings,
            profile: ArrivalProfile::per_interval(INTERVAL_SECONDS, &rates),
            start,
            start_of_day,
            max_customers: config.max_customers.div_ceil(center.queues.len()),
            rng: StdRng::seed_from_u64(config.seed ^ 0xA11 ^ demo_queue.queue.id.0 as u64),
        };
        tasks.spawn(arrivals.run());
    }
    tasks.spawn(dispatch_offers(live.subscribe(org), inboxes));
    tasks.spawn(staff(targets, config.staffing, start_of_day, timer));
    TrafficHandle {
        tasks,
        world,
        bots: bot_codes,
        stats,
    }
}

/// What every simulated party shares.
struct World {
    live: Live,
    org: OrgId,
    timer: Timer,
    stats: Arc<TrafficStats>,
    seed: u64,
}

/// Waiting on the clock.
#[derive(Clone)]
struct Timer(Arc<dyn Clock>);

impl Timer {
    /// Sleeps `seconds` (at most a day) of the clock's time.
    async fn sleep(&self, seconds: f64) {
        let wait = SignedDuration::from_secs_f64(seconds.clamp(0.0, 86_400.0));
        self.until(self.0.now() + wait).await;
    }

    /// Sleeps until the clock reads `at`.
    async fn until(&self, at: Timestamp) {
        self.0.sleep_until(at).await;
    }
}

/// Seconds since local midnight in the organization's time zone.
fn seconds_into_day(now: jiff::Timestamp) -> f64 {
    let zone = jiff::tz::TimeZone::get(ORG_TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
    let local = now.to_zoned(zone);
    f64::from(local.hour()) * 3_600.0 + f64::from(local.minute()) * 60.0 + f64::from(local.second())
}

/// A queue's expected chats per half hour through the day.
fn queue_rates(queue: &DemoQueue, multiplier: f64) -> Vec<f64> {
    let peak = DAY_SHAPE.iter().copied().fold(0.0, f64::max);
    let per_interval_at_peak =
        PEAK_CHATS_PER_HOUR * queue.department.share * multiplier.max(0.0) * INTERVAL_SECONDS
            / 3_600.0;
    DAY_SHAPE
        .iter()
        .map(|count| (count / peak).max(NIGHT_FLOOR) * per_interval_at_peak)
        .collect()
}

/// The ids of a department's wrap-up codes.
fn department_codes(center: &DemoCenter, queue: &DemoQueue) -> Vec<WrapUpCodeId> {
    let codes: Vec<WrapUpCodeId> = center
        .wrap_up_codes
        .iter()
        .filter(|code| {
            queue
                .department
                .codes
                .iter()
                .any(|(name, _)| *name == code.spec.code)
        })
        .map(|code| code.id)
        .collect();
    if codes.is_empty() {
        center.wrap_up_codes.iter().map(|code| code.id).collect()
    } else {
        codes
    }
}

/// Keeps `staffing` of each queue's offered load in bots, every period.
async fn staff(
    targets: Vec<(Vec<f64>, watch::Sender<usize>, usize)>,
    staffing: f64,
    start: f64,
    timer: Timer,
) {
    let mut elapsed = 0.0;
    loop {
        let interval = ((start + elapsed) / INTERVAL_SECONDS) as usize % DAY_SHAPE.len();
        for (rates, target, bots) in &targets {
            target.send_replace(bots_wanted(rates[interval], staffing, *bots));
        }
        timer.sleep(STAFFING_PERIOD_SECONDS).await;
        elapsed += STAFFING_PERIOD_SECONDS;
    }
}

/// Bots to log in for a queue expecting `per_interval` chats in the
/// current half hour: `staffing` of the offered load, rounded, at most `bots`.
/// No minimum of one: a quiet queue is left to the people, who then get
/// its chats.
fn bots_wanted(per_interval: f64, staffing: f64, bots: usize) -> usize {
    let load = per_interval / INTERVAL_SECONDS * BOT_SECONDS_PER_CHAT;
    ((staffing * load).round() as usize).min(bots)
}

/// Hands each `offer` event addressed to a bot to that bot.
async fn dispatch_offers(
    mut events: broadcast::Receiver<moked_live::LiveEvent>,
    inboxes: HashMap<UserId, mpsc::Sender<InteractionId>>,
) {
    loop {
        let event = match events.recv().await {
            Ok(event) => event,
            // Missed offers time out in the live center and are offered again.
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let Ok(value) = serde_json::to_value(&event) else {
            continue;
        };
        if value["type"] != "offer" {
            continue;
        }
        let (Some(agent), Some(chat)) = (value["agent"].as_i64(), value["chat"].as_i64()) else {
            continue;
        };
        if let Some(inbox) = inboxes.get(&UserId(agent)) {
            let _ = inbox.try_send(InteractionId(chat));
        }
    }
}

/// One queue's stream of simulated customers.
struct Arrivals {
    world: Arc<World>,
    queue: QueueId,
    openings: &'static [&'static str],
    profile: ArrivalProfile,
    /// When the traffic started, and its seconds into the local day.
    start: Timestamp,
    start_of_day: f64,
    max_customers: usize,
    rng: StdRng,
}

impl Arrivals {
    async fn run(mut self) {
        let mut customers = JoinSet::new();
        let mut now = self.start_of_day;
        let patience = Distribution::Exponential {
            mean: MEAN_PATIENCE_SECONDS,
        }
        .sampler();
        // The profile repeats every day, so there is always a next arrival
        // unless every rate is zero (`--traffic-rate 0`).
        while let Some(next) = self.profile.next_after(now, &mut self.rng) {
            // Absolute wake-ups: no drift however long the demo runs.
            let offset = SignedDuration::from_secs_f64(next - self.start_of_day);
            self.world.timer.until(self.start + offset).await;
            now = next;
            while customers.try_join_next().is_some() {}
            if customers.len() >= self.max_customers {
                continue;
            }
            let customer = Customer {
                world: Arc::clone(&self.world),
                queue: self.queue,
                opening: self.openings[self.rng.random_range(0..self.openings.len())],
                patience: patience.sample(&mut self.rng),
                rng: StdRng::seed_from_u64(self.rng.random()),
            };
            customers.spawn(customer.run());
        }
    }
}

/// A simulated customer.
struct Customer {
    world: Arc<World>,
    queue: QueueId,
    opening: &'static str,
    patience: f64,
    rng: StdRng,
}

impl Customer {
    async fn run(mut self) {
        let Some(chat) = self.open().await else {
            return;
        };
        if !self.wait_for_agent(chat).await {
            return;
        }
        self.converse(chat).await;
    }

    /// Opens the chat; half the customers are seeded ones (known phone).
    async fn open(&mut self) -> Option<InteractionId> {
        let (name, phone) = self.identity();
        let open = OpenChat {
            queue: Some(self.queue),
            name,
            phone,
            lang: Lang::He,
        };
        match self.world.live.open_chat(self.world.org, open).await {
            Ok(opened) => {
                self.world.stats.opened.fetch_add(1, Ordering::Relaxed);
                self.world.stats.keep(opened.chat, false);
                Some(opened.chat)
            }
            Err(error) => {
                self.world.stats.error("opening a chat", error);
                None
            }
        }
    }

    fn identity(&mut self) -> (String, Option<PhoneE164>) {
        if self.rng.random_bool(0.5) {
            let index = self.rng.random_range(0..super::DEFAULT_CUSTOMERS);
            if let Ok(known) = super::seed::customer_details_for(self.world.seed, index) {
                return (known.name, known.phones.into_iter().next());
            }
        }
        let first = FIRST_NAMES[self.rng.random_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[self.rng.random_range(0..LAST_NAMES.len())];
        (format!("{first} {last}"), None)
    }

    /// Waits until an agent answers (true), or gives up when patience runs
    /// out or the chat ended (false).
    async fn wait_for_agent(&self, chat: InteractionId) -> bool {
        let polls = (self.patience / STATUS_POLL_SECONDS).ceil().max(1.0) as u64;
        for _ in 0..polls {
            self.world.timer.sleep(STATUS_POLL_SECONDS).await;
            match self.world.live.chat_status(self.world.org, chat).await {
                Ok(ChatStatus::Connected { .. }) => return true,
                Ok(ChatStatus::Ended { .. }) => return false,
                Ok(_) => {}
                Err(error) => {
                    self.world.stats.error("reading a chat's status", error);
                    return false;
                }
            }
        }
        self.world.stats.abandoned.fetch_add(1, Ordering::Relaxed);
        if let Err(error) = self.world.live.customer_end(self.world.org, chat).await {
            self.world.stats.error("abandoning a chat", error);
        }
        false
    }

    /// The opening, a few follow-ups, thanks; then maybe closing the chat.
    async fn converse(&mut self, chat: InteractionId) {
        let follow_ups = self.rng.random_range(1..=3);
        let mut lines = vec![self.opening];
        for _ in 0..follow_ups {
            lines.push(CUSTOMER_FOLLOW_UPS[self.rng.random_range(0..CUSTOMER_FOLLOW_UPS.len())]);
        }
        lines.push(CUSTOMER_THANKS[self.rng.random_range(0..CUSTOMER_THANKS.len())]);
        for (turn, line) in lines.into_iter().enumerate() {
            self.world
                .timer
                .sleep(self.rng.random_range(4.0..14.0))
                .await;
            let key = format!("demo-customer-{}-{turn}", chat.0);
            let sent = self
                .world
                .live
                .customer_message(self.world.org, chat, line.to_owned(), key)
                .await;
            if sent.is_err() {
                // The agent closed the chat: nothing more to say.
                return;
            }
            self.world.stats.messages.fetch_add(1, Ordering::Relaxed);
        }
        if self.rng.random_bool(0.3) {
            let _ = self.world.live.customer_end(self.world.org, chat).await;
            return;
        }
        self.wait_for_goodbye(chat).await;
    }

    /// Waits for the agent to close the chat, closing it after a while.
    async fn wait_for_goodbye(&self, chat: InteractionId) {
        let polls = (GOODBYE_WAIT_SECONDS / STATUS_POLL_SECONDS) as u64;
        for _ in 0..polls {
            self.world.timer.sleep(STATUS_POLL_SECONDS).await;
            if let Ok(ChatStatus::Ended { .. }) | Err(_) =
                self.world.live.chat_status(self.world.org, chat).await
            {
                return;
            }
        }
        let _ = self.world.live.customer_end(self.world.org, chat).await;
    }
}

/// A simulated agent.
struct BotAgent {
    world: Arc<World>,
    user: UserId,
    /// Its place in its department: bots with a rank below the staffing
    /// target are logged in.
    rank: usize,
    codes: Vec<WrapUpCodeId>,
    rng: StdRng,
}

impl BotAgent {
    async fn run(
        mut self,
        mut offers: mpsc::Receiver<InteractionId>,
        mut target: watch::Receiver<usize>,
    ) {
        if let Some(code) = self.codes.first() {
            finish_chats(&self.world, self.user, *code).await;
        }
        let mut online = false;
        loop {
            let wanted = self.rank < *target.borrow_and_update();
            if wanted != online {
                online = self.set_online(wanted).await;
            }
            tokio::select! {
                offer = offers.recv() => match offer {
                    Some(chat) => self.take(chat).await,
                    None => return,
                },
                changed = target.changed() => if changed.is_err() { return },
            }
        }
    }

    /// Logs in or out; the state it is in afterwards.
    async fn set_online(&self, online: bool) -> bool {
        let presence = if online {
            PresenceRequest::Available
        } else {
            PresenceRequest::Offline
        };
        match self
            .world
            .live
            .set_presence(self.world.org, self.user, presence)
            .await
        {
            Ok(()) => online,
            Err(error) => {
                self.world.stats.error("setting a bot's presence", error);
                !online
            }
        }
    }

    /// Accepts an offer after a human-like pause and serves the chat.
    async fn take(&mut self, chat: InteractionId) {
        self.world
            .timer
            .sleep(self.rng.random_range(1.0..4.0))
            .await;
        let live = self.world.live.clone();
        if live.accept(self.world.org, self.user, chat).await.is_err() {
            // Withdrawn meanwhile (timeout, or the customer left).
            return;
        }
        self.world
            .stats
            .accepted_by_bots
            .fetch_add(1, Ordering::Relaxed);
        self.world.stats.keep(chat, true);
        self.converse(chat).await;
        self.world
            .timer
            .sleep(self.rng.random_range(3.0..10.0))
            .await;
        let code = self.codes[self.rng.random_range(0..self.codes.len())];
        match live.wrap_up(self.world.org, self.user, chat, code).await {
            Ok(()) => {
                self.world
                    .stats
                    .wrapped_up_by_bots
                    .fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => self.world.stats.error("wrapping up", error),
        }
    }

    /// Greets, answers a few times, says goodbye and ends the chat.
    async fn converse(&mut self, chat: InteractionId) {
        let replies = self.rng.random_range(2..=4);
        let mut lines = vec!["שלום, כאן הנציג הדיגיטלי. איך אפשר לעזור?"];
        for _ in 0..replies {
            lines.push(AGENT_REPLIES[self.rng.random_range(0..AGENT_REPLIES.len())]);
        }
        lines.push(AGENT_CLOSINGS[self.rng.random_range(0..AGENT_CLOSINGS.len())]);
        for (turn, line) in lines.into_iter().enumerate() {
            self.world
                .timer
                .sleep(self.rng.random_range(3.0..12.0))
                .await;
            let key = format!("demo-bot-{}-{turn}", chat.0);
            let sent = self
                .world
                .live
                .agent_message(self.world.org, self.user, chat, line.to_owned(), key)
                .await;
            if sent.is_err() {
                // The customer left: wrap up.
                return;
            }
            self.world.stats.messages.fetch_add(1, Ordering::Relaxed);
        }
        if let Err(error) = self.world.live.end(self.world.org, self.user, chat).await {
            self.world.stats.error("ending a chat", error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::data::DEPARTMENTS;
    use moked_domain::Channel;
    use moked_store::{NewQueue, Queue};

    fn billing() -> DemoQueue {
        let department = DEPARTMENTS[0];
        DemoQueue {
            queue: Queue {
                id: QueueId(1),
                spec: NewQueue {
                    name: department.name.to_owned(),
                    channel: Channel::Chat,
                    skill: None,
                    service_level_seconds: 60,
                    auto_accept: false,
                    business_hours: None,
                    priority: 0,
                    wrap_up_seconds: 20,
                    offer_timeout_seconds: 0,
                },
            },
            department,
        }
    }

    #[test]
    fn the_day_peaks_at_its_share_of_the_peak_rate_and_never_sleeps() {
        let rates = queue_rates(&billing(), 1.0);
        let peak = rates.iter().copied().fold(0.0, f64::max);
        let night = rates[4];
        assert!(
            (peak * 2.0 - PEAK_CHATS_PER_HOUR * 0.40).abs() < 1e-9,
            "{peak}"
        );
        assert!((night / peak - NIGHT_FLOOR).abs() < 1e-9, "{night}");
        assert_eq!(queue_rates(&billing(), 0.0).iter().sum::<f64>(), 0.0);
    }

    #[test]
    fn bots_staff_seventy_percent_of_the_load_and_leave_quiet_hours_to_people() {
        let rates = queue_rates(&billing(), 1.0);
        let peak = rates.iter().copied().fold(0.0, f64::max);
        // Peak: 240 chats an hour × 50 s = 3.3 Erlangs; 70% is 2.3 bots.
        assert_eq!(bots_wanted(peak, 0.7, 5), 2);
        assert_eq!(bots_wanted(peak, 0.7, 1), 1, "never more bots than exist");
        assert_eq!(bots_wanted(rates[4], 0.7, 5), 1, "night: half the peak");
        assert_eq!(bots_wanted(peak / 10.0, 0.7, 5), 0);
    }

    #[test]
    fn local_time_of_day_is_in_jerusalem() {
        // 2026-11-22 21:30 UTC is 23:30 in Israel (winter, UTC+2).
        let now: jiff::Timestamp = "2026-11-22T21:30:00Z".parse().unwrap();
        assert_eq!(seconds_into_day(now), 23.5 * 3_600.0);
    }
}
