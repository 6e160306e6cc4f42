-- A saved sheet can be corrected (each field's change kept: who, when, old
-- and new) and voided with a reason: kept, hidden from the counts. The
-- indexes that count a 年度 leave voided sheets out and carry the column they
-- test, so they stay covering (SQLite reads a column of a partial index's WHERE
-- from the table unless the index holds it).
ALTER TABLE consultations ADD COLUMN voided_at TEXT;
ALTER TABLE consultations ADD COLUMN voided_by INTEGER REFERENCES users (id);
ALTER TABLE consultations ADD COLUMN void_reason TEXT;
CREATE TABLE consultation_changes (
    id INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    field TEXT NOT NULL,
    before TEXT,
    after TEXT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    at TEXT NOT NULL
);
CREATE INDEX consultation_changes_consultation ON consultation_changes (consultation_id);
DROP INDEX consultations_received_on;
CREATE INDEX consultations_received_on ON consultations (received_on, agency_id, method, person_id, voided_at) WHERE voided_at IS NULL;
DROP INDEX consultations_person_day;
CREATE INDEX consultations_person_day ON consultations (person_id, received_on, agency_id, voided_at) WHERE voided_at IS NULL;
