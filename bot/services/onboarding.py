"""Becoming a champion, changing a profile, leaving, and coming back.

Nothing is written until the member confirms, and then in one transaction, so an
abandoned form leaves no trace.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.clock import Clock
from bot.models import Champion, ChampionStatus, Group, Profile
from bot.problems import UserFacingError
from bot.repos.champions import ChampionRepo
from bot.repos.guilds import GuildRepo
from bot.repos.privacy import PrivacyRepo
from bot.services.content import ContentLibrary
from bot.services.setup import clean_timezone
from bot.services.text_rules import clean_text

INTRO_LIMIT = 300


@dataclass(frozen=True)
class JoinResult:
    champion: Champion
    created: bool
    group: Group
    previous_group: Group | None


@dataclass(frozen=True)
class RolePlan:
    """Role ids to add and remove so a member's roles match their profile."""

    add: tuple[int, ...]
    remove: tuple[int, ...]


def plan_roles(
    champion_role_id: int | None, group: Group | None, previous: Group | None, *, joining: bool
) -> RolePlan:
    add: list[int] = []
    remove: list[int] = []
    if joining:
        if champion_role_id:
            add.append(champion_role_id)
        if group and group.role_id:
            add.append(group.role_id)
        if previous and previous.role_id and previous.role_id != (group.role_id if group else None):
            remove.append(previous.role_id)
    else:
        if champion_role_id:
            remove.append(champion_role_id)
        if group and group.role_id:
            remove.append(group.role_id)
    return RolePlan(tuple(add), tuple(remove))


class OnboardingService:
    def __init__(
        self,
        guilds: GuildRepo,
        champions: ChampionRepo,
        privacy: PrivacyRepo,
        content: ContentLibrary,
        clock: Clock,
    ) -> None:
        self._guilds = guilds
        self._champions = champions
        self._privacy = privacy
        self.content = content
        self._clock = clock

    def now(self) -> datetime:
        return self._clock.now()

    # Checking the form's answers

    @staticmethod
    def clean_intro(raw: str | None) -> str | None:
        return clean_text(raw, field="intro", limit=INTRO_LIMIT, required=False)

    def choose_region(self, profile: Profile, region_id: str) -> Profile:
        region = self.content.region(region_id)
        if region is None:
            raise UserFacingError("onboarding.region_unknown")
        timezone = region.timezone if region.timezone else profile.timezone
        return replace(profile, region_id=region.id, timezone=timezone)

    def choose_timezone(self, profile: Profile, raw: str) -> Profile:
        return replace(profile, timezone=clean_timezone(raw))

    def choose_interests(self, profile: Profile, interest_ids: list[str]) -> Profile:
        known = {i for i in interest_ids if self.content.interest(i) is not None}
        return replace(profile, interests=frozenset(known))

    def check_complete(self, profile: Profile) -> None:
        """The answers needed before the review step; raises with what is missing."""
        if profile.group_id is None:
            raise UserFacingError("onboarding.group_required")
        if profile.region_id is None:
            raise UserFacingError("onboarding.region_required")
        region = self.content.region(profile.region_id)
        if region is None:
            raise UserFacingError("onboarding.region_unknown")
        if region.needs_timezone and not profile.timezone:
            raise UserFacingError("onboarding.timezone_required")

    # Reading

    async def groups(self, guild_id: int) -> list[Group]:
        await self._guilds.ensure(guild_id, self.now())
        return await self._guilds.groups(guild_id)

    async def champion(self, guild_id: int, user_id: int) -> Champion | None:
        return await self._champions.get(guild_id, user_id)

    async def champion_role_id(self, guild_id: int) -> int | None:
        return await self._guilds.champion_role(guild_id)

    # Writing

    async def join(self, guild_id: int, user_id: int, profile: Profile) -> JoinResult:
        """Save the profile (new or edited) after checking it is complete and current."""
        self.check_complete(profile)
        assert profile.group_id is not None
        group = await self._guilds.group(guild_id, profile.group_id)
        if group is None:
            raise UserFacingError("onboarding.group_gone")
        intro = self.clean_intro(profile.intro)
        previous = await self._champions.get(guild_id, user_id)
        previous_group = None
        if previous and previous.profile.group_id and previous.profile.group_id != group.group_id:
            previous_group = await self._guilds.group(guild_id, previous.profile.group_id)
        final = replace(profile, intro=intro)
        created = await self._champions.save(guild_id, user_id, final, self.now())
        champion = await self._champions.get(guild_id, user_id)
        assert champion is not None
        return JoinResult(champion, created, group, previous_group)

    async def leave(self, guild_id: int, user_id: int, *, keep_data: bool) -> Champion:
        champion = await self._champions.get(guild_id, user_id)
        if champion is None or champion.status is ChampionStatus.LEFT:
            raise UserFacingError("onboarding.not_a_champion")
        if keep_data:
            await self._champions.set_coffee(guild_id, user_id, False, self.now())
            await self._champions.set_status(guild_id, user_id, ChampionStatus.LEFT, self.now())
        else:
            await self._privacy.forget(guild_id, user_id)
        return champion

    async def member_left_server(self, guild_id: int, user_id: int) -> bool:
        champion = await self._champions.get(guild_id, user_id)
        if champion is None or champion.status is not ChampionStatus.ACTIVE:
            return False
        return await self._champions.set_status(guild_id, user_id, ChampionStatus.AWAY, self.now())

    async def member_returned(self, guild_id: int, user_id: int) -> Champion | None:
        """Bring back the profile of a champion who left the server; None if there is none."""
        champion = await self._champions.get(guild_id, user_id)
        if champion is None or champion.status is not ChampionStatus.AWAY:
            return None
        await self._champions.set_status(guild_id, user_id, ChampionStatus.ACTIVE, self.now())
        return await self._champions.get(guild_id, user_id)

    async def group_of(self, champion: Champion) -> Group | None:
        if champion.profile.group_id is None:
            return None
        return await self._guilds.group(champion.guild_id, champion.profile.group_id)
