-- version: 1
-- Update status per (character, route), from the envelopes of every fetch.

CREATE TABLE sync_status (
    character_id bigint, route text, section text, is_dependent boolean, last_attempt_at timestamptz,
    last_outcome text, last_http_status bigint, last_error text, last_success_at timestamptz,
    last_changed_at timestamptz, last_payload_hash text, attempts bigint, failures bigint,
    PRIMARY KEY (character_id, route)
);
