-- version: 1
-- The mining ledger, accumulating by (day, system, ore): ESI gives each day's running total.

CREATE TABLE mining_ledger (
    character_id bigint, date date, solar_system_id bigint, type_id bigint, quantity bigint,
    PRIMARY KEY (character_id, date, solar_system_id, type_id)
);
