-- How many pairs inside a round's meetings had met within the no-repeat window: the
-- engine keeps a repeat only where avoiding it would seat someone out, and coordinators
-- are told when a round keeps any.
ALTER TABLE coffee_rounds ADD COLUMN kept_repeats INTEGER NOT NULL DEFAULT 0
    CHECK (kept_repeats >= 0);
