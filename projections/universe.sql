-- version: 1
-- Public lookups from the public streams: entity names, stations, structures, market prices.

CREATE TABLE entity_names (id bigint PRIMARY KEY, name text, category text);

CREATE TABLE stations (station_id bigint PRIMARY KEY, name text, system_id bigint, type_id bigint, owner_id bigint);

CREATE TABLE structures (
    structure_id bigint PRIMARY KEY, name text, solar_system_id bigint, type_id bigint, owner_id bigint
);

CREATE TABLE market_prices (type_id bigint PRIMARY KEY, average_price double precision, adjusted_price double precision);
