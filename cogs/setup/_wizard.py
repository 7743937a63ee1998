"""``/setup start``: one private wizard of buttons and menus, a Confirm on every step.

Nothing changes until the coordinator confirms a step; the step reached is stored
per server (``SetupWizard``), so running ``/setup start`` again resumes there.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import permission_label
from bot.interaction import ClientT, Interaction, as_kindbot
from bot.models import ChannelPurpose, ScheduledJob
from bot.problems import UserFacingError
from bot.services.setup import channel_problems, clean_timezone
from bot.services.setup_wizard import (
    CHANNEL_NAME_KEYS,
    COMMON_TIMEZONES,
    SCHEDULE_TIMES,
    OverwritePlan,
    WizardStep,
    channel_overwrites,
    purposes_to_create,
)
from bot.ui import KindModal, KindView
from cogs.setup._diagnostics import granted_in
from cogs.shared.channels import configured_channel
from cogs.shared.posts import JOIN_BUTTON_ID, persistent_view, welcome_embed
from cogs.shared.style import KIND_GREEN

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)

WIZARD_TIMEOUT = 15 * 60
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_STEP_NUMBERS = {
    WizardStep.CHANNELS: 1,
    WizardStep.TIMEZONE: 2,
    WizardStep.SCHEDULE: 3,
    WizardStep.WELCOME: 4,
}
_STEP_TITLES = {
    WizardStep.CHANNELS: "wizard.step_channels",
    WizardStep.TIMEZONE: "wizard.step_timezone",
    WizardStep.SCHEDULE: "wizard.step_schedule",
    WizardStep.WELCOME: "wizard.step_welcome",
    WizardStep.DONE: "wizard.step_done",
}


async def start_wizard(bot: KindBot, interaction: Interaction) -> None:
    assert interaction.guild is not None
    await bot.services.setup.ensure_guild(interaction.guild.id)
    view = SetupWizardView(bot, interaction.guild, interaction.user.id)
    view.step = await bot.services.wizard.current(interaction.guild.id)
    await view.prepare()
    await interaction.response.send_message(embed=await view.embed(), view=view, ephemeral=True)


Handler = Callable[[Interaction], Awaitable[None]]
ValuesHandler = Callable[[Interaction, list[str]], Awaitable[None]]


class _StepButton(discord.ui.Button["SetupWizardView"]):
    """A wizard button that hands the click to one of the view's step handlers."""

    def __init__(self, label: str, style: discord.ButtonStyle, row: int, handler: Handler) -> None:
        super().__init__(label=label, style=style, row=row)
        self._handler = handler

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        await self._handler(as_kindbot(interaction))


class _StepSelect(discord.ui.Select["SetupWizardView"]):
    """A wizard select that hands the chosen values to a step handler."""

    def __init__(self, *, handler: ValuesHandler, **options: Any) -> None:
        super().__init__(**options)
        self._handler = handler

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        await self._handler(as_kindbot(interaction), list(self.values))


class _StepChannelSelect(discord.ui.ChannelSelect["SetupWizardView"]):
    """A wizard channel select that hands the chosen channel ids to a step handler."""

    def __init__(self, *, handler: ValuesHandler, **options: Any) -> None:
        super().__init__(**options)
        self._handler = handler

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        await self._handler(as_kindbot(interaction), [str(c.id) for c in self.values])


