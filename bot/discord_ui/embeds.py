"""Embeds for fact-check answers, their sources and analysis pages, and the no-match reply.

Every renderer takes plain data (``FactCheck`` and friends), neutralises mentions in echoed
text and fits every piece through :mod:`bot.discord_ui.limits`, so whatever the corpus or a
member wrote, Discord accepts the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import discord

from bot import i18n
from bot.core.models import FactCheck, Source
from bot.discord_ui import limits, strings
from bot.discord_ui.moderation import add_dispute_notice
from bot.store.rows import Dispute

ANSWER_COLOUR = discord.Colour.blurple()
NO_MATCH_COLOUR = discord.Colour.light_grey()
# Lines of a source in a list; a long title is cut so one source never fills a page.
SOURCE_TITLE_CHARS = 200
# Page bodies stay under the description limit with room for nothing else to overflow.
PAGE_BODY_CHARS = limits.EMBED_DESCRIPTION - 96


# Follow-ups listed in the answer, and how many of them have a button (three rows of five
# between Sources and the feedback row, see bot.discord_ui.views). The ones past the buttons
# say so, and any past the list are counted, so none disappears silently.
MAX_FOLLOW_UPS_LISTED = (limits.ACTION_ROWS - 1) * limits.BUTTONS_PER_ROW
FOLLOW_UP_BUTTONS = (limits.ACTION_ROWS - 2) * limits.BUTTONS_PER_ROW
FOLLOW_UP_LINE = 160


def safe(text: str, limit: int) -> str:
    """Echoed text made inert (no mentions) and shortened to ``limit`` characters."""
    return limits.shorten(limits.neutralise_mentions(text.strip()), limit)


def _link_text(text: str) -> str:
    # Square brackets would end the Markdown link text early.
    return text.replace("[", "(").replace("]", ")")


def source_line(source: Source) -> str:
    """One numbered source: a Markdown link when it has a URL, plain text otherwise."""
    title = safe(source.title, SOURCE_TITLE_CHARS)
    shown = f"[{_link_text(title)}]({source.url})" if source.url is not None else title
    extras = [safe(source.publisher, 100)] if source.publisher else []
    if source.published is not None:
        extras.append(source.published.isoformat())
    tail = f" - {', '.join(extras)}" if extras else ""
    return f"**[{source.number}]** {shown}{tail}"


def _checked_on(fc: FactCheck, corrected_on: date | None = None) -> str:
    updated = fc.updated_on if fc.updated_on != fc.checked_on else None
    if corrected_on is not None and (updated is None or corrected_on > updated):
        # A reload changed the verdict or summary (bot.core.corrections).
        return strings.CHECKED_ON_CORRECTED_VALUE.format(
            checked_on=fc.checked_on.isoformat(), updated_on=corrected_on.isoformat()
        )
    if fc.updated_on is not None and fc.updated_on != fc.checked_on:
        return strings.CHECKED_ON_UPDATED_VALUE.format(
            checked_on=fc.checked_on.isoformat(), updated_on=fc.updated_on.isoformat()
        )
    return strings.CHECKED_ON_VALUE.format(checked_on=fc.checked_on.isoformat())


def _sources_field(fc: FactCheck) -> str:
    lines: list[str] = []
    used = 0
    for index, source in enumerate(fc.sources):
        line = source_line(source)
        remaining = len(fc.sources) - index
        more = strings.SOURCES_MORE.format(count=remaining)
        # Keep room for the "and N more" line in case a later source does not fit.
        reserve = 0 if remaining == 1 else len(more) + 1
        if used + len(line) + 1 + reserve > limits.EMBED_FIELD_VALUE:
            lines.append(more)
            break
        lines.append(line)
        used += len(line) + 1
    return limits.shorten("\n".join(lines), limits.EMBED_FIELD_VALUE)


def _follow_ups_field(fc: FactCheck) -> str:
    """The follow-up questions in full (button labels stop at 80 characters), numbered."""
    lines = []
    for number, follow_up in enumerate(fc.follow_ups[:MAX_FOLLOW_UPS_LISTED], start=1):
        line = f"{number}. {safe(follow_up.question, FOLLOW_UP_LINE)}"
        if not follow_up.claim:
            line += strings.FOLLOW_UP_NOT_CHECKED
        elif number > FOLLOW_UP_BUTTONS:
            line += strings.FOLLOW_UP_NO_BUTTON
        lines.append(line)
    unlisted = len(fc.follow_ups) - MAX_FOLLOW_UPS_LISTED
    if unlisted > 0:
        lines.append(strings.FOLLOW_UPS_MORE.format(count=unlisted))
    return limits.shorten("\n".join(lines), limits.EMBED_FIELD_VALUE)


def in_current_language(fc: FactCheck) -> tuple[FactCheck, str | None]:
    """``fc`` in the current language when the corpus has it; else ``fc`` as it is and the
    translated line saying it is not available in that language."""
    language = i18n.current_language()
    if fc.has_language(language):
        return fc.in_language(language), None
    names = strings.LANGUAGE_NAMES
    return fc, strings.TRANSLATION_MISSING.format(
        language=names.get(language, language), original=names.get(fc.language, fc.language)
    )


def answer_embed(
    fc: FactCheck, dispute: Dispute | None = None, *, corrected_on: date | None = None
) -> discord.Embed:
    """The answer to a question: the server's dispute notice first when moderators upheld
    one, then verdict, summary, date ("Updated on" the day a reload corrected it),
    numbered sources, follow-ups and the disclaimer; in the current language when the entry
    has it, else in its own with one line saying so."""
    fc, missing = in_current_language(fc)
    embed = discord.Embed(title=safe(fc.question, limits.EMBED_TITLE), colour=ANSWER_COLOUR)
    add_dispute_notice(embed, dispute)
    embed.add_field(
        name=strings.CHECKED_ON_FIELD, value=_checked_on(fc, corrected_on), inline=False
    )
    if fc.sources:
        embed.add_field(name=strings.SOURCES_FIELD, value=_sources_field(fc), inline=False)
    if fc.follow_ups:
        embed.add_field(name=strings.FOLLOW_UPS_FIELD, value=_follow_ups_field(fc), inline=False)
    embed.set_footer(text=limits.shorten(strings.DISCLAIMER, limits.EMBED_FOOTER))

    head = strings.VERDICT_LINE.format(verdict=safe(fc.verdict, 200)) + "\n\n" if fc.verdict else ""
    if missing is not None:
        head = f"*{missing}*\n\n{head}"
    room = min(
        limits.EMBED_DESCRIPTION,
        limits.EMBEDS_TOTAL_CHARACTERS - len(embed),
    ) - len(head)
    summary = limits.neutralise_mentions(fc.summary.strip())
    if len(summary) > room:
        chunks = limits.split_text(summary, room - len(strings.SUMMARY_CONTINUES))
        summary = chunks[0] + strings.SUMMARY_CONTINUES
    embed.description = head + summary
    return embed


@dataclass(frozen=True)
class Page:
    """One page of a paginated, ephemeral view: an embed's title and body."""

    title: str
    body: str


