-- Archiving old partitions of the log: `memberaudit log archive` writes whole sealed partitions
-- (their events, and the payloads only they refer to) to files, verifies them, and only then
-- detaches and drops them; `memberaudit log restore` brings them back. See docs/event-log.md.

-- How many positions one partition holds: 10,000,000, as before. It can be chosen only while the
-- log is empty (eventlog.set_partition_size), for installs that want finer archiving and for
-- the tests, which need sealed partitions without ten million events.
CREATE TABLE eventlog.layout (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    partition_size bigint NOT NULL CHECK (partition_size >= 100)
);
INSERT INTO eventlog.layout (singleton, partition_size) VALUES (true, 10000000);

-- The log's own record of what left it and what came back: one row per archiving and per
-- restore, never changed. Archiving is the only way events leave the log (besides the purge of a
-- removed character, recorded in eventlog.purges).
CREATE TABLE eventlog.archive_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action text NOT NULL CHECK (action IN ('archived', 'restored')),
    partition_name text NOT NULL,
    first_position bigint NOT NULL,       -- the partition's whole range, first to last position
    last_position bigint NOT NULL,
    events bigint NOT NULL,
    payloads bigint NOT NULL,             -- payloads written to the archive (or read back from it)
    payloads_removed bigint NOT NULL,     -- of those, the ones that left the database with it
    first_fetched_at timestamptz,
    last_fetched_at timestamptz,
    first_recorded_at timestamptz,
    last_recorded_at timestamptz,
    location text NOT NULL,               -- the folder written to, or read from
    manifest_sha256 text NOT NULL,        -- of the archive's manifest.json
    forced boolean NOT NULL DEFAULT false, -- archived although a read model or the audit index lagged
    happened_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    happened_by text NOT NULL DEFAULT current_user,
    CHECK (first_position <= last_position)
);
CREATE TRIGGER archive_history_immutable BEFORE UPDATE OR DELETE ON eventlog.archive_history
    FOR EACH ROW EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER archive_history_no_truncate BEFORE TRUNCATE ON eventlog.archive_history
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();

-- The partitions that are in an archive now, not in the database.
CREATE VIEW eventlog.archived AS
SELECT * FROM (
    SELECT DISTINCT ON (partition_name) * FROM eventlog.archive_history ORDER BY partition_name, id DESC
) latest
WHERE action = 'archived';

-- The immutability guard, now also letting through the deletion of payloads that leave with an
-- archived partition (under eventlog.archiving, set only by the archiving transaction).
CREATE OR REPLACE FUNCTION eventlog.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    purging text := current_setting('eventlog.purging', true);
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(purging, '') <> '' THEN
        IF TG_TABLE_NAME = 'payloads' THEN
            RETURN OLD;
        ELSIF TG_TABLE_NAME LIKE 'entries%' THEN
            IF OLD.stream_id = (SELECT id FROM eventlog.streams WHERE name = purging) THEN
                RETURN OLD;
            END IF;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'payloads'
       AND coalesce(current_setting('eventlog.archiving', true), '') <> '' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'payloads'
       AND coalesce(current_setting('eventlog.reencoding', true), '') = 'on' THEN
        IF NEW.hash = OLD.hash AND NEW.raw_size = OLD.raw_size AND NEW.created_at = OLD.created_at THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'the event log is append-only: % on %.% is not allowed', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'EL001',
              HINT = 'retention is done by archiving whole partitions (memberaudit log archive); see docs/event-log.md';
END
$$;

-- Partitions up to position `up_to`, of the layout's size, except those in an archive (an
-- archived partition comes back only through restore).
CREATE OR REPLACE FUNCTION eventlog.ensure_partitions(up_to bigint) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eventlog AS $$
DECLARE
    size constant bigint := (SELECT partition_size FROM eventlog.layout);
    created integer := 0;
    lower_bound bigint;
    name text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('eventlog.ensure_partitions'));
    FOR k IN 0 .. (greatest(up_to, 1) - 1) / size LOOP
        lower_bound := k * size + 1;
        name := format('entries_%s', lpad(k::text, 6, '0'));
        IF to_regclass(format('eventlog.%I', name)) IS NULL
           AND NOT EXISTS (SELECT FROM eventlog.archived a WHERE a.partition_name = name) THEN
            EXECUTE format('CREATE TABLE eventlog.%I PARTITION OF eventlog.entries FOR VALUES FROM (%s) TO (%s)',
                           name, lower_bound, lower_bound + size);
            EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON eventlog.%I '
                           'FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change()',
                           name || '_no_truncate', name);
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END
$$;

-- Chooses the partition size of an empty log: its (empty) partitions are made again.
CREATE FUNCTION eventlog.set_partition_size(size bigint) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, eventlog AS $$
DECLARE
    partition regclass;
BEGIN
    IF EXISTS (SELECT FROM eventlog.entries) OR (SELECT position FROM eventlog.head) > 0 THEN
        RAISE EXCEPTION 'the partition size can be chosen only while the log is empty';
    END IF;
    FOR partition IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'eventlog.entries'::regclass LOOP
        EXECUTE format('DROP TABLE %s', partition);
    END LOOP;
    UPDATE eventlog.layout SET partition_size = size;
    PERFORM eventlog.ensure_partitions(2 * size);
END
$$;
REVOKE ALL ON FUNCTION eventlog.set_partition_size(bigint) FROM PUBLIC;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT SELECT ON eventlog.layout, eventlog.archive_history, eventlog.archived TO memberaudit_app;
    END IF;
END
$$;
