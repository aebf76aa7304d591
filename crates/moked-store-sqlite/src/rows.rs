//! Decoding result rows into model records.

use moked_domain::{EmailAddress, IsraeliId, PhoneE164};
use moked_store::codec::{
    channel_from_column, payload_from_column, role_from_column, sender_from_columns,
    seq_from_column, tier_from_column, timeline_from_columns, timestamp_from_column,
    unsigned_from_column,
};
use moked_store::sqlx_errors::backend;
use moked_store::{
    AgentCapacity, AgentSkill, BusinessHoursId, ChatMessage, Customer, CustomerId, Event,
    Interaction, InteractionId, MessageId, Named, NewCustomer, NewEvent, NewMessage, NewQueue,
    NewWrapUpCode, OrgId, Organization, Queue, QueueId, SkillId, StoreError, StoreResult, TeamId,
    TimelineEntry, User, UserId, WeeklyInterval, WrapUpCode, WrapUpCodeId,
};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

fn get<'r, T>(row: &'r SqliteRow, column: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(column).map_err(backend)
}

fn parsed<T, E: std::fmt::Display>(what: &str, value: Result<T, E>) -> StoreResult<T> {
    value.map_err(|e| StoreError::corrupt(format!("{what}: {e}")))
}

pub(crate) fn organization(row: &SqliteRow) -> StoreResult<Organization> {
    Ok(Organization {
        id: OrgId(get(row, "id")?),
        slug: get(row, "slug")?,
        name: get(row, "name")?,
        time_zone: get(row, "time_zone")?,
    })
}

pub(crate) fn user(row: &SqliteRow) -> StoreResult<User> {
    Ok(User {
        id: UserId(get(row, "id")?),
        login: get(row, "login")?,
        display_name: get(row, "display_name")?,
        role: role_from_column(get(row, "role")?)?,
        password_hash: get(row, "password_hash")?,
        team: get::<Option<i64>>(row, "team_id")?.map(TeamId),
    })
}

pub(crate) fn named<Id>(row: &SqliteRow, id: fn(i64) -> Id) -> StoreResult<Named<Id>> {
    Ok(Named {
        id: id(get(row, "id")?),
        name: get(row, "name")?,
    })
}

pub(crate) fn queue(row: &SqliteRow) -> StoreResult<Queue> {
    Ok(Queue {
        id: QueueId(get(row, "id")?),
        spec: NewQueue {
            name: get(row, "name")?,
            channel: channel_from_column(get(row, "channel")?)?,
            skill: get::<Option<i64>>(row, "skill_id")?.map(SkillId),
            service_level_seconds: unsigned_from_column(
                "service level",
                get(row, "service_level_seconds")?,
            )?,
            auto_accept: get(row, "auto_accept")?,
            business_hours: get::<Option<i64>>(row, "business_hours_id")?.map(BusinessHoursId),
        },
    })
}

pub(crate) fn agent_skill(row: &SqliteRow) -> StoreResult<AgentSkill> {
    Ok(AgentSkill {
        skill: SkillId(get(row, "skill_id")?),
        level: unsigned_from_column("skill level", get(row, "level")?)?,
    })
}

pub(crate) fn agent_capacity(row: &SqliteRow) -> StoreResult<AgentCapacity> {
    Ok(AgentCapacity {
        channel: channel_from_column(get(row, "channel")?)?,
        max_concurrent: unsigned_from_column("capacity", get(row, "max_concurrent")?)?,
    })
}

pub(crate) fn wrap_up_code(row: &SqliteRow) -> StoreResult<WrapUpCode> {
    Ok(WrapUpCode {
        id: WrapUpCodeId(get(row, "id")?),
        spec: NewWrapUpCode {
            code: get(row, "code")?,
            label: get(row, "label")?,
        },
    })
}

pub(crate) fn business_hours_interval(row: &SqliteRow) -> StoreResult<WeeklyInterval> {
    Ok(WeeklyInterval {
        weekday: unsigned_from_column("weekday", get(row, "weekday")?)?,
        opens_minute: unsigned_from_column("opening", get(row, "opens_minute")?)?,
        closes_minute: unsigned_from_column("closing", get(row, "closes_minute")?)?,
    })
}

pub(crate) fn customer(
    id: CustomerId,
    row: &SqliteRow,
    phones: &[SqliteRow],
    emails: &[SqliteRow],
) -> StoreResult<Customer> {
    let israeli_id = get::<Option<String>>(row, "israeli_id")?
        .map(|text| parsed("israeli id", IsraeliId::parse(&text)))
        .transpose()?;
    Ok(Customer {
        id,
        details: NewCustomer {
            name: get(row, "name")?,
            phones: phones
                .iter()
                .map(|r| parsed("phone", PhoneE164::parse(get(r, "phone")?)))
                .collect::<StoreResult<_>>()?,
            emails: emails
                .iter()
                .map(|r| parsed("email", EmailAddress::parse(get(r, "email")?)))
                .collect::<StoreResult<_>>()?,
            israeli_id,
            tier: tier_from_column(get(row, "tier")?)?,
            notes: get(row, "notes")?,
        },
    })
}

pub(crate) fn interaction_head(row: &SqliteRow) -> StoreResult<Interaction> {
    Ok(Interaction {
        id: InteractionId(get(row, "id")?),
        channel: channel_from_column(get(row, "channel")?)?,
        queue: QueueId(get(row, "queue_id")?),
        customer: get::<Option<i64>>(row, "customer_id")?.map(CustomerId),
        created_at: timestamp_from_column(get(row, "created_at")?)?,
        ended_at: get::<Option<i64>>(row, "ended_at")?
            .map(timestamp_from_column)
            .transpose()?,
        timeline: Vec::new(),
    })
}

/// A timeline row and the interaction it belongs to.
pub(crate) fn timeline_entry(row: &SqliteRow) -> StoreResult<(i64, TimelineEntry)> {
    let step = timeline_from_columns(
        get(row, "kind")?,
        get(row, "queue_id")?,
        get(row, "agent_id")?,
        get(row, "wrap_up_code_id")?,
    )?;
    Ok((
        get(row, "interaction_id")?,
        TimelineEntry {
            at: timestamp_from_column(get(row, "at")?)?,
            step,
        },
    ))
}

pub(crate) fn chat_message(row: &SqliteRow) -> StoreResult<ChatMessage> {
    Ok(ChatMessage {
        id: MessageId(get(row, "id")?),
        content: NewMessage {
            interaction: InteractionId(get(row, "interaction_id")?),
            sender: sender_from_columns(get(row, "sender_kind")?, get(row, "sender_user_id")?)?,
            body: get(row, "body")?,
            idempotency_key: get(row, "idempotency_key")?,
            sent_at: timestamp_from_column(get(row, "sent_at")?)?,
        },
    })
}

pub(crate) fn event(row: &SqliteRow) -> StoreResult<Event> {
    Ok(Event {
        seq: seq_from_column(get(row, "seq")?)?,
        content: NewEvent {
            at: timestamp_from_column(get(row, "at")?)?,
            kind: get(row, "kind")?,
            payload: payload_from_column(get(row, "payload")?)?,
        },
    })
}
