//! The one implementation of [`Store`](crate::Store) shared by the sqlx
//! backends, as a macro each backend expands for its own database type.
//!
//! sqlx's generic database bounds would have to be repeated on every
//! function; expanding the same code for each concrete database keeps the
//! SQL written once while each backend still gets its own pool type (sqlx's
//! `query!` macros and `AnyPool` do not mix, so there is no shared pool).
//! The SQL uses `$1`-style parameters, which both SQLite and PostgreSQL
//! accept.

/// Implements [`Store`](crate::Store) for `$store`, which must have the
/// methods `reader(&self) -> &sqlx::Pool<$db>` and
/// `writer(&self) -> &sqlx::Pool<$db>` (the same pool, or a single-writer
/// pool). `json_cast` is appended to the JSON payload parameter and
/// `json_as_text` to the payload column when read (`"::jsonb"` and
/// `"::text"` for PostgreSQL, empty for SQLite). `snapshot_setup` is run
/// first in a transaction that reads one record in several queries, to make
/// them see one snapshot (PostgreSQL's default isolation takes a snapshot per
/// statement; an SQLite read transaction already keeps one: empty).
#[macro_export]
macro_rules! impl_store_with_sqlx {
    (
        store: $store:ty,
        database: $db:ty,
        json_cast: $json_cast:literal,
        json_as_text: $json_as_text:literal,
        snapshot_setup: $snapshot_setup:literal $(,)?
    ) => {
        const _: () = {
            use $crate::codec::{
                sender_to_columns, seq_from_column, seq_to_column, timeline_to_columns,
                timestamp_to_column,
            };
            use $crate::sqlx_errors::{backend, from_sqlx};
            use $crate::sqlx_rows::{
                self, agent_presence, auth_token, business_hours_interval, chat_message, event,
                named, organization, queue, sip_account, sip_route, user, wrap_up_code,
            };
            use $crate::sqlx_store::__reexport::{PhoneE164, async_trait, sqlx};
            use $crate::{
                AgentCapacity, AgentPresence, AgentSkill, AuthToken, CustomerQuery,
                NewAuthToken, UserUpdate, WrapUpCodeId, BusinessHours, BusinessHoursId, ChatMessage, Customer,
                CustomerId, Event, Interaction, InteractionId, MessageId, MessageInsert,
                NewBusinessHours, NewCustomer, NewEvent, NewInteraction, NewMessage,
                NewOrganization, NewQueue, NewSipAccount, NewUser, NewWrapUpCode, OrgId,
                Organization, Queue, QueueId, SipAccount, SipRoute, Skill, SkillId, Store, StoreError, StoreResult, Team, TeamId,
                TimelineEntry, TimelineStep, User, UserId, WrapUpCode, validate,
            };
            use sqlx::Row as _;
            use $crate::sqlx_store::__reexport::Timestamp;

            const USER_COLUMNS: &str =
                "id, login, display_name, role, password_hash, team_id, lang";
            const QUEUE_COLUMNS: &str = "id, name, channel, skill_id, \
                                         service_level_seconds, auto_accept, business_hours_id, \
                                         priority, wrap_up_seconds, offer_timeout_seconds";
            const INTERACTION_COLUMNS: &str =
                "id, channel, queue_id, customer_id, created_at, ended_at";
            const TIMELINE_COLUMNS: &str =
                "interaction_id, at, kind, queue_id, agent_id, wrap_up_code_id, score, comment";
            const SIP_ACCOUNT_COLUMNS: &str = "org_id, user_id, username, realm, ha1";
            const MESSAGE_COLUMNS: &str = "id, interaction_id, sender_kind, sender_user_id, \
                                           body, idempotency_key, sent_at, internal";

            impl $store {
                async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'_, $db>> {
                    self.writer().begin().await.map_err(backend)
                }

                /// A read transaction whose queries all see one snapshot, so a
                /// record read in several queries is never half old, half new.
                async fn begin_snapshot(&self) -> StoreResult<sqlx::Transaction<'_, $db>> {
                    let mut tx = self.reader().begin().await.map_err(backend)?;
                    if !$snapshot_setup.is_empty() {
                        sqlx::query($snapshot_setup)
                            .execute(&mut *tx)
                            .await
                            .map_err(backend)?;
                    }
                    Ok(tx)
                }

                async fn fetch_customer(
                    &self,
                    org: OrgId,
                    id: CustomerId,
                ) -> StoreResult<Customer> {
                    let mut tx = self.begin_snapshot().await?;
                    let row = sqlx::query(
                        "SELECT name, israeli_id, tier, notes FROM customers \
                         WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("customer", e))?
                    .ok_or(StoreError::NotFound { entity: "customer" })?;
                    let phones = sqlx::query(
                        "SELECT phone FROM customer_phones \
                         WHERE org_id = $1 AND customer_id = $2 ORDER BY position",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("customer", e))?;
                    let emails = sqlx::query(
                        "SELECT email FROM customer_emails \
                         WHERE org_id = $1 AND customer_id = $2 ORDER BY position",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("customer", e))?;
                    tx.commit().await.map_err(backend)?;
                    sqlx_rows::customer(id, &row, &phones, &emails)
                }

                /// Loads the interactions matching `filter` (a condition on the
                /// `interactions` table, with `$2` standing for `argument` when there is
                /// one) with their timelines.
                async fn fetch_interactions(
                    &self,
                    org: OrgId,
                    filter: &str,
                    argument: Option<i64>,
                ) -> StoreResult<Vec<Interaction>> {
                    let heads_sql = format!(
                        "SELECT {INTERACTION_COLUMNS} FROM interactions \
                         WHERE org_id = $1 AND {filter} ORDER BY id"
                    );
                    let steps_sql = format!(
                        "SELECT {TIMELINE_COLUMNS} FROM timeline_entries \
                         WHERE org_id = $1 AND interaction_id IN (SELECT id \
                         FROM interactions WHERE org_id = $1 AND {filter}) \
                         ORDER BY interaction_id, position"
                    );
                    let mut heads = sqlx::query(&heads_sql).bind(org.0);
                    let mut steps = sqlx::query(&steps_sql).bind(org.0);
                    if let Some(argument) = argument {
                        heads = heads.bind(argument);
                        steps = steps.bind(argument);
                    }
                    let mut tx = self.begin_snapshot().await?;
                    let heads = heads
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(|e| from_sqlx("interaction", e))?;
                    let steps = steps
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(|e| from_sqlx("interaction", e))?;
                    tx.commit().await.map_err(backend)?;
                    sqlx_rows::interactions(&heads, &steps)
                }

                async fn fetch_business_hours(
                    &self,
                    org: OrgId,
                    id: BusinessHoursId,
                ) -> StoreResult<BusinessHours> {
                    let head = sqlx::query(
                        "SELECT name, time_zone FROM business_hours \
                         WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(|e| from_sqlx("business hours", e))?
                    .ok_or(StoreError::NotFound {
                        entity: "business hours",
                    })?;
                    let intervals = sqlx::query(
                        "SELECT weekday, opens_minute, closes_minute \
                         FROM business_hours_intervals WHERE org_id = $1 AND \
                         business_hours_id = $2 ORDER BY weekday, opens_minute",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("business hours", e))?;
                    Ok(BusinessHours {
                        id,
                        spec: NewBusinessHours {
                            name: head.try_get("name").map_err(backend)?,
                            time_zone: head.try_get("time_zone").map_err(backend)?,
                            intervals: intervals
                                .iter()
                                .map(business_hours_interval)
                                .collect::<StoreResult<_>>()?,
                        },
                    })
                }

                /// Writes a schedule's weekly intervals.
                async fn insert_intervals(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    id: i64,
                    spec: &NewBusinessHours,
                ) -> StoreResult<()> {
                    for interval in &spec.intervals {
                        sqlx::query(
                            "INSERT INTO business_hours_intervals (org_id, business_hours_id, \
                             weekday, opens_minute, closes_minute) \
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(org.0)
                        .bind(id)
                        .bind(i64::from(interval.weekday))
                        .bind(i64::from(interval.opens_minute))
                        .bind(i64::from(interval.closes_minute))
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| from_sqlx("business hours", e))?;
                    }
                    Ok(())
                }

                /// Renames a team or skill (`table` holds `org_id, id, name`).
                async fn rename(
                    &self,
                    table: &str,
                    entity: &'static str,
                    org: OrgId,
                    id: i64,
                    name: &str,
                ) -> StoreResult<<$db as sqlx::Database>::Row> {
                    validate::name("name", name)?;
                    sqlx::query(&format!(
                        "UPDATE {table} SET name = $3 WHERE org_id = $1 AND id = $2 \
                         RETURNING id, name"
                    ))
                    .bind(org.0)
                    .bind(id)
                    .bind(name)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(|e| from_sqlx(entity, e))?
                    .ok_or(StoreError::NotFound { entity })
                }

                /// The ids of the customers matching a search text, after `after`.
                async fn matching_customer_ids(
                    &self,
                    org: OrgId,
                    query: &CustomerQuery,
                ) -> StoreResult<Vec<i64>> {
                    let after = query.after.map_or(0, |c| c.0);
                    let limit = i64::from(query.limit);
                    let Some(text) = query.text.as_deref().map(str::trim).filter(|t| !t.is_empty())
                    else {
                        return sqlx::query_scalar(
                            "SELECT id FROM customers WHERE org_id = $1 AND id > $2 \
                             ORDER BY id LIMIT $3",
                        )
                        .bind(org.0)
                        .bind(after)
                        .bind(limit)
                        .fetch_all(self.reader())
                        .await
                        .map_err(|e| from_sqlx("customer", e));
                    };
                    let patterns = $crate::sqlx_store::CustomerPatterns::new(text);
                    sqlx::query_scalar(
                        "SELECT id FROM customers c WHERE c.org_id = $1 AND c.id > $2 AND ( \
                         lower(c.name) LIKE $3 ESCAPE '\\' OR c.israeli_id = $4 \
                         OR EXISTS (SELECT 1 FROM customer_emails e WHERE e.org_id = c.org_id \
                           AND e.customer_id = c.id AND lower(e.email) LIKE $3 ESCAPE '\\') \
                         OR EXISTS (SELECT 1 FROM customer_phones p WHERE p.org_id = c.org_id \
                           AND p.customer_id = c.id AND (p.phone = $5 OR p.phone LIKE $6))) \
                         ORDER BY c.id LIMIT $7",
                    )
                    .bind(org.0)
                    .bind(after)
                    .bind(&patterns.text)
                    .bind(&patterns.israeli_id)
                    .bind(&patterns.phone)
                    .bind(&patterns.digits)
                    .bind(limit)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("customer", e))
                }

                /// Appends a (checked) timeline step in `tx`.
                async fn append_timeline_in(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    id: InteractionId,
                    entry: &TimelineEntry,
                ) -> StoreResult<()> {
                    let at = timestamp_to_column(entry.at);
                    let ends = entry.step == TimelineStep::Ended;
                    // Bumping the counter locks the interaction's row: concurrent appends
                    // to one interaction get consecutive positions.
                    let position: i64 = sqlx::query_scalar(
                        "UPDATE interactions SET timeline_len = timeline_len + 1, \
                         ended_at = CASE WHEN $3 THEN COALESCE(ended_at, $4) ELSE \
                         ended_at END WHERE org_id = $1 AND id = $2 \
                         RETURNING timeline_len",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .bind(ends)
                    .bind(at)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("interaction", e))?
                    .ok_or(StoreError::NotFound {
                        entity: "interaction",
                    })?;
                    let columns = timeline_to_columns(&entry.step);
                    sqlx::query(
                        "INSERT INTO timeline_entries (org_id, interaction_id, position, \
                         at, kind, queue_id, agent_id, wrap_up_code_id, score, comment) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .bind(position)
                    .bind(at)
                    .bind(columns.kind)
                    .bind(columns.queue)
                    .bind(columns.agent)
                    .bind(columns.wrap_up_code)
                    .bind(columns.score)
                    .bind(columns.comment)
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("timeline entry", e))?;
                    Ok(())
                }

                /// Stores a (checked) message once per idempotency key in `tx`.
                async fn insert_message_in(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    new: &NewMessage,
                ) -> StoreResult<MessageInsert> {
                    let (sender_kind, sender_user, internal) = sender_to_columns(new.sender);
                    let inserted: Option<i64> = sqlx::query_scalar(
                        "INSERT INTO chat_messages (org_id, interaction_id, sender_kind, \
                         sender_user_id, body, idempotency_key, sent_at, internal) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                         ON CONFLICT (org_id, interaction_id, idempotency_key) DO NOTHING \
                         RETURNING id",
                    )
                    .bind(org.0)
                    .bind(new.interaction.0)
                    .bind(sender_kind)
                    .bind(sender_user)
                    .bind(&new.body)
                    .bind(&new.idempotency_key)
                    .bind(timestamp_to_column(new.sent_at))
                    .bind(internal)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("chat message", e))?;
                    if let Some(id) = inserted {
                        return Ok(MessageInsert::Stored(ChatMessage {
                            id: $crate::MessageId(id),
                            content: new.clone(),
                        }));
                    }
                    // Read in the transaction: the row that won the key is
                    // committed (or is this transaction's own).
                    let row = sqlx::query(&format!(
                        "SELECT {MESSAGE_COLUMNS} FROM chat_messages \
                         WHERE org_id = $1 AND interaction_id = $2 \
                         AND idempotency_key = $3"
                    ))
                    .bind(org.0)
                    .bind(new.interaction.0)
                    .bind(&new.idempotency_key)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("chat message", e))?;
                    let stored = chat_message(&row)?;
                    if stored.content.body != new.body || stored.content.sender != new.sender {
                        return Err(StoreError::Conflict {
                            entity: "chat message",
                            detail: format!(
                                "idempotency key {:?} was used for another message",
                                new.idempotency_key
                            ),
                        });
                    }
                    Ok(MessageInsert::AlreadyStored(stored))
                }

                /// Records an agent's presence in `tx`.
                async fn set_presence_in(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    user: UserId,
                    presence: &AgentPresence,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO agent_presence (org_id, user_id, state, reason, since) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, user_id) DO UPDATE \
                         SET state = excluded.state, reason = excluded.reason, \
                         since = excluded.since",
                    )
                    .bind(org.0)
                    .bind(user.0)
                    .bind(presence.state.as_str())
                    .bind(presence.reason.as_deref())
                    .bind(timestamp_to_column(presence.since))
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("user", e))?;
                    Ok(())
                }

                /// Appends (checked) events to the log in `tx`, numbered after the
                /// organization's last.
                async fn append_events_in(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    batch: &[NewEvent],
                ) -> StoreResult<Vec<Event>> {
                    let count = i64::try_from(batch.len())
                        .map_err(|_| StoreError::invalid("batch", "is too large"))?;
                    // The counter row serializes appends per organization, so sequence
                    // numbers follow commit order and never skip.
                    let last: i64 = sqlx::query_scalar(
                        "UPDATE organizations SET last_event_seq = last_event_seq + $2 \
                         WHERE id = $1 RETURNING last_event_seq",
                    )
                    .bind(org.0)
                    .bind(count)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("organization", e))?
                    .ok_or(StoreError::NotFound {
                        entity: "organization",
                    })?;
                    let first = last - count + 1;
                    let mut seqs = first..;
                    for chunk in batch.chunks($crate::sqlx_store::EVENTS_PER_INSERT) {
                        let sql = $crate::sqlx_store::event_insert_sql(chunk.len(), $json_cast);
                        let mut insert = sqlx::query(&sql).bind(org.0);
                        // The chunk leads the zip: a sequence number is only taken
                        // for an event that exists.
                        for (new, seq) in chunk.iter().zip(&mut seqs) {
                            insert = insert
                                .bind(seq)
                                .bind(timestamp_to_column(new.at))
                                .bind(&new.kind)
                                .bind(new.payload.to_string());
                        }
                        insert
                            .execute(&mut **tx)
                            .await
                            .map_err(|e| from_sqlx("event", e))?;
                    }
                    (first..)
                        .zip(batch)
                        .map(|(seq, new)| {
                            Ok(Event {
                                seq: seq_from_column(seq)?,
                                content: new.clone(),
                            })
                        })
                        .collect()
                }

                /// Inserts an interaction with no steps yet in `tx`.
                async fn insert_interaction_in(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    new: &NewInteraction,
                ) -> StoreResult<Interaction> {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO interactions (org_id, channel, queue_id, \
                         customer_id, created_at) VALUES ($1, $2, $3, $4, $5) \
                         RETURNING id",
                    )
                    .bind(org.0)
                    .bind(new.channel.as_str())
                    .bind(new.queue.0)
                    .bind(new.customer.map(|c| c.0))
                    .bind(timestamp_to_column(new.created_at))
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("interaction", e))?;
                    Ok(Interaction {
                        id: InteractionId(id),
                        channel: new.channel,
                        queue: new.queue,
                        customer: new.customer,
                        created_at: new.created_at,
                        ended_at: None,
                        timeline: Vec::new(),
                    })
                }

                /// Records an interaction with its (checked) first step in `tx`.
                async fn open_interaction_in(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    new: &NewInteraction,
                    first: &TimelineEntry,
                ) -> StoreResult<Interaction> {
                    let mut interaction = Self::insert_interaction_in(tx, org, new).await?;
                    Self::append_timeline_in(tx, org, interaction.id, first).await?;
                    interaction.ended_at = (first.step == TimelineStep::Ended).then_some(first.at);
                    interaction.timeline.push(first.clone());
                    Ok(interaction)
                }

                /// The ids of the customers who gave `phone`, read in `tx`.
                async fn customer_ids_by_phone_in(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    phone: &PhoneE164,
                ) -> StoreResult<Vec<i64>> {
                    sqlx::query_scalar(
                        "SELECT DISTINCT customer_id FROM customer_phones \
                         WHERE org_id = $1 AND phone = $2 ORDER BY customer_id",
                    )
                    .bind(org.0)
                    .bind(phone.as_str())
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("customer", e))
                }

                /// A write transaction in which no other writer can create a
                /// customer with `phone` until it ends: on PostgreSQL a
                /// transaction-level advisory lock on the organization and
                /// number (customers may share a number, so no unique index
                /// can do it); on SQLite `BEGIN IMMEDIATE` takes the database's
                /// write lock at once, before the read that decides.
                async fn begin_phone_write(
                    &self,
                    org: OrgId,
                    phone: &PhoneE164,
                ) -> StoreResult<sqlx::Transaction<'_, $db>> {
                    if <$db as sqlx::Database>::NAME == "SQLite" {
                        return self.writer().begin_with("BEGIN IMMEDIATE").await.map_err(backend);
                    }
                    let mut tx = self.begin_write().await?;
                    sqlx::query(
                        "SELECT pg_advisory_xact_lock(hashtextextended( \
                         'moked.customer_phone:' || CAST($1 AS TEXT) || ':' || $2, 0))",
                    )
                    .bind(org.0)
                    .bind(phone.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                    Ok(tx)
                }

                /// Writes a customer (checked by the caller) with its phones
                /// and emails in `tx`.
                async fn insert_customer(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    new: &NewCustomer,
                ) -> StoreResult<CustomerId> {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO customers (org_id, name, israeli_id, tier, notes) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(org.0)
                    .bind(&new.name)
                    .bind(new.israeli_id.as_ref().map(|i| i.as_str()))
                    .bind(new.tier.as_str())
                    .bind(&new.notes)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(|e| from_sqlx("customer", e))?;
                    let id = CustomerId(id);
                    Self::insert_contact_details(tx, org, id, new).await?;
                    Ok(id)
                }

                /// Writes a customer's phones and emails, numbered in the order given.
                async fn insert_contact_details(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    org: OrgId,
                    id: CustomerId,
                    details: &NewCustomer,
                ) -> StoreResult<()> {
                    for (position, phone) in (0_i64..).zip(&details.phones) {
                        sqlx::query(
                            "INSERT INTO customer_phones (org_id, customer_id, position, \
                             phone) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(org.0)
                        .bind(id.0)
                        .bind(position)
                        .bind(phone.as_str())
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| from_sqlx("customer phone", e))?;
                    }
                    for (position, email) in (0_i64..).zip(&details.emails) {
                        sqlx::query(
                            "INSERT INTO customer_emails (org_id, customer_id, position, \
                             email) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(org.0)
                        .bind(id.0)
                        .bind(position)
                        .bind(email.as_str())
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| from_sqlx("customer email", e))?;
                    }
                    Ok(())
                }
            }

            #[async_trait]
            impl Store for $store {
                async fn create_organization(
                    &self,
                    new: &NewOrganization,
                ) -> StoreResult<Organization> {
                    validate::organization(new)?;
                    let row = sqlx::query(
                        "INSERT INTO organizations (slug, name, time_zone) \
                         VALUES ($1, $2, $3) RETURNING id, slug, name, time_zone",
                    )
                    .bind(&new.slug)
                    .bind(&new.name)
                    .bind(&new.time_zone)
                    .fetch_one(self.writer())
                    .await
                    .map_err(|e| from_sqlx("organization", e))?;
                    organization(&row)
                }

                async fn organization(&self, org: OrgId) -> StoreResult<Organization> {
                    let row = sqlx::query(
                        "SELECT id, slug, name, time_zone FROM organizations WHERE id = $1",
                    )
                    .bind(org.0)
                    .fetch_one(self.reader())
                    .await
                    .map_err(|e| from_sqlx("organization", e))?;
                    organization(&row)
                }

                async fn organization_by_slug(&self, slug: &str) -> StoreResult<Organization> {
                    let row = sqlx::query(
                        "SELECT id, slug, name, time_zone FROM organizations WHERE slug = $1",
                    )
                    .bind(slug)
                    .fetch_one(self.reader())
                    .await
                    .map_err(|e| from_sqlx("organization", e))?;
                    organization(&row)
                }

                async fn organizations(&self) -> StoreResult<Vec<Organization>> {
                    sqlx::query("SELECT id, slug, name, time_zone FROM organizations ORDER BY id")
                        .fetch_all(self.reader())
                        .await
                        .map_err(|e| from_sqlx("organization", e))?
                        .iter()
                        .map(organization)
                        .collect()
                }

                async fn update_user(
                    &self,
                    org: OrgId,
                    id: UserId,
                    update: &UserUpdate,
                ) -> StoreResult<User> {
                    validate::user_update(update)?;
                    let row = sqlx::query(&format!(
                        "UPDATE users SET display_name = $3, role = $4, team_id = $5, \
                         lang = $6, password_hash = COALESCE($7, password_hash) \
                         WHERE org_id = $1 AND id = $2 RETURNING {USER_COLUMNS}"
                    ))
                    .bind(org.0)
                    .bind(id.0)
                    .bind(&update.display_name)
                    .bind(update.role.as_str())
                    .bind(update.team.map(|t| t.0))
                    .bind(&update.lang)
                    .bind(update.password_hash.as_deref())
                    .fetch_optional(self.writer())
                    .await
                    .map_err(|e| from_sqlx("user", e))?
                    .ok_or(StoreError::NotFound { entity: "user" })?;
                    user(&row)
                }

                async fn create_user(&self, org: OrgId, new: &NewUser) -> StoreResult<User> {
                    validate::user(new)?;
                    let row = sqlx::query(&format!(
                        "INSERT INTO users (org_id, login, display_name, role, \
                         password_hash, team_id, lang) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         RETURNING {USER_COLUMNS}"
                    ))
                    .bind(org.0)
                    .bind(&new.login)
                    .bind(&new.display_name)
                    .bind(new.role.as_str())
                    .bind(&new.password_hash)
                    .bind(new.team.map(|t| t.0))
                    .bind(&new.lang)
                    .fetch_one(self.writer())
                    .await
                    .map_err(|e| from_sqlx("user", e))?;
                    user(&row)
                }

                async fn user(&self, org: OrgId, id: UserId) -> StoreResult<User> {
                    let row = sqlx::query(&format!(
                        "SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 AND id = $2"
                    ))
                    .bind(org.0)
                    .bind(id.0)
                    .fetch_one(self.reader())
                    .await
                    .map_err(|e| from_sqlx("user", e))?;
                    user(&row)
                }

                async fn user_by_login(&self, org: OrgId, login: &str) -> StoreResult<User> {
                    let row = sqlx::query(&format!(
                        "SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 AND login = $2"
                    ))
                    .bind(org.0)
                    .bind(login)
                    .fetch_one(self.reader())
                    .await
                    .map_err(|e| from_sqlx("user", e))?;
                    user(&row)
                }

                async fn users(&self, org: OrgId) -> StoreResult<Vec<User>> {
                    sqlx::query(&format!(
                        "SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 ORDER BY id"
                    ))
                    .bind(org.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("user", e))?
                    .iter()
                    .map(user)
                    .collect()
                }

                async fn set_user_team(
                    &self,
                    org: OrgId,
                    user: UserId,
                    team: Option<TeamId>,
                ) -> StoreResult<()> {
                    let done =
                        sqlx::query("UPDATE users SET team_id = $3 WHERE org_id = $1 AND id = $2")
                            .bind(org.0)
                            .bind(user.0)
                            .bind(team.map(|t| t.0))
                            .execute(self.writer())
                            .await
                            .map_err(|e| from_sqlx("user", e))?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound { entity: "user" });
                    }
                    Ok(())
                }

                async fn create_team(&self, org: OrgId, name: &str) -> StoreResult<Team> {
                    validate::name("name", name)?;
                    let row = sqlx::query(
                        "INSERT INTO teams (org_id, name) VALUES ($1, $2) RETURNING id, name",
                    )
                    .bind(org.0)
                    .bind(name)
                    .fetch_one(self.writer())
                    .await
                    .map_err(|e| from_sqlx("team", e))?;
                    named(&row, TeamId)
                }

                async fn rename_team(
                    &self,
                    org: OrgId,
                    id: TeamId,
                    name: &str,
                ) -> StoreResult<Team> {
                    self.rename("teams", "team", org, id.0, name)
                        .await
                        .and_then(|row| named(&row, TeamId))
                }

                async fn rename_skill(
                    &self,
                    org: OrgId,
                    id: SkillId,
                    name: &str,
                ) -> StoreResult<Skill> {
                    self.rename("skills", "skill", org, id.0, name)
                        .await
                        .and_then(|row| named(&row, SkillId))
                }

                async fn teams(&self, org: OrgId) -> StoreResult<Vec<Team>> {
                    sqlx::query("SELECT id, name FROM teams WHERE org_id = $1 ORDER BY id")
                        .bind(org.0)
                        .fetch_all(self.reader())
                        .await
                        .map_err(|e| from_sqlx("team", e))?
                        .iter()
                        .map(|row| named(row, TeamId))
                        .collect()
                }

                async fn create_skill(&self, org: OrgId, name: &str) -> StoreResult<Skill> {
                    validate::name("name", name)?;
                    let row = sqlx::query(
                        "INSERT INTO skills (org_id, name) VALUES ($1, $2) RETURNING id, name",
                    )
                    .bind(org.0)
                    .bind(name)
                    .fetch_one(self.writer())
                    .await
                    .map_err(|e| from_sqlx("skill", e))?;
                    named(&row, SkillId)
                }

                async fn skills(&self, org: OrgId) -> StoreResult<Vec<Skill>> {
                    sqlx::query("SELECT id, name FROM skills WHERE org_id = $1 ORDER BY id")
                        .bind(org.0)
                        .fetch_all(self.reader())
                        .await
                        .map_err(|e| from_sqlx("skill", e))?
                        .iter()
                        .map(|row| named(row, SkillId))
                        .collect()
                }

                async fn create_queue(&self, org: OrgId, new: &NewQueue) -> StoreResult<Queue> {
                    validate::queue(new)?;
                    let row = sqlx::query(&format!(
                        "INSERT INTO queues (org_id, name, channel, skill_id, \
                         service_level_seconds, auto_accept, business_hours_id, priority, \
                         wrap_up_seconds, offer_timeout_seconds) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                         RETURNING {QUEUE_COLUMNS}"
                    ))
                    .bind(org.0)
                    .bind(&new.name)
                    .bind(new.channel.as_str())
                    .bind(new.skill.map(|s| s.0))
                    .bind(i64::from(new.service_level_seconds))
                    .bind(new.auto_accept)
                    .bind(new.business_hours.map(|b| b.0))
                    .bind(i64::from(new.priority))
                    .bind(i64::from(new.wrap_up_seconds))
                    .bind(i64::from(new.offer_timeout_seconds))
                    .fetch_one(self.writer())
                    .await
                    .map_err(|e| from_sqlx("queue", e))?;
                    queue(&row)
                }

                async fn update_queue(
                    &self,
                    org: OrgId,
                    id: QueueId,
                    spec: &NewQueue,
                ) -> StoreResult<Queue> {
                    validate::queue(spec)?;
                    let row = sqlx::query(&format!(
                        "UPDATE queues SET name = $3, channel = $4, skill_id = $5, \
                         service_level_seconds = $6, auto_accept = $7, \
                         business_hours_id = $8, priority = $9, wrap_up_seconds = $10, \
                         offer_timeout_seconds = $11 WHERE org_id = $1 AND id = $2 \
                         RETURNING {QUEUE_COLUMNS}"
                    ))
                    .bind(org.0)
                    .bind(id.0)
                    .bind(&spec.name)
                    .bind(spec.channel.as_str())
                    .bind(spec.skill.map(|s| s.0))
                    .bind(i64::from(spec.service_level_seconds))
                    .bind(spec.auto_accept)
                    .bind(spec.business_hours.map(|b| b.0))
                    .bind(i64::from(spec.priority))
                    .bind(i64::from(spec.wrap_up_seconds))
                    .bind(i64::from(spec.offer_timeout_seconds))
                    .fetch_optional(self.writer())
                    .await
                    .map_err(|e| from_sqlx("queue", e))?
                    .ok_or(StoreError::NotFound { entity: "queue" })?;
                    queue(&row)
                }

                async fn queue(&self, org: OrgId, id: QueueId) -> StoreResult<Queue> {
                    let row = sqlx::query(&format!(
                        "SELECT {QUEUE_COLUMNS} FROM queues WHERE org_id = $1 AND id = $2"
                    ))
                    .bind(org.0)
                    .bind(id.0)
                    .fetch_one(self.reader())
                    .await
                    .map_err(|e| from_sqlx("queue", e))?;
                    queue(&row)
                }

                async fn queues(&self, org: OrgId) -> StoreResult<Vec<Queue>> {
                    sqlx::query(&format!(
                        "SELECT {QUEUE_COLUMNS} FROM queues WHERE org_id = $1 ORDER BY id"
                    ))
                    .bind(org.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("queue", e))?
                    .iter()
                    .map(queue)
                    .collect()
                }

                async fn set_agent_skill(
                    &self,
                    org: OrgId,
                    agent: UserId,
                    skill: AgentSkill,
                ) -> StoreResult<()> {
                    validate::skill_level(skill.level)?;
                    sqlx::query(
                        "INSERT INTO agent_skills (org_id, user_id, skill_id, level) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, user_id, skill_id) \
                         DO UPDATE SET level = excluded.level",
                    )
                    .bind(org.0)
                    .bind(agent.0)
                    .bind(skill.skill.0)
                    .bind(i64::from(skill.level))
                    .execute(self.writer())
                    .await
                    .map_err(|e| from_sqlx("agent skill", e))?;
                    Ok(())
                }

                async fn remove_agent_skill(
                    &self,
                    org: OrgId,
                    agent: UserId,
                    skill: SkillId,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "DELETE FROM agent_skills \
                         WHERE org_id = $1 AND user_id = $2 AND skill_id = $3",
                    )
                    .bind(org.0)
                    .bind(agent.0)
                    .bind(skill.0)
                    .execute(self.writer())
                    .await
                    .map_err(|e| from_sqlx("agent skill", e))?;
                    Ok(())
                }

                async fn agent_skills(
                    &self,
                    org: OrgId,
                    agent: UserId,
                ) -> StoreResult<Vec<AgentSkill>> {
                    sqlx::query(
                        "SELECT skill_id, level FROM agent_skills \
                         WHERE org_id = $1 AND user_id = $2 ORDER BY skill_id",
                    )
                    .bind(org.0)
                    .bind(agent.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("agent skill", e))?
                    .iter()
                    .map(sqlx_rows::agent_skill)
                    .collect()
                }

                async fn set_agent_capacity(
                    &self,
                    org: OrgId,
                    agent: UserId,
                    capacity: AgentCapacity,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO agent_capacities (org_id, user_id, channel, \
                         max_concurrent) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (org_id, user_id, channel) DO UPDATE \
                         SET max_concurrent = excluded.max_concurrent",
                    )
                    .bind(org.0)
                    .bind(agent.0)
                    .bind(capacity.channel.as_str())
                    .bind(i64::from(capacity.max_concurrent))
                    .execute(self.writer())
                    .await
                    .map_err(|e| from_sqlx("agent capacity", e))?;
                    Ok(())
                }

                async fn agent_capacities(
                    &self,
                    org: OrgId,
                    agent: UserId,
                ) -> StoreResult<Vec<AgentCapacity>> {
                    let mut capacities = sqlx::query(
                        "SELECT channel, max_concurrent FROM agent_capacities \
                         WHERE org_id = $1 AND user_id = $2",
                    )
                    .bind(org.0)
                    .bind(agent.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("agent capacity", e))?
                    .iter()
                    .map(sqlx_rows::agent_capacity)
                    .collect::<StoreResult<Vec<_>>>()?;
                    capacities.sort_by_key(|c| c.channel.index());
                    Ok(capacities)
                }

                async fn create_wrap_up_code(
                    &self,
                    org: OrgId,
                    new: &NewWrapUpCode,
                ) -> StoreResult<WrapUpCode> {
                    validate::key("code", &new.code)?;
                    validate::name("label", &new.label)?;
                    let row = sqlx::query(
                        "INSERT INTO wrap_up_codes (org_id, code, label) \
                         VALUES ($1, $2, $3) RETURNING id, code, label",
                    )
                    .bind(org.0)
                    .bind(&new.code)
                    .bind(&new.label)
                    .fetch_one(self.writer())
                    .await
                    .map_err(|e| from_sqlx("wrap-up code", e))?;
                    wrap_up_code(&row)
                }

                async fn wrap_up_codes(&self, org: OrgId) -> StoreResult<Vec<WrapUpCode>> {
                    sqlx::query(
                        "SELECT id, code, label FROM wrap_up_codes \
                         WHERE org_id = $1 ORDER BY id",
                    )
                    .bind(org.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("wrap-up code", e))?
                    .iter()
                    .map(wrap_up_code)
                    .collect()
                }

                async fn update_wrap_up_code(
                    &self,
                    org: OrgId,
                    id: WrapUpCodeId,
                    spec: &NewWrapUpCode,
                ) -> StoreResult<WrapUpCode> {
                    validate::key("code", &spec.code)?;
                    validate::name("label", &spec.label)?;
                    let row = sqlx::query(
                        "UPDATE wrap_up_codes SET code = $3, label = $4 \
                         WHERE org_id = $1 AND id = $2 RETURNING id, code, label",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .bind(&spec.code)
                    .bind(&spec.label)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(|e| from_sqlx("wrap-up code", e))?
                    .ok_or(StoreError::NotFound {
                        entity: "wrap-up code",
                    })?;
                    wrap_up_code(&row)
                }

                async fn create_business_hours(
                    &self,
                    org: OrgId,
                    new: &NewBusinessHours,
                ) -> StoreResult<BusinessHours> {
                    validate::business_hours(new)?;
                    let mut tx = self.begin_write().await?;
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO business_hours (org_id, name, time_zone) \
                         VALUES ($1, $2, $3) RETURNING id",
                    )
                    .bind(org.0)
                    .bind(&new.name)
                    .bind(&new.time_zone)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("business hours", e))?;
                    Self::insert_intervals(&mut tx, org, id, new).await?;
                    tx.commit().await.map_err(backend)?;
                    self.fetch_business_hours(org, BusinessHoursId(id)).await
                }

                async fn business_hours(
                    &self,
                    org: OrgId,
                    id: BusinessHoursId,
                ) -> StoreResult<BusinessHours> {
                    self.fetch_business_hours(org, id).await
                }

                async fn business_hours_list(&self, org: OrgId) -> StoreResult<Vec<BusinessHours>> {
                    let ids: Vec<i64> = sqlx::query_scalar(
                        "SELECT id FROM business_hours WHERE org_id = $1 ORDER BY id",
                    )
                    .bind(org.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("business hours", e))?;
                    let mut list = Vec::with_capacity(ids.len());
                    for id in ids {
                        list.push(self.fetch_business_hours(org, BusinessHoursId(id)).await?);
                    }
                    Ok(list)
                }

                async fn update_business_hours(
                    &self,
                    org: OrgId,
                    id: BusinessHoursId,
                    spec: &NewBusinessHours,
                ) -> StoreResult<BusinessHours> {
                    validate::business_hours(spec)?;
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query(
                        "UPDATE business_hours SET name = $3, time_zone = $4 \
                         WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .bind(&spec.name)
                    .bind(&spec.time_zone)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("business hours", e))?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound {
                            entity: "business hours",
                        });
                    }
                    sqlx::query(
                        "DELETE FROM business_hours_intervals \
                         WHERE org_id = $1 AND business_hours_id = $2",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("business hours", e))?;
                    Self::insert_intervals(&mut tx, org, id.0, spec).await?;
                    tx.commit().await.map_err(backend)?;
                    self.fetch_business_hours(org, id).await
                }

                async fn create_customer(
                    &self,
                    org: OrgId,
                    new: &NewCustomer,
                ) -> StoreResult<Customer> {
                    validate::customer(new)?;
                    let mut tx = self.begin_write().await?;
                    let id = Self::insert_customer(&mut tx, org, new).await?;
                    tx.commit().await.map_err(backend)?;
                    Ok(Customer {
                        id,
                        details: new.clone(),
                    })
                }

                async fn update_customer(
                    &self,
                    org: OrgId,
                    id: CustomerId,
                    details: &NewCustomer,
                ) -> StoreResult<Customer> {
                    validate::customer(details)?;
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query(
                        "UPDATE customers SET name = $3, israeli_id = $4, tier = $5, \
                         notes = $6 WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .bind(&details.name)
                    .bind(details.israeli_id.as_ref().map(|i| i.as_str()))
                    .bind(details.tier.as_str())
                    .bind(&details.notes)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| from_sqlx("customer", e))?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound { entity: "customer" });
                    }
                    for table in ["customer_phones", "customer_emails"] {
                        sqlx::query(&format!(
                            "DELETE FROM {table} WHERE org_id = $1 AND customer_id = $2"
                        ))
                        .bind(org.0)
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| from_sqlx("customer", e))?;
                    }
                    Self::insert_contact_details(&mut tx, org, id, details).await?;
                    tx.commit().await.map_err(backend)?;
                    Ok(Customer {
                        id,
                        details: details.clone(),
                    })
                }

                async fn customer(&self, org: OrgId, id: CustomerId) -> StoreResult<Customer> {
                    self.fetch_customer(org, id).await
                }

                async fn customers(
                    &self,
                    org: OrgId,
                    query: &CustomerQuery,
                ) -> StoreResult<Vec<Customer>> {
                    validate::page_limit(query.limit)?;
                    let ids = self.matching_customer_ids(org, query).await?;
                    let mut customers = Vec::with_capacity(ids.len());
                    for id in ids {
                        customers.push(self.fetch_customer(org, CustomerId(id)).await?);
                    }
                    Ok(customers)
                }

                async fn customers_by_phone(
                    &self,
                    org: OrgId,
                    phone: &PhoneE164,
                ) -> StoreResult<Vec<Customer>> {
                    let ids: Vec<i64> = sqlx::query_scalar(
                        "SELECT DISTINCT customer_id FROM customer_phones \
                         WHERE org_id = $1 AND phone = $2 ORDER BY customer_id",
                    )
                    .bind(org.0)
                    .bind(phone.as_str())
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("customer", e))?;
                    let mut customers = Vec::with_capacity(ids.len());
                    for id in ids {
                        customers.push(self.fetch_customer(org, CustomerId(id)).await?);
                    }
                    Ok(customers)
                }

                async fn find_or_create_customer_by_phone(
                    &self,
                    org: OrgId,
                    phone: &PhoneE164,
                    new: &NewCustomer,
                ) -> StoreResult<Customer> {
                    validate::customer(new)?;
                    if !new.phones.contains(phone) {
                        return Err(StoreError::invalid(
                            "phones",
                            "must list the number the customer is found by",
                        ));
                    }
                    // A known number (the usual case) is one read, no commit.
                    let known: Option<i64> = sqlx::query_scalar(
                        "SELECT MIN(customer_id) FROM customer_phones \
                         WHERE org_id = $1 AND phone = $2",
                    )
                    .bind(org.0)
                    .bind(phone.as_str())
                    .fetch_one(self.reader())
                    .await
                    .map_err(|e| from_sqlx("customer", e))?;
                    if let Some(id) = known {
                        return self.fetch_customer(org, CustomerId(id)).await;
                    }
                    let mut tx = self.begin_phone_write(org, phone).await?;
                    // Read again under the lock: a racing call may have created it.
                    let found = Self::customer_ids_by_phone_in(&mut tx, org, phone).await?;
                    let id = match found.first() {
                        Some(id) => CustomerId(*id),
                        None => Self::insert_customer(&mut tx, org, new).await?,
                    };
                    tx.commit().await.map_err(backend)?;
                    if found.is_empty() {
                        return Ok(Customer {
                            id,
                            details: new.clone(),
                        });
                    }
                    self.fetch_customer(org, id).await
                }

                async fn create_interactions(
                    &self,
                    org: OrgId,
                    contacts: &[(NewInteraction, TimelineEntry)],
                ) -> StoreResult<Vec<Interaction>> {
                    for (_, first) in contacts {
                        validate::timeline_step(&first.step)?;
                    }
                    let mut tx = self.begin_write().await?;
                    let mut opened = Vec::with_capacity(contacts.len());
                    for (new, first) in contacts {
                        opened.push(Self::open_interaction_in(&mut tx, org, new, first).await?);
                    }
                    tx.commit().await.map_err(backend)?;
                    Ok(opened)
                }

                async fn write_live_batch(
                    &self,
                    org: OrgId,
                    batch: &$crate::LiveBatch,
                ) -> StoreResult<$crate::LiveBatchStored> {
                    batch.events.iter().try_for_each(validate::event)?;
                    for (_, entry) in &batch.timeline {
                        validate::timeline_step(&entry.step)?;
                    }
                    batch.messages.iter().try_for_each(validate::message)?;
                    let mut tx = self.begin_write().await?;
                    // The events first: on PostgreSQL the counter row's lock then
                    // orders whole batches of one organization.
                    let events = if batch.events.is_empty() {
                        Vec::new()
                    } else {
                        Self::append_events_in(&mut tx, org, &batch.events).await?
                    };
                    for (id, entry) in &batch.timeline {
                        Self::append_timeline_in(&mut tx, org, *id, entry).await?;
                    }
                    for (user, presence) in &batch.presences {
                        Self::set_presence_in(&mut tx, org, *user, presence).await?;
                    }
                    let mut messages = Vec::with_capacity(batch.messages.len());
                    for message in &batch.messages {
                        messages.push(Self::insert_message_in(&mut tx, org, message).await?);
                    }
                    tx.commit().await.map_err(backend)?;
                    Ok($crate::LiveBatchStored { events, messages })
                }

                async fn create_interaction(
                    &self,
                    org: OrgId,
                    new: &NewInteraction,
                ) -> StoreResult<Interaction> {
                    let mut tx = self.begin_write().await?;
                    let interaction = Self::insert_interaction_in(&mut tx, org, new).await?;
                    tx.commit().await.map_err(backend)?;
                    Ok(interaction)
                }

                async fn append_timeline(
                    &self,
                    org: OrgId,
                    id: InteractionId,
                    entry: &TimelineEntry,
                ) -> StoreResult<()> {
                    validate::timeline_step(&entry.step)?;
                    let mut tx = self.begin_write().await?;
                    Self::append_timeline_in(&mut tx, org, id, entry).await?;
                    tx.commit().await.map_err(backend)
                }

                async fn set_interaction_customer(
                    &self,
                    org: OrgId,
                    id: InteractionId,
                    customer: CustomerId,
                ) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE interactions SET customer_id = $3 WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org.0)
                    .bind(id.0)
                    .bind(customer.0)
                    .execute(self.writer())
                    .await
                    .map_err(|e| from_sqlx("interaction", e))?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound {
                            entity: "interaction",
                        });
                    }
                    Ok(())
                }

                async fn interaction(
                    &self,
                    org: OrgId,
                    id: InteractionId,
                ) -> StoreResult<Interaction> {
                    self.fetch_interactions(org, "id = $2", Some(id.0))
                        .await?
                        .pop()
                        .ok_or(StoreError::NotFound {
                            entity: "interaction",
                        })
                }

                async fn customer_interactions(
                    &self,
                    org: OrgId,
                    customer: CustomerId,
                ) -> StoreResult<Vec<Interaction>> {
                    self.fetch_interactions(org, "customer_id = $2", Some(customer.0))
                        .await
                }

                async fn open_interactions(&self, org: OrgId) -> StoreResult<Vec<Interaction>> {
                    self.fetch_interactions(org, "ended_at IS NULL", None).await
                }

                async fn insert_message(
                    &self,
                    org: OrgId,
                    new: &NewMessage,
                ) -> StoreResult<MessageInsert> {
                    validate::message(new)?;
                    let mut tx = self.begin_write().await?;
                    let outcome = Self::insert_message_in(&mut tx, org, new).await?;
                    tx.commit().await.map_err(backend)?;
                    Ok(outcome)
                }

                async fn messages(
                    &self,
                    org: OrgId,
                    interaction: InteractionId,
                ) -> StoreResult<Vec<ChatMessage>> {
                    sqlx::query(&format!(
                        "SELECT {MESSAGE_COLUMNS} FROM chat_messages \
                         WHERE org_id = $1 AND interaction_id = $2 ORDER BY id"
                    ))
                    .bind(org.0)
                    .bind(interaction.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("chat message", e))?
                    .iter()
                    .map(chat_message)
                    .collect()
                }

                async fn set_agent_presence(
                    &self,
                    org: OrgId,
                    user: UserId,
                    presence: &AgentPresence,
                ) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    Self::set_presence_in(&mut tx, org, user, presence).await?;
                    tx.commit().await.map_err(backend)
                }

                async fn agent_presences(
                    &self,
                    org: OrgId,
                ) -> StoreResult<Vec<(UserId, AgentPresence)>> {
                    sqlx::query(
                        "SELECT user_id, state, reason, since FROM agent_presence \
                         WHERE org_id = $1 ORDER BY user_id",
                    )
                    .bind(org.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("agent presence", e))?
                    .iter()
                    .map(agent_presence)
                    .collect()
                }

                async fn create_auth_token(&self, new: &NewAuthToken) -> StoreResult<AuthToken> {
                    validate::auth_token(new)?;
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO auth_tokens (org_id, kind, token_hash, user_id, role, \
                         interaction_id, label, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    )
                    .bind(new.org.0)
                    .bind(new.kind.as_str())
                    .bind(&new.token_hash)
                    .bind(new.user.map(|u| u.0))
                    .bind(new.role.map(|r| r.as_str()))
                    .bind(new.interaction.map(|i| i.0))
                    .bind(&new.label)
                    .bind(timestamp_to_column(new.created_at))
                    .bind(new.expires_at.map(timestamp_to_column))
                    .fetch_one(self.writer())
                    .await
                    .map_err(|e| from_sqlx("token", e))?;
                    Ok(AuthToken {
                        id,
                        spec: new.clone(),
                    })
                }

                async fn auth_token(
                    &self,
                    token_hash: &str,
                    now: Timestamp,
                ) -> StoreResult<AuthToken> {
                    let row = sqlx::query(
                        "SELECT id, org_id, kind, token_hash, user_id, role, interaction_id, \
                         label, created_at, expires_at FROM auth_tokens \
                         WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > $2)",
                    )
                    .bind(token_hash)
                    .bind(timestamp_to_column(now))
                    .fetch_optional(self.reader())
                    .await
                    .map_err(|e| from_sqlx("token", e))?
                    .ok_or(StoreError::NotFound { entity: "token" })?;
                    auth_token(&row)
                }

                async fn delete_auth_token(&self, token_hash: &str) -> StoreResult<()> {
                    sqlx::query("DELETE FROM auth_tokens WHERE token_hash = $1")
                        .bind(token_hash)
                        .execute(self.writer())
                        .await
                        .map_err(|e| from_sqlx("token", e))?;
                    Ok(())
                }

                async fn put_sip_account(
                    &self,
                    org: OrgId,
                    account: NewSipAccount,
                ) -> StoreResult<SipAccount> {
                    validate::sip_account(&account)?;
                    let row = sqlx::query(&format!(
                        "INSERT INTO sip_accounts (org_id, user_id, username, realm, ha1) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, user_id) DO UPDATE \
                         SET username = excluded.username, realm = excluded.realm, \
                         ha1 = excluded.ha1 RETURNING {SIP_ACCOUNT_COLUMNS}"
                    ))
                    .bind(org.0)
                    .bind(account.user.0)
                    .bind(&account.username)
                    .bind(&account.realm)
                    .bind(&account.ha1)
                    .fetch_one(self.writer())
                    .await
                    .map_err(|e| match from_sqlx("sip_account", e) {
                        StoreError::NotFound { .. } => StoreError::NotFound { entity: "user" },
                        other => other,
                    })?;
                    sip_account(&row)
                }

                async fn sip_account_by_username(
                    &self,
                    username: &str,
                ) -> StoreResult<Option<SipAccount>> {
                    sqlx::query(&format!(
                        "SELECT {SIP_ACCOUNT_COLUMNS} FROM sip_accounts WHERE username = $1"
                    ))
                    .bind(username)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(|e| from_sqlx("sip_account", e))?
                    .as_ref()
                    .map(sip_account)
                    .transpose()
                }

                async fn sip_accounts(&self, org: OrgId) -> StoreResult<Vec<SipAccount>> {
                    sqlx::query(&format!(
                        "SELECT {SIP_ACCOUNT_COLUMNS} FROM sip_accounts WHERE org_id = $1 \
                         ORDER BY user_id"
                    ))
                    .bind(org.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("sip_account", e))?
                    .iter()
                    .map(sip_account)
                    .collect()
                }

                async fn delete_sip_account(&self, org: OrgId, user: UserId) -> StoreResult<()> {
                    sqlx::query("DELETE FROM sip_accounts WHERE org_id = $1 AND user_id = $2")
                        .bind(org.0)
                        .bind(user.0)
                        .execute(self.writer())
                        .await
                        .map_err(|e| from_sqlx("sip_account", e))?;
                    Ok(())
                }

                async fn put_sip_route(
                    &self,
                    org: OrgId,
                    address: &str,
                    queue: QueueId,
                ) -> StoreResult<SipRoute> {
                    validate::sip_address(address)?;
                    // The update only applies to the organization's own address: one
                    // held by another organization returns no row.
                    sqlx::query(
                        "INSERT INTO sip_routes (org_id, address, queue_id) VALUES ($1, $2, $3) \
                         ON CONFLICT (address) DO UPDATE SET queue_id = excluded.queue_id \
                         WHERE sip_routes.org_id = excluded.org_id \
                         RETURNING org_id, address, queue_id",
                    )
                    .bind(org.0)
                    .bind(address)
                    .bind(queue.0)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(|e| match from_sqlx("sip_route", e) {
                        StoreError::NotFound { .. } => StoreError::NotFound { entity: "queue" },
                        other => other,
                    })?
                    .ok_or_else(|| StoreError::Conflict {
                        entity: "sip_route",
                        detail: format!("address {address:?} is taken"),
                    })
                    .and_then(|row| sip_route(&row))
                }

                async fn sip_route(&self, address: &str) -> StoreResult<Option<SipRoute>> {
                    sqlx::query(
                        "SELECT org_id, address, queue_id FROM sip_routes WHERE address = $1",
                    )
                    .bind(address)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(|e| from_sqlx("sip_route", e))?
                    .as_ref()
                    .map(sip_route)
                    .transpose()
                }

                async fn sip_routes(&self, org: OrgId) -> StoreResult<Vec<SipRoute>> {
                    let mut routes = sqlx::query(
                        "SELECT org_id, address, queue_id FROM sip_routes WHERE org_id = $1",
                    )
                    .bind(org.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("sip_route", e))?
                    .iter()
                    .map(sip_route)
                    .collect::<StoreResult<Vec<_>>>()?;
                    // Sorted here: PostgreSQL's ORDER BY follows the database's
                    // locale, SQLite's the bytes, and both backends must agree.
                    routes.sort_by(|a, b| a.address.cmp(&b.address));
                    Ok(routes)
                }

                async fn delete_sip_route(&self, org: OrgId, address: &str) -> StoreResult<()> {
                    sqlx::query("DELETE FROM sip_routes WHERE org_id = $1 AND address = $2")
                        .bind(org.0)
                        .bind(address)
                        .execute(self.writer())
                        .await
                        .map_err(|e| from_sqlx("sip_route", e))?;
                    Ok(())
                }

                async fn append_events(
                    &self,
                    org: OrgId,
                    batch: &[NewEvent],
                ) -> StoreResult<Vec<Event>> {
                    batch.iter().try_for_each(validate::event)?;
                    let mut tx = self.begin_write().await?;
                    let appended = Self::append_events_in(&mut tx, org, batch).await?;
                    tx.commit().await.map_err(backend)?;
                    Ok(appended)
                }

                async fn events_from(
                    &self,
                    org: OrgId,
                    from_seq: u64,
                    limit: u32,
                ) -> StoreResult<Vec<Event>> {
                    sqlx::query(concat!(
                        "SELECT seq, at, kind, payload",
                        $json_as_text,
                        " AS payload FROM events WHERE org_id = $1 AND seq >= $2 \
                         ORDER BY seq LIMIT $3"
                    ))
                    .bind(org.0)
                    .bind(seq_to_column(from_seq)?)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(|e| from_sqlx("event", e))?
                    .iter()
                    .map(event)
                    .collect()
                }
            }
        };
        $crate::impl_ticket_store_with_sqlx! { store: $store, database: $db }
        $crate::impl_mail_store_with_sqlx! { store: $store, database: $db }
        $crate::impl_bulk_store_with_sqlx! { store: $store, database: $db }
    };
}

