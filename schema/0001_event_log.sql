-- The append-only event log: one event per ESI fetch, payloads stored once by content hash.
-- See docs/event-log.md for the design and the reasons behind it.

CREATE SCHEMA eventlog;

-- Payloads: the raw bytes of a response (or of an error body), addressed by their SHA-256 and
-- stored once, LZ4-compressed unless compression does not help.
CREATE TABLE eventlog.payloads (
    hash bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
    codec smallint NOT NULL CHECK (codec IN (0, 1)),  -- 0: raw bytes, 1: one LZ4 frame
    raw_size integer NOT NULL CHECK (raw_size >= 0),
    stored_size integer NOT NULL CHECK (stored_size >= 0),
    body bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Already compressed: PostgreSQL must not try again (TOAST compression would only cost CPU).
ALTER TABLE eventlog.payloads ALTER COLUMN body SET STORAGE EXTERNAL;

-- The log's head: the last position handed out. Appenders take this row's lock to number their
-- events and hold it until they commit, so positions become visible in order and a reader that
-- checkpoints "last position seen" can never skip an event that commits late.
CREATE TABLE eventlog.head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position bigint NOT NULL CHECK (position >= 0)
);
INSERT INTO eventlog.head (singleton, position) VALUES (true, 0);

-- Events, partitioned by ranges of position (position grows with time; see docs/event-log.md).
CREATE TABLE eventlog.events (
    position bigint NOT NULL,
    stream text NOT NULL,                -- 'character:<id>' or 'public:<name>'
    section text NOT NULL,               -- e.g. 'assets', 'wallet_journal', 'universe_names'
    route text NOT NULL,                 -- the route template, e.g. '/characters/{character_id}/assets'
    parameters jsonb NOT NULL DEFAULT '{}',
    outcome text NOT NULL CHECK (outcome IN ('fetched', 'not_modified', 'failed')),
    http_status smallint,                -- NULL when no HTTP answer came (timeout, connection refused)
    error text,                          -- why a failure failed, in words
    etag text,
    last_modified timestamptz,
    expires timestamptz,
    pages integer,
    fetched_at timestamptz NOT NULL,     -- when the request was made
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    payload_hash bytea,                  -- a payloads.hash; checked by the appender (see docs/event-log.md)
    payload_size integer,                -- raw size of the payload, kept here for cheap statistics
    compatibility_date date,             -- the ESI compatibility date the request asked for
    append_key uuid NOT NULL,
    PRIMARY KEY (position),
    CHECK (outcome <> 'fetched' OR payload_hash IS NOT NULL),
    CHECK (outcome <> 'not_modified' OR payload_hash IS NOT NULL)
) PARTITION BY RANGE (position);

CREATE INDEX events_stream_section_position ON eventlog.events (stream, section, position);
CREATE INDEX events_recorded_at ON eventlog.events USING brin (recorded_at);
CREATE INDEX events_fetched_at ON eventlog.events USING brin (fetched_at);

-- Idempotency: one row per append. A retried append with the same key returns the first one's
-- positions instead of writing the events again.
CREATE TABLE eventlog.appends (
    key uuid PRIMARY KEY,
    first_position bigint NOT NULL,
    event_count integer NOT NULL CHECK (event_count > 0),
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Immutability, enforced for every role including the owner: UPDATE, DELETE and TRUNCATE fail.
CREATE FUNCTION eventlog.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on %.% is not allowed', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'EL001',
              HINT = 'retention is done by dropping whole partitions; see docs/event-log.md';
END
$$;

CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON eventlog.events
    FOR EACH ROW EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON eventlog.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER payloads_immutable BEFORE UPDATE OR DELETE ON eventlog.payloads
    FOR EACH ROW EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER payloads_no_truncate BEFORE TRUNCATE ON eventlog.payloads
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER appends_immutable BEFORE UPDATE OR DELETE ON eventlog.appends
    FOR EACH ROW EXECUTE FUNCTION eventlog.reject_change();
CREATE TRIGGER appends_no_truncate BEFORE TRUNCATE ON eventlog.appends
    FOR EACH STATEMENT EXECUTE FUNCTION eventlog.reject_change();

-- Partitions hold 10,000,000 positions each. Row triggers are cloned into partitions by
-- PostgreSQL; TRUNCATE triggers are not, so each partition gets its own.
CREATE FUNCTION eventlog.ensure_partitions(up_to bigint) RETURNS integer
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
        name := format('events_%s', lpad(k::text, 6, '0'));
        IF to_regclass(format('eventlog.%I', name)) IS NULL THEN
            EXECUTE format('CREATE TABLE eventlog.%I PARTITION OF eventlog.events FOR VALUES FROM (%s) TO (%s)',
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

SELECT eventlog.ensure_partitions(20000000);

-- The application role may append and read, nothing else. Deployments grant it to the login role
-- the workers use (GRANT memberaudit_app TO ...). Created only where the migrator may create roles.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'memberaudit_app')
       AND (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
        BEGIN
            CREATE ROLE memberaudit_app NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- roles are shared by all databases: another one's migration created it meanwhile
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT USAGE ON SCHEMA eventlog TO memberaudit_app;
        GRANT SELECT, INSERT ON eventlog.events, eventlog.payloads, eventlog.appends TO memberaudit_app;
        GRANT SELECT, UPDATE ON eventlog.head TO memberaudit_app;
        GRANT EXECUTE ON FUNCTION eventlog.ensure_partitions(bigint) TO memberaudit_app;
    END IF;
END
$$;
