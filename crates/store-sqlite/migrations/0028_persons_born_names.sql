-- The duplicate check on intake compares the new name with the names of
-- everyone born the same day. This index holds those names beside the date,
-- so the comparison reads one short range of the index and no person rows;
-- only the near names are then read, in scope. It also serves the search by
-- birth date (which always leaves merged records out), so the plain index
-- on the date goes.
CREATE INDEX persons_born_names ON persons (birth_date, name_key, kana_key) WHERE merged_into IS NULL;
DROP INDEX persons_birth_date;
