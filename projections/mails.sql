-- version: 1
-- Mail headers and bodies accumulate by mail id; labels (with unread counts) and mailing lists
-- are snapshots.

CREATE TABLE mail_headers (
    character_id bigint, mail_id bigint, from_id bigint, subject text, "timestamp" timestamptz, is_read boolean,
    label_ids bigint[], recipient_ids bigint[], recipient_types text[], PRIMARY KEY (character_id, mail_id)
);
CREATE INDEX mail_headers_from ON mail_headers (from_id);

CREATE TABLE mail_bodies (character_id bigint, mail_id bigint, body text, PRIMARY KEY (character_id, mail_id));

CREATE TABLE mail_labels (
    character_id bigint, label_id bigint, name text, color text, unread_count bigint, PRIMARY KEY (character_id, label_id)
);

CREATE TABLE mail_unread (character_id bigint PRIMARY KEY, total_unread_count bigint, fetched_at timestamptz);

CREATE TABLE mailing_lists (character_id bigint, mailing_list_id bigint, name text, PRIMARY KEY (character_id, mailing_list_id));
