-- The directory's version: raised in the transaction of every change to
-- agencies or departments (a pack load, contact details). Each server keeps
-- the directory in memory and reads it again only when this has moved, so
-- several servers on one database stay in step.
CREATE TABLE directory_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 1);