class SetupWizardView(KindView):
    def __init__(self, bot: KindBot, guild: discord.Guild, user_id: int) -> None:
        super().__init__(timeout=WIZARD_TIMEOUT, owner_id=user_id)
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts
        self.guild = guild
        self.user_id = user_id
        self.step = WizardStep.CHANNELS
        #: "create" or "pick" while choosing channels; None on the step's first screen.
        self.mode: str | None = None
        self.picks: dict[ChannelPurpose, int] = {}
        self.purpose = ChannelPurpose.WELCOME
        self.timezone: str | None = None
        self.day = ScheduledJob.PAIRING.default_time.day_of_week
        self.time = "09:00"

    # Drawing

    async def prepare(self) -> None:
        """Load the step's current settings, then lay out its controls."""
        if self.step is WizardStep.TIMEZONE and self.timezone is None:
            config = await self.services.setup.config(self.guild.id)
            self.timezone = config.timezone if config else None
        if self.step is WizardStep.SCHEDULE:
            when = (await self.services.setup.schedules(self.guild.id))[ScheduledJob.PAIRING]
            self.day = when.day_of_week
            current = f"{when.hour:02d}:{when.minute:02d}"
            self.time = current if current in SCHEDULE_TIMES else self.time
        self._build()

    async def embed(self) -> discord.Embed:
        texts = self.texts
        title = texts(_STEP_TITLES[self.step])
        number = _STEP_NUMBERS.get(self.step)
        if number is not None:
            title = texts("wizard.title", number=number, total=len(_STEP_NUMBERS), step=title)
        return discord.Embed(title=title, description=await self._body(), colour=KIND_GREEN)

    async def _body(self) -> str:
        texts, guild = self.texts, self.guild
        config = await self.services.setup.config(guild.id)
        assert config is not None
        if self.step is WizardStep.CHANNELS:
            lines = []
            for purpose in ChannelPurpose:
                chosen = self.picks.get(purpose) or config.channel(purpose)
                exists = chosen is not None and guild.get_channel(chosen) is not None
                lines.append(
                    f"**{purpose.value}**: "
                    + (f"<#{chosen}>" if exists else texts("wizard.channel_none"))
                )
            current = "\n".join(lines)
            if self.mode == "create":
                missing = self._missing(config)
                if not missing:
                    return texts("wizard.create_nothing", channels=current)
                names = ", ".join(f"#{texts(CHANNEL_NAME_KEYS[p])}" for p in missing)
                if config.coordinator_role_id and guild.get_role(config.coordinator_role_id):
                    return texts("wizard.create_confirm", names=names)
                if coordinator_roles(guild, None):
                    return texts("wizard.create_confirm_managers", names=names)
                return texts("wizard.create_confirm_no_role", names=names)
            if self.mode == "pick":
                return texts("wizard.pick_body", channels=current, purpose=self.purpose.value)
            return texts("wizard.channels_body", channels=current)
        if self.step is WizardStep.TIMEZONE:
            groups = await self.services.setup.groups(guild.id)
            return texts(
                "wizard.timezone_body",
                timezone=self.timezone or config.timezone,
                groups="\n".join(f"• {g.label}" for g in groups) or "—",
            )
        if self.step is WizardStep.SCHEDULE:
            return texts("wizard.schedule_body", day=_DAYS[self.day], time=self.time)
        if self.step is WizardStep.WELCOME:
            channel = config.channel(ChannelPurpose.WELCOME)
            where = f"<#{channel}>" if channel else texts("wizard.channel_none")
            return texts("wizard.welcome_body", channel=where)
        return texts("wizard.done_body")

    def _missing(self, config: Any) -> list[ChannelPurpose]:
        return purposes_to_create(config, {c.id for c in self.guild.channels})

    def _button(self, key: str, handler: Handler, style: discord.ButtonStyle, row: int = 4) -> None:
        self.add_item(_StepButton(self.texts(key), style, row, handler))

    def _build(self) -> None:
        self.clear_items()
        green, grey, blue = (
            discord.ButtonStyle.success,
            discord.ButtonStyle.secondary,
            discord.ButtonStyle.primary,
        )
        texts = self.texts
        if self.step is WizardStep.CHANNELS and self.mode == "create":
            self._button("wizard.confirm_button", self._on_create_confirm, green)
            self._button("wizard.back_button", self._on_back, grey)
        elif self.step is WizardStep.CHANNELS and self.mode == "pick":
            purpose_select = _StepSelect(
                placeholder=texts("wizard.pick_purpose"),
                options=[
                    discord.SelectOption(label=p.value, value=p.value, default=p is self.purpose)
                    for p in ChannelPurpose
                ],
                row=0,
                handler=self._on_purpose,
            )
            self.add_item(purpose_select)
            channel_select = _StepChannelSelect(
                placeholder=texts("wizard.pick_channel"),
                channel_types=[discord.ChannelType.text],
                row=1,
                handler=self._on_channel,
            )
            self.add_item(channel_select)
            self._button("wizard.confirm_button", self._on_pick_confirm, green)
            self._button("wizard.back_button", self._on_back, grey)
        elif self.step is WizardStep.CHANNELS:
            self._button("wizard.create_button", self._on_create, blue, row=0)
            self._button("wizard.pick_button", self._on_pick, blue, row=0)
            self._button("wizard.skip_button", self._on_skip, grey)
        elif self.step is WizardStep.TIMEZONE:
            zone_select = _StepSelect(
                placeholder=texts("wizard.pick_timezone"),
                options=[
                    discord.SelectOption(label=z, value=z, default=z == self.timezone)
                    for z in COMMON_TIMEZONES
                ],
                row=0,
                handler=self._on_zone,
            )
            self.add_item(zone_select)
            self._button("wizard.type_timezone_button", self._on_type_zone, blue, row=1)
            self._button("wizard.confirm_button", self._on_timezone_confirm, green)
            self._button("wizard.skip_button", self._on_skip, grey)
        elif self.step is WizardStep.SCHEDULE:
            day_select = _StepSelect(
                placeholder=texts("wizard.pick_day"),
                options=[
                    discord.SelectOption(label=d, value=str(i), default=i == self.day)
                    for i, d in enumerate(_DAYS)
                ],
                row=0,
                handler=self._on_day,
            )
            self.add_item(day_select)
            time_select = _StepSelect(
                placeholder=texts("wizard.pick_time"),
                options=[
                    discord.SelectOption(label=t, value=t, default=t == self.time)
                    for t in SCHEDULE_TIMES
                ],
                row=1,
                handler=self._on_time,
            )
            self.add_item(time_select)
            self._button("wizard.confirm_button", self._on_schedule_confirm, green)
            self._button("wizard.skip_button", self._on_skip, grey)
        elif self.step is WizardStep.WELCOME:
            self._button("wizard.post_button", self._on_welcome_confirm, green)
            self._button("wizard.skip_button", self._on_skip, grey)
        else:
            self._button("wizard.again_button", self._on_again, grey)

    async def redraw(self, interaction: Interaction) -> None:
        await self.prepare()
        if interaction.response.is_done():
            await interaction.edit_original_response(embed=await self.embed(), view=self)
        else:
            await interaction.response.edit_message(embed=await self.embed(), view=self)

    async def advance(self, interaction: Interaction) -> None:
        self.step = await self.services.wizard.complete(self.guild.id, self.step)
        self.mode = None
        await self.redraw(interaction)

    # Every step

    async def _on_skip(self, interaction: Interaction) -> None:
        await self.advance(interaction)

    async def _on_back(self, interaction: Interaction) -> None:
        self.mode = None
        self.picks.clear()
        await self.redraw(interaction)

    async def _on_again(self, interaction: Interaction) -> None:
        self.step = await self.services.wizard.go_to(self.guild.id, WizardStep.CHANNELS)
        await self.redraw(interaction)

    # Channels

    async def _on_create(self, interaction: Interaction) -> None:
        self.mode = "create"
        await self.redraw(interaction)

    async def _on_pick(self, interaction: Interaction) -> None:
        self.mode = "pick"
        await self.redraw(interaction)

    async def _on_purpose(self, interaction: Interaction, values: list[str]) -> None:
        self.purpose = ChannelPurpose(values[0])
        await self.redraw(interaction)

    async def _on_channel(self, interaction: Interaction, values: list[str]) -> None:
        self.picks[self.purpose] = int(values[0])
        await self.redraw(interaction)

    async def _on_pick_confirm(self, interaction: Interaction) -> None:
        if not self.picks:
            raise UserFacingError("wizard.pick_first")
        warnings = []
        for purpose, channel_id in self.picks.items():
            await self.services.setup.set_channel(self.guild.id, purpose, channel_id)
            channel = self.guild.get_channel(channel_id)
            missing = (
                channel_problems(purpose, granted_in(channel, self.guild.me)) if channel else []
            )
            if channel is not None and missing:
                warnings.append(
                    self.texts(
                        "setup.channel_set_with_warning",
                        purpose=purpose.value,
                        channel=channel.mention,
                        permissions=", ".join(permission_label(p) for p in missing),
                    )
                )
        self.picks.clear()
        await self.advance(interaction)
        if warnings:
            await interaction.followup.send("\n".join(warnings), ephemeral=True)

    async def _on_create_confirm(self, interaction: Interaction) -> None:
        config = await self.services.setup.config(self.guild.id)
        assert config is not None
        missing = self._missing(config)
        if missing and not self.guild.me.guild_permissions.manage_channels:
            raise UserFacingError("wizard.need_manage_channels")
        await interaction.response.defer()
        if missing:
            await create_channels(self.bot, self.guild, missing, config.coordinator_role_id)
        await self.advance(interaction)

    # Timezone

    async def _on_zone(self, interaction: Interaction, values: list[str]) -> None:
        self.timezone = values[0]
        await self.redraw(interaction)

    async def _on_type_zone(self, interaction: Interaction) -> None:
        await interaction.response.send_modal(TimezoneModal(self))

    async def _on_timezone_confirm(self, interaction: Interaction) -> None:
        if self.timezone is not None:
            await self.services.setup.set_timezone(self.guild.id, self.timezone)
            await self.services.scheduler.schedule_guild(self.guild.id)
        await self.advance(interaction)

    # Schedule

    async def _on_day(self, interaction: Interaction, values: list[str]) -> None:
        self.day = int(values[0])
        await interaction.response.edit_message(embed=await self.embed(), view=self._rebuilt())

    async def _on_time(self, interaction: Interaction, values: list[str]) -> None:
        self.time = values[0]
        await interaction.response.edit_message(embed=await self.embed(), view=self._rebuilt())

    def _rebuilt(self) -> SetupWizardView:
        self._build()
        return self

    async def _on_schedule_confirm(self, interaction: Interaction) -> None:
        await self.services.setup.set_schedule(
            self.guild.id, ScheduledJob.PAIRING, self.day, self.time
        )
        await self.services.scheduler.schedule_guild(self.guild.id)
        await self.advance(interaction)

    # Welcome post

    async def _on_welcome_confirm(self, interaction: Interaction) -> None:
        channel = await configured_channel(self.bot, self.guild, ChannelPurpose.WELCOME)
        if channel is None:
            raise UserFacingError("setup.welcome_channel_missing")
        missing = channel_problems(ChannelPurpose.WELCOME, granted_in(channel, self.guild.me))
        if missing:
            raise UserFacingError(
                "errors.bot_missing_permissions",
                permissions=", ".join(permission_label(p) for p in missing),
            )
        await interaction.response.defer()
        embed, view = (
            welcome_embed(self.bot.services.texts),
            persistent_view(self.bot, JOIN_BUTTON_ID),
        )
        await channel.send(embed=embed, view=view)
        await self.advance(interaction)


