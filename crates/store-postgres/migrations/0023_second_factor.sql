-- A second factor (TOTP, RFC 6238) and re-authentication.
-- The shared secret of a confirmed enrolment, one waiting for its first code,
-- and the last time step accepted (a code is accepted once).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- Ten single-use recovery codes per enrolment, kept as SHA-256 (each code
-- holds 80 random bits).
CREATE TABLE recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- When the session's user last proved who they are (password, or the
-- second factor): privileged actions ask again after ten minutes.
ALTER TABLE sessions ADD COLUMN authenticated_at TIMESTAMPTZ;

-- A sign-in whose password was right and whose code is awaited (the
-- browser's second step); forgotten after five minutes.
CREATE TABLE sign_in_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_challenges_created ON sign_in_challenges (created_at);
