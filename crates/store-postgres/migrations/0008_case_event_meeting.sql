-- The meeting a case event comes from (agenda, a decision's task, an agreed
-- plan, a task done), so the application can keep what a 支援会議 produced
-- to its pledged members, also in the case's record.
ALTER TABLE case_events ADD COLUMN meeting_id BIGINT REFERENCES meetings (id);
UPDATE case_events SET meeting_id = CAST(substring(detail from 7) AS BIGINT)
 WHERE step IN ('agenda', 'plan_agreed') AND detail LIKE '会議 ID %';
UPDATE case_events SET meeting_id = (
    SELECT t.meeting_id FROM tasks t
     WHERE t.case_id = case_events.case_id AND t.title = case_events.detail AND t.meeting_id IS NOT NULL
     ORDER BY t.id LIMIT 1)
 WHERE step IN ('task', 'task_done');
