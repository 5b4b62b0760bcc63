"""How moderation looks: flags, requests, lists, history, the dispute notice and the public
context card, and the buttons of mod-log posts.

Shared by every cog that shows moderation (moderation, requests, admin, the answer's
dispute notice) and by the mod-log service (:mod:`bot.modlog`). Member-written text is
escaped with :func:`bot.discord_ui.limits.member_text` wherever it is shown to others.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.discord_ui import custom_ids, limits, strings
from bot.discord_ui.views import ButtonSpec, build_view, vote_buttons
from bot.store.rows import AuditEntry, Dispute, Flag, Request

if TYPE_CHECKING:
    from bot.core.models import FactCheck

REASON_MIN_CHARS = 10
REASON_MAX_CHARS = 500
NOTE_MAX_CHARS = 500
ONE_LINE_SUMMARY_CHARS = 280
PAGE_SIZE = 10

FLAG_COLOUR = discord.Colour.orange()
RESOLVED_COLOUR = discord.Colour.dark_grey()
CARD_COLOUR = discord.Colour.gold()
_CITATION = re.compile(r"\s*\[\d+\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def visible_length(text: str) -> int:
    """Characters a reader sees: no whitespace, zero-width or direction marks."""
    return sum(1 for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


def check_reason(text: str) -> tuple[str | None, str | None]:
    """``(reason, None)`` when ``text`` is a usable reason, else ``(None, refusal)``."""
    reason = text.strip()
    if visible_length(reason) < REASON_MIN_CHARS:
        return None, strings.MOD_REASON_TOO_SHORT.format(minimum=REASON_MIN_CHARS)
    if len(reason) > REASON_MAX_CHARS:
        return None, strings.MOD_REASON_TOO_LONG.format(
            maximum=REASON_MAX_CHARS, length=len(reason)
        )
    return reason, None


def check_note(text: str) -> tuple[str | None, str | None]:
    """A moderator's note: not blank, at most ``NOTE_MAX_CHARS``."""
    note = text.strip()
    if visible_length(note) == 0:
        return None, strings.MOD_NOTE_EMPTY
    if len(note) > NOTE_MAX_CHARS:
        return None, strings.MOD_NOTE_TOO_LONG.format(maximum=NOTE_MAX_CHARS, length=len(note))
    return note, None


def quote(text: str | None, limit: int) -> str:
    """Member-written text on one line, made inert (no mentions, no Markdown), shortened."""
    if not text:
        return strings.MOD_NONE
    return limits.member_text(text, limit)


def one_line_summary(summary: str) -> str:
    """The first sentence of a summary, without citation markers, on one line."""
    flat = _CITATION.sub("", " ".join(summary.split()))
    first = _SENTENCE_END.split(flat, maxsplit=1)[0]
    return limits.shorten(limits.neutralise_mentions(first), ONE_LINE_SUMMARY_CHARS)


def when(moment: Any) -> str:
    """A time as Discord renders it in each reader's timezone."""
    return discord.utils.format_dt(moment, "f")


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    # Built from ids: a message resolved from an interaction may not know its guild.
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def message_text(message: discord.Message) -> str:
    parts = [message.content] + [e.description or "" for e in message.embeds]
    return " ".join(p for p in parts if p).strip()


def flag_subject(flag: Flag, library_question: str | None) -> str:
    if library_question is not None:
        return f"{quote(library_question, 200)} (`{flag.claim_id}`)"
    if flag.claim_id is not None:
        return f"`{flag.claim_id}`"
    return strings.MOD_FLAG_NO_CLAIM


