"""The interaction every command, button and form receives, and the one way to answer privately.

``Interaction`` is ``discord.Interaction[KindBot]``, so ``interaction.client.services``
is type-checked. discord.py types the hooks that views, forms and cogs override
(``on_submit``, ``on_error``, ``interaction_check``, a dynamic item's ``callback``)
for any client; ``as_kindbot`` narrows those to the bot, the only client here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

import discord

if TYPE_CHECKING:
    from bot.core import KindBot

    Interaction = discord.Interaction[KindBot]
else:
    Interaction = discord.Interaction

ClientT = TypeVar("ClientT", bound=discord.Client)

__all__ = ["ClientT", "Interaction", "as_kindbot", "reply_privately"]


def as_kindbot(interaction: discord.Interaction[ClientT]) -> Interaction:
    """The same interaction, typed with the bot: every interaction kindbot sees is its own."""
    return cast("Interaction", interaction)


async def reply_privately(interaction: Interaction, content: str) -> None:
    """Answer only the member who acted, whether or not the interaction was already answered."""
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True)
    else:
        await interaction.response.send_message(content, ephemeral=True)
