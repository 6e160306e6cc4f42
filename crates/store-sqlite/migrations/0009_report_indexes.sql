-- 事業実績: the 相談内容 of each consultation as rows (counted in SQL, not by
-- reading every sheet), and indexes for counting a 年度.
CREATE TABLE consultation_concerns (
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    code TEXT NOT NULL,
    main INTEGER NOT NULL,
    PRIMARY KEY (consultation_id, code)
);

INSERT INTO consultation_concerns (consultation_id, code, main)
SELECT c.id, json_extract(j.value, '$.code'),
       CASE WHEN json_extract(j.value, '$.main') THEN 1 ELSE 0 END
FROM consultations c, json_each(c.concerns) j;

CREATE INDEX consultations_received_on ON consultations (received_on, agency_id);
CREATE INDEX handoffs_sent_on ON handoffs (sent_on);
CREATE INDEX cases_opened_on ON cases (opened_on);
CREATE INDEX meetings_starts_at ON meetings (starts_at);
