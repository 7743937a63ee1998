"""The ephemeral onboarding form: a few menus and buttons, then a review, then save.

The draft lives only in this view, so closing the form or letting it time out
leaves nothing behind. Saving happens once, on Confirm.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from bot.interaction import Interaction
from bot.models import Group, Profile
from bot.services.onboarding import INTRO_LIMIT, plan_roles
from bot.ui import KindModal, KindView
from cogs.onboarding._render import form_embed, profile_embed, review_embed
from cogs.shared.guild import guild_id
from cogs.shared.roles import apply_role_plan

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)

FORM_TIMEOUT = 15 * 60


class ProfileForm(KindView):
    """Group, place, interests, intro and the two consents, all off until chosen."""

    def __init__(
        self,
        bot: KindBot,
        *,
        guild_id: int,
        user_id: int,
        profile: Profile,
        groups: list[Group],
        pulse_on: bool = False,
    ) -> None:
        super().__init__(timeout=FORM_TIMEOUT, owner_id=user_id)
        # "Help us learn what works": the pulse's own consent, off until switched on.
        self.pulse_on = pulse_on
        self.bot = bot
        self.texts = bot.services.texts
        self.service = bot.services.onboarding
        self.guild_id = guild_id
        self.user_id = user_id
        self.profile = profile
        self.groups = groups[:25]
        texts = self.texts
        self.pick_group.placeholder = texts("onboarding.pick_group")
        self.pick_region.placeholder = texts("onboarding.pick_region")
        self.pick_interests.placeholder = texts("onboarding.pick_interests")
        self.pick_interests.max_values = len(self.service.content.interests)
        self.intro.label = texts("onboarding.intro_button")
        self.review.label = texts("onboarding.review_button")
        self.cancel.label = texts("onboarding.cancel_button")
        self._build()

    @classmethod
    async def start(cls, bot: KindBot, guild_id: int, user_id: int) -> ProfileForm:
        service = bot.services.onboarding
        existing = await service.champion(guild_id, user_id)
        # A member who left but kept their data gets their answers back, as promised.
        profile = existing.profile if existing is not None else Profile()
        groups = await service.groups(guild_id)
        if profile.group_id not in {g.group_id for g in groups}:
            profile = replace(profile, group_id=None)
        pulse_on = await bot.services.pulse.consented(guild_id, user_id)
        return cls(
            bot,
            guild_id=guild_id,
            user_id=user_id,
            profile=profile,
            groups=groups,
            pulse_on=pulse_on,
        )

    @property
    def group(self) -> Group | None:
        return next((g for g in self.groups if g.group_id == self.profile.group_id), None)

    def embed(self) -> discord.Embed:
        return form_embed(self.profile, self.group, self.service.content, self.texts)

    def _build(self) -> None:
        """Show the current answers: chosen options, and the two consents on or off."""
        texts, content, profile = self.texts, self.service.content, self.profile
        self.pick_group.options = [
            discord.SelectOption(
                label=g.name, value=str(g.group_id), default=g.group_id == profile.group_id
            )
            for g in self.groups
        ]
        self.pick_region.options = [
            discord.SelectOption(label=r.label, value=r.id, default=r.id == profile.region_id)
            for r in content.regions
        ]
        self.pick_interests.options = [
            discord.SelectOption(label=i.label, value=i.id, default=i.id in profile.interests)
            for i in content.interests
        ]
        for button, key, on in (
            (self.coffee, "onboarding.toggle_coffee", profile.coffee_opt_in),
            (self.digest, "onboarding.toggle_digest", profile.digest_name_ok),
            (self.pulse, "onboarding.toggle_pulse", self.pulse_on),
        ):
            state = texts("onboarding.on") if on else texts("onboarding.off")
            button.label = texts(key, state=state)
            button.style = discord.ButtonStyle.success if on else discord.ButtonStyle.secondary

    async def redraw(self, interaction: Interaction) -> None:
        self._build()
        await interaction.response.edit_message(content=None, embed=self.embed(), view=self)

    @discord.ui.select(cls=discord.ui.Select, row=0)
    async def pick_group(self, interaction: Interaction, select: discord.ui.Select[Any]) -> None:
        chosen = select.values
        self.profile = replace(self.profile, group_id=int(chosen[0]) if chosen else None)
        await self.redraw(interaction)

    @discord.ui.select(cls=discord.ui.Select, row=1)
    async def pick_region(self, interaction: Interaction, select: discord.ui.Select[Any]) -> None:
        if not select.values:
            await self.redraw(interaction)
            return
        self.profile = self.service.choose_region(self.profile, select.values[0])
        region = self.service.content.region(select.values[0])
        if region is not None and region.needs_timezone:
            await interaction.response.send_modal(TimezoneModal(self))
            return
        await self.redraw(interaction)

    @discord.ui.select(cls=discord.ui.Select, min_values=0, row=2)
    async def pick_interests(
        self, interaction: Interaction, select: discord.ui.Select[Any]
    ) -> None:
        self.profile = self.service.choose_interests(self.profile, select.values)
        await self.redraw(interaction)

    @discord.ui.button(row=3)
    async def coffee(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        self.profile = replace(self.profile, coffee_opt_in=not self.profile.coffee_opt_in)
        await self.redraw(interaction)

    @discord.ui.button(row=3)
    async def digest(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        self.profile = replace(self.profile, digest_name_ok=not self.profile.digest_name_ok)
        await self.redraw(interaction)

    @discord.ui.button(row=3)
    async def pulse(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        self.pulse_on = not self.pulse_on
        await self.redraw(interaction)

    @discord.ui.button(style=discord.ButtonStyle.secondary, row=3)
    async def intro(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_modal(IntroModal(self))

    @discord.ui.button(style=discord.ButtonStyle.primary, row=4)
    async def review(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        self.service.check_complete(self.profile)
        review = ReviewView(self)
        await interaction.response.edit_message(embed=review.embed(), view=review)

    @discord.ui.button(style=discord.ButtonStyle.secondary, row=4)
    async def cancel(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=self.texts("onboarding.cancelled"), embed=None, view=None
        )


async def save_pulse_consent(bot: KindBot, guild_id: int, user_id: int, on: bool) -> None:
    """Store the pulse switch; switching it on asks for the baseline pulse right away."""
    pulse = bot.services.pulse
    if await pulse.consented(guild_id, user_id) == on:
        return
    await pulse.set_consent(guild_id, user_id, on)
    if on:
        bot.dispatch("pulse_consent", guild_id, user_id)


class IntroModal(KindModal):
    def __init__(self, form: ProfileForm) -> None:
        super().__init__(title=form.texts("onboarding.intro_title"), timeout=FORM_TIMEOUT)
        self.form = form
        self.intro: discord.ui.TextInput[IntroModal] = discord.ui.TextInput(
            label=form.texts("onboarding.intro_label"),
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=INTRO_LIMIT,
            default=form.profile.intro or None,
            placeholder=form.texts("onboarding.intro_placeholder"),
        )
        self.add_item(self.intro)

    async def submit(self, interaction: Interaction) -> None:
        raw = self.intro.value
        intro = self.form.service.clean_intro(raw)
        self.form.profile = replace(self.form.profile, intro=intro)
        await self.form.redraw(interaction)
        if intro is None and raw:
            await interaction.followup.send(
                self.form.texts("onboarding.intro_blank"), ephemeral=True
            )


class TimezoneModal(KindModal):
    def __init__(self, form: ProfileForm) -> None:
        super().__init__(title=form.texts("onboarding.timezone_title"), timeout=FORM_TIMEOUT)
        self.form = form
        self.timezone: discord.ui.TextInput[TimezoneModal] = discord.ui.TextInput(
            label=form.texts("onboarding.timezone_label"),
            placeholder="America/New_York",
            max_length=64,
            default=form.profile.timezone or None,
        )
        self.add_item(self.timezone)

    async def submit(self, interaction: Interaction) -> None:
        self.form.profile = self.form.service.choose_timezone(
            self.form.profile, self.timezone.value
        )
        await self.form.redraw(interaction)


class ReviewView(KindView):
    """Confirm saves once, even if clicked twice at the same moment."""

    def __init__(self, form: ProfileForm) -> None:
        super().__init__(timeout=FORM_TIMEOUT, owner_id=form.user_id)
        self.form = form
        self._lock = asyncio.Lock()
        self._saved = False
        self.confirm.label = form.texts("onboarding.confirm_button")
        self.edit.label = form.texts("onboarding.edit_button")

    def embed(self) -> discord.Embed:
        form = self.form
        return review_embed(form.profile, form.group, form.service.content, form.texts)

    @discord.ui.button(style=discord.ButtonStyle.success)
    async def confirm(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        form, texts = self.form, self.form.texts
        if self._lock.locked() or self._saved:
            await interaction.response.send_message(
                texts("onboarding.already_saved"), ephemeral=True
            )
            return
        async with self._lock:
            await interaction.response.defer()
            result = await form.service.join(form.guild_id, form.user_id, form.profile)
            await save_pulse_consent(form.bot, form.guild_id, form.user_id, form.pulse_on)
            self._saved = True
            self.stop()
            form.stop()
            roles_ok = True
            member = interaction.user
            if not isinstance(member, discord.Member):  # the form was opened from a DM
                guild = form.bot.get_guild(form.guild_id)
                member = (guild and guild.get_member(form.user_id)) or member
            if isinstance(member, discord.Member):
                champion_role = await form.service.champion_role_id(form.guild_id)
                plan = plan_roles(champion_role, result.group, result.previous_group, joining=True)
                roles_ok = await apply_role_plan(form.bot, member, plan)
            title = "onboarding.welcome_title" if result.created else "onboarding.updated_title"
            embed = profile_embed(
                interaction.user.display_name,
                result.champion.profile,
                result.group,
                form.service.content,
                texts,
                title_key=title,
                pulse_on=form.pulse_on,
            )
            await interaction.edit_original_response(
                content=None, embed=embed, view=EditProfileView(form.bot)
            )
            if not roles_ok:
                await interaction.followup.send(
                    texts("onboarding.roles_member_note"), ephemeral=True
                )

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def edit(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        self.form.groups = (await self.form.service.groups(self.form.guild_id))[:25]
        await self.form.redraw(interaction)


class EditProfileView(KindView):
    """An Edit button under a profile, opening the form with the saved answers."""

    def __init__(self, bot: KindBot) -> None:
        super().__init__(timeout=FORM_TIMEOUT)
        self.bot = bot
        self.edit.label = bot.services.texts("onboarding.edit_button")

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def edit(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        form = await ProfileForm.start(self.bot, guild_id(interaction), interaction.user.id)
        await interaction.response.edit_message(content=None, embed=form.embed(), view=form)
