-- 事業実績: the 相談内容 of each consultation as rows (counted in SQL, not by
-- reading every sheet), and indexes for counting a 年度.
CREATE TABLE consultation_concerns (
    consultation_id BIGINT NOT NULL REFERENCES consultations (id),
    code TEXT NOT NULL,
    main BOOLEAN NOT NULL,
    PRIMARY KEY (consultation_id, code)
);

INSERT INTO consultation_concerns (consultation_id, code, main)
SELECT c.id, j ->> 'code', COALESCE((j ->> 'main')::boolean, FALSE)
FROM consultations c, jsonb_array_elements(c.concerns::jsonb) j;

CREATE INDEX consultations_received_on ON consultations (received_on, agency_id);
CREATE INDEX handoffs_sent_on ON handoffs (sent_on);
CREATE INDEX cases_opened_on ON cases (opened_on);
CREATE INDEX meetings_starts_at ON meetings (starts_at);
