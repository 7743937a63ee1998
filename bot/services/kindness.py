"""Recording acts of kindness: kind limits, no accidental doubles, honest totals.

Totals count every act (private ones too, as numbers only); lists show only acts
whose visibility allows it, and name their author only with consent.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.models import Act, ChampionStatus, Group, Visibility
from bot.problems import UserFacingError
from bot.repos.champions import ChampionRepo
from bot.repos.guilds import GuildRepo
from bot.repos.kindness import KindnessRepo, NewAct
from bot.services.defaults import DEFAULT_TIMEZONE
from bot.services.text_rules import clean_text

WHAT_LIMIT = 1000
WHO_LIMIT = 200
DUPLICATE_WINDOW = timedelta(minutes=1)
LIMIT_WINDOW = timedelta(days=1)
CONDITION_COUNT = 10


def text_key(text: str) -> str:
    """The same words, whatever the case, spacing or Unicode form."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def parse_condition(raw: str | int | None) -> int | None:
    if raw is None or raw == "" or raw == "none":
        return None
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise UserFacingError("kindness.condition_range", count=CONDITION_COUNT) from None
    if not 1 <= number <= CONDITION_COUNT:
        raise UserFacingError("kindness.condition_range", count=CONDITION_COUNT)
    return number


def parse_visibility(raw: str | None) -> Visibility:
    try:
        return Visibility(raw or Visibility.SHAREABLE.value)
    except ValueError:
        raise UserFacingError("kindness.visibility_unknown") from None


def week_start(now: datetime, timezone: str) -> datetime:
    """Monday 00:00 of the current week, in the guild's own time."""
    local = now.astimezone(ZoneInfo(timezone))
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday


@dataclass(frozen=True)
class Totals:
    count: int
    by_condition: dict[int | None, int]
    by_group: dict[int | None, int]


@dataclass(frozen=True)
class KindnessStats:
    week: Totals
    all_time: Totals


class KindnessService:
    def __init__(
        self, repo: KindnessRepo, champions: ChampionRepo, guilds: GuildRepo, clock: Clock
    ) -> None:
        self._repo = repo
        self._champions = champions
        self._guilds = guilds
        self._clock = clock

    @staticmethod
    def clean(
        what: str | None,
        who: str | None,
        condition: str | int | None,
        visibility: str | None,
        source: str = "form",
    ) -> NewAct:
        text = clean_text(what, field="what happened", limit=WHAT_LIMIT, required=True)
        assert text is not None
        benefited = clean_text(who, field="who benefited", limit=WHO_LIMIT, required=False)
        return NewAct(
            what=text,
            who_benefited=benefited,
            condition_number=parse_condition(condition),
            visibility=parse_visibility(visibility),
            source=source,
            text_key=text_key(text),
        )

    async def _group_of(self, guild_id: int, user_id: int) -> int | None:
        champion = await self._champions.get(guild_id, user_id)
        if champion is None or champion.status is not ChampionStatus.ACTIVE:
            raise UserFacingError("kindness.not_a_champion")
        return champion.profile.group_id

    async def log(self, guild_id: int, user_id: int, act: NewAct) -> tuple[Act, bool]:
        """Store the act; (act, False) means an identical one from the last minute."""
        group_id = await self._group_of(guild_id, user_id)
        now = self._clock.now()
        limit = await self._repo.daily_limit(guild_id)
        stored, created = await self._repo.add(
            guild_id,
            user_id,
            group_id,
            act,
            now,
            since=now - LIMIT_WINDOW,
            duplicate_since=now - DUPLICATE_WINDOW,
            limit=limit,
        )
        if stored is None:
            raise UserFacingError("kindness.daily_limit", count=limit, limit=limit)
        return stored, created

    async def edit(self, guild_id: int, user_id: int, act_id: int, act: NewAct) -> None:
        if not await self._repo.update(guild_id, user_id, act_id, act, self._clock.now()):
            raise UserFacingError("kindness.gone")

    async def beneficiary_choices(self, guild_id: int) -> list[Group]:
        """The server's groups an act can say it helped, in the order they were added."""
        return await self._guilds.groups(guild_id)

    async def set_beneficiary(
        self, guild_id: int, user_id: int, act_id: int, group_id: int | None
    ) -> Group | None:
        """Note which of the server's groups the member's act helped (None: prefer not
        to say); the group noted, or UserFacingError when the group or act is gone."""
        group = None
        if group_id is not None:
            group = await self._guilds.group(guild_id, group_id)
            if group is None:
                raise UserFacingError("kindness.benefit_group_gone")
        if not await self._repo.set_beneficiary(guild_id, user_id, act_id, group_id):
            if group_id is not None and await self._guilds.group(guild_id, group_id) is None:
                raise UserFacingError("kindness.benefit_group_gone")  # removed just now
            raise UserFacingError("kindness.gone")
        return group

    async def delete(self, guild_id: int, user_id: int, act_id: int) -> None:
        if not await self._repo.delete(guild_id, user_id, act_id):
            raise UserFacingError("kindness.gone")

    async def get_own(self, guild_id: int, user_id: int, act_id: int) -> Act:
        act = await self._repo.get(guild_id, act_id)
        if act is None or act.user_id != user_id:
            raise UserFacingError("kindness.gone")
        return act

    async def mine(self, guild_id: int, user_id: int) -> list[Act]:
        return await self._repo.by_member(guild_id, user_id)

    async def recent(self, guild_id: int) -> list[tuple[Act, bool]]:
        """Shareable acts, newest first, each with whether its author may be named."""
        acts = await self._repo.recent_shareable(guild_id)
        result = []
        for act in acts:
            champion = await self._champions.get(guild_id, act.user_id)
            named = bool(champion and champion.profile.digest_name_ok)
            result.append((act, named))
        return result

    async def stats(self, guild_id: int) -> KindnessStats:
        config = await self._guilds.config(guild_id)
        start = week_start(self._clock.now(), config.timezone if config else DEFAULT_TIMEZONE)
        week = Totals(*await self._repo.totals(guild_id, start))
        everything = Totals(*await self._repo.totals(guild_id, None))
        return KindnessStats(week, everything)

    async def set_daily_limit(self, guild_id: int, limit: int) -> None:
        if not 1 <= limit <= 200:
            raise UserFacingError("kindness.limit_range")
        await self._repo.set_daily_limit(guild_id, limit)
