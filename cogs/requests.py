"""Fact-check requests: ``/request`` for members, ``/requests list|close`` for moderators.

Near-duplicate questions in a server merge into one request with a count of askers (see
:mod:`bot.store.dedupe`). A new request is posted in the mod-log with a Close button (the
button itself is handled by ``cogs/moderation.py``). Requests made elsewhere (the factcheck
cog's "Request a fact-check" button) reach the mod-log when that cog dispatches
``factdesk_request_added`` with the :class:`~bot.store.rows.RequestAdded`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_ui import strings
from bot.logs import get_logger
from bot.store.rows import REQUEST_STATUSES, RequestAdded, RequestStatus
from cogs.moderation import (
    MODERATOR_PERMISSIONS,
    NOTE_MAX_CHARS,
    PAGE_SIZE,
    REQUEST_QUESTION_CHARS,
    button_view,
    close_request,
    find_answer,
    guild_only,
    is_moderator,
    list_embed,
    open_button,
    post_request,
    quote,
    refuse,
    reply,
    request_line,
    visible_length,
)

if TYPE_CHECKING:
    from bot.app import FactdeskBot

log = get_logger(__name__)

STATUS_CHOICES = [
    app_commands.Choice(name=strings.MOD_STATUS[s], value=s) for s in REQUEST_STATUSES
]


class Requests(commands.Cog):
    requests_group = app_commands.Group(
        name="requests",
        description=strings.REQUESTS_DESCRIPTION,
        guild_only=True,
        default_permissions=MODERATOR_PERMISSIONS,
    )

    def __init__(self, bot: FactdeskBot) -> None:
        self.bot = bot

    async def _moderator(self, interaction: discord.Interaction, what: str) -> bool:
        if not await guild_only(interaction):
            return False
        if not is_moderator(interaction):
            await refuse(self.bot, interaction, what, "Manage Messages")
            return False
        return True

    @app_commands.command(name="request", description=strings.REQ_COMMAND_DESCRIPTION)
    @app_commands.describe(question=strings.REQ_QUESTION_OPTION)
    @app_commands.guild_only()
    async def request(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, REQUEST_QUESTION_CHARS],
    ) -> None:
        async with self.bot.interaction_scope(interaction, "request") as outcome:
            if not await guild_only(interaction):
                return
            assert interaction.guild_id is not None
            question = " ".join(question.split())
            if visible_length(question) == 0:
                await reply(interaction, strings.REQ_EMPTY)
                return
            claim_id = await asyncio.to_thread(find_answer, self.bot, question)
            fc = self.bot.library.corpus.get(claim_id) if claim_id else None
            if fc is not None:
                outcome.claim_id = fc.id
                await reply(
                    interaction,
                    strings.REQ_ALREADY_ANSWERED.format(question=quote(fc.question, 300)),
                    view=button_view(open_button(fc.id)),
                )
                return
            added = await self.bot.database.add_request(
                interaction.guild_id,
                question,
                user_id=interaction.user.id,
                source="command",
                channel_id=interaction.channel_id,
            )
            request = added.request
            if added.created:
                text = strings.REQ_RECORDED.format(request_id=request.id)
            elif added.already_asked:
                text = strings.REQ_ALREADY_ASKED.format(
                    request_id=request.id, askers=request.askers
                )
            else:
                text = strings.REQ_MERGED.format(request_id=request.id, askers=request.askers)
            log.info("request recorded", request_id=request.id, created=added.created)
            await reply(interaction, text)
            if added.created:
                await post_request(self.bot, request)

    @requests_group.command(name="list", description=strings.REQUESTS_LIST_DESCRIPTION)
    @app_commands.describe(status=strings.REQUESTS_STATUS_OPTION)
    @app_commands.choices(status=STATUS_CHOICES)
    async def requests_list(
        self, interaction: discord.Interaction, status: app_commands.Choice[str] | None = None
    ) -> None:
        async with self.bot.interaction_scope(interaction, "requests list"):
            if not await self._moderator(interaction, "requests list"):
                return
            assert interaction.guild_id is not None
            wanted: RequestStatus = "open"
            if status is not None and status.value in REQUEST_STATUSES:
                wanted = status.value
            found = await self.bot.database.requests(interaction.guild_id, wanted, limit=PAGE_SIZE)
            total = await self.bot.database.count_requests(interaction.guild_id, wanted)
            title = strings.REQUESTS_LIST_TITLE.format(status=strings.MOD_STATUS[wanted])
            lines = [request_line(r) for r in found]
            await reply(interaction, embed=list_embed(title, lines, total))

    @requests_group.command(name="close", description=strings.REQUESTS_CLOSE_DESCRIPTION)
    @app_commands.describe(request_id=strings.REQUEST_ID_OPTION, note=strings.MOD_NOTE_OPTION)
    @app_commands.rename(request_id="id")
    async def requests_close(
        self,
        interaction: discord.Interaction,
        request_id: app_commands.Range[int, 1],
        note: app_commands.Range[str, 1, NOTE_MAX_CHARS],
    ) -> None:
        async with self.bot.interaction_scope(interaction, "requests close"):
            if not await self._moderator(interaction, "requests close"):
                return
            await close_request(self.bot, interaction, request_id, note)

    @commands.Cog.listener()
    async def on_factdesk_request_added(self, added: RequestAdded) -> None:
        """A request made by another cog: post it in the mod-log when it is new."""
        if added.created:
            try:
                await post_request(self.bot, added.request)
            except Exception:
                log.exception("could not post the request in the mod-log")


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Requests(bot))
