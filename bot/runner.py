"""Starting and stopping the bot: what ``factdesk run`` and the end-to-end tests both build.

Order matters: settings -> logging -> corpus -> database, all before anything touches
Discord, so a broken corpus directory or an unwritable database fails in a second with one
clear line instead of after login. Failures that come from Discord (unreachable, the token
rejected at login or by a gateway close 4004 mid-run) are one line too (:func:`fatal_line`),
or one JSON event under ``FACTDESK_LOG_FORMAT=json``; never a traceback.

SIGHUP: :func:`run` makes it harmless from its first line; the admin cog takes it over for
corpus reloads. The contract is in :mod:`bot.hangup`.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
import yarl

from bot import hangup
from bot.logs import configure_logging, get_logger
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import FactdeskBot
    from bot.core.library import Library
    from bot.shards import ShardPlan
    from bot.store.database import Database

log = get_logger(__name__)

MISSING_TOKEN = "error: FACTDESK_DISCORD_TOKEN is not set (see docs/configuration.md)"
TOKEN_REJECTED = "error: Discord rejected the token (FACTDESK_DISCORD_TOKEN)"
# Gateway close codes: 4004 authentication failed (a revoked or reset token).
TOKEN_CLOSE_CODES = frozenset({4004})
PRIVILEGED_INTENTS_CODE = 4014


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


def load_library(corpus_dir: Path, *, warn: bool = True, index_dir: Path | None = None) -> Library:
    """The library for ``corpus_dir``; its problems are printed as warnings, not fatal.

    With ``index_dir``, through the persisted index (bot.core.index_store): a corpus
    indexed before opens from its saved index instead of being built again."""
    from bot.core.library import Library

    if not corpus_dir.exists():
        raise StartupError(f"error: corpus directory {corpus_dir} does not exist")
    try:
        if index_dir is None:
            library, problems = Library.load(corpus_dir)
        else:
            library, problems, outcome = Library.open(corpus_dir, index_dir)
            log.info(
                "index reused" if outcome.reused else "index built",
                index=str(outcome.path),
                reason=outcome.reason,
                claims=len(library.corpus),
            )
    except OSError as error:
        raise StartupError(f"error: cannot read corpus {corpus_dir}: {error}") from error
    if warn:
        for problem in problems:
            print(f"warning: {problem}", file=sys.stderr)
    if len(library.corpus) == 0:
        raise StartupError(f"error: corpus {corpus_dir} holds no usable fact-check")
    return library


async def open_database(
    path: Path | str, *, question_retention_days: int | None = None
) -> Database:
    from bot.store.backends import describe_target
    from bot.store.database import DEFAULT_QUESTION_RETENTION_DAYS, Database

    before = set(threading.enumerate())
    try:
        return await Database.open(
            path,
            question_retention_days=(
                DEFAULT_QUESTION_RETENTION_DAYS
                if question_retention_days is None
                else question_retention_days
            ),
        )
    except Exception as error:
        await _settle_new_sqlite_workers(before)
        raise StartupError(
            f"error: cannot open database {describe_target(path)}: {error}"
        ) from error


# aiosqlite names its worker thread after the function it runs.
_SQLITE_WORKER_SUFFIX = "(_connection_worker_thread)"
SQLITE_WORKER_SETTLE_SECONDS = 5.0


async def _settle_new_sqlite_workers(before: set[threading.Thread]) -> None:
    """Wait for the worker thread a failed ``aiosqlite.connect`` leaves behind.

    When connecting fails, aiosqlite stops its worker without awaiting it; the thread then
    answers into the event loop, and if ``asyncio.run`` has closed the loop by then it dies
    with a "RuntimeError: Event loop is closed" traceback after our one-line error. Joining
    it while the loop still runs lets it finish quietly. (The tidy fix belongs in the store,
    or upstream: await the stop of a connection that failed to connect.)
    """
    for thread in set(threading.enumerate()) - before:
        if thread.name.endswith(_SQLITE_WORKER_SUFFIX):
            await asyncio.to_thread(thread.join, SQLITE_WORKER_SETTLE_SECONDS)


@dataclass
class Resources:
    library: Library
    database: Database


async def prepare(settings: Settings) -> Resources:
    """Everything the bot needs, made before login.

    The database opens before the library loads: building the index of a large corpus
    takes minutes the first time, and an unusable database should say so at once."""
    if not settings.corpus_dir.exists():
        raise StartupError(f"error: corpus directory {settings.corpus_dir} does not exist")
    shard_plan(settings)  # a bad shard range fails here, before anything opens
    database = await open_database(
        settings.database, question_retention_days=settings.question_retention_days
    )
    try:
        library = load_library(settings.corpus_dir, index_dir=settings.resolved_index_dir)
    except BaseException:
        await database.close()
        raise
    point_discord_at(settings.discord_api_base, settings.discord_gateway_url)
    return Resources(library, database)


def shard_plan(settings: Settings) -> ShardPlan | None:
    """The shards these settings run (None: unsharded); a bad plan is a StartupError."""
    from bot.shards import ShardPlan, ShardSpecError

    try:
        return ShardPlan.build(settings.shard_ids, settings.shard_count)
    except ShardSpecError as error:
        raise StartupError(f"error: {error}") from None


def make_bot(
    settings: Settings, resources: Resources, *, message_content: bool | None = None
) -> FactdeskBot:
    """The bot for ``settings``: sharded (discord.py's AutoShardedBot, its identifies paced
    across processes by :mod:`bot.shards`) when they name shards, else the plain one."""
    from bot.app import FactdeskBot, ShardedFactdeskBot
    from bot.heartbeat import Heartbeat
    from bot.shards import identify_gate_for

    common: dict[str, Any] = {
        "settings": settings,
        "library": resources.library,
        "database": resources.database,
        "heartbeat": Heartbeat(settings.heartbeat_file),
        "message_content": message_content,
    }
    plan = shard_plan(settings)
    if plan is None:
        return FactdeskBot(**common)
    log.info("sharded", shards=plan.describe(), syncs_commands=plan.syncs_commands)
    return ShardedFactdeskBot(
        shard_plan=plan,
        identify_gate=identify_gate_for(settings.database, settings.identify_interval),
        **common,
    )


MESSAGE_CONTENT_REFUSED = (
    "Discord refused the Message Content intent: starting without it, so watch mode is"
    " unavailable (enable Message Content in the Developer Portal, or set"
    " FACTDESK_MESSAGE_CONTENT=false)"
)


def _content_refused(error: BaseException) -> bool:
    return isinstance(error, discord.PrivilegedIntentsRequired) or (
        isinstance(error, discord.ConnectionClosed) and error.code == PRIVILEGED_INTENTS_CODE
    )


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Run until ``stop`` is set or the bot ends; always closes the bot and the database.

    A stop that interrupts the login (Discord slow to answer) is still a clean stop: the
    login's own error is not raised then.
    """
    assert settings.discord_token is not None
    resources = await prepare(settings)
    try:
        try:
            await _serve_once(settings, resources, stop)
        except Exception as error:
            # The one privileged intent factdesk may ask for is optional: run without it.
            if not (settings.message_content and _content_refused(error)) or stop.is_set():
                raise
            log.warning("message content refused", detail=MESSAGE_CONTENT_REFUSED)
            await _serve_once(settings, resources, stop, message_content=False)
    finally:
        await resources.database.close()


