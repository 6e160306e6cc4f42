-- A new record only adds the pair it names to the scope index, as on
-- SQLite: a person cannot lose an agency by a record being added, so an
-- insert needs no recomputation of the person. An update or a delete still
-- recomputes the persons it touches (0027).
CREATE OR REPLACE FUNCTION person_scope_follow_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF TG_TABLE_NAME = 'consultations' THEN
            INSERT INTO person_scope (person_id, agency_id)
            VALUES (NEW.person_id, NEW.agency_id)
            ON CONFLICT DO NOTHING;
        ELSIF TG_TABLE_NAME = 'handoffs' THEN
            IF NEW.state NOT IN ('returned', 'withdrawn') THEN
                INSERT INTO person_scope (person_id, agency_id)
                VALUES (NEW.person_id, NEW.to_agency_id)
                ON CONFLICT DO NOTHING;
            END IF;
        ELSE
            PERFORM person_scope_refresh(NEW.person_id);
        END IF;
        RETURN NULL;
    END IF;
    PERFORM person_scope_refresh(OLD.person_id);
    IF TG_OP = 'UPDATE' AND NEW.person_id <> OLD.person_id THEN
        PERFORM person_scope_refresh(NEW.person_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION person_scope_follow_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO person_scope (person_id, agency_id)
        SELECT person_id, NEW.agency_id FROM cases WHERE id = NEW.case_id
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END IF;
    PERFORM person_scope_refresh(person_id) FROM cases WHERE id = OLD.case_id;
    IF TG_OP = 'UPDATE' THEN
        PERFORM person_scope_refresh(person_id) FROM cases WHERE id = NEW.case_id;
    END IF;
    RETURN NULL;
END
$$;
