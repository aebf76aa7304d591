//! A small contact center on a SQLite file in a temporary folder, driven
//! with a manual clock.

#![allow(dead_code)]

use jiff::{SignedDuration, Timestamp};
use moked_domain::{Channel, PhoneE164};
use moked_live::{Lang, Live, LiveConfig, ManualClock, OpenChat};
use moked_store::{
    AgentCapacity, AgentSkill, InteractionId, NewOrganization, NewQueue, NewUser, NewWrapUpCode,
    OrgId, QueueId, Role, Store, UserId, WrapUpCodeId,
};
use moked_store_sqlite::SqliteStore;
use std::sync::Arc;
use tempfile::TempDir;

/// A valid argon2id PHC string (the store only checks the form).
pub const HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$bW9rZWRzYWx0$1n3b0sSMU7sKsbWbX2oXzXkHk3Zz1xQ2dFJ0m9yXvGA";

/// 2026-11-22 10:00 in Jerusalem (08:00 UTC): a working morning.
pub fn morning() -> Timestamp {
    "2026-11-22T08:00:00Z".parse().unwrap()
}

pub struct Center {
    pub dir: TempDir,
    pub store: Arc<dyn Store>,
    pub clock: Arc<ManualClock>,
    pub live: Live,
    pub org: OrgId,
    pub billing: QueueId,
    pub tech: QueueId,
    pub dana: UserId,
    pub yossi: UserId,
    pub rina: UserId,
    pub refund: WrapUpCodeId,
}

/// Queues: חיובים (billing, offers ring 30 s, SL 20 s, wrap-up 60 s) and
/// תמיכה טכנית (tech, auto-accept). Agents דנה, יוסי (billing and tech)
/// and רינה (tech only), 3 chats each, all offline.
pub async fn center() -> Center {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_dir(dir.path()).await.unwrap());
    let org = store
        .create_organization(&NewOrganization {
            slug: "cellcom-demo".into(),
            name: "סלולר בע\"מ".into(),
            time_zone: "Asia/Jerusalem".into(),
        })
        .await
        .unwrap()
        .id;
    let billing_skill = store.create_skill(org, "חיובים").await.unwrap().id;
    let tech_skill = store.create_skill(org, "תמיכה").await.unwrap().id;
    let queue = |name: &str, skill, auto_accept| NewQueue {
        name: name.into(),
        channel: Channel::Chat,
        skill: Some(skill),
        service_level_seconds: 20,
        auto_accept,
        business_hours: None,
        priority: 0,
        wrap_up_seconds: 60,
        offer_timeout_seconds: 30,
    };
    let billing = store
        .create_queue(org, &queue("חיובים", billing_skill, false))
        .await
        .unwrap()
        .id;
    let tech = store
        .create_queue(org, &queue("תמיכה טכנית", tech_skill, true))
        .await
        .unwrap()
        .id;
    let agent = async |login: &str, name: &str, skills: &[(moked_store::SkillId, u8)]| {
        let user = store
            .create_user(
                org,
                &NewUser {
                    login: login.into(),
                    display_name: name.into(),
                    role: Role::Agent,
                    password_hash: HASH.into(),
                    team: None,
                    lang: "he".into(),
                },
            )
            .await
            .unwrap()
            .id;
        for &(skill, level) in skills {
            store
                .set_agent_skill(org, user, AgentSkill { skill, level })
                .await
                .unwrap();
        }
        store
            .set_agent_capacity(
                org,
                user,
                AgentCapacity {
                    channel: Channel::Chat,
                    max_concurrent: 3,
                },
            )
            .await
            .unwrap();
        user
    };
    let dana = agent("dana", "דנה כהן", &[(billing_skill, 8), (tech_skill, 4)]).await;
    let yossi = agent("yossi", "יוסי לוי", &[(billing_skill, 6), (tech_skill, 6)]).await;
    let rina = agent("rina", "רינה מזרחי", &[(tech_skill, 10)]).await;
    let refund = store
        .create_wrap_up_code(
            org,
            &NewWrapUpCode {
                code: "billing-refund".into(),
                label: "החזר כספי".into(),
            },
        )
        .await
        .unwrap()
        .id;
    let clock = Arc::new(ManualClock::new(morning()));
    let live = Live::start(store.clone(), clock.clone(), LiveConfig::default())
        .await
        .unwrap();
    Center {
        dir,
        store,
        clock,
        live,
        org,
        billing,
        tech,
        dana,
        yossi,
        rina,
        refund,
    }
}

impl Center {
    pub fn advance(&self, seconds: i64) {
        self.clock.advance(SignedDuration::from_secs(seconds));
    }

    pub async fn open(&self, queue: QueueId, name: &str) -> InteractionId {
        self.live
            .open_chat(
                self.org,
                OpenChat {
                    queue: Some(queue),
                    name: name.into(),
                    phone: None,
                    lang: Lang::He,
                },
            )
            .await
            .unwrap()
            .chat
    }

    pub async fn open_with_phone(&self, queue: QueueId, name: &str, phone: &str) -> InteractionId {
        self.live
            .open_chat(
                self.org,
                OpenChat {
                    queue: Some(queue),
                    name: name.into(),
                    phone: Some(PhoneE164::parse(phone).unwrap()),
                    lang: Lang::He,
                },
            )
            .await
            .unwrap()
            .chat
    }

    pub async fn available(&self, user: UserId) {
        self.live
            .set_presence(self.org, user, moked_live::PresenceRequest::Available)
            .await
            .unwrap();
    }

    /// Starts a second live center on the same database, as after a crash.
    pub async fn restart(&mut self) {
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open_in_dir(self.dir.path()).await.unwrap());
        self.store = store.clone();
        self.live = Live::start(store, self.clock.clone(), LiveConfig::default())
            .await
            .unwrap();
    }
}
