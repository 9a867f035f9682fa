-- Views over the read models: ids resolved to names and places from the static data (schema sde)
-- and the public lookups. Names are resolved here, at query time, not stored in the tables: a
-- name that arrives after a character's data then shows at once, and a rebuild equals the
-- incremental tables whatever order names arrived in. An id found nowhere stays visible as the id.
-- Dropped and created again in schema readmodel whenever a read model is installed or swapped.

-- Static data: the loaded SDE (schema sde) and, for ids it lacks, what ESI answered (the esi_*
-- tables of the universe read model). Same columns as the sde tables, so queries name either.
CREATE VIEW universe_categories AS
SELECT id, name FROM sde.categories
UNION ALL
SELECT c.category_id, c.name FROM esi_categories c WHERE NOT EXISTS (SELECT FROM sde.categories x WHERE x.id = c.category_id);

CREATE VIEW universe_groups AS
SELECT id, name, category_id FROM sde.groups
UNION ALL
SELECT g.group_id, g.name, g.category_id FROM esi_groups g WHERE NOT EXISTS (SELECT FROM sde.groups x WHERE x.id = g.group_id);

CREATE VIEW universe_types AS
SELECT id, name, group_id, group_name, category_id, category_name, volume FROM sde.types
UNION ALL
SELECT t.type_id, t.name, t.group_id, g.name, g.category_id, c.name, t.volume
FROM esi_types t
LEFT JOIN universe_groups g ON g.id = t.group_id
LEFT JOIN universe_categories c ON c.id = g.category_id
WHERE NOT EXISTS (SELECT FROM sde.types x WHERE x.id = t.type_id);

-- Skills: the SDE's, and new skills ESI answered (category 16), with what training them needs.
CREATE VIEW universe_skills AS
SELECT id, name, group_id, group_name, rank, primary_attribute, secondary_attribute FROM sde.skills
UNION ALL
SELECT t.type_id, t.name, t.group_id, g.name, t.rank, t.primary_attribute, t.secondary_attribute
FROM esi_types t JOIN universe_groups g ON g.id = t.group_id AND g.category_id = 16
WHERE NOT EXISTS (SELECT FROM sde.skills x WHERE x.id = t.type_id);

CREATE VIEW universe_regions AS
SELECT id, name FROM sde.regions
UNION ALL
SELECT r.region_id, r.name FROM esi_regions r WHERE NOT EXISTS (SELECT FROM sde.regions x WHERE x.id = r.region_id);

CREATE VIEW universe_constellations AS
SELECT id, name, region_id FROM sde.constellations
UNION ALL
SELECT c.constellation_id, c.name, c.region_id FROM esi_constellations c
WHERE NOT EXISTS (SELECT FROM sde.constellations x WHERE x.id = c.constellation_id);

CREATE VIEW universe_systems AS
SELECT id, name, constellation_id, region_id, security_status FROM sde.systems
UNION ALL
SELECT s.system_id, s.name, s.constellation_id, c.region_id, s.security_status
FROM esi_systems s LEFT JOIN universe_constellations c ON c.id = s.constellation_id
WHERE NOT EXISTS (SELECT FROM sde.systems x WHERE x.id = s.system_id);

-- Every place an item or character can be: NPC stations (static data, then ESI), structures,
-- solar systems.
CREATE VIEW locations AS
SELECT s.id AS location_id, s.name, s.system_id AS solar_system_id, 'station' AS kind FROM sde.stations s
UNION ALL
SELECT st.station_id, st.name, st.system_id, 'station' FROM stations st
WHERE NOT EXISTS (SELECT FROM sde.stations x WHERE x.id = st.station_id)
UNION ALL
SELECT structure_id, name, solar_system_id, 'structure' FROM structures
UNION ALL
SELECT id, name, id, 'solar_system' FROM universe_systems;

