"""Finding a time: the **Find a time** button, ticking slots, and the agreed time.

Both items carry the meeting id in their custom id, so they keep working after a
restart without any view kept in memory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import discord

from bot.errors import answer_kindly
from bot.interaction import ClientT, Interaction, reply_privately
from bot.services.meeting_times import SlotOffer
from bot.services.programmes import (
    ProgrammeError,
    TimeStatus,
    agreed_messages,
    slot_label,
    times_message,
)

_NO_PINGS = discord.AllowedMentions.none()


async def _kindly(
    interaction: discord.Interaction[ClientT], handler: Callable[[Interaction], Awaitable[None]]
) -> None:
    """Run an item's handler: a programme's refusal is told privately in its own words,
    any other failure gets the usual reply with its error code."""

    async def run(mine: Interaction) -> None:
        try:
            await handler(mine)
        except ProgrammeError as problem:
            texts = mine.client.services.programme_texts
            await reply_privately(mine, texts(problem.key, **problem.params))

    await answer_kindly(interaction, run)


def find_time_view(meeting_id: int, label: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(FindTimeButton(meeting_id, label))
    return view


class FindTimeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"kindbot:findtime:(?P<meeting>\d+)",
):
    def __init__(self, meeting_id: int, label: str = "Find a time") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"kindbot:findtime:{meeting_id}",
            )
        )
        self.meeting_id = meeting_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ClientT],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FindTimeButton:
        return cls(int(match["meeting"]), getattr(item, "label", None) or "Find a time")

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        await _kindly(interaction, self._open)

    async def _open(self, interaction: Interaction) -> None:
        services = interaction.client.services
        guild = interaction.guild
        if guild is None:
            raise ProgrammeError("programmes.unknown_meeting")
        status = await services.programmes.time_status(guild.id, self.meeting_id)
        if interaction.user.id not in status.members:
            raise ProgrammeError("programmes.not_in_meeting")
        if not status.slots:
            offer = await services.programmes.offer_times(guild.id, self.meeting_id)
            status = await services.programmes.time_status(guild.id, self.meeting_id)
        else:
            offer = SlotOffer(status.slots, tuple(0 for _ in status.slots), len(status.members))
        key, params = times_message(offer)
        texts = services.programme_texts
        mine = status.ticks.get(interaction.user.id, frozenset())
        # The menu is this member's own (ephemeral), so its labels are in their timezone.
        zone = await services.programmes.member_timezone(guild.id, interaction.user.id)
        labels = []
        for index, slot in enumerate(status.slots, start=1):
            label_key, label_params = slot_label(index, slot, zone)
            labels.append(texts(label_key, **label_params))
        view = discord.ui.View(timeout=None)
        view.add_item(
            SlotSelect(
                self.meeting_id,
                status.slots,
                mine,
                texts("programmes.slot_placeholder"),
                labels,
            )
        )
        await interaction.response.send_message(texts(key, **params), view=view, ephemeral=True)


class SlotSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"kindbot:slots:(?P<meeting>\d+)",
):
    def __init__(
        self,
        meeting_id: int,
        slots: tuple[datetime, ...] = (),
        ticked: frozenset[datetime] = frozenset(),
        placeholder: str = "",
        labels: Sequence[str] = (),
    ) -> None:
        options = [
            discord.SelectOption(label=label[:100], value=str(i), default=slot in ticked)
            for i, (slot, label) in enumerate(zip(slots, labels, strict=True))
        ] or [discord.SelectOption(label="-", value="0")]
        super().__init__(
            discord.ui.Select(
                custom_id=f"kindbot:slots:{meeting_id}",
                placeholder=placeholder or None,
                min_values=0,
                max_values=len(options),
                options=options,
            )
        )
        self.meeting_id = meeting_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ClientT],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> SlotSelect:
        return cls(int(match["meeting"]))

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        await _kindly(interaction, self._tick)

    async def _tick(self, interaction: Interaction) -> None:
        services = interaction.client.services
        texts = services.programme_texts
        guild = interaction.guild
        if guild is None:
            raise ProgrammeError("programmes.unknown_meeting")
        programmes = services.programmes
        before = await programmes.time_status(guild.id, self.meeting_id)
        chosen = {int(v) for v in self.item.values}
        status = before
        for position in range(len(before.slots)):
            status = await programmes.tick(
                guild.id, self.meeting_id, interaction.user.id, position, position in chosen
            )
        await reply_privately(interaction, texts("programmes.ticks_saved", count=len(chosen)))
        if status.agreed is not None and before.agreed != status.agreed:
            await post_agreed(interaction, self.meeting_id, status)


async def post_agreed(interaction: Interaction, meeting_id: int, status: TimeStatus) -> None:
    """Post the agreed time and its calendar file in the meeting's thread, once (or, for
    a meeting without a thread, show it to the member who completed it)."""
    services = interaction.client.services
    texts = services.programme_texts
    guild = interaction.guild
    assert guild is not None
    text = "\n".join(texts(key, **params) for key, params in agreed_messages(status))
    ics = await services.programmes.calendar_file(
        guild.id, meeting_id, texts("programmes.calendar_summary", server=guild.name)
    )
    channel = interaction.channel
    # The programme cog posts it through the delivery ledger and schedules the reminder.
    post = getattr(interaction.client.get_cog("ProgrammeCog"), "post_agreed", None)
    if isinstance(channel, discord.Thread) and post is not None:
        await post(guild, channel, meeting_id, status, text, ics)
        return
    file = discord.File(io.BytesIO(ics), filename="meeting.ics")
    await interaction.followup.send(text, file=file, ephemeral=True)
