-- version: 1
-- Wallet transactions, accumulating by transaction id.

CREATE TABLE wallet_transactions (
    character_id bigint, transaction_id bigint, date timestamptz, type_id bigint, quantity bigint,
    unit_price double precision, client_id bigint, location_id bigint, is_buy boolean, is_personal boolean,
    journal_ref_id bigint, PRIMARY KEY (character_id, transaction_id)
);
CREATE INDEX wallet_transactions_date ON wallet_transactions (character_id, date);
