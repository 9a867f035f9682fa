-- Delta payloads (docs/event-log.md): a payload may be stored as LZ4 against an earlier payload,
-- its base, as the dictionary (codec 2). `chain` counts the deltas between a payload and the
-- keyframe it finally rests on (0: a keyframe, codec 0 or 1), so reading any payload decodes at
-- most that many deltas. Content addressing is unchanged: `hash` is the SHA-256 of the raw bytes.
ALTER TABLE eventlog.payloads
    ADD COLUMN base_hash bytea CHECK (octet_length(base_hash) = 32),
    ADD COLUMN chain smallint NOT NULL DEFAULT 0 CHECK (chain >= 0);
ALTER TABLE eventlog.payloads DROP CONSTRAINT payloads_codec_check;
ALTER TABLE eventlog.payloads ADD CONSTRAINT payloads_codec_check CHECK (codec IN (0, 1, 2));
ALTER TABLE eventlog.payloads ADD CONSTRAINT payloads_delta_has_base
    CHECK ((codec = 2) = (base_hash IS NOT NULL) AND (codec = 2) = (chain > 0) AND base_hash IS DISTINCT FROM hash);
-- Which payloads rest on a given one: a purge keeps no payload another still needs.
CREATE INDEX payloads_base ON eventlog.payloads (base_hash) WHERE base_hash IS NOT NULL;

-- Re-encoding (`memberaudit log reencode`) stores a payload again in another form: the same
-- bytes, so the same hash and size, and nothing else changes. The immutability trigger lets such
-- an UPDATE through only when this transaction says eventlog.reencoding is on, and only if the
-- hash, the raw size and the creation time stay.
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

-- Where a re-encoding run got to (the version keys are taken in order), and every run's totals.
CREATE TABLE eventlog.reencodings (
    id bigserial PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    maximum_chain smallint NOT NULL,
    last_stream text, last_section text, last_route text,
    payloads bigint NOT NULL DEFAULT 0,
    bytes_before bigint NOT NULL DEFAULT 0,
    bytes_after bigint NOT NULL DEFAULT 0
);
