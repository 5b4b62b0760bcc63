"""The daily digest: ``/digest set|preview|off|show`` and the one loop that posts every server's.

The loop asks the pure scheduler (:mod:`bot.core.schedule`) what is due, claims each slot in
the database before posting (so a digest goes out at most once per server and local day),
builds the digest with :mod:`bot.core.digest` and renders it here through
:mod:`bot.discord_ui.limits`. The clock is an attribute (``cog.clock``) so tests and the
benchmark drive time; :meth:`Digest.run_due` is one tick of the loop.

Failures stay inside their server: a deleted channel or a missing permission is logged,
the moderators are told in the mod-log channel, the slot is marked failed, and the next
server is posted as usual. discord.py waits out 429 responses (Retry-After) and retries;
the message nonce (with ``enforce_nonce``) keeps a retried send from posting twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.core import digest as core_digest
from bot.core import schedule
from bot.discord_ui import limits, strings, views
from bot.logs import get_logger
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
DIGEST_COLOUR = discord.Colour.teal()
DIGEST_CUSTOM_ID = re.compile(r"fd:dg:(?P<claim>[a-z0-9][a-z0-9_-]{0,79})")
TEXT_CHANNEL_TYPES = frozenset({discord.ChannelType.text, discord.ChannelType.news})
# Characters of a line quoting a question, request or dispute in the digest.
LINE_TEXT_CHARS = 150


def utcnow() -> datetime:
    return datetime.now(UTC)


def digest_button_id(claim_id: str) -> str:
    return f"fd:dg:{claim_id}"


class DigestButton(discord.ui.DynamicItem[discord.ui.Button], template=DIGEST_CUSTOM_ID):
    """A fact-check button under a digest: opens the answer privately, like ``fd:open:``."""

    def __init__(self, button: discord.ui.Button) -> None:
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DigestButton:
        assert isinstance(item, discord.ui.Button)
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        matched = DIGEST_CUSTOM_ID.fullmatch(self.custom_id)
        bot = interaction.client
        factcheck = bot.get_cog("Factcheck") if isinstance(bot, commands.Bot) else None
        on_button = getattr(factcheck, "on_button", None)
        if matched is None or on_button is None:
            await interaction.response.send_message(strings.CLAIM_GONE, ephemeral=True)
            return
        # The factcheck cog answers "open" buttons; the digest only names the entry.
        await on_button(interaction, views.open_id(matched["claim"]))


# --- rendering ------------------------------------------------------------------------------


@dataclass
class DigestMessage:
    """One message of a rendered digest (a long digest is split over several)."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    buttons: list[views.ButtonSpec] = field(default_factory=list)

    def send_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
        if self.content is not None:
            kwargs["content"] = self.content
        if self.embeds:
            kwargs["embeds"] = self.embeds
        if self.buttons:
            kwargs["view"] = views.build_view(self.buttons, DigestButton)
        return kwargs


def _text(value: str) -> str:
    return limits.shorten(limits.neutralise_mentions(" ".join(value.split())), LINE_TEXT_CHARS)


def _field_value(lines: list[str], more: int) -> str:
    if more > 0:
        lines = [*lines, strings.DIGEST_MORE.format(count=more)]
    return limits.shorten("\n".join(lines), limits.EMBED_FIELD_VALUE)


