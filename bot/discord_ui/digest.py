"""How the daily digest looks: its messages, embeds and buttons, within Discord's limits.

Pure rendering of a :class:`bot.core.digest.Digest` (built by the core) for the digest cog
and the benchmark. Member-written text (questions, requests, flag reasons) is escaped with
:func:`bot.discord_ui.limits.member_text`: the digest is public.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import discord

from bot import i18n
from bot.core import digest as core_digest
from bot.core import schedule
from bot.discord_ui import custom_ids, limits, strings, views

DIGEST_COLOUR = discord.Colour.teal()
# The digest's buttons open a fact-check privately; the factcheck cog's Open button answers
# them (its template accepts this prefix).
DIGEST_CUSTOM_ID = custom_ids.OPEN
# Characters of a line quoting a question, request or dispute in the digest.
LINE_TEXT_CHARS = 150


def digest_button_id(claim_id: str) -> str:
    return f"fd:dg:{claim_id}"


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
            kwargs["view"] = views.build_view(self.buttons)
        return kwargs


def _text(value: str) -> str:
    return limits.member_text(value, LINE_TEXT_CHARS)


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
    if digest.corrections:
        lines = []
        for c in digest.corrections:
            if c.old_verdict != c.new_verdict:
                lines.append(
                    strings.DIGEST_CORRECTION_VERDICT.format(
                        question=_text(c.question),
                        old=_text(c.old_verdict or strings.DIGEST_NO_VERDICT),
                        new=_text(c.new_verdict or strings.DIGEST_NO_VERDICT),
                    )
                )
            else:
                lines.append(strings.DIGEST_CORRECTION_SUMMARY.format(question=_text(c.question)))
        sections.append((strings.DIGEST_CORRECTIONS, _field_value(lines, digest.more_corrections)))
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
    if digest.least_helpful:
        lines = [
            strings.DIGEST_LEAST_HELPFUL_LINE.format(
                question=_text(u.question), helpful=u.helpful, total=u.total
            )
            for u in digest.least_helpful
        ]
        sections.append((strings.DIGEST_LEAST_HELPFUL, _field_value(lines, 0)))
    if digest.top_requests:
        lines = [
            strings.DIGEST_REQUEST_LINE.format(question=_text(r.question), askers=r.askers)
            for r in digest.top_requests
        ]
        if digest.open_requests > len(digest.top_requests):
            lines.append(
                strings.DIGEST_REQUESTS_TOTAL(digest.open_requests).format(
                    count=digest.open_requests
                )
            )
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
    asked = strings.DIGEST_QUESTIONS_ASKED(digest.questions_asked).format(
        count=digest.questions_asked
    )
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
    """Whether a message's text and embed footers are a digest (or quiet note) for the date,
    in any language (the server's language may have changed since it was posted)."""
    day = local_date.isoformat()
    for language in i18n.LANGUAGES:
        with i18n.speaking(language):
            if content == strings.DIGEST_QUIET_NOTE.format(date=day):
                return True
            if strings.DIGEST_FOOTER.format(date=day) in footers:
                return True
    return False


def message_nonce(guild_id: int, local_date: date, part: int) -> str:
    """A nonce unique to one message of one digest."""
    return custom_ids.message_nonce("dg", guild_id, local_date, part)
