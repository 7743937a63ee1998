-- Foundation: guild settings, groups, bot metadata and the scheduler's run ledger.
-- Times are ISO-8601 strings in UTC; Discord ids are integers.

CREATE TABLE guilds (
    guild_id               INTEGER PRIMARY KEY,
    timezone               TEXT    NOT NULL DEFAULT 'Europe/London',
    welcome_channel_id     INTEGER,
    coffee_channel_id      INTEGER,
    reflections_channel_id INTEGER,
    digest_channel_id      INTEGER,
    log_channel_id         INTEGER,
    coordinator_role_id    INTEGER,
    created_at             TEXT    NOT NULL
);

-- Groups are the sectors champions come from; the roulette pairs across them.
CREATE TABLE groups (
    group_id   INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL,
    emoji      TEXT,
    role_id    INTEGER,
    created_at TEXT    NOT NULL,
    UNIQUE (guild_id, name_key)
);

-- When each weekly job runs for a guild; a missing row means the job's default.
CREATE TABLE guild_schedule (
    guild_id    INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    job         TEXT    NOT NULL,
    day_of_week INTEGER NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
    hour        INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    minute      INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 59),
    PRIMARY KEY (guild_id, job)
);

-- Small bot-wide facts, such as the hash of the last synced command set.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per (guild, job, period): a job takes effect once per period, even
-- across restarts. A row left 'running' by a crash is resumed, not repeated.
CREATE TABLE job_runs (
    run_id      INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    job         TEXT    NOT NULL,
    period_key  TEXT    NOT NULL,
    due_at      TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    started_at  TEXT,
    finished_at TEXT,
    last_error  TEXT,
    UNIQUE (guild_id, job, period_key)
);

-- Progress inside a run: each finished step, so a resumed run skips it.
CREATE TABLE job_steps (
    run_id  INTEGER NOT NULL REFERENCES job_runs (run_id) ON DELETE CASCADE,
    step    TEXT    NOT NULL,
    result  TEXT,
    done_at TEXT    NOT NULL,
    PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