def flag_embed(flag: Flag, question: str | None) -> discord.Embed:
    """One flag, for the mod-log and ``/flags show``."""
    embed = discord.Embed(
        title=strings.MOD_FLAG_TITLE.format(flag_id=flag.id),
        description=limits.shorten(flag_subject(flag, question), limits.EMBED_DESCRIPTION),
        colour=FLAG_COLOUR if flag.status == "open" else RESOLVED_COLOUR,
    )
    embed.add_field(name=strings.MOD_FIELD_STATUS, value=strings.MOD_STATUS[flag.status])
    embed.add_field(name=strings.MOD_FIELD_BY, value=f"<@{flag.flagger_id}>")
    embed.add_field(name=strings.MOD_FIELD_WHEN, value=when(flag.created_at))
    if flag.reason is not None:
        embed.add_field(
            name=strings.MOD_FIELD_REASON,
            value=quote(flag.reason, limits.EMBED_FIELD_VALUE),
            inline=False,
        )
    if flag.message_text:
        embed.add_field(
            name=strings.MOD_FIELD_MESSAGE_TEXT,
            value=quote(flag.message_text, limits.EMBED_FIELD_VALUE),
            inline=False,
        )
    if flag.message_link:
        embed.add_field(
            name=strings.MOD_FIELD_LINK,
            value=limits.shorten(flag.message_link, limits.EMBED_FIELD_VALUE),
            inline=False,
        )
    if flag.resolved_at is not None:
        embed.add_field(
            name=strings.MOD_FIELD_RESOLVED,
            value=limits.shorten(
                strings.MOD_RESOLVED_VALUE.format(
                    moderator=f"<@{flag.resolved_by}>",
                    when=when(flag.resolved_at),
                    note=quote(flag.resolution_note, 800),
                ),
                limits.EMBED_FIELD_VALUE,
            ),
            inline=False,
        )
    return embed


def request_embed(request: Request) -> discord.Embed:
    """One request, for the mod-log and ``/requests list``."""
    embed = discord.Embed(
        title=strings.MOD_REQUEST_TITLE.format(request_id=request.id),
        description=quote(request.question, 1500),
        colour=FLAG_COLOUR if request.status == "open" else RESOLVED_COLOUR,
    )
    embed.add_field(name=strings.MOD_FIELD_STATUS, value=strings.MOD_STATUS[request.status])
    embed.add_field(name=strings.MOD_FIELD_ASKERS, value=str(request.askers))
    embed.add_field(name=strings.MOD_FIELD_WHEN, value=when(request.created_at))
    if request.answered_claim_id is not None:
        embed.add_field(
            name=strings.MOD_FIELD_ANSWERED_BY,
            value=f"`{request.answered_claim_id}`",
            inline=False,
        )
    if request.close_note is not None:
        embed.add_field(
            name=strings.MOD_FIELD_NOTE, value=quote(request.close_note, 800), inline=False
        )
    return embed


def flag_line(flag: Flag) -> str:
    subject = f"`{flag.claim_id}`" if flag.claim_id else strings.MOD_FLAG_NO_CLAIM
    return strings.MOD_FLAG_LINE.format(
        flag_id=flag.id,
        status=strings.MOD_STATUS[flag.status],
        subject=subject,
        member=f"<@{flag.flagger_id}>",
        when=when(flag.created_at),
        reason=quote(flag.reason or flag.message_text, 120),
    )


def request_line(request: Request) -> str:
    return strings.MOD_REQUEST_LINE.format(
        request_id=request.id,
        status=strings.MOD_STATUS[request.status],
        askers=request.askers,
        question=quote(request.question, 150),
    )


def list_embed(title: str, lines: Sequence[str], total: int) -> discord.Embed:
    """A page of list lines; the footer says how many exist in all."""
    body = "\n".join(lines) if lines else strings.MOD_LIST_EMPTY
    embed = discord.Embed(
        title=limits.shorten(title, limits.EMBED_TITLE),
        description=limits.shorten(body, limits.EMBED_DESCRIPTION),
        colour=FLAG_COLOUR,
    )
    embed.set_footer(text=strings.MOD_LIST_FOOTER.format(shown=len(lines), total=total))
    return embed


def history_lines(flag: Flag, entries: Sequence[AuditEntry]) -> list[str]:
    lines = [
        strings.MOD_HISTORY_CREATED.format(
            when=when(flag.created_at), member=f"<@{flag.flagger_id}>"
        )
    ]
    for entry in entries:
        note = f": {quote(entry.note, 300)}" if entry.note else ""
        lines.append(
            strings.MOD_HISTORY_LINE.format(
                when=when(entry.created_at),
                member=f"<@{entry.actor_id}>",
                action=strings.MOD_ACTIONS.get(entry.action, entry.action),
                note=note,
            )
        )
    return lines


def dispute_notice(dispute: Dispute) -> tuple[str, str]:
    """The "Disputed in this server" field (name, value) an answer carries."""
    return (
        strings.MOD_DISPUTED_NOTICE,
        limits.shorten(
            strings.MOD_DISPUTED_NOTICE_VALUE.format(note=quote(dispute.note, 800)),
            limits.EMBED_FIELD_VALUE,
        ),
    )


