"""The guided set-up's rules: its steps, what it creates, and the choices it offers.

The wizard (``cogs/setup/_wizard.py``) shows these; nothing changes until the
coordinator presses Confirm on a step, and the step reached is stored per server
so that ``/setup start`` resumes there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from bot.clock import Clock
from bot.models import ChannelPurpose, GuildConfig
from bot.repos.setup_progress import SetupProgressRepo
from bot.services.setup import CHANNEL_NEEDS


class WizardStep(StrEnum):
    CHANNELS = "channels"
    TIMEZONE = "timezone"
    SCHEDULE = "schedule"
    WELCOME = "welcome"
    DONE = "done"

    @property
    def next(self) -> WizardStep:
        order = list(WizardStep)
        return order[min(order.index(self) + 1, len(order) - 1)]


#: Offered in the timezone menu; any other zone can be typed in.
COMMON_TIMEZONES: tuple[str, ...] = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Athens",
    "Europe/Helsinki",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "UTC",
)

#: Local times offered for the weekly pairing (every half hour, 07:00 to 19:00).
SCHEDULE_TIMES: tuple[str, ...] = tuple(
    f"{minutes // 60:02d}:{minutes % 60:02d}" for minutes in range(7 * 60, 19 * 60 + 1, 30)
)

Target = Literal["everyone", "bot", "coordinators"]


@dataclass(frozen=True)
class OverwritePlan:
    """A permission overwrite for a channel the wizard creates."""

    target: Target
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()


_LOG_READERS = ("view_channel", "send_messages", "read_message_history")


def channel_overwrites(purpose: ChannelPurpose, *, coordinator_role: bool) -> list[OverwritePlan]:
    """The overwrites of a new channel for ``purpose``.

    The bot always gets what it needs there (for coffee: private threads and sending in
    them). The coordinators' log is hidden from @everyone and shown to the coordinator
    role, if there is one; otherwise members with Manage Server see it through their
    server permissions.
    """
    bot = OverwritePlan("bot", allow=(*CHANNEL_NEEDS[purpose], "read_message_history"))
    if purpose is not ChannelPurpose.LOG:
        return [bot]
    plans = [OverwritePlan("everyone", deny=("view_channel",)), bot]
    if coordinator_role:
        plans.append(OverwritePlan("coordinators", allow=_LOG_READERS))
    return plans


def purposes_to_create(config: GuildConfig, existing: set[int]) -> list[ChannelPurpose]:
    """The purposes with no channel yet, or whose channel has been deleted."""
    return [
        purpose
        for purpose in ChannelPurpose
        if config.channel(purpose) is None or config.channel(purpose) not in existing
    ]


class SetupWizard:
    """Where each server's guided set-up is."""

    def __init__(self, progress: SetupProgressRepo, clock: Clock) -> None:
        self._progress = progress
        self._clock = clock

    async def current(self, guild_id: int) -> WizardStep:
        stored = await self._progress.step(guild_id)
        return WizardStep(stored) if stored in set(WizardStep) else WizardStep.CHANNELS

    async def go_to(self, guild_id: int, step: WizardStep) -> WizardStep:
        await self._progress.set_step(guild_id, step.value, self._clock.now())
        return step

    async def complete(self, guild_id: int, step: WizardStep) -> WizardStep:
        """``step`` is confirmed (or skipped): store and return the one after it."""
        return await self.go_to(guild_id, step.next)


CHANNEL_NAME_KEYS: Mapping[ChannelPurpose, str] = {
    ChannelPurpose.WELCOME: "wizard.name_welcome",
    ChannelPurpose.COFFEE: "wizard.name_coffee",
    ChannelPurpose.REFLECTIONS: "wizard.name_reflections",
    ChannelPurpose.DIGEST: "wizard.name_digest",
    ChannelPurpose.LOG: "wizard.name_log",
}
