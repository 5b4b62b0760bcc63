"""Disputed-claim flags and the moderators' review queue.

- "Flag as disputed" under an answer (``fd:flag:<claim id>``) opens a modal for the reason;
  one open flag per member per claim per server, and a per-member cooldown.
- "Flag disputed claim" (message context menu, moderators) records the message, matches it
  against the corpus, and replies with a compact public context card when a fact-check
  matches, or queues a request when none does.
- ``/flags list|show|resolve|history|clear`` work the queue; every action is audited.
- Mod-log posts carry Uphold / Dismiss / Close buttons (``fd:mod:<action>:<id>``) that only
  moderators may use and that keep working after a restart (``DynamicItem``).

The module-level helpers (permission checks, refusals, mod-log posts, renderers) are shared
with ``cogs/requests.py`` and ``cogs/admin.py``; they are plain functions so the cogs stay
independent of each other's classes.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui import limits, strings
from bot.logs import get_logger
from bot.store.rows import (
    FLAG_STATUSES,
    AuditEntry,
    Dispute,
    Flag,
    FlagOutcome,
    FlagStatus,
    NewFlag,
    Request,
)

if TYPE_CHECKING:
    from bot.app import FactdeskBot
    from bot.core.models import FactCheck

log = get_logger(__name__)

FLAG_COOLDOWN = timedelta(seconds=60)
REASON_MIN_CHARS = 10
REASON_MAX_CHARS = 500
NOTE_MAX_CHARS = 500
# Text kept from a flagged message (stored) and the slice of it sent to the matcher.
MESSAGE_TEXT_KEPT = 4000
MATCH_TEXT_CHARS = 1200
REQUEST_QUESTION_CHARS = 300
PAGE_SIZE = 10
SENT_VIEW_TIMEOUT = 1.0
ONE_LINE_SUMMARY_CHARS = 280
# The id of "factdesk itself" in the audit log (a corpus reload answering a request).
SYSTEM_ACTOR_ID = 0

CLAIM_ID_PATTERN = r"[a-z0-9][a-z0-9_-]{0,79}"
FLAG_BUTTON_ID = re.compile(rf"fd:flag:(?P<claim>{CLAIM_ID_PATTERN})")
MOD_BUTTON_ID = re.compile(r"fd:mod:(?P<action>up|dis|close):(?P<id>[0-9]{1,19})")
ModAction = Literal["up", "dis", "close"]

MODERATOR_PERMISSIONS = discord.Permissions(manage_messages=True)
MANAGER_PERMISSIONS = discord.Permissions(manage_guild=True)
NO_MENTIONS = discord.AllowedMentions.none()

FLAG_COLOUR = discord.Colour.orange()
RESOLVED_COLOUR = discord.Colour.dark_grey()
CARD_COLOUR = discord.Colour.gold()
_CITATION = re.compile(r"\s*\[\d+\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def flag_button_id(claim_id: str) -> str:
    return f"fd:flag:{claim_id}"


def mod_button_id(action: ModAction, target_id: int) -> str:
    return f"fd:mod:{action}:{target_id}"


# --- pure helpers ---------------------------------------------------------------------------


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
    """Member-written text on one line, made inert (no live mentions) and shortened."""
    if not text:
        return strings.MOD_NONE
    flat = limits.neutralise_mentions(" ".join(text.split()))
    return limits.shorten(flat, limit)


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


def button_view(*buttons: discord.ui.Button) -> discord.ui.View:
    """A view to send ``buttons`` with; clicks are answered by the registered DynamicItems.

    The view itself only carries the buttons to Discord. A short timeout lets discord.py
    drop it from memory at once instead of keeping one view per post forever; the buttons
    stay on the message and keep working because their custom_ids match a DynamicItem.
    """
    view = discord.ui.View(timeout=SENT_VIEW_TIMEOUT)
    for button in buttons:
        view.add_item(button)
    return view


def open_button(claim_id: str) -> discord.ui.Button:
    # The factcheck cog's DynamicItem answers fd:open:; here it is only sent.
    return discord.ui.Button(label=strings.MOD_CARD_OPEN, custom_id=f"fd:open:{claim_id}")


def flag_button(claim_id: str) -> discord.ui.Button:
    """ "Flag as disputed" for an answer or a context card (handled by :class:`FlagButton`)."""
    return discord.ui.Button(
        label=strings.MOD_FLAG_BUTTON,
        custom_id=flag_button_id(claim_id),
        style=discord.ButtonStyle.secondary,
    )


def flag_buttons(flag_id: int) -> discord.ui.View:
    return button_view(
        discord.ui.Button(
            label=strings.MOD_BUTTON_UPHOLD,
            custom_id=mod_button_id("up", flag_id),
            style=discord.ButtonStyle.danger,
        ),
        discord.ui.Button(
            label=strings.MOD_BUTTON_DISMISS,
            custom_id=mod_button_id("dis", flag_id),
            style=discord.ButtonStyle.secondary,
        ),
    )


def request_buttons(request_id: int) -> discord.ui.View:
    return button_view(
        discord.ui.Button(
            label=strings.MOD_BUTTON_CLOSE,
            custom_id=mod_button_id("close", request_id),
            style=discord.ButtonStyle.secondary,
        )
    )


# --- permission checks and shared I/O -------------------------------------------------------


def is_moderator(interaction: discord.Interaction) -> bool:
    return interaction.guild_id is not None and interaction.permissions.manage_messages


def is_manager(interaction: discord.Interaction) -> bool:
    return interaction.guild_id is not None and interaction.permissions.manage_guild


async def reply(interaction: discord.Interaction, content: str | None = None, **extra: Any) -> None:
    """A private reply, as the first response or a follow-up, never pinging anyone."""
    if content is not None:
        extra["content"] = limits.shorten(content, limits.MESSAGE_CONTENT)
    extra.setdefault("allowed_mentions", NO_MENTIONS)
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=True, **extra)
    else:
        await interaction.response.send_message(ephemeral=True, **extra)


async def refuse(
    bot: FactdeskBot,
    interaction: discord.Interaction,
    what: str,
    needed: str,
    message: str | None = None,
) -> None:
    """Politely refuse a member without the permission, and log and audit the attempt."""
    log.warning("moderator action refused", action=what, needed=needed)
    if interaction.guild_id is not None:
        try:
            await bot.database.record_action(
                interaction.guild_id, interaction.user.id, "refused", "command", what, needed
            )
        except Exception:
            log.exception("could not audit a refusal")
    await reply(interaction, message or strings.MOD_REFUSED.format(permission=needed))


async def guild_only(interaction: discord.Interaction) -> bool:
    if interaction.guild_id is None:
        await reply(interaction, strings.MOD_GUILD_ONLY)
        return False
    return True


async def post_to_modlog(
    bot: FactdeskBot, guild_id: int, embed: discord.Embed, view: discord.ui.View | None
) -> int | None:
    """Post in the server's mod-log channel; the message id, or None (unset or refused)."""
    settings = await bot.database.guild_settings(guild_id)
    if settings.modlog_channel_id is None:
        return None
    channel = bot.get_partial_messageable(settings.modlog_channel_id, guild_id=guild_id)
    try:
        kwargs: dict[str, Any] = {"embed": embed, "allowed_mentions": NO_MENTIONS}
        if view is not None:
            kwargs["view"] = view
        message = await channel.send(**kwargs)
    except discord.HTTPException as error:
        log.warning(
            "could not post in the mod-log",
            channel_id=settings.modlog_channel_id,
            status=error.status,
            code=error.code,
        )
        return None
    return message.id


