//! The demo center behind `moked demo`: a Hebrew cellular operator
//! (organization `demo`, "סלולר דמו") with four chat queues and four voice
//! queues (reached at `sip:billing@HOST`, `support`, `sales`, `retention`),
//! staff (the human agents with SIP accounts 1001, 1002, …), customers with
//! weeks of history, and a living floor. The simulated agents have no
//! phones: calls wait for a human agent's registered phone.
//!
//! [`seed`] stores whatever of the organization is missing (a restart keeps
//! its data). [`start_traffic`] then animates it through the [`Live`] API —
//! not HTTP — with simulated customers who open chats as a Poisson process
//! shaped like a real day (moked-sim's arrival model), write in Hebrew and
//! sometimes give up, and simulated agents who accept, answer, end and wrap
//! up. The bots are deliberately too few (about 70% of what the load
//! needs), so a person who logs in as `agent1` gets real contacts at once.
//!
//! [`Live`]: moked_live::Live

mod data;
mod password;
mod seed;
mod traffic;

pub use data::{Department, ORG_SLUG};
/// The clock the traffic reads (re-exported so callers need not depend on moked-live).
pub use moked_live::{Clock, SystemClock};
pub use password::{check as check_password, generate as generate_password};
pub use seed::{Bot, bot_departments, seed, voice_queue_name};
pub use traffic::{TrafficConfig, TrafficHandle, TrafficStats, start_traffic};

use moked_store::{BusinessHoursId, Organization, Queue, StoreError, User, WrapUpCode};

/// How to seed the demo.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Seed of every random choice: the same seed gives the same customers.
    pub seed: u64,
    /// The password of every demo login.
    pub password: String,
    /// How many customers to create (200 by default; tests use fewer).
    pub customers: usize,
    /// How many simulated agents (`bot01`, …) to have.
    pub bots: usize,
    /// The password of every human agent's SIP account.
    pub sip_password: String,
    /// The digest realm of those accounts (the SIP server's realm).
    pub sip_realm: String,
}

/// Simulated agents unless told otherwise.
pub const DEFAULT_BOTS: usize = 12;
/// The most simulated agents a demo may have.
pub const MAX_BOTS: usize = 99;

/// The customers a demo has unless told otherwise.
pub const DEFAULT_CUSTOMERS: usize = 200;

/// The seeded demo organization.
#[derive(Debug, Clone)]
pub struct DemoCenter {
    /// The organization.
    pub org: Organization,
    /// Whether this run created it (false: an earlier run did).
    pub created: bool,
    /// The opening hours.
    pub business_hours: BusinessHoursId,
    /// The chat queues with the department each serves.
    pub queues: Vec<DemoQueue>,
    /// The voice queues, in the same department order.
    pub voice_queues: Vec<DemoQueue>,
    /// The human agents' SIP accounts, in agent order.
    pub phones: Vec<DemoPhone>,
    /// Every wrap-up code.
    pub wrap_up_codes: Vec<WrapUpCode>,
    /// The human agents `agent1`…`agent3`.
    pub humans: Vec<User>,
    /// The simulated agents `bot01`….
    pub bots: Vec<Bot>,
}

/// A demo queue.
#[derive(Debug, Clone)]
pub struct DemoQueue {
    /// The stored queue.
    pub queue: Queue,
    /// Its department: share of arrivals, openings, wrap-up codes.
    pub department: Department,
}

/// A human agent's SIP account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPhone {
    /// The agent's login (`agent1`).
    pub login: String,
    /// The SIP user name its phone registers with (`1001`).
    pub username: String,
}

/// The logins `moked demo` prints, in order.
pub const LOGINS: [(&str, &str); 5] = [
    ("admin", "מנהל/ת מערכת · admin"),
    ("supervisor", "אחראית משמרת · supervisor"),
    ("agent1", "נציגה: חיובים, תמיכה, מכירות, שימור · agent"),
    ("agent2", "נציג: תמיכה טכנית, חיובים · agent"),
    ("agent3", "נציגה: מכירות, שימור · agent"),
];

/// The pages `moked demo` points to, with what each is.
pub const PAGES: [(&str, &str); 5] = [
    (
        "/demo-site",
        "אתר לדוגמה עם חלונית הצ'אט (הלקוח) · a website with the chat widget",
    ),
    ("/login", "כניסת צוות · staff login"),
    ("/desktop", "עמדת נציג · agent desktop"),
    ("/wallboard", "לוח בקרה · supervisor wallboard"),
    ("/admin", "ניהול · admin"),
];

/// Why the demo could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The store failed or refused a record.
    #[error("demo data: {0}")]
    Store(#[from] StoreError),
    /// The password could not be made or is unusable.
    #[error("demo password: {0}")]
    Password(String),
    /// Generated data was invalid (a bug in the demo's fixtures).
    #[error("demo fixtures: {0}")]
    Data(String),
}
