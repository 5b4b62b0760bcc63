"""Buttons of fact-check answers: their custom_ids, labels and layout.

Custom ids carry ids only (claim ids, numbers, snowflakes), never text, so a button sent
before a restart still resolves after it. The builders here return :class:`ButtonSpec`
lists that are pure data (easy to test against the limits); :func:`build_view` turns them
into a view of ``DynamicItem`` buttons registered by the factcheck cog.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import discord

from bot.core.models import FactCheck
from bot.discord_ui import limits, strings

# One pattern for every fact-check button; the cog registers one DynamicItem with it.
# Kinds: open <claim> | fu <claim>:<n> | src/full <claim>:<page>:<mode> |
# req <claim>:<n> or req ask | post <message id>:<claim>.
FACTCHECK_CUSTOM_ID = re.compile(
    r"fd:(?P<kind>open|fu|src|full|req|post):(?P<args>[a-z0-9_:-]{1,92})"
)

# "n": the click opens a new private message; "e": it edits the message it is on.
PageMode = Literal["n", "e"]
NO_MATCH_REQUEST = "ask"
# Buttons per answer: row 0 holds Sources, Full analysis (and Post); rows 1-4 follow-ups.
MAX_FOLLOW_UP_BUTTONS = (limits.ACTION_ROWS - 1) * limits.BUTTONS_PER_ROW


@dataclass(frozen=True)
class ButtonSpec:
    label: str
    custom_id: str
    style: discord.ButtonStyle = discord.ButtonStyle.secondary
    row: int | None = None
    disabled: bool = False


def open_id(claim_id: str) -> str:
    return f"fd:open:{claim_id}"


def follow_up_id(claim_id: str, index: int) -> str:
    return f"fd:fu:{claim_id}:{index}"


def sources_id(claim_id: str, page: int, mode: PageMode = "n") -> str:
    return f"fd:src:{claim_id}:{page}:{mode}"


def analysis_id(claim_id: str, page: int, mode: PageMode = "n") -> str:
    return f"fd:full:{claim_id}:{page}:{mode}"


def request_id(claim_id: str | None = None, index: int | None = None) -> str:
    if claim_id is None or index is None:
        return f"fd:req:{NO_MATCH_REQUEST}"
    return f"fd:req:{claim_id}:{index}"


def post_id(message_id: int, claim_id: str) -> str:
    return f"fd:post:{message_id}:{claim_id}"


def label(text: str) -> str:
    """A button label from arbitrary text: one line, at most 80 characters."""
    return limits.shorten(" ".join(text.split()) or "?", limits.BUTTON_LABEL)


def answer_buttons(fc: FactCheck, *, post_message_id: int | None = None) -> list[ButtonSpec]:
    """Sources, Full analysis, optionally Post in channel, and one button per follow-up."""
    specs = [
        ButtonSpec(strings.BUTTON_SOURCES, sources_id(fc.id, 0), row=0),
        ButtonSpec(strings.BUTTON_FULL_ANALYSIS, analysis_id(fc.id, 0), row=0),
    ]
    if post_message_id is not None:
        custom_id = post_id(post_message_id, fc.id)
        # A very long claim id does not leave room for the message id: the member can still
        # read the private answer, there is just no button to post it.
        if limits.fits_custom_id(custom_id):
            specs.append(
                ButtonSpec(strings.BUTTON_POST, custom_id, discord.ButtonStyle.primary, row=0)
            )
    for index, follow_up in enumerate(fc.follow_ups[:MAX_FOLLOW_UP_BUTTONS]):
        specs.append(
            ButtonSpec(
                label(follow_up.question),
                follow_up_id(fc.id, index),
                row=1 + index // limits.BUTTONS_PER_ROW,
            )
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


def no_match_buttons(nearest: Sequence[tuple[str, str]]) -> list[ButtonSpec]:
    """A button per nearest entry (claim id, question), then "Request a fact-check"."""
    specs = [
        ButtonSpec(label(f"{i}. {question}"), open_id(claim_id), row=0)
        for i, (claim_id, question) in enumerate(nearest[:3], start=1)
    ]
    specs.append(ButtonSpec(strings.BUTTON_REQUEST, request_id(), discord.ButtonStyle.primary))
    return specs


def unanswered_buttons(claim_id: str, index: int) -> list[ButtonSpec]:
    return [
        ButtonSpec(strings.BUTTON_REQUEST, request_id(claim_id, index), discord.ButtonStyle.primary)
    ]


def build_view(
    specs: Sequence[ButtonSpec], make_item: Callable[[discord.ui.Button], discord.ui.Item]
) -> discord.ui.View:
    """A view holding ``specs`` as items made by ``make_item`` (the cog's DynamicItem)."""
    view = discord.ui.View(timeout=None)
    for spec in specs:
        button: discord.ui.Button = discord.ui.Button(
            label=spec.label,
            custom_id=spec.custom_id,
            style=spec.style,
            disabled=spec.disabled,
            row=spec.row,
        )
        view.add_item(make_item(button))
    return view
