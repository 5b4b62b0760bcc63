"""Fact-check requests: ``/request`` for members, ``/requests list|close`` for moderators.

Near-duplicate questions in a server merge into one request with a count of askers (see
:mod:`bot.store.dedupe`). A new request, from ``/request`` or from an answer's "Request a
fact-check" button, is posted in the mod-log with a Close button (:mod:`bot.review`
stores and posts both; the moderation cog answers the Close button).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import checks, interactions, review
from bot.checks import MODERATOR
from bot.discord_ui import moderation as render
from bot.discord_ui import strings
from bot.interactions import reply
from bot.logs import get_logger
from bot.store.rows import REQUEST_STATUSES, RequestStatus

if TYPE_CHECKING:
    from bot.app import FactdeskBot

log = get_logger(__name__)

REQUEST_QUESTION_CHARS = 300
STATUS_CHOICES = [
    app_commands.Choice(name=strings.MOD_STATUS[s], value=s) for s in REQUEST_STATUSES
]


class Requests(commands.Cog):
    requests_group = checks.group("requests", strings.REQUESTS_DESCRIPTION, MODERATOR)

    def __init__(self, bot: FactdeskBot) -> None:
        self.bot = bot

    @app_commands.command(name="request", description=strings.REQ_COMMAND_DESCRIPTION)
    @app_commands.describe(question=strings.REQ_QUESTION_OPTION, notify=strings.REQ_NOTIFY_OPTION)
    @app_commands.guild_only()
    async def request(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, REQUEST_QUESTION_CHARS],
        notify: bool = True,
    ) -> None:
        guild_id = checks.in_guild(interaction)
        question = " ".join(question.split())
        # Discord enforces the option's length, but a forged or future client may not.
        if len(question) > REQUEST_QUESTION_CHARS:
            await reply(
                interaction,
                strings.REQ_TOO_LONG.format(maximum=REQUEST_QUESTION_CHARS, length=len(question)),
            )
            return
        if render.visible_length(question) == 0:
            await reply(interaction, strings.REQ_EMPTY)
            return
        fc = await asyncio.to_thread(self.bot.library.answer, question)
        if fc is not None:
            interactions.outcome(interaction).claim_id = fc.id
            await reply(
                interaction,
                strings.REQ_ALREADY_ANSWERED.format(question=render.quote(fc.question, 300)),
                view=render.already_answered_buttons(fc.id),
            )
            return
        added = await interactions.within_deadline(
            interaction,
            review.add_request(interaction, guild_id, question, "command", notify=notify),
        )
        request = added.request
        if added.created:
            text = strings.REQ_RECORDED.format(request_id=request.id)
        elif added.already_asked:
            text = strings.REQ_ALREADY_ASKED.format(request_id=request.id, askers=request.askers)
        else:
            text = strings.REQ_MERGED.format(request_id=request.id, askers=request.askers)
        if not notify and not added.already_asked:
            text += strings.REQ_NO_NOTIFY_NOTE
        await reply(interaction, text)
        await review.post_if_new(interaction, added)

    @requests_group.command(name="list", description=strings.REQUESTS_LIST_DESCRIPTION)
    @app_commands.describe(status=strings.REQUESTS_STATUS_OPTION)
    @app_commands.choices(status=STATUS_CHOICES)
    @checks.needs(MODERATOR)
    async def requests_list(
        self, interaction: discord.Interaction, status: app_commands.Choice[str] | None = None
    ) -> None:
        guild_id = checks.in_guild(interaction)
        wanted: RequestStatus = "open"
        if status is not None and status.value in REQUEST_STATUSES:
            wanted = status.value
        database = self.bot.database

        async def lines() -> list[str]:
            found = await database.requests(guild_id, wanted, limit=render.PAGE_SIZE)
            return [render.request_line(request) for request in found]

        await review.reply_listing(
            interaction,
            strings.REQUESTS_LIST_TITLE.format(status=strings.MOD_STATUS[wanted]),
            lines,
            lambda: database.count_requests(guild_id, wanted),
        )

    @requests_group.command(name="close", description=strings.REQUESTS_CLOSE_DESCRIPTION)
    @app_commands.describe(request_id=strings.REQUEST_ID_OPTION, note=strings.MOD_NOTE_OPTION)
    @app_commands.rename(request_id="id")
    @checks.needs(MODERATOR)
    async def requests_close(
        self,
        interaction: discord.Interaction,
        request_id: app_commands.Range[int, 1],
        note: app_commands.Range[str, 1, render.NOTE_MAX_CHARS],
    ) -> None:
        checks.in_guild(interaction)
        await review.close_request(interaction, request_id, note)


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Requests(bot))
