//! The [`BulkStore`](crate::BulkStore) half of the sqlx backends,
//! expanded by [`impl_store_with_sqlx!`](crate::impl_store_with_sqlx).
//!
//! A page is read in one snapshot: the heads by keyset (`id > after ORDER BY
//! id LIMIT n`), then each kind of child row in the id range the heads span,
//! so a page costs the same few queries whatever its size. An import is one
//! write transaction: everything is checked before the first write, and the
//! ticket counter is bumped once for the whole batch.

use crate::sqlx_rows::StoreRow;
use crate::{
    ImportedTicket, MAX_EXPORT_PAGE, MAX_IMPORT_BATCH, NewMessage, StoreError, StoreResult,
    validate,
};
use std::collections::HashMap;

/// Groups `(owner id, row)` pairs that arrive ordered by owner.
pub fn group_by_owner<R>(
    rows: Vec<R>,
    owner: impl Fn(&R) -> StoreResult<i64>,
) -> StoreResult<HashMap<i64, Vec<R>>> {
    let mut groups: HashMap<i64, Vec<R>> = HashMap::new();
    for row in rows {
        groups.entry(owner(&row)?).or_default().push(row);
    }
    Ok(groups)
}

/// The texts of rows with a `body` column, per owner column.
pub fn texts_by_owner<R: StoreRow>(
    rows: &[R],
    owner: &str,
) -> StoreResult<HashMap<i64, Vec<String>>> {
    let mut texts: HashMap<i64, Vec<String>> = HashMap::new();
    for row in rows {
        texts
            .entry(row.int(owner)?)
            .or_default()
            .push(row.text("body")?);
    }
    Ok(texts)
}

/// Refuses a page size outside 1 to [`MAX_EXPORT_PAGE`].
pub fn export_limit(limit: u32) -> StoreResult<()> {
    if (1..=MAX_EXPORT_PAGE).contains(&limit) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "limit",
            format!("must be from 1 to {MAX_EXPORT_PAGE}"),
        ))
    }
}

/// Refuses an empty or too large batch.
pub fn import_batch(len: usize) -> StoreResult<()> {
    if (1..=MAX_IMPORT_BATCH).contains(&len) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "batch",
            format!("must hold 1 to {MAX_IMPORT_BATCH} records"),
        ))
    }
}

/// Checks imported tickets as the one-at-a-time writes would.
pub fn imported_tickets(tickets: &[ImportedTicket]) -> StoreResult<()> {
    import_batch(tickets.len())?;
    for imported in tickets {
        validate::new_ticket(&imported.ticket)?;
        if imported.updated_at < imported.created_at {
            return Err(StoreError::invalid("updated_at", "is before created_at"));
        }
        for message in imported.conversation.iter().flat_map(|c| &c.messages) {
            validate::message(&NewMessage {
                interaction: crate::InteractionId(0),
                sender: message.sender,
                body: message.body.clone(),
                idempotency_key: "import".into(),
                sent_at: message.sent_at,
            })?;
        }
    }
    Ok(())
}

/// A keyset bound: ids above it (0 is below every id the store gives).
pub fn after_id(after: Option<i64>) -> i64 {
    after.unwrap_or(0)
}

