"""Weekly reflections on the week's condition.

What lives where:

- ``_cog``: ``/reflect``, ``/reflections`` and the weekly reminder job;
- ``_forms``: the reflection form, the persistent "Share a reflection" button and
  the "mine" list that edits or deletes one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.reflections._cog import ReflectionsCog

if TYPE_CHECKING:
    from bot.core import KindBot


async def setup(bot: KindBot) -> None:
    await bot.add_cog(ReflectionsCog(bot))
