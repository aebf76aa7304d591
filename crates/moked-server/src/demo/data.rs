//! The demo center's fixed content: a Hebrew cellular operator's queues,
//! wrap-up codes, staff, and the words its simulated customers and agents
//! say. Kept apart from the code that stores and animates it so the
//! scenery can change without touching the logic.

/// One department: its skill, its chat queue and how the demo loads it.
#[derive(Debug, Clone, Copy)]
pub struct Department {
    /// Skill and queue name (the queue carries the skill's name).
    pub name: &'static str,
    /// The SIP address callers dial for its voice queue (`sip:ADDRESS@HOST`).
    pub sip_address: &'static str,
    /// Service-level threshold in seconds.
    pub service_level_seconds: u32,
    /// After-contact work a contact of this queue gets.
    pub wrap_up_seconds: u32,
    /// Served first when an agent could take several queues.
    pub priority: i32,
    /// Share of the center's chats that arrive here.
    pub share: f64,
    /// What customers of this queue write first.
    pub openings: &'static [&'static str],
    /// Wrap-up codes of this department: (code, Hebrew label).
    pub codes: &'static [(&'static str, &'static str)],
}

/// The four departments, in the order queues are created.
pub const DEPARTMENTS: [Department; 4] = [
    Department {
        name: "חיובים",
        sip_address: "billing",
        service_level_seconds: 60,
        wrap_up_seconds: 20,
        priority: 0,
        share: 0.40,
        openings: &[
            "שלום, קיבלתי חשבון גבוה מהרגיל החודש",
            "למה חויבתי פעמיים על אותו חודש?",
            "אני רוצה לשנות את אמצעי התשלום",
            "יש לי חיוב על שירות שלא הזמנתי",
            "לא הבנתי את החשבונית האחרונה",
        ],
        codes: &[
            ("billing-explained", "הוסבר החשבון"),
            ("billing-refund", "זיכוי כספי"),
            ("billing-payment", "עדכון אמצעי תשלום"),
        ],
    },
    Department {
        name: "תמיכה טכנית",
        sip_address: "support",
        service_level_seconds: 60,
        wrap_up_seconds: 30,
        priority: 0,
        share: 0.30,
        openings: &[
            "אין לי קליטה בבית מאז אתמול",
            "האינטרנט בטלפון איטי מאוד",
            "איך מפעילים גלישה בחו\"ל?",
            "הטלפון לא מזהה את כרטיס הסים",
            "לא מצליח לשלוח הודעות SMS",
        ],
        codes: &[
            ("support-solved", "התקלה נפתרה"),
            ("support-technician", "נקבע ביקור טכנאי"),
            ("support-escalated", "הועבר לדרג שני"),
        ],
    },
    Department {
        name: "מכירות",
        sip_address: "sales",
        service_level_seconds: 30,
        wrap_up_seconds: 15,
        priority: 30,
        share: 0.18,
        openings: &[
            "מה החבילות שלכם לגלישה ללא הגבלה?",
            "אני רוצה להוסיף קו לילד",
            "יש מבצע על האייפון החדש?",
            "כמה עולה חבילה משפחתית?",
        ],
        codes: &[
            ("sales-closed", "נסגרה עסקה"),
            ("sales-offer", "נשלחה הצעה"),
            ("sales-no", "לא מעוניין"),
        ],
    },
    Department {
        name: "שימור",
        sip_address: "retention",
        service_level_seconds: 30,
        wrap_up_seconds: 45,
        priority: 60,
        share: 0.12,
        openings: &[
            "אני רוצה לבטל את המנוי",
            "קיבלתי הצעה טובה יותר ממתחרה",
            "המחיר עלה ואני שוקל לעזוב",
            "איך מנתקים את הקו?",
        ],
        codes: &[
            ("retention-saved", "הלקוח נשאר"),
            ("retention-discount", "ניתנה הנחה"),
            ("retention-left", "הלקוח עזב"),
        ],
    },
];

/// The organization's slug, name and time zone.
pub const ORG_SLUG: &str = "demo";
/// The organization's display name.
pub const ORG_NAME: &str = "סלולר דמו";
/// The organization's time zone.
pub const ORG_TIME_ZONE: &str = "Asia/Jerusalem";
/// The business-hours schedule's name.
pub const HOURS_NAME: &str = "שעות פעילות";
/// The two teams: front office (billing and support), and sales with retention.
pub const TEAMS: [&str; 2] = ["שירות ותמיכה", "מכירות ושימור"];

