"""Programmes: any rhythm, any group size, online or in person, each in its own channel.

What lives where:

- ``_cog``: ``/programme ...``, the coordinators' commands (create, edit, pause, resume,
  list, remove, introduce, add-late);
- ``_members``: ``/programmes``, a member's own programmes with Join, Leave, Pause and Skip;
- ``_options``: the choices, autocomplete and checks the commands share;
- ``_rounds``: the scheduled work: one job per programme that makes and announces its
  round, and the daily notice that a paused programme is back;
- ``_announce``: one private thread per meeting (DMs when that fails), sit-out notes,
  region offers and the coordinators' warnings;
- ``_times``: the **Find a time** button, the ticking of slots and the agreed time with
  its calendar file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.programmes._cog import ProgrammeCog
from cogs.programmes._members import MembersCog

if TYPE_CHECKING:
    from bot.core import KindBot


async def setup(bot: KindBot) -> None:
    await bot.add_cog(ProgrammeCog(bot))
    await bot.add_cog(MembersCog(bot))
