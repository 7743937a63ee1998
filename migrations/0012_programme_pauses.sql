-- When a programme's latest whole-programme pause began (kept after it ends), so its
-- "paused" and "it's back" notices are each posted once per pause.
ALTER TABLE programmes ADD COLUMN paused_since TEXT;
UPDATE programmes SET paused_since = updated_at WHERE paused_until IS NOT NULL;
