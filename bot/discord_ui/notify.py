"""The message that tells a member the fact-check they asked for exists.

It quotes the member's own question as inert text, names the fact-check, and carries a
"Read the fact-check" button (``fd:open:<claim id>``, the answer privately). The footer
names the request: it is how a notification interrupted by a crash is found again in the
channel (:mod:`bot.notify`). Only the member it is for may be pinged.
"""

from __future__ import annotations

from typing import Any

import discord

from bot import i18n
from bot.core.models import FactCheck
from bot.discord_ui import custom_ids, limits, strings
from bot.discord_ui.views import ButtonSpec, build_view

NOTIFY_COLOUR = discord.Colour.green()
QUESTION_CHARS = 500


def footer(request_id: int) -> str:
    return strings.NOTIFY_FOOTER.format(request_id=request_id)


def only(user_id: int) -> discord.AllowedMentions:
    """Mentions allowed in a notification: that member, nobody and nothing else."""
    return discord.AllowedMentions(
        everyone=False, users=[discord.Object(id=user_id)], roles=False, replied_user=False
    )


def notification_message(
    *,
    user_id: int,
    request_id: int,
    asked: str,
    fc: FactCheck,
    dm_server: str | None = None,
) -> dict[str, Any]:
    """``channel.send`` keyword arguments. ``dm_server``: the server's name, for a DM."""
    fc = fc.in_language(i18n.current_language())
    embed = discord.Embed(
        title=limits.shorten(limits.neutralise_mentions(fc.question.strip()), limits.EMBED_TITLE),
        description=strings.NOTIFY_ASKED.format(
            question=limits.member_text(asked, QUESTION_CHARS).replace("\n", " ")
        ),
        colour=NOTIFY_COLOUR,
    )
    if fc.verdict:
        embed.add_field(
            name="\u200b",
            value=strings.VERDICT_LINE.format(
                verdict=limits.shorten(limits.neutralise_mentions(fc.verdict), 200)
            ),
            inline=False,
        )
    embed.set_footer(text=footer(request_id))
    if dm_server is None:
        content = strings.NOTIFY_CHANNEL_CONTENT.format(mention=f"<@{user_id}>")
        mentions = only(user_id)
    else:
        server = limits.member_text(dm_server, 100)
        content = strings.NOTIFY_DM_CONTENT.format(server=server)
        mentions = discord.AllowedMentions.none()
    view = build_view(
        [
            ButtonSpec(
                strings.NOTIFY_OPEN_BUTTON,
                custom_ids.open_id(fc.id),
                discord.ButtonStyle.primary,
            )
        ]
    )
    return {"content": content, "embed": embed, "view": view, "allowed_mentions": mentions}


def is_notification(
    message: discord.Message, request_id: int, user_id: int, *, in_dm: bool
) -> bool:
    """Whether ``message`` (the bot's own) is the notification of ``request_id`` for
    ``user_id`` (in a DM the channel names the member; in a server the mention does)."""
    footers = set()
    for language in i18n.LANGUAGES:  # posted in the server's language of the day
        with i18n.speaking(language):
            footers.add(footer(request_id))
    if not any(embed.footer.text in footers for embed in message.embeds):
        return False
    return in_dm or f"<@{user_id}>" in (message.content or "")
