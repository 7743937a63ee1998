-- Weekly coffee roulette: rounds, meetings, who met whom, and members' own choices.

ALTER TABLE guilds ADD COLUMN coffee_avoid_rounds INTEGER NOT NULL DEFAULT 8;
ALTER TABLE guilds ADD COLUMN coffee_checkin_days INTEGER NOT NULL DEFAULT 5;
ALTER TABLE guilds ADD COLUMN coffee_headsup_hours INTEGER;

-- A member's own pause (until a date) and unanswered check-ins in a row.
ALTER TABLE champions ADD COLUMN coffee_paused_until TEXT;
ALTER TABLE champions ADD COLUMN coffee_missed_checkins INTEGER NOT NULL DEFAULT 0;

-- "Skip me this week": one row per member and round period.
CREATE TABLE coffee_skips (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    period_key TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id, period_key)
) WITHOUT ROWID;

-- A member's private "never pair me with" list.
CREATE TABLE coffee_blocks (
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    blocked_user_id INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id, blocked_user_id)
) WITHOUT ROWID;

-- One round per guild and week, computed and stored before anything is sent.
CREATE TABLE coffee_rounds (
    round_id         INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    period_key       TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    seed             INTEGER NOT NULL,
    condition_number INTEGER,
    starter          TEXT,
    checkin_due_at   TEXT    NOT NULL,
    UNIQUE (guild_id, period_key)
);

CREATE TABLE coffee_meetings (
    meeting_id         INTEGER PRIMARY KEY,
    round_id           INTEGER NOT NULL REFERENCES coffee_rounds (round_id) ON DELETE CASCADE,
    guild_id           INTEGER NOT NULL,
    position           INTEGER NOT NULL,
    cross_group        INTEGER NOT NULL CHECK (cross_group IN (0, 1)),
    thread_id          INTEGER,
    announced_at       TEXT,
    checkin_posted_at  TEXT,
    UNIQUE (round_id, position)
);

CREATE INDEX coffee_meetings_by_guild ON coffee_meetings (guild_id, round_id);

-- Who was in each meeting. After /forget-me the row stays with user_id NULL, so a
-- partner's history still shows that a meeting happened.
CREATE TABLE coffee_meeting_members (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES coffee_meetings (meeting_id) ON DELETE CASCADE,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER,
    group_id    INTEGER,
    answer      TEXT CHECK (answer IN ('yes', 'not_yet', 'cant')),
    answered_at TEXT,
    reached     TEXT CHECK (reached IN ('thread', 'dm', 'unreachable'))
);

CREATE INDEX coffee_members_by_user ON coffee_meeting_members (guild_id, user_id);
CREATE INDEX coffee_members_by_meeting ON coffee_meeting_members (meeting_id);

-- Which condition each week is about, assigned in order per guild.
CREATE TABLE condition_weeks (
    guild_id         INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    period_key       TEXT    NOT NULL,
    condition_number INTEGER NOT NULL CHECK (condition_number BETWEEN 1 AND 10),
    sequence         INTEGER NOT NULL,
    PRIMARY KEY (guild_id, period_key),
    UNIQUE (guild_id, sequence)
);
