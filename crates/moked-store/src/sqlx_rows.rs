//! Decoding result rows into model records, the same way for every sqlx
//! backend: the decoders read columns through [`StoreRow`], which both
//! backends' row types implement.

use crate::codec::{
    TimelineRow, channel_from_column, payload_from_column, role_from_column, sender_from_columns,
    seq_from_column, tier_from_column, timeline_from_columns, timestamp_from_column,
    unsigned_from_column,
};
use crate::sqlx_errors::backend;
use crate::{
    AgentCapacity, AgentPresence, AgentSkill, AuthToken, BusinessHoursId, ChatMessage, Customer,
    CustomerId, Event, Interaction, InteractionId, MessageId, Named, NewAuthToken, NewCustomer,
    NewEvent, NewMessage, NewQueue, NewWrapUpCode, OrgId, Organization, PresenceState, Queue,
    QueueId, SipAccount, SipRoute, SkillId, StoreError, StoreResult, TeamId, TimelineEntry,
    TokenKind, User, UserId, WeeklyInterval, WrapUpCode, WrapUpCodeId,
};
use moked_domain::{EmailAddress, IsraeliId, PhoneE164};
use sqlx::Row;
use std::collections::HashMap;

/// The column reads the decoders need, by column name.
pub trait StoreRow {
    /// An integer column.
    fn int(&self, column: &str) -> StoreResult<i64>;
    /// A nullable integer column.
    fn optional_int(&self, column: &str) -> StoreResult<Option<i64>>;
    /// A text column.
    fn text(&self, column: &str) -> StoreResult<String>;
    /// A nullable text column.
    fn optional_text(&self, column: &str) -> StoreResult<Option<String>>;
    /// A boolean column (an integer 0 or 1 in SQLite).
    fn boolean(&self, column: &str) -> StoreResult<bool>;
    /// A binary column (BLOB in SQLite, BYTEA in PostgreSQL).
    fn bytes(&self, column: &str) -> StoreResult<Vec<u8>>;
}

macro_rules! store_row {
    ($($row:ty),*) => {$(
        impl StoreRow for $row {
            fn int(&self, column: &str) -> StoreResult<i64> {
                self.try_get(column).map_err(backend)
            }
            fn optional_int(&self, column: &str) -> StoreResult<Option<i64>> {
                self.try_get(column).map_err(backend)
            }
            fn text(&self, column: &str) -> StoreResult<String> {
                self.try_get(column).map_err(backend)
            }
            fn optional_text(&self, column: &str) -> StoreResult<Option<String>> {
                self.try_get(column).map_err(backend)
            }
            fn boolean(&self, column: &str) -> StoreResult<bool> {
                self.try_get(column).map_err(backend)
            }
            fn bytes(&self, column: &str) -> StoreResult<Vec<u8>> {
                self.try_get(column).map_err(backend)
            }
        }
    )*};
}

store_row!(sqlx::postgres::PgRow, sqlx::sqlite::SqliteRow);

fn parsed<T, E: std::fmt::Display>(what: &str, value: Result<T, E>) -> StoreResult<T> {
    value.map_err(|e| StoreError::corrupt(format!("{what}: {e}")))
}

/// An organization from `id, slug, name, time_zone`.
pub fn organization(row: &impl StoreRow) -> StoreResult<Organization> {
    Ok(Organization {
        id: OrgId(row.int("id")?),
        slug: row.text("slug")?,
        name: row.text("name")?,
        time_zone: row.text("time_zone")?,
    })
}

/// A user from `id, login, display_name, role, password_hash, team_id, lang`.
pub fn user(row: &impl StoreRow) -> StoreResult<User> {
    Ok(User {
        id: UserId(row.int("id")?),
        login: row.text("login")?,
        display_name: row.text("display_name")?,
        role: role_from_column(&row.text("role")?)?,
        password_hash: row.text("password_hash")?,
        team: row.optional_int("team_id")?.map(TeamId),
        lang: row.text("lang")?,
    })
}

/// A team or skill from `id, name`.
pub fn named<Id>(row: &impl StoreRow, id: fn(i64) -> Id) -> StoreResult<Named<Id>> {
    Ok(Named {
        id: id(row.int("id")?),
        name: row.text("name")?,
    })
}

