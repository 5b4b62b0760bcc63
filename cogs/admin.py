"""Server settings (``/settings modlog|threshold|show``), corpus reload (``/corpus reload``).

Who may reload: a member whose user id is in ``FACTDESK_OWNER_IDS`` (the bot owner's
choice, in any server), or a member with Manage Server in the server where they run it.
The reload itself is :func:`bot.reload.reload_corpus` (shared with SIGHUP and live feeds):
it swaps ``bot.library`` whole only when no file is broken; otherwise the old library keeps
serving and the problems (file, line, field) are reported here.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import checks, hangup, i18n, interactions
from bot.checks import MANAGER, MODERATOR_OR_MANAGER, OWNER_OR_MANAGER
from bot.discord_ui import limits, strings
from bot.discord_ui.moderation import when
from bot.discord_ui.translator import described
from bot.interactions import reply
from bot.logs import get_logger
from bot.options import TextChannelId
from bot.reload import ReloadOutcome, reload_corpus
from bot.review import FLAG_COOLDOWN
from bot.store.rows import NOTIFY_MODES, NotifyMode

if TYPE_CHECKING:
    from bot.app import FactdeskBot

log = get_logger(__name__)

# Problems listed in a reply; the log always has all of them.
PROBLEMS_SHOWN = 15
NOTIFY_CHOICES = [
    app_commands.Choice(name=strings.SETTINGS_NOTIFY_CHOICES[m], value=m) for m in NOTIFY_MODES
]
LANGUAGE_CHOICES = [
    app_commands.Choice(name=strings.SETTINGS_LANGUAGE_CHOICES[code], value=code)
    for code in ("en", "es", "auto")
]


def _listing(problems: Sequence[str]) -> str:
    shown = [f"- {limits.neutralise_mentions(p)}" for p in problems[:PROBLEMS_SHOWN]]
    if len(problems) > PROBLEMS_SHOWN:
        shown.append(strings.CORPUS_MORE_PROBLEMS.format(count=len(problems) - PROBLEMS_SHOWN))
    return "\n".join(shown)


def describe_outcome(outcome: ReloadOutcome) -> str:
    if outcome.reloaded:
        text = strings.CORPUS_RELOADED.format(
            count=outcome.count, previous=outcome.previous, answered=len(outcome.answered)
        )
        if outcome.warnings:
            text += strings.CORPUS_RELOAD_WARNINGS.format(
                count=len(outcome.warnings), problems=_listing(outcome.warnings)
            )
    else:
        text = strings.CORPUS_NOT_RELOADED.format(
            count=len(outcome.problems),
            previous=outcome.previous,
            problems=_listing(outcome.problems),
        )
    return limits.shorten(text, limits.MESSAGE_CONTENT)


# The range a server may set its own match threshold in: below it factdesk would answer
# on little more than a shared word; above it, almost never.
SERVER_THRESHOLD_MIN = 0.3
SERVER_THRESHOLD_MAX = 0.95


class Admin(commands.Cog):
    settings_group = checks.group("settings", strings.SETTINGS_DESCRIPTION, MANAGER)
    corpus_group = checks.group("corpus", strings.CORPUS_DESCRIPTION, MANAGER)

    def __init__(self, bot: FactdeskBot) -> None:
        self.bot = bot
        self._sighup_installed = False
        self._reloads: set[asyncio.Task[ReloadOutcome]] = set()

    async def cog_load(self) -> None:
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._on_sighup)
        except (NotImplementedError, RuntimeError, ValueError, AttributeError):
            # Not the main thread, or no SIGHUP on this platform: /corpus reload still works.
            log.info("SIGHUP reload unavailable here")
        else:
            self._sighup_installed = True
            # A SIGHUP during start-up was queued by bot.hangup: the corpus loaded at start
            # may predate the edit it announced, so reload once now.
            if hangup.take_pending():
                self._on_sighup()

        self.purge_old_question_authors.start()

    @tasks.loop(hours=24)
    async def purge_old_question_authors(self) -> None:
        """FACTDESK_QUESTION_RETENTION_DAYS, kept while the bot runs for months: once a day
        (and at open, in the store) member ids of older asked questions are erased."""
        try:
            erased = await self.bot.database.purge_old_question_authors()
        except Exception:
            log.exception("could not erase old question authors")
        else:
            if erased:
                log.info("old question authors erased", count=erased)

    async def cog_unload(self) -> None:
        self.purge_old_question_authors.cancel()
        if self._sighup_installed:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            self._sighup_installed = False

    @commands.Cog.listener()
    async def on_peer_corpus_reload(self) -> None:
        """Another process of this bot reloaded the corpus: follow it."""
        await reload_corpus(self.bot, from_peer=True)

    def _on_sighup(self) -> None:
        log.info("SIGHUP: reloading the corpus")
        task = asyncio.ensure_future(reload_corpus(self.bot))
        self._reloads.add(task)
        task.add_done_callback(self._reloads.discard)

    @settings_group.command(name="modlog", description=strings.SETTINGS_MODLOG_DESCRIPTION)
    @app_commands.describe(channel=strings.SETTINGS_MODLOG_CHANNEL_OPTION)
    @checks.needs(MANAGER)
    async def settings_modlog(
        self, interaction: discord.Interaction, channel: TextChannelId | None = None
    ) -> None:
        guild_id = checks.in_guild(interaction)
        await interactions.defer_private(interaction)
        await self.bot.database.set_modlog_channel(guild_id, channel, actor_id=interaction.user.id)
        log.info("mod-log channel set", modlog_channel_id=channel)
        if channel is None:
            await reply(interaction, strings.SETTINGS_MODLOG_OFF)
        else:
            await reply(interaction, strings.SETTINGS_MODLOG_SET.format(channel_id=channel))

    @settings_group.command(name="threshold", description=strings.SETTINGS_THRESHOLD_DESCRIPTION)
    @app_commands.describe(
        threshold=described(
            strings.SETTINGS_THRESHOLD_OPTION, low=SERVER_THRESHOLD_MIN, high=SERVER_THRESHOLD_MAX
        )
    )
    @checks.needs(MANAGER)
    async def settings_threshold(
        self,
        interaction: discord.Interaction,
        threshold: app_commands.Range[float, SERVER_THRESHOLD_MIN, SERVER_THRESHOLD_MAX]
        | None = None,
    ) -> None:
        guild_id = checks.in_guild(interaction)
        await interactions.defer_private(interaction)
        await self.bot.database.set_match_threshold(
            guild_id, threshold, actor_id=interaction.user.id
        )
        log.info("match threshold set", threshold=threshold)
        default = self.bot.library.matcher.threshold
        if threshold is None:
            await reply(interaction, strings.SETTINGS_THRESHOLD_DEFAULT.format(default=default))
        else:
            await reply(
                interaction,
                strings.SETTINGS_THRESHOLD_SET.format(threshold=threshold, default=default),
            )

    @settings_group.command(name="notify", description=strings.SETTINGS_NOTIFY_DESCRIPTION)
    @app_commands.describe(mode=strings.SETTINGS_NOTIFY_MODE_OPTION)
    @app_commands.choices(mode=NOTIFY_CHOICES)
    @checks.needs(MANAGER)
    async def settings_notify(
        self, interaction: discord.Interaction, mode: app_commands.Choice[str]
    ) -> None:
        guild_id = checks.in_guild(interaction)
        chosen: NotifyMode = next((m for m in NOTIFY_MODES if m == mode.value), "channel")
        await interactions.defer_private(interaction)
        await self.bot.database.set_notify_mode(guild_id, chosen, actor_id=interaction.user.id)
        log.info("notify mode set", mode=chosen)
        await reply(interaction, strings.SETTINGS_NOTIFY_SET[chosen])

    @settings_group.command(name="language", description=strings.SETTINGS_LANGUAGE_DESCRIPTION)
    @app_commands.describe(language=strings.SETTINGS_LANGUAGE_OPTION)
    @app_commands.choices(language=LANGUAGE_CHOICES)
    @checks.needs(MANAGER)
    async def settings_language(
        self, interaction: discord.Interaction, language: app_commands.Choice[str]
    ) -> None:
        guild_id = checks.in_guild(interaction)
        chosen = language.value if language.value in i18n.LANGUAGES else None
        await interactions.defer_private(interaction)
        await self.bot.database.set_guild_language(guild_id, chosen, actor_id=interaction.user.id)
        log.info("server language set", language=chosen or "auto")
        shown = strings.LANGUAGE_NAMES[i18n.server_language(chosen, interaction.guild_locale)]
        if chosen is None:
            await reply(interaction, strings.SETTINGS_LANGUAGE_AUTO.format(language=shown))
        else:
            await reply(interaction, strings.SETTINGS_LANGUAGE_SET.format(language=shown))

    @settings_group.command(name="show", description=strings.SETTINGS_SHOW_DESCRIPTION)
    @checks.needs(MODERATOR_OR_MANAGER)
    async def settings_show(self, interaction: discord.Interaction) -> None:
        guild_id = checks.in_guild(interaction)
        database = self.bot.database

        async def shown() -> str:
            current = await database.guild_settings(guild_id)
            own_threshold = current.match_threshold
            threshold = strings.SETTINGS_THRESHOLD_SHOWN.format(
                threshold=(
                    own_threshold
                    if own_threshold is not None
                    else self.bot.library.matcher.threshold
                ),
                origin=(
                    strings.SETTINGS_THRESHOLD_OWN
                    if own_threshold is not None
                    else strings.SETTINGS_THRESHOLD_IS_DEFAULT
                ),
            )
            language = strings.LANGUAGE_NAMES[
                i18n.server_language(current.language, interaction.guild_locale)
            ]
            if current.language is None:
                language = strings.SETTINGS_LANGUAGE_SHOWN_AUTO.format(language=language)
            shown_language = strings.SETTINGS_LANGUAGE_LINE.format(language=language)
            return (
                shown_language
                + "\n"
                + strings.SETTINGS_SHOW.format(
                    threshold=threshold,
                    modlog=(
                        f"<#{current.modlog_channel_id}>"
                        if current.modlog_channel_id is not None
                        else strings.SETTINGS_NOT_SET
                    ),
                    cooldown=int(FLAG_COOLDOWN.total_seconds()),
                    claims=len(self.bot.library.corpus),
                    flags=await database.count_flags(guild_id, "open"),
                    requests=await database.count_requests(guild_id, "open"),
                    disputes=len(await database.active_disputes(guild_id)),
                    changed=(
                        when(current.updated_at)
                        if current.updated_at is not None
                        else strings.SETTINGS_NEVER
                    ),
                )
            )

        await reply(interaction, await interactions.within_deadline(interaction, shown()))

    @corpus_group.command(name="reload", description=strings.CORPUS_RELOAD_DESCRIPTION)
    @checks.needs(OWNER_OR_MANAGER, message=strings.CORPUS_RELOAD_REFUSED)
    async def corpus_reload(self, interaction: discord.Interaction) -> None:
        await interactions.defer_private(interaction)
        outcome = await reload_corpus(self.bot)
        if interaction.guild_id is not None:
            await self.bot.database.record_action(
                interaction.guild_id,
                interaction.user.id,
                "reloaded" if outcome.reloaded else "reload_refused",
                "corpus",
                "corpus",
                f"{outcome.count} fact-checks; {len(outcome.problems)} problems",
            )
        await reply(interaction, describe_outcome(outcome))


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Admin(bot))
