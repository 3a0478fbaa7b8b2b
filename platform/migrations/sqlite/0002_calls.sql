-- Calls (issue 4): the enterprise's main number, the record-deletion permission and
-- the call records (R12, R13, R38). PostgreSQL twin: ../postgres/0002_calls.sql.

-- R12: VoIP and callback calls show this number to the customer. NULL: the enterprise
-- cannot place trunk calls yet.
ALTER TABLE enterprises ADD COLUMN main_number TEXT;

-- R38: an administrator lets an agent delete call records.
ALTER TABLE agents ADD COLUMN can_delete_records INTEGER NOT NULL DEFAULT 0;

CREATE TABLE call_records (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
    agent_id       INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    call_id        TEXT    NOT NULL UNIQUE,
    direction      TEXT    NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    method         TEXT    NOT NULL CHECK (method IN ('voip', 'callback', 'native')),
    device_kind    TEXT    NOT NULL CHECK (device_kind IN ('pc', 'mobile')),
    number         TEXT    NOT NULL,                 -- the customer's number
    started_at_ms  INTEGER NOT NULL,
    answered_at_ms INTEGER,
    ended_at_ms    INTEGER,
    outcome        TEXT CHECK (outcome IN ('answered', 'busy', 'no_answer', 'rejected',
                                           'failed', 'agent_no_answer', 'missed')),
    -- Native calls: the device's own id for the upload, so a retry is stored once.
    client_ref     TEXT,
    UNIQUE (agent_id, client_ref)
);
CREATE INDEX call_records_agent ON call_records (agent_id, id);
CREATE INDEX call_records_number ON call_records (enterprise_id, number, id);
