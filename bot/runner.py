"""Starting and stopping the bot: what ``factdesk run`` and the end-to-end tests both build.

Order matters: settings -> logging -> corpus -> database, all before anything touches
Discord, so a broken corpus directory or an unwritable database fails in a second with one
clear line instead of after login.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import discord
import yarl

from bot.logs import configure_logging, get_logger
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import FactdeskBot
    from bot.core.library import Library
    from bot.store.database import Database

log = get_logger(__name__)

MISSING_TOKEN = "error: FACTDESK_DISCORD_TOKEN is not set (see docs/configuration.md)"


class StartupError(Exception):
    """A problem that stops the bot before login; its message is the one line to print."""


def point_discord_at(api_base: str, gateway_url: str) -> None:
    """Send discord.py's REST calls and gateway connection to the configured URLs.

    discord.py keeps both as class attributes (webhooks share ``http.Route``), so this is
    process-wide; one bot per process is the only supported shape.
    """
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.webhook.async_.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def load_library(corpus_dir: Path, *, warn: bool = True) -> Library:
    """The library for ``corpus_dir``; its problems are printed as warnings, not fatal."""
    from bot.core.library import Library

    if not corpus_dir.exists():
        raise StartupError(f"error: corpus directory {corpus_dir} does not exist")
    try:
        library, problems = Library.load(corpus_dir)
    except OSError as error:
        raise StartupError(f"error: cannot read corpus {corpus_dir}: {error}") from error
    if warn:
        for problem in problems:
            print(f"warning: {problem}", file=sys.stderr)
    if len(library.corpus) == 0:
        raise StartupError(f"error: corpus {corpus_dir} holds no usable fact-check")
    return library


async def open_database(path: Path) -> Database:
    from bot.store.database import Database

    try:
        return await Database.open(path)
    except Exception as error:
        raise StartupError(f"error: cannot open database {path}: {error}") from error


@dataclass
class Resources:
    library: Library
    database: Database


async def prepare(settings: Settings) -> Resources:
    """Everything the bot needs, made before login."""
    library = load_library(settings.corpus_dir)
    database = await open_database(settings.database)
    point_discord_at(settings.discord_api_base, settings.discord_gateway_url)
    return Resources(library, database)


def make_bot(settings: Settings, resources: Resources) -> FactdeskBot:
    from bot.app import FactdeskBot
    from bot.heartbeat import Heartbeat

    return FactdeskBot(
        settings=settings,
        library=resources.library,
        database=resources.database,
        heartbeat=Heartbeat(settings.heartbeat_file),
    )


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Run until ``stop`` is set or the bot ends; always closes the bot and the database."""
    assert settings.discord_token is not None
    resources = await prepare(settings)
    try:
        bot = make_bot(settings, resources)
        try:
            async with bot:
                runner = asyncio.create_task(bot.start(settings.discord_token.get_secret_value()))
                stopper = asyncio.create_task(stop.wait())
                done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if stopper in done:
                    log.info("stopping")
                    await bot.close()
                stopper.cancel()
                await runner
        finally:
            _mark_stopped(bot)
    finally:
        await resources.database.close()


def _mark_stopped(bot: FactdeskBot) -> None:
    """Tell `factdesk health` the bot is gone (the heartbeat loop has ended with the bot)."""
    if bot.heartbeat is None:
        return
    try:
        bot.heartbeat.mark_stopped()
    except OSError as error:
        log.warning("cannot mark the heartbeat stopped", error=str(error))


def run(settings: Settings) -> int:
    """``factdesk run``: the exit code (0 after SIGINT/SIGTERM, 2 without a token)."""
    if settings.discord_token is None or not settings.discord_token.get_secret_value():
        print(MISSING_TOKEN, file=sys.stderr)
        return 2
    configure_logging(
        log_format=settings.log_format,
        level=settings.log_level,
        secrets=[settings.discord_token.get_secret_value()],
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(settings, stop)

    try:
        asyncio.run(main())
    except StartupError as error:
        print(str(error), file=sys.stderr)
        return 1
    except discord.LoginFailure:
        print("error: Discord rejected the token (FACTDESK_DISCORD_TOKEN)", file=sys.stderr)
        return 1
    return 0


async def sync_commands(settings: Settings, guild_id: int | None) -> int:
    """Log in, sync the command tree globally or to one guild, and log out."""
    resources = await prepare(settings)
    assert settings.discord_token is not None
    try:
        async with make_bot(settings, resources) as bot:
            await bot.login(settings.discord_token.get_secret_value())
            if guild_id is not None:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
            else:
                synced = await bot.tree.sync()
            print(f"synced {len(synced)} commands" + (f" to guild {guild_id}" if guild_id else ""))
    finally:
        await resources.database.close()
    return 0


def sync(settings: Settings, guild_id: int | None) -> int:
    """``factdesk sync``: the exit code."""
    if settings.discord_token is None or not settings.discord_token.get_secret_value():
        print(MISSING_TOKEN, file=sys.stderr)
        return 2
    configure_logging(
        log_format=settings.log_format,
        level=settings.log_level,
        secrets=[settings.discord_token.get_secret_value()],
    )
    try:
        return asyncio.run(sync_commands(settings, guild_id))
    except StartupError as error:
        print(str(error), file=sys.stderr)
        return 1
    except discord.LoginFailure:
        print("error: Discord rejected the token (FACTDESK_DISCORD_TOKEN)", file=sys.stderr)
        return 1
