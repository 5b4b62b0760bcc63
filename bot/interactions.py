"""The life of one interaction: context, deadline, the one log line, refusals and errors.

Every interaction goes through here once, whatever answers it:

- slash commands and context menus: :class:`bot.app.FactdeskTree` calls :func:`begin` in
  ``interaction_check``, :func:`finish` on completion and :func:`fail` in ``on_error``;
- buttons and modal forms: their shared bases (:class:`HandledItem`, :class:`ModalForm`)
  call :func:`handle`, which does the same around the item's ``run``.

Handlers never wrap themselves: they raise :class:`~bot.checks.Refused` to refuse a member,
let any other exception escape (the member gets a private error id, the log the
traceback), and record what they found with :func:`outcome`.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import discord
import structlog

from bot import i18n
from bot.checks import Refused
from bot.discord_ui import limits, strings
from bot.logs import get_logger

if TYPE_CHECKING:
    from bot.app import FactdeskBot

log = get_logger(__name__)

T = TypeVar("T")

# A first response is due within 3 s of the interaction's creation; a handler whose work is
# not done this long after creation defers first (2 s leaves room for a slow machine).
DEFER_AT_SECONDS = 2.0
NO_MENTIONS = discord.AllowedMentions.none()
_STATE_KEY = "factdesk"


@dataclass
class InteractionState:
    """What is known about one interaction, for its one log line."""

    name: str
    started: float
    claim_id: str | None = None
    score: float | None = None
    logged: bool = False


def new_error_id() -> str:
    return uuid.uuid4().hex[:10]


def bot_of(interaction: discord.Interaction) -> FactdeskBot:
    return cast("FactdeskBot", interaction.client)


def interaction_name(interaction: discord.Interaction) -> str:
    """What the member used: the command's name, or the custom_id of a component."""
    if interaction.command is not None:
        return interaction.command.qualified_name
    data: Any = interaction.data or {}
    return str(data.get("custom_id") or data.get("name") or interaction.type.name)


def begin(interaction: discord.Interaction, name: str | None = None) -> InteractionState:
    """Bind guild, channel, user and command to this task's log lines; start the clock."""
    state = InteractionState(
        name=name or interaction_name(interaction), started=time.perf_counter()
    )
    interaction.extras[_STATE_KEY] = state
    # Private replies speak the member's language (public posts switch to the server's).
    i18n.set_language(interaction.locale)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        interaction_id=interaction.id,
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
        user_id=interaction.user.id,
        command=state.name,
    )
    return state


def outcome(interaction: discord.Interaction) -> InteractionState:
    """This interaction's state (for handlers to note the claim and score they found)."""
    state = interaction.extras.get(_STATE_KEY)
    if isinstance(state, InteractionState):
        return state
    return begin(interaction)


def finish(
    interaction: discord.Interaction, *, failed: bool = False, refused: bool = False
) -> None:
    """The one log line of an interaction (written once, however it ended)."""
    state = outcome(interaction)
    if state.logged:
        return
    state.logged = True
    log.info(
        "interaction",
        latency_ms=round((time.perf_counter() - state.started) * 1000, 1),
        claim_id=state.claim_id,
        score=state.score,
        failed=failed,
        refused=refused,
    )


async def fail(interaction: discord.Interaction, error: BaseException) -> None:
    """End an interaction that raised: a refusal is answered and audited, anything else
    gets the private error id. Never raises."""
    if isinstance(error, Refused):
        await answer_refusal(interaction, error)
        finish(interaction, refused=True)
        return
    await report_error(interaction, error)
    finish(interaction, failed=True)


async def report_error(interaction: discord.Interaction, error: BaseException) -> str:
    """Log ``error`` with a new id and tell the member that id privately. Never raises."""
    error_id = new_error_id()
    log.error(
        "interaction failed",
        error_id=error_id,
        command=interaction_name(interaction),
        exc_info=(type(error), error, error.__traceback__),
    )
    try:
        await reply(interaction, strings.ERROR_MESSAGE.format(error_id=error_id))
    except Exception:
        # Too late to answer (the token expired, Discord is down): the log line stands.
        log.warning("could not send the error message", error_id=error_id, exc_info=True)
    return error_id


async def answer_refusal(interaction: discord.Interaction, refused: Refused) -> None:
    """The one refusal path: log, audit (in a server), and answer politely and privately."""
    log.warning("refused", action=refused.action, needed=refused.needed or None)
    if interaction.guild_id is not None and refused.audited:
        try:
            await bot_of(interaction).database.record_action(
                interaction.guild_id,
                interaction.user.id,
                "refused",
                "command",
                refused.action,
                refused.needed,
            )
        except Exception:
            log.exception("could not audit a refusal")
    try:
        # A message fixed when the command was declared is still the English msgid.
        await reply(interaction, i18n.current().gettext(refused.message))
    except discord.HTTPException:
        log.warning("could not send the refusal", exc_info=True)


async def reply(interaction: discord.Interaction, content: str | None = None, **extra: Any) -> None:
    """A private reply, as the first response or a follow-up, never pinging anyone."""
    if content is not None:
        extra["content"] = limits.shorten(content, limits.MESSAGE_CONTENT)
    extra.setdefault("allowed_mentions", NO_MENTIONS)
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=True, **extra)
    else:
        await interaction.response.send_message(ephemeral=True, **extra)


def seconds_since_created(interaction: discord.Interaction) -> float:
    return (datetime.now(UTC) - interaction.created_at).total_seconds()


