"""/factcheck, the "Fact-check this message" menu, and every button of a fact-check answer.

The cog parses what the member sent, asks the library (pure core, run in a worker thread),
and renders the result through :mod:`bot.discord_ui`. Each button kind is a
``DynamicItem`` whose template lives in :mod:`bot.discord_ui.custom_ids` and carries ids
only, so answers sent before a restart keep working after it. An answer in a server
carries the server's "Disputed in this server" notice when moderators upheld one, and a
"Flag as disputed" button (answered by the moderation cog's item for that template).
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import i18n, interactions, review
from bot.core.matching import EmptyQuestionError, MatchResult
from bot.core.models import FactCheck
from bot.discord_ui import custom_ids, embeds, limits, strings, views
from bot.interactions import (
    ClaimItem,
    FollowUpItem,
    HandledItem,
    bot_of,
    reply,
    within_deadline,
)
from bot.logs import get_logger

if TYPE_CHECKING:
    from bot.app import FactdeskBot
    from bot.interactions import InteractionState

log = get_logger(__name__)

QUESTION_MAX_CHARS = 300
# A pasted message is read up to this long (the matcher finds the claim's passage in it).
MESSAGE_MAX_CHARS = QUESTION_MAX_CHARS * 4
REQUEST_QUESTION_CHARS = 300
NEAREST_SHOWN = 3
# Autocomplete choices pick an entry by id, so the answer is the one the member chose.
CHOICE_PREFIX = "id:"
# One public "Post in channel" per member per this many seconds, per server.
POST_COOLDOWN_SECONDS = 30.0


class PostLimiter:
    """When each member may next post an answer publicly (in memory: a restart forgives)."""

    def __init__(self, cooldown: float = POST_COOLDOWN_SECONDS) -> None:
        self.cooldown = cooldown
        self._next: dict[tuple[int, int], float] = {}

    def retry_after(self, guild_id: int, user_id: int, now: float | None = None) -> float:
        """Seconds to wait (0: allowed now, and the slot is taken)."""
        now = time.monotonic() if now is None else now
        key = (guild_id, user_id)
        wait = self._next.get(key, 0.0) - now
        if wait > 0:
            return wait
        if len(self._next) > 10_000:
            self._next = {k: t for k, t in self._next.items() if t > now}
        self._next[key] = now + self.cooldown
        return 0.0


def _claim(interaction: discord.Interaction, claim_id: str) -> FactCheck | None:
    return bot_of(interaction).library.corpus.get(claim_id)


async def answer_message(
    interaction: discord.Interaction, fc: FactCheck, *, post_id: str | None = None
) -> dict[str, Any]:
    """What a member sees for ``fc`` here: the dispute notice (in a server that upheld one),
    the answer, its buttons, and in a server Helpful / Not helpful and Flag as disputed."""
    bot = bot_of(interaction)
    dispute = await bot.database.active_dispute(interaction.guild_id, fc.id)
    correction = await bot.database.latest_correction(fc.id)
    in_guild = interaction.guild_id is not None
    return {
        "embed": embeds.answer_embed(
            fc, dispute, corrected_on=correction.changed_at.date() if correction else None
        ),
        "view": views.build_view(
            views.answer_buttons(
                fc.in_language(i18n.current_language()),
                post_id=post_id,
                flag=in_guild,
                vote=in_guild,
            )
        ),
    }


async def public_language(interaction: discord.Interaction) -> str:
    """The language of what factdesk posts in this interaction's server."""
    return await i18n.language_of_server(
        bot_of(interaction).database, interaction.guild_id, interaction.guild_locale
    )


async def send(interaction: discord.Interaction, ephemeral: bool, **message: Any) -> None:
    message.setdefault("allowed_mentions", discord.AllowedMentions.none())
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **message)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **message)


async def open_privately(interaction: discord.Interaction, fc: FactCheck) -> None:
    interactions.outcome(interaction).claim_id = fc.id
    message = await within_deadline(interaction, answer_message(interaction, fc))
    await send(interaction, True, **message)


async def record_request(
    interaction: discord.Interaction, question: str, *, from_claim: str | None = None
) -> None:
    """A member's "Request a fact-check": stored (merged into an open near-duplicate), and
    posted to the mod-log when new, exactly as /request."""
    guild_id = interaction.guild_id
    if guild_id is None:
        await reply(interaction, strings.REQUEST_IN_SERVER_ONLY)
        return
    added = await within_deadline(
        interaction,
        review.add_request(
            interaction,
            guild_id,
            limits.shorten(" ".join(question.split()), REQUEST_QUESTION_CHARS),
            "button",
        ),
    )
    log.info("fact-check requested", request_id=added.request.id, from_claim=from_claim)
    await reply(interaction, strings.REQUEST_RECEIVED)
    await review.post_if_new(interaction, added)