async def _serve_once(
    settings: Settings, resources: Resources, stop: asyncio.Event, **options: Any
) -> None:
    assert settings.discord_token is not None
    bot = make_bot(settings, resources, **options)
    try:
        async with bot:
            runner = asyncio.create_task(bot.start(settings.discord_token.get_secret_value()))
            stopper = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                log.info("stopping")
                await bot.close()
                runner.cancel()
                await asyncio.gather(runner, return_exceptions=True)
            else:
                stopper.cancel()
                await runner
    finally:
        _mark_stopped(bot)
        # The admin cog removed its SIGHUP handler on unload: keep SIGHUP harmless.
        hangup.install(asyncio.get_running_loop())


def _mark_stopped(bot: FactdeskBot) -> None:
    """Tell `factdesk health` the bot is gone (the heartbeat loop has ended with the bot)."""
    if bot.heartbeat is None:
        return
    try:
        bot.heartbeat.mark_stopped()
    except OSError as error:
        log.warning("cannot mark the heartbeat stopped", error=str(error))


def fatal_line(error: BaseException, settings: Settings) -> str | None:
    """The one line that explains why ``run`` or ``sync`` ended with ``error``, or None.

    None means an unexpected error: a bug, which keeps its traceback in the log.
    """
    if isinstance(error, StartupError):
        return str(error)
    if isinstance(error, discord.LoginFailure):
        return TOKEN_REJECTED
    if isinstance(error, discord.ConnectionClosed):
        if error.code in TOKEN_CLOSE_CODES:
            return TOKEN_REJECTED
        if error.code == PRIVILEGED_INTENTS_CODE:
            return f"error: Discord closed the gateway: {error.reason or 'disallowed intents'}"
        return f"error: Discord closed the gateway connection (close code {error.code})"
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return "error: Discord refused the gateway intents (enable them in the Developer Portal)"
    if isinstance(error, discord.GatewayNotFound):
        return f"error: cannot reach the Discord gateway at {settings.discord_gateway_url}"
    if isinstance(error, discord.HTTPException):
        return (
            f"error: Discord answered HTTP {error.status} at {settings.discord_api_base}: "
            f"{error.text or error.response.reason}"
        )
    if isinstance(error, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        reason = str(error) or type(error).__name__
        return f"error: cannot reach Discord at {settings.discord_api_base}: {reason}"
    return None


def report_fatal(line: str, settings: Settings) -> None:
    """``line`` on stderr, or one JSON log event carrying it under FACTDESK_LOG_FORMAT=json."""
    if settings.log_format == "json":
        log.error("fatal", error=line.removeprefix("error: "))
    else:
        print(line, file=sys.stderr)


def _finish(main: Coroutine[Any, Any, int], settings: Settings) -> int:
    """Run ``main``; a known failure becomes one line (see :func:`fatal_line`) and exit 1."""
    try:
        return asyncio.run(main)
    except Exception as error:
        line = fatal_line(error, settings)
        if line is None:
            raise
        report_fatal(line, settings)
        return 1


def _start_logging(settings: Settings) -> bool:
    """Configure logging with the token masked; False (said on stderr) without a token."""
    if settings.discord_token is None or not settings.discord_token.get_secret_value():
        print(MISSING_TOKEN, file=sys.stderr)
        return False
    configure_logging(
        log_format=settings.log_format,
        level=settings.log_level,
        secrets=[settings.discord_token.get_secret_value()],
    )
    return True


def run(settings: Settings) -> int:
    """``factdesk run``: the exit code (0 after SIGINT/SIGTERM, 2 without a token).

    SIGHUP never stops the bot: see :mod:`bot.hangup` for the contract with the admin cog.
    """
    hangup.install()
    if not _start_logging(settings):
        return 2

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        hangup.install(loop)
        await serve(settings, stop)
        return 0

    return _finish(main(), settings)


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
    if not _start_logging(settings):
        return 2
    return _finish(sync_commands(settings, guild_id), settings)
