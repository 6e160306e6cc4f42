-- Locks an administrator sees and lifts, and a throttle table purged by the
-- time of the last failure.
ALTER TABLE login_throttles ADD COLUMN last_failure_at TIMESTAMPTZ;
CREATE INDEX login_throttles_last_failure ON login_throttles (last_failure_at);
CREATE INDEX login_throttles_locked ON login_throttles (locked_until);
CREATE INDEX sessions_user_seen ON sessions (user_id, last_seen_at);