# --- buttons --------------------------------------------------------------------------------


class OpenButton(ClaimItem, discord.ui.DynamicItem[discord.ui.Button], template=custom_ids.OPEN):
    """A nearest entry, a context card's or a digest's fact-check: the answer, privately."""

    log_name = "open"

    async def run(self, interaction: discord.Interaction) -> None:
        fc = _claim(interaction, self.claim_id)
        if fc is None:
            await reply(interaction, strings.CLAIM_GONE)
            return
        await open_privately(interaction, fc)


class FollowUpButton(
    FollowUpItem, discord.ui.DynamicItem[discord.ui.Button], template=custom_ids.FOLLOW_UP
):
    """ "Want to dive deeper?": the follow-up's fact-check, or an offer to request one."""

    log_name = "fu"

    async def run(self, interaction: discord.Interaction) -> None:
        found = await self.follow_up(interaction)
        if found is None:
            return
        fc, follow_up = found
        target = _claim(interaction, follow_up.claim) if follow_up.claim else None
        if target is not None:
            await open_privately(interaction, target)
            return
        interactions.outcome(interaction).claim_id = fc.id
        await send(
            interaction,
            True,
            embed=embeds.unanswered_follow_up_embed(follow_up.question),
            view=views.build_view(views.unanswered_buttons(fc.id, self.index)),
        )


