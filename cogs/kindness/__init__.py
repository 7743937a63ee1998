"""Acts of kindness: recording, viewing and counting them together.

What lives where:

- ``_cog``: ``/kindness`` and the "Record as act of kindness" message command;
- ``_forms``: an act as one line, and the "mine" list that edits or deletes one.

The act form itself is ``cogs.shared.act_form``, because the coffee cog opens it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.kindness._cog import KindnessCog

if TYPE_CHECKING:
    from bot.core import KindBot


async def setup(bot: KindBot) -> None:
    await bot.add_cog(KindnessCog(bot))
