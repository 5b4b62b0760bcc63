"""Rendering of helpfulness votes: the replies to a vote, the reason form, ``/stats claims``
and the helpful share shown on a flag. Pure data in, Discord objects out; every echoed
text goes through :func:`bot.discord_ui.limits.neutralise_mentions`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import discord

from bot.core.feedback import PRIOR_VOTES, Ranked
from bot.discord_ui import custom_ids, limits, strings
from bot.discord_ui.views import ButtonSpec, build_view
from bot.store.rows import ClaimAsked, VoteCast, VoteTally

STATS_COLOUR = discord.Colour.blurple()
REASON_MAX_CHARS = 500
STATS_LINES = 5
QUESTION_CHARS = 120


def percent(helpful: int, total: int) -> int:
    return round(100 * helpful / total) if total else 0


def tally_text(tally: VoteTally) -> str:
    return strings.VOTE_TALLY.format(helpful=tally.helpful, not_helpful=tally.not_helpful)


def vote_reply(cast: VoteCast, helpful: bool) -> str:
    """The private reply to a vote: what was recorded or changed, and the server's tally."""
    tally = tally_text(cast.tally)
    if helpful:
        if cast.previous is None:
            template = strings.VOTE_HELPFUL_RECORDED
        elif cast.previous:
            template = strings.VOTE_HELPFUL_SAME
        else:
            template = strings.VOTE_HELPFUL_CHANGED
    else:
        template = (
            strings.VOTE_NOT_HELPFUL_CHANGED if cast.previous else strings.VOTE_NOT_HELPFUL_RECORDED
        )
    return template.format(tally=tally)


def not_helpful_buttons(claim_id: str) -> discord.ui.View:
    """Under the private reply to "Not helpful": the optional reason, and Flag as disputed."""
    return build_view(
        [
            ButtonSpec(strings.VOTE_WHY_BUTTON, custom_ids.vote_why_id(claim_id)),
            ButtonSpec(
                strings.MOD_FLAG_BUTTON, custom_ids.flag_id(claim_id), discord.ButtonStyle.danger
            ),
        ]
    )


def reason_input() -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(
        label=strings.VOTE_REASON_LABEL,
        custom_id="reason",
        style=discord.TextStyle.paragraph,
        placeholder=strings.VOTE_REASON_PLACEHOLDER,
        required=False,
        max_length=REASON_MAX_CHARS,
    )


def _question(questions: Callable[[str], str | None], claim_id: str) -> str:
    found = questions(claim_id)
    text = found if found is not None else strings.STATS_GONE.format(claim_id=claim_id)
    return limits.shorten(limits.neutralise_mentions(" ".join(text.split())), QUESTION_CHARS)


def least_helpful_lines(
    ranked: Sequence[Ranked], questions: Callable[[str], str | None], template: str
) -> list[str]:
    return [
        template.format(
            rank=rank,
            question=_question(questions, r.claim_id),
            helpful=r.helpful,
            total=r.total,
            percent=percent(r.helpful, r.total),
        )
        for rank, r in enumerate(ranked, start=1)
    ]


def stats_embed(
    most_asked: Sequence[ClaimAsked],
    least: Sequence[Ranked],
    questions: Callable[[str], str | None],
) -> discord.Embed:
    """``/stats claims``: the most asked and the least helpful fact-checks of a server."""
    embed = discord.Embed(title=strings.STATS_CLAIMS_TITLE, colour=STATS_COLOUR)
    asked = [
        strings.STATS_MOST_ASKED_LINE.format(
            rank=rank, question=_question(questions, item.claim_id), count=item.asked
        )
        for rank, item in enumerate(most_asked[:STATS_LINES], start=1)
    ]
    helpful = least_helpful_lines(least[:STATS_LINES], questions, strings.STATS_LEAST_HELPFUL_LINE)
    for name, lines in ((strings.STATS_MOST_ASKED, asked), (strings.STATS_LEAST_HELPFUL, helpful)):
        embed.add_field(
            name=name,
            value=limits.shorten(
                "\n".join(lines) or strings.STATS_NOTHING, limits.EMBED_FIELD_VALUE
            ),
            inline=False,
        )
    embed.set_footer(text=strings.STATS_FOOTER.format(weight=int(PRIOR_VOTES)))
    return embed


def add_helpful_share(embed: discord.Embed, tally: VoteTally) -> None:
    """The helpful share of a flagged fact-check, on ``/flags show``."""
    value = (
        strings.FLAG_HELPFUL_VALUE.format(
            helpful=tally.helpful, total=tally.total, percent=percent(tally.helpful, tally.total)
        )
        if tally.total
        else strings.FLAG_HELPFUL_NONE
    )
    embed.add_field(name=strings.FLAG_HELPFUL_FIELD, value=value, inline=False)
