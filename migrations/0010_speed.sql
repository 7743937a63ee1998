-- Statistics that cost nothing to read: running totals kept by triggers, so every
-- write (a form, an edit, a deletion, /forget-me, a stored round, a check-in answer)
-- updates them in its own transaction. The totals always equal a full recount.

-- Acts of kindness by condition and group. 0 stands for "no condition" and "no group"
-- (condition numbers are 1-10 and group ids start at 1), so the key has no NULLs.
CREATE TABLE act_counts (
    guild_id      INTEGER NOT NULL,
    condition_key INTEGER NOT NULL,
    group_key     INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (guild_id, condition_key, group_key)
) WITHOUT ROWID;

INSERT INTO act_counts (guild_id, condition_key, group_key, n)
SELECT guild_id, coalesce(condition_number, 0), coalesce(group_id, 0), count(*)
FROM acts GROUP BY guild_id, coalesce(condition_number, 0), coalesce(group_id, 0);

CREATE TRIGGER act_counts_insert AFTER INSERT ON acts BEGIN
    INSERT INTO act_counts (guild_id, condition_key, group_key, n)
    VALUES (NEW.guild_id, coalesce(NEW.condition_number, 0), coalesce(NEW.group_id, 0), 1)
    ON CONFLICT (guild_id, condition_key, group_key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER act_counts_delete AFTER DELETE ON acts BEGIN
    UPDATE act_counts SET n = n - 1
    WHERE guild_id = OLD.guild_id AND condition_key = coalesce(OLD.condition_number, 0)
      AND group_key = coalesce(OLD.group_id, 0);
END;

CREATE TRIGGER act_counts_update AFTER UPDATE OF guild_id, condition_number, group_id ON acts
BEGIN
    UPDATE act_counts SET n = n - 1
    WHERE guild_id = OLD.guild_id AND condition_key = coalesce(OLD.condition_number, 0)
      AND group_key = coalesce(OLD.group_id, 0);
    INSERT INTO act_counts (guild_id, condition_key, group_key, n)
    VALUES (NEW.guild_id, coalesce(NEW.condition_number, 0), coalesce(NEW.group_id, 0), 1)
    ON CONFLICT (guild_id, condition_key, group_key) DO UPDATE SET n = n + 1;
END;

-- This week's acts by condition and group, read from the index alone (covering).
CREATE INDEX acts_by_guild_time_group ON acts (guild_id, created_at, group_id, condition_number);

-- Coffee roulette totals per server. A meeting's members always share its server.
CREATE TABLE coffee_totals (
    guild_id          INTEGER PRIMARY KEY,
    rounds            INTEGER NOT NULL DEFAULT 0,
    meetings          INTEGER NOT NULL DEFAULT 0,
    pairs             INTEGER NOT NULL DEFAULT 0,
    cross_group_pairs INTEGER NOT NULL DEFAULT 0,
    answered_meetings INTEGER NOT NULL DEFAULT 0,
    met_meetings      INTEGER NOT NULL DEFAULT 0
);

INSERT INTO coffee_totals (guild_id) SELECT guild_id FROM coffee_rounds
UNION SELECT guild_id FROM coffee_meetings UNION SELECT guild_id FROM coffee_meeting_members;

UPDATE coffee_totals SET
    rounds = (SELECT count(*) FROM coffee_rounds r WHERE r.guild_id = coffee_totals.guild_id),
    meetings = (SELECT count(*) FROM coffee_meetings m WHERE m.guild_id = coffee_totals.guild_id),
    pairs = (
        SELECT count(*) FROM coffee_meeting_members a JOIN coffee_meeting_members b
        ON a.meeting_id = b.meeting_id AND a.id < b.id WHERE a.guild_id = coffee_totals.guild_id
    ),
    cross_group_pairs = (
        SELECT coalesce(sum(a.group_id != b.group_id), 0)
        FROM coffee_meeting_members a JOIN coffee_meeting_members b
        ON a.meeting_id = b.meeting_id AND a.id < b.id WHERE a.guild_id = coffee_totals.guild_id
    ),
    answered_meetings = (
        SELECT count(DISTINCT meeting_id) FROM coffee_meeting_members
        WHERE guild_id = coffee_totals.guild_id AND answer IS NOT NULL
    ),
    met_meetings = (
        SELECT count(DISTINCT meeting_id) FROM coffee_meeting_members
        WHERE guild_id = coffee_totals.guild_id AND answer = 'yes'
    );

CREATE TRIGGER coffee_totals_round_insert AFTER INSERT ON coffee_rounds BEGIN
    INSERT OR IGNORE INTO coffee_totals (guild_id) VALUES (NEW.guild_id);
    UPDATE coffee_totals SET rounds = rounds + 1 WHERE guild_id = NEW.guild_id;
END;

CREATE TRIGGER coffee_totals_round_delete AFTER DELETE ON coffee_rounds BEGIN
    UPDATE coffee_totals SET rounds = rounds - 1 WHERE guild_id = OLD.guild_id;
END;

CREATE TRIGGER coffee_totals_meeting_insert AFTER INSERT ON coffee_meetings BEGIN
    INSERT OR IGNORE INTO coffee_totals (guild_id) VALUES (NEW.guild_id);
    UPDATE coffee_totals SET meetings = meetings + 1 WHERE guild_id = NEW.guild_id;
END;

CREATE TRIGGER coffee_totals_meeting_delete AFTER DELETE ON coffee_meetings BEGIN
    UPDATE coffee_totals SET meetings = meetings - 1 WHERE guild_id = OLD.guild_id;
END;

-- A member joins a meeting: one new pair with each member already there, and the
-- meeting counts as answered (or met) once its first answer (or first "yes") arrives.
CREATE TRIGGER coffee_totals_member_insert AFTER INSERT ON coffee_meeting_members BEGIN
    INSERT OR IGNORE INTO coffee_totals (guild_id) VALUES (NEW.guild_id);
    UPDATE coffee_totals SET
        pairs = pairs + (
            SELECT count(*) FROM coffee_meeting_members o
            WHERE o.meeting_id = NEW.meeting_id AND o.id != NEW.id
        ),
        cross_group_pairs = cross_group_pairs + (
            SELECT count(*) FROM coffee_meeting_members o
            WHERE o.meeting_id = NEW.meeting_id AND o.id != NEW.id AND o.group_id != NEW.group_id
        ),
        answered_meetings = answered_meetings + (
            NEW.answer IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM coffee_meeting_members o
                WHERE o.meeting_id = NEW.meeting_id AND o.id != NEW.id AND o.answer IS NOT NULL
            )
        ),
        met_meetings = met_meetings + (
            coalesce(NEW.answer = 'yes', 0) AND NOT EXISTS (
                SELECT 1 FROM coffee_meeting_members o
                WHERE o.meeting_id = NEW.meeting_id AND o.id != NEW.id AND o.answer = 'yes'
            )
        )
    WHERE guild_id = NEW.guild_id;
