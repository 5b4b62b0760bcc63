"""The typed rows the store hands out: one frozen dataclass per table (or query shape)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

FlagKind = Literal["answer", "message"]
FlagStatus = Literal["open", "upheld", "dismissed"]
FlagOutcome = Literal["upheld", "dismissed"]
RequestStatus = Literal["open", "answered", "closed"]
RequestSource = Literal["command", "button", "message"]
WatchMode = Literal["reply", "modlog"]
FLAG_STATUSES: tuple[FlagStatus, ...] = ("open", "upheld", "dismissed")
REQUEST_STATUSES: tuple[RequestStatus, ...] = ("open", "answered", "closed")


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    modlog_channel_id: int | None
    updated_at: datetime | None
    updated_by: int | None
    # None: the bot's default threshold applies.
    match_threshold: float | None = None
    # "en" or "es"; None: auto, the server's preferred locale (bot/i18n.py).
    language: str | None = None


@dataclass(frozen=True)
class WatchedChannel:
    channel_id: int
    guild_id: int
    mode: WatchMode
    added_by: int
    added_at: datetime


@dataclass(frozen=True)
class Flag:
    id: int
    guild_id: int
    kind: FlagKind
    claim_id: str | None
    flagger_id: int
    reason: str | None
    channel_id: int | None
    message_id: int | None
    message_link: str | None
    message_text: str | None
    status: FlagStatus
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: int | None
    resolution_note: str | None
    modlog_message_id: int | None


@dataclass(frozen=True)
class NewFlag:
    """What a member or moderator submits; the store adds id, status and times."""

    guild_id: int
    kind: FlagKind
    claim_id: str | None
    flagger_id: int
    reason: str | None = None
    channel_id: int | None = None
    message_id: int | None = None
    message_link: str | None = None
    message_text: str | None = None


@dataclass(frozen=True)
class FlagAdded:
    """The result of adding a flag: the new flag, or why none was stored."""

    flag: Flag | None
    refused: Literal["duplicate", "cooldown"] | None = None
    retry_after_seconds: int = 0


@dataclass(frozen=True)
class Dispute:
    id: int
    guild_id: int
    claim_id: str
    flag_id: int | None
    note: str
    upheld_by: int
    upheld_at: datetime
    cleared_by: int | None
    cleared_at: datetime | None


@dataclass(frozen=True)
class Request:
    id: int
    guild_id: int
    question: str
    source: RequestSource
    channel_id: int | None
    status: RequestStatus
    created_at: datetime
    created_by: int
    closed_at: datetime | None
    closed_by: int | None
    close_note: str | None
    answered_claim_id: str | None
    modlog_message_id: int | None
    askers: int


@dataclass(frozen=True)
class RequestAdded:
    """The result of asking: the request (new or merged into) and what happened."""

    request: Request
    created: bool
    already_asked: bool


@dataclass(frozen=True)
class AuditEntry:
    id: int
    guild_id: int
    actor_id: int
    action: str
    target_type: str
    target_id: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class AskedQuestion:
    id: int
    guild_id: int | None
    channel_id: int | None
    user_id: int
    question: str
    claim_id: str | None
    score: float | None
    asked_at: datetime


ModlogKind = Literal["flag", "request"]


@dataclass(frozen=True)
class ModlogPost:
    """A mod-log post the bot owes (``posted_at`` None) or made: the outbox's row."""

    id: int
    guild_id: int
    kind: ModlogKind
    ref_id: int
    created_at: datetime
    posted_at: datetime | None
    message_id: int | None
    attempts: int


# --- helpfulness votes and request notifications (0005) ---------------------------------------

NotifyMode = Literal["channel", "dm", "off"]
NOTIFY_MODES: tuple[NotifyMode, ...] = ("channel", "dm", "off")
NotificationStatus = Literal["pending", "sending", "sent", "skipped", "failed"]


@dataclass(frozen=True)
class VoteTally:
    """The helpfulness votes of one fact-check in one server."""

    claim_id: str
    helpful: int
    not_helpful: int

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful


@dataclass(frozen=True)
class VoteCast:
    """What a member's vote changed: the vote before (None: first vote) and the new tally."""

    previous: bool | None
    tally: VoteTally


@dataclass(frozen=True)
class ClaimAsked:
    """How many questions in a server a fact-check answered."""

    claim_id: str
    asked: int


@dataclass(frozen=True)
class Notification:
    id: int
    guild_id: int
    request_id: int
    user_id: int
    claim_id: str
    channel_id: int | None
    mode: Literal["channel", "dm"]
    status: NotificationStatus
    created_at: datetime
    claimed_at: datetime | None
    finished_at: datetime | None
    message_id: int | None
    note: str | None
    attempts: int


@dataclass(frozen=True)
class ClaimCorrection:
    """A reload changed a fact-check's verdict or summary (0005 ``claim_corrections``)."""

    id: int
    claim_id: str
    changed_at: datetime
    old_verdict: str | None
    new_verdict: str | None
    summary_changed: bool
