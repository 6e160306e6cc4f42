-- Persons (相談対象者), consultations (受付シート), households, progress notes.
CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kana TEXT,
    name_key TEXT NOT NULL,
    kana_key TEXT,
    sex TEXT,
    birth_date TEXT,
    postal_code TEXT,
    address TEXT,
    town TEXT,
    phones TEXT NOT NULL,
    phone_keys TEXT NOT NULL,
    other_agencies TEXT,
    care_level TEXT,
    utilities TEXT NOT NULL,
    disability TEXT NOT NULL,
    housing TEXT,
    housing_other TEXT,
    protected BOOLEAN NOT NULL DEFAULT FALSE,
    merged_into INTEGER REFERENCES persons (id),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX persons_birth_date ON persons (birth_date);

CREATE TABLE protected_person_users (
    person_id INTEGER NOT NULL REFERENCES persons (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (person_id, user_id)
);

CREATE TABLE consultations (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    receiver_name TEXT,
    method TEXT NOT NULL,
    method_other TEXT,
    received_on TEXT NOT NULL,
    requester TEXT,
    concerns TEXT NOT NULL,
    chief_complaint TEXT NOT NULL,
    situation TEXT NOT NULL,
    urgency TEXT,
    consent_confirmed_by TEXT,
    consent_confirmed_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX consultations_person ON consultations (person_id);
CREATE INDEX consultations_agency ON consultations (agency_id);

CREATE TABLE household_members (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    relationship TEXT NOT NULL,
    sex TEXT,
    age INTEGER,
    living TEXT,
    troubles TEXT NOT NULL,
    support TEXT,
    consent TEXT NOT NULL
);
CREATE INDEX household_members_consultation ON household_members (consultation_id);

CREATE TABLE progress_notes (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    noted_on TEXT NOT NULL,
    method TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX progress_notes_person ON progress_notes (person_id);

-- Edit history of a person record: who changed what, when (also merges).
CREATE TABLE person_changes (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    at TEXT NOT NULL,
    field TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX person_changes_person ON person_changes (person_id);
