-- Acts of kindness, weekly reflections, and a guild's own prompts.

ALTER TABLE guilds ADD COLUMN kindness_daily_limit INTEGER NOT NULL DEFAULT 20;

-- Opt-in reflection reminders, and whether a closed-DM note was already logged.
ALTER TABLE champions ADD COLUMN reflection_reminders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE champions ADD COLUMN reminder_dm_closed_noted INTEGER NOT NULL DEFAULT 0;

-- visibility: shareable (may appear in digests and /kindness recent; named only with
-- consent, otherwise "a champion from <group>"), coordinators (only coordinators see
-- it), private (only its author).
CREATE TABLE acts (
    act_id           INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL,
    group_id         INTEGER,
    what             TEXT    NOT NULL,
    who_benefited    TEXT,
    condition_number INTEGER CHECK (condition_number BETWEEN 1 AND 10),
    visibility       TEXT    NOT NULL CHECK (visibility IN ('shareable', 'coordinators', 'private')),
    source           TEXT    NOT NULL DEFAULT 'form',
    text_key         TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);

CREATE INDEX acts_by_guild_time ON acts (guild_id, created_at);
CREATE INDEX acts_by_member ON acts (guild_id, user_id, created_at);

CREATE TABLE reflections (
    reflection_id    INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL,
    group_id         INTEGER,
    period_key       TEXT    NOT NULL,
    condition_number INTEGER CHECK (condition_number BETWEEN 1 AND 10),
    question         TEXT,
    body             TEXT    NOT NULL,
    visibility       TEXT    NOT NULL CHECK (visibility IN ('shareable', 'coordinators', 'private')),
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);

CREATE INDEX reflections_by_guild_week ON reflections (guild_id, period_key);
CREATE INDEX reflections_by_member ON reflections (guild_id, user_id, created_at);

-- Prompts a guild adds to the shipped ones; the author is kept for coordinators.
CREATE TABLE guild_prompts (
    prompt_id        INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    condition_number INTEGER NOT NULL CHECK (condition_number BETWEEN 1 AND 10),
    kind             TEXT    NOT NULL CHECK (kind IN ('discussion', 'starter', 'reflection')),
    text             TEXT    NOT NULL,
    author_id        INTEGER,
    created_at       TEXT    NOT NULL
);

CREATE INDEX guild_prompts_by_condition ON guild_prompts (guild_id, condition_number, kind);
