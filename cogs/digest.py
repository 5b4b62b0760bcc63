"""The daily digest: ``/digest set|preview|off|show`` and the one loop that posts every server's.

The loop asks the pure scheduler (:mod:`bot.core.schedule`) what is due, claims each slot in
the database before posting (so a digest goes out at most once per server and local day),
builds the digest with :mod:`bot.core.digest` and renders it with
:mod:`bot.discord_ui.digest`. The clock is an attribute (``cog.clock``) so tests and the
benchmark drive time; :meth:`Digest.run_due` is one tick of the loop.

Failures stay inside their server: a deleted channel or a missing permission is logged,
the moderators are told in the mod-log channel, the slot is marked failed, and the next
server is posted as usual. discord.py waits out 429 responses (Retry-After) and retries;
the message nonce (with ``enforce_nonce``) keeps a retried send from posting twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import checks, i18n, interactions, modlog
from bot.checks import MANAGER
from bot.core import digest as core_digest
from bot.core import schedule
from bot.discord_ui import limits, strings
from bot.discord_ui.digest import DigestMessage, is_digest_text, message_nonce, render_digest
from bot.interactions import reply
from bot.logs import get_logger
from bot.options import TextChannelId
from bot.store.digest import DigestSlot, DigestStore

if TYPE_CHECKING:
    from bot.app import FactdeskBot
    from bot.core.models import FactCheck

log = get_logger(__name__)

TICK_SECONDS = 30.0
# Servers posted at the same time; discord.py's per-route and global rate limits do the rest.
POST_CONCURRENCY = 8
DIGEST_WINDOW = timedelta(days=1)
# How far back an unconfirmed digest is looked for in its channel.
RECONCILE_HISTORY = 50


def utcnow() -> datetime:
    return datetime.now(UTC)


def next_post(config: schedule.DigestConfig, now: datetime) -> datetime:
    """The next instant after ``now`` at which ``config`` posts (ignoring taken slots)."""
    zone = schedule.parse_timezone(config.timezone)
    today = now.astimezone(zone).date()
    for offset in range(3):
        at = schedule.scheduled_instant(today + timedelta(days=offset), config.post_time, zone)
        if at > now:
            return at
    raise AssertionError("a local time recurs within three days")


def _echo(value: str) -> str:
    """A member's option value shown back to them in an error (inert, one short line)."""
    return limits.member_text(value, 80)


# default_permissions only hides the digest commands: server admins can grant them to anyone.
needs_manager = checks.needs(
    MANAGER, message=strings.DIGEST_NEEDS_MANAGE_SERVER, guild_message=strings.DIGEST_GUILD_ONLY
)


def _shown_time(moment: datetime) -> str:
    return discord.utils.format_dt(moment, "F")


# --- the cog --------------------------------------------------------------------------------


