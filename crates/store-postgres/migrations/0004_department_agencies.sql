-- 関係各課 receive handoffs like any agency: each department has an agency row of kind 'department'.
ALTER TABLE agencies ADD COLUMN kind TEXT NOT NULL DEFAULT 'agency';
