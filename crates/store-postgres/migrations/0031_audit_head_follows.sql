-- The audit chain's head moves with each appended event, in the same
-- statement: one round trip less on every audited write (all of them).
CREATE FUNCTION audit_events_move_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash)
    ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_events_move_head AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_move_head();