def _sections(digest: core_digest.Digest) -> list[tuple[str, str]]:
    sections: list[tuple[str, str]] = []
    if digest.top_questions:
        lines = []
        for rank, top in enumerate(digest.top_questions, start=1):
            template = (
                strings.DIGEST_TOP_QUESTION_LINE
                if top.claim_id is not None
                else strings.DIGEST_UNMATCHED_LINE
            )
            lines.append(
                template.format(
                    rank=rank,
                    question=_text(top.question),
                    count=top.count,
                    unmatched=strings.DIGEST_UNMATCHED,
                )
            )
        sections.append((strings.DIGEST_TOP_QUESTIONS, _field_value(lines, 0)))
    if digest.fact_checks:
        lines = [
            (
                strings.DIGEST_FACT_CHECK_NEW
                if change.kind == "new"
                else strings.DIGEST_FACT_CHECK_UPDATED
            ).format(question=_text(change.question), on=change.on.isoformat())
            for change in digest.fact_checks
        ]
        sections.append((strings.DIGEST_FACT_CHECKS, _field_value(lines, digest.more_fact_checks)))
    if digest.disputes_opened:
        lines = [
            strings.DIGEST_DISPUTE_LINE.format(
                flag_id=d.flag_id, subject=_text(d.subject) or strings.DIGEST_DISPUTE_NO_SUBJECT
            )
            + (strings.DIGEST_DISPUTE_REASON.format(reason=_text(d.reason)) if d.reason else "")
            for d in digest.disputes_opened
        ]
        sections.append(
            (strings.DIGEST_DISPUTES_OPENED, _field_value(lines, digest.more_disputes_opened))
        )
    if digest.disputes_resolved:
        lines = [
            strings.DIGEST_DISPUTE_RESOLVED_LINE.format(
                flag_id=d.flag_id,
                subject=_text(d.subject) or strings.DIGEST_DISPUTE_NO_SUBJECT,
                outcome=strings.DIGEST_OUTCOMES.get(d.outcome or "", d.outcome or ""),
            )
            for d in digest.disputes_resolved
        ]
        sections.append(
            (strings.DIGEST_DISPUTES_RESOLVED, _field_value(lines, digest.more_disputes_resolved))
        )
    if digest.top_requests:
        lines = [
            strings.DIGEST_REQUEST_LINE.format(question=_text(r.question), askers=r.askers)
            for r in digest.top_requests
        ]
        if digest.open_requests > len(digest.top_requests):
            lines.append(strings.DIGEST_REQUESTS_TOTAL.format(count=digest.open_requests))
        sections.append((strings.DIGEST_REQUESTS, _field_value(lines, 0)))
    return sections


def _new_embed(title: str, footer: str, description: str | None = None) -> discord.Embed:
    embed = discord.Embed(title=title, description=description, colour=DIGEST_COLOUR)
    embed.set_footer(text=footer)
    return embed


def render_digest(
    digest: core_digest.Digest,
    questions: dict[str, str],
    quiet_day: schedule.QuietDay,
    *,
    message_budget: int = limits.EMBEDS_TOTAL_CHARACTERS,
) -> list[DigestMessage]:
    """The messages that post ``digest``; empty on a quiet day set to post nothing.

    ``questions`` maps claim ids to their questions (the button labels). Every embed stays
    within Discord's limits: sections that would push a message past the 6,000-character
    total (``message_budget``) start a new message; the buttons go under the last one.
    """
    day = digest.local_date.isoformat()
    if digest.is_quiet:
        if quiet_day == "skip":
            return []
        return [DigestMessage(content=strings.DIGEST_QUIET_NOTE.format(date=day))]
    footer = strings.DIGEST_FOOTER.format(date=day)
    template = strings.DIGEST_TITLE_LATE if digest.late else strings.DIGEST_TITLE
    asked = (
        strings.DIGEST_QUESTIONS_ASKED
        if digest.questions_asked == 1
        else strings.DIGEST_QUESTIONS_ASKED_PLURAL
    ).format(count=digest.questions_asked)
    intro = strings.DIGEST_INTRO.format(asked=asked)
    if digest.late:
        intro = f"{intro}\n{strings.DIGEST_LATE_NOTE}"
    messages = [DigestMessage(embeds=[_new_embed(template.format(date=day), footer, intro)])]
    for name, value in _sections(digest):
        embed = messages[-1].embeds[-1]
        if (
            len(embed) + len(name) + len(value) > message_budget
            or len(embed.fields) >= limits.EMBED_FIELDS
        ):
            embed = _new_embed(strings.DIGEST_TITLE_CONTINUED.format(date=day), footer)
            messages.append(DigestMessage(embeds=[embed]))
        embed.add_field(name=name, value=value, inline=False)
    buttons = [
        views.ButtonSpec(
            views.label(questions.get(claim_id, claim_id)),
            digest_button_id(claim_id),
            row=index // limits.BUTTONS_PER_ROW,
        )
        for index, claim_id in enumerate(
            digest.claim_ids[: limits.ACTION_ROWS * limits.BUTTONS_PER_ROW]
        )
        if limits.fits_custom_id(digest_button_id(claim_id))
    ]
    messages[-1].buttons = buttons
    return messages


def is_digest_text(content: str, footers: list[str | None], local_date: date) -> bool:
    """Whether a message's text and embed footers are a digest (or quiet note) for the date."""
    day = local_date.isoformat()
    if content == strings.DIGEST_QUIET_NOTE.format(date=day):
        return True
    return strings.DIGEST_FOOTER.format(date=day) in footers


