-- Seatline platform schema, SQLite flavour. The PostgreSQL flavour in
-- ../postgres/0001_init.sql is the same logical schema: same tables, columns, keys and
-- constraints; only the type names differ (INTEGER for ids, counters, flags and Unix-ms
-- times here; BIGINT / BOOLEAN there). Keep the two files in step.

CREATE TABLE enterprises (
    id                 INTEGER PRIMARY KEY,
    code               TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    has_online_service INTEGER NOT NULL DEFAULT 0,   -- R7: chat reception package
    phone_fault        INTEGER NOT NULL DEFAULT 0,   -- R9
    -- The enterprise-wide customer change sequence: every customer write bumps it in
    -- its own transaction; the row lock orders the writes, so the changes feed never
    -- skips a change that commits late.
    change_seq         INTEGER NOT NULL DEFAULT 0,
    created_at_ms      INTEGER NOT NULL
);

CREATE TABLE admins (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
    username      TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,                  -- argon2 PHC string
    created_at_ms INTEGER NOT NULL,
    UNIQUE (enterprise_id, username)
);

CREATE TABLE agents (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
    job_number     TEXT    NOT NULL,                 -- R1
    display_name   TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,                 -- argon2 PHC string
    bound_number   TEXT,                             -- R3
    disabled       INTEGER NOT NULL DEFAULT 0,
    reception_open INTEGER NOT NULL DEFAULT 0,       -- R7, remembered across logins
    -- Bumped by every change of the agent's sessions, lease or settings: the UPDATE
    -- takes the agent's row lock, which serialises those transactions per agent.
    version        INTEGER NOT NULL DEFAULT 0,
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL,
    UNIQUE (enterprise_id, job_number)
);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT    NOT NULL UNIQUE,           -- SHA-256 of the bearer token, hex
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
    agent_id      INTEGER REFERENCES agents(id) ON DELETE CASCADE,
    admin_id      INTEGER REFERENCES admins(id) ON DELETE CASCADE,
    device_kind   TEXT CHECK (device_kind IN ('pc', 'mobile')),
    device_id     TEXT,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    CHECK ((agent_id IS NULL) <> (admin_id IS NULL)),
    CHECK ((agent_id IS NULL) = (device_kind IS NULL))
);
-- One session per (agent, device kind): a new login replaces the old one.
CREATE UNIQUE INDEX sessions_agent_kind ON sessions (agent_id, device_kind);
CREATE INDEX sessions_admin ON sessions (admin_id);

-- Login throttling, per (scope, enterprise code, login name) as typed, so unknown
-- names are throttled too.
CREATE TABLE login_failures (
    scope           TEXT    NOT NULL CHECK (scope IN ('agent', 'admin')),
    enterprise_code TEXT    NOT NULL,
    login           TEXT    NOT NULL,
    failures        INTEGER NOT NULL,
    locked_until_ms INTEGER NOT NULL,
    last_failure_ms INTEGER NOT NULL,
    PRIMARY KEY (scope, enterprise_code, login)
);

-- R5 / invariant 1: the primary key is the mutual exclusion. Deleting the session
-- (logout, replacement, disable, expiry) releases the lease with it.
CREATE TABLE answer_leases (
    agent_id      INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    device_kind   TEXT    NOT NULL CHECK (device_kind IN ('pc', 'mobile')),
    session_id    INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    granted_at_ms INTEGER NOT NULL
);
CREATE INDEX answer_leases_session ON answer_leases (session_id);

CREATE TABLE customers (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
    mobile         TEXT    NOT NULL,                 -- R15: unique key, never changes
    name           TEXT,
    company        TEXT,
    title          TEXT,
    owner_agent_id INTEGER REFERENCES agents(id) ON DELETE SET NULL,  -- NULL: public pool
    change_seq     INTEGER NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL,
    UNIQUE (enterprise_id, mobile)
);
CREATE INDEX customers_changes ON customers (enterprise_id, change_seq);
CREATE INDEX customers_owner ON customers (enterprise_id, owner_agent_id);

CREATE TABLE customer_contacts (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('mobile', 'landline', 'email', 'wechat', 'qq')),
    value         TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (customer_id, kind, value)
);