-- Names of characters, corporations, alliances and the like.
CREATE VIEW names AS
SELECT id, name, category FROM entity_names
UNION ALL
SELECT d.character_id, d.name, 'character' FROM character_details d
WHERE d.name IS NOT NULL AND NOT EXISTS (SELECT FROM entity_names e WHERE e.id = d.character_id)
UNION ALL
SELECT c.id, c.name, 'corporation' FROM sde.npc_corporations c
WHERE NOT EXISTS (SELECT FROM entity_names e WHERE e.id = c.id)
UNION ALL
SELECT f.id, f.name, 'faction' FROM sde.factions f
WHERE NOT EXISTS (SELECT FROM entity_names e WHERE e.id = f.id);

-- Update status per section: the section's own routes (dependent fetches are listed per route
-- in sync_status). It succeeded when all its routes did; it changed when any did.
CREATE VIEW sync_sections AS
SELECT character_id, section, max(last_attempt_at) AS last_attempt_at,
       CASE WHEN bool_and(last_success_at IS NOT NULL) THEN min(last_success_at) END AS last_success_at,
       max(last_changed_at) AS last_changed_at, bool_or(last_outcome = 'failed') AS failing,
       string_agg(route || ': ' || last_error, '; ' ORDER BY route) FILTER (WHERE last_outcome = 'failed') AS error,
       sum(attempts) AS attempts, sum(failures) AS failures
FROM sync_status WHERE NOT is_dependent
GROUP BY character_id, section;

CREATE VIEW character_overview AS
SELECT u.character_id, coalesce(d.name, u.character_id::text) AS name,
       d.corporation_id, coalesce(corporation.name, d.corporation_id::text) AS corporation_name,
       d.alliance_id, coalesce(alliance.name, d.alliance_id::text) AS alliance_name,
       l.solar_system_id, system.name AS solar_system_name, region.name AS region_name, system.security_status,
       coalesce(l.structure_id, l.station_id) AS location_id,
       coalesce(place.name, coalesce(l.structure_id, l.station_id)::text, system.name) AS location_name,
       s.ship_type_id, ship_type.name AS ship_type_name, s.ship_name,
       w.balance AS wallet_balance, t.total_sp, t.unallocated_sp, o.online, o.last_login,
       u.last_success_at AS last_update, u.failing_sections
FROM (SELECT character_id, min(last_success_at) AS last_success_at,
             count(*) FILTER (WHERE failing) AS failing_sections
      FROM sync_sections GROUP BY character_id) u
LEFT JOIN character_details d ON d.character_id = u.character_id
-- Lookups by id through the union views, one row each (LATERAL ... LIMIT 1): joined plainly, the
-- planner may resolve every place of New Eden (or name every registered character) before it
-- meets the few it needs.
LEFT JOIN LATERAL (SELECT x.name FROM names x WHERE x.id = d.corporation_id LIMIT 1) corporation ON true
LEFT JOIN LATERAL (SELECT x.name FROM names x WHERE x.id = d.alliance_id LIMIT 1) alliance ON true
LEFT JOIN character_location l ON l.character_id = u.character_id
LEFT JOIN LATERAL (SELECT x.name, x.region_id, x.security_status FROM universe_systems x
                   WHERE x.id = l.solar_system_id LIMIT 1) system ON true
LEFT JOIN LATERAL (SELECT x.name FROM universe_regions x WHERE x.id = system.region_id LIMIT 1) region ON true
LEFT JOIN LATERAL (SELECT x.name FROM locations x
                   WHERE x.location_id = coalesce(l.structure_id, l.station_id) LIMIT 1) place ON true
LEFT JOIN character_ship s ON s.character_id = u.character_id
LEFT JOIN LATERAL (SELECT x.name FROM universe_types x WHERE x.id = s.ship_type_id LIMIT 1) ship_type ON true
LEFT JOIN character_wallet w ON w.character_id = u.character_id
LEFT JOIN skill_totals t ON t.character_id = u.character_id
LEFT JOIN character_online o ON o.character_id = u.character_id;

