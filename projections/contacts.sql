-- version: 1
-- Contacts with their labels, and standings (snapshots).

CREATE TABLE contacts (
    character_id bigint, contact_id bigint, contact_type text, standing double precision, is_blocked boolean,
    is_watched boolean, label_ids bigint[], PRIMARY KEY (character_id, contact_id)
);
CREATE INDEX contacts_contact ON contacts (contact_id);

CREATE TABLE contact_labels (character_id bigint, label_id bigint, label_name text, PRIMARY KEY (character_id, label_id));

CREATE TABLE standings (
    character_id bigint, from_id bigint, from_type text, standing double precision, PRIMARY KEY (character_id, from_id)
);
