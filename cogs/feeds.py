"""Live ClaimReview feeds (``/feeds add|remove|list``) and the loop that fetches them.

Feeds serve every server, so changing them is for the bot's owner (``FACTDESK_OWNER_IDS``),
or for members with Manage Server where the operator allows it
(``FACTDESK_FEEDS_MANAGERS=true``); listing them is for the owner and managers. Every
change is audited in the server where it was made.

Every :data:`TICK` the loop fetches the feeds that are due (:class:`bot.feeds.FeedFetcher`);
when one brought a new body, the corpus reloads through :func:`bot.reload.reload_corpus`,
the same path as ``/corpus reload``: a broken corpus file refuses the swap, corrections are
recorded and requesters told exactly as there. A feed's new problems are logged and told
once in the mod-log (of the server that added it; for a FACTDESK_FEEDS feed, of every
server with a mod-log). At load the stored feed bodies join the corpus, so a restart serves
feed entries before (and without) any fetch.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import checks, i18n, interactions, modlog
from bot.checks import MANAGER, OWNER_OR_MANAGER
from bot.core.feeds import check_feed_url
from bot.discord_ui import custom_ids, strings
from bot.discord_ui import feeds as render
from bot.feeds import FeedFetcher, FeedOutcome, ordered
from bot.interactions import reply
from bot.logs import get_logger
from bot.reload import reload_corpus
from bot.store.base import utcnow

if TYPE_CHECKING:
    from bot.app import FactdeskBot

log = get_logger(__name__)

# How often the loop looks for due feeds; each feed is fetched every FACTDESK_FEED_INTERVAL.
TICK = 60.0
MAX_FEEDS = 50


def may_change_feeds(interaction: discord.Interaction) -> bool:
    """The bot's owner; or, where FACTDESK_FEEDS_MANAGERS allows it, Manage Server."""
    settings = interactions.bot_of(interaction).settings
    if interaction.user.id in settings.owner_ids:
        return True
    if settings.feeds_managers:
        checks.require(interaction, MANAGER)
        return True
    raise checks.Refused(
        checks._action(interaction), strings.english("FEEDS_NEEDED"), strings.FEEDS_OWNER_ONLY
    )