async def refresh_modlog(
    bot: FactdeskBot, guild_id: int, message_id: int | None, embed: discord.Embed
) -> None:
    """Show the new state on a mod-log post and take its buttons away (best effort)."""
    if message_id is None:
        return
    settings = await bot.database.guild_settings(guild_id)
    if settings.modlog_channel_id is None:
        return
    channel = bot.get_partial_messageable(settings.modlog_channel_id, guild_id=guild_id)
    try:
        await channel.get_partial_message(message_id).edit(
            embed=embed, view=None, allowed_mentions=NO_MENTIONS
        )
    except discord.HTTPException:
        log.info("could not update the mod-log post", message_id=message_id)


async def post_flag(bot: FactdeskBot, flag: Flag) -> None:
    fc = bot.library.corpus.get(flag.claim_id) if flag.claim_id else None
    embed = flag_embed(flag, fc.question if fc else None)
    message_id = await post_to_modlog(bot, flag.guild_id, embed, flag_buttons(flag.id))
    if message_id is not None:
        await bot.database.set_flag_modlog_message(flag.id, message_id)


async def post_request(bot: FactdeskBot, request: Request) -> None:
    message_id = await post_to_modlog(
        bot, request.guild_id, request_embed(request), request_buttons(request.id)
    )
    if message_id is not None:
        await bot.database.set_request_modlog_message(request.id, message_id)