END;

CREATE TRIGGER coffee_totals_member_delete AFTER DELETE ON coffee_meeting_members BEGIN
    UPDATE coffee_totals SET
        pairs = pairs - (
            SELECT count(*) FROM coffee_meeting_members o WHERE o.meeting_id = OLD.meeting_id
        ),
        cross_group_pairs = cross_group_pairs - (
            SELECT count(*) FROM coffee_meeting_members o
            WHERE o.meeting_id = OLD.meeting_id AND o.group_id != OLD.group_id
        ),
        answered_meetings = answered_meetings - (
            OLD.answer IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM coffee_meeting_members o
                WHERE o.meeting_id = OLD.meeting_id AND o.answer IS NOT NULL
            )
        ),
        met_meetings = met_meetings - (
            coalesce(OLD.answer = 'yes', 0) AND NOT EXISTS (
                SELECT 1 FROM coffee_meeting_members o
                WHERE o.meeting_id = OLD.meeting_id AND o.answer = 'yes'
            )
        )
    WHERE guild_id = OLD.guild_id;
END;

-- An answer (or a group) changes: take the old row's share away and add the new one's,
-- measured against the meeting's other members, who did not change.
CREATE TRIGGER coffee_totals_member_update
AFTER UPDATE OF meeting_id, guild_id, group_id, answer ON coffee_meeting_members BEGIN
    UPDATE coffee_totals SET
        pairs = pairs - (
            SELECT count(*) FROM coffee_meeting_members o
            WHERE o.meeting_id = OLD.meeting_id AND o.id != OLD.id
        ),
        cross_group_pairs = cross_group_pairs - (
            SELECT count(*) FROM coffee_meeting_members o
            WHERE o.meeting_id = OLD.meeting_id AND o.id != OLD.id AND o.group_id != OLD.group_id
        ),
        answered_meetings = answered_meetings - (
            OLD.answer IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM coffee_meeting_members o
                WHERE o.meeting_id = OLD.meeting_id AND o.id != OLD.id AND o.answer IS NOT NULL
            )
        ),
        met_meetings = met_meetings - (
            coalesce(OLD.answer = 'yes', 0) AND NOT EXISTS (
                SELECT 1 FROM coffee_meeting_members o
                WHERE o.meeting_id = OLD.meeting_id AND o.id != OLD.id AND o.answer = 'yes'
            )
        )
    WHERE guild_id = OLD.guild_id;
    INSERT OR IGNORE INTO coffee_totals (guild_id) VALUES (NEW.guild_id);
    UPDATE coffee_totals SET
        pairs = pairs + (
            SELECT count(*) FROM coffee_meeting_members o
            WHERE o.meeting_id = NEW.meeting_id AND o.id != NEW.id
        ),
        cross_group_pairs = cross_group_pairs + (
            SELECT count(*) FROM coffee_meeting_members o
            WHERE o.meeting_id = NEW.meeting_id AND o.id != NEW.id AND o.group_id != NEW.group_id
        ),
        answered_meetings = answered_meetings + (
            NEW.answer IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM coffee_meeting_members o
                WHERE o.meeting_id = NEW.meeting_id AND o.id != NEW.id AND o.answer IS NOT NULL
            )
        ),
        met_meetings = met_meetings + (
            coalesce(NEW.answer = 'yes', 0) AND NOT EXISTS (
                SELECT 1 FROM coffee_meeting_members o
                WHERE o.meeting_id = NEW.meeting_id AND o.id != NEW.id AND o.answer = 'yes'
            )
        )
    WHERE guild_id = NEW.guild_id;
END;

-- /champions list: active champions by group, and who joined recently, from indexes.
CREATE INDEX champions_by_status_group ON champions (guild_id, status, group_id);
CREATE INDEX champions_by_status_joined ON champions (guild_id, status, joined_at);
