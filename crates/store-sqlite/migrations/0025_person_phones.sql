-- One row per phone key of a person: the index a duplicate check asks for a
-- whole number ("this phone"), instead of a LIKE '%…%' over every person.
-- Kept in the transaction that writes persons.phone_keys.
CREATE TABLE person_phones (
    phone_key TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    PRIMARY KEY (phone_key, person_id)
);
CREATE INDEX person_phones_person ON person_phones (person_id);
WITH RECURSIVE split (person_id, rest, key) AS (
    SELECT id, phone_keys || ' ', '' FROM persons WHERE phone_keys <> ''
    UNION ALL
    SELECT person_id, substr(rest, instr(rest, ' ') + 1), substr(rest, 1, instr(rest, ' ') - 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO person_phones (phone_key, person_id)
SELECT key, person_id FROM split WHERE key <> '';
