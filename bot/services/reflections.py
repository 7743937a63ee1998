"""Weekly reflections on the week's condition, and opt-in reminders."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.models import ChampionStatus, Reflection
from bot.problems import UserFacingError
from bot.repos.champions import ChampionRepo
from bot.repos.guilds import GuildRepo
from bot.repos.reflections import ReflectionRepo
from bot.scheduler.timing import period_key_for
from bot.services.content import Condition, PromptKind
from bot.services.defaults import DEFAULT_TIMEZONE
from bot.services.kindness import parse_visibility
from bot.services.prompts import PromptService
from bot.services.text_rules import clean_text

BODY_LIMIT = 1500


@dataclass(frozen=True)
class WeekPrompt:
    period_key: str
    condition: Condition
    question: str


class ReflectionService:
    def __init__(
        self,
        repo: ReflectionRepo,
        champions: ChampionRepo,
        guilds: GuildRepo,
        prompts: PromptService,
        clock: Clock,
    ) -> None:
        self._repo = repo
        self._champions = champions
        self._guilds = guilds
        self.prompts = prompts
        self._clock = clock

    async def current_period(self, guild_id: int) -> str:
        config = await self._guilds.config(guild_id)
        return period_key_for(self._clock.now(), config.timezone if config else DEFAULT_TIMEZONE)

    async def this_week(self, guild_id: int) -> WeekPrompt:
        period = await self.current_period(guild_id)
        condition = await self.prompts.condition_for_week(guild_id, period)
        question = await self.prompts.pick(guild_id, period, condition, PromptKind.REFLECTION)
        return WeekPrompt(period, condition, question)

    @staticmethod
    def clean_body(raw: str | None) -> str:
        body = clean_text(raw, field="reflection", limit=BODY_LIMIT, required=True)
        assert body is not None
        return body

    async def _group_of(self, guild_id: int, user_id: int) -> int | None:
        champion = await self._champions.get(guild_id, user_id)
        if champion is None or champion.status is not ChampionStatus.ACTIVE:
            raise UserFacingError("reflect.not_a_champion")
        return champion.profile.group_id

    async def add(
        self, guild_id: int, user_id: int, body: str | None, visibility: str | None
    ) -> Reflection:
        text = self.clean_body(body)
        seen = parse_visibility(visibility)
        group_id = await self._group_of(guild_id, user_id)
        week = await self.this_week(guild_id)
        return await self._repo.add(
            guild_id,
            user_id,
            group_id,
            week.period_key,
            week.condition.number,
            week.question,
            text,
            seen,
            self._clock.now(),
        )

    async def edit(
        self,
        guild_id: int,
        user_id: int,
        reflection_id: int,
        body: str | None,
        visibility: str | None,
    ) -> None:
        text = self.clean_body(body)
        seen = parse_visibility(visibility)
        if not await self._repo.update(
            guild_id, user_id, reflection_id, text, seen, self._clock.now()
        ):
            raise UserFacingError("reflect.gone")

    async def delete(self, guild_id: int, user_id: int, reflection_id: int) -> None:
        if not await self._repo.delete(guild_id, user_id, reflection_id):
            raise UserFacingError("reflect.gone")

    async def get_own(self, guild_id: int, user_id: int, reflection_id: int) -> Reflection:
        found = await self._repo.get(guild_id, reflection_id)
        if found is None or found.user_id != user_id:
            raise UserFacingError("reflect.gone")
        return found

    async def mine(self, guild_id: int, user_id: int) -> list[Reflection]:
        return await self._repo.by_member(guild_id, user_id)

    async def set_reminders(self, guild_id: int, user_id: int, on: bool) -> None:
        await self._group_of(guild_id, user_id)
        await self._repo.set_reminders(guild_id, user_id, on)

    async def due_reminders(self, guild_id: int, period_key: str) -> list[int]:
        """Members who asked for reminders and have not reflected this week."""
        done = await self._repo.reflected_this_week(guild_id, period_key)
        return [u for u in await self._repo.reminder_candidates(guild_id) if u not in done]

    async def note_closed_dm_once(self, guild_id: int, user_id: int) -> bool:
        return await self._repo.note_closed_dm_once(guild_id, user_id)
