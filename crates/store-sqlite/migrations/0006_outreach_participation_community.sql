-- アウトリーチ (第4号), 参加支援 (第2号) and 地域づくり (第3号).
CREATE TABLE outreach_targets (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    name TEXT,
    kana TEXT,
    address TEXT,
    town TEXT,
    description TEXT NOT NULL,
    found_via TEXT NOT NULL,
    found_via_detail TEXT,
    stage TEXT NOT NULL,
    consultation_id INTEGER REFERENCES consultations (id),
    person_id INTEGER REFERENCES persons (id),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_on TEXT NOT NULL,
    last_contact_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX outreach_targets_agency ON outreach_targets (agency_id, stage);

CREATE TABLE outreach_attempts (
    id INTEGER PRIMARY KEY,
    target_id INTEGER NOT NULL REFERENCES outreach_targets (id),
    on_date TEXT NOT NULL,
    way TEXT NOT NULL,
    who TEXT NOT NULL,
    outcome TEXT NOT NULL,
    note TEXT NOT NULL,
    stage TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX outreach_attempts_target ON outreach_attempts (target_id);

CREATE TABLE participation_menus (
    id INTEGER PRIMARY KEY,
    key TEXT UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    host TEXT NOT NULL,
    host_agency_id INTEGER REFERENCES agencies (id),
    place TEXT NOT NULL,
    schedule TEXT NOT NULL,
    capacity INTEGER,
    suits TEXT NOT NULL,
    source TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);

CREATE TABLE participation_matches (
    id INTEGER PRIMARY KEY,
    menu_id INTEGER NOT NULL REFERENCES participation_menus (id),
    person_id INTEGER NOT NULL REFERENCES persons (id),
    case_id INTEGER REFERENCES cases (id),
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    reasons TEXT NOT NULL,
    matched_on TEXT NOT NULL,
    matched_by INTEGER NOT NULL REFERENCES users (id),
    state TEXT NOT NULL,
    next_follow_up_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX participation_matches_menu ON participation_matches (menu_id, state);
CREATE INDEX participation_matches_person ON participation_matches (person_id);

CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    match_id INTEGER NOT NULL REFERENCES participation_matches (id),
    on_date TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    next_on TEXT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX follow_ups_match ON follow_ups (match_id);

CREATE TABLE host_supports (
    id INTEGER PRIMARY KEY,
    menu_id INTEGER NOT NULL REFERENCES participation_menus (id),
    on_date TEXT NOT NULL,
    note TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);

CREATE TABLE community_resources (
    id INTEGER PRIMARY KEY,
    key TEXT UNIQUE,
    agency_id INTEGER REFERENCES agencies (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT,
    schedule TEXT NOT NULL,
    operator TEXT NOT NULL,
    audience TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    source TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);

CREATE TABLE event_attendees (
    event_id INTEGER NOT NULL REFERENCES events (id),
    position INTEGER NOT NULL,
    organization TEXT NOT NULL,
    PRIMARY KEY (event_id, position)
);

CREATE TABLE event_consultations (
    event_id INTEGER NOT NULL REFERENCES events (id),
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    linked_by INTEGER NOT NULL REFERENCES users (id),
    linked_at TEXT NOT NULL,
    PRIMARY KEY (event_id, consultation_id)
);
