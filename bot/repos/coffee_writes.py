"""Writing a round's new meetings in bulk, for the roulette and every programme.

A 20,000-member round is 20,000 member rows. Each row would run the per-row totals
trigger (``migrations/0010_speed.sql``), so the writer lists the server in
``coffee_bulk_writes`` (which sets the trigger aside, ``migrations/0014``), writes the
rows, adds their pairs to ``coffee_totals`` with one set-based update and takes the
server off the list, all inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.db import Tx
from bot.repos.coffee_records import NewMeeting

#: The pairs inside the round's meetings from ``position`` on (all new, all unanswered):
#: what the per-row trigger would have added, one row at a time.
_ADD_PAIRS = (
    "UPDATE coffee_totals SET "
    "pairs = pairs + ("
    "SELECT count(*) FROM coffee_meetings m "
    "JOIN coffee_meeting_members a ON a.meeting_id = m.meeting_id "
    "JOIN coffee_meeting_members b ON b.meeting_id = m.meeting_id AND b.id < a.id "
    "WHERE m.round_id = :round AND m.position >= :position), "
    "cross_group_pairs = cross_group_pairs + ("
    "SELECT count(*) FROM coffee_meetings m "
    "JOIN coffee_meeting_members a ON a.meeting_id = m.meeting_id "
    "JOIN coffee_meeting_members b ON b.meeting_id = m.meeting_id AND b.id < a.id "
    "WHERE m.round_id = :round AND m.position >= :position AND a.group_id != b.group_id) "
    "WHERE guild_id = :guild"
)


async def insert_meetings(
    tx: Tx, round_id: int, guild_id: int, meetings: Sequence[NewMeeting], first_position: int = 0
) -> list[int]:
    """Write ``meetings`` at ``first_position`` onwards; their ids, in the same order."""
    if not meetings:
        return []
    await tx.executemany(
        "INSERT INTO coffee_meetings (round_id, guild_id, position, cross_group) "
        "VALUES (?, ?, ?, ?)",
        [
            (round_id, guild_id, position, int(meeting.cross_group))
            for position, meeting in enumerate(meetings, first_position)
        ],
    )
    rows = await tx.fetchall(
        "SELECT position, meeting_id FROM coffee_meetings "
        "WHERE round_id = ? AND position >= ? ORDER BY position",
        (round_id, first_position),
    )
    ids = [int(meeting_id) for _, meeting_id in rows]
    await tx.execute("INSERT INTO coffee_bulk_writes (guild_id) VALUES (?)", (guild_id,))
    await tx.executemany(
        "INSERT INTO coffee_meeting_members (meeting_id, guild_id, user_id, group_id) "
        "VALUES (?, ?, ?, ?)",
        [
            (meeting_id, guild_id, user, group)
            for meeting_id, meeting in zip(ids, meetings, strict=True)
            for user, group in meeting.members
        ],
    )
    await tx.execute(_ADD_PAIRS, {"round": round_id, "position": first_position, "guild": guild_id})
    await tx.execute("DELETE FROM coffee_bulk_writes WHERE guild_id = ?", (guild_id,))
    return ids
