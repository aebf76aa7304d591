//! The [`MailStore`](crate::MailStore) half of the sqlx backends: row
//! decoders and `impl_mail_store_with_sqlx!`, which
//! [`impl_store_with_sqlx!`](crate::impl_store_with_sqlx) expands for each
//! backend.
//!
//! Lists of message ids, addresses and flags are kept space-separated in
//! one column: none of their items can contain a space, and no query looks
//! inside them.

use crate::codec::timestamp_from_column;
use crate::sqlx_rows::StoreRow;
use crate::{
    ChatMessage, CustomerId, InteractionId, MailAddress, MessageId, NewOutboundEmail, OrgId,
    OutboundEmail, QueueId, StoreError, StoreResult, StoredEmail, TicketId,
};
use moked_domain::EmailAddress;

/// The columns every email read selects (all but the raw bytes).
pub const EMAIL_COLUMNS: &str = "id, received_by, received_at, message_id, in_reply_to, refs, \
     from_address, from_name, to_addresses, subject, flags, size, processed, chat_message_id, \
     interaction_id, ticket_id, customer_id";
/// The columns every outbox read selects.
pub const OUTBOX_COLUMNS: &str = "id, org_id, ticket_id, interaction_id, chat_message_id, \
     from_address, from_name, to_address, to_name, subject, in_reply_to, refs, body, created_at, \
     attempts, next_attempt_at, sent_at, sent_message_id, last_error";

/// The message columns [`MailStore::unqueued_replies`](crate::MailStore)
/// reads, as the chat message decoder expects them.
pub const UNQUEUED_COLUMNS: &str = "m.id, m.interaction_id, m.sender_kind, m.sender_user_id, \
     m.body, m.idempotency_key, m.sent_at, m.internal";

/// A list as one space-separated column; items with whitespace inside
/// (which no id, address or flag has) are split at it.
pub fn join_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .flat_map(|item| item.as_ref().split_whitespace())
        .collect::<Vec<_>>()
        .join(" ")
}

fn split_list(column: &str) -> Vec<String> {
    column.split_whitespace().map(str::to_owned).collect()
}

fn address(text: &str) -> StoreResult<EmailAddress> {
    EmailAddress::parse(text).map_err(|_| StoreError::corrupt(format!("email address {text:?}")))
}

/// A receiving address from `org_id, address, queue_id, display_name`.
pub fn mail_address(row: &impl StoreRow) -> StoreResult<MailAddress> {
    Ok(MailAddress {
        org: OrgId(row.int("org_id")?),
        address: address(&row.text("address")?)?,
        queue: QueueId(row.int("queue_id")?),
        display_name: row.text("display_name")?,
    })
}

/// An email from [`EMAIL_COLUMNS`].
pub fn email(row: &impl StoreRow) -> StoreResult<StoredEmail> {
    Ok(StoredEmail {
        id: row.int("id")?,
        received_by: row.text("received_by")?,
        received_at: timestamp_from_column(row.int("received_at")?)?,
        message_id: row.optional_text("message_id")?,
        in_reply_to: split_list(&row.text("in_reply_to")?),
        references: split_list(&row.text("refs")?),
        from: row.optional_text("from_address")?,
        from_name: row.optional_text("from_name")?,
        to: split_list(&row.text("to_addresses")?),
        subject: row.text("subject")?,
        flags: split_list(&row.text("flags")?),
        size: u64::try_from(row.int("size")?).map_err(|_| StoreError::corrupt("email size"))?,
        processed: row.boolean("processed")?,
        message: row.optional_int("chat_message_id")?.map(MessageId),
        interaction: row.optional_int("interaction_id")?.map(InteractionId),
        ticket: row.optional_int("ticket_id")?.map(TicketId),
        customer: row.optional_int("customer_id")?.map(CustomerId),
    })
}

