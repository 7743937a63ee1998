-- Programmes: a server runs one or more coffee or meal programmes, each with its own
-- rhythm, channel, group size and members. The weekly roulette becomes each server's
-- default programme, keeping all of its rounds, meetings, skips and members.
--
-- Until every caller speaks of programmes, the roulette's own columns (coffee_opt_in,
-- coffee_paused_until, coffee_skips) stay the source the old queries read, and the
-- triggers below copy every change in them to the default programme.

ALTER TABLE guilds ADD COLUMN programme_limit INTEGER NOT NULL DEFAULT 10;

CREATE TABLE programmes (
    programme_id  INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL,
    is_default    INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    channel_id    INTEGER,
    -- weekly: every `every_weeks` weeks counted from the anchor date;
    -- monthly: on the `week_of_month`-th weekday of each month (-1 = the last one).
    rhythm        TEXT    NOT NULL DEFAULT 'weekly' CHECK (rhythm IN ('weekly', 'monthly')),
    every_weeks   INTEGER CHECK (every_weeks BETWEEN 1 AND 4),
    week_of_month INTEGER CHECK (week_of_month IN (1, 2, 3, 4, -1)),
    day_of_week   INTEGER NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
    hour          INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    minute        INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 59),
    timezone      TEXT    NOT NULL,
    anchor_date   TEXT    NOT NULL,
    group_size    INTEGER NOT NULL DEFAULT 2 CHECK (group_size BETWEEN 2 AND 8),
    format        TEXT    NOT NULL DEFAULT 'online' CHECK (format IN ('online', 'in_person')),
    role_id       INTEGER,
    -- The whole programme is paused until this time, then resumes by itself.
    paused_until  TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (guild_id, name_key),
    CHECK ((rhythm = 'weekly' AND every_weeks IS NOT NULL AND week_of_month IS NULL)
        OR (rhythm = 'monthly' AND week_of_month IS NOT NULL AND every_weeks IS NULL))
);

CREATE UNIQUE INDEX programmes_one_default ON programmes (guild_id) WHERE is_default = 1;

INSERT INTO programmes (guild_id, name, name_key, is_default, channel_id, rhythm, every_weeks,
                        day_of_week, hour, minute, timezone, anchor_date, created_at, updated_at)
SELECT g.guild_id, 'Coffee roulette', 'coffee roulette', 1, g.coffee_channel_id, 'weekly', 1,
       coalesce(s.day_of_week, 0), coalesce(s.hour, 9), coalesce(s.minute, 0), g.timezone,
       date(g.created_at), g.created_at, g.created_at
FROM guilds g
LEFT JOIN guild_schedule s ON s.guild_id = g.guild_id AND s.job = 'pairing';

-- Who takes part in each programme, with their own pause.
CREATE TABLE programme_members (
    programme_id INTEGER NOT NULL REFERENCES programmes (programme_id) ON DELETE CASCADE,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    joined_at    TEXT    NOT NULL,
    paused_until TEXT,
    PRIMARY KEY (programme_id, user_id)
) WITHOUT ROWID;

CREATE INDEX programme_members_by_user ON programme_members (guild_id, user_id);

INSERT INTO programme_members (programme_id, guild_id, user_id, joined_at, paused_until)
SELECT p.programme_id, c.guild_id, c.user_id, c.updated_at, c.coffee_paused_until
FROM champions c JOIN programmes p ON p.guild_id = c.guild_id AND p.is_default = 1
WHERE c.coffee_opt_in = 1;

-- "Skip me next round", per programme and round period.
CREATE TABLE programme_skips (
    programme_id INTEGER NOT NULL REFERENCES programmes (programme_id) ON DELETE CASCADE,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    period_key   TEXT    NOT NULL,
    PRIMARY KEY (programme_id, user_id, period_key)
) WITHOUT ROWID;

