-- Creating requests made twice with the same key (a double click, a client
-- retrying after a lost answer) are answered once: the first answer is kept
-- for a day and given again.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request TEXT NOT NULL,
    status INTEGER,
    location TEXT,
    content_type TEXT,
    body BLOB,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