/// A reply from [`OUTBOX_COLUMNS`].
pub fn outbound(row: &impl StoreRow) -> StoreResult<OutboundEmail> {
    let spec = NewOutboundEmail {
        ticket: TicketId(row.int("ticket_id")?),
        interaction: row.optional_int("interaction_id")?.map(InteractionId),
        message: row.optional_int("chat_message_id")?.map(MessageId),
        from: address(&row.text("from_address")?)?,
        from_name: row.text("from_name")?,
        to: address(&row.text("to_address")?)?,
        to_name: row.optional_text("to_name")?,
        subject: row.text("subject")?,
        in_reply_to: row.optional_text("in_reply_to")?,
        references: split_list(&row.text("refs")?),
        body: row.text("body")?,
        created_at: timestamp_from_column(row.int("created_at")?)?,
    };
    Ok(OutboundEmail {
        id: row.int("id")?,
        org: OrgId(row.int("org_id")?),
        spec,
        attempts: u32::try_from(row.int("attempts")?).unwrap_or(u32::MAX),
        next_attempt_at: timestamp_from_column(row.int("next_attempt_at")?)?,
        sent_at: row
            .optional_int("sent_at")?
            .map(timestamp_from_column)
            .transpose()?,
        sent_message_id: row.optional_text("sent_message_id")?,
        last_error: row.optional_text("last_error")?,
    })
}

/// An agent's message from `org_id` and [`UNQUEUED_COLUMNS`].
pub fn unqueued_reply(row: &impl StoreRow) -> StoreResult<(OrgId, ChatMessage)> {
    Ok((
        OrgId(row.int("org_id")?),
        crate::sqlx_rows::chat_message(row)?,
    ))
}

/// Cuts a text to the store's limit on one mail field.
pub fn bounded(text: &str) -> String {
    text.chars().take(crate::MAX_MAIL_TEXT_CHARS).collect()
}

