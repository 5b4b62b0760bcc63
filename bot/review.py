"""Moderators' actions on the review queue, shared by the commands and the mod-log buttons
of more than one cog: uphold or dismiss a flag, close a request, take a member's request.

Each action checks its input, writes (answering or deferring first, so Discord's deadline
holds whatever the database does), replies privately and refreshes the mod-log post.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

import discord

from bot import modlog
from bot.discord_ui import moderation as render
from bot.discord_ui import strings
from bot.discord_ui.moderation import check_note
from bot.interactions import bot_of, defer_private, reply, within_deadline
from bot.logs import get_logger
from bot.store.rows import FlagOutcome, RequestAdded, RequestSource

log = get_logger(__name__)

# One flag per member per this long (the moderation cog enforces it, /settings show says it).
FLAG_COOLDOWN = timedelta(seconds=60)
# The id of "factdesk itself" in the audit log (a corpus reload answering a request).
SYSTEM_ACTOR_ID = 0


async def _accepted_note(interaction: discord.Interaction, note: str) -> str | None:
    """The moderator's note, checked, with the interaction deferred for the write that
    follows; None once the moderator has been told what is wrong with it."""
    assert interaction.guild_id is not None
    checked, problem = check_note(note)
    if checked is None:
        await reply(interaction, problem)
        return None
    await defer_private(interaction)
    return checked


async def resolve_flag(
    interaction: discord.Interaction, flag_id: int, outcome: FlagOutcome, note: str
) -> None:
    """Uphold or dismiss an open flag for a moderator; replies privately."""
    checked = await _accepted_note(interaction, note)
    if checked is None or interaction.guild_id is None:
        return
    bot = bot_of(interaction)
    flag = await bot.database.resolve_flag(
        interaction.guild_id, flag_id, outcome, checked, actor_id=interaction.user.id
    )
    if flag is None:
        await reply(interaction, strings.MOD_NO_OPEN_FLAG.format(flag_id=flag_id))
        return
    log.info("flag resolved", flag_id=flag_id, outcome=outcome, claim_id=flag.claim_id)
    if outcome == "upheld" and flag.claim_id is not None:
        text = strings.MOD_UPHELD.format(flag_id=flag_id, claim_id=flag.claim_id)
    elif outcome == "upheld":
        text = strings.MOD_UPHELD_NO_CLAIM.format(flag_id=flag_id)
    else:
        text = strings.MOD_DISMISSED.format(flag_id=flag_id)
    await reply(interaction, text)
    await modlog.refresh_flag(bot, flag)


async def close_request(interaction: discord.Interaction, request_id: int, note: str) -> None:
    """Close an open request with a moderator's note; replies privately."""
    checked = await _accepted_note(interaction, note)
    if checked is None or interaction.guild_id is None:
        return
    bot = bot_of(interaction)
    request = await bot.database.close_request(
        interaction.guild_id, request_id, checked, actor_id=interaction.user.id
    )
    if request is None:
        await reply(interaction, strings.MOD_NO_OPEN_REQUEST.format(request_id=request_id))
        return
    log.info("request closed", request_id=request_id)
    await reply(interaction, strings.MOD_REQUEST_CLOSED.format(request_id=request_id))
    await modlog.refresh_request(bot, request)


async def reply_listing(
    interaction: discord.Interaction,
    title: str,
    lines: Callable[[], Awaitable[Sequence[str]]],
    total: Callable[[], Awaitable[int]],
) -> None:
    """One page of a moderator's list (``/flags list``, ``/requests list``), privately:
    ``lines()`` the page's lines, ``total()`` how many there are in all."""

    async def page() -> discord.Embed:
        return render.list_embed(title, list(await lines()), await total())

    await reply(interaction, embed=await within_deadline(interaction, page()))


async def add_request(
    interaction: discord.Interaction,
    guild_id: int,
    question: str,
    source: RequestSource,
    *,
    channel_id: int | None = None,
    notify: bool = True,
) -> RequestAdded:
    """Store a member's request (merged into an open near-duplicate); a new one is posted
    in the mod-log. The caller has answered or deferred already, or writes under
    :func:`bot.interactions.within_deadline`."""
    bot = bot_of(interaction)
    added = await bot.database.add_request(
        guild_id,
        question,
        user_id=interaction.user.id,
        source=source,
        channel_id=channel_id if channel_id is not None else interaction.channel_id,
        notify=notify,
    )
    log.info("request recorded", request_id=added.request.id, created=added.created, via=source)
    return added


async def post_if_new(interaction: discord.Interaction, added: RequestAdded) -> None:
    if added.created:
        await modlog.post_request(bot_of(interaction), added.request)
