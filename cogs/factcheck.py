"""/factcheck, the "Fact-check this message" menu, and every button of a fact-check answer.

The cog parses what the member sent, asks the library (pure core, run in a worker thread),
and renders the result through :mod:`bot.discord_ui`. Buttons are one ``DynamicItem`` whose
custom_id carries ids only, so answers sent before a restart keep working after it.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.matching import EmptyQuestionError, MatchResult
from bot.core.models import FactCheck
from bot.discord_ui import embeds, limits, strings, views
from bot.logs import get_logger

if TYPE_CHECKING:
    from bot.app import FactdeskBot, InteractionOutcome

log = get_logger(__name__)

# Past this, an answer is deferred first so Discord's 3-second deadline is never at risk.
DEFER_AFTER_SECONDS = 2.0
QUESTION_MAX_CHARS = 300
NEAREST_SHOWN = 3
# Autocomplete choices pick an entry by id, so the answer is the one the member chose.
CHOICE_PREFIX = "id:"


class FactcheckButton(
    discord.ui.DynamicItem[discord.ui.Button], template=views.FACTCHECK_CUSTOM_ID
):
    """Every fact-check button; the cog decides what a click does from the custom_id."""

    def __init__(self, button: discord.ui.Button) -> None:
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FactcheckButton:
        assert isinstance(item, discord.ui.Button)
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = interaction.client
        cog = bot.get_cog(Factcheck.__cog_name__) if isinstance(bot, commands.Bot) else None
        if isinstance(cog, Factcheck):
            await cog.on_button(interaction, self.custom_id)


class Factcheck(commands.Cog):
    def __init__(self, bot: FactdeskBot) -> None:
        self.bot = bot
        self.message_menu = app_commands.ContextMenu(
            name=strings.MESSAGE_MENU_NAME, callback=self.factcheck_message
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(FactcheckButton)
        self.bot.tree.add_command(self.message_menu)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(FactcheckButton)
        self.bot.tree.remove_command(self.message_menu.name, type=self.message_menu.type)

    # --- helpers ---------------------------------------------------------------------------

    def _claim(self, claim_id: str) -> FactCheck | None:
        return self.bot.library.corpus.get(claim_id)

    def _view(self, specs: list[views.ButtonSpec]) -> discord.ui.View:
        return views.build_view(specs, FactcheckButton)

    def _answer(self, fc: FactCheck, *, post_message_id: int | None = None) -> dict[str, Any]:
        return {
            "embed": embeds.answer_embed(fc),
            "view": self._view(views.answer_buttons(fc, post_message_id=post_message_id)),
        }

    def _no_match(self, question: str, result: MatchResult) -> dict[str, Any]:
        nearest: list[tuple[str, str, float]] = []
        for match in result.nearest(NEAREST_SHOWN):
            fc = self._claim(match.claim_id)
            if fc is not None and all(match.claim_id != n[0] for n in nearest):
                nearest.append((match.claim_id, fc.question, match.score))
        return {
            "embed": embeds.no_match_embed(question, [(q, s) for _, q, s in nearest]),
            "view": self._view(views.no_match_buttons([(c, q) for c, q, _ in nearest])),
        }

    def _match(self, question: str) -> MatchResult:
        return self.bot.library.matcher.match(question)

    async def _resolve(
        self, question: str, outcome: InteractionOutcome
    ) -> tuple[FactCheck | None, MatchResult | None]:
        if question.startswith(CHOICE_PREFIX):
            fc = self._claim(question.removeprefix(CHOICE_PREFIX))
            if fc is not None:
                outcome.claim_id, outcome.score = fc.id, None
                return fc, None
        result = await asyncio.to_thread(self._match, question)
        best = result.best
        outcome.claim_id = best.claim_id if best else None
        outcome.score = (
            best.score if best else (result.matches[0].score if result.matches else None)
        )
        return (self._claim(best.claim_id) if best else None), result

    async def _respond(
        self, interaction: discord.Interaction, work: asyncio.Task[Any], ephemeral: bool
    ) -> None:
        """Defer only when ``work`` is slow, so the first response is always within 3 s."""
        done, _ = await asyncio.wait({work}, timeout=DEFER_AFTER_SECONDS)
        if not done:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        await work

    async def _send(
        self, interaction: discord.Interaction, ephemeral: bool, **message: Any
    ) -> None:
        if interaction.response.is_done():
            await interaction.followup.send(ephemeral=ephemeral, **message)
        else:
            await interaction.response.send_message(ephemeral=ephemeral, **message)

    async def _record(
        self, interaction: discord.Interaction, question: str, outcome: InteractionOutcome
    ) -> None:
        try:
            await self.bot.database.record_question(
                guild_id=interaction.guild_id,
                channel_id=interaction.channel_id,
                user_id=interaction.user.id,
                question=question,
                claim_id=outcome.claim_id,
                score=outcome.score,
            )
        except Exception:
            # The answer already went out; a lost statistic is not the member's problem.
            log.exception("could not record the question")

    async def _answer_question(
        self,
        interaction: discord.Interaction,
        question: str,
        *,
        ephemeral: bool,
        post_message_id: int | None = None,
    ) -> None:
        async with self.bot.interaction_scope(interaction) as outcome:
            if not question.strip():
                await self._send(interaction, True, content=strings.EMPTY_QUESTION)
                return

            async def work() -> dict[str, Any]:
                try:
                    fc, result = await self._resolve(question, outcome)
                except EmptyQuestionError:
                    return {"content": strings.EMPTY_QUESTION}
                if fc is not None:
                    return self._answer(fc, post_message_id=post_message_id)
                assert result is not None
                return self._no_match(question, result)

            task = asyncio.ensure_future(work())
            await self._respond(interaction, task, ephemeral)
            await self._send(interaction, ephemeral, **task.result())
            await self._record(interaction, question, outcome)

    # --- commands --------------------------------------------------------------------------

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
        async with self.bot.interaction_scope(interaction, "factcheck:autocomplete", reply=False):
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
        return []  # only reached when the scope swallowed an error

    async def factcheck_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        text = " ".join([message.content] + [e.description or "" for e in message.embeds]).strip()
        if not text:
            await interaction.response.send_message(strings.MESSAGE_HAS_NO_TEXT, ephemeral=True)
            return
        await self._answer_question(
            interaction, text[: QUESTION_MAX_CHARS * 4], ephemeral=True, post_message_id=message.id
        )

    # --- buttons ---------------------------------------------------------------------------

    async def on_button(self, interaction: discord.Interaction, custom_id: str) -> None:
        match = views.FACTCHECK_CUSTOM_ID.fullmatch(custom_id)
        if match is None:
            return
        kind, args = match["kind"], match["args"].split(":")
        async with self.bot.interaction_scope(interaction, f"button:{kind}") as outcome:
            if kind == "req":
                await self._request(interaction, args)
                return
            claim_id = args[1] if kind == "post" else args[0]
            fc = self._claim(claim_id)
            outcome.claim_id = claim_id
            if fc is None:
                await interaction.response.send_message(strings.CLAIM_GONE, ephemeral=True)
            elif kind == "open":
                await interaction.response.send_message(ephemeral=True, **self._answer(fc))
            elif kind == "fu":
                await self._follow_up(interaction, fc, int(args[1]), outcome)
            elif kind in ("src", "full"):
                await self._page(interaction, fc, kind, int(args[1]), args[2] == "e")
            elif kind == "post":
                await self._post(interaction, fc, int(args[0]))

    async def _follow_up(
        self,
        interaction: discord.Interaction,
        fc: FactCheck,
        index: int,
        outcome: InteractionOutcome,
    ) -> None:
        if index >= len(fc.follow_ups):
            await interaction.response.send_message(strings.CLAIM_GONE, ephemeral=True)
            return
        follow_up = fc.follow_ups[index]
        target = self._claim(follow_up.claim) if follow_up.claim else None
        if target is not None:
            outcome.claim_id = target.id
            await interaction.response.send_message(ephemeral=True, **self._answer(target))
            return
        await interaction.response.send_message(
            embed=embeds.unanswered_follow_up_embed(follow_up.question),
            view=self._view(views.unanswered_buttons(fc.id, index)),
            ephemeral=True,
        )

    async def _page(
        self,
        interaction: discord.Interaction,
        fc: FactCheck,
        kind: str,
        page: int,
        edit: bool,
    ) -> None:
        if kind == "src":
            pages, make_id = embeds.source_pages(fc), views.sources_id
        else:
            pages, make_id = embeds.analysis_pages(fc), views.analysis_id
        page = max(0, min(page, len(pages) - 1))
        embed = embeds.page_embed(pages, page)
        view = self._view(views.page_buttons(make_id, fc.id, page, len(pages)))
        if edit:
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def _post(self, interaction: discord.Interaction, fc: FactCheck, message_id: int) -> None:
        channel_id = interaction.channel_id
        assert channel_id is not None
        channel = self.bot.get_partial_messageable(channel_id, guild_id=interaction.guild_id)
        reference = discord.MessageReference(
            message_id=message_id, channel_id=channel_id, fail_if_not_exists=False
        )
        await channel.send(
            reference=reference,
            allowed_mentions=discord.AllowedMentions.none(),
            **self._answer(fc),
        )
        await interaction.response.edit_message(content=strings.POSTED_IN_CHANNEL, view=None)

    async def _request(self, interaction: discord.Interaction, args: list[str]) -> None:
        if args[0] == views.NO_MATCH_REQUEST:
            question = asked_question(interaction.message)
            claim_id = None
        else:
            fc = self._claim(args[0])
            index = int(args[1])
            if fc is None or index >= len(fc.follow_ups):
                await interaction.response.send_message(strings.CLAIM_GONE, ephemeral=True)
                return
            question, claim_id = fc.follow_ups[index].question, fc.id
        log.info("fact-check requested", question=question, from_claim=claim_id)
        if interaction.guild_id is not None and question:
            await self.bot.database.add_request(
                interaction.guild_id,
                question,
                user_id=interaction.user.id,
                source="button",
                channel_id=interaction.channel_id,
            )
        await interaction.response.send_message(strings.REQUEST_RECEIVED, ephemeral=True)


def asked_question(message: discord.Message | None) -> str:
    """The member's question, read back from the quoted line of a no-match reply."""
    if message is None or not message.embeds:
        return ""
    for line in (message.embeds[0].description or "").splitlines():
        if line.startswith("> "):
            return line[2:].replace("\u200b", "").strip()
    return ""


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Factcheck(bot))
