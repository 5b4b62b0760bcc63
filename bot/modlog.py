"""The mod-log: where moderators see new flags and requests, and what became of them.

A service any cog calls (like Red's ``core/modlog``), not a cog. Posting is best effort
and never raises: a mod-log the bot cannot post in loses no flag or request (they are in
the database and in ``/flags list``), and the failure is logged.

A new flag or request is written together with an outbox row saying its post is owed
(one transaction, :mod:`bot.store.database`). Posting marks it done. If the bot dies
between the commit and the post, :func:`post_owed` finds the row at the next start: it
first looks in the mod-log for the post (the crash may have come just after sending), and
posts only what is not there, so nothing is lost and nothing is posted twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.discord_ui import custom_ids, strings
from bot.discord_ui import moderation as render
from bot.logs import get_logger

if TYPE_CHECKING:
    from datetime import datetime

    from bot.app import FactdeskBot
    from bot.store.rows import Flag, ModlogPost, Request

log = get_logger(__name__)

# Owed posts settled per start, attempts before an owed post is given up, and how far back
# the mod-log is read for a post made just before a crash.
OWED_PER_START = 200
MAX_ATTEMPTS = 5
HISTORY_READ = 100

NO_MENTIONS = discord.AllowedMentions.none()


async def _language(bot: FactdeskBot, guild_id: int) -> str:
    """The mod-log is the server's: its posts speak the server's language, whoever acted."""
    guild = bot.get_guild(guild_id)
    preferred = guild.preferred_locale if guild is not None else None
    return await i18n.language_of_server(bot.database, guild_id, preferred)


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
    nonce: str | None = None,
) -> int | None:
    """Post in the server's mod-log channel; the message id, or None (unset or refused).

    ``nonce``: the post's identity, so a send retried after a lost response posts once."""
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
        if nonce is not None:
            kwargs["nonce"] = nonce
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
    return fc.in_language(i18n.current_language()).question if fc else None


def flag_embed(bot: FactdeskBot, flag: Flag) -> discord.Embed:
    return render.flag_embed(flag, _question(bot, flag.claim_id))


async def post_flag(bot: FactdeskBot, flag: Flag) -> None:
    with i18n.speaking(await _language(bot, flag.guild_id)):
        embed, view = flag_embed(bot, flag), render.flag_buttons(flag.id)
    message_id = await post(
        bot, flag.guild_id, embed=embed, view=view, nonce=_nonce("flag", flag.id)
    )
    if message_id is not None:
        await bot.database.set_flag_modlog_message(flag.id, message_id)


async def post_request(bot: FactdeskBot, request: Request) -> None:
    with i18n.speaking(await _language(bot, request.guild_id)):
        embed, view = render.request_embed(request), render.request_buttons(request.id)
    message_id = await post(
        bot, request.guild_id, embed=embed, view=view, nonce=_nonce("request", request.id)
    )
    if message_id is not None:
        await bot.database.set_request_modlog_message(request.id, message_id)


async def refresh_flag(bot: FactdeskBot, flag: Flag) -> None:
    with i18n.speaking(await _language(bot, flag.guild_id)):
        embed = flag_embed(bot, flag)
    await refresh(bot, flag.guild_id, flag.modlog_message_id, embed)


async def refresh_request(bot: FactdeskBot, request: Request) -> None:
    with i18n.speaking(await _language(bot, request.guild_id)):
        embed = render.request_embed(request)
    await refresh(bot, request.guild_id, request.modlog_message_id, embed)


async def announce_answered(bot: FactdeskBot, request: Request) -> None:
    """A corpus reload answered an open request: say which fact-check does."""
    with i18n.speaking(await _language(bot, request.guild_id)):
        content = strings.CORPUS_ANSWERED_MODLOG.format(
            request_id=request.id, claim_id=request.answered_claim_id
        )
    await post(bot, request.guild_id, content=content, nonce=_nonce("answered", request.id))


async def tell(bot: FactdeskBot, guild_id: int, content: str) -> None:
    """A one-line notice for the moderators (e.g. a digest that could not be posted)."""
    await post(bot, guild_id, content=content)


def _nonce(kind: str, ref_id: int) -> str:
    """One flag's or request's mod-log post: the handler's and a restart's send are one."""
    return custom_ids.message_nonce(f"ml{kind}", ref_id)


def _title(kind: str, ref_id: int) -> str:
    template = strings.MOD_FLAG_TITLE if kind == "flag" else strings.MOD_REQUEST_TITLE
    return template.format(flag_id=ref_id, request_id=ref_id)


async def _already_posted(bot: FactdeskBot, owed: list[ModlogPost]) -> dict[int, int]:
    """Outbox id -> message id, for owed posts the bot's recent mod-log messages show."""
    found: dict[int, int] = {}
    if bot.user is None:
        return found
    for guild_id in sorted({o.guild_id for o in owed}):
        channel_id = await _channel_id(bot, guild_id)
        if channel_id is None:
            continue
        wanted = {}
        for language in i18n.LANGUAGES:  # the server's language may have changed since
            with i18n.speaking(language):
                wanted.update(
                    {_title(o.kind, o.ref_id): o.id for o in owed if o.guild_id == guild_id}
                )
        channel = bot.get_partial_messageable(channel_id, guild_id=guild_id)
        try:
            async for message in channel.history(limit=HISTORY_READ):
                if message.author.id != bot.user.id:
                    continue
                for embed in message.embeds:
                    if embed.title in wanted:
                        found[wanted[embed.title]] = message.id
        except discord.HTTPException:
            log.warning("could not read the mod-log", guild_id=guild_id, exc_info=True)
    return found


async def post_owed(bot: FactdeskBot, *, before: datetime) -> int:
    """Settle mod-log posts owed since before ``before`` (the bot's start); returns how
    many went out now. Posts owed after it belong to the handler that is making them."""
    database = bot.database
    owed = [
        o
        for o in await database.pending_modlog_posts(OWED_PER_START, max_attempts=MAX_ATTEMPTS)
        if o.created_at < before
    ]
    if not owed:
        return 0
    posted = 0
    found = await _already_posted(bot, owed)
    for item in owed:
        if item.id in found:
            await database.mark_modlog_posted(item.id, found[item.id])
            log.info("owed mod-log post found already posted", kind=item.kind, ref_id=item.ref_id)
            continue
        embed: discord.Embed | None = None
        view: discord.ui.View | None = None
        language = await _language(bot, item.guild_id)
        if item.kind == "flag":
            flag = await database.flag(item.guild_id, item.ref_id)
            if flag is not None:
                with i18n.speaking(language):
                    embed, view = flag_embed(bot, flag), render.flag_buttons(flag.id)
                view = view if flag.status == "open" else None
        else:
            request = await database.request(item.guild_id, item.ref_id)
            if request is not None:
                with i18n.speaking(language):
                    embed = render.request_embed(request)
                    view = render.request_buttons(request.id) if request.status == "open" else None
        message_id = None
        if embed is not None:
            message_id = await post(
                bot, item.guild_id, embed=embed, view=view, nonce=_nonce(item.kind, item.ref_id)
            )
        if message_id is None:
            attempts = await database.mark_modlog_failed(item.id)
            log.warning(
                "owed mod-log post failed", kind=item.kind, ref_id=item.ref_id, attempts=attempts
            )
            continue
        await database.mark_modlog_posted(item.id, message_id)
        posted += 1
        log.info("owed mod-log post made", kind=item.kind, ref_id=item.ref_id)
    return posted
