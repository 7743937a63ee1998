"""The pulse in Discord: consent lives in the profile form; this cog sends the pulse
(a baseline right after someone switches it on, then one per period), takes the
one-tap answers, and gives coordinators ``/pulse``.

What lives where:

- ``_cog``: the cog, its daily job, ``/pulse`` and the baseline after consent;
- ``_answer``: the question messages and their buttons, which work after restarts;
- ``_quarterly``: the quarterly impact report in the coordinators' log channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.pulse._cog import PulseCog

if TYPE_CHECKING:
    from bot.core import KindBot


async def setup(bot: KindBot) -> None:
    await bot.add_cog(PulseCog(bot))
