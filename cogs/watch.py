"""Watch mode (``/watch add|remove|list``): in the channels a server chose, a member's
message that matches a fact-check with high confidence gets the compact context card as a
reply (``reply`` mode) or a note in the mod-log (``modlog`` mode).

Stricter than an answer: the match must clear ``FACTDESK_WATCH_THRESHOLD`` (and the
server's own threshold, if higher), since nobody asked. Never for bots or webhooks, short
messages, or a message that already had a card; at most one card per fact-check per
channel every :data:`COOLDOWN` and :data:`HOURLY_CAP` cards per channel an hour. Each card
is recorded before it is sent, so a restart never sends one twice. Needs the Message
Content intent; without it the commands say watch mode is unavailable.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import checks, i18n, interactions, modlog
from bot.checks import MANAGER
from bot.discord_ui import custom_ids, limits, strings
from bot.discord_ui import moderation as render
from bot.discord_ui.moderation import when
from bot.interactions import reply
from bot.logs import get_logger
from bot.options import TextChannelId
from bot.store.rows import WatchMode

if TYPE_CHECKING:
    from bot.app import FactdeskBot

log = get_logger(__name__)

COOLDOWN = timedelta(hours=6)
HOURLY_CAP = 6
# Shorter messages ("lol", "same", "is it true?") carry no claim to match.
MIN_WORDS = 6
# A message is read up to this long (Discord allows 4,000 characters with Nitro).
MAX_CHARS = 4000

MODE_CHOICES = [
    app_commands.Choice(name=strings.WATCH_MODE_REPLY, value="reply"),
    app_commands.Choice(name=strings.WATCH_MODE_MODLOG, value="modlog"),
]


def mode_name(mode: str) -> str:
    """A watch mode in the current language."""
    return strings.WATCH_MODE_REPLY if mode == "reply" else strings.WATCH_MODE_MODLOG


class Watch(commands.Cog):
    watch_group = checks.group("watch", strings.WATCH_DESCRIPTION, MANAGER)

    def __init__(self, bot: FactdeskBot) -> None:
        self.bot = bot
        # channel id -> mode: read on every message, so kept in memory (the table is the
        # truth; this is refreshed at load and by every change).
        self._watched: dict[int, WatchMode] = {}

    async def cog_load(self) -> None:
        await self._refresh()
        if not self.bot.reads_messages and self._watched:
            log.warning("watched channels exist but message text does not reach the bot")

    async def _refresh(self) -> None:
        watched = await self.bot.database.watched_channels()
        self._watched = {channel.channel_id: channel.mode for channel in watched}

    # --- commands ----------------------------------------------------------------------------

    @watch_group.command(name="add", description=strings.WATCH_ADD_DESCRIPTION)
    @app_commands.describe(channel=strings.WATCH_CHANNEL_OPTION, mode=strings.WATCH_MODE_OPTION)
    @app_commands.choices(mode=MODE_CHOICES)
    @checks.needs(MANAGER)
    async def watch_add(
        self,
        interaction: discord.Interaction,
        channel: TextChannelId,
        mode: app_commands.Choice[str] | None = None,
    ) -> None:
        guild_id = checks.in_guild(interaction)
        if not self.bot.reads_messages:
            await reply(interaction, strings.WATCH_UNAVAILABLE)
            return
        chosen: WatchMode = "modlog" if mode is not None and mode.value == "modlog" else "reply"
        await interactions.defer_private(interaction)
        database = self.bot.database
        await database.watch_channel(guild_id, channel, chosen, actor_id=interaction.user.id)
        await self._refresh()
        log.info("channel watched", watched_channel_id=channel, mode=chosen)
        text = strings.WATCH_ADDED.format(
            channel_id=channel,
            mode=mode_name(chosen),
            threshold=await self._threshold(guild_id),
            cooldown_hours=int(COOLDOWN.total_seconds() // 3600),
            cap=HOURLY_CAP,
        )
        if (
            chosen == "modlog"
            and (await database.guild_settings(guild_id)).modlog_channel_id is None
        ):
            text += strings.WATCH_ADDED_NO_MODLOG
        await reply(interaction, text)

    @watch_group.command(name="remove", description=strings.WATCH_REMOVE_DESCRIPTION)
    @app_commands.describe(channel=strings.WATCH_CHANNEL_OPTION)
    @checks.needs(MANAGER)
    async def watch_remove(self, interaction: discord.Interaction, channel: TextChannelId) -> None:
        guild_id = checks.in_guild(interaction)
        await interactions.defer_private(interaction)
        removed = await self.bot.database.unwatch_channel(
            guild_id, channel, actor_id=interaction.user.id
        )
        await self._refresh()
        template = strings.WATCH_REMOVED if removed else strings.WATCH_NOT_WATCHED
        await reply(interaction, template.format(channel_id=channel))

    @watch_group.command(name="list", description=strings.WATCH_LIST_DESCRIPTION)
    @checks.needs(MANAGER)
    async def watch_list(self, interaction: discord.Interaction) -> None:
        guild_id = checks.in_guild(interaction)

        async def listing() -> str:
            watched = await self.bot.database.watched_channels(guild_id)
            if not watched:
                return strings.WATCH_LIST_EMPTY
            return "\n".join(
                strings.WATCH_LIST_LINE.format(
                    channel_id=w.channel_id, mode=mode_name(w.mode), since=when(w.added_at)
                )
                for w in watched
            )

        text = await interactions.within_deadline(interaction, listing())
        if not self.bot.reads_messages:
            text += strings.WATCH_LIST_UNAVAILABLE
        await reply(interaction, limits.shorten(text, limits.MESSAGE_CONTENT))

    # --- the watch itself --------------------------------------------------------------------

    async def _threshold(self, guild_id: int) -> float:
        """Watch mode's bar in this server: the stricter of the watch threshold and the
        server's own answer threshold."""
        own = await self.bot.database.match_threshold(guild_id)
        return max(self.bot.settings.watch_threshold, own or 0.0)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        mode = self._watched.get(message.channel.id)
        if mode is None or message.guild is None:
            return
        if message.author.bot or message.webhook_id is not None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        if len(message.content.split()) < MIN_WORDS:
            return
        try:
            # The card or note is public: in the server's language.
            language = await i18n.language_of_server(
                self.bot.database, message.guild.id, message.guild.preferred_locale
            )
            with i18n.speaking(language):
                await self._consider(message, message.guild.id, mode)
        except Exception:
            # A failed watch is never the member's problem; the log keeps it.
            log.exception("watch failed", channel_id=message.channel.id, message_id=message.id)

    async def _consider(self, message: discord.Message, guild_id: int, mode: WatchMode) -> None:
        library = self.bot.library
        result = await asyncio.to_thread(library.matcher.match, message.content[:MAX_CHARS])
        if not result.matches:
            return
        best = result.matches[0]
        threshold = await self._threshold(guild_id)
        fc = library.corpus.get(best.claim_id)
        if best.score < threshold or fc is None:
            return
        database = self.bot.database
        claimed = await database.claim_watch_card(
            guild_id=guild_id,
            channel_id=message.channel.id,
            message_id=message.id,
            claim_id=fc.id,
            probability=best.score,
            mode=mode,
            cooldown=COOLDOWN,
            hourly_cap=HOURLY_CAP,
        )
        if not claimed:
            return
        log.info(
            "watch card",
            channel_id=message.channel.id,
            message_id=message.id,
            claim_id=fc.id,
            score=round(best.score, 4),
            mode=mode,
        )
        nonce = custom_ids.message_nonce("watch", message.id)
        if mode == "modlog":
            await modlog.post(
                self.bot,
                guild_id,
                content=strings.WATCH_MODLOG_NOTE.format(
                    channel_id=message.channel.id,
                    question=render.quote(fc.in_language(i18n.current_language()).question, 200),
                    confidence=best.score,
                    link=message.jump_url,
                ),
                nonce=nonce,
            )
            return
        dispute = await database.active_dispute(guild_id, fc.id)
        try:
            await message.channel.send(
                embed=render.context_card(fc, dispute),
                view=render.card_buttons(fc.id),
                reference=message.to_reference(fail_if_not_exists=False),
                allowed_mentions=discord.AllowedMentions.none(),
                nonce=nonce,
            )
        except discord.HTTPException as error:
            log.warning("could not post the watch card", status=error.status, code=error.code)


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Watch(bot))
