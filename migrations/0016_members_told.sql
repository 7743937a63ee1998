-- Each member's meeting rows, found by member, in two indexes instead of one.
--
-- A new round's rows are not yet told (reached IS NULL): they go into a small index
-- that holds only the rows of meetings still being announced. Once the announcement
-- reaches a member (thread, DM or unreachable), their row moves to the large index,
-- one row at a time. So storing a 20,000-member round inserts into small, hot
-- b-trees instead of 20,000 random places in an index of every meeting ever held.
--
-- Together the two indexes hold every row exactly once: a look-up by member reads
-- both (see MEMBER_ROWS in bot/repos/coffee_rows.py).
DROP INDEX coffee_members_by_user_answer;

-- Told rows; each member's latest "yes" (retention) is read from this index alone.
CREATE INDEX coffee_members_by_user_told
    ON coffee_meeting_members (guild_id, user_id, answer, answered_at)
    WHERE reached IS NOT NULL;

CREATE INDEX coffee_members_by_user_untold
    ON coffee_meeting_members (guild_id, user_id)
    WHERE reached IS NULL;
