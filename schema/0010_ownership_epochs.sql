-- Ownership epochs (docs/access.md): when a character's owner hash changes — it was sold to
-- another EVE account — a new epoch starts. What was fetched before belongs to the seller's
-- epochs: the read models start empty and fill from the new epoch's first sync (the epoch's
-- through_position keeps earlier events out of them, incrementally and in a rebuild, as for a
-- removed and re-registered character), and the new owner's audit trail begins at started_at.
-- Auditors with view_everything, and the command line, still see every epoch.
CREATE TABLE sync.ownership_epochs (
    character_id bigint NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    -- the log's head when the epoch began: events after it are the epoch's
    through_position bigint NOT NULL,
    owner_hash text,
    -- the user who owned the character until then (the seller), if any
    previous_user_id bigint REFERENCES sync.users (id) ON DELETE SET NULL,
    PRIMARY KEY (character_id, started_at)
);

-- A character's read-model rows still to be deleted by the projection runner (which alone writes
-- the read models) because an epoch began.
ALTER TABLE sync.removed_characters ADD COLUMN pending_reset boolean NOT NULL DEFAULT false;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON sync.ownership_epochs TO memberaudit_app;
    END IF;
END
$$;
