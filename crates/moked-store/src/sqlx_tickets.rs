//! The [`TicketStore`](crate::TicketStore) half of the sqlx backends: row
//! decoders, the ticket list query, and `impl_ticket_store_with_sqlx!`,
//! which [`impl_store_with_sqlx!`](crate::impl_store_with_sqlx) expands for
//! each backend.
//!
//! Every write that changes a ticket starts with a write to the ticket's
//! row (which locks it on PostgreSQL, and is the first statement of the
//! transaction on SQLite, so no read-to-write upgrade can fail), then reads
//! the ticket, applies the changes with [`apply_change`](crate::apply_change)
//! and writes the new values and the history rows before one commit.

use crate::codec::timestamp_from_column;
use crate::sqlx_rows::StoreRow;
use crate::{
    Attachment, CannedResponse, CustomerId, EscalationRule, EscalationTrigger, InteractionId,
    MacroActions, NewCannedResponse, NewEscalationRule, NewSlaPolicy, NewTicket, SlaPolicy,
    StoreError, StoreResult, TeamId, Ticket, TicketHistoryEntry, TicketId, TicketLink, TicketNote,
    TicketNumber, TicketQuery, TicketStatus, UserId, codec::timestamp_to_column,
};
use std::str::FromStr;

/// The columns every ticket read selects.
pub const TICKET_COLUMNS: &str = "id, number, subject, status, priority, category, customer_id, \
     assignee_id, team_id, back_office_team_id, owner_id, created_at, updated_at, \
     first_response_at, solved_at, merged_into";
/// The columns of an attachment's description.
pub const ATTACHMENT_COLUMNS: &str =
    "id, ticket_id, file_name, content_type, size, sha256, uploaded_by, created_at";

fn parsed<T: FromStr>(what: &str, text: &str) -> StoreResult<T> {
    text.parse()
        .map_err(|_| StoreError::corrupt(format!("{what} {text:?}")))
}

fn optional_time(row: &impl StoreRow, column: &str) -> StoreResult<Option<jiff::Timestamp>> {
    row.optional_int(column)?
        .map(timestamp_from_column)
        .transpose()
}

/// The ticket a create or an import has just written: `new` at `status`,
/// numbered `number`, opened and last changed at `times`.
pub fn created_ticket(
    id: TicketId,
    number: i64,
    new: &NewTicket,
    status: TicketStatus,
    times: (jiff::Timestamp, jiff::Timestamp),
    solved_at: Option<jiff::Timestamp>,
) -> StoreResult<Ticket> {
    let number = u64::try_from(number)
        .ok()
        .and_then(|n| TicketNumber::new(n).ok())
        .ok_or_else(|| StoreError::corrupt("ticket counter"))?;
    Ok(Ticket {
        id,
        number,
        subject: new.subject.clone(),
        status,
        priority: new.priority,
        category: new.category.clone(),
        customer: new.customer,
        assignee: new.assignee,
        team: new.team,
        back_office_team: None,
        owner: None,
        tags: crate::normalized_tags(&new.tags),
        created_at: times.0,
        updated_at: times.1,
        first_response_at: None,
        solved_at,
        merged_into: None,
    })
}

/// A ticket without its tags, from [`TICKET_COLUMNS`].
pub fn ticket_head(row: &impl StoreRow) -> StoreResult<Ticket> {
    let number = u64::try_from(row.int("number")?)
        .ok()
        .and_then(|n| TicketNumber::new(n).ok())
        .ok_or_else(|| StoreError::corrupt("ticket number"))?;
    Ok(Ticket {
        id: TicketId(row.int("id")?),
        number,
        subject: row.text("subject")?,
        status: parsed("status", &row.text("status")?)?,
        priority: parsed("priority", &row.text("priority")?)?,
        category: row.optional_text("category")?,
        customer: row.optional_int("customer_id")?.map(CustomerId),
        assignee: row.optional_int("assignee_id")?.map(UserId),
        team: row.optional_int("team_id")?.map(TeamId),
        back_office_team: row.optional_int("back_office_team_id")?.map(TeamId),
        owner: row.optional_int("owner_id")?.map(UserId),
        tags: Vec::new(),
        created_at: timestamp_from_column(row.int("created_at")?)?,
        updated_at: timestamp_from_column(row.int("updated_at")?)?,
        first_response_at: optional_time(row, "first_response_at")?,
        solved_at: optional_time(row, "solved_at")?,
        merged_into: row.optional_int("merged_into")?.map(TicketId),
    })
}

/// Tickets from their heads and `ticket_id, tag` rows (sorted by tag).
pub fn tickets<R: StoreRow>(heads: &[R], tags: &[R]) -> StoreResult<Vec<Ticket>> {
    let mut tickets = heads
        .iter()
        .map(ticket_head)
        .collect::<StoreResult<Vec<_>>>()?;
    for row in tags {
        let id = TicketId(row.int("ticket_id")?);
        if let Some(ticket) = tickets.iter_mut().find(|t| t.id == id) {
            ticket.tags.push(row.text("tag")?);
        }
    }
    Ok(tickets)
}

/// A history row from `at, actor_id, field, old_value, new_value`.
pub fn history_entry(row: &impl StoreRow) -> StoreResult<TicketHistoryEntry> {
    let json = |column: &str| -> StoreResult<serde_json::Value> {
        serde_json::from_str(&row.text(column)?)
            .map_err(|e| StoreError::corrupt(format!("history {column}: {e}")))
    };
    Ok(TicketHistoryEntry {
        at: timestamp_from_column(row.int("at")?)?,
        actor: row.optional_int("actor_id")?.map(UserId),
        field: row.text("field")?,
        old: json("old_value")?,
        new: json("new_value")?,
    })
}

