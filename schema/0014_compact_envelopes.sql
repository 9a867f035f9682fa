-- Compact envelopes (docs/event-log.md, "On disk"). A 304 is the most common event, so an event's
-- row is made as small as PostgreSQL allows: the stream and the (section, route) become small
-- integer ids into lookup tables, the outcome a code, the parameters are stored only when they are
-- not the stream's own (a character stream's {"character_id": ...}), and the append key, which
-- eventlog.appends already maps to its positions, is not repeated per event. Readers keep reading
-- eventlog.events, now a view with the same columns; the rows are in eventlog.entries.

-- Streams: 'character:<id>' or 'public:<name>'.
CREATE TABLE eventlog.streams (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    character_id bigint GENERATED ALWAYS AS (
        CASE WHEN name ~ '^character:[0-9]{1,18}$' THEN substr(name, 11)::bigint END) STORED
);

-- Routes: a section and the route template it fetched (most sections have one).
CREATE TABLE eventlog.routes (
    id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    section text NOT NULL,
    route text NOT NULL,
    UNIQUE (section, route)
);

-- Columns ordered for alignment: 8-byte ones first, then 4, then 2, then variable length.
CREATE TABLE eventlog.entries (
    position bigint NOT NULL,
    fetched_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_modified timestamptz,
    expires timestamptz,
    stream_id integer NOT NULL,
    payload_size integer,
    pages integer,
    compatibility_date date,
    route_id smallint NOT NULL,
    outcome smallint NOT NULL CHECK (outcome IN (0, 1, 2)),  -- fetched, not_modified, failed
    http_status smallint,
    payload_hash bytea,
    etag text,
    error text,
    parameters jsonb,                                         -- NULL: the stream's own
    PRIMARY KEY (position),
    CHECK (outcome = 2 OR payload_hash IS NOT NULL)
) PARTITION BY RANGE (position);

-- The old rows move over; the old table goes (its data is all in the new one, in this transaction).
ALTER TABLE eventlog.events RENAME TO events_v1;
INSERT INTO eventlog.streams (name) SELECT DISTINCT stream FROM eventlog.events_v1 ORDER BY 1;
INSERT INTO eventlog.routes (section, route) SELECT DISTINCT section, route FROM eventlog.events_v1 ORDER BY 1, 2;

CREATE OR REPLACE FUNCTION eventlog.ensure_partitions(up_to bigint) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eventlog AS $$
DECLARE
    size constant bigint := 10000000;
    created integer := 0;
    lower_bound bigint;
    name text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('eventlog.ensure_partitions'));
    FOR k IN 0 .. (greatest(up_to, 1) - 1) / size LOOP
        lower_bound := k * size + 1;
        name := format('entries_%s', lpad(k::text, 6, '0'));
        IF to_regclass(format('eventlog.%I', name)) IS NULL THEN
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
SELECT eventlog.ensure_partitions(greatest((SELECT position FROM eventlog.head) + 10000000, 20000000));

INSERT INTO eventlog.entries (position, fetched_at, recorded_at, last_modified, expires, stream_id, payload_size,
                              pages, compatibility_date, route_id, outcome, http_status, payload_hash, etag, error,
                              parameters)
SELECT e.position, e.fetched_at, e.recorded_at, e.last_modified, e.expires, s.id, e.payload_size, e.pages,
       e.compatibility_date, r.id, CASE e.outcome WHEN 'fetched' THEN 0 WHEN 'not_modified' THEN 1 ELSE 2 END,
       e.http_status, e.payload_hash, e.etag, e.error,
       CASE WHEN e.parameters = CASE WHEN s.character_id IS NULL THEN '{}'::jsonb
                                     ELSE jsonb_build_object('character_id', s.character_id::text) END
            THEN NULL ELSE e.parameters END
FROM eventlog.events_v1 e
JOIN eventlog.streams s ON s.name = e.stream
JOIN eventlog.routes r ON r.section = e.section AND r.route = e.route
ORDER BY e.position;
DROP TABLE eventlog.events_v1;

