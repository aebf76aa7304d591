-- The email channel: the addresses organizations receive mail at, every
-- inbound email with its raw bytes and what it became, and the outbox of
-- replies waiting for the relay.

CREATE TABLE mail_addresses (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    address TEXT NOT NULL PRIMARY KEY,
    queue_id BIGINT NOT NULL,
    display_name TEXT NOT NULL,
    FOREIGN KEY (org_id, queue_id) REFERENCES queues (org_id, id)
);
CREATE INDEX mail_addresses_by_org ON mail_addresses (org_id);

-- Lists (in_reply_to, refs, to_addresses, flags) are space-separated: none
-- of their items can hold a space. A NULL message_id never conflicts.
CREATE TABLE emails (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    received_by TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    message_id TEXT,
    in_reply_to TEXT NOT NULL,
    refs TEXT NOT NULL,
    from_address TEXT,
    from_name TEXT,
    to_addresses TEXT NOT NULL,
    subject TEXT NOT NULL,
    flags TEXT NOT NULL,
    raw BLOB NOT NULL,
    size BIGINT NOT NULL,
    processed BOOLEAN NOT NULL DEFAULT FALSE,
    chat_message_id BIGINT,
    interaction_id BIGINT,
    ticket_id BIGINT,
    customer_id BIGINT,
    UNIQUE (org_id, message_id),
    FOREIGN KEY (org_id, interaction_id) REFERENCES interactions (org_id, id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id)
);
CREATE INDEX emails_by_ticket ON emails (org_id, ticket_id, id);

CREATE TABLE mail_outbox (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    id INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL,
    interaction_id BIGINT,
    chat_message_id BIGINT,
    from_address TEXT NOT NULL,
    from_name TEXT NOT NULL,
    to_address TEXT NOT NULL,
    to_name TEXT,
    subject TEXT NOT NULL,
    in_reply_to TEXT,
    refs TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    sent_message_id TEXT,
    last_error TEXT,
    UNIQUE (org_id, chat_message_id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, interaction_id) REFERENCES interactions (org_id, id)
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
CREATE INDEX mail_outbox_by_ticket ON mail_outbox (org_id, ticket_id, id);
