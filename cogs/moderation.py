"""Disputed-claim flags and the moderators' review queue.

- "Flag as disputed" under an answer or a context card (``fd:flag:<claim id>``) opens a
  form for the reason; one open flag per member per claim per server, and a per-member
  cooldown. The form is routed by its custom_id, so one opened before a restart submits.
- "Flag disputed claim" (message context menu, moderators) records the message, matches it
  against the corpus, and replies with a compact public context card when a fact-check
  matches, or queues a request when none does.
- ``/flags list|show|resolve|history|clear|disputes`` work the queue; every action is
  audited.
- Mod-log posts carry Uphold / Dismiss / Close buttons (``fd:mod:<action>:<id>``) that only
  moderators may use; each asks for a note in a form.

Rendering lives in :mod:`bot.discord_ui.moderation`, posting in :mod:`bot.modlog`, and the
actions shared with the requests cog in :mod:`bot.review`.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import checks, i18n, interactions, modlog, review
from bot.checks import MODERATOR
from bot.discord_ui import custom_ids, feedback, limits, strings
from bot.discord_ui import moderation as render
from bot.interactions import ClaimItem, HandledItem, ModalForm, bot_of, build_modal, reply
from bot.logs import get_logger
from bot.review import FLAG_COOLDOWN
from bot.store.rows import (
    FLAG_STATUSES,
    Dispute,
    Flag,
    FlagOutcome,
    FlagStatus,
    NewFlag,
    VoteTally,
)

if TYPE_CHECKING:
    from bot.app import FactdeskBot
    from bot.core.models import FactCheck

log = get_logger(__name__)

# Text kept from a flagged message (stored) and the slice of it sent to the matcher.
MESSAGE_TEXT_KEPT = 4000
MATCH_TEXT_CHARS = 1200
REQUEST_QUESTION_CHARS = 300
# A modal must be the first response, so the duplicate check before it may not wait long;
# when the database is slow the form opens anyway and the write refuses a duplicate.
DUPLICATE_CHECK_SECONDS = 1.0


class FlagButton(ClaimItem, discord.ui.DynamicItem[discord.ui.Button], template=custom_ids.FLAG):
    """ "Flag as disputed": opens the reason form."""

    log_name = "flag"

    async def run(self, interaction: discord.Interaction) -> None:
        interactions.outcome(interaction).claim_id = self.claim_id
        guild_id = checks.in_guild(interaction)
        bot = bot_of(interaction)
        if bot.library.corpus.get(self.claim_id) is None:
            await reply(interaction, strings.CLAIM_GONE)
            return
        try:
            duplicate = await asyncio.wait_for(
                bot.database.has_open_flag(guild_id, self.claim_id, interaction.user.id),
                DUPLICATE_CHECK_SECONDS,
            )
        except TimeoutError:
            duplicate = False
        if duplicate:
            await reply(interaction, strings.MOD_FLAG_DUPLICATE)
            return
        message_id = interaction.message.id if interaction.message else None
        await interaction.response.send_modal(
            build_modal(
                strings.MOD_FLAG_MODAL_TITLE,
                custom_ids.flag_form_id(self.claim_id, message_id),
                render.flag_reason_input(),
            )
        )


class FlagForm(ModalForm):
    """The member's reason for disputing a fact-check."""

    template = custom_ids.FLAG_FORM
    log_name = "flag"

    async def submit(self, interaction: discord.Interaction, values: dict[str, str]) -> None:
        claim_id = self.match["claim"]
        message_id = custom_ids.snowflake(self.match["message"])
        interactions.outcome(interaction).claim_id = claim_id
        guild_id = checks.in_guild(interaction)
        reason, problem = render.check_reason(values.get("reason", ""))
        if reason is None:
            await reply(interaction, problem)
            return
        # Answer first, then write: the member learns the outcome in the follow-up.
        await interactions.defer_private(interaction)
        bot = bot_of(interaction)
        link = None
        if message_id is not None and interaction.channel_id is not None:
            link = render.message_link(guild_id, interaction.channel_id, message_id)
        added = await bot.database.add_flag(
            NewFlag(
                guild_id=guild_id,
                kind="answer",
                claim_id=claim_id,
                flagger_id=interaction.user.id,
                reason=reason,
                channel_id=interaction.channel_id,
                message_id=message_id,
                message_link=link,
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
        await modlog.post_flag(bot, added.flag)


class ModButton(HandledItem, discord.ui.DynamicItem[discord.ui.Button], template=custom_ids.MOD):
    """Uphold / Dismiss / Close on a mod-log post: moderators only, asks for a note."""

    log_name = "mod"

    def __init__(
        self, button: discord.ui.Button, action: custom_ids.ModAction, target_id: int | None
    ) -> None:
        super().__init__(button)
        self.action: custom_ids.ModAction = action
        self.target_id = target_id
        self.valid = target_id is not None

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ModButton:
        assert isinstance(item, discord.ui.Button)
        return cls(item, custom_ids.mod_action(match["action"]), custom_ids.snowflake(match["id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        assert self.target_id is not None
        checks.require(interaction, MODERATOR, f"mod:{self.action}")
        await interaction.response.send_modal(
            build_modal(
                render.note_title(self.action, self.target_id),
                custom_ids.note_form_id(self.action, self.target_id),
                render.note_input(),
            )
        )


class NoteForm(ModalForm):
    """A moderator's note for an uphold, a dismissal or a closed request. Checked again at
    submission: a form carries no power of its own."""

    template = custom_ids.NOTE_FORM
    log_name = "note"

    async def submit(self, interaction: discord.Interaction, values: dict[str, str]) -> None:
        action = custom_ids.mod_action(self.match["action"])
        target_id = custom_ids.snowflake(self.match["id"])
        checks.require(interaction, MODERATOR, f"mod:{action}")
        if target_id is None:
            await reply(interaction, strings.BUTTON_NOT_VALID)
            return
        note = values.get("note", "")
        if action == "close":
            await review.close_request(interaction, target_id, note)
        else:
            outcome: FlagOutcome = "upheld" if action == "up" else "dismissed"
            await review.resolve_flag(interaction, target_id, outcome, note)


class LegacyForm(ModalForm):
    """A form opened before forms were routed by template: it knows nothing, so say so."""

    template = custom_ids.LEGACY_FORM
    log_name = "legacy"

    async def submit(self, interaction: discord.Interaction, values: dict[str, str]) -> None:
        await reply(interaction, strings.FORM_EXPIRED)


FORMS = (FlagForm, NoteForm, LegacyForm)

STATUS_CHOICES = [app_commands.Choice(name=strings.MOD_STATUS[s], value=s) for s in FLAG_STATUSES]
OUTCOME_CHOICES = [
    app_commands.Choice(name=strings.MOD_STATUS["upheld"], value="upheld"),
    app_commands.Choice(name=strings.MOD_STATUS["dismissed"], value="dismissed"),
]


class Moderation(commands.Cog):
    flags_group = checks.group("flags", strings.MOD_FLAGS_DESCRIPTION, MODERATOR)

    def __init__(self, bot: FactdeskBot) -> None:
        self.bot = bot
        self.flag_menu = checks.restrict_menu(
            app_commands.ContextMenu(name=strings.MOD_FLAG_MENU_NAME, callback=self.flag_message),
            MODERATOR,
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(FlagButton, ModButton)
        self.bot.add_modal_forms(*FORMS)
        self.bot.tree.add_command(self.flag_menu)
        self._owed = asyncio.create_task(self._post_owed(datetime.now(UTC)))

    async def _post_owed(self, started: datetime) -> None:
        """Posts a crash left owed (committed, never posted): settled once connected."""
        await self.bot.wait_until_ready()
        try:
            posted = await modlog.post_owed(self.bot, before=started)
        except Exception:
            log.exception("could not settle owed mod-log posts")
        else:
            if posted:
                log.info("owed mod-log posts made", count=posted)

    async def cog_unload(self) -> None:
        self._owed.cancel()
        self.bot.remove_dynamic_items(FlagButton, ModButton)
        self.bot.remove_modal_forms(*FORMS)
        self.bot.tree.remove_command(self.flag_menu.name, type=self.flag_menu.type)

    # --- the message context menu ------------------------------------------------------------

    async def flag_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        guild_id = checks.in_guild(interaction)
        text = render.message_text(message)
        if render.visible_length(text) == 0:
            await reply(interaction, strings.MESSAGE_HAS_NO_TEXT)
            return
        await interactions.defer_private(interaction)
        library = self.bot.library
        fc = await asyncio.to_thread(library.answer, text[:MATCH_TEXT_CHARS])
        interactions.outcome(interaction).claim_id = fc.id if fc else None
        added = await self.bot.database.add_flag(
            NewFlag(
                guild_id=guild_id,
                kind="message",
                claim_id=fc.id if fc else None,
                flagger_id=interaction.user.id,
                channel_id=message.channel.id,
                message_id=message.id,
                message_link=render.message_link(guild_id, message.channel.id, message.id),
                message_text=text[:MESSAGE_TEXT_KEPT],
            )
        )
        if added.flag is None:
            await reply(interaction, strings.MOD_MESSAGE_ALREADY_FLAGGED)
            return
        log.info("message flagged", flag_id=added.flag.id, claim_id=fc.id if fc else None)
        if fc is not None:
            dispute = await self.bot.database.active_dispute(guild_id, fc.id)
            posted = await self._post_card(guild_id, message, fc, dispute)
            template = strings.MOD_CARD_POSTED if posted else strings.MOD_CARD_FAILED
            await reply(interaction, template.format(flag_id=added.flag.id))
        else:
            question = " ".join(text.split())[:REQUEST_QUESTION_CHARS]
            request = await review.add_request(
                interaction, guild_id, question, "message", channel_id=message.channel.id
            )
            await reply(
                interaction,
                strings.MOD_MESSAGE_NO_MATCH.format(
                    flag_id=added.flag.id, request_id=request.request.id
                ),
            )
            await review.post_if_new(interaction, request)
        await modlog.post_flag(self.bot, added.flag)

    async def _post_card(
        self, guild_id: int, message: discord.Message, fc: FactCheck, dispute: Dispute | None
    ) -> bool:
        channel = self.bot.get_partial_messageable(message.channel.id, guild_id=guild_id)
        # A public card: the server's language, not the moderator's.
        preferred = message.guild.preferred_locale if message.guild is not None else None
        language = await i18n.language_of_server(self.bot.database, guild_id, preferred)
        with i18n.speaking(language):
            embed, view = render.context_card(fc, dispute), render.card_buttons(fc.id)
        try:
            await channel.send(
                embed=embed,
                view=view,
                reference=discord.MessageReference(
                    message_id=message.id, channel_id=message.channel.id, fail_if_not_exists=False
                ),
                allowed_mentions=discord.AllowedMentions.none(),
                nonce=custom_ids.message_nonce("card", message.id, fc.id),
            )
        except discord.HTTPException as error:
            log.warning("could not post the context card", status=error.status, code=error.code)
            return False
        return True

    # --- /flags ------------------------------------------------------------------------------

    @flags_group.command(name="list", description=strings.MOD_FLAGS_LIST_DESCRIPTION)
    @app_commands.describe(status=strings.MOD_STATUS_OPTION)
    @app_commands.choices(status=STATUS_CHOICES)
    @checks.needs(MODERATOR)
    async def flags_list(
        self, interaction: discord.Interaction, status: app_commands.Choice[str] | None = None
    ) -> None:
        guild_id = checks.in_guild(interaction)
        wanted: FlagStatus = "open"
        if status is not None and status.value in FLAG_STATUSES:
            wanted = status.value
        database = self.bot.database

        async def lines() -> list[str]:
            flags = await database.flags(guild_id, wanted, limit=render.PAGE_SIZE)
            return [render.flag_line(flag) for flag in flags]

        await review.reply_listing(
            interaction,
            strings.MOD_FLAGS_LIST_TITLE.format(status=strings.MOD_STATUS[wanted]),
            lines,
            lambda: database.count_flags(guild_id, wanted),
        )

    @flags_group.command(name="show", description=strings.MOD_FLAGS_SHOW_DESCRIPTION)
    @app_commands.describe(flag_id=strings.MOD_FLAG_ID_OPTION)
    @app_commands.rename(flag_id="id")
    @checks.needs(MODERATOR)
    async def flags_show(
        self, interaction: discord.Interaction, flag_id: app_commands.Range[int, 1]
    ) -> None:
        guild_id = checks.in_guild(interaction)
        database = self.bot.database

        async def found() -> tuple[Flag | None, VoteTally | None]:
            flag = await database.flag(guild_id, flag_id)
            if flag is None or flag.claim_id is None:
                return flag, None
            return flag, await database.vote_tally(guild_id, flag.claim_id)

        flag, tally = await interactions.within_deadline(interaction, found())
        if flag is None:
            await reply(interaction, strings.MOD_NO_FLAG.format(flag_id=flag_id))
            return
        extra: dict[str, Any] = (
            {"view": render.flag_buttons(flag.id)} if flag.status == "open" else {}
        )
        embed = modlog.flag_embed(self.bot, flag)
        if tally is not None:
            # How members in this server rated the disputed fact-check.
            feedback.add_helpful_share(embed, tally)
        await reply(interaction, embed=embed, **extra)

    @flags_group.command(name="resolve", description=strings.MOD_FLAGS_RESOLVE_DESCRIPTION)
    @app_commands.describe(
        flag_id=strings.MOD_FLAG_ID_OPTION,
        outcome=strings.MOD_OUTCOME_OPTION,
        note=strings.MOD_NOTE_OPTION,
    )
    @app_commands.rename(flag_id="id")
    @app_commands.choices(outcome=OUTCOME_CHOICES)
    @checks.needs(MODERATOR)
    async def flags_resolve(
        self,
        interaction: discord.Interaction,
        flag_id: app_commands.Range[int, 1],
        outcome: app_commands.Choice[str],
        note: app_commands.Range[str, 1, render.NOTE_MAX_CHARS],
    ) -> None:
        checks.in_guild(interaction)
        result: FlagOutcome = "upheld" if outcome.value == "upheld" else "dismissed"
        await review.resolve_flag(interaction, flag_id, result, note)

    @flags_group.command(name="history", description=strings.MOD_FLAGS_HISTORY_DESCRIPTION)
    @app_commands.describe(flag_id=strings.MOD_FLAG_ID_OPTION)
    @app_commands.rename(flag_id="id")
    @checks.needs(MODERATOR)
    async def flags_history(
        self, interaction: discord.Interaction, flag_id: app_commands.Range[int, 1]
    ) -> None:
        guild_id = checks.in_guild(interaction)
        database = self.bot.database

        async def history() -> discord.Embed | None:
            flag = await database.flag(guild_id, flag_id)
            if flag is None:
                return None
            entries = await database.history(guild_id, "flag", str(flag_id))
            return render.history_embed(flag, entries)

        embed = await interactions.within_deadline(interaction, history())
        if embed is None:
            await reply(interaction, strings.MOD_NO_FLAG.format(flag_id=flag_id))
            return
        await reply(interaction, embed=embed)

    @flags_group.command(name="clear", description=strings.MOD_FLAGS_CLEAR_DESCRIPTION)
    @app_commands.describe(claim=strings.MOD_CLAIM_OPTION, note=strings.MOD_NOTE_OPTION)
    @checks.needs(MODERATOR)
    async def flags_clear(
        self,
        interaction: discord.Interaction,
        claim: app_commands.Range[str, 1, 80],
        note: app_commands.Range[str, 1, render.NOTE_MAX_CHARS],
    ) -> None:
        guild_id = checks.in_guild(interaction)
        checked, problem = render.check_note(note)
        if checked is None:
            await reply(interaction, problem)
            return
        interactions.outcome(interaction).claim_id = claim
        await interactions.defer_private(interaction)
        cleared = await self.bot.database.clear_dispute(
            guild_id, claim, checked, actor_id=interaction.user.id
        )
        template = strings.MOD_CLEARED if cleared else strings.MOD_NOT_DISPUTED
        await reply(interaction, template.format(claim_id=render.quote(claim, 80)))

    @flags_clear.autocomplete("claim")
    async def flags_clear_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not MODERATOR.granted(interaction) or interaction.guild_id is None:
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
    @checks.needs(MODERATOR)
    async def flags_disputes(self, interaction: discord.Interaction) -> None:
        guild_id = checks.in_guild(interaction)
        disputes = await interactions.within_deadline(
            interaction, self.bot.database.active_disputes(guild_id)
        )
        await reply(interaction, embed=render.disputes_embed(disputes))


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Moderation(bot))
