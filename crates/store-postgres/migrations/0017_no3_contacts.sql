-- What the paper No.3 had and the screen lacked: each side's 氏名 and 電話
-- (受付者 when sending, 引継者 at 受領 and at 報告, 受付者 again when the
-- report is received, by whom), and the reason given for sharing when 本人's
-- 同意 is 無 or 不明.
ALTER TABLE handoffs ADD COLUMN self_consent_reason TEXT;
ALTER TABLE handoffs ADD COLUMN sender_phone TEXT;
ALTER TABLE handoffs ADD COLUMN receiver_phone TEXT;
ALTER TABLE handoffs ADD COLUMN reporter_phone TEXT;
ALTER TABLE handoffs ADD COLUMN report_received_by BIGINT REFERENCES users (id);
ALTER TABLE handoffs ADD COLUMN report_receiver_phone TEXT;

-- Contact details of agencies and 関係各課: what the pack gives (rewritten at
-- each load) and what the administrator set (kept across loads; when set, it
-- is what is shown).
ALTER TABLE agencies ADD COLUMN phone TEXT;
ALTER TABLE agencies ADD COLUMN fax TEXT;
ALTER TABLE agencies ADD COLUMN email TEXT;
ALTER TABLE agencies ADD COLUMN hours TEXT;
ALTER TABLE agencies ADD COLUMN extension TEXT;
CREATE TABLE agency_contacts (
    agency_id BIGINT PRIMARY KEY REFERENCES agencies (id),
    phone TEXT,
    fax TEXT,
    email TEXT,
    hours TEXT,
    extension TEXT,
    updated_by BIGINT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL
);
