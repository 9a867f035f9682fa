-- version: 1
-- Every character with skills against every skill set (derived from skills and attributes; see
-- docs/skill-sets.md). Skill ids, not names; the missing skills as parallel arrays of id and level.

CREATE TABLE skill_set_checks (
    character_id bigint, skill_set_id bigint, status text, can_fly boolean, failed_required bigint[],
    failed_recommended bigint[], missing_skill_ids bigint[], missing_levels bigint[], required_seconds double precision,
    full_seconds double precision, needs_omega boolean, PRIMARY KEY (character_id, skill_set_id)
);
CREATE INDEX skill_set_checks_set ON skill_set_checks (skill_set_id, can_fly, required_seconds);
