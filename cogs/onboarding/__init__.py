"""Becoming a champion, the profile, leaving, and members arriving or going.

What lives where:

- ``_cog``: ``/join``, ``/profile``, ``/leave`` and the greeting for arriving members;
- ``_form``: the ephemeral profile form, its review step and the Edit button;
- ``_welcome``: the persistent "Become a Kindness Champion" button;
- ``_render``: the embeds for the form, the review and a profile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.onboarding._cog import OnboardingCog

if TYPE_CHECKING:
    from bot.core import KindBot


async def setup(bot: KindBot) -> None:
    await bot.add_cog(OnboardingCog(bot))
