-- 研修会・意見交換会 (§5): the sessions held, and the agencies and 関係各課
-- (agency rows) that took part.
CREATE TABLE trainings (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    theme TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX trainings_held_on ON trainings (held_on);

CREATE TABLE training_agencies (
    training_id INTEGER NOT NULL REFERENCES trainings (id),
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (training_id, agency_id)
);
