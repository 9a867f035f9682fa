-- The whole static data (docs/universe.md): every column the product reads of CCP's SDE, plus the
-- data version loaded. The shipped archive is loaded once per version; `universe import-sde`
-- loads a newer CCP build in its place (source 'import'), and an older shipped build never
-- replaces a newer one.
ALTER TABLE sde.meta
    ADD COLUMN build bigint,
    ADD COLUMN released_at timestamptz,
    ADD COLUMN source text NOT NULL DEFAULT 'shipped' CHECK (source IN ('shipped', 'import')),
    ADD COLUMN counts jsonb NOT NULL DEFAULT '{}';

ALTER TABLE sde.categories ADD COLUMN published boolean NOT NULL DEFAULT true;
ALTER TABLE sde.groups ADD COLUMN published boolean NOT NULL DEFAULT true;
ALTER TABLE sde.types
    ADD COLUMN published boolean NOT NULL DEFAULT true,
    ADD COLUMN meta_group text,
    ADD COLUMN market_group_id bigint,
    ADD COLUMN race_id bigint,
    ADD COLUMN faction_id bigint,
    ADD COLUMN implant_slot integer,
    ADD COLUMN attribute_bonus jsonb,          -- {"perception": 3, ...}
    ADD COLUMN required_skills jsonb,          -- [{"skill_id": 3300, "level": 1}, ...]
    ADD COLUMN kind text;                      -- the curated kind (ship, module, ...) where known
ALTER TABLE sde.skills
    ADD COLUMN published boolean NOT NULL DEFAULT true,
    ADD COLUMN required_skills jsonb;
ALTER TABLE sde.systems ADD COLUMN security_class text;
ALTER TABLE sde.npc_corporations ADD COLUMN home_system_id bigint;

CREATE TABLE sde.factions (
    id bigint PRIMARY KEY, name text NOT NULL, race_id bigint, home_system_id bigint, corporation_id bigint,
    militia_corporation_id bigint
);
CREATE TABLE sde.races (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE sde.bloodlines (
    id bigint PRIMARY KEY, name text NOT NULL, race_id bigint, corporation_id bigint,
    perception integer, willpower integer, charisma integer, memory integer, intelligence integer
);
CREATE TABLE sde.ancestries (
    id bigint PRIMARY KEY, name text NOT NULL, bloodline_id bigint,
    perception integer, willpower integer, charisma integer, memory integer, intelligence integer
);
CREATE INDEX types_lower_name ON sde.types (lower(name));

-- Ids the static data does not know, asked of ESI once (docs/universe.md): claimed by a worker
-- (state 'pending'), then 'resolved' or 'missing' (a 404, asked again after a day) or 'failed'
-- (asked again within the hour).
CREATE TABLE sync.universe_ids (
    kind text NOT NULL,
    id bigint NOT NULL,
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'resolved', 'missing', 'failed')),
    checked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, id)
);

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'memberaudit_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA sde TO memberaudit_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON sync.universe_ids TO memberaudit_app;
    END IF;
END
$$;
