"""Telling requesters their fact-check exists: the loop that sends what the store owes.

A corpus reload that answers requests (``/corpus reload`` or SIGHUP, in the admin cog)
dispatches ``requests_answered``; this cog wakes and sends the owed notifications through
:mod:`bot.notify`, at most :data:`bot.notify.RATE_PER_SERVER` per server per period. At
start it first settles the notifications a stop interrupted, before sending anything new;
it also looks every :data:`IDLE_SECONDS` for anything left pending (a rate-limited server,
a member check Discord did not answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from discord.ext import commands

from bot import notify
from bot.logs import get_logger

if TYPE_CHECKING:
    from bot.app import FactdeskBot

log = get_logger(__name__)

IDLE_SECONDS = 30.0


class Notify(commands.Cog):
    def __init__(self, bot: FactdeskBot) -> None:
        self.bot = bot
        self.limiter = notify.ServerRateLimit()
        self.clock = time.monotonic
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self._task = asyncio.create_task(self._run(datetime.now(UTC)))

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self, started: datetime) -> None:
        await self.bot.wait_until_ready()
        try:
            released = await notify.reconcile(self.bot, before=started)
        except Exception:
            log.exception("could not settle interrupted notifications")
        else:
            if released:
                log.info("interrupted notifications to send again", count=released)
        while True:
            # Cleared before the pass: a wake during it asks for one more pass.
            self._wake.clear()
            if self.bot.is_closed():
                return
            try:
                delay = await notify.send_pending(self.bot, self.limiter, self.clock)
            except Exception:
                log.exception("could not send notifications")
                delay = None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay or IDLE_SECONDS)

    @commands.Cog.listener()
    async def on_requests_answered(self, answered: Any) -> None:
        self._wake.set()


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Notify(bot))
