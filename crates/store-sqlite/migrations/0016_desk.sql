-- The worker's desk (what a user has in hand, what arrived since the last
-- sign-in, the persons they opened lately) and the undo of a task's 完了.
-- Each index serves one of those reads, so each costs what the user has, not
-- the whole table.
ALTER TABLE tasks ADD COLUMN done_at TEXT;
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, action, seq);
CREATE INDEX handoff_events_at ON handoff_events (at);
CREATE INDEX handoffs_consultation ON handoffs (consultation_id, state);
CREATE INDEX handoffs_received_by ON handoffs (received_by, state);
CREATE INDEX consultations_user ON consultations (user_id, received_on);
CREATE INDEX cases_lead ON cases (lead_user_id, state);
