"""Buttons of fact-check answers: their labels and layout.

The builders here return :class:`ButtonSpec` lists that are pure data (easy to test against
the limits), with custom_ids from :mod:`bot.discord_ui.custom_ids`; :func:`build_view` turns
them into a view to send. Clicks are answered by the ``DynamicItem`` each cog registers for
its templates, not by the sent view, so the view is finished at once and never kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import discord

from bot.core.models import FactCheck
from bot.discord_ui import custom_ids, limits, strings
from bot.discord_ui.custom_ids import PageMode

# Buttons per answer: row 0 holds Sources, Full analysis and Post; then the follow-ups; then,
# in a server, one feedback row after them: Helpful, Not helpful and Flag as disputed (so at
# most three rows of follow-ups, and never more than Discord's five rows).
MAX_FOLLOW_UP_BUTTONS = (limits.ACTION_ROWS - 2) * limits.BUTTONS_PER_ROW


@dataclass(frozen=True)
class ButtonSpec:
    label: str
    custom_id: str
    style: discord.ButtonStyle = discord.ButtonStyle.secondary
    row: int | None = None
    disabled: bool = False


def label(text: str) -> str:
    """A button label from arbitrary text: one line, at most 80 characters."""
    return limits.shorten(" ".join(text.split()) or "?", limits.BUTTON_LABEL)


def vote_buttons(claim_id: str, *, row: int | None = None) -> list[ButtonSpec]:
    """ "Was this helpful?": Helpful and Not helpful for one fact-check."""
    return [
        ButtonSpec(
            strings.VOTE_HELPFUL_BUTTON,
            custom_ids.vote_id(claim_id, True),
            discord.ButtonStyle.success,
            row=row,
        ),
        ButtonSpec(strings.VOTE_NOT_HELPFUL_BUTTON, custom_ids.vote_id(claim_id, False), row=row),
    ]


def answer_buttons(
    fc: FactCheck, *, post_id: str | None = None, flag: bool = False, vote: bool = False
) -> list[ButtonSpec]:
    """Sources, Full analysis, optionally Post in channel, one button per follow-up, and
    the feedback row: Helpful / Not helpful (``vote``) and Flag as disputed (``flag``).
    ``post_id`` is the signed custom_id of the Post button."""
    specs = [
        ButtonSpec(strings.BUTTON_SOURCES, custom_ids.sources_id(fc.id, 0), row=0),
        ButtonSpec(strings.BUTTON_FULL_ANALYSIS, custom_ids.analysis_id(fc.id, 0), row=0),
    ]
    # A very long claim id does not leave room for the message id: the member can still
    # read the private answer, there is just no button to post it.
    if post_id is not None and limits.fits_custom_id(post_id):
        specs.append(ButtonSpec(strings.BUTTON_POST, post_id, discord.ButtonStyle.primary, row=0))
    follow_ups = fc.follow_ups[:MAX_FOLLOW_UP_BUTTONS]
    for index, follow_up in enumerate(follow_ups):
        specs.append(
            ButtonSpec(
                label(follow_up.question),
                custom_ids.follow_up_id(fc.id, index),
                row=1 + index // limits.BUTTONS_PER_ROW,
            )
        )
    feedback_row = 1 + -(-len(follow_ups) // limits.BUTTONS_PER_ROW)
    if vote:
        specs.extend(vote_buttons(fc.id, row=feedback_row))
    if flag:
        specs.append(
            ButtonSpec(strings.MOD_FLAG_BUTTON, custom_ids.flag_id(fc.id), row=feedback_row)
        )
    return specs


def page_buttons(
    make_id: Callable[[str, int, PageMode], str], claim_id: str, page: int, pages: int
) -> list[ButtonSpec]:
    """Previous/next buttons for page ``page`` (from 0) of ``pages``; none for one page."""
    if pages <= 1:
        return []
    return [
        ButtonSpec(
            strings.BUTTON_PREVIOUS,
            make_id(claim_id, max(page - 1, 0), "e"),
            disabled=page <= 0,
            row=0,
        ),
        ButtonSpec(
            strings.BUTTON_NEXT,
            # Distinct from "previous" even when both are disabled on a one-page edge.
            make_id(claim_id, min(page + 1, pages - 1) if page < pages - 1 else page, "e"),
            disabled=page >= pages - 1,
            row=0,
        ),
    ]


def no_match_buttons(
    nearest: Sequence[tuple[str, str]], asked_row_id: int | None
) -> list[ButtonSpec]:
    """A button per nearest entry (claim id, question), then "Request a fact-check" for the
    asked question's row (none when the question could not be recorded)."""
    specs = [
        ButtonSpec(label(f"{i}. {question}"), custom_ids.open_id(claim_id), row=0)
        for i, (claim_id, question) in enumerate(nearest[:3], start=1)
    ]
    if asked_row_id is not None:
        specs.append(
            ButtonSpec(
                strings.BUTTON_REQUEST,
                custom_ids.request_asked_id(asked_row_id),
                discord.ButtonStyle.primary,
            )
        )
    return specs


def unanswered_buttons(claim_id: str, index: int) -> list[ButtonSpec]:
    return [
        ButtonSpec(
            strings.BUTTON_REQUEST,
            custom_ids.request_follow_up_id(claim_id, index),
            discord.ButtonStyle.primary,
        )
    ]


def build_view(specs: Sequence[ButtonSpec]) -> discord.ui.View:
    """A view that carries ``specs`` to Discord.

    Clicks are answered by the registered ``DynamicItem`` whose template matches the
    custom_id; the view is finished before it is sent so discord.py keeps no copy of it
    (one per message, forever, otherwise).
    """
    view = discord.ui.View(timeout=None)
    for spec in specs:
        button: discord.ui.Button = discord.ui.Button(
            label=spec.label,
            custom_id=spec.custom_id,
            style=spec.style,
            disabled=spec.disabled,
            row=spec.row,
        )
        view.add_item(button)
    view.stop()
    return view