def _paged_embed(page: Page, number: int, count: int) -> discord.Embed:
    embed = discord.Embed(
        title=limits.shorten(page.title, limits.EMBED_TITLE),
        description=limits.shorten(page.body, limits.EMBED_DESCRIPTION),
        colour=ANSWER_COLOUR,
    )
    if count > 1:
        embed.set_footer(text=strings.PAGE_FOOTER.format(page=number + 1, pages=count))
    return embed


def source_pages(fc: FactCheck) -> list[Page]:
    """All sources of ``fc``, as many per page as fit."""
    fc, _ = in_current_language(fc)
    title = strings.SOURCES_TITLE.format(question=safe(fc.question, 200))
    if not fc.sources:
        return [Page(title, strings.NO_SOURCES)]
    lines = [source_line(s) for s in fc.sources]
    bodies: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > PAGE_BODY_CHARS and current:
            bodies.append(current)
            current = line
        else:
            current = candidate
    bodies.append(current)
    return [Page(title, body) for body in bodies]


def analysis_pages(fc: FactCheck) -> list[Page]:
    """The summary, then every numbered section, split into pages that fit one embed each."""
    fc, _ = in_current_language(fc)
    parts = [(strings.ANALYSIS_SUMMARY_HEADING, fc.summary)] + [
        (
            strings.ANALYSIS_SECTION_TITLE.format(number=i, heading=section.heading),
            section.body,
        )
        for i, section in enumerate(fc.sections, start=1)
    ]
    pages: list[Page] = []
    for heading, body in parts:
        title = limits.shorten(limits.neutralise_mentions(heading), 200)
        chunks = limits.split_text(limits.neutralise_mentions(body), PAGE_BODY_CHARS)
        for index, chunk in enumerate(chunks):
            shown = title if index == 0 else strings.ANALYSIS_CONTINUED.format(title=title)
            pages.append(Page(shown, chunk))
    if len(pages) == 1 and not fc.sections:
        pages.append(Page(strings.ANALYSIS_SUMMARY_HEADING, strings.NO_ANALYSIS))
    return pages


def page_embed(pages: Sequence[Page], number: int) -> discord.Embed:
    """Page ``number`` (from 0, clamped into range) of ``pages``."""
    number = max(0, min(number, len(pages) - 1))
    return _paged_embed(pages[number], number, len(pages))


def similarity_percent(score: float) -> int:
    """A matcher score (0-1 or 0-100) as a whole percentage."""
    return round(score * 100 if score <= 1 else score)


def no_match_embed(question: str, nearest: Sequence[tuple[str, float]]) -> discord.Embed:
    """The reply when nothing matches: the question back, and up to 3 nearest entries."""
    quoted = limits.member_text(question, 1500)
    embed = discord.Embed(
        title=strings.NO_MATCH_TITLE,
        description=strings.NO_MATCH_DESCRIPTION.format(question=quoted),
        colour=NO_MATCH_COLOUR,
    )
    if nearest:
        lines = [
            strings.NO_MATCH_NEAREST_LINE.format(
                number=i, question=safe(q, 250), similarity=similarity_percent(score)
            )
            for i, (q, score) in enumerate(nearest[:3], start=1)
        ]
        embed.add_field(
            name=strings.NO_MATCH_NEAREST_FIELD,
            value=limits.shorten("\n".join(lines), limits.EMBED_FIELD_VALUE),
            inline=False,
        )
    embed.set_footer(text=strings.DISCLAIMER)
    return embed


def unanswered_follow_up_embed(question: str) -> discord.Embed:
    """The reply to a follow-up the corpus does not answer yet."""
    return discord.Embed(
        title=strings.FOLLOW_UP_UNANSWERED_TITLE,
        description=strings.FOLLOW_UP_UNANSWERED_DESCRIPTION.format(
            question=safe(question, 1500).replace("\n", " ")
        ),
        colour=NO_MATCH_COLOUR,
    )
