-- A meeting's members, read from the index alone.
--
-- Reading the recent rounds' history (who met whom) asks, for each meeting, for its
-- members' ids. With the index on meeting_id alone, each member cost a look-up in
-- the table as well. Carrying user_id in the index answers from the index alone.
--
-- The row id comes before user_id so that a meeting's members keep coming back in
-- the order they were written, as they did from the old index: the pairing engine
-- reads its history in that order, and a round must not change with the index.
DROP INDEX coffee_members_by_meeting;

CREATE INDEX coffee_members_by_meeting ON coffee_meeting_members (meeting_id, id, user_id);
