-- version: 1
-- Every character with skills against every skill set (derived from skills and attributes; see
-- docs/skill-sets.md). One row per character; each column packs one value per set, in the order
-- of skill_set_ids, comma-separated: statuses one letter per set (f full, p partial, n none; upper
-- case when Omega is needed), whole training seconds to the required levels and to every level
-- (empty when the attributes are not known), and the failing skills of each set as a hex bitmask
-- over the set's skills ordered by id (bit i of decode(mask, 'hex'), as get_bit reads it). Packed
-- because it is written whole and often; the views skill_set_check_rows and skill_set_check_skills
-- unpack it.

CREATE TABLE skill_set_checks (
    character_id bigint PRIMARY KEY, skill_set_ids text, statuses text, required_seconds text, full_seconds text,
    failed_required text, failed_recommended text
);
