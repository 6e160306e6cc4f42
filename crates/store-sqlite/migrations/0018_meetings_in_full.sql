-- The plan's meetings in full.
-- A 支援会議 item about someone not yet consulted: an アウトリーチ target
-- (its situation in words kept as the item's topic), and the consultation
-- the item later came to.
ALTER TABLE agenda_items ADD COLUMN outreach_target_id INTEGER REFERENCES outreach_targets (id);
ALTER TABLE agenda_items ADD COLUMN consultation_id INTEGER REFERENCES consultations (id);
CREATE INDEX agenda_items_target ON agenda_items (outreach_target_id);
-- Who was at the meeting: each member's attendance (NULL: not recorded), and
-- attendees who are not users (本人, family, 推進員, 民生委員 …).
ALTER TABLE meeting_members ADD COLUMN attended BOOLEAN;
CREATE TABLE meeting_attendees (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    attended BOOLEAN NOT NULL,
    added_by INTEGER NOT NULL REFERENCES users (id),
    added_at TEXT NOT NULL
);
CREATE INDEX meeting_attendees_meeting ON meeting_attendees (meeting_id);
-- 終結 agreed at a よりそい会議 (the meeting and its decision), and 戻り sent
-- as a handoff to the agency.
ALTER TABLE cases ADD COLUMN closure_meeting_id INTEGER REFERENCES meetings (id);
ALTER TABLE cases ADD COLUMN closure_decision_id INTEGER REFERENCES decisions (id);
ALTER TABLE cases ADD COLUMN return_handoff_id INTEGER REFERENCES handoffs (id);
-- A task ended with its case (終結・戻り) keeps why.
ALTER TABLE tasks ADD COLUMN end_reason TEXT;
-- The 次回見直し日 of a plan version, for the 事務局's reminder.
ALTER TABLE plans ADD COLUMN next_review_on TEXT;
UPDATE plans SET next_review_on = json_extract(body, '$.next_review_on');
CREATE INDEX plans_review ON plans (next_review_on) WHERE next_review_on IS NOT NULL;
-- Meeting cadence by kind over a 年度.
CREATE INDEX meetings_kind_start ON meetings (kind, starts_at);
