"""The "Become a Kindness Champion" button's id, shared by the welcome post and invitations.

In the server, the persistent welcome view answers ``JOIN_BUTTON_ID``. In a direct
message there is no server to read from the click, so an invitation's button
carries it: ``JOIN_BUTTON_ID:<server id>``.
"""

from __future__ import annotations

import re

from cogs.shared.posts import JOIN_BUTTON_ID

__all__ = ["JOIN_BUTTON_ID", "JOIN_IN_DM_TEMPLATE", "join_in_dm_id"]
JOIN_IN_DM_TEMPLATE = re.escape(JOIN_BUTTON_ID) + r":(?P<guild_id>[0-9]{15,21})"


def join_in_dm_id(guild_id: int) -> str:
    return f"{JOIN_BUTTON_ID}:{guild_id}"
