-- version: 1
-- Every character with skills against every skill set (derived from skills and attributes; see
-- docs/skill-sets.md). One row per character, the sets as parallel arrays in set-id order: status
-- (full, partial, none), training seconds to the required levels and to every level (NULL when the
-- attributes are not known), whether Omega is needed, and the failing skills as hex bitmasks over
-- the set's skills ordered by id (bit i of decode(mask, 'hex'), as get_bit reads it). The views
-- skill_set_check_rows and skill_set_check_skills unnest and decode them.

CREATE TABLE skill_set_checks (
    character_id bigint PRIMARY KEY, skill_set_ids bigint[], statuses text[], required_seconds double precision[],
    full_seconds double precision[], needs_omega boolean[], failed_required text[], failed_recommended text[]
);
