"""Telling members that the fact-check they requested exists: sending and reconciling.

A service (like :mod:`bot.modlog`), driven by the notify cog. When a corpus reload answers a
request, the store owes one notification per asker in the same transaction
(:func:`bot.store.notifications.owe_notifications`). Each is then:

1. **claimed** (``sending``, committed) before anything is sent;
2. checked: the member must still be in the server (asked of Discord, not of a cache), and
   the fact-check still in the library;
3. **sent**, in the channel where the member asked (pinging that member alone) or by DM,
   as the server's ``/settings notify`` says, with a nonce Discord enforces, so a retried
   request does not post twice;
4. **finished**: ``sent`` with the message id, ``skipped`` (left, opted out, gone) or
   ``failed`` (Discord refused: the message was not created, or may have been).

A row still ``sending`` at start was interrupted between 1 and 4: :func:`reconcile` reads
the channel's recent history for the bot's own notification (its footer names the request,
its mention the member). Found: it is recorded as sent. Not there: it goes back to
``pending`` and is sent once. History unreadable: ``failed``, never sent blind (a lost
notice is better than a repeated ping). Sends are rate-limited per server
(:class:`ServerRateLimit`): a big reload answers many requests without flooding a channel.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.discord_ui import notify as render
from bot.logs import get_logger

if TYPE_CHECKING:
    from bot.app import FactdeskBot
    from bot.store.rows import Notification

log = get_logger(__name__)

# At most this many notifications per server per period (the rest wait their turn).
RATE_PER_SERVER = 10
RATE_PERIOD_SECONDS = 60.0
# Rows read per pass, how far back a channel is read when reconciling, and the attempts
# (membership checks that Discord did not answer) before a notification is given up.
BATCH = 200
HISTORY_READ = 50
MAX_ATTEMPTS = 5
# Clock skew allowed between the bot's claim time and Discord's message ids.
CLAIM_SLACK = timedelta(seconds=5)


class ServerRateLimit:
    """A sliding window per server: at most ``per_period`` sends in ``period`` seconds.

    Pure bookkeeping with the clock passed in, so it is tested without sleeping."""

    def __init__(
        self, per_period: int = RATE_PER_SERVER, period: float = RATE_PERIOD_SECONDS
    ) -> None:
        self.per_period = per_period
        self.period = period
        self._sent: dict[int, deque[float]] = {}

    def wait(self, guild_id: int, now: float) -> float:
        """Seconds until ``guild_id`` may send again (0: now)."""
        sent = self._sent.get(guild_id)
        if sent is None:
            return 0.0
        while sent and sent[0] <= now - self.period:
            sent.popleft()
        if len(sent) < self.per_period:
            return 0.0
        return sent[0] + self.period - now

    def take(self, guild_id: int, now: float) -> None:
        self._sent.setdefault(guild_id, deque()).append(now)


def nonce(notification_id: int) -> str:
    """A nonce unique to one notification (Discord allows 25 characters)."""
    digest = hashlib.sha256(f"notify:{notification_id}".encode()).hexdigest()
    return f"fn{digest[:23]}"


async def _channel(bot: FactdeskBot, item: Notification) -> discord.abc.Messageable | None:
    if item.mode == "dm":
        return await bot.create_dm(discord.Object(id=item.user_id))
    if item.channel_id is None:
        return None
    return bot.get_partial_messageable(item.channel_id, guild_id=item.guild_id)


async def _message(bot: FactdeskBot, item: Notification, guild: discord.Guild) -> dict[str, Any]:
    fc = bot.library.corpus.get(item.claim_id)
    assert fc is not None
    request = await bot.database.request(item.guild_id, item.request_id)
    asked = request.question if request is not None else fc.question
    # Sent outside any interaction (a reload answered the request): the server's language.
    language = await i18n.language_of_server(bot.database, guild.id, guild.preferred_locale)
    with i18n.speaking(language):
        return render.notification_message(
            user_id=item.user_id,
            request_id=item.request_id,
            asked=asked,
            fc=fc,
            dm_server=guild.name if item.mode == "dm" else None,
        )


async def send_one(bot: FactdeskBot, item: Notification) -> str:
    """Claim, check, send and finish one pending notification; returns what became of it
    (``sent``, ``skipped``, ``failed``, ``retry`` or ``taken``: another pass has it)."""
    database = bot.database
    if not await database.claim_notification(item.id):
        return "taken"
    guild = bot.get_guild(item.guild_id)
    if guild is None:
        await database.finish_notification(item.id, "failed", note="factdesk left the server")
        return "failed"
    if bot.library.corpus.get(item.claim_id) is None:
        await database.finish_notification(item.id, "skipped", note="fact-check gone")
        return "skipped"
    try:
        await guild.fetch_member(item.user_id)
    except discord.NotFound:
        await database.finish_notification(item.id, "skipped", note="member left the server")
        log.info("notification skipped: the member left", notification_id=item.id)
        return "skipped"
    except discord.HTTPException as error:
        # Nothing was sent: try again later, up to MAX_ATTEMPTS checks.
        if item.attempts + 1 >= MAX_ATTEMPTS:
            await database.finish_notification(item.id, "failed", note=f"member check {error}")
            return "failed"
        await database.release_notification(item.id, note=f"member check {error.status}")
        return "retry"
    try:
        channel = await _channel(bot, item)
        if channel is None:
            await database.finish_notification(item.id, "failed", note="no channel to reply in")
            return "failed"
        sent = await channel.send(nonce=nonce(item.id), **await _message(bot, item, guild))
    except discord.HTTPException as error:
        # 403/404: not created (DMs closed, channel gone). Anything else may have been
        # created: never sent again blind.
        log.warning(
            "notification not sent", notification_id=item.id, status=error.status, code=error.code
        )
        await database.finish_notification(
            item.id, "failed", note=f"Discord refused: {error.status} {error.code}"
        )
        return "failed"
    await database.finish_notification(item.id, "sent", message_id=sent.id)
    log.info("requester notified", notification_id=item.id, mode=item.mode)
    return "sent"


async def send_pending(
    bot: FactdeskBot, limiter: ServerRateLimit, clock: Callable[[], float] = time.monotonic
) -> float | None:
    """One pass over the pending notifications, as far as each server's rate allows.

    Returns the seconds until a server held back by its rate may send again (None: none
    was held back)."""
    held: list[float] = []
    for item in await bot.database.notifications("pending", limit=BATCH):
        wait = limiter.wait(item.guild_id, clock())
        if wait > 0:
            held.append(wait)
            continue
        outcome = await send_one(bot, item)
        if outcome == "sent":
            limiter.take(item.guild_id, clock())
    return min(held) if held else None


async def _find_sent(bot: FactdeskBot, item: Notification) -> int | None:
    """The id of the bot's message that is this notification, or None if there is none.
    Raises :class:`discord.HTTPException` when the channel cannot be read."""
    assert bot.user is not None
    channel = await _channel(bot, item)
    if channel is None:
        return None
    # From just before the claim, oldest first: the notification is among the first
    # messages after it however busy the channel has been since.
    assert item.claimed_at is not None
    start = discord.Object(id=discord.utils.time_snowflake(item.claimed_at - CLAIM_SLACK))
    async for message in channel.history(limit=HISTORY_READ, after=start, oldest_first=True):
        if message.author.id == bot.user.id and render.is_notification(
            message, item.request_id, item.user_id, in_dm=item.mode == "dm"
        ):
            return message.id
    return None


async def reconcile(bot: FactdeskBot, *, before: datetime) -> int:
    """Settle notifications a stop interrupted (claimed before ``before``, the start):
    found in the channel -> sent; certainly not sent -> pending again; unknown -> failed.
    Returns how many go back to pending."""
    database = bot.database
    released = 0
    for item in await database.notifications("sending", limit=BATCH):
        if item.claimed_at is None or item.claimed_at >= before:
            continue
        try:
            found = await _find_sent(bot, item)
        except discord.HTTPException as error:
            await database.finish_notification(
                item.id, "failed", note=f"could not check the channel: {error.status}"
            )
            log.warning("interrupted notification left unsent", notification_id=item.id)
            continue
        if found is not None:
            await database.finish_notification(item.id, "sent", message_id=found)
            log.info("interrupted notification found sent", notification_id=item.id)
        else:
            await database.release_notification(item.id, note="interrupted before sending")
            released += 1
            log.info("interrupted notification to send again", notification_id=item.id)
    return released
