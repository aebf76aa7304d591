//! The [`ExportStore`](crate::ExportStore) half of the sqlx backends,
//! expanded by [`impl_store_with_sqlx!`](crate::impl_store_with_sqlx).
//!
//! A page is read in one snapshot: the heads by keyset (`id > after ORDER BY
//! id LIMIT n`), then each kind of child row in the id range the heads span,
//! so a page costs the same few queries whatever its size.

use crate::sqlx_rows::StoreRow;
use crate::{MAX_EXPORT_PAGE, StoreError, StoreResult};
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

/// A keyset bound: ids above it (0 is below every id the store gives).
pub fn after_id(after: Option<i64>) -> i64 {
    after.unwrap_or(0)
}

/// Implements [`ExportStore`](crate::ExportStore) for `$store` on `$db`,
/// using the inherent helpers of [`impl_store_with_sqlx!`](crate::impl_store_with_sqlx).
#[doc(hidden)]
#[macro_export]
macro_rules! impl_export_store_with_sqlx {
    (store: $store:ty, database: $db:ty $(,)?) => {
        const _: () = {
            use $crate::sqlx_errors::{backend, from_sqlx};
            use $crate::sqlx_export::{after_id, export_limit, group_by_owner, texts_by_owner};
            use $crate::sqlx_rows::{self, StoreRow as _};
            use $crate::sqlx_store::__reexport::{async_trait, sqlx};
            use $crate::sqlx_tickets::TICKET_COLUMNS;
            use $crate::{
                ConversationExport, ConversationPage, Customer, CustomerId, ExportStore,
                InteractionId, OrgId, StoreResult, TicketExport, TicketId,
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

            fn last_id(rows: &Rows) -> StoreResult<Option<i64>> {
                rows.last().map(|row| row.int("id")).transpose()
            }

            #[async_trait]
            impl ExportStore for $store {
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
                    let tickets = $crate::sqlx_tickets::tickets(&heads, &tags)?;
                    let mut notes = texts_by_owner(&notes, "ticket_id")?;
                    let mut messages = texts_by_owner(&messages, "ticket_id")?;
                    Ok(tickets
                        .into_iter()
                        .map(|ticket| {
                            let mut texts = notes.remove(&ticket.id.0).unwrap_or_default();
                            texts.extend(messages.remove(&ticket.id.0).unwrap_or_default());
                            TicketExport { ticket, texts }
                        })
                        .collect())
                }

                async fn export_conversations(
                    &self,
                    org: OrgId,
                    after: Option<InteractionId>,
                    limit: u32,
                ) -> StoreResult<ConversationPage> {
                    export_limit(limit)?;
                    let after = after_id(after.map(|id| id.0));
                    let mut tx = self.begin_snapshot().await?;
                    let heads = Self::export_heads(
                        &mut tx,
                        "id, channel, queue_id, customer_id, created_at, ended_at",
                        "interactions", org, after, limit,
                    )
                    .await?;
                    let Some(last) = last_id(&heads)? else {
                        return Ok(ConversationPage::default());
                    };
                    let range = (after, last);
                    let steps = Self::export_range(
                        &mut tx,
                        "SELECT interaction_id, at, kind, queue_id, agent_id, wrap_up_code_id, \
                         score, comment FROM timeline_entries WHERE org_id = $1 \
                         AND interaction_id > $2 AND interaction_id <= $3 \
                         ORDER BY interaction_id, position",
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
                    let conversations = sqlx_rows::interactions(&heads, &steps)?
                        .into_iter()
                        .filter_map(|interaction| {
                            let messages = messages.remove(&interaction.id.0)?;
                            Some(ConversationExport { interaction, messages })
                        })
                        .collect();
                    Ok(ConversationPage {
                        conversations,
                        last: Some(InteractionId(last)),
                    })
                }
            }
        };
    };
}
