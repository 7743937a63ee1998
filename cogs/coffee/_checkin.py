"""The "Did you meet?" buttons: dynamic items that carry the meeting id, so they
keep working after restarts without keeping any view in memory."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import answer_kindly
from bot.interaction import ClientT, Interaction
from bot.ui import KindView
from cogs.shared.act_form import ActModal
from cogs.shared.guild import guild_id

if TYPE_CHECKING:
    from bot.core import KindBot

ANSWERS = ("yes", "not_yet", "cant")
_LABELS = {
    "yes": "coffee.checkin_yes",
    "not_yet": "coffee.checkin_not_yet",
    "cant": "coffee.checkin_cant",
}
_THANKS = {
    "yes": "coffee.checkin_thanks_yes",
    "not_yet": "coffee.checkin_thanks_not_yet",
    "cant": "coffee.checkin_thanks_cant",
}


class CheckinButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"kindbot:checkin:(?P<meeting>\d+):(?P<answer>yes|not_yet|cant)",
):
    def __init__(
        self, meeting_id: int, answer: str, label: str, style: discord.ButtonStyle
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"kindbot:checkin:{meeting_id}:{answer}"
            )
        )
        self.meeting_id = meeting_id
        self.answer = answer

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ClientT],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> CheckinButton:
        label = getattr(item, "label", None) or ""
        style = getattr(item, "style", discord.ButtonStyle.secondary)
        return cls(int(match["meeting"]), match["answer"], label, style)

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        await answer_kindly(interaction, self._answer)

    async def _answer(self, interaction: Interaction) -> None:
        bot = interaction.client
        services = bot.services
        await services.coffee.answer_checkin(self.meeting_id, interaction.user.id, self.answer)
        view = LogFromCoffeeView(bot) if self.answer == "yes" else discord.utils.MISSING
        await interaction.response.send_message(
            services.texts(_THANKS[self.answer]), view=view, ephemeral=True
        )


def checkin_view(meeting_id: int, bot: KindBot) -> discord.ui.View:
    texts = bot.services.texts
    view = discord.ui.View(timeout=None)
    styles = {
        "yes": discord.ButtonStyle.success,
        "not_yet": discord.ButtonStyle.secondary,
        "cant": discord.ButtonStyle.secondary,
    }
    for answer in ANSWERS:
        view.add_item(CheckinButton(meeting_id, answer, texts(_LABELS[answer]), styles[answer]))
    return view


SKIP_BUTTON_ID = "kindbot:coffee:skip"


class SkipView(KindView):
    """The heads-up's "Skip this week" button; persistent, so old posts keep working."""

    def __init__(self, bot: KindBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot
        self.skip.label = bot.services.texts("coffee.skip_button")

    @discord.ui.button(style=discord.ButtonStyle.secondary, custom_id=SKIP_BUTTON_ID)
    async def skip(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        services = self.bot.services
        period = await services.coffee.skip(guild_id(interaction), interaction.user.id)
        await interaction.response.send_message(
            services.texts("coffee.skipped", week=period), ephemeral=True
        )


class LogFromCoffeeView(KindView):
    """After "Yes, we met": one click to record an act of kindness from the chat."""

    def __init__(self, bot: KindBot) -> None:
        super().__init__(timeout=900)
        self.bot = bot
        self.log_act.label = bot.services.texts("coffee.log_act_button")

    @discord.ui.button(style=discord.ButtonStyle.success)
    async def log_act(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_modal(ActModal(self.bot, source="coffee"))
