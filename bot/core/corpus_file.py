"""What the corpus loader and the importers share: problems, the file format, safe reading.

:mod:`bot.core.corpus` reads corpora and :mod:`bot.core.importers` turns datasets into
corpus files; both report :class:`Problem` and both need :func:`render_fact_check`. Those
live here so that neither module imports the other's internals (the corpus loader uses the
importers for ``.jsonl`` / ClaimReview files; the importers depend only on this module).

:func:`read_regular_file` is how any corpus file is read: only a regular file, at most
:data:`MAX_FILE_BYTES`, so a FIFO, a device or a huge dump named ``*.md`` is a problem of
that file instead of a start or a reload that never returns.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from bot.core.models import FactCheck, Section

FENCE = "+++"
# A fact-check is a few kilobytes; a file this large is a mistake (a pasted dump, a binary),
# and reading it whole would only slow the loader down.
MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file of the corpus.

    ``warning`` is true when the entry still loaded despite the problem (a dangling
    follow-up link that was dropped, a dataset record loaded without its date or link):
    such problems never refuse a reload (see :func:`bot.core.corpus.split_problems`).
    """

    file: str
    line: int | None
    field: str | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")


def _too_large(size: int, limit: int) -> str:
    return (
        f"file is {size / 1_000_000:.1f} MB; a fact-check file may be at most {limit // 1024} KiB"
    )


def read_regular_file(
    path: Path, limit: int = MAX_FILE_BYTES
) -> tuple[bytes | None, Problem | None]:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Otherwise a :class:`Problem` naming the file and the reason. The file is opened with
    ``O_NONBLOCK`` and checked with ``fstat`` before any read, so a FIFO with no writer or
    a device never blocks; at most ``limit + 1`` bytes are ever read.
    """
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        return None, Problem(name, None, None, f"cannot read the file: {error.strerror}")
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            message = (
                f"is {_kind(status.st_mode)}, not a regular file (only regular files are read)"
            )
            return None, Problem(name, None, None, message)
        if status.st_size > limit:
            return None, Problem(name, None, None, _too_large(status.st_size, limit))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        return None, Problem(name, None, None, f"cannot read the file: {error.strerror}")
    finally:
        os.close(fd)
    if size > limit:  # it grew while being read
        return None, Problem(name, None, None, _too_large(size, limit))
    return b"".join(chunks), None


# --------------------------------------------------------------------------- rendering


def render_fact_check(fc: FactCheck) -> str:
    """Write ``fc`` in the corpus file format; parsing the result gives ``fc`` back."""
    out = [FENCE]
    out.append(f"id = {_toml_str(fc.id)}")
    out.append(f"question = {_toml_str(fc.question)}")
    out.append(f"language = {_toml_str(fc.language)}")
    out.append(f"checked_on = {fc.checked_on.isoformat()}")
    if fc.updated_on is not None:
        out.append(f"updated_on = {fc.updated_on.isoformat()}")
    if fc.verdict is not None:
        out.append(f"verdict = {_toml_str(fc.verdict)}")
    if fc.claimant is not None:
        out.append(f"claimant = {_toml_str(fc.claimant)}")
    if fc.external_id is not None:
        out.append(f"external_id = {_toml_str(fc.external_id)}")
    for name, values in (("aliases", fc.aliases), ("tags", fc.tags)):
        if values:
            out.append(f"{name} = [")
            out.extend(f"    {_toml_str(value)}," for value in values)
            out.append("]")
    for source in fc.sources:
        out += ["", "[[sources]]", f"number = {source.number}"]
        out.append(f"title = {_toml_str(source.title)}")
        if source.publisher is not None:
            out.append(f"publisher = {_toml_str(source.publisher)}")
        if source.published is not None:
            out.append(f"published = {source.published.isoformat()}")
        if source.url is not None:
            out.append(f"url = {_toml_str(str(source.url))}")
    for follow_up in fc.follow_ups:
        out += ["", "[[follow_ups]]", f"question = {_toml_str(follow_up.question)}"]
        if follow_up.claim is not None:
            out.append(f"claim = {_toml_str(follow_up.claim)}")
    out += [FENCE, "", fc.summary]
    out += _render_sections(fc.sections)
    for code, translation in fc.translations.items():
        out += ["", f"{FENCE} {code}", f"question = {_toml_str(translation.question)}"]
        if translation.verdict is not None:
            out.append(f"verdict = {_toml_str(translation.verdict)}")
        for name, values in (
            ("aliases", translation.aliases),
            ("follow_ups", translation.follow_ups),
        ):
            if values:
                out.append(f"{name} = [")
                out.extend(f"    {_toml_str(value)}," for value in values)
                out.append("]")
        out += [FENCE, "", translation.summary]
        out += _render_sections(translation.sections)
    return "\n".join(out) + "\n"


def _render_sections(sections: tuple[Section, ...]) -> list[str]:
    out: list[str] = []
    for section in sections:
        # a heading is one line in Markdown
        heading = re.sub(r"\s*[\r\n]+\s*", " ", section.heading)
        out += ["", f"## {heading}", "", section.body]
    return out


def _toml_str(value: str) -> str:
    # A JSON string is a TOML basic string, except that TOML also forbids a raw DEL.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
