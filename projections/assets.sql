-- version: 1
-- Assets as a tree (snapshot of the newest asset list): parent_item_id is the containing item
-- (ship, container), root_location_id the station, structure or system at the top of the chain.
-- Names of named items accumulate by item id.

CREATE TABLE assets (
    character_id bigint, item_id bigint, type_id bigint, quantity bigint, location_id bigint, location_type text,
    location_flag text, is_singleton boolean, is_blueprint_copy boolean, parent_item_id bigint,
    root_location_id bigint, depth bigint, PRIMARY KEY (character_id, item_id)
);
CREATE INDEX assets_type ON assets (type_id);
CREATE INDEX assets_root_location ON assets (root_location_id);

CREATE TABLE asset_names (character_id bigint, item_id bigint, name text, PRIMARY KEY (character_id, item_id));
