-- A login is bound to the browser that started it (login CSRF): the SHA-256 of a random nonce
-- that only that browser holds, in a short-lived cookie, checked at the callback. Logins started
-- before this migration have none and are refused at their callback (they expire in minutes).
-- See docs/access.md.

ALTER TABLE access.sso_logins ADD COLUMN browser_hash bytea;
CREATE INDEX sso_logins_expiry ON access.sso_logins (expires_at);
