-- Person search by any part of the name or ふりがな: an FTS5 trigram index over
-- the normalized keys, kept in step with persons by triggers. Queries of three
-- characters or more use it; shorter ones fall back to LIKE.
CREATE VIRTUAL TABLE persons_fts USING fts5(
    name_key, kana_key, content = 'persons', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO persons_fts (persons_fts) VALUES ('rebuild');

CREATE TRIGGER persons_fts_insert AFTER INSERT ON persons BEGIN
    INSERT INTO persons_fts (rowid, name_key, kana_key) VALUES (new.id, new.name_key, new.kana_key);
END;
CREATE TRIGGER persons_fts_delete AFTER DELETE ON persons BEGIN
    INSERT INTO persons_fts (persons_fts, rowid, name_key, kana_key) VALUES ('delete', old.id, old.name_key, old.kana_key);
END;
CREATE TRIGGER persons_fts_update AFTER UPDATE OF name_key, kana_key ON persons BEGIN
    INSERT INTO persons_fts (persons_fts, rowid, name_key, kana_key) VALUES ('delete', old.id, old.name_key, old.kana_key);
    INSERT INTO persons_fts (rowid, name_key, kana_key) VALUES (new.id, new.name_key, new.kana_key);
END;
