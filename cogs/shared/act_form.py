"""The act-of-kindness form: new, from a message, after a coffee, or editing one.

The kindness cog opens it from ``/kindness log``, the message command and
``/kindness mine``; the coffee cog opens it after "Yes, we met". A new act's
confirmation offers an optional "which group did it help?" select listing the
server's groups; its id carries the server and the act, so it works after a restart.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import answer_kindly
from bot.interaction import ClientT
from bot.models import Group, Visibility
from bot.problems import UserFacingError
from bot.services.kindness import WHAT_LIMIT, WHO_LIMIT
from bot.ui import KindModal
from cogs.shared.display import shorten
from cogs.shared.forms import chosen, condition_select, visibility_label, visibility_select
from cogs.shared.guild import guild_id

if TYPE_CHECKING:
    from bot.core import KindBot
    from bot.interaction import Interaction


class ActModal(KindModal):
    """What happened, who benefited, which condition, and who may see it."""

    def __init__(
        self,
        bot: KindBot,
        *,
        what: str = "",
        who: str = "",
        condition: int | None = None,
        visibility: Visibility = Visibility.SHAREABLE,
        act_id: int | None = None,
        source: str = "form",
    ) -> None:
        texts = bot.services.texts
        key = "kindness.edit_title" if act_id else "kindness.form_title"
        super().__init__(title=texts(key), timeout=900)
        self.bot = bot
        self.act_id = act_id
        self.source = source
        self.what: discord.ui.TextInput[ActModal] = discord.ui.TextInput(
            label=texts("kindness.what_label"),
            style=discord.TextStyle.paragraph,
            max_length=WHAT_LIMIT,
            default=shorten(what, WHAT_LIMIT) or None,
            placeholder=texts("kindness.what_placeholder"),
        )
        self.who: discord.ui.TextInput[ActModal] = discord.ui.TextInput(
            label=texts("kindness.who_label"),
            required=False,
            max_length=WHO_LIMIT,
            default=shorten(who, WHO_LIMIT) or None,
        )
        self.condition = condition_select(texts, bot.services.content, condition)
        self.visibility = visibility_select(texts, visibility)
        self.add_item(self.what)
        self.add_item(self.who)
        self.add_item(
            discord.ui.Label(text=texts("kindness.condition_label"), component=self.condition)
        )
        self.add_item(
            discord.ui.Label(text=texts("kindness.visibility_label"), component=self.visibility)
        )

    async def submit(self, interaction: Interaction) -> None:
        services = interaction.client.services
        texts = services.texts
        server = guild_id(interaction)
        act = services.kindness.clean(
            self.what.value,
            self.who.value,
            chosen(self.condition),
            chosen(self.visibility),
            self.source,
        )
        if self.act_id is not None:
            await services.kindness.edit(server, interaction.user.id, self.act_id, act)
            groups = await services.kindness.beneficiary_choices(server)
            await _confirm(interaction, texts("kindness.edited"), self.act_id, groups)
            return
        stored, created = await services.kindness.log(server, interaction.user.id, act)
        key = "kindness.logged" if created else "kindness.duplicate"
        content = texts(key, visibility=visibility_label(texts, act.visibility))
        groups = await services.kindness.beneficiary_choices(server) if created else []
        await _confirm(interaction, content, stored.act_id, groups)


async def _confirm(
    interaction: Interaction, content: str, act_id: int, groups: list[Group]
) -> None:
    """The private confirmation, with the "which group did it help?" select when the
    server has groups (after a new act, and after an edit, to add or change it)."""
    if not groups:
        await interaction.response.send_message(content, ephemeral=True)
        return
    await interaction.response.send_message(
        content,
        view=beneficiary_view(interaction.client, guild_id(interaction), act_id, groups),
        ephemeral=True,
        allowed_mentions=discord.AllowedMentions.none(),
    )


#: A select holds 25 options; one of them is "prefer not to say".
MAX_GROUP_OPTIONS = 24
NOT_SAID = "none"


def beneficiary_view(
    bot: KindBot, guild_id: int, act_id: int, groups: list[Group]
) -> discord.ui.View:
    """The optional "which group did it help?" select under an act's confirmation."""
    texts = bot.services.texts
    options = [
        discord.SelectOption(label=group.label[:100], value=str(group.group_id))
        for group in groups[:MAX_GROUP_OPTIONS]
    ]
    options.append(discord.SelectOption(label=texts("kindness.benefit_not_said"), value=NOT_SAID))
    view = discord.ui.View(timeout=None)
    view.add_item(
        BeneficiarySelect(guild_id, act_id, options, texts("kindness.benefit_placeholder"))
    )
    return view


class BeneficiarySelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"kindbot:act-benefit:(?P<guild>\d+):(?P<act>\d+)",
):
    def __init__(
        self,
        guild_id: int,
        act_id: int,
        options: list[discord.SelectOption] | None = None,
        placeholder: str | None = None,
    ) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"kindbot:act-benefit:{guild_id}:{act_id}",
                placeholder=placeholder,
                options=options or [discord.SelectOption(label="-", value=NOT_SAID)],
            )
        )
        self.guild_id, self.act_id = guild_id, act_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ClientT],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> BeneficiarySelect:
        return cls(int(match["guild"]), int(match["act"]))

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        await answer_kindly(interaction, self._chosen)

    async def _chosen(self, interaction: Interaction) -> None:
        services = interaction.client.services
        texts = services.texts
        values = self.item.values
        choice = values[0] if values else NOT_SAID
        group_id = None if choice == NOT_SAID or not choice.isdigit() else int(choice)
        try:
            group = await services.kindness.set_beneficiary(
                self.guild_id, interaction.user.id, self.act_id, group_id
            )
        except UserFacingError as problem:
            if problem.key != "kindness.benefit_group_gone":
                raise
            # The group was removed since the list was shown: offer today's groups.
            groups = await services.kindness.beneficiary_choices(self.guild_id)
            await interaction.response.edit_message(
                content=texts("kindness.benefit_group_gone"),
                view=beneficiary_view(interaction.client, self.guild_id, self.act_id, groups),
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        if group is None:
            content = texts("kindness.benefit_not_noted")
        else:
            content = texts("kindness.benefit_noted", group=group.label)
        await interaction.response.edit_message(
            content=content, view=None, allowed_mentions=discord.AllowedMentions.none()
        )
