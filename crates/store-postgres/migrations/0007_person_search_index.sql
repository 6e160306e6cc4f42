-- Person search by any part of the name or ふりがな: pg_trgm GIN indexes over
-- the normalized keys serve the LIKE '%…%' queries of three characters or more.
-- pg_trgm is a trusted extension (PostgreSQL 13+); where the role may not
-- create it, search still works, without the index.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
    RAISE NOTICE 'pg_trgm is not available: person search runs without a trigram index';
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS persons_name_key_trgm ON persons USING gin (name_key gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS persons_kana_key_trgm ON persons USING gin (kana_key gin_trgm_ops);
    END IF;
END
$$;