-- The log as readers know it.
CREATE VIEW eventlog.events AS
SELECT e.position, s.name AS stream, r.section, r.route,
       coalesce(e.parameters, CASE WHEN s.character_id IS NULL THEN '{}'::jsonb
                                   ELSE jsonb_build_object('character_id', s.character_id::text) END) AS parameters,
       CASE e.outcome WHEN 0 THEN 'fetched' WHEN 1 THEN 'not_modified' ELSE 'failed' END AS outcome,
       e.http_status, e.error, e.etag, e.last_modified, e.expires, e.pages, e.fetched_at, e.recorded_at,
       e.payload_hash, e.payload_size, e.compatibility_date, e.stream_id, e.route_id
FROM eventlog.entries e
JOIN eventlog.streams s ON s.id = e.stream_id
JOIN eventlog.routes r ON r.id = e.route_id;

-- Indexes, each for the queries that need it: a stream's section by time (as-of, series: an
-- index-only probe), which also serves a stream's section in log order (sorted after) and "the
-- newest payload of a route" (the base of a new delta payload); BRIN for time ranges.
CREATE INDEX entries_stream_route_fetched_at ON eventlog.entries (stream_id, route_id, fetched_at)
    INCLUDE (outcome, payload_hash);
CREATE INDEX entries_recorded_at ON eventlog.entries USING brin (recorded_at);
CREATE INDEX entries_fetched_at ON eventlog.entries USING brin (fetched_at);
-- An event's append: the one whose range starts at or before its position.
CREATE INDEX appends_first_position ON eventlog.appends (first_position);

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
    -- Nested: NEW.hash exists only for payloads, and PL/pgSQL does not promise to stop at a false AND.
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'payloads'
       AND coalesce(current_setting('eventlog.reencoding', true), '') = 'on' THEN
        IF NEW.hash = OLD.hash AND NEW.raw_size = OLD.raw_size AND NEW.created_at = OLD.created_at THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'the event log is append-only: % on %.% is not allowed', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'EL001',
              HINT = 'retention is done by dropping whole partitions; see docs/event-log.md';
END
$$;

CREATE TRIGGER entries_immutable BEFORE UPDATE OR DELETE ON eventlog.entries
    FOR EACH ROW EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON eventlog.entries
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER streams_immutable BEFORE UPDATE OR DELETE ON eventlog.streams
    FOR EACH ROW EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER streams_no_truncate BEFORE TRUNCATE ON eventlog.streams
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER routes_immutable BEFORE UPDATE OR DELETE ON eventlog.routes
    FOR EACH ROW EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER routes_no_truncate BEFORE TRUNCATE ON eventlog.routes
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();

CREATE OR REPLACE FUNCTION eventlog.purge_stream(target text) RETURNS TABLE (events bigint, payloads bigint)
    LANGUAGE plpgsql SET search_path = pg_catalog, eventlog AS $$
DECLARE
    hashes bytea[];
    target_id integer := (SELECT id FROM eventlog.streams WHERE name = target);
BEGIN
    PERFORM set_config('eventlog.purging', target, true);
    WITH gone AS (DELETE FROM eventlog.entries e WHERE e.stream_id = target_id RETURNING e.payload_hash)
    SELECT count(*), array_agg(DISTINCT payload_hash) FILTER (WHERE payload_hash IS NOT NULL)
    INTO events, hashes FROM gone;
    -- Payloads are shared by content: delete only those no remaining event refers to.
    WITH gone AS (
        DELETE FROM eventlog.payloads p
        WHERE p.hash = ANY(coalesce(hashes, '{}'))
          AND p.hash NOT IN (  -- one scan of the log, not one per payload
              SELECT e.payload_hash FROM eventlog.entries e
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

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT SELECT ON eventlog.events TO memberaudit_app;
        GRANT SELECT, INSERT ON eventlog.entries, eventlog.streams, eventlog.routes TO memberaudit_app;
    END IF;
END
$$;
