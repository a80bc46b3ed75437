-- Shulian city hub, schema version 2: incident actions (issue 15 item 4) are written from now on.
-- An action row is inserted (and a lifting recorded) in the same transaction as the bundle version
-- that puts it into force, so a crash never leaves an action without its bundle or the reverse.
ALTER TABLE hub_actions ADD COLUMN lift_reason VARCHAR(2000);
ALTER TABLE hub_actions ADD CONSTRAINT ck_hub_actions_suite CHECK (suite IN ('intl', 'gm'));
CREATE INDEX ix_hub_actions_created ON hub_actions (created_at);
