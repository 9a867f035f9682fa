-- version: 1
-- Skills, skill point totals and the skill queue (snapshots).

CREATE TABLE skills (
    character_id bigint, skill_id bigint, active_skill_level bigint, trained_skill_level bigint,
    skillpoints_in_skill bigint, PRIMARY KEY (character_id, skill_id)
);

CREATE TABLE skill_totals (character_id bigint PRIMARY KEY, total_sp bigint, unallocated_sp bigint, fetched_at timestamptz);

CREATE TABLE skill_queue (
    character_id bigint, queue_position bigint, skill_id bigint, finished_level bigint, start_date timestamptz,
    finish_date timestamptz, level_start_sp bigint, level_end_sp bigint, training_start_sp bigint,
    PRIMARY KEY (character_id, queue_position)
);
