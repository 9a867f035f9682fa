-- version: 2
-- The character's own snapshot sections, one table each (the newest fetch of each section).
-- Created in the schema on the search path: readmodel, or readmodel_shadow during a rebuild.

CREATE TABLE character_details (
    character_id bigint PRIMARY KEY, name text, corporation_id bigint, alliance_id bigint, faction_id bigint,
    race_id bigint, bloodline_id bigint, gender text, birthday timestamptz, security_status double precision,
    title text, description text, ancestry_id bigint, fetched_at timestamptz
);
CREATE INDEX character_details_corporation ON character_details (corporation_id);
CREATE INDEX character_details_alliance ON character_details (alliance_id);

CREATE TABLE character_location (
    character_id bigint PRIMARY KEY, solar_system_id bigint, station_id bigint, structure_id bigint,
    fetched_at timestamptz
);

CREATE TABLE character_ship (
    character_id bigint PRIMARY KEY, ship_item_id bigint, ship_type_id bigint, ship_name text, fetched_at timestamptz
);

CREATE TABLE character_online (
    character_id bigint PRIMARY KEY, online boolean, last_login timestamptz, last_logout timestamptz, logins bigint,
    fetched_at timestamptz
);

CREATE TABLE character_wallet (character_id bigint PRIMARY KEY, balance double precision, fetched_at timestamptz);

CREATE TABLE character_attributes (
    character_id bigint PRIMARY KEY, charisma bigint, intelligence bigint, memory bigint, perception bigint,
    willpower bigint, bonus_remaps bigint, last_remap_date timestamptz, accrued_remap_cooldown_date timestamptz,
    fetched_at timestamptz
);

CREATE TABLE character_implants (character_id bigint, type_id bigint, PRIMARY KEY (character_id, type_id));

CREATE TABLE character_clone_info (
    character_id bigint PRIMARY KEY, home_location_id bigint, home_location_type text,
    last_clone_jump_date timestamptz, last_station_change_date timestamptz, fetched_at timestamptz
);

CREATE TABLE character_jump_clones (
    character_id bigint, jump_clone_id bigint, name text, location_id bigint, location_type text, implants bigint[],
    PRIMARY KEY (character_id, jump_clone_id)
);

CREATE TABLE character_corporation_history (
    character_id bigint, record_id bigint, corporation_id bigint, start_date timestamptz, is_deleted boolean,
    PRIMARY KEY (character_id, record_id)
);

CREATE TABLE character_loyalty (
    character_id bigint, corporation_id bigint, loyalty_points bigint, PRIMARY KEY (character_id, corporation_id)
);

CREATE TABLE character_titles (character_id bigint, title_id bigint, name text, PRIMARY KEY (character_id, title_id));

CREATE TABLE character_fw_stats (
    character_id bigint PRIMARY KEY, faction_id bigint, enlisted_on timestamptz, current_rank bigint,
    highest_rank bigint, kills_yesterday bigint, kills_last_week bigint, kills_total bigint,
    victory_points_yesterday bigint, victory_points_last_week bigint, victory_points_total bigint,
    fetched_at timestamptz
);

CREATE TABLE character_roles (character_id bigint, scope text, role text, PRIMARY KEY (character_id, scope, role));

CREATE TABLE character_planets (
    character_id bigint, planet_id bigint, solar_system_id bigint, planet_type text, upgrade_level bigint,
    num_pins bigint, last_update timestamptz, PRIMARY KEY (character_id, planet_id)
);