class Digest(commands.Cog):
    """Daily digests for every server, and the moderators' commands to set them up."""

    digest = checks.group(strings.DIGEST_GROUP, strings.DIGEST_GROUP_DESCRIPTION, MANAGER)

    def __init__(self, bot: FactdeskBot, clock: Callable[[], datetime] = utcnow) -> None:
        self.bot = bot
        # Sharded: only the servers on this process's shards (the lease still guards).
        self.store = DigestStore(bot.database, shards=bot.shard_plan)
        # Replaced by tests and the benchmark to control time.
        self.clock = clock
        self.late_limit = schedule.DEFAULT_LATE_LIMIT
        self.post_concurrency = POST_CONCURRENCY

    async def cog_load(self) -> None:
        self.post_due_digests.start()

    async def cog_unload(self) -> None:
        self.post_due_digests.cancel()

    # --- the loop ---------------------------------------------------------------------------

    @tasks.loop(seconds=TICK_SECONDS)
    async def post_due_digests(self) -> None:
        try:
            await self.run_due()
        except Exception:
            # One bad tick must not stop the loop: the next one retries what is still due.
            log.exception("digest tick failed")

    @post_due_digests.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def run_due(self, now: datetime | None = None) -> list[tuple[int, date, str]]:
        """One tick: settle abandoned claims, skip the hopeless, post the due.

        A claim is abandoned once its lease has run out (bot.store.digest): its process
        stopped before confirming it. Checked every tick, not only the first: in a cluster
        the process that died is not always the one that starts again.

        Returns ``(guild_id, local_date, outcome)`` for every slot handled.
        """
        now = now or self.clock()
        results: list[tuple[int, date, str]] = []
        results += await self.reconcile_unconfirmed(now)
        configs = {c.guild_id: c for c in await self.store.enabled_configs()}
        taken = await self.store.taken_slots(since=(now - timedelta(days=3)).date())
        decision = schedule.due_digests(configs.values(), taken, now, late_limit=self.late_limit)
        for skipped in decision.skipped:
            if await self.store.claim(
                skipped.guild_id,
                skipped.local_date,
                scheduled_at=skipped.scheduled_at,
                late=True,
                channel_id=configs[skipped.guild_id].channel_id,
                now=now,
                status="skipped",
                note=f"missed by {skipped.missed_by}",
            ):
                log.warning(
                    "digest skipped: missed by more than the late limit",
                    guild_id=skipped.guild_id,
                    local_date=skipped.local_date.isoformat(),
                    missed_by_s=int(skipped.missed_by.total_seconds()),
                )
                results.append((skipped.guild_id, skipped.local_date, "skipped"))
        gate = asyncio.Semaphore(self.post_concurrency)

        async def post(due: schedule.DueDigest) -> tuple[int, date, str]:
            async with gate:
                try:
                    outcome = await self.post_one(configs[due.guild_id], due, now)
                except Exception:
                    # Contained to this server; its slot stays claimed and is settled on the
                    # next start like any interrupted one.
                    log.exception("digest post failed", guild_id=due.guild_id)
                    outcome = "error"
                return due.guild_id, due.local_date, outcome

        results += await asyncio.gather(*(post(due) for due in decision.due))
        return results

    async def compose(
        self,
        config: schedule.DigestConfig,
        local_date: date,
        window_end: datetime,
        *,
        late: bool,
    ) -> list[DigestMessage]:
        """Fetch the window's activity, build the digest and render it."""
        since, until = schedule.digest_window(window_end, DIGEST_WINDOW)
        activity = await self.store.activity(
            config.guild_id, since, until, top_requests=core_digest.TOP_REQUESTS
        )
        votes = await self.bot.database.vote_tallies(config.guild_id, since=since, until=until)
        corrected = await self.bot.database.corrections_seen(config.guild_id, since, until)
        zone = schedule.parse_timezone(config.timezone)
        data = core_digest.DigestInput(
            guild_id=config.guild_id,
            local_date=local_date,
            window_start_local=since.astimezone(zone),
            window_end_local=until.astimezone(zone),
            asked=activity.asked,
            flags_opened=activity.flags_opened,
            flags_resolved=activity.flags_resolved,
            open_requests=activity.open_requests,
            open_request_total=activity.open_request_total,
            late=late,
            votes=votes,
            corrections=[
                core_digest.CorrectionItem(
                    c.claim_id, c.old_verdict, c.new_verdict, c.summary_changed
                )
                for c in corrected
            ],
        )
        corpus = self._relevant_entries(data)
        built = core_digest.build_digest(data, corpus)
        guild = self.bot.get_guild(config.guild_id)
        language = await i18n.language_of_server(
            self.bot.database, config.guild_id, guild.preferred_locale if guild else None
        )
        with i18n.speaking(language):
            questions = {
                fc.id: fc.in_language(language).question
                for fc in corpus
                if fc.id in built.claim_ids
            }
            return render_digest(built, questions, config.quiet_day)

    def _relevant_entries(self, data: core_digest.DigestInput) -> list[FactCheck]:
        """The entries a digest can mention: changed in its window, or named by its activity.

        Asking the corpus for just these keeps a digest's cost independent of the corpus
        size (a dataset corpus may hold a million claims).
        """
        corpus = self.bot.library.corpus
        first_day = data.window_start_local.date()
        end_day = data.window_end_local.date()
        entries = {fc.id: fc for fc in corpus.changed_between(first_day, end_day)}
        named = {item.claim_id for item in data.asked if item.claim_id is not None}
        named.update(
            flag.claim_id
            for flag in (*data.flags_opened, *data.flags_resolved)
            if flag.claim_id is not None
        )
        named.update(tally.claim_id for tally in data.votes if tally.not_helpful)
        named.update(item.claim_id for item in data.corrections)
        for claim_id in sorted(named):
            fc = corpus.get(claim_id)
            if fc is not None:
                entries[fc.id] = fc
        return list(entries.values())

    async def post_one(
        self, config: schedule.DigestConfig, due: schedule.DueDigest, now: datetime
    ) -> str:
        """Claim, build, post and confirm one digest; returns the slot's final status."""
        assert config.channel_id is not None
        claimed = await self.store.claim(
            due.guild_id,
            due.local_date,
            scheduled_at=due.scheduled_at,
            late=due.late,
            channel_id=config.channel_id,
            now=now,
        )
        if not claimed:
            return "taken"
        bound = log.bind(guild_id=due.guild_id, local_date=due.local_date.isoformat())
        try:
            messages = await self.compose(config, due.local_date, due.scheduled_at, late=due.late)
        except Exception as error:
            bound.exception("digest could not be built")
            await self.store.finish(
                due.guild_id, due.local_date, "failed", now=self.clock(), note=repr(error)
            )
            return "failed"
        if not messages:
            await self.store.finish(due.guild_id, due.local_date, "quiet", now=self.clock())
            bound.info("quiet day: no digest posted")
            return "quiet"
        return await self._send(config, due.local_date, messages, bound)

    async def _send(
        self,
        config: schedule.DigestConfig,
        local_date: date,
        messages: list[DigestMessage],
        bound: Any,
    ) -> str:
        assert config.channel_id is not None
        channel = self.bot.get_partial_messageable(config.channel_id, guild_id=config.guild_id)
        sent: list[int] = []
        reason: str | None = None
        try:
            for part, message in enumerate(messages):
                posted = await channel.send(
                    nonce=message_nonce(config.guild_id, local_date, part),
                    **message.send_kwargs(),
                )
                sent.append(posted.id)
        except discord.NotFound:
            reason = strings.DIGEST_REASON_MISSING_CHANNEL
        except discord.Forbidden:
            reason = strings.DIGEST_REASON_MISSING_PERMISSION
        except discord.HTTPException as error:
            # Not retried: the message may have gone out; posting again risks a duplicate.
            bound.warning("digest send failed", status=error.status, code=error.code)
            reason = strings.DIGEST_REASON_ERROR
        if reason is None:
            await self.store.finish(
                config.guild_id, local_date, "posted", now=self.clock(), message_ids=sent
            )
            bound.info("digest posted", channel_id=config.channel_id, messages=len(sent))
            return "posted"
        await self.store.finish(
            config.guild_id,
            local_date,
            "failed",
            now=self.clock(),
            message_ids=sent,
            note=reason,
        )
        bound.warning("digest not posted", channel_id=config.channel_id, reason=reason)
        await self._tell_moderators(config, local_date, reason)
        return "failed"

    async def _tell_moderators(
        self, config: schedule.DigestConfig, local_date: date, reason: str
    ) -> None:
        settings = await self.bot.database.guild_settings(config.guild_id)
        if settings.modlog_channel_id in (None, config.channel_id):
            return
        guild = self.bot.get_guild(config.guild_id)
        language = await i18n.language_of_server(
            self.bot.database, config.guild_id, guild.preferred_locale if guild else None
        )
        with i18n.speaking(language):
            # ``reason`` was read in the loop's language (English): its msgid.
            text = strings.DIGEST_MODLOG_FAILED.format(
                date=local_date.isoformat(),
                channel_id=config.channel_id,
                reason=i18n.current().gettext(reason),
            )
        await modlog.tell(self.bot, config.guild_id, text)

    async def reconcile_unconfirmed(self, now: datetime) -> list[tuple[int, date, str]]:
        """Settle slots claimed before a restart but never confirmed, without double posting.

        The bot's own recent messages in the channel tell whether the digest went out: if it
        did, the slot is confirmed with its message ids; if it did not, it is released as
        failed and *not* posted now. A digest may be lost this way (the crash happened in the
        few hundred milliseconds between claim and send), but it is never posted twice.
        """
        results: list[tuple[int, date, str]] = []
        for slot in await self.store.unconfirmed_slots(now):
            found = await self._find_posted(slot)
            bound = log.bind(guild_id=slot.guild_id, local_date=slot.local_date.isoformat())
            if found:
                await self.store.finish(
                    slot.guild_id, slot.local_date, "posted", now=now, message_ids=found
                )
                bound.info("unconfirmed digest found in its channel: confirmed")
                results.append((slot.guild_id, slot.local_date, "posted"))
            else:
                await self.store.finish(
                    slot.guild_id,
                    slot.local_date,
                    "failed",
                    now=now,
                    note="interrupted before confirmation; not found in the channel",
                )
                bound.warning("unconfirmed digest not found in its channel: not reposted")
                results.append((slot.guild_id, slot.local_date, "failed"))
        return results

    async def _find_posted(self, slot: DigestSlot) -> list[int]:
        if slot.channel_id is None or self.bot.user is None:
            return []
        channel = self.bot.get_partial_messageable(slot.channel_id, guild_id=slot.guild_id)
        after = discord.Object(discord.utils.time_snowflake(slot.claimed_at - timedelta(minutes=1)))
        found: list[int] = []
        try:
            async for message in channel.history(limit=RECONCILE_HISTORY, after=after):
                footers = [embed.footer.text for embed in message.embeds]
                if message.author.id == self.bot.user.id and is_digest_text(
                    message.content, footers, slot.local_date
                ):
                    found.append(message.id)
        except discord.HTTPException:
            log.warning("could not read the digest channel", guild_id=slot.guild_id, exc_info=True)
        return sorted(found)

    # --- commands ---------------------------------------------------------------------------

    @digest.command(name="set", description=strings.DIGEST_SET_DESCRIPTION)
    @app_commands.describe(
        channel=strings.DIGEST_SET_CHANNEL,
        time=strings.DIGEST_SET_TIME,
        timezone=strings.DIGEST_SET_TIMEZONE,
        quiet_day=strings.DIGEST_SET_QUIET,
    )
    @app_commands.choices(
        quiet_day=[
            app_commands.Choice(name=strings.DIGEST_QUIET_NOTE_CHOICE, value="note"),
            app_commands.Choice(name=strings.DIGEST_QUIET_SKIP_CHOICE, value="skip"),
        ]
    )
    @needs_manager
    async def digest_set(
        self,
        interaction: discord.Interaction,
        channel: TextChannelId,
        time: app_commands.Range[str, 1, 10] = "09:00",
        timezone: app_commands.Range[str, 1, 64] = schedule.DEFAULT_TIMEZONE,
        quiet_day: str = "note",
    ) -> None:
        guild_id = checks.in_guild(interaction, strings.DIGEST_GUILD_ONLY)
        try:
            post_time = schedule.parse_post_time(time)
        except schedule.ScheduleError:
            await reply(interaction, strings.DIGEST_BAD_TIME.format(value=_echo(time)))
            return
        try:
            zone = schedule.parse_timezone(timezone)
        except schedule.ScheduleError:
            await reply(interaction, strings.DIGEST_BAD_TIMEZONE.format(value=_echo(timezone)))
            return
        now = self.clock()
        config = await interactions.within_deadline(
            interaction,
            self.store.save_config(
                guild_id,
                channel_id=channel,
                post_time=post_time,
                timezone=zone.key,
                quiet_day="skip" if quiet_day == "skip" else "note",
                actor_id=interaction.user.id,
                now=now,
            ),
        )
        await reply(
            interaction,
            strings.DIGEST_SAVED.format(
                channel_id=channel,
                time=post_time.strftime("%H:%M"),
                timezone=zone.key,
                next=_shown_time(next_post(config, now)),
            ),
        )

    @digest_set.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = schedule.matching_timezones(current, limits.AUTOCOMPLETE_CHOICES)
        return [app_commands.Choice(name=name, value=name) for name in names]

    @digest.command(name="preview", description=strings.DIGEST_PREVIEW_DESCRIPTION)
    @needs_manager
    async def digest_preview(self, interaction: discord.Interaction) -> None:
        guild_id = checks.in_guild(interaction, strings.DIGEST_GUILD_ONLY)
        await interactions.defer_private(interaction)
        now = self.clock()
        config = await self.store.config(guild_id) or schedule.DigestConfig(
            guild_id=guild_id,
            channel_id=interaction.channel_id,
            post_time=schedule.DEFAULT_POST_TIME,
            timezone=schedule.DEFAULT_TIMEZONE,
            enabled=False,
            active_since=now,
        )
        local_date = now.astimezone(schedule.parse_timezone(config.timezone)).date()
        messages = await self.compose(config, local_date, now, late=False)
        if not messages:
            await reply(interaction, strings.DIGEST_PREVIEW_NOTHING)
        for message in messages:
            await interaction.followup.send(ephemeral=True, **message.send_kwargs())

    @digest.command(name="off", description=strings.DIGEST_OFF_DESCRIPTION)
    @needs_manager
    async def digest_off(self, interaction: discord.Interaction) -> None:
        guild_id = checks.in_guild(interaction, strings.DIGEST_GUILD_ONLY)
        turned_off = await interactions.within_deadline(
            interaction,
            self.store.disable(guild_id, actor_id=interaction.user.id, now=self.clock()),
        )
        await reply(
            interaction, strings.DIGEST_TURNED_OFF if turned_off else strings.DIGEST_WAS_OFF
        )

    @digest.command(name="show", description=strings.DIGEST_SHOW_DESCRIPTION)
    @needs_manager
    async def digest_show(self, interaction: discord.Interaction) -> None:
        guild_id = checks.in_guild(interaction, strings.DIGEST_GUILD_ONLY)

        async def read() -> tuple[schedule.DigestConfig | None, DigestSlot | None]:
            config = await self.store.config(guild_id)
            last = await self.store.last_posted(guild_id) if config is not None else None
            return config, last

        config, last = await interactions.within_deadline(interaction, read())
        if config is None:
            await reply(interaction, strings.DIGEST_NOT_SET)
            return
        now = self.clock()
        await reply(
            interaction,
            strings.DIGEST_SHOW.format(
                state=strings.DIGEST_STATE_ON if config.enabled else strings.DIGEST_STATE_OFF,
                channel_id=config.channel_id,
                time=config.post_time.strftime("%H:%M"),
                timezone=config.timezone,
                quiet=strings.DIGEST_QUIET_SHOWN[config.quiet_day],
                next=_shown_time(next_post(config, now))
                if config.enabled
                else strings.DIGEST_NEVER,
                last=_shown_time(last.finished_at)
                if last is not None and last.finished_at is not None
                else strings.DIGEST_NEVER,
            ),
        )


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Digest(bot))
