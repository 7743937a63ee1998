"""A small real discord.py bot exercising every emulator capability the tests prove."""

from __future__ import annotations

import io
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """Classic modal: TextInputs wrapped in ActionRows."""

    topic: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Topic", custom_id="topic")
    details: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Details",
        custom_id="details",
        style=discord.TextStyle.paragraph,
        required=False,
    )

    def __init__(self) -> None:
        super().__init__(custom_id="feedback")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"Thanks! topic={self.topic.value} details={self.details.value or '-'}",
            ephemeral=True,
        )


class ProfileModal(discord.ui.Modal, title="Profile"):
    """Newer modal: Label components holding a TextInput and a Select."""

    def __init__(self) -> None:
        super().__init__(custom_id="profile")
        self.nickname: discord.ui.TextInput[Any] = discord.ui.TextInput(custom_id="nickname")
        self.colour: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="colour",
            options=[discord.SelectOption(label=c, value=c) for c in ("red", "green", "blue")],
        )
        self.add_item(discord.ui.TextDisplay("Tell us about you"))
        self.add_item(discord.ui.Label(text="Nickname", component=self.nickname))
        self.add_item(discord.ui.Label(text="Favourite colour", component=self.colour))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"Profile: {self.nickname.value} likes {self.colour.values[0]}"
        )


class MenuView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.hugs = 0

    @discord.ui.button(label="Hug", custom_id="hug")
    async def hug(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.hugs += 1
        await interaction.response.edit_message(content=f"Hugs: {self.hugs}", view=self)

    @discord.ui.button(label="Later", custom_id="later")
    async def later(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="Done later", view=None)

    @discord.ui.button(label="Feedback", custom_id="open-feedback")
    async def feedback(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @discord.ui.select(
        custom_id="mood",
        options=[discord.SelectOption(label=m, value=m) for m in ("happy", "calm", "tired")],
    )
    async def mood(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        await interaction.response.send_message(f"Mood: {select.values[0]}", ephemeral=True)

    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="buddy")
    async def buddy(
        self, interaction: discord.Interaction, select: discord.ui.UserSelect[Any]
    ) -> None:
        await interaction.response.send_message(f"Buddy: {select.values[0].display_name}")


class SandboxBot(commands.Bot):
    """Records the gateway events tests assert on."""

    def __init__(self, guild_id: int | None) -> None:
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(
            command_prefix="!",
            intents=intents,
            guild_ready_timeout=0.05,
        )
        self.guild_id = guild_id
        self.events: list[tuple[str, Any]] = []
        self.synced: list[app_commands.AppCommand] = []
        self._add_commands()

    async def setup_hook(self) -> None:
        if self.guild_id is not None:
            guild = discord.Object(self.guild_id)
            self.tree.copy_global_to(guild=guild)
            self.synced = await self.tree.sync(guild=guild)
        else:
            self.synced = await self.tree.sync()

    async def on_member_join(self, member: discord.Member) -> None:
        self.events.append(("join", (member.id, member.pending)))

    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        self.events.append(("update", (after.id, before.pending, after.pending, after.roles)))

    async def on_member_remove(self, member: discord.Member) -> None:
        self.events.append(("remove", member.id))

    async def on_guild_role_create(self, role: discord.Role) -> None:
        self.events.append(("role_create", role.name))

    def _add_commands(self) -> None:
        tree = self.tree

        @tree.command(description="Check the bot is alive")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        setup = app_commands.Group(name="setup", description="Set things up")

        async def tz_autocomplete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            zones = ["Europe/London", "Europe/Paris", "America/New_York"]
            return [app_commands.Choice(name=z, value=z) for z in zones if current in z]

        @setup.command(name="timezone", description="Set your timezone")
        @app_commands.autocomplete(timezone=tz_autocomplete)
        async def timezone(interaction: discord.Interaction, timezone: str) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send(f"Timezone set to {timezone}", ephemeral=True)

        admin = app_commands.Group(
            name="admin",
            description="Admin tools",
            default_permissions=discord.Permissions(manage_roles=True),
        )
        roles = app_commands.Group(name="roles", description="Roles", parent=admin)

        @roles.command(name="grant", description="Give a role")
        async def grant(
            interaction: discord.Interaction,
            member: discord.Member,
            role: discord.Role,
            note: str | None = None,
        ) -> None:
            await interaction.response.defer()
            try:
                await member.add_roles(role)
            except discord.Forbidden as exc:
                await interaction.edit_original_response(content=f"forbidden {exc.code}")
                return
            await interaction.edit_original_response(
                content=f"gave {role.name} to {member.display_name} ({note or 'no note'})"
            )

        @setup.command(name="where", description="Pick a channel")
        async def where(
            interaction: discord.Interaction, channel: discord.TextChannel, count: int = 1
        ) -> None:
            await interaction.response.send_message(f"{channel.name} x{count}")

        tree.add_command(setup)
        tree.add_command(admin)

        @tree.command(description="Open the menu")
        async def menu(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Menu", view=MenuView())

        @tree.command(description="Send feedback")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal())

        @tree.command(description="Edit your profile")
        async def profile(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(ProfileModal())

        @tree.context_menu(name="Appreciate")
        async def appreciate(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(
                f"Appreciated {message.author.display_name}: {message.content}", ephemeral=True
            )

        @tree.context_menu(name="Thank")
        async def thank(interaction: discord.Interaction, user: discord.Member) -> None:
            await interaction.response.send_message(f"Thanked {user.display_name}")

        @tree.command(description="DM someone")
        async def dm(interaction: discord.Interaction, member: discord.Member) -> None:
            try:
                await member.send("Hello from the bot")
            except discord.Forbidden as exc:
                await interaction.response.send_message(f"dm failed {exc.code}")
                return
            await interaction.response.send_message("dm sent")

        @tree.command(description="Open a private thread")
        async def pair(interaction: discord.Interaction, member: discord.Member) -> None:
            channel = interaction.channel
            assert isinstance(channel, discord.TextChannel)
            await interaction.response.defer(ephemeral=True)
            try:
                thread = await channel.create_thread(
                    name=f"coffee-{member.name}", type=discord.ChannelType.private_thread
                )
            except discord.Forbidden as exc:
                await interaction.followup.send(f"thread failed {exc.code}", ephemeral=True)
                return
            await thread.add_user(member)
            await thread.send(f"Welcome {member.mention}")
            await interaction.followup.send(f"thread {thread.id}", ephemeral=True)

        @tree.command(description="Post a report")
        async def report(interaction: discord.Interaction) -> None:
            channel = interaction.channel
            assert isinstance(channel, discord.TextChannel)
            await interaction.response.defer(ephemeral=True)
            embed = discord.Embed(title="Weekly digest", description="3 acts of kindness")
            embed.add_field(name="Top", value="alice")
            data = io.BytesIO(b"name,acts\nalice,3\n")
            try:
                await channel.send(
                    "Report attached", embed=embed, file=discord.File(data, "report.csv")
                )
            except discord.HTTPException as exc:
                await interaction.followup.send(f"report failed {exc.status} {exc.code}")
                return
            await interaction.followup.send("report posted", ephemeral=True)
