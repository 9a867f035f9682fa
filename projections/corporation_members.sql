-- version: 1
-- Corporation member lists fetched with a director's token (snapshots per fetching character and
-- corporation).

CREATE TABLE corporation_member_lists (
    character_id bigint, corporation_id bigint, member_count bigint, fetched_at timestamptz,
    PRIMARY KEY (character_id, corporation_id)
);

CREATE TABLE corporation_members (
    character_id bigint, corporation_id bigint, member_id bigint, PRIMARY KEY (character_id, corporation_id, member_id)
);