def add_dispute_notice(embed: discord.Embed, dispute: Dispute | None) -> discord.Embed:
    """Put the notice first on an answer's embed when moderators upheld a dispute."""
    if dispute is not None:
        name, value = dispute_notice(dispute)
        embed.insert_field_at(0, name=name, value=value, inline=False)
    return embed


def context_card(fc: FactCheck, dispute: Dispute | None) -> discord.Embed:
    """The compact public reply to a flagged message: verdict, one line, date."""
    fc = fc.in_language(i18n.current_language())
    lines = []
    if fc.verdict:
        lines.append(strings.VERDICT_LINE.format(verdict=quote(fc.verdict, 200)))
    lines.append(one_line_summary(fc.summary))
    embed = discord.Embed(
        title=strings.MOD_CARD_TITLE.format(question=quote(fc.question, 200)),
        description=limits.shorten("\n".join(lines), limits.EMBED_DESCRIPTION),
        colour=CARD_COLOUR,
    )
    checked = fc.checked_on.isoformat()
    embed.add_field(name=strings.CHECKED_ON_FIELD, value=checked)
    add_dispute_notice(embed, dispute)
    embed.set_footer(text=strings.DISCLAIMER)
    return embed


def card_buttons(claim_id: str) -> discord.ui.View:
    """Read the full fact-check, Helpful / Not helpful, and Flag as disputed, under a
    context card."""
    return build_view(
        [
            ButtonSpec(strings.MOD_CARD_OPEN, custom_ids.open_id(claim_id)),
            *vote_buttons(claim_id),
            ButtonSpec(strings.MOD_FLAG_BUTTON, custom_ids.flag_id(claim_id)),
        ]
    )


def already_answered_buttons(claim_id: str) -> discord.ui.View:
    return build_view([ButtonSpec(strings.MOD_CARD_OPEN, custom_ids.open_id(claim_id))])


def flag_buttons(flag_id: int) -> discord.ui.View:
    return build_view(
        [
            ButtonSpec(
                strings.MOD_BUTTON_UPHOLD,
                custom_ids.mod_id("up", flag_id),
                discord.ButtonStyle.danger,
            ),
            ButtonSpec(strings.MOD_BUTTON_DISMISS, custom_ids.mod_id("dis", flag_id)),
        ]
    )


def request_buttons(request_id: int) -> discord.ui.View:
    return build_view(
        [ButtonSpec(strings.MOD_BUTTON_CLOSE, custom_ids.mod_id("close", request_id))]
    )


def flag_reason_input() -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(
        label=limits.shorten(strings.MOD_FLAG_REASON_LABEL, limits.TEXT_INPUT_LABEL),
        placeholder=limits.shorten(
            strings.MOD_FLAG_REASON_PLACEHOLDER, limits.TEXT_INPUT_PLACEHOLDER
        ),
        style=discord.TextStyle.paragraph,
        min_length=REASON_MIN_CHARS,
        max_length=REASON_MAX_CHARS,
        custom_id="reason",
    )


def note_input() -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(
        label=limits.shorten(strings.MOD_NOTE_LABEL, limits.TEXT_INPUT_LABEL),
        style=discord.TextStyle.paragraph,
        min_length=1,
        max_length=NOTE_MAX_CHARS,
        custom_id="note",
    )


def note_title(action: custom_ids.ModAction, target_id: int) -> str:
    return {
        "up": strings.MOD_NOTE_TITLE_UPHOLD,
        "dis": strings.MOD_NOTE_TITLE_DISMISS,
        "close": strings.MOD_NOTE_TITLE_CLOSE,
    }[action].format(id=target_id)


def history_embed(flag: Flag, entries: Sequence[AuditEntry]) -> discord.Embed:
    return discord.Embed(
        title=strings.MOD_HISTORY_TITLE.format(flag_id=flag.id),
        description=limits.shorten(
            "\n".join(history_lines(flag, entries)), limits.EMBED_DESCRIPTION
        ),
        colour=FLAG_COLOUR,
    )


def disputes_embed(disputes: Sequence[Dispute]) -> discord.Embed:
    lines = [
        strings.MOD_DISPUTE_LINE.format(
            claim_id=d.claim_id,
            when=when(d.upheld_at),
            member=f"<@{d.upheld_by}>",
            note=quote(d.note, 200),
        )
        for d in disputes[: PAGE_SIZE * 2]
    ]
    return list_embed(strings.MOD_DISPUTES_TITLE, lines, len(disputes))
