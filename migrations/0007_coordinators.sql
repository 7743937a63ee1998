-- Coordinators' tools: the guided set-up's progress, invitations to an existing
-- community, clean-up of welcome greetings, and deduplicated alerts.

-- Days after which a newcomer's welcome greeting is deleted; 0 keeps them.
ALTER TABLE guilds ADD COLUMN greeting_cleanup_days INTEGER NOT NULL DEFAULT 7;

-- Where a server's guided set-up stopped: the next step to show.
CREATE TABLE setup_progress (
    guild_id   INTEGER PRIMARY KEY,
    step       TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

-- One personal invitation per member, recorded before it is sent, so that a repeat
-- or a resumed run never sends a second one.
CREATE TABLE invitations (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    invited_at TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('pending', 'dm', 'posted', 'failed')),
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

-- Greetings posted for newcomers in the welcome channel, deleted after a while.
CREATE TABLE welcome_greetings (
    message_id INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    user_id    INTEGER,
    posted_at  TEXT    NOT NULL,
    deleted_at TEXT
);

CREATE INDEX welcome_greetings_due ON welcome_greetings (guild_id, deleted_at, posted_at);

-- Alerts already posted: one per server, kind, subject and local day.
CREATE TABLE alerts_sent (
    guild_id   INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    local_day  TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, kind, subject, local_day)
) WITHOUT ROWID;
