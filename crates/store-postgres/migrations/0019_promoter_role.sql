-- 相談支援包括化推進員 hold accounts (role 'promoter').
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('staff', 'csw', 'city', 'admin', 'auditor', 'promoter'));