class TimezoneModal(KindModal):
    def __init__(self, wizard: SetupWizardView) -> None:
        super().__init__(title=wizard.texts("wizard.timezone_modal_title"), timeout=WIZARD_TIMEOUT)
        self.wizard = wizard
        self.zone: discord.ui.TextInput[TimezoneModal] = discord.ui.TextInput(
            label=wizard.texts("wizard.timezone_modal_label"),
            placeholder="America/New_York",
            max_length=64,
        )
        self.add_item(self.zone)

    async def submit(self, interaction: Interaction) -> None:
        self.wizard.timezone = clean_timezone(self.zone.value)
        await self.wizard.redraw(interaction)


async def create_channels(
    bot: KindBot,
    guild: discord.Guild,
    purposes: list[ChannelPurpose],
    coordinator_role_id: int | None,
) -> list[discord.TextChannel]:
    """Create the channels for ``purposes`` with their overwrites, all or none.

    If Discord refuses one, those already made are deleted again and nothing is saved.
    """
    texts = bot.services.texts
    readers = coordinator_roles(guild, coordinator_role_id)
    made: list[tuple[ChannelPurpose, discord.TextChannel]] = []
    try:
        for purpose in purposes:
            plans = channel_overwrites(purpose, coordinator_role=bool(readers))
            channel = await guild.create_text_channel(
                texts(CHANNEL_NAME_KEYS[purpose]),
                overwrites=_overwrites(guild, readers, plans),
                reason="kindbot guided set-up",
            )
            made.append((purpose, channel))
    except discord.HTTPException as exc:
        log.warning("Creating channels failed in guild %s: %s", guild.id, exc)
        for _, channel in made:
            try:
                await channel.delete(reason="kindbot guided set-up: undoing a partial step")
            except discord.HTTPException:
                log.warning("Could not remove channel %s after a failed set-up", channel.id)
        key = "wizard.need_manage_channels" if isinstance(exc, discord.Forbidden) else None
        raise UserFacingError(key or "wizard.create_failed") from None
    for purpose, channel in made:
        await bot.services.setup.set_channel(guild.id, purpose, channel.id)
    return [channel for _, channel in made]


def coordinator_roles(guild: discord.Guild, coordinator_role_id: int | None) -> list[discord.Role]:
    """Who reads the coordinators' log: the coordinator role, else the Manage Server roles.

    Administrators see every channel anyway; other roles with Manage Server need an
    overwrite, since a channel's @everyone deny applies to them too.
    """
    role = guild.get_role(coordinator_role_id) if coordinator_role_id else None
    if role is not None:
        return [role]
    return [
        r
        for r in guild.roles
        if r.permissions.manage_guild
        and not r.permissions.administrator
        and not r.is_default()
        and not r.managed
    ]


def _overwrites(
    guild: discord.Guild, readers: list[discord.Role], plans: list[OverwritePlan]
) -> dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite]:
    targets: dict[str, list[discord.Role | discord.Member]] = {
        "everyone": [guild.default_role],
        "bot": [guild.me],
        "coordinators": list(readers),
    }
    result: dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite] = {}
    for plan in plans:
        settings = {name: True for name in plan.allow} | {name: False for name in plan.deny}
        for target in targets[plan.target]:
            result[target] = discord.PermissionOverwrite(**settings)
    return result
