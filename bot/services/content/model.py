"""The content as data: the ten conditions, interests, regions and the checked library."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.services.content.words import count, fold

CONDITION_NUMBERS = range(1, 11)

# Lengths stay well inside Discord's embed limits (title 256, field 1024) so a
# prompt always fits in one field and reads comfortably on a phone.
MAX_TITLE_LENGTH = 80
MAX_EXPLANATION_LENGTH = 600
MAX_PROMPT_LENGTH = 300
MAX_NUDGE_LENGTH = 300
MAX_LABEL_LENGTH = 80
MAX_ID_LENGTH = 32
# Interests and regions are offered in Discord select menus, which hold at most 25 options.
MAX_MENU_OPTIONS = 25


class ContentError(Exception):
    """The content folder cannot be used; the bot must not start with it.

    ``str(error)`` is the first problem on one line (with a count of the rest);
    ``error.problems`` holds every problem so they can all be fixed in one pass.
    """

    def __init__(self, first: str, *more: str) -> None:
        self.problems: tuple[str, ...] = (first, *more)
        message = first
        if more:
            message += f" (and {count(len(more), 'more problem', 'more problems')})"
        super().__init__(message)


class PromptKind(StrEnum):
    """The three kinds of text a condition offers; values are stable and safe to store."""

    DISCUSSION = "discussion"
    STARTER = "starter"
    REFLECTION = "reflection"

    @property
    def key(self) -> str:
        """The key used for this kind in a condition file."""
        return _KIND_KEYS[self]

    @property
    def minimum(self) -> int:
        """How many shipped entries each condition must have, so rotation feels fresh."""
        return _KIND_MINIMUMS[self]


_KIND_KEYS: dict[PromptKind, str] = {
    PromptKind.DISCUSSION: "discussion_prompts",
    PromptKind.STARTER: "coffee_starters",
    PromptKind.REFLECTION: "reflection_questions",
}
_KIND_MINIMUMS: dict[PromptKind, int] = {
    PromptKind.DISCUSSION: 3,
    PromptKind.STARTER: 3,
    PromptKind.REFLECTION: 2,
}


@dataclass(frozen=True, slots=True)
class Condition:
    """One of Belong's ten conditions for radical kindness, with its conversation material."""

    number: int
    title: str
    explanation: str
    discussion_prompts: tuple[str, ...]
    coffee_starters: tuple[str, ...]
    reflection_questions: tuple[str, ...]

    def prompts(self, kind: PromptKind) -> tuple[str, ...]:
        """The shipped entries of one kind."""
        if kind is PromptKind.DISCUSSION:
            return self.discussion_prompts
        if kind is PromptKind.STARTER:
            return self.coffee_starters
        return self.reflection_questions

    def combined(self, kind: PromptKind, extra: Iterable[str] = ()) -> tuple[str, ...]:
        """Shipped entries followed by a guild's own, without blanks or repeats.

        ``extra`` is expected to have passed :func:`clean_custom_prompt` when it
        was saved; repeats are compared ignoring case and spacing so a guild that
        re-adds a shipped prompt does not see it twice as often.
        """
        result: list[str] = []
        seen: set[str] = set()
        for text in (*self.prompts(kind), *extra):
            cleaned = text.strip()
            folded = fold(cleaned)
            if cleaned and folded not in seen:
                seen.add(folded)
                result.append(cleaned)
        return tuple(result)


@dataclass(frozen=True, slots=True)
class Interest:
    """Something a member can say they enjoy; ``id`` is stored, ``label`` is shown."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Region:
    """Where a member is; ``timezone`` is None when the member must choose their own."""

    id: str
    label: str
    timezone: str | None

    @property
    def needs_timezone(self) -> bool:
        """True for entries such as "elsewhere" that cannot imply a timezone."""
        return self.timezone is None


@dataclass(frozen=True, slots=True)
class ContentLibrary:
    """Everything loaded from the content folder, already checked."""

    conditions: tuple[Condition, ...]
    nudges: tuple[str, ...]
    interests: tuple[Interest, ...]
    regions: tuple[Region, ...]

    def condition(self, number: int) -> Condition:
        """The condition with this number; raises KeyError outside 1 to 10."""
        for condition in self.conditions:
            if condition.number == number:
                return condition
        raise KeyError(f"there is no condition {number}")

    def interest(self, interest_id: str) -> Interest | None:
        """The interest with this id, or None: stored ids can outlive an edit to the file."""
        return next((i for i in self.interests if i.id == interest_id), None)

    def region(self, region_id: str) -> Region | None:
        """The region with this id, or None: stored ids can outlive an edit to the file."""
        return next((r for r in self.regions if r.id == region_id), None)

    def prompts_for(
        self, number: int, kind: PromptKind, extra: Iterable[str] = ()
    ) -> tuple[str, ...]:
        """Shipped prompts of one kind for a condition, plus a guild's own ``extra``."""
        return self.condition(number).combined(kind, extra)


def clean_custom_prompt(text: str) -> str:
    """Tidy a guild's own prompt and hold it to the same rules as the shipped ones.

    Raises ValueError with a message that can be shown to the coordinator as is.
    """
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("The prompt is empty.")
    if len(cleaned) > MAX_PROMPT_LENGTH:
        raise ValueError(
            f"The prompt is {len(cleaned)} characters long; please keep it to "
            f"{MAX_PROMPT_LENGTH} or fewer."
        )
    return cleaned
