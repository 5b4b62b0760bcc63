"""Every Discord limit factdesk renders against, in one place, with the helpers that obey them.

Renderers never hard-code a number: they shorten, split and check through this module, so a
limit Discord changes is changed here once. Lengths are counted in Python characters (code
points), which is how Discord counts them for these fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Messages
MESSAGE_CONTENT = 2000
EMBEDS_PER_MESSAGE = 10
EMBEDS_TOTAL_CHARACTERS = 6000

# Embeds
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256

# Components (legacy layout, no Components V2 flag)
ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
SELECT_OPTIONS = 25
SELECT_OPTION_LABEL = 100
SELECT_OPTION_VALUE = 100
SELECT_OPTION_DESCRIPTION = 100
SELECT_PLACEHOLDER = 150

# Modals
MODAL_TITLE = 45
MODAL_COMPONENTS = 5
TEXT_INPUT_LABEL = 45
TEXT_INPUT_VALUE = 4000
TEXT_INPUT_PLACEHOLDER = 100

# Application commands
AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME_MIN = 1
CHOICE_NAME = 100
CHOICE_VALUE = 100
COMMAND_NAME = 32
COMMAND_DESCRIPTION = 100
OPTION_STRING_VALUE = 6000

# Interactions
INITIAL_RESPONSE_SECONDS = 3.0
FOLLOW_UP_SECONDS = 15 * 60

ELLIPSIS = "…"

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def shorten(text: str, limit: int, *, placeholder: str = ELLIPSIS) -> str:
    """``text`` cut to at most ``limit`` characters, ending in ``placeholder`` when cut.

    Cuts at the last word boundary when one is reasonably close, so labels do not end in
    half a word.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    if len(placeholder) >= limit:
        return placeholder[:limit]
    room = limit - len(placeholder)
    head = text[:room]
    space = head.rfind(" ")
    # Keep a word boundary only if it does not throw away more than a third of the room.
    if space >= room * 2 // 3:
        head = head[:space]
    return head.rstrip() + placeholder


def _hard_split(text: str, limit: int) -> list[str]:
    return [text[i : i + limit] for i in range(0, len(text), limit)]


def _pack(pieces: Iterable[str], limit: int, joiner: str) -> list[str]:
    """Greedily join ``pieces`` with ``joiner`` into chunks of at most ``limit`` characters."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = piece if not current else current + joiner + piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = piece
    if current:
        chunks.append(current)
    return chunks


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters.

    Prefers paragraph boundaries, then sentence boundaries, then spaces; only a single word
    longer than ``limit`` is cut mid-word. Whitespace at chunk edges is dropped; an empty or
    blank text gives no chunks.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= limit:
            pieces.append(paragraph)
            continue
        sentences: list[str] = []
        for sentence in _SENTENCE_END.split(paragraph):
            if len(sentence) <= limit:
                sentences.append(sentence)
                continue
            words: list[str] = []
            for word in sentence.split():
                words.extend(_hard_split(word, limit) if len(word) > limit else [word])
            sentences.extend(_pack(words, limit, " "))
        pieces.append("\n".join(_pack(sentences, limit, " ")))
    # Paragraph pieces may now hold several packed chunks separated by "\n": re-pack them as
    # units so no chunk exceeds the limit.
    units: list[str] = []
    for piece in pieces:
        units.extend(piece.split("\n") if len(piece) > limit else [piece])
    return _pack(units, limit, "\n\n")


@dataclass(frozen=True)
class EmbedSize:
    """The characters of one embed that count towards Discord's limits."""

    title: int = 0
    description: int = 0
    field_names: tuple[int, ...] = ()
    field_values: tuple[int, ...] = ()
    footer: int = 0
    author: int = 0

    @property
    def total(self) -> int:
        return (
            self.title
            + self.description
            + sum(self.field_names)
            + sum(self.field_values)
            + self.footer
            + self.author
        )

    def problems(self) -> list[str]:
        """Every single-embed limit this size breaks (empty when it fits)."""
        found: list[str] = []
        if self.title > EMBED_TITLE:
            found.append(f"title {self.title} > {EMBED_TITLE}")
        if self.description > EMBED_DESCRIPTION:
            found.append(f"description {self.description} > {EMBED_DESCRIPTION}")
        if len(self.field_names) > EMBED_FIELDS:
            found.append(f"{len(self.field_names)} fields > {EMBED_FIELDS}")
        found += [
            f"field name {n} > {EMBED_FIELD_NAME}" for n in self.field_names if n > EMBED_FIELD_NAME
        ]
        found += [
            f"field value {n} > {EMBED_FIELD_VALUE}"
            for n in self.field_values
            if n > EMBED_FIELD_VALUE
        ]
        if self.footer > EMBED_FOOTER:
            found.append(f"footer {self.footer} > {EMBED_FOOTER}")
        if self.author > EMBED_AUTHOR:
            found.append(f"author {self.author} > {EMBED_AUTHOR}")
        if self.total > EMBEDS_TOTAL_CHARACTERS:
            found.append(f"total {self.total} > {EMBEDS_TOTAL_CHARACTERS}")
        return found


