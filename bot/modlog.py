"""The mod-log: where moderators see new flags and requests, and what became of them.

A service any cog calls (like Red's ``core/modlog``), not a cog. Posting is best effort
and never raises: a mod-log the bot cannot post in loses no flag or request (they are in
the database and in ``/flags list``), it only loses the post, and the failure is logged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.discord_ui import moderation as render
from bot.discord_ui import strings
from bot.logs import get_logger

if TYPE_CHECKING:
    from bot.app import FactdeskBot
    from bot.store.rows import Flag, Request

log = get_logger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


async def _channel_id(bot: FactdeskBot, guild_id: int) -> int | None:
    settings = await bot.database.guild_settings(guild_id)
    return settings.modlog_channel_id


async def post(
    bot: FactdeskBot,
    guild_id: int,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    content: str | None = None,
) -> int | None:
    """Post in the server's mod-log channel; the message id, or None (unset or refused)."""
    try:
        channel_id = await _channel_id(bot, guild_id)
        if channel_id is None:
            return None
        channel = bot.get_partial_messageable(channel_id, guild_id=guild_id)
        kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
        if embed is not None:
            kwargs["embed"] = embed
        if view is not None:
            kwargs["view"] = view
        if content is not None:
            kwargs["content"] = content
        message = await channel.send(**kwargs)
    except discord.HTTPException as error:
        log.warning(
            "could not post in the mod-log", guild_id=guild_id, status=error.status, code=error.code
        )
        return None
    except Exception:
        log.exception("could not post in the mod-log", guild_id=guild_id)
        return None
    return message.id


async def refresh(
    bot: FactdeskBot, guild_id: int, message_id: int | None, embed: discord.Embed
) -> None:
    """Show the new state on a mod-log post and take its buttons away (best effort)."""
    if message_id is None:
        return
    try:
        channel_id = await _channel_id(bot, guild_id)
        if channel_id is None:
            return
        channel = bot.get_partial_messageable(channel_id, guild_id=guild_id)
        await channel.get_partial_message(message_id).edit(
            embed=embed, view=None, allowed_mentions=NO_MENTIONS
        )
    except discord.HTTPException:
        log.info("could not update the mod-log post", message_id=message_id)


def _question(bot: FactdeskBot, claim_id: str | None) -> str | None:
    fc = bot.library.corpus.get(claim_id) if claim_id else None
    return fc.question if fc else None


def flag_embed(bot: FactdeskBot, flag: Flag) -> discord.Embed:
    return render.flag_embed(flag, _question(bot, flag.claim_id))


async def post_flag(bot: FactdeskBot, flag: Flag) -> None:
    message_id = await post(
        bot, flag.guild_id, embed=flag_embed(bot, flag), view=render.flag_buttons(flag.id)
    )
    if message_id is not None:
        await bot.database.set_flag_modlog_message(flag.id, message_id)


async def post_request(bot: FactdeskBot, request: Request) -> None:
    message_id = await post(
        bot,
        request.guild_id,
        embed=render.request_embed(request),
        view=render.request_buttons(request.id),
    )
    if message_id is not None:
        await bot.database.set_request_modlog_message(request.id, message_id)


async def refresh_flag(bot: FactdeskBot, flag: Flag) -> None:
    await refresh(bot, flag.guild_id, flag.modlog_message_id, flag_embed(bot, flag))


async def refresh_request(bot: FactdeskBot, request: Request) -> None:
    await refresh(bot, request.guild_id, request.modlog_message_id, render.request_embed(request))


async def announce_answered(bot: FactdeskBot, request: Request) -> None:
    """A corpus reload answered an open request: say which fact-check does."""
    await post(
        bot,
        request.guild_id,
        content=strings.CORPUS_ANSWERED_MODLOG.format(
            request_id=request.id, claim_id=request.answered_claim_id
        ),
    )


async def tell(bot: FactdeskBot, guild_id: int, content: str) -> None:
    """A one-line notice for the moderators (e.g. a digest that could not be posted)."""
    await post(bot, guild_id, content=content)
