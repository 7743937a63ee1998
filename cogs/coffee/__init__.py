"""The weekly coffee roulette across groups.

What lives where:

- ``_cog``: ``/coffee``, members' own choices and the coordinators' tools;
- ``_jobs``: the scheduled work: making the week's round, daily check-ins, the heads-up;
- ``_announce``: announcing a round: one private thread per meeting, DMs when that
  fails, and the check-in and heads-up posts;
- ``_progress``: ``/coffee run-now``'s reply while a long round is announced;
- ``_checkin``: the "Did you meet?" buttons, "Skip this week" and "Log an act";
- ``_render``: the introduction embed and the coffee colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.coffee._cog import CoffeeCog

if TYPE_CHECKING:
    from bot.core import KindBot


async def setup(bot: KindBot) -> None:
    await bot.add_cog(CoffeeCog(bot))
