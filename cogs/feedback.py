"""Was this helpful? Votes on answers and context cards, and ``/stats claims`` for moderators.

- Helpful / Not helpful (``fd:hv:<claim id>:<y|n>``) under every answer and context card in a
  server: one vote per member per fact-check per server, the last one counts. The private
  reply shows the server's tally; after "Not helpful" it offers "Tell us why" (an optional
  reason form, ``fd:hvr:``, routed by template so it submits after a restart) and "Flag as
  disputed" (answered by the moderation cog's item for that template).
- ``/stats claims``: the most asked and the least helpful fact-checks of the server, the
  latter ranked by a Bayesian average (:mod:`bot.core.feedback`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot import checks, interactions
from bot.checks import MODERATOR
from bot.core.feedback import least_helpful
from bot.discord_ui import custom_ids, strings
from bot.discord_ui import feedback as render
from bot.interactions import ClaimItem, HandledItem, ModalForm, bot_of, build_modal, reply
from bot.logs import get_logger

if TYPE_CHECKING:
    from bot.app import FactdeskBot

log = get_logger(__name__)

# Fact-checks shown per list of /stats claims.
STATS_SHOWN = 5


class VoteButton(HandledItem, discord.ui.DynamicItem[discord.ui.Button], template=custom_ids.VOTE):
    """Helpful / Not helpful: records the member's vote (replacing an earlier one)."""

    log_name = "vote"

    def __init__(self, button: discord.ui.Button, claim_id: str, helpful: bool) -> None:
        super().__init__(button)
        self.claim_id = claim_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        assert isinstance(item, discord.ui.Button)
        return cls(item, match["claim"], match["value"] == "y")

    async def run(self, interaction: discord.Interaction) -> None:
        interactions.outcome(interaction).claim_id = self.claim_id
        guild_id = interaction.guild_id
        if guild_id is None:
            await reply(interaction, strings.VOTE_IN_SERVER_ONLY)
            return
        bot = bot_of(interaction)
        if bot.library.corpus.get(self.claim_id) is None:
            await reply(interaction, strings.CLAIM_GONE)
            return
        cast = await interactions.within_deadline(
            interaction,
            bot.database.cast_vote(guild_id, self.claim_id, interaction.user.id, self.helpful),
        )
        log.info("vote recorded", helpful=self.helpful, changed=cast.previous is not None)
        extra: dict[str, Any] = {}
        if not self.helpful:
            extra["view"] = render.not_helpful_buttons(self.claim_id)
        await reply(interaction, render.vote_reply(cast, self.helpful), **extra)


class VoteWhyButton(
    ClaimItem, discord.ui.DynamicItem[discord.ui.Button], template=custom_ids.VOTE_WHY
):
    """ "Tell us why": opens the optional reason form for a "not helpful" vote."""

    log_name = "vote_why"

    async def run(self, interaction: discord.Interaction) -> None:
        interactions.outcome(interaction).claim_id = self.claim_id
        checks.in_guild(interaction, strings.VOTE_IN_SERVER_ONLY)
        await interaction.response.send_modal(
            build_modal(
                strings.VOTE_REASON_TITLE,
                custom_ids.vote_form_id(self.claim_id),
                render.reason_input(),
            )
        )


class VoteReasonForm(ModalForm):
    """The member's optional reason, kept with their "not helpful" vote."""

    template = custom_ids.VOTE_FORM
    log_name = "vote_reason"

    async def submit(self, interaction: discord.Interaction, values: dict[str, str]) -> None:
        claim_id = self.match["claim"]
        interactions.outcome(interaction).claim_id = claim_id
        guild_id = checks.in_guild(interaction, strings.VOTE_IN_SERVER_ONLY)
        reason = " ".join(values.get("reason", "").split())[: render.REASON_MAX_CHARS]
        if not reason:
            await reply(interaction, strings.VOTE_REASON_EMPTY)
            return
        await interactions.defer_private(interaction)
        kept = await bot_of(interaction).database.set_vote_reason(
            guild_id, claim_id, interaction.user.id, reason
        )
        await reply(interaction, strings.VOTE_REASON_SAVED if kept else strings.VOTE_REASON_NO_VOTE)


ITEMS = (VoteButton, VoteWhyButton)
FORMS = (VoteReasonForm,)


class Feedback(commands.Cog):
    stats_group = checks.group("stats", strings.STATS_DESCRIPTION, MODERATOR)

    def __init__(self, bot: FactdeskBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*ITEMS)
        self.bot.add_modal_forms(*FORMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*ITEMS)
        self.bot.remove_modal_forms(*FORMS)

    @stats_group.command(name="claims", description=strings.STATS_CLAIMS_DESCRIPTION)
    @checks.needs(MODERATOR)
    async def stats_claims(self, interaction: discord.Interaction) -> None:
        guild_id = checks.in_guild(interaction)
        database = self.bot.database
        corpus = self.bot.library.corpus

        def question(claim_id: str) -> str | None:
            fc = corpus.get(claim_id)
            return fc.question if fc is not None else None

        async def embed() -> discord.Embed:
            asked = await database.most_asked_claims(guild_id, limit=STATS_SHOWN)
            tallies = await database.vote_tallies(guild_id)
            return render.stats_embed(asked, least_helpful(tallies, STATS_SHOWN), question)

        await reply(interaction, embed=await interactions.within_deadline(interaction, embed()))


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Feedback(bot))
