-- 相談支援包括化推進員 hold accounts (role 'promoter'). SQLite cannot change
-- a CHECK constraint: the users table is rebuilt (the runner turns foreign
-- keys off around it and checks every reference before the commit).
CREATE TABLE users_new (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('staff', 'csw', 'city', 'admin', 'auditor', 'promoter')),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO users_new (id, username, display_name, role, password_hash, active, created_at, updated_at)
    SELECT id, username, display_name, role, password_hash, active, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
