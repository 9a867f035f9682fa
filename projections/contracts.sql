-- version: 1
-- Contracts accumulate by contract id; items and bids are snapshots per contract.

CREATE TABLE contracts (
    character_id bigint, contract_id bigint, type text, status text, title text, availability text,
    issuer_id bigint, issuer_corporation_id bigint, assignee_id bigint, acceptor_id bigint, for_corporation boolean,
    date_issued timestamptz, date_expired timestamptz, date_accepted timestamptz, date_completed timestamptz,
    days_to_complete bigint, start_location_id bigint, end_location_id bigint, price double precision,
    reward double precision, collateral double precision, buyout double precision, volume double precision,
    PRIMARY KEY (character_id, contract_id)
);

CREATE TABLE contract_items (
    character_id bigint, contract_id bigint, record_id bigint, type_id bigint, quantity bigint, raw_quantity bigint,
    is_included boolean, is_singleton boolean, PRIMARY KEY (character_id, contract_id, record_id)
);

CREATE TABLE contract_bids (
    character_id bigint, contract_id bigint, bid_id bigint, bidder_id bigint, amount double precision,
    date_bid timestamptz, PRIMARY KEY (character_id, contract_id, bid_id)
);
