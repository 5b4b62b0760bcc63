"""Starting the real bot against the stand-in, the way ``factdesk run`` builds it.

Every end-to-end test file needs the same few steps (settings pointing at the stand-in,
``prepare`` + ``make_bot``, start, wait until ready, close everything); they live here once,
with the :class:`World` that ``tests/e2e/conftest.py`` builds for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import discord
from pydantic import SecretStr

from bot.settings import Settings
from tests import pg
from tests.standin import Channel, Guild, Member, StandIn

if TYPE_CHECKING:
    from bot.app import FactdeskBot


def bot_settings(
    standin: StandIn,
    *,
    corpus: Path,
    database: Path | str,
    state: Path | None = None,
    dev_guild_id: int | None = None,
) -> Settings:
    """Settings for a bot that talks to ``standin``, its rows in ``database`` (a SQLite file
    or a PostgreSQL URL), its heartbeat and index in ``state`` (for a SQLite file, its
    directory by default)."""
    if state is None:
        if not isinstance(database, Path):
            raise TypeError("a PostgreSQL database needs a state directory for the bot's files")
        state = database.parent
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        discord_token=SecretStr(standin.token),
        database=database,
        corpus_dir=corpus,
        dev_guild_id=dev_guild_id,
        discord_api_base=standin.api_base,
        discord_gateway_url=standin.gateway_url,
        heartbeat_file=state / "heartbeat.json",
        index_dir=state / "index",
    )


@asynccontextmanager
async def running_bot(
    settings: Settings, *, before_start: Callable[[FactdeskBot], None] | None = None
) -> AsyncIterator[FactdeskBot]:
    """The bot started and ready; on exit it is closed with its database.

    ``before_start`` may adjust the bot before it logs in (e.g. wrap its ``setup_hook``).
    ``prepare`` points discord.py's URLs at the stand-in process-wide; they are put back.
    """
    from bot.runner import make_bot, prepare

    saved_urls = (
        discord.http.Route.BASE,
        discord.webhook.async_.Route.BASE,
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    resources = await prepare(settings)
    bot = make_bot(settings, resources)
    # discord.py waits this long after the last GUILD_CREATE before on_ready (2 s default).
    bot._connection.guild_ready_timeout = 0.05
    if before_start is not None:
        before_start(bot)
    assert settings.discord_token is not None
    runner = asyncio.create_task(bot.start(settings.discord_token.get_secret_value()))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 20)
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 10)
        await resources.database.close()
        (
            discord.http.Route.BASE,
            discord.webhook.async_.Route.BASE,
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
        ) = saved_urls


@dataclass
class World:
    """One server as the e2e tests use it (built by the ``world`` fixture in conftest.py).

    ``channel`` is where members talk, ``modlog`` the channel a manager may make the mod-log;
    ``member`` is a plain member, ``moderator`` has Manage Messages, ``manager`` also Manage
    Server. ``corpus`` starts empty: each test file fills it with the fact-checks it needs.
    ``database`` is a SQLite file (in ``state``) or a PostgreSQL URL; ``state`` holds the
    bot's heartbeat and index.
    """

    standin: StandIn
    guild: Guild
    channel: Channel
    modlog: Channel
    member: Member
    moderator: Member
    manager: Member
    corpus: Path
    state: Path
    database: Path | str


def world_settings(world: World) -> Settings:
    """:func:`bot_settings` for the world's server, corpus, database and state."""
    return bot_settings(
        world.standin,
        corpus=world.corpus,
        database=world.database,
        state=world.state,
        dev_guild_id=world.guild.id,
    )


@asynccontextmanager
async def world_bot(
    world: World,
    commands: Iterable[str],
    *,
    before_start: Callable[[FactdeskBot], None] | None = None,
) -> AsyncIterator[FactdeskBot]:
    """The real bot on the world's corpus and database, synced to its server.

    Ready once every name in ``commands`` is registered in the world's guild.
    """
    async with running_bot(world_settings(world), before_start=before_start) as bot:
        await world.standin.wait_for_commands(*commands, guild=world.guild, within=20)
        yield bot


class HasDatabase(Protocol):
    """A world of any shape: what :func:`rows` and :func:`execute` need of it."""

    @property
    def database(self) -> Path | str: ...


async def rows(world: HasDatabase, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """``sql``'s rows, read beside the bot from the world's database on either back-end.

    ``sql`` is written as the store writes it (``?`` placeholders, the common subset of
    SQLite and PostgreSQL, bot/store/sql.py); a query of several rows says ``ORDER BY``,
    since PostgreSQL does not keep insertion order.
    """
    return await pg.raw_rows(world.database, sql, *params)


async def execute(world: HasDatabase, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Run one writing statement on the world's database and commit it (as if by another
    process, or a bot that died half-way); rows of its ``RETURNING`` come back."""
    return await pg.raw_write(world.database, sql, *params)
