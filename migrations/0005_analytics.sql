-- Digest and impact-report analytics: indexes for time-window reads, and a per-guild
-- salt so exported ids are pseudonyms that cannot be reversed from public Discord ids.

-- Acts in a time window, by condition and visibility, read from the index alone.
CREATE INDEX acts_by_guild_time_condition
    ON acts (guild_id, created_at, condition_number, visibility, user_id);
DROP INDEX acts_by_guild_time;

-- Reflections in a calendar month (the week index serves the weekly digest).
CREATE INDEX reflections_by_guild_time ON reflections (guild_id, created_at);

-- Champions who joined in a time window.
CREATE INDEX champions_by_joined ON champions (guild_id, joined_at);

-- Never exported or shown; deleting the guild deletes it.
CREATE TABLE report_salts (
    guild_id   INTEGER PRIMARY KEY REFERENCES guilds (guild_id) ON DELETE CASCADE,
    salt       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
