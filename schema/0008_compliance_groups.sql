-- Compliance groups (the original's ComplianceGroupDesignation): a group whose members are exactly
-- the compliant users (a main, every known character registered, basic_access from another group
-- or as superuser). Kept so by ComplianceGroups.update; each join and leave is recorded, and a user
-- sees theirs on the launcher (the original notifies them). See docs/access.md.

ALTER TABLE access.groups ADD COLUMN is_compliance boolean NOT NULL DEFAULT false;

CREATE TABLE access.group_changes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES sync.users (id) ON DELETE CASCADE,
    group_name text NOT NULL,
    joined boolean NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX group_changes_user ON access.group_changes (user_id, changed_at DESC);

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON access.group_changes TO memberaudit_app;
    END IF;
END
$$;