INSERT INTO programme_skips (programme_id, guild_id, user_id, period_key)
SELECT p.programme_id, s.guild_id, s.user_id, s.period_key
FROM coffee_skips s JOIN programmes p ON p.guild_id = s.guild_id AND p.is_default = 1;

-- Rounds belong to a programme: one round per programme and period (rebuilt, as SQLite
-- cannot change a UNIQUE constraint in place; meetings keep pointing at the same ids).
CREATE TABLE coffee_rounds_new (
    round_id         INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    period_key       TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    seed             INTEGER NOT NULL,
    condition_number INTEGER,
    starter          TEXT,
    checkin_due_at   TEXT    NOT NULL,
    programme_id     INTEGER REFERENCES programmes (programme_id) ON DELETE CASCADE,
    UNIQUE (programme_id, period_key)
);

INSERT INTO coffee_rounds_new (round_id, guild_id, period_key, created_at, seed,
                               condition_number, starter, checkin_due_at, programme_id)
SELECT r.round_id, r.guild_id, r.period_key, r.created_at, r.seed, r.condition_number,
       r.starter, r.checkin_due_at, p.programme_id
FROM coffee_rounds r JOIN programmes p ON p.guild_id = r.guild_id AND p.is_default = 1;

DROP TABLE coffee_rounds;

ALTER TABLE coffee_rounds_new RENAME TO coffee_rounds;

CREATE INDEX coffee_rounds_by_guild ON coffee_rounds (guild_id, period_key);

-- Members who took part in a round but sat it out (no table for them this time).
CREATE TABLE round_sitouts (
    round_id INTEGER NOT NULL REFERENCES coffee_rounds (round_id) ON DELETE CASCADE,
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    PRIMARY KEY (round_id, user_id)
) WITHOUT ROWID;

CREATE INDEX round_sitouts_by_user ON round_sitouts (guild_id, user_id);

-- A member's usual hours, in their own timezone; no row means weekdays 08:00-18:00.
-- days: the weekdays as digits, 0 = Monday ('01234' = Monday to Friday).
CREATE TABLE member_hours (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    days         TEXT    NOT NULL,
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id),
    CHECK (start_minute < end_minute)
) WITHOUT ROWID;

-- Times offered to a meeting to choose from, and which ones each member can do.
CREATE TABLE meeting_time_offers (
    meeting_id       INTEGER PRIMARY KEY REFERENCES coffee_meetings (meeting_id) ON DELETE CASCADE,
    offered_at       TEXT    NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    within_hours     INTEGER NOT NULL CHECK (within_hours IN (0, 1))
);

