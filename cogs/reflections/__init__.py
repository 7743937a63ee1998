"""Weekly reflections on the week's condition."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.reflections._cog import ReflectionsCog

if TYPE_CHECKING:
    from bot.core import KindBot


async def setup(bot: KindBot) -> None:
    await bot.add_cog(ReflectionsCog(bot))
