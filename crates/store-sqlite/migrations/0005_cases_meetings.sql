-- 多機関協働: cases, plan versions, meetings (agenda, members and their
-- confidentiality pledges, minutes, decisions) and the tasks they give agencies.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    person_id INTEGER NOT NULL REFERENCES persons (id),
    origin_agency_id INTEGER NOT NULL REFERENCES agencies (id),
    secretariat_agency_id INTEGER NOT NULL REFERENCES agencies (id),
    lead_user_id INTEGER NOT NULL REFERENCES users (id),
    state TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    assessment TEXT,
    consent_on TEXT,
    consent_by TEXT,
    closure TEXT,
    closed_on TEXT,
    return_agency_id INTEGER REFERENCES agencies (id),
    return_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_person ON cases (person_id);
CREATE INDEX cases_consultation ON cases (consultation_id);

CREATE TABLE case_agencies (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (case_id, agency_id)
);
CREATE INDEX case_agencies_agency ON case_agencies (agency_id);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    at TEXT NOT NULL,
    step TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX case_events_case ON case_events (case_id);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    place TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    minutes TEXT NOT NULL DEFAULT '',
    minutes_by INTEGER REFERENCES users (id),
    minutes_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE meeting_members (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    pledged_at TEXT,
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX meeting_members_user ON meeting_members (user_id);

CREATE TABLE agenda_items (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    case_id INTEGER NOT NULL REFERENCES cases (id),
    position INTEGER NOT NULL,
    added_by INTEGER NOT NULL REFERENCES users (id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, case_id)
);
CREATE INDEX agenda_items_case ON agenda_items (case_id);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    agreed_meeting_id INTEGER REFERENCES meetings (id),
    agreed_on TEXT,
    UNIQUE (case_id, version)
);

CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    case_id INTEGER REFERENCES cases (id),
    text TEXT NOT NULL,
    agreed_plan_id INTEGER REFERENCES plans (id),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX decisions_meeting ON decisions (meeting_id);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    case_id INTEGER REFERENCES cases (id),
    plan_id INTEGER REFERENCES plans (id),
    decision_id INTEGER REFERENCES decisions (id),
    meeting_id INTEGER REFERENCES meetings (id),
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    title TEXT NOT NULL,
    due_on TEXT,
    state TEXT NOT NULL,
    done_on TEXT,
    done_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX tasks_agency ON tasks (agency_id, state);
CREATE INDEX tasks_case ON tasks (case_id);