/// A note from `id, author_id, body, created_at`.
pub fn note(row: &impl StoreRow) -> StoreResult<TicketNote> {
    Ok(TicketNote {
        id: row.int("id")?,
        author: UserId(row.int("author_id")?),
        body: row.text("body")?,
        created_at: timestamp_from_column(row.int("created_at")?)?,
    })
}

/// An attachment's description from [`ATTACHMENT_COLUMNS`].
pub fn attachment(row: &impl StoreRow) -> StoreResult<Attachment> {
    Ok(Attachment {
        id: row.int("id")?,
        ticket: TicketId(row.int("ticket_id")?),
        file_name: row.text("file_name")?,
        content_type: row.text("content_type")?,
        size: u64::try_from(row.int("size")?)
            .map_err(|_| StoreError::corrupt("attachment size"))?,
        sha256: row.text("sha256")?,
        uploaded_by: row.optional_int("uploaded_by")?.map(UserId),
        created_at: timestamp_from_column(row.int("created_at")?)?,
    })
}

/// A link from `interaction_id, linked_at`.
pub fn link(row: &impl StoreRow) -> StoreResult<TicketLink> {
    Ok(TicketLink {
        interaction: InteractionId(row.int("interaction_id")?),
        linked_at: timestamp_from_column(row.int("linked_at")?)?,
    })
}

/// A canned response from `id, name, lang, body, actions`.
pub fn canned_response(row: &impl StoreRow) -> StoreResult<CannedResponse> {
    let actions = row.text("actions")?;
    Ok(CannedResponse {
        id: row.int("id")?,
        spec: NewCannedResponse {
            name: row.text("name")?,
            lang: row.text("lang")?,
            body: row.text("body")?,
            actions: serde_json::from_str(&actions)
                .map_err(|e| StoreError::corrupt(format!("canned response actions: {e}")))?,
        },
    })
}

/// A macro's actions as stored: a JSON object.
pub fn actions_to_column(actions: &MacroActions) -> StoreResult<String> {
    serde_json::to_string(actions).map_err(|e| StoreError::corrupt(e.to_string()))
}

/// An SLA policy from `id, name, priority, category,
/// first_response_minutes, resolution_minutes`.
pub fn sla_policy(row: &impl StoreRow) -> StoreResult<SlaPolicy> {
    let minutes = |column: &str| -> StoreResult<u32> {
        u32::try_from(row.int(column)?).map_err(|_| StoreError::corrupt(column.to_owned()))
    };
    Ok(SlaPolicy {
        id: row.int("id")?,
        spec: NewSlaPolicy {
            name: row.text("name")?,
            priority: row
                .optional_text("priority")?
                .map(|p| parsed("priority", &p))
                .transpose()?,
            category: row.optional_text("category")?,
            first_response_minutes: minutes("first_response_minutes")?,
            resolution_minutes: minutes("resolution_minutes")?,
        },
    })
}

/// An escalation rule from `id, name, trigger_kind, category, team_id`.
pub fn escalation_rule(row: &impl StoreRow) -> StoreResult<EscalationRule> {
    let trigger = match (
        row.text("trigger_kind")?.as_str(),
        row.optional_text("category")?,
    ) {
        ("breach", None) => EscalationTrigger::Breach,
        ("category", Some(category)) => EscalationTrigger::Category(category),
        (kind, _) => return Err(StoreError::corrupt(format!("escalation trigger {kind:?}"))),
    };
    Ok(EscalationRule {
        id: row.int("id")?,
        spec: NewEscalationRule {
            name: row.text("name")?,
            trigger,
            team: TeamId(row.int("team_id")?),
        },
    })
}

/// The stored form of a trigger: its kind and its category, if any.
pub fn trigger_to_columns(trigger: &EscalationTrigger) -> (&'static str, Option<&str>) {
    match trigger {
        EscalationTrigger::Breach => ("breach", None),
        EscalationTrigger::Category(category) => ("category", Some(category)),
    }
}

/// A value bound to a parameter of the ticket list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// An integer (ids, times).
    Int(i64),
    /// A text (statuses, priorities).
    Text(&'static str),
}

/// The conditions of a query and the values of their parameters; `$1` is
/// the organization.
struct Conditions {
    sql: Vec<String>,
    params: Vec<Param>,
}

impl Conditions {
    /// The next parameter's placeholder.
    fn slot(&mut self, param: Param) -> String {
        self.params.push(param);
        format!("${}", self.params.len() + 1)
    }

    /// `left` compared with one parameter, as in `updated_at >=`.
    fn add(&mut self, left: &str, param: Param) {
        let slot = self.slot(param);
        self.sql.push(format!("{left} {slot}"));
    }
}

/// The ticket list query for `query` in `$1`'s organization, newest first,
/// with the values of `$2`, `$3`… in order.
pub fn ticket_list_sql(query: &TicketQuery) -> (String, Vec<Param>) {
    let mut c = Conditions {
        sql: vec!["org_id = $1".to_owned()],
        params: Vec::new(),
    };
    if !query.statuses.is_empty() {
        let slots: Vec<String> = query
            .statuses
            .iter()
            .map(|s| c.slot(Param::Text(s.as_str())))
            .collect();
        c.sql.push(format!("status IN ({})", slots.join(", ")));
    }
    let ids = [
        ("assignee_id =", query.assignee.map(|u| u.0)),
        ("team_id =", query.team.map(|t| t.0)),
        ("back_office_team_id =", query.back_office_team.map(|t| t.0)),
        ("customer_id =", query.customer.map(|x| x.0)),
        ("id <", query.before.map(|t| t.0)),
        (
            "updated_at >=",
            query.updated_since.map(timestamp_to_column),
        ),
    ];
    for (left, value) in ids {
        if let Some(value) = value {
            c.add(left, Param::Int(value));
        }
    }
    if let Some(priority) = query.priority {
        c.add("priority =", Param::Text(priority.as_str()));
    }
    let limit = c.slot(Param::Int(i64::from(query.limit)));
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets WHERE {} ORDER BY id DESC LIMIT {limit}",
        c.sql.join(" AND ")
    );
    (sql, c.params)
}