-- The ship a character sits in when ESI's asset list leaves it out (it can, while the character
-- is in space): placed where the character is, as aa-memberaudit does, and only for characters
-- whose assets were fetched. Capsules (group 29) are not added. The read model keeps what ESI
-- sent; the addition is made here, at query time, from the ship and location read models.
CREATE VIEW added_ships AS
SELECT s.character_id, s.ship_item_id AS item_id, s.ship_type_id AS type_id, s.ship_name,
       coalesce(l.structure_id, l.station_id, l.solar_system_id) AS location_id,
       CASE WHEN l.structure_id IS NOT NULL THEN 'item' WHEN l.station_id IS NOT NULL THEN 'station'
            ELSE 'solar_system' END AS location_type
FROM character_ship s
JOIN character_location l ON l.character_id = s.character_id
WHERE s.ship_item_id IS NOT NULL AND s.ship_item_id <> 0
  AND coalesce(l.structure_id, l.station_id, l.solar_system_id) IS NOT NULL
  AND EXISTS (SELECT FROM assets x WHERE x.character_id = s.character_id)
  AND NOT EXISTS (SELECT FROM assets x WHERE x.character_id = s.character_id AND x.item_id = s.ship_item_id)
  AND NOT EXISTS (SELECT FROM universe_types t WHERE t.id = s.ship_type_id AND t.group_id = 29);

-- The asset tree with the added ship: what ESI listed inside it (its fitting and cargo, which name
-- the ship as their place) moves under it, one level deeper.
CREATE VIEW assets_with_ship AS
SELECT a.character_id, a.item_id, a.type_id, a.quantity, a.location_id, a.location_type, a.location_flag,
       a.is_singleton, a.is_blueprint_copy,
       CASE WHEN x.item_id IS NOT NULL AND a.parent_item_id IS NULL THEN x.item_id ELSE a.parent_item_id END
           AS parent_item_id,
       coalesce(x.location_id, a.root_location_id) AS root_location_id,
       a.depth + CASE WHEN x.item_id IS NULL THEN 0 ELSE 1 END AS depth,
       NULL::text AS ship_name, false AS added_current_ship
FROM assets a
LEFT JOIN added_ships x ON x.character_id = a.character_id AND x.item_id = a.root_location_id
UNION ALL
SELECT character_id, item_id, type_id, 1, location_id, location_type, 'Hangar', true, false, NULL, location_id, 0,
       ship_name, true
FROM added_ships;

-- Assets with type, group and category names, the item's own name, its top-level place (station,
-- structure or system, with system and region) and a value where a market price is known.
CREATE VIEW assets_view AS
SELECT a.character_id, a.item_id, a.type_id, coalesce(t.name, a.type_id::text) AS type_name,
       t.group_name, t.category_name, coalesce(n.name, a.ship_name) AS item_name, a.quantity, a.location_flag,
       a.location_type, a.is_singleton, a.is_blueprint_copy, a.parent_item_id, a.depth, a.root_location_id,
       coalesce(place.name, a.root_location_id::text) AS root_location_name, place.kind AS root_location_kind,
       place.solar_system_id, system.name AS solar_system_name, region.id AS region_id, region.name AS region_name,
       p.average_price, CASE WHEN a.is_blueprint_copy THEN NULL ELSE p.average_price * a.quantity END AS value,
       a.added_current_ship
FROM assets_with_ship a
LEFT JOIN LATERAL (SELECT x.name, x.group_name, x.category_name FROM universe_types x WHERE x.id = a.type_id LIMIT 1) t
    ON true
LEFT JOIN asset_names n ON n.character_id = a.character_id AND n.item_id = a.item_id
-- One lookup per row through the union views (see character_overview).
LEFT JOIN LATERAL (SELECT x.name, x.kind, x.solar_system_id FROM locations x
                   WHERE x.location_id = a.root_location_id LIMIT 1) place ON true
LEFT JOIN LATERAL (SELECT x.name, x.region_id FROM universe_systems x WHERE x.id = place.solar_system_id LIMIT 1) system
    ON true
LEFT JOIN LATERAL (SELECT x.id, x.name FROM universe_regions x WHERE x.id = system.region_id LIMIT 1) region ON true
LEFT JOIN market_prices p ON p.type_id = a.type_id;

CREATE VIEW skills_view AS
SELECT s.character_id, s.skill_id, coalesce(k.name, s.skill_id::text) AS skill_name, k.group_name,
       s.active_skill_level, s.trained_skill_level, s.skillpoints_in_skill
