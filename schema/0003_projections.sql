-- Projection bookkeeping: which read models exist, at which version and log position, and the
-- events they could not decode. The read-model tables themselves are defined in projections/ and
-- created by the projector framework (they are versioned and rebuilt, not migrated). See
-- docs/projections.md.

CREATE SCHEMA projection;
CREATE SCHEMA readmodel;
CREATE SCHEMA sde;

-- One row per projector: its installed version and checkpoint. The checkpoint advances in the same
-- transaction as the projector's writes, so a crash neither loses nor repeats an event.
CREATE TABLE projection.projectors (
    name text PRIMARY KEY,
    version integer NOT NULL,
    ddl_hash text NOT NULL,              -- SHA-256 of the projector's DDL file when installed
    position bigint NOT NULL DEFAULT 0,  -- the last log position applied
    tables text[] NOT NULL,              -- its tables in schema readmodel
    updated_at timestamptz NOT NULL DEFAULT now(),
    rebuilt_at timestamptz
);

-- Events a projector could not decode: recorded with the reason and skipped; the event itself
-- stays in the log to be retried after a fix (memberaudit project --retry-quarantined).
CREATE TABLE projection.quarantine (
    projector text NOT NULL,
    position bigint NOT NULL,
    stream text NOT NULL,
    section text NOT NULL,
    reason text NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projector, position)
);

-- The static data the read-model views join (loaded from the embedded SDE subset by the
-- projector framework when its checksum differs).
CREATE TABLE sde.meta (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    checksum text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sde.categories (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE sde.groups (id bigint PRIMARY KEY, name text NOT NULL, category_id bigint NOT NULL);
CREATE TABLE sde.types (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    group_id bigint NOT NULL,
    group_name text NOT NULL,
    category_id bigint NOT NULL,
    category_name text NOT NULL,
    volume double precision
);
CREATE TABLE sde.skills (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    group_id bigint NOT NULL,
    group_name text NOT NULL,
    rank double precision,
    primary_attribute text,
    secondary_attribute text
);
CREATE TABLE sde.regions (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE sde.constellations (id bigint PRIMARY KEY, name text NOT NULL, region_id bigint NOT NULL);
CREATE TABLE sde.systems (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    constellation_id bigint NOT NULL,
    region_id bigint NOT NULL,
    security_status double precision NOT NULL
);
CREATE TABLE sde.stations (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    system_id bigint NOT NULL,
    type_id bigint NOT NULL,
    owner_id bigint NOT NULL
);
CREATE TABLE sde.npc_corporations (id bigint PRIMARY KEY, name text NOT NULL, faction_id bigint);

-- A hint for projectors that new events are committed: one notification per append, delivered at
-- commit. Projectors also poll, so a lost notification only delays them.
CREATE FUNCTION eventlog.notify_append() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('memberaudit_events', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER head_notify AFTER UPDATE ON eventlog.head FOR EACH ROW EXECUTE FUNCTION eventlog.notify_append();

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT USAGE, CREATE ON SCHEMA projection, readmodel, sde TO memberaudit_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA projection, sde TO memberaudit_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA readmodel GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO memberaudit_app;
    END IF;
END
$$;
