-- One row per phone key of a person: the index a duplicate check asks for a
-- whole number ("this phone"), instead of a LIKE '%…%' over every person.
-- Kept in the transaction that writes persons.phone_keys.
CREATE TABLE person_phones (
    phone_key TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (phone_key, person_id)
);
CREATE INDEX person_phones_person ON person_phones (person_id);
INSERT INTO person_phones (phone_key, person_id)
SELECT DISTINCT k, p.id FROM persons p, unnest(string_to_array(p.phone_keys, ' ')) AS k
WHERE k <> ''
ON CONFLICT DO NOTHING;
