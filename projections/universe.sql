-- version: 2
-- Public lookups from the public streams: entity names, stations, structures, market prices, and
-- the static data ESI answered for ids the loaded SDE lacks (types of a later patch, planets, ...).

CREATE TABLE entity_names (id bigint PRIMARY KEY, name text, category text);

CREATE TABLE stations (station_id bigint PRIMARY KEY, name text, system_id bigint, type_id bigint, owner_id bigint);

CREATE TABLE structures (
    structure_id bigint PRIMARY KEY, name text, solar_system_id bigint, type_id bigint, owner_id bigint
);

CREATE TABLE market_prices (type_id bigint PRIMARY KEY, average_price double precision, adjusted_price double precision);

CREATE TABLE esi_types (
    type_id bigint PRIMARY KEY, name text, group_id bigint, published boolean, volume double precision,
    rank double precision, primary_attribute text, secondary_attribute text, required_skill_ids bigint[],
    required_skill_levels bigint[]
);

CREATE TABLE esi_groups (group_id bigint PRIMARY KEY, name text, category_id bigint, published boolean);

CREATE TABLE esi_categories (category_id bigint PRIMARY KEY, name text, published boolean);

CREATE TABLE esi_systems (
    system_id bigint PRIMARY KEY, name text, constellation_id bigint, security_status double precision
);

CREATE TABLE esi_constellations (constellation_id bigint PRIMARY KEY, name text, region_id bigint);

CREATE TABLE esi_regions (region_id bigint PRIMARY KEY, name text);

CREATE TABLE esi_planets (planet_id bigint PRIMARY KEY, name text, system_id bigint, type_id bigint);
