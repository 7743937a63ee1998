"""This week's condition and its prompts, chosen deterministically per guild and week."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from datetime import datetime

from bot.problems import UserFacingError
from bot.repos.prompts import GuildPrompt, PromptRepo
from bot.services.content import (
    Condition,
    ContentLibrary,
    PromptKind,
    clean_custom_prompt,
)


def seeded_choice(options: Sequence[str], *salt: object) -> str:
    """Pick one option, the same one every time for the same salt (guild, week, …)."""
    if not options:
        raise ValueError("nothing to choose from")
    digest = hashlib.sha256(":".join(str(s) for s in salt).encode()).digest()
    return options[random.Random(digest).randrange(len(options))]


def stable_seed(*salt: object) -> int:
    digest = hashlib.sha256(":".join(str(s) for s in salt).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # fits a signed 64-bit SQLite integer


class PromptService:
    def __init__(self, content: ContentLibrary, repo: PromptRepo) -> None:
        self.content = content
        self._repo = repo

    async def condition_for_week(self, guild_id: int, period_key: str) -> Condition:
        return self.content.condition(await self._repo.condition_for_week(guild_id, period_key))

    async def next_condition(self, guild_id: int, period_key: str) -> Condition:
        return self.content.condition(await self._repo.peek_next(guild_id, period_key))

    async def prompts(
        self, guild_id: int, condition: Condition, kind: PromptKind
    ) -> tuple[str, ...]:
        """The shipped prompts of this kind followed by the guild's own."""
        extra = await self._repo.guild_prompts(guild_id, condition.number, kind.value)
        return condition.combined(kind, (p.text for p in extra))

    def condition(self, number: int) -> Condition:
        if not 1 <= number <= len(self.content.conditions):
            raise UserFacingError("prompts.condition_range", count=len(self.content.conditions))
        return self.content.condition(number)

    async def add_custom(
        self, guild_id: int, number: int, kind: PromptKind, text: str, author_id: int, now: datetime
    ) -> GuildPrompt:
        condition = self.condition(number)
        try:
            cleaned = clean_custom_prompt(text)
        except ValueError as exc:
            raise UserFacingError("prompts.invalid", reason=str(exc)) from None
        return await self._repo.add_prompt(
            guild_id, condition.number, kind.value, cleaned, author_id, now
        )

    async def custom(self, guild_id: int, number: int | None = None) -> list[GuildPrompt]:
        return await self._repo.guild_prompts(guild_id, number)

    async def remove_custom(self, guild_id: int, prompt_id: int) -> None:
        if not await self._repo.remove_prompt(guild_id, prompt_id):
            raise UserFacingError("prompts.unknown")

    async def pick(
        self, guild_id: int, period_key: str, condition: Condition, kind: PromptKind, *salt: object
    ) -> str:
        options = await self.prompts(guild_id, condition, kind)
        return seeded_choice(options, guild_id, period_key, condition.number, kind.value, *salt)
