-- Tickets (cases) with their tags, links to interactions, append-only
-- history, internal notes and attachments; and what configures them:
-- canned responses, SLA policies and escalation rules.

-- Ticket numbers follow the event log's pattern: the counter row is bumped
-- in the ticket's own transaction, so numbers are 1, 2, 3... per
-- organization without gaps.
ALTER TABLE organizations ADD COLUMN last_ticket_number BIGINT NOT NULL DEFAULT 0;

CREATE TABLE tickets (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    number BIGINT NOT NULL CHECK (number > 0),
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN
        ('new', 'open', 'pending_customer', 'pending_internal', 'solved', 'closed')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    category TEXT,
    customer_id BIGINT,
    assignee_id BIGINT,
    team_id BIGINT,
    back_office_team_id BIGINT,
    owner_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    first_response_at BIGINT,
    solved_at BIGINT,
    merged_into BIGINT,
    UNIQUE (org_id, id),
    UNIQUE (org_id, number),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id),
    FOREIGN KEY (org_id, assignee_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id),
    FOREIGN KEY (org_id, back_office_team_id) REFERENCES teams (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, merged_into) REFERENCES tickets (org_id, id)
);
CREATE INDEX tickets_by_updated ON tickets (org_id, updated_at);
CREATE INDEX tickets_by_customer ON tickets (org_id, customer_id);
CREATE INDEX tickets_by_assignee ON tickets (org_id, assignee_id);
CREATE INDEX tickets_by_back_office ON tickets (org_id, back_office_team_id);

CREATE TABLE ticket_tags (
    org_id BIGINT NOT NULL,
    ticket_id BIGINT NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (org_id, ticket_id, tag),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id)
);

CREATE TABLE ticket_links (
    org_id BIGINT NOT NULL,
    ticket_id BIGINT NOT NULL,
    interaction_id BIGINT NOT NULL,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, ticket_id, interaction_id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, interaction_id) REFERENCES interactions (org_id, id)
);
CREATE INDEX ticket_links_by_interaction ON ticket_links (org_id, interaction_id);

-- Append-only: rows are only ever inserted, in the transaction of the change
-- they describe. Old and new values are JSON text.
CREATE TABLE ticket_history (
    org_id BIGINT NOT NULL,
    id INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    field TEXT NOT NULL,
    old_value TEXT NOT NULL CHECK (json_valid(old_value)),
    new_value TEXT NOT NULL CHECK (json_valid(new_value)),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, actor_id) REFERENCES users (org_id, id)
);
CREATE INDEX ticket_history_by_ticket ON ticket_history (org_id, ticket_id, id);

CREATE TABLE ticket_notes (
    org_id BIGINT NOT NULL,
    id INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id)
);
CREATE INDEX ticket_notes_by_ticket ON ticket_notes (org_id, ticket_id, id);

CREATE TABLE ticket_attachments (
    org_id BIGINT NOT NULL,
    id INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL CHECK (size >= 0),
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by BIGINT,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, uploaded_by) REFERENCES users (org_id, id)
);
CREATE INDEX ticket_attachments_by_ticket ON ticket_attachments (org_id, ticket_id, id);

CREATE TABLE canned_responses (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('he', 'en')),
    body TEXT NOT NULL,
    UNIQUE (org_id, name, lang)
);

CREATE TABLE sla_policies (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    priority TEXT CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    category TEXT,
    first_response_minutes BIGINT NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes BIGINT NOT NULL CHECK (resolution_minutes > 0),
    UNIQUE (org_id, name)
);

CREATE TABLE escalation_rules (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('breach', 'category')),
    category TEXT,
    team_id BIGINT NOT NULL,
    UNIQUE (org_id, name),
    CHECK ((trigger_kind = 'category') = (category IS NOT NULL)),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id)
);