/// Events written by one INSERT statement of a batch: 4 parameters each
/// plus the organization stays far below SQLite's 32,766 and PostgreSQL's
/// 65,535 parameter limits.
pub const EVENTS_PER_INSERT: usize = 500;

/// The multi-row INSERT for `rows` events: `$1` is the organization, then
/// seq, time, kind and payload (with `json_cast` appended) for each row.
pub fn event_insert_sql(rows: usize, json_cast: &str) -> String {
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let p = 2 + 4 * row;
            format!(
                "($1, ${}, ${}, ${}, ${}{json_cast})",
                p,
                p + 1,
                p + 2,
                p + 3
            )
        })
        .collect();
    format!(
        "INSERT INTO events (org_id, seq, at, kind, payload) VALUES {}",
        values.join(", ")
    )
}

/// The bind values of a customer search: the text as a lowercase LIKE
/// pattern, and the phone and ID forms it may be written in.
#[doc(hidden)]
pub struct CustomerPatterns {
    /// `%text%`, lowercase, LIKE wildcards escaped with `\`.
    pub text: String,
    /// The text as an Israeli ID number, if it is one.
    pub israeli_id: Option<String>,
    /// The text as a phone number in E.164, if it parses as one.
    pub phone: Option<String>,
    /// `%digits%` when the text has at least 4 digits and nothing but phone
    /// punctuation, so "050-123" finds "+97250123...".
    pub digits: Option<String>,
}

