-- 地域づくり: a 拠点's history, so the 年度's 拠点数 at 3月31日 can be counted
-- after the fact. opened_on NULL: open before the records began (the pack's
-- agencies); closed_on: 廃止 (with its reason).
ALTER TABLE community_resources ADD COLUMN opened_on TEXT;
ALTER TABLE community_resources ADD COLUMN closed_on TEXT;
ALTER TABLE community_resources ADD COLUMN closed_reason TEXT;
UPDATE community_resources SET opened_on = date(created_at, '+9 hours') WHERE created_by IS NOT NULL;
UPDATE community_resources SET closed_on = date(updated_at, '+9 hours') WHERE NOT active;
CREATE INDEX community_resources_history ON community_resources (kind, opened_on, closed_on);
