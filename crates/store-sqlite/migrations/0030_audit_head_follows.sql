-- The audit chain's head moves with each appended event, in the same
-- statement: one round trip less on every audited write (all of them).
CREATE TRIGGER audit_events_move_head AFTER INSERT ON audit_events
BEGIN
    INSERT OR REPLACE INTO audit_head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash);
END;