def find_answer(bot: FactdeskBot, question: str) -> str | None:
    """The claim id the current library answers ``question`` with, if any (blocking)."""
    if not question.strip():
        return None
    try:
        best = bot.library.matcher.match(question).best
    except ValueError:  # EmptyQuestionError: nothing left after normalisation
        return None
    return None if best is None else str(best.claim_id)


async def resolve_flag(
    bot: FactdeskBot,
    interaction: discord.Interaction,
    flag_id: int,
    outcome: FlagOutcome,
    note: str,
) -> None:
    """Uphold or dismiss an open flag for a moderator; replies privately."""
    assert interaction.guild_id is not None
    checked, problem = check_note(note)
    if checked is None:
        await reply(interaction, problem)
        return
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
    fc = bot.library.corpus.get(flag.claim_id) if flag.claim_id else None
    await refresh_modlog(
        bot, flag.guild_id, flag.modlog_message_id, flag_embed(flag, fc.question if fc else None)
    )


async def close_request(
    bot: FactdeskBot, interaction: discord.Interaction, request_id: int, note: str
) -> None:
    assert interaction.guild_id is not None
    checked, problem = check_note(note)
    if checked is None:
        await reply(interaction, problem)
        return
    request = await bot.database.close_request(
        interaction.guild_id, request_id, checked, actor_id=interaction.user.id
    )
    if request is None:
        await reply(interaction, strings.MOD_NO_OPEN_REQUEST.format(request_id=request_id))
        return
    log.info("request closed", request_id=request_id)
    await reply(interaction, strings.MOD_REQUEST_CLOSED.format(request_id=request_id))
    await refresh_modlog(bot, request.guild_id, request.modlog_message_id, request_embed(request))


# --- modals and buttons ---------------------------------------------------------------------


def modal_id(feature: Literal["flag", "mod"], opened_by: int) -> str:
    """A modal's custom_id, unique per opening.

    discord.py keeps open modals by custom_id alone, so two members opening "the same"
    modal at once would share one entry and one submission would be lost. The id of the
    interaction that opened it (the click) makes each modal its own.
    """
    return f"fd:{feature}:form:{opened_by}"


class FlagModal(discord.ui.Modal):
    """The member's reason for disputing a fact-check."""

    def __init__(
        self,
        bot: FactdeskBot,
        claim_id: str,
        message: discord.Message | None,
        *,
        opened_by: int,
    ) -> None:
        super().__init__(
            title=limits.shorten(strings.MOD_FLAG_MODAL_TITLE, limits.MODAL_TITLE),
            custom_id=modal_id("flag", opened_by),
            timeout=15 * 60,
        )
        self.bot = bot
        self.claim_id = claim_id
        self.message = message
        self.reason: discord.ui.TextInput[FlagModal] = discord.ui.TextInput(
            label=limits.shorten(strings.MOD_FLAG_REASON_LABEL, limits.TEXT_INPUT_LABEL),
            placeholder=limits.shorten(
                strings.MOD_FLAG_REASON_PLACEHOLDER, limits.TEXT_INPUT_PLACEHOLDER
            ),
            style=discord.TextStyle.paragraph,
            min_length=REASON_MIN_CHARS,
            max_length=REASON_MAX_CHARS,
            custom_id="reason",
        )
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        async with self.bot.interaction_scope(interaction, "flag:submit") as outcome:
            outcome.claim_id = self.claim_id
            await submit_flag(self.bot, interaction, self.claim_id, self.reason.value, self.message)