/// A person who logs in: login, Hebrew display name, team index, and
/// (department index, skill level) pairs.
pub struct Person {
    /// Login name.
    pub login: &'static str,
    /// Display name.
    pub display_name: &'static str,
    /// Index into [`TEAMS`].
    pub team: usize,
    /// Skills as (index into [`DEPARTMENTS`], level).
    pub skills: &'static [(usize, u8)],
}

/// The human agents someone trying the demo logs in as; mixed skills so
/// each sees more than one queue.
pub const HUMAN_AGENTS: [Person; 3] = [
    Person {
        login: "agent1",
        display_name: "נועה לוי",
        team: 0,
        skills: &[(0, 8), (1, 6), (2, 4), (3, 4)],
    },
    Person {
        login: "agent2",
        display_name: "יוסי מזרחי",
        team: 0,
        skills: &[(1, 9), (0, 5)],
    },
    Person {
        login: "agent3",
        display_name: "מיכל אברהם",
        team: 1,
        skills: &[(2, 8), (3, 9)],
    },
];

/// First names of the simulated agents (`bot01`, `bot02`, …, taken in turn),
/// shown as "דנה (בוט)" so nobody mistakes them for people.
pub const BOT_NAMES: [&str; 12] = [
    "דנה",
    "אורי",
    "שירה",
    "איתי",
    "רותם",
    "עמית",
    "הילה",
    "גל",
    "טל",
    "ליאור",
    "יעל",
    "בן",
];

/// Hebrew given names of customers.
pub const FIRST_NAMES: [&str; 30] = [
    "אברהם",
    "שרה",
    "משה",
    "רחל",
    "דוד",
    "לאה",
    "יוסף",
    "מרים",
    "יעקב",
    "אסתר",
    "אליהו",
    "חנה",
    "שמואל",
    "רבקה",
    "נתן",
    "תמר",
    "אריאל",
    "נועה",
    "עומר",
    "מאיה",
    "איתן",
    "שני",
    "רון",
    "הדר",
    "מוחמד",
    "פאטמה",
    "אחמד",
    "לילא",
    "ויקטור",
    "אולגה",
];

/// Hebrew family names of customers.
pub const LAST_NAMES: [&str; 25] = [
    "כהן",
    "לוי",
    "מזרחי",
    "פרץ",
    "ביטון",
    "דהן",
    "אברהם",
    "פרידמן",
    "אזולאי",
    "מלכה",
    "כץ",
    "יוסף",
    "שפירא",
    "חדד",
    "גבאי",
    "אוחיון",
    "עמר",
    "בן דוד",
    "רוזנברג",
    "גולן",
    "חביב",
    "עזאם",
    "נסאר",
    "קוזלוב",
    "איבנוב",
];

/// Mobile prefixes of the Israeli numbering plan (05X, ten digits).
pub const MOBILE_PREFIXES: [&str; 6] = ["050", "052", "053", "054", "055", "058"];

/// Notes agents left on customers' records.
pub const CUSTOMER_NOTES: [&str; 6] = [
    "",
    "מעדיף פנייה בצ'אט",
    "לקוח ותיק, רגיש למחיר",
    "ביקש לא לקבל הצעות שיווק",
    "בעל 3 קווים בחשבון",
    "דובר רוסית, מעדיף נציג דובר רוסית",
];

/// What customers write while the agent helps.
pub const CUSTOMER_FOLLOW_UPS: [&str; 6] = [
    "כן, זה המספר שלי",
    "אוקיי, ומה עכשיו?",
    "זה כבר קרה לי גם בחודש שעבר",
    "אפשר לקבל את זה גם במייל?",
    "רגע, אני בודק",
    "הבנתי",
];

/// How customers say goodbye.
pub const CUSTOMER_THANKS: [&str; 3] = ["תודה רבה!", "מעולה, תודה", "תודה, יום טוב"];

/// What the simulated agents answer.
pub const AGENT_REPLIES: [&str; 7] = [
    "אני בודק את זה עבורך, רגע אחד בבקשה",
    "תודה על הסבלנות",
    "אני רואה את זה במערכת",
    "עדכנתי את הפרטים",
    "אפשר לאמת את ארבע הספרות האחרונות של תעודת הזהות?",
    "שלחתי לך הודעה עם הפרטים",
    "האם יש עוד משהו שאוכל לעזור בו?",
];

/// How the simulated agents close a chat.
pub const AGENT_CLOSINGS: [&str; 2] = ["שמחתי לעזור, יום נעים!", "תודה שפנית אלינו, להתראות"];
