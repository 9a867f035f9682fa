-- Skill sets (what a doctrine ship or an activity needs) and the characters users are known to
-- own. See docs/skill-sets.md and docs/reports.md.

CREATE SCHEMA skillsets;

CREATE TABLE skillsets.groups (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    description text NOT NULL DEFAULT '',
    is_doctrine boolean NOT NULL DEFAULT false,
    is_active boolean NOT NULL DEFAULT true,
    modified_at timestamptz NOT NULL DEFAULT now(),
    modified_by text
);

CREATE TABLE skillsets.sets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    description text NOT NULL DEFAULT '',
    ship_type_id bigint,                -- for display only
    is_visible boolean NOT NULL DEFAULT true,
    modified_at timestamptz NOT NULL DEFAULT now(),
    modified_by text
);

-- A set may be in several groups.
CREATE TABLE skillsets.group_sets (
    group_id bigint NOT NULL REFERENCES skillsets.groups (id) ON DELETE CASCADE,
    set_id bigint NOT NULL REFERENCES skillsets.sets (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, set_id)
);
CREATE INDEX group_sets_set ON skillsets.group_sets (set_id);

CREATE TABLE skillsets.skills (
    set_id bigint NOT NULL REFERENCES skillsets.sets (id) ON DELETE CASCADE,
    skill_id bigint NOT NULL,
    required_level smallint CHECK (required_level BETWEEN 1 AND 5),
    recommended_level smallint CHECK (recommended_level BETWEEN 1 AND 5),
    PRIMARY KEY (set_id, skill_id),
    CHECK (required_level IS NOT NULL OR recommended_level IS NOT NULL)
);

-- Characters a user has proved to own through the SSO, registered for syncing or not. Registering
-- a character records its ownership; removing it keeps the ownership, so the user is then known
-- to have an unregistered character (what the compliance reports count).
CREATE TABLE sync.ownerships (
    character_id bigint PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES sync.users (id) ON DELETE CASCADE,
    character_name text NOT NULL,
    owner_hash text,
    known_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ownerships_user ON sync.ownerships (user_id);

-- Every character registered so far is owned by its user.
INSERT INTO sync.ownerships (character_id, user_id, character_name, owner_hash, known_at)
SELECT id, user_id, name, owner_hash, registered_at FROM sync.characters;

-- Characters removed from syncing: their read-model rows are deleted and no read model shows
-- their events again, incrementally or in a rebuild; the events stay in the log until `memberaudit
-- purge`. Registering a character again sets through_position to the log's head: it is synced
-- afresh, and its events before that stay out of the read models (so a rebuild equals the
-- incremental tables). NULL: still removed, every event is left out.
CREATE TABLE sync.removed_characters (
    character_id bigint PRIMARY KEY,
    stream text GENERATED ALWAYS AS ('character:' || character_id) STORED UNIQUE,
    through_position bigint,
    removed_at timestamptz NOT NULL DEFAULT now()
);

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT USAGE ON SCHEMA skillsets TO memberaudit_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA skillsets TO memberaudit_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON sync.ownerships, sync.removed_characters TO memberaudit_app;
    END IF;
END
$$;

-- `memberaudit purge`: the one destructive operation, deleting a removed character's events. The
-- immutability triggers let a DELETE through only for the stream named in this transaction's
-- eventlog.purging setting (and payloads no event refers to any more); privileges still decide
-- who may delete at all (the application role may not). Every purge is recorded.
CREATE TABLE eventlog.purges (
    stream text NOT NULL,
    events bigint NOT NULL,
    payloads bigint NOT NULL,
    purged_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    purged_by text NOT NULL DEFAULT current_user
);

CREATE OR REPLACE FUNCTION eventlog.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    purging text := current_setting('eventlog.purging', true);
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(purging, '') <> '' THEN
        IF TG_TABLE_NAME = 'payloads' THEN
            RETURN OLD;
        ELSIF TG_TABLE_NAME LIKE 'events%' THEN
            IF OLD.stream = purging THEN
                RETURN OLD;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'the event log is append-only: % on %.% is not allowed', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'EL001',
              HINT = 'retention is done by dropping whole partitions; see docs/event-log.md';
END
$$;

CREATE FUNCTION eventlog.purge_stream(target text) RETURNS TABLE (events bigint, payloads bigint)
    LANGUAGE plpgsql SET search_path = pg_catalog, eventlog AS $$
DECLARE
    hashes bytea[];
BEGIN
    PERFORM set_config('eventlog.purging', target, true);
    WITH gone AS (DELETE FROM eventlog.events e WHERE e.stream = target RETURNING e.payload_hash)
    SELECT count(*), array_agg(DISTINCT payload_hash) FILTER (WHERE payload_hash IS NOT NULL)
    INTO events, hashes FROM gone;
    -- Payloads are shared by content: delete only those no remaining event refers to.
    WITH gone AS (
        DELETE FROM eventlog.payloads p
        WHERE p.hash = ANY(coalesce(hashes, '{}'))
          AND p.hash NOT IN (  -- one scan of the log, not one per payload
              SELECT e.payload_hash FROM eventlog.events e
              WHERE e.payload_hash = ANY(hashes) AND e.payload_hash IS NOT NULL
          )
        RETURNING 1
    )
    SELECT count(*) INTO payloads FROM gone;
    PERFORM set_config('eventlog.purging', '', true);
    INSERT INTO eventlog.purges (stream, events, payloads) VALUES (target, purge_stream.events, purge_stream.payloads);
    RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION eventlog.purge_stream(text) FROM PUBLIC;
