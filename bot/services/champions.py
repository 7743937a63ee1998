"""What coordinators see about their champions, and each member's own data."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.models import Champion, ChampionStatus, Group
from bot.problems import UserFacingError
from bot.repos.champions import ChampionRepo
from bot.repos.guilds import GuildRepo
from bot.repos.privacy import PrivacyRepo
from bot.services.setup import MIN_GROUPS
from bot.services.spreadsheet import spreadsheet_safe

RECENT_DAYS = 14
RECENT_SHOWN = 15


@dataclass(frozen=True)
class RemovedGroup:
    """A removed group, where its champions went (None: they choose again), and who they are."""

    group: Group
    moved_to: Group | None
    #: Active champions who were in the group, who are told what happened.
    active: list[int]


@dataclass(frozen=True)
class Overview:
    total: int
    by_group: list[tuple[Group | None, int]]
    recent: list[Champion]


class ChampionsService:
    def __init__(
        self, guilds: GuildRepo, champions: ChampionRepo, privacy: PrivacyRepo, clock: Clock
    ) -> None:
        self._guilds = guilds
        self._champions = champions
        self._privacy = privacy
        self._clock = clock

    async def overview(self, guild_id: int) -> Overview:
        counts = await self._champions.counts_by_group(guild_id)
        groups = {g.group_id: g for g in await self._guilds.groups(guild_id)}
        by_group: list[tuple[Group | None, int]] = [
            (group, counts.get(gid, 0)) for gid, group in groups.items()
        ]
        if counts.get(None):
            by_group.append((None, counts[None]))
        since = self._clock.now() - timedelta(days=RECENT_DAYS)
        recent = await self._champions.recent_active(guild_id, since, RECENT_SHOWN)
        return Overview(sum(counts.values()), by_group, recent)

    async def set_group(
        self, guild_id: int, user_id: int, group_name: str
    ) -> tuple[Group, Group | None]:
        champion = await self._champions.get(guild_id, user_id)
        if champion is None:
            raise UserFacingError("champions.not_a_champion")
        group = await self._guilds.group_by_name(guild_id, group_name)
        if group is None:
            raise UserFacingError("setup.group_unknown", name=" ".join(group_name.split())[:60])
        previous = None
        if champion.profile.group_id is not None:
            previous = await self._guilds.group(guild_id, champion.profile.group_id)
        await self._champions.set_group(guild_id, user_id, group.group_id, self._clock.now())
        return group, previous

    async def active_in_group(self, guild_id: int, group_id: int) -> list[int]:
        """The active champions in a group, who a removal would affect."""
        champions = await self._champions.all(guild_id, ChampionStatus.ACTIVE)
        return [c.user_id for c in champions if c.profile.group_id == group_id]

    async def remove_group(
        self, guild_id: int, group_id: int, move_to: int | None = None
    ) -> RemovedGroup:
        """Remove a group, moving its champions to ``move_to`` or leaving them to choose again.

        Until a champion chooses again they have no group, and the coffee roulette
        leaves them out (it pairs across groups).
        """
        groups = {g.group_id: g for g in await self._guilds.groups(guild_id)}
        group = groups.get(group_id)
        if group is None:
            raise UserFacingError("setup.group_gone")
        if len(groups) <= MIN_GROUPS:
            raise UserFacingError("setup.group_last_ones", minimum=MIN_GROUPS)
        target = None
        if move_to is not None:
            target = groups.get(move_to)
            if target is None or target.group_id == group_id:
                raise UserFacingError("setup.group_gone")
        everyone = await self._champions.all(guild_id)
        members = [c for c in everyone if c.profile.group_id == group_id]
        now = self._clock.now()
        if target is not None:
            for champion in members:
                await self._champions.set_group(guild_id, champion.user_id, target.group_id, now)
        await self._guilds.remove_group(guild_id, group_id)
        active = [c.user_id for c in members if c.status is ChampionStatus.ACTIVE]
        return RemovedGroup(group, target, active)

    async def choose_group(self, guild_id: int, user_id: int, group_id: int) -> Group:
        """A champion picks their group again, after theirs was removed."""
        champion = await self._champions.get(guild_id, user_id)
        if champion is None:
            raise UserFacingError("champions.not_a_champion")
        group = await self._guilds.group(guild_id, group_id)
        if group is None:
            raise UserFacingError("onboarding.regroup_gone")
        await self._champions.set_group(guild_id, user_id, group.group_id, self._clock.now())
        return group

    async def export_csv(self, guild_id: int, name_of: Callable[[int], str | None]) -> str:
        groups = {g.group_id: g.name for g in await self._guilds.groups(guild_id)}
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "user_id",
                "name",
                "group",
                "region",
                "timezone",
                "interests",
                "coffee_roulette",
                "digest_may_name",
                "status",
                "joined_at",
                "intro",
            ]
        )
        for c in await self._champions.all(guild_id):
            p = c.profile
            row: list[Any] = [
                c.user_id,
                name_of(c.user_id) or "",
                groups.get(p.group_id, "") if p.group_id else "",
                p.region_id or "",
                p.timezone or "",
                ";".join(sorted(p.interests)),
                "yes" if p.coffee_opt_in else "no",
                "yes" if p.digest_name_ok else "no",
                c.status.value,
                c.joined_at.isoformat(),
                p.intro or "",
            ]
            writer.writerow([spreadsheet_safe(v) for v in row])
        return out.getvalue()

    async def my_data(self, guild_id: int, user_id: int) -> bytes:
        rows = await self._privacy.export(guild_id, user_id)
        document = {
            "guild_id": str(guild_id),
            "user_id": str(user_id),
            "exported_at": self._clock.now().isoformat(),
            "tables": rows,
        }
        return json.dumps(document, indent=2, ensure_ascii=False, default=str).encode()

    async def forget(self, guild_id: int, user_id: int) -> int:
        return await self._privacy.forget(guild_id, user_id)

    async def has_data(self, guild_id: int, user_id: int) -> bool:
        rows = await self._privacy.export(guild_id, user_id)
        return any(rows.values())


def joined_label(when: datetime) -> str:
    return when.strftime("%d %b %Y")