def embed_size(payload: dict[str, Any]) -> EmbedSize:
    """Measure an embed given as its API dict (``discord.Embed.to_dict()``)."""
    fields = payload.get("fields") or []
    return EmbedSize(
        title=len(payload.get("title") or ""),
        description=len(payload.get("description") or ""),
        field_names=tuple(len(f.get("name") or "") for f in fields),
        field_values=tuple(len(f.get("value") or "") for f in fields),
        footer=len((payload.get("footer") or {}).get("text") or ""),
        author=len((payload.get("author") or {}).get("name") or ""),
    )


def message_embed_problems(payloads: Sequence[dict[str, Any]]) -> list[str]:
    """Every limit a message carrying these embeds would break (empty when it fits)."""
    found: list[str] = []
    if len(payloads) > EMBEDS_PER_MESSAGE:
        found.append(f"{len(payloads)} embeds > {EMBEDS_PER_MESSAGE}")
    total = 0
    for index, payload in enumerate(payloads):
        size = embed_size(payload)
        total += size.total
        found += [f"embed {index}: {p}" for p in size.problems() if not p.startswith("total")]
    if total > EMBEDS_TOTAL_CHARACTERS:
        found.append(f"embeds total {total} > {EMBEDS_TOTAL_CHARACTERS}")
    return found


def fits_custom_id(custom_id: str) -> bool:
    return 1 <= len(custom_id) <= CUSTOM_ID


_MENTION = re.compile(r"@(everyone|here|[!&]?\d{15,21})")


def neutralise_mentions(text: str) -> str:
    """Break every ``@everyone``, ``@here`` and user/role mention with a zero-width space.

    ``allowed_mentions`` already stops pings; this is the second lock, and it also keeps
    echoed text from rendering as a live mention.
    """
    return _MENTION.sub("@\u200b\\1", text)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_INLINE_MARKUP = re.compile(r"[\\*_~|`\[\]]")
_LINE_START_MARKUP = re.compile(r"^(#{1,3} |-# |[-+] |>>> |> )")
_NUMBERED_LIST = re.compile(r"^(\d+)\. ")


def member_text(text: str, limit: int) -> str:
    """Text a member wrote, made safe to show to others: one line, lone surrogates replaced
    (they are not valid UTF-8), mentions broken, every Markdown construct escaped (masked
    links, headings, code blocks, emphasis, spoilers, lists), shortened to ``limit``."""
    flat = _LONE_SURROGATE.sub("\ufffd", " ".join(text.split()))
    # Brackets too: "[free Nitro](https://evil.example)" must read as text, not as a link
    # whose target differs from what it says.
    escaped = _INLINE_MARKUP.sub(r"\\\g<0>", flat)
    escaped = _LINE_START_MARKUP.sub(lambda m: "\\" + m.group(1), escaped)
    escaped = _NUMBERED_LIST.sub(r"\1\\. ", escaped)
    return shorten(neutralise_mentions(escaped), limit)
