"""Onboarding: becoming a champion, the profile, leaving, and greeting newcomers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.onboarding._cog import OnboardingCog

if TYPE_CHECKING:
    from bot.core import KindBot


async def setup(bot: KindBot) -> None:
    await bot.add_cog(OnboardingCog(bot))
