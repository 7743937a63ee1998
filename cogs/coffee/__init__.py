"""The weekly coffee roulette across groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.coffee._cog import CoffeeCog

if TYPE_CHECKING:
    from bot.core import KindBot


async def setup(bot: KindBot) -> None:
    await bot.add_cog(CoffeeCog(bot))
