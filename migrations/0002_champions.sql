-- Champion profiles: who joined, their group, where they are, and what they agreed to.
-- Names are never stored: the bot looks them up in Discord when it needs them.

ALTER TABLE guilds ADD COLUMN champion_role_id INTEGER;

CREATE TABLE champions (
    guild_id       INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL,
    group_id       INTEGER REFERENCES groups (group_id) ON DELETE SET NULL,
    region_id      TEXT,
    timezone       TEXT,
    intro          TEXT,
    coffee_opt_in  INTEGER NOT NULL DEFAULT 0 CHECK (coffee_opt_in IN (0, 1)),
    digest_name_ok INTEGER NOT NULL DEFAULT 0 CHECK (digest_name_ok IN (0, 1)),
    -- active: taking part; away: left the server (profile kept for their return);
    -- left: stopped being a champion with /leave but kept their data.
    status         TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'away', 'left')),
    joined_at      TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE INDEX champions_by_group ON champions (guild_id, group_id);

CREATE TABLE champion_interests (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    interest_id TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id, interest_id),
    FOREIGN KEY (guild_id, user_id) REFERENCES champions (guild_id, user_id) ON DELETE CASCADE
) WITHOUT ROWID;
