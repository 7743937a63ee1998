"""``/programmes``: a member's own programmes, with Join, Leave, Pause and Skip."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.interaction import ClientT, Interaction, as_kindbot, reply_privately
from bot.services.programmes import Programme, ProgrammeError
from cogs.shared.display import shorten
from cogs.shared.guild import guild_of

if TYPE_CHECKING:
    from bot.core import KindBot

#: How long the Pause button pauses a member's place in a programme.
PAUSE_WEEKS = 2


class ProgrammesView(discord.ui.View):
    """Choose a programme, then Join, Leave, Pause or Skip; only the member sees it."""

    def __init__(self, bot: KindBot, owner: int, programmes: list[Programme]) -> None:
        super().__init__(timeout=900)
        self.bot = bot
        self.owner = owner
        self.texts = bot.services.programme_texts
        self.chosen: int | None = programmes[0].programme_id if len(programmes) == 1 else None
        self.pick.options = [
            discord.SelectOption(label=p.name[:100], value=str(p.programme_id))
            for p in programmes[:25]
        ]
        self.pick.placeholder = self.texts("programmes.pick_placeholder")
        self.join.label = self.texts("programmes.button_join")
        self.leave.label = self.texts("programmes.button_leave")
        self.pause.label = self.texts("programmes.button_pause", weeks=PAUSE_WEEKS)
        self.skip.label = self.texts("programmes.button_skip")

    async def interaction_check(self, interaction: discord.Interaction[ClientT], /) -> bool:
        return interaction.user.id == self.owner

    @discord.ui.select(cls=discord.ui.Select, row=0)
    async def pick(self, interaction: Interaction, select: discord.ui.Select[Any]) -> None:
        self.chosen = int(select.values[0])
        await interaction.response.defer()

    async def _act(self, interaction: Interaction, what: str) -> None:
        mine = as_kindbot(interaction)
        services = mine.client.services
        guild = guild_of(mine)
        user = mine.user
        try:
            if self.chosen is None:
                raise ProgrammeError("programmes.pick_first")
            programme = await services.programmes.get(guild.id, self.chosen)
            if what == "join":
                roles = [r.id for r in getattr(user, "roles", [])]
                await services.programmes.join(guild.id, programme.programme_id, user.id, roles)
                text = self.texts("programmes.joined", name=programme.name)
            elif what == "leave":
                await services.programmes.leave(guild.id, programme.programme_id, user.id)
                text = self.texts("programmes.left", name=programme.name)
            elif what == "pause":
                until = await services.programmes.pause(
                    guild.id, programme.programme_id, user.id, PAUSE_WEEKS
                )
                text = self.texts(
                    "programmes.member_paused",
                    name=programme.name,
                    until=discord.utils.format_dt(until, "D"),
                )
            else:
                period = await services.programmes.skip(guild.id, programme.programme_id, user.id)
                text = self.texts("programmes.skipped", name=programme.name, period=period)
        except ProgrammeError as problem:
            text = self.texts(problem.key, **problem.params)
        await reply_privately(mine, text)

    @discord.ui.button(label="Join", style=discord.ButtonStyle.success, row=1)
    async def join(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self._act(interaction, "join")

    @discord.ui.button(label="Leave", style=discord.ButtonStyle.secondary, row=1)
    async def leave(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self._act(interaction, "leave")

    @discord.ui.button(label="Pause", style=discord.ButtonStyle.secondary, row=1)
    async def pause(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self._act(interaction, "pause")

    @discord.ui.button(label="Skip", style=discord.ButtonStyle.secondary, row=1)
    async def skip(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self._act(interaction, "skip")


@app_commands.guild_only()
class MembersCog(commands.Cog):
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.programme_texts

    @app_commands.command(
        name="programmes", description="Your programmes: join, leave, pause or skip"
    )
    async def programmes(self, interaction: Interaction) -> None:
        guild = guild_of(interaction)
        service = self.services.programmes
        every = await service.programmes(guild.id)
        mine = {
            p.programme_id: m for p, m in await service.my_programmes(guild.id, interaction.user.id)
        }
        now = service.now()
        lines = []
        for programme in every:
            membership = mine.get(programme.programme_id)
            if membership is None:
                state = self.texts("programmes.state_out")
            elif membership.paused_until and membership.paused_until > now:
                state = self.texts(
                    "programmes.state_paused",
                    until=discord.utils.format_dt(membership.paused_until, "D"),
                )
            else:
                state = self.texts("programmes.state_in")
            lines.append(f"**{programme.name}**: {state}")
        if not every:
            await reply_privately(interaction, self.texts("programmes.none_yet"))
            return
        view = ProgrammesView(self.bot, interaction.user.id, every)
        await interaction.response.send_message(
            shorten(self.texts("programmes.yours", lines="\n".join(lines)), 2000),
            view=view,
            ephemeral=True,
        )