/// Implements [`MailStore`](crate::MailStore) for `$store` (see
/// [`impl_store_with_sqlx!`](crate::impl_store_with_sqlx) for what `$store`
/// must offer).
#[doc(hidden)]
#[macro_export]
macro_rules! impl_mail_store_with_sqlx {
    (store: $store:ty, database: $db:ty $(,)?) => {
        const _: () = {
            use $crate::codec::timestamp_to_column;
            use $crate::sqlx_errors::from_sqlx;
            use $crate::sqlx_mail::{
                self as rows, EMAIL_COLUMNS, OUTBOX_COLUMNS, UNQUEUED_COLUMNS, bounded, join_list,
            };
            use $crate::sqlx_store::__reexport::{Timestamp, async_trait, sqlx};
            use $crate::{
                ChatMessage, CustomerId, EmailLinks, MailAddress, MailStore, NewEmail, NewOutboundEmail, OrgId,
                EmailAddress, OutboundEmail, QueueId, StoreError, StoreResult, StoredEmail,
                TicketId,
            };

            fn receiving(address: &EmailAddress) -> String {
                address.as_str().to_lowercase()
            }

            #[async_trait]
            impl MailStore for $store {
                async fn put_mail_address(
                    &self,
                    org: OrgId,
                    address: &EmailAddress,
                    queue: QueueId,
                    display_name: &str,
                ) -> StoreResult<MailAddress> {
                    let name = display_name.trim();
                    if name.is_empty() || name.chars().count() > 200 {
                        return Err(StoreError::invalid("display_name", "must be 1 to 200 characters"));
                    }
                    // The update applies only to the organization's own address:
                    // one held by another organization returns no row.
                    sqlx::query(
                        "INSERT INTO mail_addresses (org_id, address, queue_id, display_name) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (address) DO UPDATE \
                         SET queue_id = excluded.queue_id, display_name = excluded.display_name \
                         WHERE mail_addresses.org_id = excluded.org_id \
                         RETURNING org_id, address, queue_id, display_name",
                    )
                    .bind(org.0)
                    .bind(receiving(address))
                    .bind(queue.0)
                    .bind(name)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(|e| match from_sqlx("mail_address", e) {
                        StoreError::NotFound { .. } => StoreError::NotFound { entity: "queue" },
                        other => other,
                    })?
                    .ok_or_else(|| StoreError::Conflict {
                        entity: "mail_address",
                        detail: format!("address {:?} is taken", address.as_str()),
                    })
                    .and_then(|row| rows::mail_address(&row))
                }

                async fn mail_address(
                    &self,
                    address: &EmailAddress,
                ) -> StoreResult<Option<MailAddress>> {
                    sqlx::query(
                        "SELECT org_id, address, queue_id, display_name FROM mail_addresses \
                         WHERE address = $1",
                    )
                    .bind(receiving(address))
                    .fetch_optional(self.reader())
                    .await
                    .map_err(|e| from_sqlx("mail_address", e))?
                    .as_ref()
                    .map(rows::mail_address)
                    .transpose()
                }

                async fn mail_addresses(&self, org: OrgId) -> StoreResult<Vec<MailAddress>> {
                    let mut found = sqlx::query(
                        "SELECT org_id, address, queue_id, display_name FROM mail_addresses \
                         WHERE org_id = $1",
                    )
                    .bind(org.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("mail_address", e))?
                    .iter()
                    .map(rows::mail_address)
                    .collect::<StoreResult<Vec<_>>>()?;
                    // Sorted here: the backends' collations differ.
                    found.sort_by(|a, b| a.address.cmp(&b.address));
                    Ok(found)
                }

                async fn all_mail_addresses(&self) -> StoreResult<Vec<MailAddress>> {
                    let mut found = sqlx::query(
                        "SELECT org_id, address, queue_id, display_name FROM mail_addresses",
                    )
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("mail_address", e))?
                    .iter()
                    .map(rows::mail_address)
                    .collect::<StoreResult<Vec<_>>>()?;
                    found.sort_by(|a, b| a.address.cmp(&b.address));
                    Ok(found)
                }

                async fn delete_mail_address(
                    &self,
                    org: OrgId,
                    address: &EmailAddress,
                ) -> StoreResult<()> {
                    sqlx::query("DELETE FROM mail_addresses WHERE org_id = $1 AND address = $2")
                        .bind(org.0)
                        .bind(receiving(address))
                        .execute(self.writer())
                        .await
                        .map_err(|e| from_sqlx("mail_address", e))?;
                    Ok(())
                }

                async fn customer_by_email(
                    &self,
                    org: OrgId,
                    email: &EmailAddress,
                ) -> StoreResult<Option<CustomerId>> {
                    let id: Option<i64> = sqlx::query_scalar(
                        "SELECT customer_id FROM customer_emails \
                         WHERE org_id = $1 AND lower(email) = lower($2) \
                         ORDER BY customer_id LIMIT 1",
                    )
                    .bind(org.0)
                    .bind(email.as_str())
                    .fetch_optional(self.reader())
                    .await
                    .map_err(|e| from_sqlx("customer", e))?;
                    Ok(id.map(CustomerId))
                }

                async fn insert_email(&self, org: OrgId, new: &NewEmail) -> StoreResult<StoredEmail> {
                    let size = i64::try_from(new.raw.len())
                        .map_err(|_| StoreError::invalid("raw", "too large"))?;
                    let to: Vec<&str> = new.to.iter().map(EmailAddress::as_str).collect();
                    let inserted = sqlx::query(&format!(
                        "INSERT INTO emails (org_id, received_by, received_at, message_id, \
                         in_reply_to, refs, from_address, from_name, to_addresses, subject, flags, \
                         raw, size) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                         ON CONFLICT (org_id, message_id) DO NOTHING RETURNING {EMAIL_COLUMNS}"
                    ))
                    .bind(org.0)
                    .bind(receiving(&new.received_by))
                    .bind(timestamp_to_column(new.received_at))
                    .bind(new.message_id.as_deref().map(bounded))
                    .bind(bounded(&join_list(&new.in_reply_to)))
                    .bind(bounded(&join_list(&new.references)))
                    .bind(new.from.as_ref().map(EmailAddress::as_str))
                    .bind(new.from_name.as_deref().map(bounded))
                    .bind(bounded(&join_list(&to)))
                    .bind(bounded(&new.subject))
                    .bind(join_list(&new.flags))
                    .bind(new.raw.as_slice())
                    .bind(size)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(|e| from_sqlx("email", e))?;
                    match (inserted, &new.message_id) {
                        (Some(row), _) => rows::email(&row),
                        (None, Some(id)) => self
                            .email_by_message_id(org, id)
                            .await?
                            .ok_or_else(|| StoreError::corrupt("an email conflicting on its id is gone")),
                        (None, None) => Err(StoreError::corrupt("an email without id conflicted")),
                    }
                }

                async fn link_email(&self, org: OrgId, id: i64, links: EmailLinks) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE emails SET processed = TRUE, chat_message_id = $3, \
                         interaction_id = $4, ticket_id = $5, customer_id = $6 \
                         WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org.0)
                    .bind(id)
                    .bind(links.message.map(|m| m.0))
                    .bind(links.interaction.map(|i| i.0))
                    .bind(links.ticket.map(|t| t.0))
                    .bind(links.customer.map(|c| c.0))
                    .execute(self.writer())
                    .await
                    .map_err(|e| from_sqlx("email", e))?;
                    match done.rows_affected() {
                        0 => Err(StoreError::NotFound { entity: "email" }),
                        _ => Ok(()),
                    }
                }

                async fn email(&self, org: OrgId, id: i64) -> StoreResult<StoredEmail> {
                    sqlx::query(&format!(
                        "SELECT {EMAIL_COLUMNS} FROM emails WHERE org_id = $1 AND id = $2"
                    ))
                    .bind(org.0)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(|e| from_sqlx("email", e))?
                    .ok_or(StoreError::NotFound { entity: "email" })
                    .and_then(|row| rows::email(&row))
                }

                async fn email_raw(&self, org: OrgId, id: i64) -> StoreResult<Vec<u8>> {
                    sqlx::query_scalar("SELECT raw FROM emails WHERE org_id = $1 AND id = $2")
                        .bind(org.0)
                        .bind(id)
                        .fetch_optional(self.reader())
                        .await
                        .map_err(|e| from_sqlx("email", e))?
                        .ok_or(StoreError::NotFound { entity: "email" })
                }

                async fn email_by_message_id(
                    &self,
                    org: OrgId,
                    message_id: &str,
                ) -> StoreResult<Option<StoredEmail>> {
                    sqlx::query(&format!(
                        "SELECT {EMAIL_COLUMNS} FROM emails WHERE org_id = $1 AND message_id = $2"
                    ))
                    .bind(org.0)
                    .bind(message_id)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(|e| from_sqlx("email", e))?
                    .as_ref()
                    .map(rows::email)
                    .transpose()
                }

                async fn ticket_emails(
                    &self,
                    org: OrgId,
                    ticket: TicketId,
                ) -> StoreResult<Vec<StoredEmail>> {
                    sqlx::query(&format!(
                        "SELECT {EMAIL_COLUMNS} FROM emails WHERE org_id = $1 AND ticket_id = $2 \
                         ORDER BY id"
                    ))
                    .bind(org.0)
                    .bind(ticket.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("email", e))?
                    .iter()
                    .map(rows::email)
                    .collect()
                }

                async fn enqueue_outbound(
                    &self,
                    org: OrgId,
                    new: &NewOutboundEmail,
                ) -> StoreResult<OutboundEmail> {
                    if new.body.trim().is_empty() {
                        return Err(StoreError::invalid("body", "a reply cannot be empty"));
                    }
                    let at = timestamp_to_column(new.created_at);
                    let inserted = sqlx::query(&format!(
                        "INSERT INTO mail_outbox (org_id, ticket_id, interaction_id, chat_message_id, \
                         from_address, from_name, to_address, to_name, subject, in_reply_to, refs, \
                         body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
                         $9, $10, $11, $12, $13, $13) ON CONFLICT (org_id, chat_message_id) DO NOTHING \
                         RETURNING {OUTBOX_COLUMNS}"
                    ))
                    .bind(org.0)
                    .bind(new.ticket.0)
                    .bind(new.interaction.map(|i| i.0))
                    .bind(new.message.map(|m| m.0))
                    .bind(new.from.as_str())
                    .bind(bounded(&new.from_name))
                    .bind(new.to.as_str())
                    .bind(new.to_name.as_deref().map(bounded))
                    .bind(bounded(&new.subject))
                    .bind(new.in_reply_to.as_deref().map(bounded))
                    .bind(bounded(&join_list(&new.references)))
                    .bind(new.body.as_str())
                    .bind(at)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(|e| match from_sqlx("outbound_email", e) {
                        StoreError::NotFound { .. } => StoreError::NotFound { entity: "ticket" },
                        other => other,
                    })?;
                    if let Some(row) = inserted {
                        return rows::outbound(&row);
                    }
                    sqlx::query(&format!(
                        "SELECT {OUTBOX_COLUMNS} FROM mail_outbox \
                         WHERE org_id = $1 AND chat_message_id = $2"
                    ))
                    .bind(org.0)
                    .bind(new.message.map(|m| m.0))
                    .fetch_one(self.reader())
                    .await
                    .map_err(|e| from_sqlx("outbound_email", e))
                    .and_then(|row| rows::outbound(&row))
                }

                async fn due_outbound(
                    &self,
                    now: Timestamp,
                    limit: u32,
                ) -> StoreResult<Vec<OutboundEmail>> {
                    sqlx::query(&format!(
                        "SELECT {OUTBOX_COLUMNS} FROM mail_outbox \
                         WHERE sent_at IS NULL AND next_attempt_at <= $1 \
                         ORDER BY next_attempt_at, id LIMIT $2"
                    ))
                    .bind(timestamp_to_column(now))
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("outbound_email", e))?
                    .iter()
                    .map(rows::outbound)
                    .collect()
                }

                async fn outbound_sent(
                    &self,
                    org: OrgId,
                    id: i64,
                    message_id: &str,
                    at: Timestamp,
                ) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE mail_outbox SET sent_at = $3, sent_message_id = $4, \
                         attempts = attempts + 1, last_error = NULL WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org.0)
                    .bind(id)
                    .bind(timestamp_to_column(at))
                    .bind(message_id)
                    .execute(self.writer())
                    .await
                    .map_err(|e| from_sqlx("outbound_email", e))?;
                    match done.rows_affected() {
                        0 => Err(StoreError::NotFound { entity: "outbound_email" }),
                        _ => Ok(()),
                    }
                }

                async fn outbound_failed(
                    &self,
                    org: OrgId,
                    id: i64,
                    error: &str,
                    retry_at: Timestamp,
                ) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3, \
                         next_attempt_at = $4 WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org.0)
                    .bind(id)
                    .bind(bounded(error))
                    .bind(timestamp_to_column(retry_at))
                    .execute(self.writer())
                    .await
                    .map_err(|e| from_sqlx("outbound_email", e))?;
                    match done.rows_affected() {
                        0 => Err(StoreError::NotFound { entity: "outbound_email" }),
                        _ => Ok(()),
                    }
                }

                async fn unqueued_replies(
                    &self,
                    ended_since: Timestamp,
                    limit: u32,
                ) -> StoreResult<Vec<(OrgId, ChatMessage)>> {
                    let found = sqlx::query(&format!(
                        "SELECT m.org_id, {UNQUEUED_COLUMNS} FROM interactions i \
                         JOIN chat_messages m ON m.org_id = i.org_id AND m.interaction_id = i.id \
                         WHERE i.channel = 'email' AND (i.ended_at IS NULL OR i.ended_at >= $1) \
                         AND m.sender_kind = 'agent' AND m.internal = FALSE AND m.body <> '' \
                         AND NOT EXISTS (SELECT 1 FROM mail_outbox o \
                             WHERE o.org_id = m.org_id AND o.chat_message_id = m.id) \
                         AND EXISTS (SELECT 1 FROM ticket_links l JOIN emails e \
                             ON e.org_id = l.org_id AND e.ticket_id = l.ticket_id \
                             WHERE l.org_id = m.org_id AND l.interaction_id = m.interaction_id \
                             AND e.from_address IS NOT NULL) \
                         ORDER BY m.id LIMIT $2"
                    ))
                    .bind(timestamp_to_column(ended_since))
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("chat_message", e))?;
                    found.iter().map(rows::unqueued_reply).collect()
                }

                async fn ticket_outbound(
                    &self,
                    org: OrgId,
                    ticket: TicketId,
                ) -> StoreResult<Vec<OutboundEmail>> {
                    sqlx::query(&format!(
                        "SELECT {OUTBOX_COLUMNS} FROM mail_outbox \
                         WHERE org_id = $1 AND ticket_id = $2 ORDER BY id"
                    ))
                    .bind(org.0)
                    .bind(ticket.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("outbound_email", e))?
                    .iter()
                    .map(rows::outbound)
                    .collect()
                }
            }
        };
    };
}
