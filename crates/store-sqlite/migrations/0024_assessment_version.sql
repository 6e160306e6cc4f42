-- When a case's アセスメント was last saved: its version, so that a save
-- over someone else's since is refused rather than silently overwriting it.
ALTER TABLE cases ADD COLUMN assessment_at TEXT;
UPDATE cases SET assessment_at = updated_at WHERE assessment IS NOT NULL;
