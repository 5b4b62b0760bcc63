"""The factdesk bot: a ``commands.Bot`` that wires settings, library and database to the cogs.

Resources are made before login (see :mod:`bot.runner`) and handed in; ``setup_hook`` loads
every cog module, syncs to the development guild when one is configured, and starts the
heartbeat. Interaction logging and the private "something went wrong" reply live here so
every cog gets the same behaviour.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord
import structlog
from discord import app_commands
from discord.ext import commands, tasks

from bot.discord_ui import strings
from bot.logs import get_logger

if TYPE_CHECKING:
    from bot.core.library import Library
    from bot.heartbeat import Heartbeat
    from bot.settings import Settings
    from bot.store.database import Database

log = get_logger(__name__)

# Extensions whose failure to load stops the bot: without them it has nothing to offer.
CORE_EXTENSIONS = frozenset({"cogs.factcheck"})
HEARTBEAT_SECONDS = 30.0


def new_error_id() -> str:
    return uuid.uuid4().hex[:10]


def interaction_name(interaction: discord.Interaction) -> str:
    """What the member used: the command's name, or the custom_id of a component."""
    if interaction.command is not None:
        return interaction.command.qualified_name
    data: Any = interaction.data or {}
    return str(data.get("custom_id") or data.get("name") or interaction.type.name)


def bind_interaction_context(interaction: discord.Interaction, name: str | None = None) -> None:
    """Bind guild, channel, user and command to every log line of this interaction's task."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        interaction_id=interaction.id,
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
        user_id=interaction.user.id,
        command=name or interaction_name(interaction),
    )


@dataclass
class InteractionOutcome:
    """What a handler found, for the one log line written when the interaction ends."""

    claim_id: str | None = None
    score: float | None = None


class FactdeskTree(app_commands.CommandTree):
    """The command tree: binds logging context first, and reports errors privately."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        bind_interaction_context(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        await report_error(interaction, original)


async def report_error(interaction: discord.Interaction, error: BaseException) -> str:
    """Log ``error`` with a new id and tell the member that id privately. Never raises."""
    error_id = new_error_id()
    log.error(
        "interaction failed",
        error_id=error_id,
        command=interaction_name(interaction),
        exc_info=(type(error), error, error.__traceback__),
    )
    content = strings.ERROR_MESSAGE.format(error_id=error_id)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True)
        else:
            await interaction.response.send_message(content, ephemeral=True)
    except Exception:
        # Too late to answer (the token expired, Discord is down): the log line stands.
        log.warning("could not send the error message", error_id=error_id, exc_info=True)
    return error_id


class FactdeskBot(commands.Bot):
    """factdesk's bot. ``library`` may be replaced whole (a corpus reload)."""

    def __init__(
        self,
        *,
        settings: Settings,
        library: Library,
        database: Database,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        # Interactions arrive without any intent; guilds gives the channel and role cache
        # that interaction.channel / permissions resolve against. Nothing privileged.
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=FactdeskTree,
            help_command=None,
        )
        self.settings = settings
        self.library = library
        self.database = database
        self.heartbeat = heartbeat

    async def setup_hook(self) -> None:
        for name in extension_names():
            try:
                await self.load_extension(name)
            except Exception:
                if name in CORE_EXTENSIONS:
                    raise
                log.exception("extension failed to load", extension=name)
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("commands synced", guild_id=guild.id, count=len(synced))
        if self.heartbeat is not None:
            self.refresh_heartbeat.start()

    async def close(self) -> None:
        if self.refresh_heartbeat.is_running():
            self.refresh_heartbeat.cancel()
        await super().close()

    @tasks.loop(seconds=HEARTBEAT_SECONDS)
    async def refresh_heartbeat(self) -> None:
        if self.heartbeat is None:
            return
        try:
            await self.heartbeat.beat(self)
        except Exception:
            log.exception("heartbeat failed")

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("connected", user_id=self.user.id, guilds=len(self.guilds))
        # Say "connected" now rather than at the loop's next tick, up to 30 s later.
        await self.refresh_heartbeat()

    async def on_resumed(self) -> None:
        log.info("gateway session resumed")
        await self.refresh_heartbeat()

    @asynccontextmanager
    async def interaction_scope(
        self, interaction: discord.Interaction, name: str | None = None, *, reply: bool = True
    ) -> AsyncIterator[InteractionOutcome]:
        """Log the interaction once when it ends, and turn any failure into the error reply.

        ``reply=False`` (autocomplete, which cannot carry a message) only logs the failure.
        """
        bind_interaction_context(interaction, name)
        started = time.perf_counter()
        outcome = InteractionOutcome()
        failed = False
        try:
            yield outcome
        except Exception as error:
            failed = True
            if reply:
                await report_error(interaction, error)
            else:
                log.error("interaction failed", error_id=new_error_id(), exc_info=True)
        finally:
            log.info(
                "interaction",
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
                claim_id=outcome.claim_id,
                score=outcome.score,
                failed=failed,
            )


def extension_names() -> list[str]:
    """Every module of ``cogs/`` whose name does not start with an underscore."""
    package = importlib.import_module("cogs")
    return [
        f"cogs.{info.name}"
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name)
        if not info.name.startswith("_")
    ]