/// A queue from its columns.
pub fn queue(row: &impl StoreRow) -> StoreResult<Queue> {
    Ok(Queue {
        id: QueueId(row.int("id")?),
        spec: NewQueue {
            name: row.text("name")?,
            channel: channel_from_column(&row.text("channel")?)?,
            skill: row.optional_int("skill_id")?.map(SkillId),
            service_level_seconds: unsigned_from_column(
                "service level",
                row.int("service_level_seconds")?,
            )?,
            auto_accept: row.boolean("auto_accept")?,
            business_hours: row.optional_int("business_hours_id")?.map(BusinessHoursId),
            priority: parsed("priority", i32::try_from(row.int("priority")?))?,
            wrap_up_seconds: unsigned_from_column("wrap-up time", row.int("wrap_up_seconds")?)?,
            offer_timeout_seconds: unsigned_from_column(
                "offer timeout",
                row.int("offer_timeout_seconds")?,
            )?,
        },
    })
}

/// An agent's skill from `skill_id, level`.
pub fn agent_skill(row: &impl StoreRow) -> StoreResult<AgentSkill> {
    Ok(AgentSkill {
        skill: SkillId(row.int("skill_id")?),
        level: unsigned_from_column("skill level", row.int("level")?)?,
    })
}

/// An agent's capacity from `channel, max_concurrent`.
pub fn agent_capacity(row: &impl StoreRow) -> StoreResult<AgentCapacity> {
    Ok(AgentCapacity {
        channel: channel_from_column(&row.text("channel")?)?,
        max_concurrent: unsigned_from_column("capacity", row.int("max_concurrent")?)?,
    })
}

/// A wrap-up code from `id, code, label`.
pub fn wrap_up_code(row: &impl StoreRow) -> StoreResult<WrapUpCode> {
    Ok(WrapUpCode {
        id: WrapUpCodeId(row.int("id")?),
        spec: NewWrapUpCode {
            code: row.text("code")?,
            label: row.text("label")?,
        },
    })
}

/// A weekly interval from `weekday, opens_minute, closes_minute`.
pub fn business_hours_interval(row: &impl StoreRow) -> StoreResult<WeeklyInterval> {
    Ok(WeeklyInterval {
        weekday: unsigned_from_column("weekday", row.int("weekday")?)?,
        opens_minute: unsigned_from_column("opening", row.int("opens_minute")?)?,
        closes_minute: unsigned_from_column("closing", row.int("closes_minute")?)?,
    })
}

/// A customer from its row (`name, israeli_id, tier, notes`) and its
/// `phone` and `email` rows, in order.
pub fn customer<R: StoreRow>(
    id: CustomerId,
    row: &R,
    phones: &[R],
    emails: &[R],
) -> StoreResult<Customer> {
    let israeli_id = row
        .optional_text("israeli_id")?
        .map(|text| parsed("israeli id", IsraeliId::parse(&text)))
        .transpose()?;
    Ok(Customer {
        id,
        details: NewCustomer {
            name: row.text("name")?,
            phones: phones
                .iter()
                .map(|r| parsed("phone", PhoneE164::parse(&r.text("phone")?)))
                .collect::<StoreResult<_>>()?,
            emails: emails
                .iter()
                .map(|r| parsed("email", EmailAddress::parse(&r.text("email")?)))
                .collect::<StoreResult<_>>()?,
            israeli_id,
            tier: tier_from_column(&row.text("tier")?)?,
            notes: row.text("notes")?,
        },
    })
}

/// An interaction without its timeline.
pub fn interaction_head(row: &impl StoreRow) -> StoreResult<Interaction> {
    Ok(Interaction {
        id: InteractionId(row.int("id")?),
        channel: channel_from_column(&row.text("channel")?)?,
        queue: QueueId(row.int("queue_id")?),
        customer: row.optional_int("customer_id")?.map(CustomerId),
        created_at: timestamp_from_column(row.int("created_at")?)?,
        ended_at: row
            .optional_int("ended_at")?
            .map(timestamp_from_column)
            .transpose()?,
        timeline: Vec::new(),
    })
}