impl CustomerPatterns {
    /// The patterns for a trimmed, non-empty search text.
    pub fn new(text: &str) -> CustomerPatterns {
        let escaped: String = text
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                _ => vec![c],
            })
            .collect();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let phone_like = text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c));
        let national = digits.strip_prefix('0').unwrap_or(&digits);
        CustomerPatterns {
            text: format!("%{escaped}%"),
            israeli_id: moked_domain::IsraeliId::parse(text)
                .ok()
                .map(|id| id.as_str().to_owned()),
            phone: moked_domain::PhoneE164::parse(text)
                .ok()
                .map(|p| p.as_str().to_owned()),
            digits: (phone_like && national.len() >= 4).then(|| format!("%{national}%")),
        }
    }
}

#[doc(hidden)]
pub mod __reexport {
    pub use async_trait::async_trait;
    pub use jiff::Timestamp;
    pub use moked_domain::PhoneE164;
    pub use serde_json as json;
    pub use sqlx;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_the_parameters_of_each_row() {
        assert_eq!(
            event_insert_sql(2, "::jsonb"),
            "INSERT INTO events (org_id, seq, at, kind, payload) VALUES \
             ($1, $2, $3, $4, $5::jsonb), ($1, $6, $7, $8, $9::jsonb)"
        );
    }
}