async def submit_flag(
    bot: FactdeskBot,
    interaction: discord.Interaction,
    claim_id: str,
    text: str,
    message: discord.Message | None,
) -> None:
    assert interaction.guild_id is not None
    reason, problem = check_reason(text)
    if reason is None:
        await reply(interaction, problem)
        return
    added = await bot.database.add_flag(
        NewFlag(
            guild_id=interaction.guild_id,
            kind="answer",
            claim_id=claim_id,
            flagger_id=interaction.user.id,
            reason=reason,
            channel_id=interaction.channel_id,
            message_id=message.id if message else None,
            message_link=(
                message_link(interaction.guild_id, message.channel.id, message.id)
                if message
                else None
            ),
        ),
        cooldown=FLAG_COOLDOWN,
    )
    if added.refused == "duplicate":
        await reply(interaction, strings.MOD_FLAG_DUPLICATE)
        return
    if added.refused == "cooldown":
        await reply(
            interaction, strings.MOD_FLAG_COOLDOWN.format(seconds=added.retry_after_seconds)
        )
        return
    assert added.flag is not None
    log.info("flag recorded", flag_id=added.flag.id, claim_id=claim_id)
    await reply(interaction, strings.MOD_FLAG_RECORDED.format(flag_id=added.flag.id))
    await post_flag(bot, added.flag)


class NoteModal(discord.ui.Modal):
    """A moderator's note for an uphold, a dismissal or a closed request (mod-log buttons)."""

    def __init__(
        self, bot: FactdeskBot, action: ModAction, target_id: int, *, opened_by: int
    ) -> None:
        title = {
            "up": strings.MOD_NOTE_TITLE_UPHOLD,
            "dis": strings.MOD_NOTE_TITLE_DISMISS,
            "close": strings.MOD_NOTE_TITLE_CLOSE,
        }[action].format(id=target_id)
        super().__init__(
            title=limits.shorten(title, limits.MODAL_TITLE),
            custom_id=modal_id("mod", opened_by),
            timeout=15 * 60,
        )
        self.bot = bot
        self.action: ModAction = action
        self.target_id = target_id
        self.note: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
            label=limits.shorten(strings.MOD_NOTE_LABEL, limits.TEXT_INPUT_LABEL),
            style=discord.TextStyle.paragraph,
            min_length=1,
            max_length=NOTE_MAX_CHARS,
            custom_id="note",
        )
        self.add_item(self.note)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        async with self.bot.interaction_scope(interaction, f"mod:{self.action}:submit"):
            if not is_moderator(interaction):
                await refuse(self.bot, interaction, f"mod:{self.action}", "Manage Messages")
                return
            if self.action == "close":
                await close_request(self.bot, interaction, self.target_id, self.note.value)
            else:
                outcome: FlagOutcome = "upheld" if self.action == "up" else "dismissed"
                await resolve_flag(self.bot, interaction, self.target_id, outcome, self.note.value)


def _bot(interaction: discord.Interaction) -> FactdeskBot | None:
    client = interaction.client
    return client if hasattr(client, "database") else None  # type: ignore[return-value]


