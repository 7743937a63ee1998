"""Acts of kindness: recording, viewing and counting them together."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.kindness._cog import KindnessCog

if TYPE_CHECKING:
    from bot.core import KindBot


async def setup(bot: KindBot) -> None:
    await bot.add_cog(KindnessCog(bot))