CREATE TABLE meeting_slots (
    meeting_id INTEGER NOT NULL REFERENCES meeting_time_offers (meeting_id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    starts_at  TEXT    NOT NULL,
    PRIMARY KEY (meeting_id, position)
) WITHOUT ROWID;

CREATE TABLE meeting_slot_ticks (
    meeting_id INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    ticked_at  TEXT    NOT NULL,
    PRIMARY KEY (meeting_id, user_id, position),
    FOREIGN KEY (meeting_id, position) REFERENCES meeting_slots (meeting_id, position)
        ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX meeting_slot_ticks_by_user ON meeting_slot_ticks (guild_id, user_id);

-- Every new server gets its default programme.
CREATE TRIGGER guilds_default_programme AFTER INSERT ON guilds
BEGIN
    INSERT INTO programmes (guild_id, name, name_key, is_default, rhythm, every_weeks,
                            day_of_week, hour, minute, timezone, anchor_date, created_at,
                            updated_at)
    VALUES (NEW.guild_id, 'Coffee roulette', 'coffee roulette', 1, 'weekly', 1, 0, 9, 0,
            NEW.timezone, date(NEW.created_at), NEW.created_at, NEW.created_at);
END;

-- A round stored without a programme belongs to the server's default programme.
CREATE TRIGGER coffee_rounds_default_programme AFTER INSERT ON coffee_rounds
WHEN NEW.programme_id IS NULL
BEGIN
    UPDATE coffee_rounds SET programme_id = (
        SELECT programme_id FROM programmes WHERE guild_id = NEW.guild_id AND is_default = 1
    ) WHERE round_id = NEW.round_id;
END;

-- The roulette's own settings follow the default programme's.
CREATE TRIGGER guilds_timezone_to_programme AFTER UPDATE OF timezone ON guilds
BEGIN
    UPDATE programmes SET timezone = NEW.timezone
    WHERE guild_id = NEW.guild_id AND is_default = 1;
END;

CREATE TRIGGER guilds_coffee_channel_to_programme AFTER UPDATE OF coffee_channel_id ON guilds
BEGIN
    UPDATE programmes SET channel_id = NEW.coffee_channel_id
    WHERE guild_id = NEW.guild_id AND is_default = 1;
END;

CREATE TRIGGER guild_schedule_pairing_insert AFTER INSERT ON guild_schedule
WHEN NEW.job = 'pairing'
BEGIN
    UPDATE programmes SET day_of_week = NEW.day_of_week, hour = NEW.hour, minute = NEW.minute
    WHERE guild_id = NEW.guild_id AND is_default = 1;
END;

CREATE TRIGGER guild_schedule_pairing_update AFTER UPDATE ON guild_schedule
WHEN NEW.job = 'pairing'
BEGIN
    UPDATE programmes SET day_of_week = NEW.day_of_week, hour = NEW.hour, minute = NEW.minute
    WHERE guild_id = NEW.guild_id AND is_default = 1;
END;

-- Joining, leaving, pausing and skipping the roulette is joining, leaving, pausing and
-- skipping the default programme.
CREATE TRIGGER champions_insert_to_programme AFTER INSERT ON champions
WHEN NEW.coffee_opt_in = 1
BEGIN
    INSERT OR IGNORE INTO programme_members (programme_id, guild_id, user_id, joined_at,
                                             paused_until)
    SELECT programme_id, NEW.guild_id, NEW.user_id, NEW.updated_at, NEW.coffee_paused_until
    FROM programmes WHERE guild_id = NEW.guild_id AND is_default = 1;
END;

CREATE TRIGGER champions_opt_in_to_programme AFTER UPDATE OF coffee_opt_in ON champions
WHEN NEW.coffee_opt_in = 1
BEGIN
    INSERT OR IGNORE INTO programme_members (programme_id, guild_id, user_id, joined_at,
                                             paused_until)
    SELECT programme_id, NEW.guild_id, NEW.user_id, NEW.updated_at, NEW.coffee_paused_until
    FROM programmes WHERE guild_id = NEW.guild_id AND is_default = 1;
END;

CREATE TRIGGER champions_opt_out_to_programme AFTER UPDATE OF coffee_opt_in ON champions
WHEN NEW.coffee_opt_in = 0
BEGIN
    DELETE FROM programme_members WHERE user_id = NEW.user_id AND programme_id IN (
        SELECT programme_id FROM programmes WHERE guild_id = NEW.guild_id AND is_default = 1
    );
END;

CREATE TRIGGER champions_pause_to_programme AFTER UPDATE OF coffee_paused_until ON champions
BEGIN
    UPDATE programme_members SET paused_until = NEW.coffee_paused_until
    WHERE user_id = NEW.user_id AND programme_id IN (
        SELECT programme_id FROM programmes WHERE guild_id = NEW.guild_id AND is_default = 1
    );
END;

CREATE TRIGGER champions_delete_to_programme AFTER DELETE ON champions
BEGIN
    DELETE FROM programme_members WHERE guild_id = OLD.guild_id AND user_id = OLD.user_id;
END;

CREATE TRIGGER coffee_skips_to_programme AFTER INSERT ON coffee_skips
BEGIN
    INSERT OR IGNORE INTO programme_skips (programme_id, guild_id, user_id, period_key)
    SELECT programme_id, NEW.guild_id, NEW.user_id, NEW.period_key
    FROM programmes WHERE guild_id = NEW.guild_id AND is_default = 1;
END;
