"""Telling the other processes of one bot that the corpus was reloaded.

Several ``factdesk run`` processes (shards, ``factdesk cluster``) serve one corpus; a
``/corpus reload`` or a SIGHUP reaches one of them. On PostgreSQL that process NOTIFYs
:data:`CHANNEL` with its own name, and every other process, LISTENing on a connection of its
own (asyncpg ``add_listener``), reloads too: the bot dispatches ``peer_corpus_reload`` and
the admin cog reloads as for a SIGHUP, without announcing again. On SQLite (one host) there
is nothing to listen on: ``factdesk cluster`` passes a SIGHUP on to every process instead.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from collections.abc import Callable
from typing import Any

from bot.logs import get_logger

log = get_logger(__name__)

CHANNEL = "factdesk_corpus_reload"


class ReloadChannel:
    """LISTEN/NOTIFY on :data:`CHANNEL` for one process (PostgreSQL)."""

    def __init__(self, url: str, on_peer_reload: Callable[[str], None]) -> None:
        self.url = url
        self.name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._on_peer_reload = on_peer_reload
        self._conn: Any = None

    async def start(self) -> None:
        import asyncpg

        self._conn = await asyncpg.connect(self.url)
        await self._conn.add_listener(CHANNEL, self._received)

    def _received(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        if payload == self.name:
            return  # our own announcement
        log.info("corpus reloaded by another process", peer=payload)
        self._on_peer_reload(payload)

    async def announce(self) -> None:
        """Tell every other process to reload (this one just did)."""
        if self._conn is None or self._conn.is_closed():
            return
        await self._conn.execute("SELECT pg_notify($1, $2)", CHANNEL, self.name)

    async def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.remove_listener(CHANNEL, self._received)
                await self._conn.close()
            self._conn = None
