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
    person_id INTEGER NOT NULL REFERENCES persons (id),
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (person_id, agency_id)
) WITHOUT ROWID;

-- The records a person's scope is made of (the rule, written once).
CREATE VIEW person_scope_sources (person_id, agency_id) AS
    SELECT person_id, agency_id FROM consultations
    UNION ALL
    SELECT person_id, to_agency_id FROM handoffs WHERE state NOT IN ('returned', 'withdrawn')
    UNION ALL
    SELECT k.person_id, ca.agency_id FROM cases k JOIN case_agencies ca ON ca.case_id = k.id;

INSERT OR IGNORE INTO person_scope (person_id, agency_id)
SELECT person_id, agency_id FROM person_scope_sources;

-- A new row can only add to the scope.
CREATE TRIGGER consultations_scope_insert AFTER INSERT ON consultations BEGIN
    INSERT OR IGNORE INTO person_scope (person_id, agency_id) VALUES (NEW.person_id, NEW.agency_id);
END;
CREATE TRIGGER handoffs_scope_insert AFTER INSERT ON handoffs
WHEN NEW.state NOT IN ('returned', 'withdrawn') BEGIN
    INSERT OR IGNORE INTO person_scope (person_id, agency_id) VALUES (NEW.person_id, NEW.to_agency_id);
END;
CREATE TRIGGER case_agencies_scope_insert AFTER INSERT ON case_agencies BEGIN
    INSERT OR IGNORE INTO person_scope (person_id, agency_id)
    SELECT person_id, NEW.agency_id FROM cases WHERE id = NEW.case_id;
END;

-- A change or a removal recomputes the persons it touches.
CREATE TRIGGER consultations_scope_update AFTER UPDATE OF person_id, agency_id ON consultations BEGIN
    DELETE FROM person_scope WHERE person_id IN (OLD.person_id, NEW.person_id);
    INSERT OR IGNORE INTO person_scope (person_id, agency_id)
    SELECT person_id, agency_id FROM person_scope_sources WHERE person_id IN (OLD.person_id, NEW.person_id);
END;
CREATE TRIGGER consultations_scope_delete AFTER DELETE ON consultations BEGIN
    DELETE FROM person_scope WHERE person_id = OLD.person_id;
    INSERT OR IGNORE INTO person_scope (person_id, agency_id)
    SELECT person_id, agency_id FROM person_scope_sources WHERE person_id = OLD.person_id;
END;
CREATE TRIGGER handoffs_scope_update AFTER UPDATE OF person_id, to_agency_id, state ON handoffs BEGIN
    DELETE FROM person_scope WHERE person_id IN (OLD.person_id, NEW.person_id);
    INSERT OR IGNORE INTO person_scope (person_id, agency_id)
    SELECT person_id, agency_id FROM person_scope_sources WHERE person_id IN (OLD.person_id, NEW.person_id);
END;
CREATE TRIGGER handoffs_scope_delete AFTER DELETE ON handoffs BEGIN
    DELETE FROM person_scope WHERE person_id = OLD.person_id;
    INSERT OR IGNORE INTO person_scope (person_id, agency_id)
    SELECT person_id, agency_id FROM person_scope_sources WHERE person_id = OLD.person_id;
END;
CREATE TRIGGER cases_scope_update AFTER UPDATE OF person_id ON cases BEGIN
    DELETE FROM person_scope WHERE person_id IN (OLD.person_id, NEW.person_id);
    INSERT OR IGNORE INTO person_scope (person_id, agency_id)
    SELECT person_id, agency_id FROM person_scope_sources WHERE person_id IN (OLD.person_id, NEW.person_id);
END;
CREATE TRIGGER cases_scope_delete AFTER DELETE ON cases BEGIN
    DELETE FROM person_scope WHERE person_id = OLD.person_id;
    INSERT OR IGNORE INTO person_scope (person_id, agency_id)
    SELECT person_id, agency_id FROM person_scope_sources WHERE person_id = OLD.person_id;
END;
CREATE TRIGGER case_agencies_scope_update AFTER UPDATE ON case_agencies BEGIN
    DELETE FROM person_scope WHERE person_id IN
        (SELECT person_id FROM cases WHERE id IN (OLD.case_id, NEW.case_id));
    INSERT OR IGNORE INTO person_scope (person_id, agency_id)
    SELECT person_id, agency_id FROM person_scope_sources WHERE person_id IN
        (SELECT person_id FROM cases WHERE id IN (OLD.case_id, NEW.case_id));
END;
CREATE TRIGGER case_agencies_scope_delete AFTER DELETE ON case_agencies BEGIN
    DELETE FROM person_scope WHERE person_id IN (SELECT person_id FROM cases WHERE id = OLD.case_id);
    INSERT OR IGNORE INTO person_scope (person_id, agency_id)
    SELECT person_id, agency_id FROM person_scope_sources WHERE person_id IN
        (SELECT person_id FROM cases WHERE id = OLD.case_id);
END;
