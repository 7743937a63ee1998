-- A round's members are written in bulk. While a server is listed in
-- coffee_bulk_writes, the per-row totals trigger stands aside and the writer adds the
-- new meetings' pairs to coffee_totals with one set-based update, in the same
-- transaction that lists the server, writes the members and takes the server off the
-- list again. Every other insert (a late joiner added to a meeting) keeps the trigger.
CREATE TABLE coffee_bulk_writes (
    guild_id INTEGER PRIMARY KEY
) WITHOUT ROWID;

DROP TRIGGER coffee_totals_member_insert;

CREATE TRIGGER coffee_totals_member_insert AFTER INSERT ON coffee_meeting_members
WHEN NOT EXISTS (SELECT 1 FROM coffee_bulk_writes b WHERE b.guild_id = NEW.guild_id)
BEGIN
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

-- (guild_id, user_id) leads coffee_members_by_user_answer, which serves every look-up
-- this index served; one index fewer to update for each member of a new round.
DROP INDEX coffee_members_by_user;
