-- The report's lists of what members shared with the community: read in time order
-- from indexes that hold only shareable acts and reflections, so a month's report
-- reads neither the private rows nor a sort.
CREATE INDEX acts_shareable_by_time ON acts (guild_id, created_at)
    WHERE visibility = 'shareable';
CREATE INDEX reflections_shareable_by_time ON reflections (guild_id, created_at)
    WHERE visibility = 'shareable';