/// A timeline row and the id of the interaction it belongs to.
pub fn timeline_entry(row: &impl StoreRow) -> StoreResult<(i64, TimelineEntry)> {
    let step = timeline_from_columns(
        &row.text("kind")?,
        TimelineRow {
            queue: row.optional_int("queue_id")?,
            agent: row.optional_int("agent_id")?,
            wrap_up_code: row.optional_int("wrap_up_code_id")?,
            score: row.optional_int("score")?,
            comment: row.optional_text("comment")?,
        },
    )?;
    Ok((
        row.int("interaction_id")?,
        TimelineEntry {
            at: timestamp_from_column(row.int("at")?)?,
            step,
        },
    ))
}

/// Joins interaction rows with their timeline rows (both ordered).
pub fn interactions<R: StoreRow>(heads: &[R], steps: &[R]) -> StoreResult<Vec<Interaction>> {
    let mut timelines: HashMap<i64, Vec<TimelineEntry>> = HashMap::new();
    for row in steps {
        let (interaction, entry) = timeline_entry(row)?;
        timelines.entry(interaction).or_default().push(entry);
    }
    heads
        .iter()
        .map(|row| {
            let mut interaction = interaction_head(row)?;
            interaction.timeline = timelines.remove(&interaction.id.0).unwrap_or_default();
            Ok(interaction)
        })
        .collect()
}

/// A chat message from its columns.
pub fn chat_message(row: &impl StoreRow) -> StoreResult<ChatMessage> {
    Ok(ChatMessage {
        id: MessageId(row.int("id")?),
        content: NewMessage {
            interaction: InteractionId(row.int("interaction_id")?),
            sender: sender_from_columns(
                &row.text("sender_kind")?,
                row.optional_int("sender_user_id")?,
                row.boolean("internal")?,
            )?,
            body: row.text("body")?,
            idempotency_key: row.text("idempotency_key")?,
            sent_at: timestamp_from_column(row.int("sent_at")?)?,
        },
    })
}

/// An event from `seq, at, kind, payload` (the payload as JSON text).
pub fn event(row: &impl StoreRow) -> StoreResult<Event> {
    Ok(Event {
        seq: seq_from_column(row.int("seq")?)?,
        content: NewEvent {
            at: timestamp_from_column(row.int("at")?)?,
            kind: row.text("kind")?,
            payload: payload_from_column(&row.text("payload")?)?,
        },
    })
}

/// An agent's presence from `user_id, state, reason, since`.
pub fn agent_presence(row: &impl StoreRow) -> StoreResult<(UserId, AgentPresence)> {
    let state = row.text("state")?;
    Ok((
        UserId(row.int("user_id")?),
        AgentPresence {
            state: PresenceState::from_name(&state)
                .ok_or_else(|| StoreError::corrupt(format!("presence {state:?}")))?,
            reason: row.optional_text("reason")?,
            since: timestamp_from_column(row.int("since")?)?,
        },
    ))
}

/// A token from its columns.
pub fn auth_token(row: &impl StoreRow) -> StoreResult<AuthToken> {
    let kind = row.text("kind")?;
    Ok(AuthToken {
        id: row.int("id")?,
        spec: NewAuthToken {
            org: OrgId(row.int("org_id")?),
            kind: TokenKind::from_name(&kind)
                .ok_or_else(|| StoreError::corrupt(format!("token kind {kind:?}")))?,
            token_hash: row.text("token_hash")?,
            user: row.optional_int("user_id")?.map(UserId),
            role: row
                .optional_text("role")?
                .map(|role| role_from_column(&role))
                .transpose()?,
            interaction: row.optional_int("interaction_id")?.map(InteractionId),
            label: row.text("label")?,
            created_at: timestamp_from_column(row.int("created_at")?)?,
            expires_at: row
                .optional_int("expires_at")?
                .map(timestamp_from_column)
                .transpose()?,
        },
    })
}

/// A SIP account from `org_id, user_id, username, realm, ha1`.
pub fn sip_account(row: &impl StoreRow) -> StoreResult<SipAccount> {
    Ok(SipAccount {
        org: OrgId(row.int("org_id")?),
        user: UserId(row.int("user_id")?),
        username: row.text("username")?,
        realm: row.text("realm")?,
        ha1: row.text("ha1")?,
    })
}

/// A SIP route from `org_id, address, queue_id`.
pub fn sip_route(row: &impl StoreRow) -> StoreResult<SipRoute> {
    Ok(SipRoute {
        org: OrgId(row.int("org_id")?),
        address: row.text("address")?,
        queue: QueueId(row.int("queue_id")?),
    })
}
