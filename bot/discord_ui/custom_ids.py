"""Every custom_id factdesk sends: its template (to parse) and its builder (to make).

Custom ids carry ids only (claim ids, numbers, snowflakes), never text, so a button or a
form sent before a restart still resolves after it. Each template is matched whole
(``fullmatch``) and no two templates accept the same id (tested), so exactly one handler
owns each click. A field that matches its pattern but not its range (a snowflake above
2**63-1) parses to ``None`` and the handler answers that the button no longer works.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Literal

from bot.discord_ui import limits

CLAIM = r"[a-z0-9][a-z0-9_-]{0,79}"
_SNOWFLAKE = r"[0-9]{1,20}"
SNOWFLAKE_MAX = 2**63 - 1

PageKind = Literal["src", "full"]
# "n": the click opens a new private message; "e": it edits the message it is on.
PageMode = Literal["n", "e"]
ModAction = Literal["up", "dis", "close"]

# --- fact-check answers (cogs/factcheck.py) -------------------------------------------------
# fd:dg: is how digests named the same button before they shared it.
OPEN = re.compile(rf"fd:(?:open|dg):(?P<claim>{CLAIM})")
FOLLOW_UP = re.compile(rf"fd:fu:(?P<claim>{CLAIM}):(?P<index>[0-9]{{1,2}})")
PAGE = re.compile(
    rf"fd:(?P<kind>src|full):(?P<claim>{CLAIM}):(?P<page>[0-9]{{1,4}}):(?P<mode>[ne])"
)
# A no-match reply's request button names the asked question's row. "fd:req:ask" is what
# such buttons carried before they did; those answer "please ask again".
REQUEST_ASKED = re.compile(rf"fd:(?:rq:(?P<row>{_SNOWFLAKE})|req:ask)")
REQUEST_FOLLOW_UP = re.compile(rf"fd:req:(?P<claim>{CLAIM}):(?P<index>[0-9]{{1,2}})")
# Post in channel: the fact-checked message, the claim, and a signature binding both to
# the member who asked (so the button cannot be forged for another message or member).
POST = re.compile(
    rf"fd:post:(?P<message>{_SNOWFLAKE}):(?P<claim>{CLAIM})(?::(?P<signature>[0-9a-f]{{12}}))?"
)

# --- moderation (cogs/moderation.py) --------------------------------------------------------
FLAG = re.compile(rf"fd:flag:(?P<claim>{CLAIM})")
MOD = re.compile(rf"fd:mod:(?P<action>up|dis|close):(?P<id>{_SNOWFLAKE})")
# Modal forms, routed by template (bot.interactions.ModalForm).
# The flag form names the claim and the message its button was on (0: none or no room).
FLAG_FORM = re.compile(rf"fd:flag:form:(?P<claim>{CLAIM}):(?P<message>{_SNOWFLAKE})")
NOTE_FORM = re.compile(rf"fd:mod:form:(?P<action>up|dis|close):(?P<id>{_SNOWFLAKE})")
# Modals opened before forms were routed by template carried only the opening click's id.
LEGACY_FORM = re.compile(rf"fd:(?:flag|mod):form:{_SNOWFLAKE}")

# --- helpfulness votes (cogs/feedback.py) ----------------------------------------------------
# "Helpful" (y) / "Not helpful" (n) under an answer or a context card; "Tell us why" under
# the private reply to Not helpful opens the reason form (fd:hvr:, routed by template).
VOTE = re.compile(rf"fd:hv:(?P<claim>{CLAIM}):(?P<value>[yn])")
VOTE_WHY = re.compile(rf"fd:hvw:(?P<claim>{CLAIM})")
VOTE_FORM = re.compile(rf"fd:hvr:(?P<claim>{CLAIM})")

TEMPLATES: dict[str, re.Pattern[str]] = {
    "open": OPEN,
    "follow_up": FOLLOW_UP,
    "page": PAGE,
    "request_asked": REQUEST_ASKED,
    "request_follow_up": REQUEST_FOLLOW_UP,
    "post": POST,
    "flag": FLAG,
    "mod": MOD,
    "flag_form": FLAG_FORM,
    "note_form": NOTE_FORM,
    "legacy_form": LEGACY_FORM,
    "vote": VOTE,
    "vote_why": VOTE_WHY,
    "vote_form": VOTE_FORM,
}


def snowflake(text: str | None) -> int | None:
    """A Discord id from a custom_id field, or None when absent, 0 or out of range."""
    if not text:
        return None
    value = int(text)
    return value if 0 < value <= SNOWFLAKE_MAX else None


def open_id(claim_id: str) -> str:
    return f"fd:open:{claim_id}"


def follow_up_id(claim_id: str, index: int) -> str:
    return f"fd:fu:{claim_id}:{index}"


def page_id(kind: PageKind, claim_id: str, page: int, mode: PageMode = "n") -> str:
    return f"fd:{kind}:{claim_id}:{page}:{mode}"


def sources_id(claim_id: str, page: int, mode: PageMode = "n") -> str:
    return page_id("src", claim_id, page, mode)


def analysis_id(claim_id: str, page: int, mode: PageMode = "n") -> str:
    return page_id("full", claim_id, page, mode)


def request_asked_id(row_id: int) -> str:
    return f"fd:rq:{row_id}"


def request_follow_up_id(claim_id: str, index: int) -> str:
    return f"fd:req:{claim_id}:{index}"


def post_signature(key: bytes, user_id: int, message_id: int, claim_id: str) -> str:
    digest = hmac.new(key, f"{user_id}:{message_id}:{claim_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


def post_id(key: bytes, user_id: int, message_id: int, claim_id: str) -> str:
    signature = post_signature(key, user_id, message_id, claim_id)
    return f"fd:post:{message_id}:{claim_id}:{signature}"


def post_allowed(key: bytes, user_id: int, message_id: int, claim_id: str, signature: str) -> bool:
    expected = post_signature(key, user_id, message_id, claim_id)
    return hmac.compare_digest(expected, signature)


def flag_id(claim_id: str) -> str:
    return f"fd:flag:{claim_id}"


def mod_id(action: ModAction, target_id: int) -> str:
    return f"fd:mod:{action}:{target_id}"


def flag_form_id(claim_id: str, message_id: int | None) -> str:
    """The flag modal's id; the message is 0 when a long claim id leaves no room for it."""
    with_message = f"fd:flag:form:{claim_id}:{message_id or 0}"
    if limits.fits_custom_id(with_message):
        return with_message
    return f"fd:flag:form:{claim_id}:0"


def note_form_id(action: ModAction, target_id: int) -> str:
    return f"fd:mod:form:{action}:{target_id}"


def mod_action(text: str) -> ModAction:
    if text == "up":
        return "up"
    if text == "dis":
        return "dis"
    return "close"


def vote_id(claim_id: str, helpful: bool) -> str:
    return f"fd:hv:{claim_id}:{'y' if helpful else 'n'}"


def vote_why_id(claim_id: str) -> str:
    return f"fd:hvw:{claim_id}"


def vote_form_id(claim_id: str) -> str:
    return f"fd:hvr:{claim_id}"


# --- message nonces -------------------------------------------------------------------------
# A channel message sent with a nonce (discord.py adds enforce_nonce) is created once: when
# discord.py retries a send whose response was lost (a 5xx), Discord returns the first
# message instead of posting again. Interaction follow-ups are webhooks and take no nonce.
NONCE_LENGTH = 25  # Discord's limit for a string nonce


def message_nonce(kind: str, *parts: object) -> str:
    """The nonce of one message factdesk means to send once (same parts, same nonce)."""
    digest = hashlib.sha256(":".join(str(part) for part in (kind, *parts)).encode()).hexdigest()
    return f"{kind[:2]}{digest}"[:NONCE_LENGTH]
