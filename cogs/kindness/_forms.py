"""An act as one line, and the "mine" list that edits or deletes one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.models import Act
from cogs.shared.act_form import ActModal
from cogs.shared.display import safe_text
from cogs.shared.forms import visibility_label
from cogs.shared.pick_list import OwnEntriesView

if TYPE_CHECKING:
    import discord

    from bot.core import KindBot
    from bot.text import Messages


def act_line(act: Act, texts: Messages) -> str:
    condition = f" · {act.condition_number}" if act.condition_number else ""
    seen = visibility_label(texts, act.visibility)
    return f"**#{act.act_id}** {safe_text(act.what, 120)}{condition} · _{seen}_"


class MyActsView(OwnEntriesView):
    """Pick one of your acts, then edit or delete it."""

    def __init__(self, bot: KindBot, acts: list[Act]) -> None:
        super().__init__(bot, [(a.act_id, a.what) for a in acts])

    async def describe(self, guild_id: int, user_id: int, entry_id: int) -> str:
        act = await self.bot.services.kindness.get_own(guild_id, user_id, entry_id)
        return act_line(act, self.bot.services.texts)

    async def editor(self, guild_id: int, user_id: int, entry_id: int) -> discord.ui.Modal:
        act = await self.bot.services.kindness.get_own(guild_id, user_id, entry_id)
        return ActModal(
            self.bot,
            what=act.what,
            who=act.who_benefited or "",
            condition=act.condition_number,
            visibility=act.visibility,
            act_id=act.act_id,
        )

    async def delete(self, guild_id: int, user_id: int, entry_id: int) -> None:
        await self.bot.services.kindness.delete(guild_id, user_id, entry_id)
