-- The original's twelfth permission, notified_on_character_removal: its holders are told when a
-- character they may see is removed (docs/access.md). Notifications are read in the web inbox.
ALTER TABLE access.group_permissions DROP CONSTRAINT group_permissions_permission_check;
ALTER TABLE access.group_permissions ADD CONSTRAINT group_permissions_permission_check CHECK (permission IN (
    'basic_access', 'finder_access', 'reports_access', 'characters_access', 'view_shared_characters',
    'view_same_corporation', 'view_same_alliance', 'view_everything', 'share_characters',
    'exports_access', 'view_skill_sets', 'notified_on_character_removal'));
CREATE INDEX notifications_unread ON sync.notifications (user_id) WHERE read_at IS NULL;
