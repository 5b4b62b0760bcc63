"""What ``/feeds`` and feed notices show: the feed list and the problem note.

The strings are in :mod:`bot.discord_ui.strings` (``FEEDS_*``), read in the current
language: the member's for ``/feeds`` replies, the server's for a mod-log note (the caller
switches with :func:`bot.i18n.speaking`). A feed URL is operator or member text: it is
always shown through :func:`bot.discord_ui.limits.member_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot.discord_ui import limits, strings
from bot.discord_ui.moderation import when
from bot.store.feeds import Feed

URL_SHOWN = 200
ERROR_SHOWN = 200
PROBLEMS_IN_NOTE = 10
LIST_COLOUR = discord.Colour.blurple()


def shown_url(url: str) -> str:
    return limits.member_text(url, URL_SHOWN)


def feed_line(number: int, feed: Feed, now: datetime) -> str:
    origin = (
        strings.FEEDS_FROM_SETTING
        if feed.added_by is None
        else strings.FEEDS_ADDED_BY.format(user_id=feed.added_by)
    )
    statuses = strings.FEEDS_STATUS
    status = statuses.get(feed.last_status, statuses[None])
    if feed.last_status == "failed" and feed.failures:
        status += strings.FEEDS_LINE_FAILURES.format(failures=feed.failures)
    due = feed.next_try_at
    line = strings.FEEDS_LINE.format(
        number=number,
        url=shown_url(feed.url),
        origin=origin,
        status=status,
        last=when(feed.last_fetch_at) if feed.last_fetch_at else strings.FEEDS_NEVER,
        entries=strings.FEEDS_ENTRIES(feed.entry_count).format(count=feed.entry_count),
        next=strings.FEEDS_NOW if due is None or due <= now else when(due),
    )
    if feed.last_status == "failed" and feed.last_error:
        line += strings.FEEDS_LINE_ERROR.format(
            error=limits.member_text(feed.last_error, ERROR_SHOWN)
        )
    return line


def feeds_embed(feeds: Sequence[Feed], now: datetime) -> discord.Embed:
    """Every feed (as many as the embed holds; the footer says how many there are)."""
    lines: list[str] = []
    used = 0
    for number, feed in enumerate(feeds, start=1):
        line = feed_line(number, feed, now)
        if used + len(line) + 2 > limits.EMBED_DESCRIPTION - 100:
            break
        lines.append(line)
        used += len(line) + 2
    embed = discord.Embed(
        title=strings.FEEDS_LIST_TITLE,
        description="\n\n".join(lines) if lines else strings.FEEDS_LIST_EMPTY,
        colour=LIST_COLOUR,
    )
    embed.set_footer(text=strings.FEEDS_LIST_FOOTER.format(shown=len(lines), total=len(feeds)))
    return embed


def problem_note(url: str, problems: Sequence[str]) -> str:
    """The mod-log note for a feed's new problems (escaped: a feed's text is not ours)."""
    shown = [f"- {limits.member_text(p, ERROR_SHOWN)}" for p in problems[:PROBLEMS_IN_NOTE]]
    if len(problems) > PROBLEMS_IN_NOTE:
        shown.append(strings.FEEDS_PROBLEM_MORE.format(count=len(problems) - PROBLEMS_IN_NOTE))
    text = strings.FEEDS_PROBLEM_NOTE.format(url=shown_url(url), problems="\n".join(shown))
    return limits.shorten(text, limits.MESSAGE_CONTENT)
