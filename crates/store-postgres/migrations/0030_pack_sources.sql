-- The pack as last loaded: the text of its files (JSON) and a version raised
-- by every load. Each server holds the parsed pack in memory and, when the
-- version has moved (`tsunagaru pack reload` through any server or
-- machine), parses the stored files again, so every server on one database
-- follows the same pack without a restart.
CREATE TABLE pack_sources (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL,
    sources TEXT NOT NULL
);