def message_nonce(guild_id: int, local_date: date, part: int) -> str:
    """A nonce unique to one message of one digest (Discord allows 25 characters)."""
    digest = hashlib.sha256(f"{guild_id}:{local_date}:{part}".encode()).hexdigest()
    return f"dg{digest[:23]}"


def next_post(config: schedule.DigestConfig, now: datetime) -> datetime:
    """The next instant after ``now`` at which ``config`` posts (ignoring taken slots)."""
    zone = schedule.parse_timezone(config.timezone)
    today = now.astimezone(zone).date()
    for offset in range(3):
        at = schedule.scheduled_instant(today + timedelta(days=offset), config.post_time, zone)
        if at > now:
            return at
    raise AssertionError("a local time recurs within three days")


def _shown_time(moment: datetime) -> str:
    return discord.utils.format_dt(moment, "F")


class DigestChannel(app_commands.Transformer):
    """A channel option offering only text and announcement channels."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Any:
        return value


def channel_type(interaction: discord.Interaction, channel: Any) -> discord.ChannelType | None:
    """The type of a channel option: from Discord's resolved data, else the guild cache.

    ``None`` when neither knows it; the option's channel_types already limited the choice.
    """
    found = getattr(channel, "type", None)
    if found is None and interaction.guild is not None:
        found = getattr(interaction.guild.get_channel(channel.id), "type", None)
    return found if isinstance(found, discord.ChannelType) else None


# --- the cog --------------------------------------------------------------------------------


class Digest(commands.Cog):
    """Daily digests for every server, and the moderators' commands to set them up."""

    digest = app_commands.Group(
        name=strings.DIGEST_GROUP,
        description=strings.DIGEST_GROUP_DESCRIPTION,
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: FactdeskBot, clock: Callable[[], datetime] = utcnow) -> None:
        self.bot = bot
        self.store = DigestStore(bot.database)
        # Replaced by tests and the benchmark to control time.
        self.clock = clock
        self.late_limit = schedule.DEFAULT_LATE_LIMIT
        self.post_concurrency = POST_CONCURRENCY
        self._reconciled = False

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DigestButton)
        self.post_due_digests.start()

    async def cog_unload(self) -> None:
        self.post_due_digests.cancel()
        self.bot.remove_dynamic_items(DigestButton)

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
        """One tick: settle unconfirmed slots (first tick), skip the hopeless, post the due.

        Returns ``(guild_id, local_date, outcome)`` for every slot handled.
        """
        now = now or self.clock()
        results: list[tuple[int, date, str]] = []
        if not self._reconciled:
            results += await self.reconcile_unconfirmed(now)
            self._reconciled = True
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
        )
        corpus = self._relevant_entries(data)
        built = core_digest.build_digest(data, corpus)
        questions = {fc.id: fc.question for fc in corpus if fc.id in built.claim_ids}
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
        try:
            settings = await self.bot.database.guild_settings(config.guild_id)
            if settings.modlog_channel_id is None or settings.modlog_channel_id == (
                config.channel_id
            ):
                return
            modlog = self.bot.get_partial_messageable(
                settings.modlog_channel_id, guild_id=config.guild_id
            )
            await modlog.send(
                strings.DIGEST_MODLOG_FAILED.format(
                    date=local_date.isoformat(), channel_id=config.channel_id, reason=reason
                ),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except Exception:
            # The mod-log channel may be broken too; the log line above already stands.
            log.warning("could not tell the moderators", guild_id=config.guild_id, exc_info=True)

    async def reconcile_unconfirmed(self, now: datetime) -> list[tuple[int, date, str]]:
        """Settle slots claimed before a restart but never confirmed, without double posting.

        The bot's own recent messages in the channel tell whether the digest went out: if it
        did, the slot is confirmed with its message ids; if it did not, it is released as
        failed and *not* posted now. A digest may be lost this way (the crash happened in the
        few hundred milliseconds between claim and send), but it is never posted twice.
        """
        results: list[tuple[int, date, str]] = []
        for slot in await self.store.unconfirmed_slots():
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

    async def _allowed(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            await interaction.response.send_message(strings.DIGEST_GUILD_ONLY, ephemeral=True)
            return False
        # default_permissions only hides the command: server admins can grant it to anyone.
        if not interaction.permissions.manage_guild:
            await interaction.response.send_message(
                strings.DIGEST_NEEDS_MANAGE_SERVER, ephemeral=True
            )
            return False
        return True

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
    async def digest_set(
        self,
        interaction: discord.Interaction,
        channel: app_commands.Transform[app_commands.AppCommandChannel, DigestChannel],
        time: app_commands.Range[str, 1, 10] = "09:00",
        timezone: app_commands.Range[str, 1, 64] = schedule.DEFAULT_TIMEZONE,
        quiet_day: str = "note",
    ) -> None:
        async with self.bot.interaction_scope(interaction):
            if not await self._allowed(interaction):
                return
            assert interaction.guild_id is not None
            kind = channel_type(interaction, channel)
            if kind is not None and kind not in TEXT_CHANNEL_TYPES:
                await interaction.response.send_message(strings.DIGEST_BAD_CHANNEL, ephemeral=True)
                return
            try:
                post_time = schedule.parse_post_time(time)
            except schedule.ScheduleError:
                await interaction.response.send_message(
                    strings.DIGEST_BAD_TIME.format(value=_text(time)), ephemeral=True
                )
                return
            try:
                zone = schedule.parse_timezone(timezone)
            except schedule.ScheduleError:
                await interaction.response.send_message(
                    strings.DIGEST_BAD_TIMEZONE.format(value=_text(timezone)), ephemeral=True
                )
                return
            now = self.clock()
            config = await self.store.save_config(
                interaction.guild_id,
                channel_id=channel.id,
                post_time=post_time,
                timezone=zone.key,
                quiet_day="skip" if quiet_day == "skip" else "note",
                actor_id=interaction.user.id,
                now=now,
            )
            await interaction.response.send_message(
                strings.DIGEST_SAVED.format(
                    channel_id=channel.id,
                    time=post_time.strftime("%H:%M"),
                    timezone=zone.key,
                    next=_shown_time(next_post(config, now)),
                ),
                ephemeral=True,
            )

    @digest_set.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = schedule.matching_timezones(current, limits.AUTOCOMPLETE_CHOICES)
        return [app_commands.Choice(name=name, value=name) for name in names]

    @digest.command(name="preview", description=strings.DIGEST_PREVIEW_DESCRIPTION)
    async def digest_preview(self, interaction: discord.Interaction) -> None:
        async with self.bot.interaction_scope(interaction):
            if not await self._allowed(interaction):
                return
            assert interaction.guild_id is not None
            now = self.clock()
            config = await self.store.config(interaction.guild_id) or schedule.DigestConfig(
                guild_id=interaction.guild_id,
                channel_id=interaction.channel_id,
                post_time=schedule.DEFAULT_POST_TIME,
                timezone=schedule.DEFAULT_TIMEZONE,
                enabled=False,
                active_since=now,
            )
            await interaction.response.defer(ephemeral=True, thinking=True)
            local_date = now.astimezone(schedule.parse_timezone(config.timezone)).date()
            messages = await self.compose(config, local_date, now, late=False)
            if not messages:
                await interaction.followup.send(strings.DIGEST_PREVIEW_NOTHING, ephemeral=True)
            for message in messages:
                await interaction.followup.send(ephemeral=True, **message.send_kwargs())

    @digest.command(name="off", description=strings.DIGEST_OFF_DESCRIPTION)
    async def digest_off(self, interaction: discord.Interaction) -> None:
        async with self.bot.interaction_scope(interaction):
            if not await self._allowed(interaction):
                return
            assert interaction.guild_id is not None
            turned_off = await self.store.disable(
                interaction.guild_id, actor_id=interaction.user.id, now=self.clock()
            )
            await interaction.response.send_message(
                strings.DIGEST_TURNED_OFF if turned_off else strings.DIGEST_WAS_OFF,
                ephemeral=True,
            )

    @digest.command(name="show", description=strings.DIGEST_SHOW_DESCRIPTION)
    async def digest_show(self, interaction: discord.Interaction) -> None:
        async with self.bot.interaction_scope(interaction):
            if not await self._allowed(interaction):
                return
            assert interaction.guild_id is not None
            config = await self.store.config(interaction.guild_id)
            if config is None:
                await interaction.response.send_message(strings.DIGEST_NOT_SET, ephemeral=True)
                return
            now = self.clock()
            last = await self.store.last_posted(interaction.guild_id)
            await interaction.response.send_message(
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
                ephemeral=True,
            )


async def setup(bot: FactdeskBot) -> None:
    await bot.add_cog(Digest(bot))
