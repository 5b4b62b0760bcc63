"""What ``/feeds`` and feed notices say: the strings and the feed list.

The strings live here rather than in :mod:`bot.discord_ui.strings` only to keep this
feature's text in one block; they follow the same rules. A feed URL is operator or member
text: it is always shown through :func:`bot.discord_ui.limits.member_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot.discord_ui import limits
from bot.discord_ui.moderation import when
from bot.store.feeds import Feed

FEEDS_DESCRIPTION = "Live ClaimReview feeds that add fact-checks to the corpus."
FEEDS_ADD_DESCRIPTION = "Add a ClaimReview feed (JSON-LD over http or https)."
FEEDS_REMOVE_DESCRIPTION = "Remove a feed added with /feeds add; its fact-checks leave."
FEEDS_LIST_DESCRIPTION = "List the feeds: last fetch, status, entries, next try."
FEEDS_URL_OPTION = "The feed's URL (http:// or https://)."
FEEDS_OWNER_ONLY = (
    "Only the bot's owner may change its feeds (they serve every server). The operator can"
    " let server managers do it with FACTDESK_FEEDS_MANAGERS=true."
)
FEEDS_NEEDED = "bot owner"
FEEDS_REFUSED_URL = "That URL cannot be a feed: {reason}."
FEEDS_ADDED = (
    "Added the feed {url}. It is fetched within a minute and then every {minutes} minutes;"
    " `/feeds list` shows how it went. Problems go to the mod-log of this server."
)
FEEDS_ALREADY = "{url} is already a feed."
FEEDS_TOO_MANY = "There are already {count} feeds, the most factdesk keeps."
FEEDS_REMOVED = "Removed the feed {url}; its fact-checks are no longer served."
FEEDS_REMOVED_NOT_RELOADED = (
    "Removed the feed {url}. Its fact-checks stay until the corpus reloads cleanly"
    " (the corpus files have problems: see `/corpus reload`)."
)
FEEDS_NOT_FOUND = "{url} is not a feed."
FEEDS_CONFIGURED = "{url} is set in FACTDESK_FEEDS: remove it there (the operator's setting)."
FEEDS_LIST_TITLE = "Feeds"
FEEDS_LIST_EMPTY = "No feed. `/feeds add` adds one; the operator can set FACTDESK_FEEDS."
FEEDS_FROM_SETTING = "from FACTDESK_FEEDS"
FEEDS_ADDED_BY = "added by <@{user_id}>"
FEEDS_NEVER = "never"
FEEDS_NOW = "due now"
FEEDS_STATUS = {
    None: "not fetched yet",
    "ok": "OK",
    "not_modified": "OK (unchanged)",
    "failed": "failing",
}
FEEDS_LINE = (
    "**{number}.** {url} ({origin})\n"
    "{status}: last fetch {last}, {entries} fact-checks, next try {next}"
)
FEEDS_LINE_FAILURES = " ({failures} in a row)"
FEEDS_LINE_ERROR = "\nLast problem: {error}"
FEEDS_PROBLEM_NOTE = "**Feed problem** in {url}:\n{problems}"
FEEDS_PROBLEM_MORE = "- ... and {count} more (the bot's log has every one)"

URL_SHOWN = 200
ERROR_SHOWN = 200
PROBLEMS_IN_NOTE = 10
LIST_COLOUR = discord.Colour.blurple()


def shown_url(url: str) -> str:
    return limits.member_text(url, URL_SHOWN)


def feed_line(number: int, feed: Feed, now: datetime) -> str:
    origin = (
        FEEDS_FROM_SETTING
        if feed.added_by is None
        else FEEDS_ADDED_BY.format(user_id=feed.added_by)
    )
    status = FEEDS_STATUS.get(feed.last_status, FEEDS_STATUS[None])
    if feed.last_status == "failed" and feed.failures:
        status += FEEDS_LINE_FAILURES.format(failures=feed.failures)
    due = feed.next_try_at
    line = FEEDS_LINE.format(
        number=number,
        url=shown_url(feed.url),
        origin=origin,
        status=status,
        last=when(feed.last_fetch_at) if feed.last_fetch_at else FEEDS_NEVER,
        entries=feed.entry_count,
        next=FEEDS_NOW if due is None or due <= now else when(due),
    )
    if feed.last_status == "failed" and feed.last_error:
        line += FEEDS_LINE_ERROR.format(error=limits.member_text(feed.last_error, ERROR_SHOWN))
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
        title=FEEDS_LIST_TITLE,
        description="\n\n".join(lines) if lines else FEEDS_LIST_EMPTY,
        colour=LIST_COLOUR,
    )
    embed.set_footer(text=f"{len(lines)} of {len(feeds)} shown")
    return embed


def problem_note(url: str, problems: Sequence[str]) -> str:
    """The mod-log note for a feed's new problems (escaped: a feed's text is not ours)."""
    shown = [f"- {limits.member_text(p, ERROR_SHOWN)}" for p in problems[:PROBLEMS_IN_NOTE]]
    if len(problems) > PROBLEMS_IN_NOTE:
        shown.append(FEEDS_PROBLEM_MORE.format(count=len(problems) - PROBLEMS_IN_NOTE))
    text = FEEDS_PROBLEM_NOTE.format(url=shown_url(url), problems="\n".join(shown))
    return limits.shorten(text, limits.MESSAGE_CONTENT)
