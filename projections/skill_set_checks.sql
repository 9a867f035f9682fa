-- version: 1
-- Every character with skills against every skill set (derived from skills and attributes; see
-- docs/skill-sets.md). One row per character, the sets in id order: statuses one letter per set
-- (f full, p partial, n none; upper case when Omega is needed), training seconds to the required
-- levels and to every level (NULL when the attributes are not known), and the failing skills of
-- each set as a hex bitmask over the set's skills ordered by id (bit i of decode(mask, 'hex'), as
-- get_bit reads it), comma-separated. The views skill_set_check_rows and skill_set_check_skills
-- unnest and decode them.

CREATE TABLE skill_set_checks (
    character_id bigint PRIMARY KEY, skill_set_ids bigint[], statuses text, required_seconds double precision[],
    full_seconds double precision[], failed_required text, failed_recommended text
);
-- Written and read whole: no compression to spend CPU on.
ALTER TABLE skill_set_checks ALTER required_seconds SET STORAGE EXTERNAL, ALTER full_seconds SET STORAGE EXTERNAL;
