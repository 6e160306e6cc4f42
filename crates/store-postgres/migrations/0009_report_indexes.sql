-- 事業実績: the 相談内容 of each consultation as rows (counted in SQL, not by
-- reading every sheet), and indexes for counting a 年度.
-- The day and the 受付機関 are copied from the consultation (they never
-- change) so that a 年度 is counted from this table's index alone.
CREATE TABLE consultation_concerns (
    consultation_id BIGINT NOT NULL REFERENCES consultations (id),
    code TEXT NOT NULL,
    main BOOLEAN NOT NULL,
    received_on DATE NOT NULL,
    agency_id BIGINT NOT NULL,
    PRIMARY KEY (consultation_id, code)
);
CREATE INDEX consultation_concerns_year ON consultation_concerns (received_on, agency_id, code, main);

INSERT INTO consultation_concerns (consultation_id, code, main, received_on, agency_id)
SELECT c.id, j ->> 'code', COALESCE((j ->> 'main')::boolean, FALSE), c.received_on, c.agency_id
FROM consultations c, jsonb_array_elements(c.concerns::jsonb) j;

-- Covers the counts of a 年度 (by day, method, 受付機関, person) without
-- reading the sheets.
CREATE INDEX consultations_received_on ON consultations (received_on, agency_id, method, person_id);
-- Counts per person of a 年度 (実人数, sex, town, age) read in person order,
-- without sorting the year's rows.
CREATE INDEX consultations_person_day ON consultations (person_id, received_on, agency_id);
CREATE INDEX handoffs_sent_on ON handoffs (sent_on);
CREATE INDEX cases_opened_on ON cases (opened_on);
CREATE INDEX meetings_starts_at ON meetings (starts_at);
