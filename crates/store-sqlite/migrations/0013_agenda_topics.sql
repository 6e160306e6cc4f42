-- An agenda item is a case or a topic (a theme in words, for the 全体会 and
-- 分科会 the 年度's 事業実績 attached by its fiscal_year); a decision can
-- belong to a topic. SQLite cannot drop NOT NULL: the table is rebuilt.
CREATE TABLE agenda_items_new (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    case_id INTEGER REFERENCES cases (id),
    topic TEXT,
    fiscal_year INTEGER,
    position INTEGER NOT NULL,
    added_by INTEGER NOT NULL REFERENCES users (id),
    added_at TEXT NOT NULL,
    CHECK ((case_id IS NULL) <> (topic IS NULL)),
    UNIQUE (meeting_id, case_id)
);
INSERT INTO agenda_items_new (meeting_id, case_id, position, added_by, added_at)
    SELECT meeting_id, case_id, position, added_by, added_at FROM agenda_items ORDER BY meeting_id, position;
DROP TABLE agenda_items;
ALTER TABLE agenda_items_new RENAME TO agenda_items;
CREATE INDEX agenda_items_case ON agenda_items (case_id);
ALTER TABLE decisions ADD COLUMN agenda_item_id INTEGER REFERENCES agenda_items (id);