/// Implements [`BulkStore`](crate::BulkStore) for `$store` on `$db`,
/// using the inherent helpers of [`impl_store_with_sqlx!`](crate::impl_store_with_sqlx).
#[doc(hidden)]
#[macro_export]
macro_rules! impl_bulk_store_with_sqlx {
    (store: $store:ty, database: $db:ty $(,)?) => {
        const _: () = {
            use $crate::sqlx_errors::{backend, from_sqlx};
            use $crate::codec::{sender_to_columns, timestamp_to_column};
            use $crate::sqlx_bulk::{
                after_id, export_limit, group_by_owner, import_batch, imported_tickets,
                texts_by_owner,
            };
            use $crate::sqlx_store::__reexport::json;
            use $crate::sqlx_rows::{self, StoreRow as _};
            use $crate::sqlx_store::__reexport::{async_trait, sqlx};
            use $crate::sqlx_tickets::TICKET_COLUMNS;
            use $crate::{
                BulkStore, ConversationExport, Customer, CustomerId,
                ImportedConversation, ImportedTicket, InteractionId, NewCustomer, OrgId,
                StoreError, StoreResult, Ticket, TicketActor, TicketExport, TicketId, TicketNumber,
                TicketStatus, normalized_tags, validate,
            };

            type Rows = Vec<<$db as sqlx::Database>::Row>;

            impl $store {
                /// Rows of `sql`, which takes `$1` org, `$2` the lowest id
                /// (exclusive) and `$3` the highest (inclusive).
                async fn export_range(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    sql: &str,
                    org: OrgId,
                    range: (i64, i64),
                    entity: &'static str,
                ) -> StoreResult<Rows> {
                    sqlx::query(sql)
                        .bind(org.0)
                        .bind(range.0)
                        .bind(range.1)
                        .fetch_all(&mut **tx)
                        .await
                        .map_err(|e| from_sqlx(entity, e))
                }

                /// The first `limit` rows of `table` above `after`, by id.
                async fn export_heads(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    columns: &str,
                    table: &'static str,
                    org: OrgId,
                    after: i64,
                    limit: u32,
                ) -> StoreResult<Rows> {
                    sqlx::query(&format!(
                        "SELECT {columns} FROM {table} WHERE org_id = $1 AND id > $2 \
                         ORDER BY id LIMIT $3"
                    ))
                    .bind(org.0)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx(table, e))
                }
            }

            impl $store {
                /// Stores an imported conversation as an ended interaction.
                async fn import_conversation(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    imported: &ImportedTicket,
                    conversation: &ImportedConversation,
                ) -> StoreResult<i64> {
                    let interaction: i64 = sqlx::query_scalar(
                        "INSERT INTO interactions (org_id, channel, queue_id, customer_id, \
                         created_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(org.0)
                    .bind(conversation.channel.as_str())
                    .bind(conversation.queue.0)
                    .bind(imported.ticket.customer.map(|c| c.0))
                    .bind(timestamp_to_column(imported.created_at))
                    .bind(timestamp_to_column(imported.updated_at))
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("queue", e))?;
                    for (n, message) in conversation.messages.iter().enumerate() {
                        let (kind, user, internal) = sender_to_columns(message.sender);
                        sqlx::query(
                            "INSERT INTO chat_messages (org_id, interaction_id, sender_kind, \
                             sender_user_id, body, idempotency_key, sent_at, internal) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(org.0)
                        .bind(interaction)
                        .bind(kind)
                        .bind(user)
                        .bind(&message.body)
                        .bind(format!("import-{n}"))
                        .bind(timestamp_to_column(message.sent_at))
                        .bind(internal)
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| from_sqlx("user", e))?;
                    }
                    Ok(interaction)
                }

                /// Stores one imported ticket numbered `number`, its tags,
                /// its conversation and its `created` history row.
                async fn import_ticket(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    number: i64,
                    imported: &ImportedTicket,
                ) -> StoreResult<TicketId> {
                    let new = &imported.ticket;
                    let solved = matches!(imported.status, TicketStatus::Solved | TicketStatus::Closed)
                        .then_some(imported.updated_at);
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO tickets (org_id, number, subject, status, priority, \
                         category, customer_id, assignee_id, team_id, created_at, updated_at, \
                         solved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                         RETURNING id",
                    )
                    .bind(org.0)
                    .bind(number)
                    .bind(&new.subject)
                    .bind(imported.status.as_str())
                    .bind(new.priority.as_str())
                    .bind(new.category.as_deref())
                    .bind(new.customer.map(|c| c.0))
                    .bind(new.assignee.map(|u| u.0))
                    .bind(new.team.map(|t| t.0))
                    .bind(timestamp_to_column(imported.created_at))
                    .bind(timestamp_to_column(imported.updated_at))
                    .bind(solved.map(timestamp_to_column))
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("ticket", e))?;
                    let ticket = $crate::sqlx_tickets::created_ticket(
                        TicketId(id),
                        number,
                        new,
                        imported.status,
                        (imported.created_at, imported.updated_at),
                        solved,
                    )?;
                    Self::ticket_write_tags(tx, org, &ticket).await?;
                    if let Some(conversation) = &imported.conversation {
                        let interaction =
                            Self::import_conversation(tx, org, imported, conversation).await?;
                        sqlx::query(
                            "INSERT INTO ticket_links (org_id, ticket_id, interaction_id, \
                             linked_at) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(org.0)
                        .bind(id)
                        .bind(interaction)
                        .bind(timestamp_to_column(imported.created_at))
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| from_sqlx("ticket", e))?;
                    }
                    let created = json::to_value(&ticket).map_err(backend)?;
                    let by = TicketActor { user: None, at: imported.created_at };
                    Self::ticket_history_row(tx, org, ticket.id, by, "created", (&json::Value::Null, &created))
                        .await?;
                    Ok(ticket.id)
                }
            }

            /// An interaction `i` that is a conversation of its own: linked
            /// to no ticket (a ticket's conversations are exported with the
            /// ticket), with at least one message.
            const CONVERSATION: &str = "NOT EXISTS (SELECT 1 FROM ticket_links l \
                WHERE l.org_id = i.org_id AND l.interaction_id = i.id) \
                AND EXISTS (SELECT 1 FROM chat_messages m \
                WHERE m.org_id = i.org_id AND m.interaction_id = i.id)";

            fn last_id(rows: &Rows) -> StoreResult<Option<i64>> {
                rows.last().map(|row| row.int("id")).transpose()
            }

            #[async_trait]
            impl BulkStore for $store {
                async fn export_customers(
                    &self,
                    org: OrgId,
                    after: Option<CustomerId>,
                    limit: u32,
                ) -> StoreResult<Vec<Customer>> {
                    export_limit(limit)?;
                    let after = after_id(after.map(|id| id.0));
                    let mut tx = self.begin_snapshot().await?;
                    let heads = Self::export_heads(
                        &mut tx, "id, name, israeli_id, tier, notes", "customers", org, after, limit,
                    )
                    .await?;
                    let Some(last) = last_id(&heads)? else {
                        return Ok(Vec::new());
                    };
                    let children = |table: &str, column: &str| {
                        format!(
                            "SELECT customer_id, {column} FROM {table} WHERE org_id = $1 \
                             AND customer_id > $2 AND customer_id <= $3 \
                             ORDER BY customer_id, position"
                        )
                    };
                    let phones = Self::export_range(
                        &mut tx, &children("customer_phones", "phone"), org, (after, last), "customer",
                    )
                    .await?;
                    let emails = Self::export_range(
                        &mut tx, &children("customer_emails", "email"), org, (after, last), "customer",
                    )
                    .await?;
                    tx.commit().await.map_err(backend)?;
                    let mut phones = group_by_owner(phones, |row| row.int("customer_id"))?;
                    let mut emails = group_by_owner(emails, |row| row.int("customer_id"))?;
                    heads
                        .iter()
                        .map(|row| {
                            let id = row.int("id")?;
                            sqlx_rows::customer(
                                CustomerId(id),
                                row,
                                &phones.remove(&id).unwrap_or_default(),
                                &emails.remove(&id).unwrap_or_default(),
                            )
                        })
                        .collect()
                }

                async fn export_tickets(
                    &self,
                    org: OrgId,
                    after: Option<TicketId>,
                    limit: u32,
                ) -> StoreResult<Vec<TicketExport>> {
                    export_limit(limit)?;
                    let after = after_id(after.map(|id| id.0));
                    let mut tx = self.begin_snapshot().await?;
                    let heads =
                        Self::export_heads(&mut tx, TICKET_COLUMNS, "tickets", org, after, limit).await?;
                    let Some(last) = last_id(&heads)? else {
                        return Ok(Vec::new());
                    };
                    let range = (after, last);
                    let tags = Self::export_range(
                        &mut tx,
                        "SELECT ticket_id, tag FROM ticket_tags WHERE org_id = $1 \
                         AND ticket_id > $2 AND ticket_id <= $3 ORDER BY ticket_id, tag",
                        org, range, "ticket",
                    )
                    .await?;
                    let notes = Self::export_range(
                        &mut tx,
                        "SELECT ticket_id, body FROM ticket_notes WHERE org_id = $1 \
                         AND ticket_id > $2 AND ticket_id <= $3 ORDER BY ticket_id, id",
                        org, range, "ticket",
                    )
                    .await?;
                    let messages = Self::export_range(
                        &mut tx,
                        "SELECT l.ticket_id, m.body FROM ticket_links l \
                         JOIN chat_messages m ON m.org_id = l.org_id \
                         AND m.interaction_id = l.interaction_id \
                         WHERE l.org_id = $1 AND l.ticket_id > $2 AND l.ticket_id <= $3 \
                         ORDER BY l.ticket_id, m.id",
                        org, range, "ticket",
                    )
                    .await?;
                    tx.commit().await.map_err(backend)?;
                    // Tags by ticket in one pass: a page holds thousands.
                    let mut tags = group_by_owner(tags, |row| row.int("ticket_id"))?;
                    let mut notes = texts_by_owner(&notes, "ticket_id")?;
                    let mut messages = texts_by_owner(&messages, "ticket_id")?;
                    heads
                        .iter()
                        .map(|row| {
                            let mut ticket = $crate::sqlx_tickets::ticket_head(row)?;
                            ticket.tags = tags
                                .remove(&ticket.id.0)
                                .unwrap_or_default()
                                .iter()
                                .map(|row| row.text("tag"))
                                .collect::<StoreResult<_>>()?;
                            let mut texts = notes.remove(&ticket.id.0).unwrap_or_default();
                            texts.extend(messages.remove(&ticket.id.0).unwrap_or_default());
                            Ok(TicketExport { ticket, texts })
                        })
                        .collect()
                }

                async fn export_conversations(
                    &self,
                    org: OrgId,
                    after: Option<InteractionId>,
                    limit: u32,
                ) -> StoreResult<Vec<ConversationExport>> {
                    export_limit(limit)?;
                    let after = after_id(after.map(|id| id.0));
                    let mut tx = self.begin_snapshot().await?;
                    let heads = sqlx::query(&format!(
                        "SELECT i.id, i.channel, i.queue_id, i.customer_id, i.created_at, \
                         i.ended_at FROM interactions i WHERE i.org_id = $1 AND i.id > $2 \
                         AND {CONVERSATION} ORDER BY i.id LIMIT $3"
                    ))
                    .bind(org.0)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("interaction", e))?;
                    let Some(last) = last_id(&heads)? else {
                        return Ok(Vec::new());
                    };
                    let range = (after, last);
                    // The heads' range also spans the interactions they
                    // skipped: the same filter keeps those out.
                    let steps = Self::export_range(
                        &mut tx,
                        &format!(
                            "SELECT t.interaction_id, t.at, t.kind, t.queue_id, t.agent_id, \
                             t.wrap_up_code_id, t.score, t.comment FROM timeline_entries t \
                             JOIN interactions i ON i.org_id = t.org_id AND i.id = t.interaction_id \
                             WHERE t.org_id = $1 AND t.interaction_id > $2 \
                             AND t.interaction_id <= $3 AND {CONVERSATION} \
                             ORDER BY t.interaction_id, t.position"
                        ),
                        org, range, "interaction",
                    )
                    .await?;
                    let messages = Self::export_range(
                        &mut tx,
                        "SELECT m.interaction_id, m.body FROM chat_messages m \
                         WHERE m.org_id = $1 AND m.interaction_id > $2 AND m.interaction_id <= $3 \
                         AND NOT EXISTS (SELECT 1 FROM ticket_links l WHERE l.org_id = m.org_id \
                         AND l.interaction_id = m.interaction_id) \
                         ORDER BY m.interaction_id, m.id",
                        org, range, "interaction",
                    )
                    .await?;
                    tx.commit().await.map_err(backend)?;
                    let mut messages = texts_by_owner(&messages, "interaction_id")?;
                    Ok(sqlx_rows::interactions(&heads, &steps)?
                        .into_iter()
                        .map(|interaction| {
                            let messages = messages.remove(&interaction.id.0).unwrap_or_default();
                            ConversationExport { interaction, messages }
                        })
                        .collect())
                }

                async fn import_customers(
                    &self,
                    org: OrgId,
                    customers: &[NewCustomer],
                ) -> StoreResult<Vec<CustomerId>> {
                    import_batch(customers.len())?;
                    customers.iter().try_for_each(validate::customer)?;
                    let mut tx = self.begin_write().await?;
                    let mut ids = Vec::with_capacity(customers.len());
                    for new in customers {
                        ids.push(Self::insert_customer(&mut tx, org, new).await?);
                    }
                    tx.commit().await.map_err(backend)?;
                    Ok(ids)
                }

                async fn import_tickets(
                    &self,
                    org: OrgId,
                    tickets: &[ImportedTicket],
                ) -> StoreResult<Vec<TicketId>> {
                    imported_tickets(tickets)?;
                    let count = i64::try_from(tickets.len()).map_err(backend)?;
                    let mut tx = self.begin_write().await?;
                    let last: i64 = sqlx::query_scalar(
                        "UPDATE organizations SET last_ticket_number = last_ticket_number + $2 \
                         WHERE id = $1 RETURNING last_ticket_number",
                    )
                    .bind(org.0)
                    .bind(count)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("organization", e))?
                    .ok_or(StoreError::NotFound { entity: "organization" })?;
                    let mut ids = Vec::with_capacity(tickets.len());
                    for (number, imported) in (last - count + 1..).zip(tickets) {
                        ids.push(Self::import_ticket(&mut tx, org, number, imported).await?);
                    }
                    tx.commit().await.map_err(backend)?;
                    Ok(ids)
                }
            }
        };
    };
}