/// `$from, $from+1, …` for `count` parameters.
pub fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Implements [`TicketStore`](crate::TicketStore) for `$store` on `$db`;
/// expanded by [`impl_store_with_sqlx!`](crate::impl_store_with_sqlx),
/// whose inherent helpers (`reader`, `writer`, `begin_write`,
/// `begin_snapshot`) it uses.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_ticket_store_with_sqlx {
    (store: $store:ty, database: $db:ty $(,)?) => {
        const _: () = {
            use $crate::codec::timestamp_to_column;
            use $crate::sqlx_errors::{backend, from_sqlx};
            use $crate::sqlx_store::__reexport::{Timestamp, async_trait, sqlx};
            use $crate::sqlx_tickets::{self as rows, ATTACHMENT_COLUMNS, Param, TICKET_COLUMNS};
            use $crate::{
                Attachment, CannedResponse, EscalationRule, InteractionId, NewAttachment,
                NewCannedResponse, NewEscalationRule, NewSlaPolicy, NewTicket, OrgId, SlaPolicy,
                StoreError, StoreResult, Ticket, TicketActor, TicketChange, TicketHistoryEntry,
                TicketId, TicketLink, TicketNote, TicketNumber, TicketQuery, TicketStatus,
                TicketStore, UserId, apply_change, normalized_tags, sha256_hex, validate,
            };
            use $crate::sqlx_store::__reexport::json;

            type Tx<'a> = sqlx::Transaction<'a, $db>;

            /// A missing referenced row reported as the entity the caller named.
            fn missing_as(
                entity: &'static str,
                context: &'static str,
            ) -> impl FnOnce(sqlx::Error) -> StoreError {
                move |e| match from_sqlx(context, e) {
                    StoreError::NotFound { .. } => StoreError::NotFound { entity },
                    other => other,
                }
            }

            impl $store {
                /// Writes to the ticket's row first: the lock that keeps a
                /// concurrent change out until commit. Missing: `NotFound`.
                async fn ticket_lock(tx: &mut Tx<'_>, org: OrgId, id: TicketId) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE tickets SET updated_at = updated_at WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("ticket", e))?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound { entity: "ticket" });
                    }
                    Ok(())
                }

                async fn ticket_touch(
                    tx: &mut Tx<'_>,
                    org: OrgId,
                    id: TicketId,
                    at: Timestamp,
                ) -> StoreResult<()> {
                    sqlx::query("UPDATE tickets SET updated_at = $3 WHERE org_id = $1 AND id = $2")
                        .bind(org.0)
                        .bind(id.0)
                        .bind(timestamp_to_column(at))
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| from_sqlx("ticket", e))?;
                    Ok(())
                }

                /// Loads the tickets `head_sql` selects (`$1` is the
                /// organization, then `head_params`) with their tags.
                async fn ticket_load(
                    tx: &mut Tx<'_>,
                    org: OrgId,
                    head_sql: &str,
                    head_params: &[Param],
                ) -> StoreResult<Vec<Ticket>> {
                    let mut heads = sqlx::query(head_sql).bind(org.0);
                    for param in head_params {
                        heads = match param {
                            Param::Int(v) => heads.bind(*v),
                            Param::Text(v) => heads.bind(*v),
                        };
                    }
                    let heads = heads
                        .fetch_all(&mut **tx)
                        .await
                        .map_err(|e| from_sqlx("ticket", e))?;
                    if heads.is_empty() {
                        return Ok(Vec::new());
                    }
                    let tag_sql = format!(
                        "SELECT ticket_id, tag FROM ticket_tags WHERE org_id = $1 \
                         AND ticket_id IN ({}) ORDER BY ticket_id, tag",
                        rows::placeholders(2, heads.len())
                    );
                    let mut tags = sqlx::query(&tag_sql).bind(org.0);
                    for head in &heads {
                        tags = tags.bind(sqlx::Row::try_get::<i64, _>(head, "id").map_err(backend)?);
                    }
                    let tags = tags
                        .fetch_all(&mut **tx)
                        .await
                        .map_err(|e| from_sqlx("ticket", e))?;
                    rows::tickets(&heads, &tags)
                }

                async fn ticket_in(tx: &mut Tx<'_>, org: OrgId, id: TicketId) -> StoreResult<Ticket> {
                    let sql = format!(
                        "SELECT {TICKET_COLUMNS} FROM tickets WHERE org_id = $1 AND id = $2"
                    );
                    Self::ticket_load(tx, org, &sql, &[Param::Int(id.0)])
                        .await?
                        .pop()
                        .ok_or(StoreError::NotFound { entity: "ticket" })
                }

                async fn ticket_history_row(
                    tx: &mut Tx<'_>,
                    org: OrgId,
                    id: TicketId,
                    by: TicketActor,
                    field: &str,
                    (old, new): (&json::Value, &json::Value),
                ) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO ticket_history (org_id, ticket_id, at, actor_id, field, \
                         old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .bind(timestamp_to_column(by.at))
                    .bind(by.user.map(|u| u.0))
                    .bind(field)
                    .bind(old.to_string())
                    .bind(new.to_string())
                    .execute(&mut **tx)
                    .await
                    .map_err(missing_as("user", "ticket history"))?;
                    Ok(())
                }

                async fn ticket_write_tags(
                    tx: &mut Tx<'_>,
                    org: OrgId,
                    ticket: &Ticket,
                ) -> StoreResult<()> {
                    sqlx::query("DELETE FROM ticket_tags WHERE org_id = $1 AND ticket_id = $2")
                        .bind(org.0)
                        .bind(ticket.id.0)
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| from_sqlx("ticket", e))?;
                    for tag in &ticket.tags {
                        sqlx::query(
                            "INSERT INTO ticket_tags (org_id, ticket_id, tag) VALUES ($1, $2, $3)",
                        )
                        .bind(org.0)
                        .bind(ticket.id.0)
                        .bind(tag)
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| from_sqlx("ticket", e))?;
                    }
                    Ok(())
                }

                async fn ticket_write(tx: &mut Tx<'_>, org: OrgId, t: &Ticket) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE tickets SET subject = $3, status = $4, priority = $5, \
                         category = $6, customer_id = $7, assignee_id = $8, team_id = $9, \
                         back_office_team_id = $10, owner_id = $11, updated_at = $12, \
                         first_response_at = $13, solved_at = $14, merged_into = $15 \
                         WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org.0)
                    .bind(t.id.0)
                    .bind(&t.subject)
                    .bind(t.status.as_str())
                    .bind(t.priority.as_str())
                    .bind(t.category.as_deref())
                    .bind(t.customer.map(|c| c.0))
                    .bind(t.assignee.map(|u| u.0))
                    .bind(t.team.map(|x| x.0))
                    .bind(t.back_office_team.map(|x| x.0))
                    .bind(t.owner.map(|u| u.0))
                    .bind(timestamp_to_column(t.updated_at))
                    .bind(t.first_response_at.map(timestamp_to_column))
                    .bind(t.solved_at.map(timestamp_to_column))
                    .bind(t.merged_into.map(|m| m.0))
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("ticket", e))?;
                    Self::ticket_write_tags(tx, org, t).await
                }

                /// Applies `changes` to a loaded ticket and writes the result
                /// and its history rows.
                async fn ticket_apply(
                    tx: &mut Tx<'_>,
                    org: OrgId,
                    ticket: &mut Ticket,
                    changes: &[TicketChange],
                    by: TicketActor,
                ) -> StoreResult<()> {
                    let mut history = Vec::new();
                    for change in changes {
                        if let Some(entry) = apply_change(ticket, change, by.at)? {
                            history.push((change.field(), entry));
                        }
                    }
                    if history.is_empty() {
                        return Ok(());
                    }
                    Self::ticket_write(tx, org, ticket).await?;
                    for (field, (old, new)) in &history {
                        Self::ticket_history_row(tx, org, ticket.id, by, field, (old, new)).await?;
                    }
                    Ok(())
                }

                async fn ticket_create(
                    &self,
                    org: OrgId,
                    new: &NewTicket,
                    by: TicketActor,
                ) -> StoreResult<Ticket> {
                    validate::new_ticket(new)?;
                    let mut tx = self.begin_write().await?;
                    // The counter row hands out numbers in commit order, gap-free.
                    let number: i64 = sqlx::query_scalar(
                        "UPDATE organizations SET last_ticket_number = last_ticket_number + 1 \
                         WHERE id = $1 RETURNING last_ticket_number",
                    )
                    .bind(org.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("organization", e))?
                    .ok_or(StoreError::NotFound { entity: "organization" })?;
                    let at = timestamp_to_column(by.at);
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO tickets (org_id, number, subject, status, priority, \
                         category, customer_id, assignee_id, team_id, created_at, updated_at) \
                         VALUES ($1, $2, $3, 'new', $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                    )
                    .bind(org.0)
                    .bind(number)
                    .bind(&new.subject)
                    .bind(new.priority.as_str())
                    .bind(new.category.as_deref())
                    .bind(new.customer.map(|c| c.0))
                    .bind(new.assignee.map(|u| u.0))
                    .bind(new.team.map(|t| t.0))
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("ticket", e))?;
                    let ticket = rows::created_ticket(
                        TicketId(id),
                        number,
                        new,
                        TicketStatus::New,
                        (by.at, by.at),
                        None,
                    )?;
                    Self::ticket_write_tags(&mut tx, org, &ticket).await?;
                    let created = json::to_value(&ticket).map_err(backend)?;
                    Self::ticket_history_row(&mut tx, org, ticket.id, by, "created", (&json::Value::Null, &created)).await?;
                    tx.commit().await.map_err(backend)?;
                    Ok(ticket)
                }

                async fn ticket_update(
                    &self,
                    org: OrgId,
                    id: TicketId,
                    changes: &[TicketChange],
                    by: TicketActor,
                ) -> StoreResult<Ticket> {
                    changes.iter().try_for_each(validate::ticket_change)?;
                    let mut tx = self.begin_write().await?;
                    Self::ticket_lock(&mut tx, org, id).await?;
                    let mut ticket = Self::ticket_in(&mut tx, org, id).await?;
                    if ticket.merged_into.is_some() {
                        return Err(StoreError::invalid("ticket", "is merged into another ticket"));
                    }
                    Self::ticket_apply(&mut tx, org, &mut ticket, changes, by).await?;
                    tx.commit().await.map_err(backend)?;
                    Ok(ticket)
                }

                async fn ticket_read(&self, org: OrgId, filter: &str, value: i64) -> StoreResult<Ticket> {
                    let sql = format!(
                        "SELECT {TICKET_COLUMNS} FROM tickets WHERE org_id = $1 AND {filter} = $2"
                    );
                    let mut tx = self.begin_snapshot().await?;
                    let found = Self::ticket_load(&mut tx, org, &sql, &[Param::Int(value)]).await?;
                    tx.commit().await.map_err(backend)?;
                    found.into_iter().next().ok_or(StoreError::NotFound { entity: "ticket" })
                }

                async fn ticket_list(&self, org: OrgId, query: &TicketQuery) -> StoreResult<Vec<Ticket>> {
                    validate::page_limit(query.limit)?;
                    let (sql, params) = rows::ticket_list_sql(query);
                    let mut tx = self.begin_snapshot().await?;
                    let found = Self::ticket_load(&mut tx, org, &sql, &params).await?;
                    tx.commit().await.map_err(backend)?;
                    Ok(found)
                }

                /// Rows of a ticket's child table, oldest first, once the
                /// ticket is known to be the organization's.
                async fn ticket_children(
                    &self,
                    org: OrgId,
                    id: TicketId,
                    select: &str,
                ) -> StoreResult<Vec<<$db as sqlx::Database>::Row>> {
                    let mut tx = self.begin_snapshot().await?;
                    let exists = sqlx::query("SELECT 1 FROM tickets WHERE org_id = $1 AND id = $2")
                        .bind(org.0)
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(|e| from_sqlx("ticket", e))?;
                    exists.ok_or(StoreError::NotFound { entity: "ticket" })?;
                    let found = sqlx::query(select)
                        .bind(org.0)
                        .bind(id.0)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(|e| from_sqlx("ticket", e))?;
                    tx.commit().await.map_err(backend)?;
                    Ok(found)
                }

                async fn ticket_link(
                    &self,
                    org: OrgId,
                    ticket: TicketId,
                    interaction: InteractionId,
                    by: TicketActor,
                ) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    Self::ticket_lock(&mut tx, org, ticket).await?;
                    let done = sqlx::query(
                        "INSERT INTO ticket_links (org_id, ticket_id, interaction_id, linked_at) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, ticket_id, interaction_id) \
                         DO NOTHING",
                    )
                    .bind(org.0)
                    .bind(ticket.0)
                    .bind(interaction.0)
                    .bind(timestamp_to_column(by.at))
                    .execute(&mut *tx)
                    .await
                    .map_err(missing_as("interaction", "ticket link"))?;
                    if done.rows_affected() > 0 {
                        Self::ticket_touch(&mut tx, org, ticket, by.at).await?;
                        Self::ticket_history_row(&mut tx, org, ticket, by, "interaction", (&json::Value::Null, &json::json!(interaction))).await?;
                    }
                    tx.commit().await.map_err(backend)
                }

                async fn ticket_note(
                    &self,
                    org: OrgId,
                    ticket: TicketId,
                    body: &str,
                    author: UserId,
                    at: Timestamp,
                ) -> StoreResult<TicketNote> {
                    validate::ticket_text("body", body)?;
                    let mut tx = self.begin_write().await?;
                    Self::ticket_lock(&mut tx, org, ticket).await?;
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO ticket_notes (org_id, ticket_id, author_id, body, created_at) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(org.0)
                    .bind(ticket.0)
                    .bind(author.0)
                    .bind(body)
                    .bind(timestamp_to_column(at))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(missing_as("user", "ticket note"))?;
                    let by = TicketActor { user: Some(author), at };
                    Self::ticket_touch(&mut tx, org, ticket, at).await?;
                    Self::ticket_history_row(&mut tx, org, ticket, by, "note", (&json::Value::Null, &json::json!({ "id": id }))).await?;
                    tx.commit().await.map_err(backend)?;
                    Ok(TicketNote { id, author, body: body.to_owned(), created_at: at })
                }

                async fn ticket_attach(
                    &self,
                    org: OrgId,
                    ticket: TicketId,
                    file: &NewAttachment,
                    by: TicketActor,
                ) -> StoreResult<Attachment> {
                    validate::attachment(file)?;
                    let size = i64::try_from(file.content.len())
                        .map_err(|_| StoreError::invalid("content", "is too large"))?;
                    let sha256 = sha256_hex(&file.content);
                    let mut tx = self.begin_write().await?;
                    Self::ticket_lock(&mut tx, org, ticket).await?;
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO ticket_attachments (org_id, ticket_id, file_name, \
                         content_type, size, sha256, content, uploaded_by, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    )
                    .bind(org.0)
                    .bind(ticket.0)
                    .bind(&file.file_name)
                    .bind(&file.content_type)
                    .bind(size)
                    .bind(&sha256)
                    .bind(&file.content)
                    .bind(by.user.map(|u| u.0))
                    .bind(timestamp_to_column(by.at))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(missing_as("user", "attachment"))?;
                    let described = json::json!({ "id": id, "file_name": file.file_name, "size": size });
                    Self::ticket_touch(&mut tx, org, ticket, by.at).await?;
                    Self::ticket_history_row(&mut tx, org, ticket, by, "attachment", (&json::Value::Null, &described)).await?;
                    tx.commit().await.map_err(backend)?;
                    Ok(Attachment {
                        id,
                        ticket,
                        file_name: file.file_name.clone(),
                        content_type: file.content_type.clone(),
                        size: file.content.len() as u64,
                        sha256,
                        uploaded_by: by.user,
                        created_at: by.at,
                    })
                }

                async fn ticket_attachment_content(
                    &self,
                    org: OrgId,
                    id: i64,
                ) -> StoreResult<(Attachment, Vec<u8>)> {
                    let row = sqlx::query(&format!(
                        "SELECT {ATTACHMENT_COLUMNS}, content FROM ticket_attachments \
                         WHERE org_id = $1 AND id = $2"
                    ))
                    .bind(org.0)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(|e| from_sqlx("attachment", e))?
                    .ok_or(StoreError::NotFound { entity: "attachment" })?;
                    Ok((rows::attachment(&row)?, $crate::sqlx_rows::StoreRow::bytes(&row, "content")?))
                }

                async fn ticket_merge(
                    &self,
                    org: OrgId,
                    source: TicketId,
                    target: TicketId,
                    by: TicketActor,
                ) -> StoreResult<Ticket> {
                    if source == target {
                        return Err(StoreError::invalid("target", "a ticket cannot be merged into itself"));
                    }
                    let mut tx = self.begin_write().await?;
                    // Locked in id order, so two merges of the same pair cannot deadlock.
                    for id in [source.min(target), source.max(target)] {
                        Self::ticket_lock(&mut tx, org, id).await?;
                    }
                    let mut from = Self::ticket_in(&mut tx, org, source).await?;
                    let mut into = Self::ticket_in(&mut tx, org, target).await?;
                    if from.merged_into.is_some() || from.status == TicketStatus::Closed {
                        return Err(StoreError::invalid("source", "is already closed or merged"));
                    }
                    if into.merged_into.is_some() || into.status == TicketStatus::Closed {
                        return Err(StoreError::invalid("target", "is closed or merged"));
                    }
                    Self::ticket_apply(&mut tx, org, &mut from, &[TicketChange::Status(TicketStatus::Closed)], by).await?;
                    from.merged_into = Some(target);
                    Self::ticket_write(&mut tx, org, &from).await?;
                    let pointer = |t: &Ticket| json::json!({ "id": t.id, "number": t.number });
                    Self::ticket_history_row(&mut tx, org, source, by, "merged_into", (&json::Value::Null, &pointer(&into))).await?;
                    sqlx::query(
                        "INSERT INTO ticket_links (org_id, ticket_id, interaction_id, linked_at) \
                         SELECT org_id, $3, interaction_id, $4 FROM ticket_links \
                         WHERE org_id = $1 AND ticket_id = $2 \
                         ON CONFLICT (org_id, ticket_id, interaction_id) DO NOTHING",
                    )
                    .bind(org.0)
                    .bind(source.0)
                    .bind(target.0)
                    .bind(timestamp_to_column(by.at))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("ticket link", e))?;
                    into.updated_at = by.at;
                    Self::ticket_touch(&mut tx, org, target, by.at).await?;
                    Self::ticket_history_row(&mut tx, org, target, by, "merged_from", (&json::Value::Null, &pointer(&from))).await?;
                    tx.commit().await.map_err(backend)?;
                    Ok(into)
                }

                /// Deletes a configuration row of the organization;
                /// `NotFound` if there is none.
                async fn ticket_config_delete(
                    &self,
                    table: &str,
                    entity: &'static str,
                    org: OrgId,
                    id: i64,
                ) -> StoreResult<()> {
                    let done = sqlx::query(&format!("DELETE FROM {table} WHERE org_id = $1 AND id = $2"))
                        .bind(org.0)
                        .bind(id)
                        .execute(self.writer())
                        .await
                        .map_err(|e| from_sqlx(entity, e))?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound { entity });
                    }
                    Ok(())
                }

                async fn ticket_config_list(
                    &self,
                    sql: &str,
                    entity: &'static str,
                    org: OrgId,
                ) -> StoreResult<Vec<<$db as sqlx::Database>::Row>> {
                    sqlx::query(sql)
                        .bind(org.0)
                        .fetch_all(self.reader())
                        .await
                        .map_err(|e| from_sqlx(entity, e))
                }
            }

            #[async_trait]
            impl TicketStore for $store {
                async fn create_ticket(&self, org: OrgId, new: &NewTicket, by: TicketActor) -> StoreResult<Ticket> {
                    self.ticket_create(org, new, by).await
                }

                async fn ticket(&self, org: OrgId, id: TicketId) -> StoreResult<Ticket> {
                    self.ticket_read(org, "id", id.0).await
                }

                async fn ticket_by_number(&self, org: OrgId, number: TicketNumber) -> StoreResult<Ticket> {
                    let number = i64::try_from(number.get())
                        .map_err(|_| StoreError::NotFound { entity: "ticket" })?;
                    self.ticket_read(org, "number", number).await
                }

                async fn tickets(&self, org: OrgId, query: &TicketQuery) -> StoreResult<Vec<Ticket>> {
                    self.ticket_list(org, query).await
                }

                async fn update_ticket(
                    &self,
                    org: OrgId,
                    id: TicketId,
                    changes: &[TicketChange],
                    by: TicketActor,
                ) -> StoreResult<Ticket> {
                    self.ticket_update(org, id, changes, by).await
                }

                async fn ticket_history(&self, org: OrgId, id: TicketId) -> StoreResult<Vec<TicketHistoryEntry>> {
                    self.ticket_children(
                        org,
                        id,
                        "SELECT at, actor_id, field, old_value, new_value FROM ticket_history \
                         WHERE org_id = $1 AND ticket_id = $2 ORDER BY id",
                    )
                    .await?
                    .iter()
                    .map(rows::history_entry)
                    .collect()
                }

                async fn link_interaction(
                    &self,
                    org: OrgId,
                    ticket: TicketId,
                    interaction: InteractionId,
                    by: TicketActor,
                ) -> StoreResult<()> {
                    self.ticket_link(org, ticket, interaction, by).await
                }

                async fn ticket_links(&self, org: OrgId, ticket: TicketId) -> StoreResult<Vec<TicketLink>> {
                    self.ticket_children(
                        org,
                        ticket,
                        "SELECT interaction_id, linked_at FROM ticket_links \
                         WHERE org_id = $1 AND ticket_id = $2 ORDER BY linked_at, interaction_id",
                    )
                    .await?
                    .iter()
                    .map(rows::link)
                    .collect()
                }

                async fn interaction_tickets(
                    &self,
                    org: OrgId,
                    interaction: InteractionId,
                ) -> StoreResult<Vec<TicketId>> {
                    let ids: Vec<i64> = sqlx::query_scalar(
                        "SELECT ticket_id FROM ticket_links WHERE org_id = $1 \
                         AND interaction_id = $2 ORDER BY ticket_id",
                    )
                    .bind(org.0)
                    .bind(interaction.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("ticket link", e))?;
                    Ok(ids.into_iter().map(TicketId).collect())
                }

                async fn add_ticket_note(
                    &self,
                    org: OrgId,
                    ticket: TicketId,
                    body: &str,
                    author: UserId,
                    at: Timestamp,
                ) -> StoreResult<TicketNote> {
                    self.ticket_note(org, ticket, body, author, at).await
                }

                async fn ticket_notes(&self, org: OrgId, ticket: TicketId) -> StoreResult<Vec<TicketNote>> {
                    self.ticket_children(
                        org,
                        ticket,
                        "SELECT id, author_id, body, created_at FROM ticket_notes \
                         WHERE org_id = $1 AND ticket_id = $2 ORDER BY id",
                    )
                    .await?
                    .iter()
                    .map(rows::note)
                    .collect()
                }

                async fn add_attachment(
                    &self,
                    org: OrgId,
                    ticket: TicketId,
                    file: &NewAttachment,
                    by: TicketActor,
                ) -> StoreResult<Attachment> {
                    self.ticket_attach(org, ticket, file, by).await
                }

                async fn attachments(&self, org: OrgId, ticket: TicketId) -> StoreResult<Vec<Attachment>> {
                    self.ticket_children(
                        org,
                        ticket,
                        &format!(
                            "SELECT {ATTACHMENT_COLUMNS} FROM ticket_attachments \
                             WHERE org_id = $1 AND ticket_id = $2 ORDER BY id"
                        ),
                    )
                    .await?
                    .iter()
                    .map(rows::attachment)
                    .collect()
                }

                async fn attachment_content(&self, org: OrgId, id: i64) -> StoreResult<(Attachment, Vec<u8>)> {
                    self.ticket_attachment_content(org, id).await
                }

                async fn merge_tickets(
                    &self,
                    org: OrgId,
                    source: TicketId,
                    target: TicketId,
                    by: TicketActor,
                ) -> StoreResult<Ticket> {
                    self.ticket_merge(org, source, target, by).await
                }

                async fn create_canned_response(
                    &self,
                    org: OrgId,
                    new: &NewCannedResponse,
                ) -> StoreResult<CannedResponse> {
                    validate::canned_response(new)?;
                    let row = sqlx::query(
                        "INSERT INTO canned_responses (org_id, name, lang, body, actions) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id, name, lang, body, actions",
                    )
                    .bind(org.0)
                    .bind(&new.name)
                    .bind(&new.lang)
                    .bind(&new.body)
                    .bind(rows::actions_to_column(&new.actions)?)
                    .fetch_one(self.writer())
                    .await
                    .map_err(|e| from_sqlx("canned_response", e))?;
                    rows::canned_response(&row)
                }

                async fn update_canned_response(
                    &self,
                    org: OrgId,
                    id: i64,
                    spec: &NewCannedResponse,
                ) -> StoreResult<CannedResponse> {
                    validate::canned_response(spec)?;
                    let row = sqlx::query(
                        "UPDATE canned_responses SET name = $3, lang = $4, body = $5, actions = $6 \
                         WHERE org_id = $1 AND id = $2 RETURNING id, name, lang, body, actions",
                    )
                    .bind(org.0)
                    .bind(id)
                    .bind(&spec.name)
                    .bind(&spec.lang)
                    .bind(&spec.body)
                    .bind(rows::actions_to_column(&spec.actions)?)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(|e| from_sqlx("canned_response", e))?
                    .ok_or(StoreError::NotFound { entity: "canned_response" })?;
                    rows::canned_response(&row)
                }

                async fn canned_responses(&self, org: OrgId) -> StoreResult<Vec<CannedResponse>> {
                    self.ticket_config_list(
                        "SELECT id, name, lang, body, actions FROM canned_responses WHERE org_id = $1 ORDER BY id",
                        "canned_response",
                        org,
                    )
                    .await?
                    .iter()
                    .map(rows::canned_response)
                    .collect()
                }

                async fn delete_canned_response(&self, org: OrgId, id: i64) -> StoreResult<()> {
                    self.ticket_config_delete("canned_responses", "canned_response", org, id).await
                }

                async fn create_sla_policy(&self, org: OrgId, new: &NewSlaPolicy) -> StoreResult<SlaPolicy> {
                    validate::sla_policy(new)?;
                    let row = sqlx::query(
                        "INSERT INTO sla_policies (org_id, name, priority, category, \
                         first_response_minutes, resolution_minutes) VALUES ($1, $2, $3, $4, $5, $6) \
                         RETURNING id, name, priority, category, first_response_minutes, resolution_minutes",
                    )
                    .bind(org.0)
                    .bind(&new.name)
                    .bind(new.priority.map(|p| p.as_str()))
                    .bind(new.category.as_deref())
                    .bind(i64::from(new.first_response_minutes))
                    .bind(i64::from(new.resolution_minutes))
                    .fetch_one(self.writer())
                    .await
                    .map_err(|e| from_sqlx("sla_policy", e))?;
                    rows::sla_policy(&row)
                }

                async fn sla_policies(&self, org: OrgId) -> StoreResult<Vec<SlaPolicy>> {
                    self.ticket_config_list(
                        "SELECT id, name, priority, category, first_response_minutes, \
                         resolution_minutes FROM sla_policies WHERE org_id = $1 ORDER BY id",
                        "sla_policy",
                        org,
                    )
                    .await?
                    .iter()
                    .map(rows::sla_policy)
                    .collect()
                }

                async fn update_sla_policy(
                    &self,
                    org: OrgId,
                    id: i64,
                    spec: &NewSlaPolicy,
                ) -> StoreResult<SlaPolicy> {
                    validate::sla_policy(spec)?;
                    let row = sqlx::query(
                        "UPDATE sla_policies SET name = $3, priority = $4, category = $5, \
                         first_response_minutes = $6, resolution_minutes = $7 \
                         WHERE org_id = $1 AND id = $2 \
                         RETURNING id, name, priority, category, first_response_minutes, resolution_minutes",
                    )
                    .bind(org.0)
                    .bind(id)
                    .bind(&spec.name)
                    .bind(spec.priority.map(|p| p.as_str()))
                    .bind(spec.category.as_deref())
                    .bind(i64::from(spec.first_response_minutes))
                    .bind(i64::from(spec.resolution_minutes))
                    .fetch_optional(self.writer())
                    .await
                    .map_err(|e| from_sqlx("sla_policy", e))?
                    .ok_or(StoreError::NotFound { entity: "sla_policy" })?;
                    rows::sla_policy(&row)
                }

                async fn delete_sla_policy(&self, org: OrgId, id: i64) -> StoreResult<()> {
                    self.ticket_config_delete("sla_policies", "sla_policy", org, id).await
                }

                async fn create_escalation_rule(
                    &self,
                    org: OrgId,
                    new: &NewEscalationRule,
                ) -> StoreResult<EscalationRule> {
                    validate::escalation_rule(new)?;
                    let (kind, category) = rows::trigger_to_columns(&new.trigger);
                    let row = sqlx::query(
                        "INSERT INTO escalation_rules (org_id, name, trigger_kind, category, team_id) \
                         VALUES ($1, $2, $3, $4, $5) \
                         RETURNING id, name, trigger_kind, category, team_id",
                    )
                    .bind(org.0)
                    .bind(&new.name)
                    .bind(kind)
                    .bind(category)
                    .bind(new.team.0)
                    .fetch_one(self.writer())
                    .await
                    .map_err(missing_as("team", "escalation_rule"))?;
                    rows::escalation_rule(&row)
                }

                async fn escalation_rules(&self, org: OrgId) -> StoreResult<Vec<EscalationRule>> {
                    self.ticket_config_list(
                        "SELECT id, name, trigger_kind, category, team_id FROM escalation_rules \
                         WHERE org_id = $1 ORDER BY id",
                        "escalation_rule",
                        org,
                    )
                    .await?
                    .iter()
                    .map(rows::escalation_rule)
                    .collect()
                }

                async fn update_escalation_rule(
                    &self,
                    org: OrgId,
                    id: i64,
                    spec: &NewEscalationRule,
                ) -> StoreResult<EscalationRule> {
                    validate::escalation_rule(spec)?;
                    let (kind, category) = rows::trigger_to_columns(&spec.trigger);
                    let row = sqlx::query(
                        "UPDATE escalation_rules SET name = $3, trigger_kind = $4, category = $5, \
                         team_id = $6 WHERE org_id = $1 AND id = $2 \
                         RETURNING id, name, trigger_kind, category, team_id",
                    )
                    .bind(org.0)
                    .bind(id)
                    .bind(&spec.name)
                    .bind(kind)
                    .bind(category)
                    .bind(spec.team.0)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(missing_as("team", "escalation_rule"))?
                    .ok_or(StoreError::NotFound { entity: "escalation_rule" })?;
                    rows::escalation_rule(&row)
                }

                async fn delete_escalation_rule(&self, org: OrgId, id: i64) -> StoreResult<()> {
                    self.ticket_config_delete("escalation_rules", "escalation_rule", org, id).await
                }
            }
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{TicketPriority, TicketStatus};

    #[test]
    fn numbers_the_filters_in_order() {
        let query = TicketQuery {
            statuses: vec![TicketStatus::New, TicketStatus::Open],
            priority: Some(TicketPriority::Urgent),
            team: Some(TeamId(4)),
            limit: 50,
            ..TicketQuery::default()
        };
        let (sql, params) = ticket_list_sql(&query);
        assert!(
            sql.ends_with(
                "WHERE org_id = $1 AND status IN ($2, $3) AND team_id = $4 \
                 AND priority = $5 ORDER BY id DESC LIMIT $6"
            ),
            "{sql}"
        );
        assert_eq!(
            params,
            [
                Param::Text("new"),
                Param::Text("open"),
                Param::Int(4),
                Param::Text("urgent"),
                Param::Int(50)
            ]
        );
    }
}
