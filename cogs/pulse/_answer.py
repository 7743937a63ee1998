"""One question per message: a select with the question's options and a Skip button.
Each tap saves the answer and shows the next question; the items carry the server,
the pulse and the question in their ids, so they keep working after restarts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import answer_kindly, report_error
from bot.interaction import ClientT, Interaction, as_kindbot
from bot.services.pulse import Question
from bot.text import Messages

if TYPE_CHECKING:
    from bot.core import KindBot

_IDS = r"(?P<guild>\d+):(?P<period>[A-Za-z0-9-]+):(?P<question>[a-z0-9-]+)"
OPEN_ID = "kindbot:pulse-open"


def pulse_texts(bot: KindBot) -> Messages:
    return bot.services.pulse.content.messages


def question_message(
    bot: KindBot, guild_id: int, period: str, questions: tuple[Question, ...], index: int
) -> tuple[str, discord.ui.View]:
    texts = pulse_texts(bot)
    question = questions[index]
    content = texts(
        "pulse.question", number=index + 1, total=len(questions), question=question.text
    )
    view = discord.ui.View(timeout=None)
    view.add_item(
        AnswerSelect(guild_id, period, question.key, question.options, texts("pulse.pick"))
    )
    view.add_item(SkipButton(guild_id, period, question.key, texts("pulse.skip")))
    return content, view


def first_message(
    bot: KindBot, guild_id: int, period: str, questions: tuple[Question, ...]
) -> tuple[str, discord.ui.View]:
    invite = pulse_texts(bot)("pulse.invite", count=len(questions))
    content, view = question_message(bot, guild_id, period, questions, 0)
    return f"{invite}\n\n{content}", view


def is_pulse_message(message: discord.Message, guild_id: int, period: str) -> bool:
    """Whether ``message`` shows a question of this server's pulse for ``period``."""
    prefixes = (f"kindbot:pulse:{guild_id}:{period}:", f"kindbot:pulse-skip:{guild_id}:{period}:")
    for row in message.components:
        for child in getattr(row, "children", ()):
            custom_id = getattr(child, "custom_id", None) or ""
            if custom_id.startswith(prefixes):
                return True
    return False


async def advance(
    interaction: Interaction, guild_id: int, period: str, key: str, choice: int | None
) -> None:
    """Save one tap, then show the next question (or the thanks)."""
    bot = interaction.client
    service = bot.services.pulse
    await service.answer(guild_id, interaction.user.id, period, key, choice)
    questions = await service.questions(guild_id)
    keys = [q.key for q in questions]
    following = keys.index(key) + 1 if key in keys else len(keys)
    if following >= len(questions):
        await interaction.response.edit_message(content=pulse_texts(bot)("pulse.thanks"), view=None)
        return
    content, view = question_message(bot, guild_id, period, questions, following)
    await interaction.response.edit_message(content=content, view=view)


class AnswerSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=rf"kindbot:pulse:{_IDS}",
):
    def __init__(
        self,
        guild_id: int,
        period: str,
        key: str,
        options: tuple[str, ...] = (),
        placeholder: str | None = None,
    ) -> None:
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"kindbot:pulse:{guild_id}:{period}:{key}",
            placeholder=placeholder,
            options=[
                discord.SelectOption(label=label[:100], value=str(i))
                for i, label in enumerate(options)
            ]
            or [discord.SelectOption(label="-", value="0")],
        )
        super().__init__(select)
        self.guild_id, self.period, self.key = guild_id, period, key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ClientT],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> AnswerSelect:
        return cls(int(match["guild"]), match["period"], match["question"])

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        mine = as_kindbot(interaction)
        try:
            values = self.item.values
            choice = int(values[0]) if values else None
            await advance(mine, self.guild_id, self.period, self.key, choice)
        except Exception as error:
            await report_error(mine, error)


class SkipButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"kindbot:pulse-skip:{_IDS}",
):
    def __init__(self, guild_id: int, period: str, key: str, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"kindbot:pulse-skip:{guild_id}:{period}:{key}",
            )
        )
        self.guild_id, self.period, self.key = guild_id, period, key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ClientT],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> SkipButton:
        return cls(int(match["guild"]), match["period"], match["question"])

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        mine = as_kindbot(interaction)
        try:
            await advance(mine, self.guild_id, self.period, self.key, None)
        except Exception as error:
            await report_error(mine, error)


class OpenPulseButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"{OPEN_ID}:(?P<guild>\d+)",
):
    """The persistent "Answer the pulse" button in the reflections channel: the pulse
    comes as a message only the member sees."""

    def __init__(self, guild_id: int, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"{OPEN_ID}:{guild_id}",
            )
        )
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ClientT],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> OpenPulseButton:
        return cls(int(match["guild"]))

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        await answer_kindly(interaction, self._open)

    async def _open(self, interaction: Interaction) -> None:
        bot = interaction.client
        service = bot.services.pulse
        period = await service.current_pulse(self.guild_id, interaction.user.id)
        if period is None:
            await interaction.response.send_message(
                pulse_texts(bot)("pulse.nothing_due"), ephemeral=True
            )
            return
        questions = await service.questions(self.guild_id)
        content, view = first_message(bot, self.guild_id, period, questions)
        await interaction.response.send_message(content, view=view, ephemeral=True)


def open_view(bot: KindBot, guild_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(OpenPulseButton(guild_id, pulse_texts(bot)("pulse.open_button")))
    return view
