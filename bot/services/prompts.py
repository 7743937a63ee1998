"""This week's condition and its prompts, chosen deterministically per guild and week."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

from bot.repos.prompts import PromptRepo
from bot.services.content import Condition, ContentLibrary, PromptKind


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
        return condition.prompts(kind)

    async def pick(
        self, guild_id: int, period_key: str, condition: Condition, kind: PromptKind, *salt: object
    ) -> str:
        options = await self.prompts(guild_id, condition, kind)
        return seeded_choice(options, guild_id, period_key, condition.number, kind.value, *salt)
