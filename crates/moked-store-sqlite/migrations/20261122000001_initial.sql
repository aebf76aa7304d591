-- Moked storage schema, SQLite.
-- Every tenant table carries org_id, and every reference between tenant
-- rows is a composite foreign key (org_id, id): a row can only ever point
-- at a row of its own organization.
-- Times are BIGINT microseconds since the Unix epoch, UTC.

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    -- The last sequence number handed out by the event log; bumped in the
    -- same transaction as each append, so the log has no gaps.
    last_event_seq BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE teams (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

CREATE TABLE users (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
    password_hash TEXT NOT NULL,
    team_id BIGINT,
    UNIQUE (org_id, id),
    UNIQUE (org_id, login),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id)
);

CREATE TABLE skills (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

CREATE TABLE business_hours (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

CREATE TABLE business_hours_intervals (
    org_id BIGINT NOT NULL,
    business_hours_id BIGINT NOT NULL,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    opens_minute INTEGER NOT NULL,
    closes_minute INTEGER NOT NULL CHECK (opens_minute < closes_minute AND closes_minute <= 1440),
    FOREIGN KEY (org_id, business_hours_id) REFERENCES business_hours (org_id, id)
);
CREATE INDEX business_hours_intervals_by_schedule
    ON business_hours_intervals (org_id, business_hours_id);

CREATE TABLE queues (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    channel TEXT NOT NULL,
    skill_id BIGINT,
    service_level_seconds BIGINT NOT NULL CHECK (service_level_seconds >= 0),
    auto_accept INTEGER NOT NULL CHECK (auto_accept IN (0, 1)),
    business_hours_id BIGINT,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name),
    FOREIGN KEY (org_id, skill_id) REFERENCES skills (org_id, id),
    FOREIGN KEY (org_id, business_hours_id) REFERENCES business_hours (org_id, id)
);

CREATE TABLE agent_skills (
    org_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    skill_id BIGINT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 10),
    PRIMARY KEY (org_id, user_id, skill_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, skill_id) REFERENCES skills (org_id, id)
);

CREATE TABLE agent_capacities (
    org_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    max_concurrent INTEGER NOT NULL CHECK (max_concurrent >= 0),
    PRIMARY KEY (org_id, user_id, channel),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

CREATE TABLE wrap_up_codes (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, code)
);

CREATE TABLE customers (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    israeli_id TEXT,
    tier TEXT NOT NULL CHECK (tier IN ('standard', 'premium', 'vip')),
    notes TEXT NOT NULL,
    UNIQUE (org_id, id)
);

-- position keeps the order the customer gave the numbers in.
CREATE TABLE customer_phones (
    org_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    phone TEXT NOT NULL,
    PRIMARY KEY (org_id, customer_id, position),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id)
);
CREATE INDEX customer_phones_by_phone ON customer_phones (org_id, phone);

CREATE TABLE customer_emails (
    org_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    email TEXT NOT NULL,
    PRIMARY KEY (org_id, customer_id, position),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id)
);

CREATE TABLE interactions (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    queue_id BIGINT NOT NULL,
    customer_id BIGINT,
    created_at BIGINT NOT NULL,
    ended_at BIGINT,
    -- Steps appended so far; bumped with each append so concurrent appends
    -- to one interaction serialize on its row and number steps without gaps.
    timeline_len INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, queue_id) REFERENCES queues (org_id, id),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id)
);
CREATE INDEX interactions_open ON interactions (org_id, id) WHERE ended_at IS NULL;
CREATE INDEX interactions_by_customer ON interactions (org_id, customer_id);

CREATE TABLE timeline_entries (
    org_id BIGINT NOT NULL,
    interaction_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    queue_id BIGINT,
    agent_id BIGINT,
    wrap_up_code_id BIGINT,
    PRIMARY KEY (org_id, interaction_id, position),
    FOREIGN KEY (org_id, interaction_id) REFERENCES interactions (org_id, id),
    FOREIGN KEY (org_id, queue_id) REFERENCES queues (org_id, id),
    FOREIGN KEY (org_id, agent_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, wrap_up_code_id) REFERENCES wrap_up_codes (org_id, id)
);

CREATE TABLE chat_messages (
    org_id BIGINT NOT NULL,
    id INTEGER PRIMARY KEY,
    interaction_id BIGINT NOT NULL,
    sender_kind TEXT NOT NULL CHECK (sender_kind IN ('customer', 'agent', 'system')),
    sender_user_id BIGINT,
    body TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    UNIQUE (org_id, interaction_id, idempotency_key),
    FOREIGN KEY (org_id, interaction_id) REFERENCES interactions (org_id, id),
    FOREIGN KEY (org_id, sender_user_id) REFERENCES users (org_id, id)
);

CREATE TABLE events (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    PRIMARY KEY (org_id, seq)
);
