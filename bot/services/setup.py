"""Guild set-up rules: what a valid group, timezone or weekly time is.

The setup cog only translates Discord interactions into these calls; every rule
about what is allowed lives here, where it can be tested without Discord.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache

from bot.clock import Clock
from bot.models import ChannelPurpose, Group, GuildConfig, ScheduledJob, WeeklyTime
from bot.problems import UserFacingError
from bot.repos.guilds import DuplicateGroupError, GuildRepo
from bot.services.defaults import DEFAULT_TIMEZONE

GROUP_NAME_MAX = 50
MIN_GROUPS = 2
#: A member picks their group from one menu, and Discord shows at most 25 options.
MAX_GROUPS = 25
_CUSTOM_EMOJI = re.compile(r"^<a?:[A-Za-z0-9_]{2,32}:\d{15,21}>$")
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}

#: What the bot must be able to do in each configured channel, and why.
CHANNEL_NEEDS: Mapping[ChannelPurpose, tuple[str, ...]] = {
    ChannelPurpose.WELCOME: ("view_channel", "send_messages", "embed_links"),
    ChannelPurpose.COFFEE: (
        "view_channel",
        "send_messages",
        "create_private_threads",
        "send_messages_in_threads",
        "embed_links",
    ),
    ChannelPurpose.REFLECTIONS: ("view_channel", "send_messages", "embed_links"),
    ChannelPurpose.DIGEST: ("view_channel", "send_messages", "embed_links", "attach_files"),
    ChannelPurpose.LOG: ("view_channel", "send_messages", "embed_links"),
}


def clean_group_name(raw: str) -> str:
    """Trim, fold inner whitespace and drop invisible characters; reject bad names."""
    text = unicodedata.normalize("NFC", raw)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    text = " ".join(text.split())
    if not text:
        raise UserFacingError("setup.group_name_empty")
    if len(text) > GROUP_NAME_MAX:
        raise UserFacingError("setup.group_name_too_long", limit=GROUP_NAME_MAX, length=len(text))
    if "@" in text or "<" in text or "`" in text:
        raise UserFacingError("setup.group_name_symbols")
    return text


def clean_emoji(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if _CUSTOM_EMOJI.match(text):
        return text
    pictographic = any(ord(ch) >= 0x2100 for ch in text)
    plain = any((ch.isascii() and ch.isalpha()) or ch.isspace() for ch in text)
    if len(text) > 8 or plain or not pictographic:
        raise UserFacingError("setup.emoji_invalid")
    return text


@cache
def _all_timezones() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


@cache
def _cities() -> dict[str, str]:
    """Each place's own name (``london``, ``new_york``) to its timezone, the shortest first."""
    cities: dict[str, str] = {}
    for name in sorted(_all_timezones().values(), key=lambda n: (len(n), n)):
        if "/" in name and not name.startswith("Etc/"):
            cities.setdefault(name.rsplit("/", 1)[1].casefold(), name)
    return cities


def clean_timezone(raw: str) -> str:
    """An IANA name in any case, or a city's own name such as ``London`` or ``New York``."""
    typed = raw.strip().casefold()
    name = _all_timezones().get(typed) or _cities().get("_".join(typed.split()))
    if name is None:
        raise UserFacingError("setup.timezone_unknown", timezone=raw.strip()[:60])
    return name


def suggest_timezones(typed: str, limit: int = 25) -> list[str]:
    """Timezones matching what the coordinator has typed so far, best matches first."""
    needle = typed.strip().casefold().replace(" ", "_")
    names = sorted(_all_timezones().values())
    if not needle:
        preferred = [DEFAULT_TIMEZONE, "Europe/Dublin", "UTC"]
        return preferred + [n for n in names if n not in preferred][: limit - len(preferred)]
    city = _cities().get(needle)
    starts = [n for n in names if n.casefold().startswith(needle) or n == city]
    starts.sort(key=lambda n: n != city)
    parts = [n for n in names if n not in starts and any(p.startswith(needle) for p in _parts(n))]
    contains = [n for n in names if n not in starts and n not in parts and needle in n.casefold()]
    return (starts + parts + contains)[:limit]


def _parts(name: str) -> Iterable[str]:
    return (part.casefold() for part in name.split("/"))


def parse_time_of_day(raw: str) -> tuple[int, int]:
    match = _TIME.match(raw)
    if match is None:
        raise UserFacingError("setup.time_invalid", value=raw.strip()[:20])
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise UserFacingError("setup.time_invalid", value=raw.strip()[:20])
    return hour, minute