class Feeds(commands.Cog):
    feeds_group = checks.group("feeds", strings.FEEDS_DESCRIPTION, MANAGER)

    def __init__(self, bot: FactdeskBot) -> None:
        self.bot = bot
        self.fetcher = FeedFetcher(bot.database, bot.settings)
        # One pass at a time, fetch to mod-log note: a pass that starts after another has
        # returned sees the corpus that one swapped in (the loop and a test driving
        # run_once never interleave).
        self._pass = asyncio.Lock()

    async def cog_load(self) -> None:
        await self.fetcher.sync_configured()
        if any(feed.body is not None for feed in await self.bot.database.feeds()):
            # Last good bodies from before the restart: serve them now, not at the next fetch.
            outcome = await reload_corpus(self.bot)
            log.info("stored feeds joined the corpus", reloaded=outcome.reloaded)
        self.fetch_feeds.start()

    async def cog_unload(self) -> None:
        self.fetch_feeds.cancel()
        await self.fetcher.close()

    @tasks.loop(seconds=TICK)
    async def fetch_feeds(self) -> None:
        try:
            await self.run_once()
        except Exception:
            log.exception("feed fetch pass failed")

    @fetch_feeds.before_loop
    async def _before_fetch(self) -> None:
        await self.bot.wait_until_ready()

    async def run_once(self, now: datetime | None = None) -> list[FeedOutcome]:
        """One pass: fetch the due feeds, reload when one changed, tell new problems."""
        async with self._pass:
            return await self._pass_once(now)

    async def _pass_once(self, now: datetime | None) -> list[FeedOutcome]:
        outcomes = await self.fetcher.fetch_due(now)
        changed = [o.url for o in outcomes if o.changed]
        if changed:
            reloaded = await reload_corpus(self.bot)
            log.info(
                "feeds changed: corpus reload",
                feeds=changed,
                reloaded=reloaded.reloaded,
                count=reloaded.count,
                problems=reloaded.problems,
            )
        for outcome in outcomes:
            if outcome.new_problems:
                await self._tell(outcome)
        return outcomes

    async def _tell(self, outcome: FeedOutcome) -> None:
        nonce = custom_ids.message_nonce("feed", outcome.url, *outcome.new_problems)
        if outcome.guild_id is not None:
            guild_ids = [outcome.guild_id]
        else:
            guild_ids = [guild.id for guild in self.bot.guilds]
        for guild_id in guild_ids:
            # A mod-log post is the server's: in its language, like every other one.
            guild = self.bot.get_guild(guild_id)
            preferred = guild.preferred_locale if guild is not None else None
            language = await i18n.language_of_server(self.bot.database, guild_id, preferred)
            with i18n.speaking(language):
                note = render.problem_note(outcome.url, outcome.new_problems)
            await modlog.post(self.bot, guild_id, content=note, nonce=nonce)

    # --- commands ----------------------------------------------------------------------------

    @feeds_group.command(name="add", description=strings.FEEDS_ADD_DESCRIPTION)
    @app_commands.describe(url=strings.FEEDS_URL_OPTION)
    @app_commands.check(may_change_feeds)
    async def feeds_add(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000]
    ) -> None:
        guild_id = checks.in_guild(interaction)
        url = url.strip()
        settings = self.bot.settings
        refused = check_feed_url(url, allow_private=settings.feeds_allow_private)
        if refused:
            reason = strings.FEEDS_URL_REASONS.get(refused, refused)
            await reply(interaction, strings.FEEDS_REFUSED_URL.format(reason=reason))
            return
        await interactions.defer_private(interaction)
        database = self.bot.database
        count = len(await database.feeds())
        if count >= MAX_FEEDS:
            await reply(interaction, strings.FEEDS_TOO_MANY.format(count=count))
            return
        added = await database.add_feed(url, guild_id=guild_id, actor_id=interaction.user.id)
        shown = render.shown_url(url)
        if not added:
            await reply(interaction, strings.FEEDS_ALREADY.format(url=shown))
            return
        log.info("feed added", url=url)
        minutes = max(1, settings.feed_interval // 60)
        await reply(interaction, strings.FEEDS_ADDED.format(url=shown, minutes=minutes))

    @feeds_group.command(name="remove", description=strings.FEEDS_REMOVE_DESCRIPTION)
    @app_commands.describe(url=strings.FEEDS_URL_OPTION)
    @app_commands.check(may_change_feeds)
    async def feeds_remove(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000]
    ) -> None:
        guild_id = checks.in_guild(interaction)
        url = url.strip()
        await interactions.defer_private(interaction)
        database = self.bot.database
        shown = render.shown_url(url)
        feed = await database.feed(url)
        if feed is not None and feed.configured:
            await reply(interaction, strings.FEEDS_CONFIGURED.format(url=shown))
            return
        removed = await database.remove_feed(url, guild_id=guild_id, actor_id=interaction.user.id)
        if not removed:
            await reply(interaction, strings.FEEDS_NOT_FOUND.format(url=shown))
            return
        log.info("feed removed", url=url)
        template = strings.FEEDS_REMOVED
        if feed is not None and feed.body is not None:
            outcome = await reload_corpus(self.bot)
            if not outcome.reloaded:
                template = strings.FEEDS_REMOVED_NOT_RELOADED
        await reply(interaction, template.format(url=shown))

    @feeds_group.command(name="list", description=strings.FEEDS_LIST_DESCRIPTION)
    @checks.needs(OWNER_OR_MANAGER)
    async def feeds_list(self, interaction: discord.Interaction) -> None:
        checks.in_guild(interaction)
        feeds = await interactions.within_deadline(interaction, self.bot.database.feeds())
        shown = ordered(feeds, self.bot.settings.feeds)
        await reply(interaction, embed=render.feeds_embed(shown, utcnow()))


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Feeds(bot))
