"""The ``KindBot`` client: start-up order, guild bookkeeping and a clean shutdown."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import discord
from discord import app_commands
from discord.ext import commands

from bot.db.migrations import migrate
from bot.errors import report_error
from bot.interaction import Interaction
from bot.pacing import Pacer
from bot.repos.meta import MetaRepo
from bot.sync import sync_commands
from bot.wiring import Services

log = logging.getLogger(__name__)

DEFAULT_EXTENSIONS: tuple[str, ...] = (
    "cogs.setup",
    "cogs.onboarding",
    "cogs.privacy",
    "cogs.champions",
    "cogs.coffee",
    "cogs.programmes",
    "cogs.kindness",
    "cogs.reflections",
    "cogs.prompts",
    "cogs.digest",
    "cogs.about",
    "cogs.pulse",
)


@runtime_checkable
class ProvidesPersistentViews(Protocol):
    """A cog with buttons that must keep working after a restart."""

    def persistent_views(self) -> Sequence[discord.ui.View]: ...


@runtime_checkable
class ProvidesDynamicItems(Protocol):
    """A cog with buttons whose custom ids carry data (for example a meeting id)."""

    def dynamic_items(self) -> Sequence[type[discord.ui.DynamicItem[Any]]]: ...


class KindTree(app_commands.CommandTree["KindBot"]):
    """Routes every slash-command failure to the shared, kind error handler."""

    async def on_error(
        self, interaction: Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        await report_error(interaction, error)


def intents() -> discord.Intents:
    """Guilds for channels and roles; members (privileged) for joins and leaves."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.members = True
    return chosen


class KindBot(commands.Bot):
    """The bot; everything it uses arrives through ``services``."""

    def __init__(
        self,
        services: Services,
        *,
        dev_guild: int | None = None,
        extensions: Sequence[str] = DEFAULT_EXTENSIONS,
        auto_sync: bool = True,
        start_scheduler: bool = True,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(),
            tree_cls=KindTree,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=guild_ready_timeout,
        )
        self.services = services
        self._command_hashes = MetaRepo(services.db)
        self.rest_pacer = Pacer()
        self.dev_guild = dev_guild
        self._extensions_to_load = tuple(extensions)
        self._auto_sync = auto_sync
        self._start_scheduler = start_scheduler

    async def setup_hook(self) -> None:
        """Database, migrations, cogs, persistent views, scheduler: in that order."""
        await self.services.db.connect()
        applied = await migrate(self.services.db)
        if applied:
            log.info("Database upgraded to version %d", applied[-1].version)
        for extension in self._extensions_to_load:
            await self.load_extension(extension)
        for cog in self.cogs.values():
            if isinstance(cog, ProvidesPersistentViews):
                for view in cog.persistent_views():
                    self.add_view(view)
            if isinstance(cog, ProvidesDynamicItems):
                self.add_dynamic_items(*cog.dynamic_items())
        if self._start_scheduler:
            self.services.scheduler.set_gate(self.wait_until_ready)
            await self.services.scheduler.start()
        if self._auto_sync:
            await self.sync_commands(force=False)

    async def sync_commands(self, *, force: bool) -> bool:
        return await sync_commands(self.tree, self._command_hashes, self.dev_guild, force=force)

    async def on_ready(self) -> None:
        assert self.user is not None
        for guild in self.guilds:
            await self._adopt_guild(guild)
        log.info("kindbot is ready as %s in %d server(s)", self.user, len(self.guilds))

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._adopt_guild(guild)
        log.info("Joined server %s (%s)", guild.name, guild.id)

    async def _adopt_guild(self, guild: discord.Guild) -> None:
        if await self.services.setup.ensure_guild(guild.id):
            log.info("Set up defaults for server %s", guild.id)
        await self.services.scheduler.schedule_guild(guild.id)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        if self.is_closed():
            # An event still running when the bot shut down and closed the database.
            log.info("Event %s was cut short by the shutdown", event_method)
            return
        log.error("Unhandled error in event %s", event_method, exc_info=sys.exc_info())

    async def close(self) -> None:
        """Stop the scheduler, disconnect, stop the worker processes, close the database."""
        if self.services.scheduler.running:
            await self.services.scheduler.stop()
            log.info("Scheduler stopped")
        await super().close()
        await self.services.offload.close()
        if self.services.db.is_open:
            await self.services.db.close()
            log.info("Database closed")