async def within_deadline(
    interaction: discord.Interaction, work: Awaitable[T], *, ephemeral: bool = True
) -> T:
    """Await ``work``; if it is not done by :data:`DEFER_AT_SECONDS` after the interaction
    was created, defer first so Discord's 3-second deadline holds whatever the database or
    the machine is doing. The caller then answers with :func:`reply` (a follow-up if
    deferred)."""
    task = asyncio.ensure_future(work)
    wait = max(0.0, DEFER_AT_SECONDS - seconds_since_created(interaction))
    done, _ = await asyncio.wait({task}, timeout=wait)
    if not done and not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    return await task


async def defer_private(interaction: discord.Interaction) -> None:
    """Defer now (before a write), privately; the answer follows with :func:`reply`."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)


async def handle(
    interaction: discord.Interaction,
    name: str,
    run: Callable[[discord.Interaction], Awaitable[None]],
) -> None:
    """Run a component or modal handler inside the interaction's life (see module doc)."""
    begin(interaction, name)
    try:
        await run(interaction)
    except Exception as error:
        await fail(interaction, error)
    else:
        finish(interaction)


class HandledItem:
    """Mix into a ``DynamicItem`` (before it): the item's ``run`` is called inside the
    interaction's life, so every button refuses, fails and logs the same way.

    ``valid`` is False when ``from_custom_id`` met a field that parses by pattern but not by
    value (an id beyond 2**63-1): the member is told the button no longer works.
    """

    log_name: ClassVar[str] = "button"
    valid: bool = True

    async def callback(self, interaction: discord.Interaction) -> None:
        await handle(interaction, f"button:{self.log_name}", self._run_checked)

    async def _run_checked(self, interaction: discord.Interaction) -> None:
        if not self.valid:
            await reply(interaction, strings.BUTTON_NOT_VALID)
            return
        await self.run(interaction)

    async def run(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


def modal_values(data: Any) -> dict[str, str]:
    """Every text input's value of a modal submission, by custom_id (any nesting)."""
    values: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("custom_id"), str) and isinstance(node.get("value"), str):
                values[node["custom_id"]] = node["value"]
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk((data or {}).get("components") or [])
    return values


class ModalForm:
    """A modal routed by its custom_id's template, like a ``DynamicItem`` button.

    discord.py keeps open modals in memory by custom_id, so one opened before a restart
    would go unanswered, and one opened by a moderator could be used up by anyone's
    submission. A form instead carries its state in its custom_id; :meth:`build` makes
    the modal to send (never stored by discord.py), and the bot routes every submission
    whose custom_id matches :attr:`template` to :meth:`submit` through :func:`handle`.
    """

    template: ClassVar[re.Pattern[str]]
    log_name: ClassVar[str] = "form"

    def __init__(self, match: re.Match[str]) -> None:
        self.match = match

    @classmethod
    def parse(cls, custom_id: str) -> ModalForm | None:
        match = cls.template.fullmatch(custom_id)
        return None if match is None else cls(match)

    async def submit(self, interaction: discord.Interaction, values: dict[str, str]) -> None:
        raise NotImplementedError


def build_modal(title: str, custom_id: str, *inputs: discord.ui.TextInput[Any]) -> discord.ui.Modal:
    """A modal to send whose submission is routed by custom_id (see :class:`ModalForm`)."""
    modal = discord.ui.Modal(
        title=limits.shorten(title, limits.MODAL_TITLE), custom_id=custom_id, timeout=None
    )
    for text_input in inputs:
        modal.add_item(text_input)
    # A finished modal is not kept by discord.py's view store: its submission reaches the
    # bot's form router instead, before or after a restart alike.
    modal.stop()
    return modal


async def route_modal(interaction: discord.Interaction, forms: list[type[ModalForm]]) -> bool:
    """Hand a modal submission to the first form whose template matches; True if one did."""
    data: Any = interaction.data or {}
    custom_id = str(data.get("custom_id") or "")
    for form_class in forms:
        form = form_class.parse(custom_id)
        if form is not None:
            values = modal_values(data)

            async def run(
                ix: discord.Interaction,
                form: ModalForm = form,
                values: dict[str, str] = values,
            ) -> None:
                await form.submit(ix, values)

            await handle(interaction, f"form:{form_class.log_name}", run)
            return True
    return False


class ClaimItem(HandledItem):
    """Mix in (after :class:`HandledItem`, before ``DynamicItem``) for a button whose
    template names one claim (``(?P<claim>...)``): parses it into ``claim_id``."""

    def __init__(self, button: discord.ui.Button[Any], claim_id: str) -> None:
        super().__init__(button)  # type: ignore[call-arg]
        self.claim_id = claim_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Any:
        assert isinstance(item, discord.ui.Button)
        return cls(item, match["claim"])


class FollowUpItem(HandledItem):
    """Mix in for a button naming a claim and one of its follow-ups (``claim``, ``index``)."""

    def __init__(self, button: discord.ui.Button[Any], claim_id: str, index: int) -> None:
        super().__init__(button)  # type: ignore[call-arg]
        self.claim_id = claim_id
        self.index = index

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Any:
        assert isinstance(item, discord.ui.Button)
        return cls(item, match["claim"], int(match["index"]))

    async def follow_up(self, interaction: discord.Interaction) -> tuple[Any, Any] | None:
        """``(fact-check, follow-up)``, or None after telling the member it is gone."""
        fc = bot_of(interaction).library.corpus.get(self.claim_id)
        if fc is None or self.index >= len(fc.follow_ups):
            await reply(interaction, strings.CLAIM_GONE)
            return None
        return fc, fc.follow_ups[self.index]
