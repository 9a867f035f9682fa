-- version: 1
-- The wallet journal, accumulating by entry id.

CREATE TABLE wallet_journal (
    character_id bigint, id bigint, date timestamptz, ref_type text, amount double precision,
    balance double precision, description text, reason text, first_party_id bigint, second_party_id bigint,
    context_id bigint, context_id_type text, tax double precision, tax_receiver_id bigint,
    PRIMARY KEY (character_id, id)
);
CREATE INDEX wallet_journal_date ON wallet_journal (character_id, date);
