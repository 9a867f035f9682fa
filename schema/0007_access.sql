-- Who may see what: permissions through groups, superusers, characters shared for recruiters, and
-- the web application's sessions and SSO logins. See docs/access.md.

CREATE SCHEMA access;

-- A superuser holds every permission (the original's Django superuser).
ALTER TABLE sync.users ADD COLUMN is_superuser boolean NOT NULL DEFAULT false;

CREATE TABLE access.groups (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    description text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE access.group_permissions (
    group_id bigint NOT NULL REFERENCES access.groups (id) ON DELETE CASCADE,
    permission text NOT NULL CHECK (permission IN (
        'basic_access', 'finder_access', 'reports_access', 'characters_access', 'view_shared_characters',
        'view_same_corporation', 'view_same_alliance', 'view_everything', 'share_characters',
        'exports_access', 'view_skill_sets')),
    PRIMARY KEY (group_id, permission)
);

CREATE TABLE access.user_groups (
    user_id bigint NOT NULL REFERENCES sync.users (id) ON DELETE CASCADE,
    group_id bigint NOT NULL REFERENCES access.groups (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX user_groups_group ON access.user_groups (group_id);

-- A character its owner shares with recruiters (view_shared_characters); deleted to unshare, by
-- the owner, an administrator, the sharing timeout, or when the owner no longer may share.
CREATE TABLE access.shared_characters (
    character_id bigint PRIMARY KEY REFERENCES sync.characters (id) ON DELETE CASCADE,
    shared_at timestamptz NOT NULL DEFAULT now()
);

-- Web sessions: the cookie holds a random token, the table only its SHA-256, so a database dump
-- logs nobody in. Each session has its own CSRF token.
CREATE TABLE access.sessions (
    token_hash bytea PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES sync.users (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON access.sessions (user_id);
CREATE INDEX sessions_expiry ON access.sessions (expires_at);

-- SSO logins under way: the state sent to the SSO, the PKCE verifier, and what the login is for
-- (logging in, or adding a character to the signed-in user). Used once, within minutes.
CREATE TABLE access.sso_logins (
    state text PRIMARY KEY,
    code_verifier text NOT NULL,
    purpose text NOT NULL CHECK (purpose IN ('login', 'add_character')),
    user_id bigint REFERENCES sync.users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT USAGE ON SCHEMA access TO memberaudit_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA access TO memberaudit_app;
    END IF;
END
$$;
