-- Directory (loaded from the municipality pack)
CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    no INTEGER NOT NULL UNIQUE,
    group_name TEXT NOT NULL,
    division TEXT NOT NULL,
    name TEXT NOT NULL,
    main_content TEXT NOT NULL,
    consultation BOOLEAN NOT NULL,
    community BOOLEAN NOT NULL
);

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    operator TEXT,
    address TEXT,
    fields TEXT NOT NULL,
    programmes TEXT NOT NULL,
    department_no INTEGER NOT NULL REFERENCES departments (no),
    consultation BOOLEAN NOT NULL,
    hub_type TEXT,
    catchment_areas TEXT NOT NULL,
    funding TEXT,
    secretariat BOOLEAN NOT NULL,
    source TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE catchment_towns (
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    position INTEGER NOT NULL,
    town TEXT NOT NULL,
    PRIMARY KEY (agency_id, position)
);

CREATE TABLE network_members (
    position INTEGER PRIMARY KEY,
    field TEXT NOT NULL,
    organization TEXT NOT NULL,
    unit TEXT
);

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Users and sign-in
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('staff', 'csw', 'city', 'admin', 'auditor')),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE user_agencies (
    user_id INTEGER NOT NULL REFERENCES users (id),
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (user_id, agency_id)
);

CREATE TABLE login_throttles (
    username TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TEXT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('web', 'api')),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Audit log: append-only, hash-chained. The triggers refuse UPDATE and
-- DELETE through SQL; `tsunagaru audit verify` detects changes made around them.
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    record_type TEXT,
    record_id TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
