-- The audit trail's index of the event log: where each character's sections changed, the gaps in
-- their coverage, and per-payload summaries for questions asked across characters. Everything here
-- is derived from the log and can be rebuilt from it (`memberaudit audit reindex`); the audit
-- commands bring it up to date before they answer. See docs/audit-trail.md.

CREATE SCHEMA audit;

-- "When was this section last fetched before T" is one probe of this index, and a series at the
-- resolution of the fetches one range of it, without reading the events' rows (an append-only
-- table's pages become all-visible after autovacuum, so the scans are index-only).
CREATE INDEX events_stream_section_fetched_at ON eventlog.events (stream, section, fetched_at)
    INCLUDE (outcome, payload_hash);

-- The last log position indexed. Indexers hold this row's lock while they index a chunk, so two
-- never index the same events.
CREATE TABLE audit.indexed (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position bigint NOT NULL CHECK (position >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO audit.indexed (singleton, position) VALUES (true, 0);

-- The newest payload of each scope (a section of a character, or one contract's items, one
-- mail's body), and when it was last fetched or confirmed by a 304.
CREATE TABLE audit.heads (
    character_id bigint NOT NULL,
    section text NOT NULL,
    scope text NOT NULL,                 -- '' or the value of the section's parameter
    payload_hash bytea NOT NULL,
    last_fetched_at timestamptz NOT NULL,
    PRIMARY KEY (character_id, section, scope)
);
CREATE INDEX heads_section ON audit.heads (section, character_id);

-- Change points: a fetch whose payload differs from the scope's previous one (the first fetch of a
-- scope is one too, with no previous hash). The summary is one line in domain terms.
CREATE TABLE audit.changes (
    character_id bigint NOT NULL,
    section text NOT NULL,
    scope text NOT NULL,
    position bigint NOT NULL,
    fetched_at timestamptz NOT NULL,
    payload_hash bytea NOT NULL,
    previous_hash bytea,
    summary text NOT NULL,
    PRIMARY KEY (character_id, section, scope, position)
);
CREATE INDEX changes_section_time ON audit.changes (character_id, section, fetched_at);
CREATE INDEX changes_time ON audit.changes (character_id, fetched_at);
-- find: each character's newest change of a section at a moment.
CREATE INDEX changes_by_section ON audit.changes (section, character_id, fetched_at);

-- Rows of accumulating sections (journal, transactions, mails, contracts, ...) that left ESI's
-- window: in a scope's previous payload, not in the next one, as they were last seen. With the
-- scope's newest payload at a moment they give everything known then, without replaying history.
CREATE TABLE audit.departed (
    character_id bigint NOT NULL,
    section text NOT NULL,
    scope text NOT NULL,
    table_name text NOT NULL,
    row_key text NOT NULL,
    position bigint NOT NULL,            -- the change that no longer held the row
    departed_at timestamptz NOT NULL,
    cells bytea NOT NULL,                -- the row, in CellCoding's binary form
    PRIMARY KEY (character_id, section, scope, position, table_name, row_key)
);
CREATE INDEX departed_time ON audit.departed (character_id, section, departed_at);

-- Gaps in coverage: failed fetches, and silences (a section not fetched for much longer than its
-- sync period, e.g. while the token was invalid).
CREATE TABLE audit.gaps (
    character_id bigint NOT NULL,
    section text NOT NULL,
    position bigint NOT NULL,            -- the failed event, or the fetch that ended the silence
    kind text NOT NULL CHECK (kind IN ('failed', 'silence')),
    started_at timestamptz NOT NULL,
    ended_at timestamptz NOT NULL,
    http_status integer,
    error text,
    PRIMARY KEY (character_id, section, position, kind)
);
CREATE INDEX gaps_time ON audit.gaps (character_id, started_at);

-- What an asset list holds, per type and top-level place (payloads are shared by content, so a
-- list fetched a hundred times is summarised once).
CREATE TABLE audit.asset_types (
    payload_hash bytea NOT NULL,
    type_id bigint NOT NULL,
    location_id bigint NOT NULL,         -- the station, structure or system at the top of the chain; 0 unknown
    quantity bigint NOT NULL,
    items integer NOT NULL,
    PRIMARY KEY (payload_hash, type_id, location_id)
);
CREATE INDEX asset_types_type ON audit.asset_types (type_id, payload_hash);

-- Where a location payload puts its character.
CREATE TABLE audit.locations (
    payload_hash bytea PRIMARY KEY,
    solar_system_id bigint,
    station_id bigint,
    structure_id bigint
);

-- Everyone a character traded, mailed or contracted with, and when (from the journal,
-- transactions, mail headers and contracts as they arrived).
CREATE TABLE audit.counterparties (
    character_id bigint NOT NULL,
    counterparty_id bigint NOT NULL,
    kind text NOT NULL,                  -- journal, transaction, mail_from, mail_to, contract
    reference text NOT NULL,             -- the journal entry, transaction, mail or contract id
    happened_at timestamptz,
    first_seen_at timestamptz NOT NULL,
    PRIMARY KEY (counterparty_id, character_id, kind, reference)
);
CREATE INDEX counterparties_character ON audit.counterparties (character_id);

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT USAGE ON SCHEMA audit TO memberaudit_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA audit TO memberaudit_app;
    END IF;
END
$$;
