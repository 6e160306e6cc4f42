-- 引継ぎ (受付シート No.3) and the steps of each loop.
CREATE TABLE handoffs (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    person_id INTEGER NOT NULL REFERENCES persons (id),
    from_agency_id INTEGER NOT NULL REFERENCES agencies (id),
    to_agency_id INTEGER NOT NULL REFERENCES agencies (id),
    purpose TEXT NOT NULL,
    continue_at_origin BOOLEAN NOT NULL,
    urgency TEXT NOT NULL,
    told_contact_name TEXT,
    told_contact_phone TEXT,
    notes TEXT NOT NULL,
    consent_override_reason TEXT,
    state TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    sent_by INTEGER NOT NULL REFERENCES users (id),
    received_on TEXT,
    received_by INTEGER REFERENCES users (id),
    response TEXT,
    reported_on TEXT,
    reported_by INTEGER REFERENCES users (id),
    report_received_on TEXT,
    return_reason TEXT,
    suggested_agency_id INTEGER REFERENCES agencies (id),
    withdraw_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX handoffs_to_agency ON handoffs (to_agency_id, state);
CREATE INDEX handoffs_from_agency ON handoffs (from_agency_id, state);
CREATE INDEX handoffs_person ON handoffs (person_id);

CREATE TABLE handoff_events (
    id INTEGER PRIMARY KEY,
    handoff_id INTEGER NOT NULL REFERENCES handoffs (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    at TEXT NOT NULL,
    step TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX handoff_events_handoff ON handoff_events (handoff_id);