class FlagButton(discord.ui.DynamicItem[discord.ui.Button], template=FLAG_BUTTON_ID):
    """ "Flag as disputed" under an answer: opens the reason modal."""

    def __init__(self, button: discord.ui.Button, claim_id: str) -> None:
        super().__init__(button)
        self.claim_id = claim_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FlagButton:
        assert isinstance(item, discord.ui.Button)
        return cls(item, match["claim"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        if bot is None:
            return
        async with bot.interaction_scope(interaction, "button:flag") as outcome:
            outcome.claim_id = self.claim_id
            if not await guild_only(interaction):
                return
            assert interaction.guild_id is not None
            if bot.library.corpus.get(self.claim_id) is None:
                await reply(interaction, strings.CLAIM_GONE)
                return
            if await bot.database.has_open_flag(
                interaction.guild_id, self.claim_id, interaction.user.id
            ):
                await reply(interaction, strings.MOD_FLAG_DUPLICATE)
                return
            await interaction.response.send_modal(
                FlagModal(bot, self.claim_id, interaction.message, opened_by=interaction.id)
            )


class ModButton(discord.ui.DynamicItem[discord.ui.Button], template=MOD_BUTTON_ID):
    """Uphold / Dismiss / Close on a mod-log post: moderators only, asks for a note."""

    def __init__(self, button: discord.ui.Button, action: ModAction, target_id: int) -> None:
        super().__init__(button)
        self.action: ModAction = action
        self.target_id = target_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ModButton:
        assert isinstance(item, discord.ui.Button)
        action: ModAction = (
            "up" if match["action"] == "up" else ("dis" if match["action"] == "dis" else "close")
        )
        return cls(item, action, int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        if bot is None:
            return
        async with bot.interaction_scope(interaction, f"button:mod:{self.action}"):
            if not await guild_only(interaction):
                return
            if not is_moderator(interaction):
                await refuse(bot, interaction, f"mod:{self.action}", "Manage Messages")
                return
            await interaction.response.send_modal(
                NoteModal(bot, self.action, self.target_id, opened_by=interaction.id)
            )


# --- the cog --------------------------------------------------------------------------------

STATUS_CHOICES = [app_commands.Choice(name=strings.MOD_STATUS[s], value=s) for s in FLAG_STATUSES]
OUTCOME_CHOICES = [
    app_commands.Choice(name=strings.MOD_STATUS["upheld"], value="upheld"),
    app_commands.Choice(name=strings.MOD_STATUS["dismissed"], value="dismissed"),
]


class Moderation(commands.Cog):
    flags_group = app_commands.Group(
        name="flags",
        description=strings.MOD_FLAGS_DESCRIPTION,
        guild_only=True,
        default_permissions=MODERATOR_PERMISSIONS,
    )

    def __init__(self, bot: FactdeskBot) -> None:
        self.bot = bot
        self.flag_menu = app_commands.ContextMenu(
            name=strings.MOD_FLAG_MENU_NAME, callback=self.flag_message
        )
        self.flag_menu.default_permissions = MODERATOR_PERMISSIONS
        self.flag_menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(FlagButton, ModButton)
        self.bot.tree.add_command(self.flag_menu)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(FlagButton, ModButton)
        self.bot.tree.remove_command(self.flag_menu.name, type=self.flag_menu.type)

    async def _moderator(self, interaction: discord.Interaction, what: str) -> bool:
        if not await guild_only(interaction):
            return False
        if not is_moderator(interaction):
            await refuse(self.bot, interaction, what, "Manage Messages")
            return False
        return True

    # --- the message context menu ------------------------------------------------------------

    async def flag_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        async with self.bot.interaction_scope(interaction, "flag:message") as outcome:
            if not await self._moderator(interaction, "flag:message"):
                return
            assert interaction.guild_id is not None
            text = message_text(message)
            if visible_length(text) == 0:
                await reply(interaction, strings.MESSAGE_HAS_NO_TEXT)
                return
            await interaction.response.defer(ephemeral=True, thinking=True)
            claim_id = await asyncio.to_thread(find_answer, self.bot, text[:MATCH_TEXT_CHARS])
            fc = self.bot.library.corpus.get(claim_id) if claim_id else None
            outcome.claim_id = claim_id
            added = await self.bot.database.add_flag(
                NewFlag(
                    guild_id=interaction.guild_id,
                    kind="message",
                    claim_id=fc.id if fc else None,
                    flagger_id=interaction.user.id,
                    channel_id=message.channel.id,
                    message_id=message.id,
                    message_link=message_link(interaction.guild_id, message.channel.id, message.id),
                    message_text=text[:MESSAGE_TEXT_KEPT],
                )
            )
            if added.flag is None:
                await reply(interaction, strings.MOD_MESSAGE_ALREADY_FLAGGED)
                return
            log.info("message flagged", flag_id=added.flag.id, claim_id=claim_id)
            if fc is not None:
                dispute = await self.bot.database.active_dispute(interaction.guild_id, fc.id)
                posted = await self._post_card(interaction.guild_id, message, fc, dispute)
                template = strings.MOD_CARD_POSTED if posted else strings.MOD_CARD_FAILED
                await reply(interaction, template.format(flag_id=added.flag.id))
            else:
                question = " ".join(text.split())[:REQUEST_QUESTION_CHARS]
                request = await self.bot.database.add_request(
                    interaction.guild_id,
                    question,
                    user_id=interaction.user.id,
                    source="message",
                    channel_id=message.channel.id,
                )
                await reply(
                    interaction,
                    strings.MOD_MESSAGE_NO_MATCH.format(
                        flag_id=added.flag.id, request_id=request.request.id
                    ),
                )
                if request.created:
                    await post_request(self.bot, request.request)
            await post_flag(self.bot, added.flag)

    async def _post_card(
        self, guild_id: int, message: discord.Message, fc: FactCheck, dispute: Dispute | None
    ) -> bool:
        channel = self.bot.get_partial_messageable(message.channel.id, guild_id=guild_id)
        try:
            await channel.send(
                embed=context_card(fc, dispute),
                view=button_view(open_button(fc.id), flag_button(fc.id)),
                reference=discord.MessageReference(
                    message_id=message.id, channel_id=message.channel.id, fail_if_not_exists=False
                ),
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException as error:
            log.warning("could not post the context card", status=error.status, code=error.code)
            return False
        return True

    # --- /flags ------------------------------------------------------------------------------

    @flags_group.command(name="list", description=strings.MOD_FLAGS_LIST_DESCRIPTION)
    @app_commands.describe(status=strings.MOD_STATUS_OPTION)
    @app_commands.choices(status=STATUS_CHOICES)
    async def flags_list(
        self, interaction: discord.Interaction, status: app_commands.Choice[str] | None = None
    ) -> None:
        async with self.bot.interaction_scope(interaction, "flags list"):
            if not await self._moderator(interaction, "flags list"):
                return
            assert interaction.guild_id is not None
            wanted: FlagStatus = "open"
            if status is not None and status.value in FLAG_STATUSES:
                wanted = status.value
            flags = await self.bot.database.flags(interaction.guild_id, wanted, limit=PAGE_SIZE)
            total = await self.bot.database.count_flags(interaction.guild_id, wanted)
            title = strings.MOD_FLAGS_LIST_TITLE.format(status=strings.MOD_STATUS[wanted])
            await reply(interaction, embed=list_embed(title, [flag_line(f) for f in flags], total))

    @flags_group.command(name="show", description=strings.MOD_FLAGS_SHOW_DESCRIPTION)
    @app_commands.describe(flag_id=strings.MOD_FLAG_ID_OPTION)
    @app_commands.rename(flag_id="id")
    async def flags_show(
        self, interaction: discord.Interaction, flag_id: app_commands.Range[int, 1]
    ) -> None:
        async with self.bot.interaction_scope(interaction, "flags show"):
            if not await self._moderator(interaction, "flags show"):
                return
            assert interaction.guild_id is not None
            flag = await self.bot.database.flag(interaction.guild_id, flag_id)
            if flag is None:
                await reply(interaction, strings.MOD_NO_FLAG.format(flag_id=flag_id))
                return
            fc = self.bot.library.corpus.get(flag.claim_id) if flag.claim_id else None
            view = flag_buttons(flag.id) if flag.status == "open" else None
            extra: dict[str, Any] = {"view": view} if view else {}
            await reply(interaction, embed=flag_embed(flag, fc.question if fc else None), **extra)

    @flags_group.command(name="resolve", description=strings.MOD_FLAGS_RESOLVE_DESCRIPTION)
    @app_commands.describe(
        flag_id=strings.MOD_FLAG_ID_OPTION,
        outcome=strings.MOD_OUTCOME_OPTION,
        note=strings.MOD_NOTE_OPTION,
    )
    @app_commands.rename(flag_id="id")
    @app_commands.choices(outcome=OUTCOME_CHOICES)
    async def flags_resolve(
        self,
        interaction: discord.Interaction,
        flag_id: app_commands.Range[int, 1],
        outcome: app_commands.Choice[str],
        note: app_commands.Range[str, 1, NOTE_MAX_CHARS],
    ) -> None:
        async with self.bot.interaction_scope(interaction, "flags resolve"):
            if not await self._moderator(interaction, "flags resolve"):
                return
            result: FlagOutcome = "upheld" if outcome.value == "upheld" else "dismissed"
            await resolve_flag(self.bot, interaction, flag_id, result, note)

    @flags_group.command(name="history", description=strings.MOD_FLAGS_HISTORY_DESCRIPTION)
    @app_commands.describe(flag_id=strings.MOD_FLAG_ID_OPTION)
    @app_commands.rename(flag_id="id")
    async def flags_history(
        self, interaction: discord.Interaction, flag_id: app_commands.Range[int, 1]
    ) -> None:
        async with self.bot.interaction_scope(interaction, "flags history"):
            if not await self._moderator(interaction, "flags history"):
                return
            assert interaction.guild_id is not None
            flag = await self.bot.database.flag(interaction.guild_id, flag_id)
            if flag is None:
                await reply(interaction, strings.MOD_NO_FLAG.format(flag_id=flag_id))
                return
            entries = await self.bot.database.history(interaction.guild_id, "flag", str(flag_id))
            lines = history_lines(flag, entries)
            embed = discord.Embed(
                title=strings.MOD_HISTORY_TITLE.format(flag_id=flag_id),
                description=limits.shorten("\n".join(lines), limits.EMBED_DESCRIPTION),
                colour=FLAG_COLOUR,
            )
            await reply(interaction, embed=embed)

    @flags_group.command(name="clear", description=strings.MOD_FLAGS_CLEAR_DESCRIPTION)
    @app_commands.describe(claim=strings.MOD_CLAIM_OPTION, note=strings.MOD_NOTE_OPTION)
    async def flags_clear(
        self,
        interaction: discord.Interaction,
        claim: app_commands.Range[str, 1, 80],
        note: app_commands.Range[str, 1, NOTE_MAX_CHARS],
    ) -> None:
        async with self.bot.interaction_scope(interaction, "flags clear") as outcome:
            if not await self._moderator(interaction, "flags clear"):
                return
            assert interaction.guild_id is not None
            checked, problem = check_note(note)
            if checked is None:
                await reply(interaction, problem)
                return
            outcome.claim_id = claim
            cleared = await self.bot.database.clear_dispute(
                interaction.guild_id, claim, checked, actor_id=interaction.user.id
            )
            template = strings.MOD_CLEARED if cleared else strings.MOD_NOT_DISPUTED
            await reply(interaction, template.format(claim_id=quote(claim, 80)))

    @flags_clear.autocomplete("claim")
    async def flags_clear_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not interaction.permissions.manage_messages:
            return []
        disputes = await self.bot.database.active_disputes(interaction.guild_id)
        wanted = current.casefold()
        return [
            app_commands.Choice(
                name=limits.shorten(d.claim_id, limits.CHOICE_NAME), value=d.claim_id
            )
            for d in disputes
            if wanted in d.claim_id
        ][: limits.AUTOCOMPLETE_CHOICES]

    @flags_group.command(name="disputes", description=strings.MOD_FLAGS_DISPUTES_DESCRIPTION)
    async def flags_disputes(self, interaction: discord.Interaction) -> None:
        async with self.bot.interaction_scope(interaction, "flags disputes"):
            if not await self._moderator(interaction, "flags disputes"):
                return
            assert interaction.guild_id is not None
            disputes = await self.bot.database.active_disputes(interaction.guild_id)
            lines = [
                strings.MOD_DISPUTE_LINE.format(
                    claim_id=d.claim_id,
                    when=when(d.upheld_at),
                    member=f"<@{d.upheld_by}>",
                    note=quote(d.note, 200),
                )
                for d in disputes[: PAGE_SIZE * 2]
            ]
            embed = list_embed(strings.MOD_DISPUTES_TITLE, lines, len(disputes))
            await reply(interaction, embed=embed)


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Moderation(bot))
