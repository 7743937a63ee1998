-- The quarterly impact report for funders, posted to the coordinators' log channel
-- when a coordinator switches it on, and the last quarter it was posted for.
ALTER TABLE guilds ADD COLUMN impact_auto_quarterly INTEGER NOT NULL DEFAULT 0
    CHECK (impact_auto_quarterly IN (0, 1));
ALTER TABLE guilds ADD COLUMN impact_posted_quarter TEXT;
