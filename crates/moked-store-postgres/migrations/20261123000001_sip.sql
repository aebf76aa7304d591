-- SIP (PostgreSQL): agents' phone accounts and the addresses callers dial to reach a
-- queue. Both are unique in the whole installation, not per organization:
-- a phone registers, and a caller dials, to a host that does not name the
-- organization.

-- One account per agent; HA1 = MD5("username:realm:password"), computed by
-- the caller, so the password itself is never stored.
CREATE TABLE sip_accounts (
    org_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    realm TEXT NOT NULL,
    ha1 TEXT NOT NULL CHECK (length(ha1) = 32),
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

CREATE TABLE sip_routes (
    address TEXT NOT NULL PRIMARY KEY,
    org_id BIGINT NOT NULL,
    queue_id BIGINT NOT NULL,
    FOREIGN KEY (org_id, queue_id) REFERENCES queues (org_id, id)
);
CREATE INDEX sip_routes_by_org ON sip_routes (org_id);
