-- Public data fetched on a schedule rather than because a character refers to it: market prices
-- (for asset values), once a day. A worker claims a row by moving its due time, so one fetches it.

CREATE TABLE sync.public_fetches (
    name text PRIMARY KEY,
    due_at timestamptz NOT NULL DEFAULT now(),
    etag text,                 -- of the last answer, sent as If-None-Match
    payload_hash text          -- the payload that ETag belongs to (hex)
);
INSERT INTO sync.public_fetches (name) VALUES ('market_prices');

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON sync.public_fetches TO memberaudit_app;
    END IF;
END
$$;
