"""Server set-up for coordinators: channels, roles, groups, timezone and the weekly schedule.

What lives where:

- ``_cog``: the ``/setup`` commands (every rule they apply lives in ``SetupService``);
- ``_diagnostics``: what the bot can actually do in the server, for ``/setup show``;
- ``_wizard``: ``/setup start``, the guided set-up of channels, timezone, schedule and welcome post;
- ``_greetings``: the daily clean-up of newcomers' welcome greetings;
- ``_alerts``: telling coordinators once a day when the bot loses a permission it needs;
- ``_removal``: the question before a group with champions is removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.setup._alerts import AlertsCog
from cogs.setup._cog import SetupCog
from cogs.setup._greetings import GreetingCleanupCog

if TYPE_CHECKING:
    from bot.core import KindBot


async def setup(bot: KindBot) -> None:
    await bot.add_cog(SetupCog(bot))
    await bot.add_cog(AlertsCog(bot))
    await bot.add_cog(GreetingCleanupCog(bot))
