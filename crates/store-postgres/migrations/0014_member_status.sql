-- A household member marked on a later sheet as moved out (転出) or deceased
-- (死亡); the person's household keeps every member across sheets.
ALTER TABLE household_members ADD COLUMN status TEXT NOT NULL DEFAULT 'current';
