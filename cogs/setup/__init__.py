"""Guild set-up for coordinators: channels, groups, timezone and the weekly schedule."""

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