class PageButton(HandledItem, discord.ui.DynamicItem[discord.ui.Button], template=custom_ids.PAGE):
    """Sources and Full analysis, and their Previous / Next."""

    log_name = "page"

    def __init__(
        self,
        button: discord.ui.Button,
        kind: custom_ids.PageKind,
        claim_id: str,
        page: int,
        edit: bool,
    ) -> None:
        super().__init__(button)
        self.kind: custom_ids.PageKind = kind
        self.claim_id = claim_id
        self.page = page
        self.edit = edit

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        assert isinstance(item, discord.ui.Button)
        kind: custom_ids.PageKind = "src" if match["kind"] == "src" else "full"
        return cls(item, kind, match["claim"], int(match["page"]), match["mode"] == "e")

    async def run(self, interaction: discord.Interaction) -> None:
        fc = _claim(interaction, self.claim_id)
        interactions.outcome(interaction).claim_id = self.claim_id
        if fc is None:
            await reply(interaction, strings.CLAIM_GONE)
            return
        if self.kind == "src":
            pages, make_id = embeds.source_pages(fc), custom_ids.sources_id
        else:
            pages, make_id = embeds.analysis_pages(fc), custom_ids.analysis_id
        page = max(0, min(self.page, len(pages) - 1))
        embed = embeds.page_embed(pages, page)
        view = views.build_view(views.page_buttons(make_id, fc.id, page, len(pages)))
        if self.edit:
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class RequestAskedButton(
    HandledItem, discord.ui.DynamicItem[discord.ui.Button], template=custom_ids.REQUEST_ASKED
):
    """ "Request a fact-check" under a no-match reply: requests the question that was asked
    (read from its stored row, never from the message's text)."""

    log_name = "req"

    def __init__(self, button: discord.ui.Button, row_id: int | None, legacy: bool) -> None:
        super().__init__(button)
        self.row_id = row_id
        self.legacy = legacy
        self.valid = legacy or row_id is not None

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RequestAskedButton:
        assert isinstance(item, discord.ui.Button)
        legacy = match["row"] is None
        return cls(item, custom_ids.snowflake(match["row"]), legacy)

    async def run(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            await reply(interaction, strings.REQUEST_IN_SERVER_ONLY)
            return
        if self.row_id is None:
            await reply(interaction, strings.REQUEST_ASK_AGAIN)
            return
        asked = await bot_of(interaction).database.asked_question(self.row_id)
        if asked is None or asked.guild_id != interaction.guild_id:
            await reply(interaction, strings.BUTTON_NOT_VALID)
            return
        await record_request(interaction, asked.question)


class RequestFollowUpButton(
    FollowUpItem, discord.ui.DynamicItem[discord.ui.Button], template=custom_ids.REQUEST_FOLLOW_UP
):
    """ "Request a fact-check" for a follow-up question the corpus does not answer yet."""

    log_name = "req"

    async def run(self, interaction: discord.Interaction) -> None:
        found = await self.follow_up(interaction)
        if found is not None:
            fc, follow_up = found
            await record_request(interaction, follow_up.question, from_claim=fc.id)


class PostButton(HandledItem, discord.ui.DynamicItem[discord.ui.Button], template=custom_ids.POST):
    """ "Post in channel" under a private answer to "Fact-check this message": posts the
    answer publicly as a reply to that message, for the member who asked only."""

    log_name = "post"

    def __init__(
        self,
        button: discord.ui.Button,
        message_id: int | None,
        claim_id: str,
        signature: str | None,
    ) -> None:
        super().__init__(button)
        self.message_id = message_id
        self.claim_id = claim_id
        self.signature = signature
        self.valid = message_id is not None and signature is not None

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PostButton:
        assert isinstance(item, discord.ui.Button)
        return cls(item, custom_ids.snowflake(match["message"]), match["claim"], match["signature"])

    async def run(self, interaction: discord.Interaction) -> None:
        bot = bot_of(interaction)
        assert self.message_id is not None
        assert self.signature is not None
        if not custom_ids.post_allowed(
            bot.signing_key, interaction.user.id, self.message_id, self.claim_id, self.signature
        ):
            await reply(interaction, strings.POST_NOT_YOURS)
            return
        # The member's own permission in this channel: factdesk posts nothing for a member
        # who could not post it themselves.
        if not interaction.permissions.send_messages:
            await reply(interaction, strings.POST_NEEDS_SEND_MESSAGES)
            return
        fc = _claim(interaction, self.claim_id)
        if fc is None:
            await reply(interaction, strings.CLAIM_GONE)
            return
        cog = bot.get_cog(Factcheck.__cog_name__)
        limiter = cog.post_limiter if isinstance(cog, Factcheck) else PostLimiter()
        wait = limiter.retry_after(interaction.guild_id or 0, interaction.user.id)
        if wait > 0:
            await reply(interaction, strings.POST_TOO_OFTEN.format(seconds=int(wait) + 1))
            return
        interactions.outcome(interaction).claim_id = fc.id
        channel_id = interaction.channel_id
        assert channel_id is not None
        channel = bot.get_partial_messageable(channel_id, guild_id=interaction.guild_id)
        reference = discord.MessageReference(
            message_id=self.message_id, channel_id=channel_id, fail_if_not_exists=False
        )

        async def post() -> None:
            with i18n.speaking(await public_language(interaction)):
                message = await answer_message(interaction, fc)
            await channel.send(
                reference=reference,
                allowed_mentions=discord.AllowedMentions.none(),
                # One post per fact-checked message and claim, even if the send is retried.
                nonce=custom_ids.message_nonce("post", self.message_id, fc.id),
                **message,
            )

        await within_deadline(interaction, post())
        if interaction.response.is_done():  # deferred: the work was slow
            await reply(interaction, strings.POSTED_IN_CHANNEL)
        else:
            await interaction.response.edit_message(content=strings.POSTED_IN_CHANNEL, view=None)


BUTTONS = (
    OpenButton,
    FollowUpButton,
    PageButton,
    RequestAskedButton,
    RequestFollowUpButton,
    PostButton,
)


# --- the cog --------------------------------------------------------------------------------


class Factcheck(commands.Cog):
    def __init__(self, bot: FactdeskBot) -> None:
        self.bot = bot
        self.post_limiter = PostLimiter()
        self.message_menu = app_commands.ContextMenu(
            name=strings.MESSAGE_MENU_NAME, callback=self.factcheck_message
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*BUTTONS)
        self.bot.tree.add_command(self.message_menu)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*BUTTONS)
        self.bot.tree.remove_command(self.message_menu.name, type=self.message_menu.type)

    def _no_match(self, question: str, result: MatchResult, row_id: int | None) -> dict[str, Any]:
        corpus = self.bot.library.corpus
        nearest: list[tuple[str, str, float]] = []
        for match in result.nearest(NEAREST_SHOWN):
            fc = corpus.get(match.claim_id)
            if fc is not None and all(match.claim_id != n[0] for n in nearest):
                nearest.append((match.claim_id, fc.question, match.score))
        return {
            "embed": embeds.no_match_embed(question, [(q, s) for _, q, s in nearest]),
            "view": views.build_view(
                views.no_match_buttons([(c, q) for c, q, _ in nearest], row_id)
            ),
        }

    async def _server_threshold(self, guild_id: int | None) -> float | None:
        """The server's own match threshold (None: the matcher's default applies)."""
        if guild_id is None:
            return None
        try:
            return await self.bot.database.match_threshold(guild_id)
        except Exception:
            # The default threshold still gives the member an answer.
            log.exception("could not read the server's match threshold")
            return None

    async def _resolve(
        self, question: str, state: InteractionState, guild_id: int | None
    ) -> tuple[FactCheck | None, MatchResult | None]:
        library = self.bot.library
        if question.startswith(CHOICE_PREFIX):
            fc = library.corpus.get(question.removeprefix(CHOICE_PREFIX))
            if fc is not None:
                state.claim_id, state.score = fc.id, None
                return fc, None
        result = await asyncio.to_thread(library.matcher.match, question)
        threshold = await self._server_threshold(guild_id)
        if threshold is not None:
            result = dataclasses.replace(result, threshold=threshold)
        best = result.best
        state.claim_id = best.claim_id if best else None
        state.score = best.score if best else (result.matches[0].score if result.matches else None)
        return (library.corpus.get(best.claim_id) if best else None), result

    async def _record(
        self, interaction: discord.Interaction, question: str, state: InteractionState
    ) -> int | None:
        try:
            return await self.bot.database.record_question(
                guild_id=interaction.guild_id,
                channel_id=interaction.channel_id,
                user_id=interaction.user.id,
                question=question,
                claim_id=state.claim_id,
                score=state.score,
            )
        except Exception:
            # A lost statistic is not the member's problem; a no-match reply then has no
            # Request button (it would not know the question), /request still works.
            log.exception("could not record the question")
            return None

    def _queue_record(
        self, interaction: discord.Interaction, question: str, state: InteractionState
    ) -> None:
        """An answered question's statistics row, written in a batch within a second (no
        reply refers to it, so it need not be committed before the handler ends)."""
        try:
            self.bot.database.queue_question(
                guild_id=interaction.guild_id,
                channel_id=interaction.channel_id,
                user_id=interaction.user.id,
                question=question,
                claim_id=state.claim_id,
                score=state.score,
            )
        except Exception:
            log.exception("could not queue the question")

    async def _answer_question(
        self,
        interaction: discord.Interaction,
        question: str,
        *,
        ephemeral: bool,
        message_id: int | None = None,
    ) -> None:
        if not question.strip():
            await send(interaction, True, content=strings.EMPTY_QUESTION)
            return
        state = interactions.outcome(interaction)

        async def work() -> tuple[dict[str, Any], bool]:
            """The reply, and whether the question is still to be recorded: in the member's
            language when private, in the server's when it answers the channel."""
            if ephemeral or interaction.guild_id is None:
                return await answer()
            with i18n.speaking(await public_language(interaction)):
                return await answer()

        async def answer() -> tuple[dict[str, Any], bool]:
            try:
                fc, result = await self._resolve(question, state, interaction.guild_id)
            except EmptyQuestionError:
                return {"content": strings.EMPTY_QUESTION}, True
            if fc is not None:
                post_id = None
                if message_id is not None:
                    post_id = custom_ids.post_id(
                        self.bot.signing_key, interaction.user.id, message_id, fc.id
                    )
                return await answer_message(interaction, fc, post_id=post_id), True
            assert result is not None
            # Recorded first: the Request button names the question's row.
            row_id = await self._record(interaction, question, state)
            return self._no_match(question, result, row_id), False

        message, record_after = await within_deadline(interaction, work(), ephemeral=ephemeral)
        await send(interaction, ephemeral, **message)
        if record_after:
            self._queue_record(interaction, question, state)

    @app_commands.command(name=strings.FACTCHECK_COMMAND, description=strings.FACTCHECK_DESCRIPTION)
    @app_commands.describe(
        question=strings.FACTCHECK_QUESTION_DESCRIPTION,
        private=strings.FACTCHECK_PRIVATE_DESCRIPTION,
    )
    async def factcheck(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, QUESTION_MAX_CHARS],
        private: bool = False,
    ) -> None:
        await self._answer_question(interaction, question, ephemeral=private)

    @factcheck.autocomplete("question")
    async def factcheck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        suggestions = await asyncio.to_thread(
            self.bot.library.matcher.autocomplete, current, limits.AUTOCOMPLETE_CHOICES
        )
        return [
            app_commands.Choice(
                name=limits.shorten(s.label, limits.CHOICE_NAME),
                value=f"{CHOICE_PREFIX}{s.claim_id}",
            )
            for s in suggestions[: limits.AUTOCOMPLETE_CHOICES]
            if s.label.strip()
        ]

    async def factcheck_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        text = " ".join([message.content] + [e.description or "" for e in message.embeds]).strip()
        if not text:
            await send(interaction, True, content=strings.MESSAGE_HAS_NO_TEXT)
            return
        await self._answer_question(
            interaction, text[:MESSAGE_MAX_CHARS], ephemeral=True, message_id=message.id
        )


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Factcheck(bot))
