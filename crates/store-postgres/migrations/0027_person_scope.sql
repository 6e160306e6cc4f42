-- Which agencies each person is visible to: the index every scope check
-- asks (one probe per agency), instead of three subqueries per person.
-- An agency is involved with a person when it took a consultation of the
-- person, received a handoff of the person that still stands (not
-- withdrawn or returned: `HandoffState::involves_receiver`), or is one of
-- the agencies of a case of the person.
--
-- Kept on write by the triggers below, in the same transaction as the row
-- that changes it, whichever write path changes it: a change to one
-- person's records recomputes that person's rows only.
CREATE TABLE person_scope (
    person_id BIGINT NOT NULL REFERENCES persons (id),
    agency_id BIGINT NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (person_id, agency_id)
);

-- The records a person's scope is made of (the rule, written once).
CREATE VIEW person_scope_sources (person_id, agency_id) AS
    SELECT person_id, agency_id FROM consultations
    UNION ALL
    SELECT person_id, to_agency_id FROM handoffs WHERE state NOT IN ('returned', 'withdrawn')
    UNION ALL
    SELECT k.person_id, ca.agency_id FROM cases k JOIN case_agencies ca ON ca.case_id = k.id;

INSERT INTO person_scope (person_id, agency_id)
SELECT person_id, agency_id FROM person_scope_sources
ON CONFLICT DO NOTHING;

CREATE FUNCTION person_scope_refresh(person BIGINT) RETURNS void LANGUAGE sql AS $$
    DELETE FROM person_scope WHERE person_id = person;
    INSERT INTO person_scope (person_id, agency_id)
    SELECT person_id, agency_id FROM person_scope_sources WHERE person_id = person
    ON CONFLICT DO NOTHING;
$$;

-- consultations and handoffs name the person; a change recomputes the
-- persons before and after it.
CREATE FUNCTION person_scope_follow_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM person_scope_refresh(OLD.person_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.person_id <> OLD.person_id) THEN
        PERFORM person_scope_refresh(NEW.person_id);
    END IF;
    RETURN NULL;
END
$$;

-- case_agencies name the case: its person is recomputed.
CREATE FUNCTION person_scope_follow_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM person_scope_refresh(person_id) FROM cases WHERE id = OLD.case_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM person_scope_refresh(person_id) FROM cases WHERE id = NEW.case_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER consultations_scope AFTER INSERT OR DELETE OR UPDATE OF person_id, agency_id ON consultations
    FOR EACH ROW EXECUTE FUNCTION person_scope_follow_person();
CREATE TRIGGER handoffs_scope AFTER INSERT OR DELETE OR UPDATE OF person_id, to_agency_id, state ON handoffs
    FOR EACH ROW EXECUTE FUNCTION person_scope_follow_person();
CREATE TRIGGER cases_scope AFTER DELETE OR UPDATE OF person_id ON cases
    FOR EACH ROW EXECUTE FUNCTION person_scope_follow_person();
CREATE TRIGGER case_agencies_scope AFTER INSERT OR DELETE OR UPDATE ON case_agencies
    FOR EACH ROW EXECUTE FUNCTION person_scope_follow_case();