FROM skills s LEFT JOIN universe_skills k ON k.id = s.skill_id;

CREATE VIEW skill_queue_view AS
SELECT q.character_id, q.queue_position, q.skill_id, coalesce(k.name, q.skill_id::text) AS skill_name,
       k.group_name, q.finished_level, q.start_date, q.finish_date, q.level_start_sp, q.level_end_sp,
       q.training_start_sp
FROM skill_queue q LEFT JOIN universe_skills k ON k.id = q.skill_id;

-- Names by id, one lookup each (LATERAL ... LIMIT 1, as in character_overview): joined plainly,
-- the planner hashed the whole names view (every registered character among it) once per mail.
CREATE VIEW mails_view AS
SELECT h.character_id, h.mail_id, h."timestamp", h.from_id, coalesce(sender.name, h.from_id::text) AS from_name,
       h.subject, h.is_read, h.label_ids, h.recipient_ids, h.recipient_types,
       (SELECT array_agg(coalesce(r.name, x.id::text) ORDER BY x.ordinality)
        FROM unnest(h.recipient_ids) WITH ORDINALITY AS x(id, ordinality)
        LEFT JOIN LATERAL (SELECT n.name FROM names n WHERE n.id = x.id LIMIT 1) r ON true)
           AS recipient_names,
       b.body
FROM mail_headers h
LEFT JOIN LATERAL (SELECT n.name FROM names n WHERE n.id = h.from_id LIMIT 1) sender ON true
LEFT JOIN mail_bodies b ON b.character_id = h.character_id AND b.mail_id = h.mail_id;

-- Skill-set checks, one row per (character, set), unpacked.
CREATE VIEW skill_set_check_rows AS
SELECT c.character_id, x.skill_set_id::bigint AS skill_set_id,
       CASE lower(substr(c.statuses, x.n::int, 1)) WHEN 'f' THEN 'full' WHEN 'p' THEN 'partial' ELSE 'none' END AS status,
       lower(substr(c.statuses, x.n::int, 1)) <> 'n' AS can_fly,
       nullif(x.required_seconds, '')::double precision AS required_seconds,
       nullif(x.full_seconds, '')::double precision AS full_seconds,
       substr(c.statuses, x.n::int, 1) <> lower(substr(c.statuses, x.n::int, 1)) AS needs_omega,
       x.failed_required, x.failed_recommended
FROM skill_set_checks c,
     unnest(string_to_array(c.skill_set_ids, ','), string_to_array(c.required_seconds, ','),
            string_to_array(c.full_seconds, ','), string_to_array(c.failed_required, ','),
            string_to_array(c.failed_recommended, ','))
         WITH ORDINALITY AS x (skill_set_id, required_seconds, full_seconds, failed_required, failed_recommended, n);

-- Each skill of each check: the levels the set asks, the character's active level, and whether it
-- fails (the missing skills of a check are those failing, at the higher of the two levels).
CREATE VIEW skill_set_check_skills AS
SELECT r.character_id, r.skill_set_id, k.skill_id, coalesce(sk.name, k.skill_id::text) AS skill_name,
       k.required_level, k.recommended_level, coalesce(s.active_skill_level, 0) AS active_level,
       get_bit(decode(r.failed_required, 'hex'), k.position) = 1 AS fails_required,
       get_bit(decode(r.failed_recommended, 'hex'), k.position) = 1 AS fails_recommended,
       greatest(1, coalesce(k.required_level, 0), coalesce(k.recommended_level, 0)) AS maximum_level
FROM skill_set_check_rows r
JOIN (SELECT set_id, skill_id, required_level, recommended_level,
             (row_number() OVER (PARTITION BY set_id ORDER BY skill_id) - 1)::int AS position
      FROM skillsets.skills) k ON k.set_id = r.skill_set_id
LEFT JOIN universe_skills sk ON sk.id = k.skill_id
LEFT JOIN skills s ON s.character_id = r.character_id AND s.skill_id = k.skill_id;
