"""Base classes for views and forms that route their errors to the shared handler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.errors import report_error
from bot.interaction import ClientT, as_kindbot

if TYPE_CHECKING:
    from bot.interaction import Interaction


class KindView(discord.ui.View):
    """A view whose callback failures reach the member as a kind message.

    With ``owner_id``, only that member may use it (an ephemeral form, say);
    discord.py leaves anyone else's clicks unanswered.
    """

    def __init__(self, *, timeout: float | None = 180, owner_id: int | None = None) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction[ClientT], /) -> bool:
        return self.owner_id is None or interaction.user.id == self.owner_id

    async def on_error(
        self,
        interaction: discord.Interaction[ClientT],
        error: Exception,
        item: discord.ui.Item[Any],
        /,
    ) -> None:
        await report_error(as_kindbot(interaction), error)


class KindModal(discord.ui.Modal):
    """A form whose submit failures reach the member as a kind message.

    Subclasses write ``submit``, which receives the interaction typed with the bot.
    """

    async def on_submit(self, interaction: discord.Interaction[ClientT], /) -> None:
        await self.submit(as_kindbot(interaction))

    async def submit(self, interaction: Interaction) -> None:
        raise NotImplementedError

    async def on_error(
        self,
        interaction: discord.Interaction[ClientT],
        error: Exception,
        item: discord.ui.Item[Any] | None = None,
        /,
    ) -> None:
        # ``item`` is optional: discord.py's Modal.on_error omits the one BaseView.on_error has.
        await report_error(as_kindbot(interaction), error)
