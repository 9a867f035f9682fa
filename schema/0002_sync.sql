-- Users, their characters and tokens, and the sync engine's work queue. See docs/sync.md.

CREATE SCHEMA sync;

-- A person using the program; owns characters, one of which is their main.
CREATE TABLE sync.users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name <> ''),
    main_character_id bigint,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A registered character. The refresh token is AES-GCM sealed with the token key and bound to the
-- character id; the cached access token likewise, so a database dump holds no usable token.
CREATE TABLE sync.characters (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    user_id bigint NOT NULL REFERENCES sync.users (id),
    owner_hash text NOT NULL,           -- the SSO's CharacterOwnerHash when registered
    scopes text[] NOT NULL,             -- the scopes of the newest verified access token
    refresh_token bytea NOT NULL,
    access_token bytea,
    access_token_expires_at timestamptz,
    -- A worker refreshing the token holds this short lease, so rotation never races (a second
    -- refresh with the old token would be refused and the character wrongly suspended).
    refresh_lease_until timestamptz,
    token_state text NOT NULL DEFAULT 'valid' CHECK (token_state IN ('valid', 'invalid')),
    token_error text,
    token_error_at timestamptz,
    enabled boolean NOT NULL DEFAULT true,
    registered_at timestamptz NOT NULL DEFAULT now(),
    owner_changed_at timestamptz        -- set when the SSO reports another owner hash
);
CREATE INDEX characters_user ON sync.characters (user_id);

ALTER TABLE sync.users ADD FOREIGN KEY (main_character_id) REFERENCES sync.characters (id)
    ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

-- Messages for a user (a revoked token, a character that moved to another account, ...).
CREATE TABLE sync.notifications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES sync.users (id) ON DELETE CASCADE,
    character_id bigint,
    kind text NOT NULL,
    message text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz
);
CREATE INDEX notifications_user ON sync.notifications (user_id, created_at);

-- The work queue: one row per (character, section).
CREATE TABLE sync.work (
    character_id bigint NOT NULL REFERENCES sync.characters (id) ON DELETE CASCADE,
    section text NOT NULL,
    due_at timestamptz NOT NULL DEFAULT now(),
    lease_owner uuid,                   -- the worker holding it, until lease_until
    lease_until timestamptz,
    last_started_at timestamptz,
    last_finished_at timestamptz,
    last_duration_ms integer,
    last_outcome text CHECK (last_outcome IN ('fetched', 'not_modified', 'failed', 'skipped')),
    last_error text,
    last_success_at timestamptz,
    last_changed_at timestamptz,
    failures integer NOT NULL DEFAULT 0, -- consecutive; drives the backoff
    -- What the next request may send as If-None-Match, per fetch: {"key": {"etag": .., "hash": ..}}.
    etags jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (character_id, section)
);
-- The claim's two orders: due work first, and (forced passes) the longest unstarted first.
CREATE INDEX work_due ON sync.work (due_at, character_id);
CREATE INDEX work_started ON sync.work (last_started_at NULLS FIRST, character_id);

-- Ids already known to /universe/names (or known not to resolve), so each is asked for once.
CREATE TABLE sync.entities (
    id bigint PRIMARY KEY,
    resolved boolean NOT NULL DEFAULT false,
    checked_at timestamptz NOT NULL DEFAULT now()
);

-- Stations and structures asked for, with the time a refusal (403) may be retried.
CREATE TABLE sync.locations (
    id bigint PRIMARY KEY,
    state text NOT NULL CHECK (state IN ('pending', 'resolved', 'forbidden', 'failed')),
    retry_after timestamptz,
    checked_at timestamptz NOT NULL DEFAULT now()
);

-- Dependent items fetched once (mail bodies, contract items), per character.
CREATE TABLE sync.fetched_once (
    character_id bigint NOT NULL REFERENCES sync.characters (id) ON DELETE CASCADE,
    kind text NOT NULL,
    item_id bigint NOT NULL,
    PRIMARY KEY (character_id, kind, item_id)
);

-- ESI's limits as the workers last saw them; shared so that all workers keep one budget.
-- scope: 'errors' for the error limit, 'rate:<group>:<character>' for a rate-limit bucket.
CREATE TABLE sync.esi_limits (
    scope text PRIMARY KEY,
    remaining integer,
    paused_until timestamptz,
    observed_at timestamptz NOT NULL
);

-- Running workers, for `memberaudit stats` and the rescuer's messages.
CREATE TABLE sync.workers (
    id uuid PRIMARY KEY,
    host text NOT NULL,
    pid integer NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    stopped_at timestamptz
);

-- Run durations per section, for `memberaudit stats` (the original's update statistics).
CREATE TABLE sync.runs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    character_id bigint NOT NULL,
    section text NOT NULL,
    outcome text NOT NULL,
    requests integer NOT NULL,
    duration_ms integer NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_section_finished ON sync.runs (section, finished_at);

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT USAGE ON SCHEMA sync TO memberaudit_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA sync TO memberaudit_app;
    END IF;
END
$$;
