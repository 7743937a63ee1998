-- Every side effect of a scheduled job (a post in a channel or thread, a direct message),
-- recorded before it happens and again once Discord has answered. A step found 'pending'
-- after a crash or a lost answer is looked for in Discord before it is tried again, and
-- retried with the same nonce, so that it takes effect once.
CREATE TABLE deliveries (
    guild_id    INTEGER NOT NULL,
    job         TEXT    NOT NULL,
    period_key  TEXT    NOT NULL,
    step        TEXT    NOT NULL,
    nonce       TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    -- the channel, thread or member the step writes to
    target_id   INTEGER,
    message_id  INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 1,
    started_at  TEXT    NOT NULL,
    finished_at TEXT,
    detail      TEXT,
    PRIMARY KEY (guild_id, job, period_key, step)
) WITHOUT ROWID;

CREATE INDEX deliveries_by_target ON deliveries (guild_id, target_id);
