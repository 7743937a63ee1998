"""Plain data shared by repositories, services and cogs (no Discord, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ChannelPurpose(StrEnum):
    """The channels a guild can assign, each with one job."""

    WELCOME = "welcome"
    COFFEE = "coffee"
    REFLECTIONS = "reflections"
    DIGEST = "digest"
    LOG = "log"

    @property
    def column(self) -> str:
        return f"{self.value}_channel_id"


@dataclass(frozen=True)
class Group:
    group_id: int
    guild_id: int
    name: str
    emoji: str | None
    role_id: int | None

    @property
    def label(self) -> str:
        return f"{self.emoji} {self.name}" if self.emoji else self.name


@dataclass(frozen=True)
class WeeklyTime:
    """A day of the week (0 = Monday) and a local time of day."""

    day_of_week: int
    hour: int
    minute: int

    def minus_hours(self, hours: int) -> WeeklyTime:
        """The same weekly moment ``hours`` earlier, wrapping around the week."""
        week = 7 * 24 * 60
        minutes = (self.day_of_week * 1440 + self.hour * 60 + self.minute - hours * 60) % week
        return WeeklyTime(minutes // 1440, minutes % 1440 // 60, minutes % 60)

    def describe(self) -> str:
        day = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        return f"{day[self.day_of_week]} {self.hour:02d}:{self.minute:02d}"


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    timezone: str
    channels: dict[ChannelPurpose, int | None]
    coordinator_role_id: int | None
    created_at: datetime

    def channel(self, purpose: ChannelPurpose) -> int | None:
        return self.channels.get(purpose)


class ScheduledJob(StrEnum):
    """The weekly jobs a coordinator can schedule, with their default local times."""

    PAIRING = "pairing"
    PROMPT = "prompt"
    REMINDER = "reminder"
    DIGEST = "digest"

    @property
    def default_time(self) -> WeeklyTime:
        return _DEFAULT_TIMES[self]


_DEFAULT_TIMES = {
    ScheduledJob.PAIRING: WeeklyTime(0, 9, 0),
    ScheduledJob.PROMPT: WeeklyTime(0, 8, 30),
    ScheduledJob.REMINDER: WeeklyTime(3, 17, 0),
    ScheduledJob.DIGEST: WeeklyTime(4, 16, 0),
}


class ChampionStatus(StrEnum):
    ACTIVE = "active"
    AWAY = "away"  # left the server; the profile waits for their return
    LEFT = "left"  # stopped being a champion but kept their data


@dataclass(frozen=True)
class Profile:
    """What a member tells us about themselves during onboarding."""

    group_id: int | None = None
    region_id: str | None = None
    timezone: str | None = None
    interests: frozenset[str] = frozenset()
    intro: str | None = None
    coffee_opt_in: bool = False
    digest_name_ok: bool = False


@dataclass(frozen=True)
class Champion:
    guild_id: int
    user_id: int
    profile: Profile
    status: ChampionStatus
    joined_at: datetime
    updated_at: datetime

    @property
    def active(self) -> bool:
        return self.status is ChampionStatus.ACTIVE


class Visibility(StrEnum):
    """Who may see an act or a reflection."""

    SHAREABLE = "shareable"  # the community (named only with consent)
    COORDINATORS = "coordinators"
    PRIVATE = "private"


@dataclass(frozen=True)
class Act:
    act_id: int
    guild_id: int
    user_id: int
    group_id: int | None
    what: str
    who_benefited: str | None
    condition_number: int | None
    visibility: Visibility
    created_at: datetime


@dataclass(frozen=True)
class Reflection:
    reflection_id: int
    guild_id: int
    user_id: int
    group_id: int | None
    period_key: str
    condition_number: int | None
    question: str | None
    body: str
    visibility: Visibility
    created_at: datetime