def role_problem(
    *, is_default: bool, is_managed: bool, position: int, bot_top_position: int
) -> str | None:
    """Why the bot could not hand out a role, as a message key, or None if it can."""
    if is_default:
        return "setup.role_everyone"
    if is_managed:
        return "setup.role_managed"
    if position >= bot_top_position:
        return "setup.role_above_bot"
    return None


def channel_problems(purpose: ChannelPurpose, granted: set[str]) -> list[str]:
    """The permissions the bot lacks in a channel used for ``purpose``."""
    return [perm for perm in CHANNEL_NEEDS[purpose] if perm not in granted]


class SetupService:
    """Changes to a guild's settings, each validated before anything is written."""

    def __init__(self, guilds: GuildRepo, clock: Clock) -> None:
        self._guilds = guilds
        self._clock = clock

    def now(self) -> datetime:
        return self._clock.now()

    async def ensure_guild(self, guild_id: int) -> bool:
        """Give a server its default settings once; True when this call created them."""
        return await self._guilds.ensure(guild_id, self._clock.now())

    async def config(self, guild_id: int) -> GuildConfig | None:
        return await self._guilds.config(guild_id)

    async def champion_role(self, guild_id: int) -> int | None:
        return await self._guilds.champion_role(guild_id)

    async def add_group(
        self, guild_id: int, name: str, emoji: str | None, role_id: int | None
    ) -> Group:
        await self.ensure_guild(guild_id)
        clean = clean_group_name(name)
        icon = clean_emoji(emoji)
        if len(await self._guilds.groups(guild_id)) >= MAX_GROUPS:
            raise UserFacingError("setup.group_limit", maximum=MAX_GROUPS)
        try:
            return await self._guilds.add_group(guild_id, clean, icon, role_id, self.now())
        except DuplicateGroupError:
            raise UserFacingError("setup.group_duplicate", name=clean) from None

    async def find_group(self, guild_id: int, name: str) -> Group:
        group = await self._guilds.group_by_name(guild_id, name)
        if group is None:
            raise UserFacingError("setup.group_unknown", name=" ".join(name.split())[:60])
        return group

    async def rename_group(self, guild_id: int, old: str, new: str) -> tuple[Group, str]:
        group = await self.find_group(guild_id, old)
        clean = clean_group_name(new)
        try:
            await self._guilds.rename_group(guild_id, group.group_id, clean)
        except DuplicateGroupError:
            raise UserFacingError("setup.group_duplicate", name=clean) from None
        return group, clean

    async def remove_group(self, guild_id: int, name: str) -> Group:
        group = await self.find_group(guild_id, name)
        groups = await self._guilds.groups(guild_id)
        if len(groups) <= MIN_GROUPS:
            raise UserFacingError("setup.group_last_ones", minimum=MIN_GROUPS)
        await self._guilds.remove_group(guild_id, group.group_id)
        return group

    async def groups(self, guild_id: int) -> list[Group]:
        await self.ensure_guild(guild_id)
        return await self._guilds.groups(guild_id)

    async def set_timezone(self, guild_id: int, raw: str) -> str:
        await self.ensure_guild(guild_id)
        name = clean_timezone(raw)
        await self._guilds.set_timezone(guild_id, name)
        return name

    async def set_schedule(
        self, guild_id: int, job: ScheduledJob, day_of_week: int, time_text: str
    ) -> WeeklyTime:
        if not 0 <= day_of_week <= 6:
            raise UserFacingError("setup.day_invalid")
        hour, minute = parse_time_of_day(time_text)
        await self.ensure_guild(guild_id)
        when = WeeklyTime(day_of_week, hour, minute)
        await self._guilds.set_schedule(guild_id, job.value, when)
        return when

    async def schedules(self, guild_id: int) -> dict[ScheduledJob, WeeklyTime]:
        return {
            job: await self._guilds.schedule(guild_id, job.value) or job.default_time
            for job in ScheduledJob
        }

    async def set_channel(self, guild_id: int, purpose: ChannelPurpose, channel_id: int) -> None:
        await self.ensure_guild(guild_id)
        await self._guilds.set_channel(guild_id, purpose, channel_id)

    async def set_champion_role(self, guild_id: int, role_id: int | None) -> None:
        await self.ensure_guild(guild_id)
        await self._guilds.set_champion_role(guild_id, role_id)

    async def set_coordinator_role(self, guild_id: int, role_id: int | None) -> None:
        await self.ensure_guild(guild_id)
        await self._guilds.set_coordinator_role(guild_id, role_id)
