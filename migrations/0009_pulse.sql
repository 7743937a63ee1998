-- The pulse (a short, opt-in check-in members answer with one tap per question),
-- its per-guild frequency, a guild's own questions, and whom an act of kindness
-- helped, so outcome figures can be counted across groups.

-- "Help us learn what works": its own consent, off until the member switches it on.
ALTER TABLE champions ADD COLUMN pulse_opt_in INTEGER NOT NULL DEFAULT 0 CHECK (pulse_opt_in IN (0, 1));
ALTER TABLE champions ADD COLUMN pulse_opt_in_at TEXT;

-- How often the pulse comes after the baseline: off, monthly, quarterly or half_yearly.
ALTER TABLE guilds ADD COLUMN pulse_frequency TEXT NOT NULL DEFAULT 'quarterly'
    CHECK (pulse_frequency IN ('off', 'monthly', 'quarterly', 'half_yearly'));

-- The group that benefited from an act, when the member says so.
ALTER TABLE acts ADD COLUMN beneficiary_group_id INTEGER REFERENCES groups (group_id) ON DELETE SET NULL;

-- Up to three questions a guild adds to the shipped five. kind 'choice' keeps its
-- options (a JSON array of 2 to 5 labels); kind 'scale' is a 1 to 5 scale.
-- Removing a question keeps its answers for past figures.
CREATE TABLE pulse_questions (
    question_id INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    text        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('choice', 'scale')),
    options     TEXT    NOT NULL,
    author_id   INTEGER,
    created_at  TEXT    NOT NULL,
    removed_at  TEXT
);

CREATE INDEX pulse_questions_by_guild ON pulse_questions (guild_id, removed_at);

-- Which pulse each member was sent: 'baseline', or a period such as 2026-Q4.
CREATE TABLE pulse_invites (
    guild_id   INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    period_key TEXT    NOT NULL,
    sent_at    TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id, period_key)
) WITHOUT ROWID;

-- One answer per member, pulse and question: a second answer replaces the first.
-- choice is the 0-based option, or NULL when the member chose to skip the question.
-- group_id is the member's group when they answered.
CREATE TABLE pulse_answers (
    guild_id     INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    period_key   TEXT    NOT NULL,
    question_key TEXT    NOT NULL,
    choice       INTEGER CHECK (choice IS NULL OR choice BETWEEN 0 AND 4),
    group_id     INTEGER,
    answered_at  TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id, period_key, question_key)
) WITHOUT ROWID;

CREATE INDEX pulse_answers_by_question ON pulse_answers (guild_id, question_key, answered_at);

-- Outcome figures: acts that say who benefited, read from the index alone.
CREATE INDEX acts_by_guild_beneficiary
    ON acts (guild_id, created_at, condition_number, group_id, beneficiary_group_id)
    WHERE beneficiary_group_id IS NOT NULL;

-- Each member's latest "yes" to a coffee check-in (retention), read from the index alone.
CREATE INDEX coffee_members_by_user_answer
    ON coffee_meeting_members (guild_id, user_id, answer, answered_at);
