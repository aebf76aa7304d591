-- What the contact-center server adds: screen languages, queue timings,
-- satisfaction answers, internal notes, agents' chosen presence and the
-- tokens of sessions, API clients and web chats.

ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT 'he' CHECK (lang IN ('he', 'en'));

ALTER TABLE queues ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;
ALTER TABLE queues ADD COLUMN wrap_up_seconds BIGINT NOT NULL DEFAULT 0
    CHECK (wrap_up_seconds >= 0);
ALTER TABLE queues ADD COLUMN offer_timeout_seconds BIGINT NOT NULL DEFAULT 0
    CHECK (offer_timeout_seconds >= 0);

ALTER TABLE timeline_entries ADD COLUMN score BIGINT CHECK (score BETWEEN 1 AND 5);
ALTER TABLE timeline_entries ADD COLUMN comment TEXT;

-- An internal note is an agent's message the customer never sees.
ALTER TABLE chat_messages ADD COLUMN internal BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE agent_presence (
    org_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('offline', 'available', 'not_ready')),
    reason TEXT,
    since BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

-- Only the SHA-256 of a token is kept.
CREATE TABLE auth_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL CHECK (kind IN ('session', 'api', 'chat')),
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT,
    role TEXT CHECK (role IN ('admin', 'supervisor', 'agent')),
    interaction_id BIGINT,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, interaction_id) REFERENCES interactions (org_id, id)
);
