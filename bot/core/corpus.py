"""Reading and writing the corpus: one Markdown file per fact-check, TOML front matter.

A corpus file starts with a ``+++`` line, holds TOML (read with the stdlib ``tomllib``) up
to the next ``+++`` line, and continues with Markdown: the executive summary is every
paragraph before the first ``## `` heading, and each ``## `` heading opens a section.
``docs/corpus-format.md`` documents the format.

Loading never stops at the first broken file: every problem is collected as a
:class:`Problem` naming the file, the line where it can be known and the field, and every
file that is fine still loads. A ``.jsonl`` or ClaimReview ``.json`` file is loaded straight
through :mod:`bot.core.importers`, without one file per claim.
"""

from __future__ import annotations

import re
import tomllib
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.core.corpus_file import (
    FENCE,
    MAX_FILE_BYTES,
    Problem,
    read_regular_file,
    render_fact_check,
)
from bot.core.importers import iter_jsonl, read_import_file
from bot.core.models import CITATION_RE, FactCheck
from bot.core.packed import PackedBytes

# Defined in bot.core.corpus_file; importable from here as before.
__all__ = [
    "DATASET_SUFFIXES",
    "FENCE",
    "MAX_FILE_BYTES",
    "Corpus",
    "CorpusPacker",
    "LoadReport",
    "Problem",
    "iter_file",
    "load_corpus",
    "parse_fact_check",
    "render_fact_check",
    "split_problems",
]

# Files loaded straight through the importers instead of as a directory of entries.
DATASET_SUFFIXES = frozenset({".jsonl", ".json"})

_TOML_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TABLE_HEADER_RE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
# "## Heading" and "## Heading ##" (a closing run of '#' needs a space before it, so the
# '#' of "C#" stays part of the heading).
_HEADING_RE = re.compile(r"^##(?!#)\s*(.*?)(?:\s+#+)?\s*$")
# Fields that the Markdown body supplies; the front matter must not set them.
_BODY_FIELDS = ("summary", "sections")
# "+++ es" opens the entry's translation into a language: TOML (question, aliases, verdict,
# follow_ups) up to the next "+++", then its Markdown body (docs/corpus-format.md).
_TRANSLATION_RE = re.compile(r"^\+\+\+\s+([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\s*$")
# A translated question is an embed's title on Discord (at most 256 characters).
TRANSLATED_QUESTION_MAX = 256


class Corpus:
    """An immutable set of fact-checks, iterated in order of id.

    ``Corpus(fact_checks)`` keeps the validated objects, right for a directory of files.
    :meth:`packed` keeps each entry as compressed JSON instead and rebuilds the object on
    :meth:`get`: a 1M-claim dataset held as pydantic objects costs about 2.7 KB per claim,
    packed about a tenth of that (docs/performance-core.md).
    """

    __slots__ = ("_by_checked", "_by_updated", "_cache", "_ids", "_index", "_items", "_packer")

    def __init__(self, fact_checks: Sequence[FactCheck] = ()) -> None:
        by_id: dict[str, FactCheck] = {}
        for fc in fact_checks:
            if fc.id in by_id:
                raise ValueError(f"duplicate fact-check id {fc.id!r}")
            by_id[fc.id] = fc
        ordered = sorted(by_id.values(), key=_by_id_key)
        dates = [(fc.id, fc.checked_on, fc.updated_on) for fc in ordered]
        self._setup([fc.id for fc in ordered], ordered, None, dates)

    @classmethod
    def packed(cls, fact_checks: Iterable[FactCheck]) -> Corpus:
        """A corpus holding ``fact_checks`` compressed; reads them from an iterator once."""
        packer = CorpusPacker()
        for fc in fact_checks:
            packer.add(fc)
        return packer.finish()

    def _setup(
        self,
        ids: list[str],
        items: Sequence[FactCheck | bytes],
        packer: _Packer | None,
        dates: Sequence[tuple[str, date, date | None]],
    ) -> None:
        self._ids: tuple[str, ...] = tuple(ids)
        self._index: dict[str, int] = {claim_id: i for i, claim_id in enumerate(self._ids)}
        # A packed corpus's records stay one buffer (bot.core.packed): a restart maps it.
        self._items: Sequence[FactCheck | bytes] = (
            items if isinstance(items, PackedBytes) else tuple(items)
        )
        self._packer = packer
        self._cache: dict[int, FactCheck] = {}
        checked: list[tuple[int, int]] = []
        updated: list[tuple[int, int]] = []
        for position, (_, checked_on, updated_on) in enumerate(dates):
            checked.append((checked_on.toordinal(), position))
            if updated_on is not None:
                updated.append((updated_on.toordinal(), position))
        # Sorted by day, so "what changed in this window" is two binary searches.
        self._by_checked = _DayIndex(checked)
        self._by_updated = _DayIndex(updated)

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[FactCheck]:
        return (self._at(i) for i in range(len(self._ids)))

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._index

    def __repr__(self) -> str:
        return f"Corpus({len(self)} fact-checks)"

    def get(self, claim_id: str) -> FactCheck | None:
        position = self._index.get(claim_id)
        return None if position is None else self._at(position)

    @property
    def ids(self) -> tuple[str, ...]:
        return self._ids

    def same_record(self, other: Corpus, claim_id: str) -> bool:
        """Whether ``other`` certainly holds the very record this corpus has for
        ``claim_id``, decided without decoding either when both are packed with one
        compression dictionary (equal bytes, equal record). False means "maybe not":
        decode and compare."""
        mine, theirs = self._index.get(claim_id), other._index.get(claim_id)
        if mine is None or theirs is None:
            return False
        if self._packer is None or other._packer is None:
            return False
        if not self._packer.same_dictionary(other._packer):
            return False
        return bytes(self._items[mine]) == bytes(other._items[theirs])  # type: ignore[arg-type]

    def changed_between(self, first_day: date, end_day: date) -> list[FactCheck]:
        """Entries checked or updated on a day in ``[first_day, end_day)``, in id order."""
        first, end = first_day.toordinal(), end_day.toordinal()
        positions = self._by_checked.between(first, end) | self._by_updated.between(first, end)
        return [self._at(i) for i in sorted(positions)]

    def _at(self, position: int) -> FactCheck:
        item = self._items[position]
        if isinstance(item, FactCheck):
            return item
        cached = self._cache.get(position)
        if cached is None:
            assert self._packer is not None
            cached = self._packer.unpack(item)
            if len(self._cache) >= _UNPACKED_CACHE:
                # Oldest first: dicts keep insertion order.
                del self._cache[next(iter(self._cache))]
            self._cache[position] = cached
        return cached


class CorpusPacker:
    """Builds a packed :class:`Corpus` one fact-check at a time (see :meth:`Corpus.packed`).

    The incremental form lets :class:`~bot.core.library.Library` index each fact-check for
    matching in the same pass, instead of unpacking the whole corpus again afterwards.
    """

    def __init__(self) -> None:
        self._packer = _Packer()
        self._packed: dict[str, bytes] = {}
        self._dates: list[tuple[str, date, date | None]] = []

    def add(self, fc: FactCheck) -> None:
        if fc.id in self._packed:
            raise ValueError(f"duplicate fact-check id {fc.id!r}")
        self._packed[fc.id] = self._packer.pack(fc)
        self._dates.append((fc.id, fc.checked_on, fc.updated_on))

    def finish(self) -> Corpus:
        ids = sorted(self._packed)
        items = PackedBytes.of(self._packed.pop(claim_id) for claim_id in ids)
        self._dates.sort(key=lambda row: row[0])
        corpus = Corpus.__new__(Corpus)
        corpus._setup(ids, items, self._packer, self._dates)
        self._dates = []
        return corpus


# Decoded entries kept by a packed corpus: the answers being read right now.
_UNPACKED_CACHE = 2048
# Records whose JSON trains the compression dictionary of a packed corpus.
_PACKER_SAMPLE = 256


class _DayIndex:
    """Positions of entries sorted by a day (an ordinal), for range queries."""

    __slots__ = ("_days", "_positions")

    def __init__(self, rows: list[tuple[int, int]]) -> None:
        rows.sort()
        self._days = array("i", (day for day, _ in rows))
        self._positions = array("I", (position for _, position in rows))

    def between(self, first: int, end: int) -> set[int]:
        low, high = bisect_left(self._days, first), bisect_left(self._days, end)
        return set(self._positions[low:high])


class _Packer:
    """Compresses fact-checks as JSON with zlib, with a dictionary learnt from the first ones.

    Single records are too short for zlib to find repeats in; a preset dictionary made of
    typical records (field names, common words) gives it something to refer back to. A 4 KiB
    window and small state: creating a full-size compressor per record cost three times as
    much for 10% smaller records (about 200 bytes for a dataset claim of 670 bytes of JSON).
    """

    _WBITS = -12  # raw deflate (no header), 4 KiB window
    _MEM_LEVEL = 4

    def __init__(self) -> None:
        self._sample: list[bytes] = []
        self._zdict: bytes | None = None

    def same_dictionary(self, other: _Packer) -> bool:
        """Whether both compress with one dictionary (then equal records pack equal)."""
        return self._zdict is not None and self._zdict == other._zdict

    def pack(self, fc: FactCheck) -> bytes:
        raw = fc.model_dump_json(exclude_defaults=True).encode()
        if self._zdict is None:
            if len(self._sample) < _PACKER_SAMPLE:
                self._sample.append(raw)
                # Until the dictionary exists, store plainly (JSON starts with "{").
                return raw
            self._zdict = b"".join(self._sample)[-(1 << -self._WBITS) :]
            self._sample = []
        compressor = zlib.compressobj(
            6, zlib.DEFLATED, self._WBITS, self._MEM_LEVEL, zdict=self._zdict
        )
        return b"z" + compressor.compress(raw) + compressor.flush()

    def unpack(self, blob: bytes) -> FactCheck:
        if blob[:1] == b"z":
            assert self._zdict is not None
            blob = zlib.decompressobj(self._WBITS, zdict=self._zdict).decompress(blob[1:])
        return FactCheck.model_validate_json(blob)


def _by_id_key(fc: FactCheck) -> str:
    return fc.id


@dataclass(frozen=True)
class LoadReport:
    """What loading a corpus produced: the fact-checks that are fine, and every problem."""

    corpus: Corpus
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --------------------------------------------------------------------------- parsing


@dataclass
class _Located:
    """Where the parts of one file sit, so problems can name a line."""

    front_start: int  # file line number of the first TOML line
    toml_lines: list[str]
    summary_line: int | None = None
    section_lines: list[int] = field(default_factory=list)
    body_lines: list[tuple[int, str]] = field(default_factory=list)
    # where each "+++ <language>" block sits, by language
    translations: dict[str, _Located] = field(default_factory=dict)

    def top_level_key_line(self, name: str) -> int | None:
        """The file line of ``name =`` before any ``[table]`` of the front matter."""
        for offset, line in enumerate(self.toml_lines):
            if _TABLE_HEADER_RE.match(line):
                return None
            key = _KEY_RE.match(line)
            if key and key.group(1) == name:
                return self.front_start + offset
        return None

    def key_line(self, path: Sequence[str | int]) -> int | None:
        """The file line of ``key =`` for a loc such as ``("sources", 1, "url")``."""
        if not path:
            return None
        if path[0] == "translations" and len(path) > 1 and str(path[1]) in self.translations:
            block = self.translations[str(path[1])]
            return block.key_line(path[2:]) or block.front_start - 1
        head = str(path[0])
        if head == "summary":
            return self.summary_line
        if head == "sections":
            if len(path) > 1 and isinstance(path[1], int) and path[1] < len(self.section_lines):
                return self.section_lines[path[1]]
            return self.summary_line
        table_index = path[1] if len(path) > 1 and isinstance(path[1], int) else None
        inner_key = str(path[2]) if len(path) > 2 else None
        current_table: str | None = None
        seen_of_table = -1
        for offset, line in enumerate(self.toml_lines):
            header = _TABLE_HEADER_RE.match(line)
            if header:
                current_table = header.group(1)
                if current_table == head:
                    seen_of_table += 1
                    if table_index == seen_of_table and inner_key is None:
                        return self.front_start + offset
                continue
            key = _KEY_RE.match(line)
            if not key:
                continue
            if current_table is None and key.group(1) == head:
                # for an item of an inline array (aliases = [...]) the key's line is the
                # closest we know
                return self.front_start + offset
            if (
                current_table == head
                and seen_of_table == table_index
                and inner_key is not None
                and key.group(1) == inner_key
            ):
                return self.front_start + offset
        # the key is missing: point at its table, or at the front matter
        if table_index is not None:
            return self.key_line((head, table_index))
        return None


def parse_fact_check(text: str, filename: str) -> tuple[FactCheck | None, list[Problem]]:
    """Parse one corpus file; the fact-check is ``None`` when any problem is found."""
    fc, problems, _ = _parse(text, filename)
    return fc, problems


def _parse(text: str, filename: str) -> tuple[FactCheck | None, list[Problem], _Located | None]:
    def problem(line: int | None, where: str | None, message: str) -> Problem:
        return Problem(filename, line, where, message)

    if not text.strip():
        return None, [problem(None, None, "file is empty")], None
    # Only \n, \r\n and \r end a line: str.splitlines() would also split on characters
    # such as U+2028 that may sit inside a paragraph.
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip())
    if lines[first].strip() != FENCE:
        message = f"must start with a '{FENCE}' line opening the TOML front matter"
        return None, [problem(first + 1, None, message)], None
    close = next((i for i in range(first + 1, len(lines)) if lines[i].strip() == FENCE), None)
    if close is None:
        message = f"the front matter opened here has no closing '{FENCE}' line"
        return None, [problem(first + 1, None, message)], None

    located = _Located(front_start=first + 2, toml_lines=lines[first + 1 : close])
    try:
        front = tomllib.loads("\n".join(located.toml_lines))
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION_RE.search(message)
        line = None
        if position:
            line = located.front_start + int(position.group(1)) - 1
            message = message[: position.start()]
        elif message.endswith("(at end of document)"):
            line = close + 1  # the closing fence
            message = message.removesuffix("(at end of document)").rstrip()
        return None, [problem(line, None, f"invalid TOML: {message}")], located

    problems: list[Problem] = []
    for name in _BODY_FIELDS:
        if name in front:
            line = located.top_level_key_line(name) or first + 1
            message = "comes from the Markdown body, not the front matter"
            problems.append(problem(line, name, message))
            del front[name]

    blocks = [i for i in range(close + 1, len(lines)) if _TRANSLATION_RE.match(lines[i])]
    body_end = blocks[0] if blocks else len(lines)
    summary, sections = _parse_body(lines, close + 1, located, filename, problems, end=body_end)
    data: dict[str, Any] = dict(front)
    data["summary"] = summary
    data["sections"] = sections
    problems.extend(_citation_problems(front, located, filename))
    translated = _parse_translations(lines, blocks, front, filename, problems)
    if "translations" in front:
        line = located.top_level_key_line("translations") or first + 1
        message = "comes from '+++ <language>' blocks after the body, not the front matter"
        problems.append(problem(line, "translations", message))
    data["translations"] = {code: t for code, (t, _) in translated.items()}
    located.translations = {code: at for code, (_, at) in translated.items()}
    try:
        fc = FactCheck.model_validate(data)
    except ValidationError as error:
        cited_already = any(p.message.startswith("cites [") for p in problems)
        fields_already = {p.field for p in problems}
        for item in error.errors():
            mapped = _validation_problem(item, located, filename, first + 1)
            if cited_already and "no such source is listed" in mapped.message:
                continue  # reported above, with the exact line of each citation
            if mapped.field in fields_already:
                continue  # the body checks said it more precisely
            problems.append(mapped)
        return None, problems, located
    if problems:
        return None, problems, located
    return fc, [], located


@dataclass
class _RawSection:
    heading: str
    line: int
    body: list[str] = field(default_factory=list)


def _parse_translations(
    lines: list[str],
    blocks: list[int],
    front: Mapping[str, Any],
    filename: str,
    problems: list[Problem],
) -> dict[str, tuple[dict[str, Any], _Located]]:
    """Each "+++ <language>" block: its TOML and its Markdown body, problems named
    ``translations.<language>.<field>`` at their lines."""
    found: dict[str, tuple[dict[str, Any], _Located]] = {}
    for number, start in enumerate(blocks):
        match = _TRANSLATION_RE.match(lines[start])
        assert match is not None
        code = match.group(1)
        prefix = f"translations.{code}."
        end = blocks[number + 1] if number + 1 < len(blocks) else len(lines)
        close = next((i for i in range(start + 1, end) if lines[i].strip() == FENCE), None)
        if code in found:
            problems.append(Problem(filename, start + 1, prefix[:-1], "translated twice"))
            continue
        if close is None:
            message = f"the translation opened here has no closing '{FENCE}' line"
            problems.append(Problem(filename, start + 1, prefix[:-1], message))
            continue
        located = _Located(front_start=start + 2, toml_lines=lines[start + 1 : close])
        try:
            data: dict[str, Any] = tomllib.loads("\n".join(located.toml_lines))
        except tomllib.TOMLDecodeError as error:
            message = str(error)
            position = _TOML_POSITION_RE.search(message)
            line = start + 1
            if position:
                line = located.front_start + int(position.group(1)) - 1
                message = message[: position.start()]
            problems.append(Problem(filename, line, prefix[:-1], f"invalid TOML: {message}"))
            continue
        for name in _BODY_FIELDS:
            if name in data:
                line = located.top_level_key_line(name) or start + 1
                message = "comes from the Markdown body, not the front matter"
                problems.append(Problem(filename, line, prefix + name, message))
                del data[name]
        question = data.get("question")
        if isinstance(question, str) and len(question) > TRANSLATED_QUESTION_MAX:
            problems.append(
                Problem(
                    filename,
                    located.top_level_key_line("question") or start + 1,
                    prefix + "question",
                    f"is {len(question)} characters; Discord shows at most "
                    f"{TRANSLATED_QUESTION_MAX} in a title",
                )
            )
        summary, sections = _parse_body(
            lines, close + 1, located, filename, problems, end=end, prefix=prefix
        )
        data["summary"] = summary
        data["sections"] = sections
        problems.extend(_citation_problems(front, located, filename, prefix=prefix))
        found[code] = (data, located)
    return found


def _parse_body(
    lines: list[str],
    start: int,
    located: _Located,
    filename: str,
    problems: list[Problem],
    *,
    end: int | None = None,
    prefix: str = "",
) -> tuple[str, list[dict[str, str]]]:
    summary_lines: list[str] = []
    sections: list[_RawSection] = []
    for index in range(start, len(lines) if end is None else end):
        line = lines[index]
        heading = _HEADING_RE.match(line)
        if heading:
            located.section_lines.append(index + 1)
            sections.append(_RawSection(heading.group(1), index + 1))
            if not heading.group(1):
                problems.append(
                    Problem(
                        filename,
                        index + 1,
                        f"{prefix}sections[{len(sections) - 1}].heading",
                        "the '## ' heading has no text",
                    )
                )
            continue
        located.body_lines.append((index + 1, line))
        if sections:
            sections[-1].body.append(line)
        else:
            if line.strip() and located.summary_line is None:
                located.summary_line = index + 1
            summary_lines.append(line)
    summary = "\n".join(summary_lines).strip()
    if not summary:
        summary_at = located.section_lines[0] if located.section_lines else start + 1
        problems.append(
            Problem(
                filename,
                min(summary_at, len(lines)),
                f"{prefix}summary",
                "missing: write the executive summary before the first '## ' heading",
            )
        )
    rendered: list[dict[str, str]] = []
    for number, section in enumerate(sections):
        body = "\n".join(section.body).strip()
        if not body and section.heading:
            problems.append(
                Problem(
                    filename, section.line, f"{prefix}sections[{number}].body", "section is empty"
                )
            )
        rendered.append({"heading": section.heading, "body": body})
    return summary, rendered


def _citation_problems(
    front: Mapping[str, Any], located: _Located, filename: str, *, prefix: str = ""
) -> list[Problem]:
    """Every ``[n]`` citing a missing source, each with the line it sits on."""
    sources = front.get("sources", [])
    if not isinstance(sources, list):
        return []
    numbers = (_as_int(s.get("number")) for s in sources if isinstance(s, dict))
    known = {n for n in numbers if n is not None}
    problems = []
    section = -1
    for line_number, line in located.body_lines:
        if located.section_lines and line_number > located.section_lines[0]:
            section = sum(1 for start in located.section_lines if start < line_number) - 1
        for match in CITATION_RE.finditer(line):
            if int(match.group(1)) not in known:
                where = prefix + ("summary" if section < 0 else f"sections[{section}].body")
                listed = ", ".join(f"[{n}]" for n in sorted(known)) or "none"
                message = f"cites {match.group(0)} but no such source is listed (sources: {listed})"
                problems.append(Problem(filename, line_number, where, message))
    return problems


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _validation_problem(
    item: Mapping[str, Any], located: _Located, filename: str, fence_line: int
) -> Problem:
    loc = tuple(item.get("loc", ()))
    message = str(item.get("msg", "invalid"))
    if not loc and message.startswith("Value error, "):
        # errors of the model validator read "<field>: <message>"
        message = message.removeprefix("Value error, ")
        where, _, rest = message.partition(": ")
        field_path = _split_field_path(where)
        line = located.key_line(field_path) if field_path else None
        return Problem(filename, line or fence_line, where, rest or message)
    where = _format_loc(loc)
    if item.get("type") == "missing":
        message = "missing (required)"
    elif item.get("type") == "extra_forbidden":
        message = "unknown field"
    elif "input" in item and item.get("type") != "missing":
        message = f"{message} (got {_short_repr(item['input'])})"
    line = located.key_line(loc)
    return Problem(filename, line or fence_line, where or None, message)


def _split_field_path(where: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for piece in re.findall(r"[A-Za-z_]+|\[\d+\]", where):
        parts.append(int(piece[1:-1]) if piece.startswith("[") else piece)
    return tuple(parts)


def _format_loc(loc: Sequence[Any]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _short_repr(value: Any) -> str:
    text = repr(value) if not isinstance(value, date) else value.isoformat()
    return text if len(text) <= 60 else text[:57] + "..."


# --------------------------------------------------------------------------- loading


def load_corpus(path: Path) -> LoadReport:
    """Load a directory of ``*.md`` files, or a ``.jsonl`` / ClaimReview ``.json`` file.

    Files are read in name order, so when two files share an id the first by name wins
    and the second is reported. A follow-up naming an id that is not in the corpus is a
    problem of the file holding it; the entry still loads, with that link removed.
    """
    path = Path(path)
    if path.is_file() and path.suffix.lower() in DATASET_SUFFIXES:
        return _load_file(path)
    if not path.is_dir():
        return LoadReport(Corpus(), [Problem(str(path), None, None, "no such directory")])

    problems: list[Problem] = []
    parsed: list[tuple[str, FactCheck, _Located | None]] = []
    files = sorted(path.glob("*.md"))
    if not files:
        problems.append(Problem(str(path), None, None, "no *.md files in this directory"))
    for file in files:
        name = str(file)
        text, read_problem = _read_text(file)
        if read_problem is not None:
            problems.append(read_problem)
            continue
        assert text is not None
        fc, file_problems, located = _parse(text, name)
        problems.extend(file_problems)
        if fc is not None:
            parsed.append((name, fc, located))

    kept, duplicate_problems = _drop_duplicates(parsed)
    problems.extend(duplicate_problems)
    known = {fc.id for _, fc, _ in kept}
    final: list[FactCheck] = []
    for name, fc, located in kept:
        fixed, link_problems = _check_follow_up_links(name, fc, located, known)
        problems.extend(link_problems)
        final.append(fixed)
    problems.sort(key=lambda p: (p.file, p.line or 0))
    return LoadReport(Corpus(final), problems)


def split_problems(problems: Iterable[Problem]) -> tuple[list[Problem], list[Problem]]:
    """``(blocking, warnings)``: which problems of a load refuse a ``/corpus reload``.

    A start serves every entry that loads and prints every problem; a reload swaps the new
    corpus in only when no entry would be lost. So a problem blocks a reload only when its
    entry was left out (a file that does not parse, a record with no claim). A problem whose
    entry still loaded (:attr:`Problem.warning`: a follow-up link dropped, a dataset record
    loaded without a date as checked on ``UNDATED``, a record kept without its malformed
    link) is a warning and never blocks: the same file loads at start and on reload.
    """
    blocking: list[Problem] = []
    warnings: list[Problem] = []
    for problem in problems:
        (warnings if problem.warning else blocking).append(problem)
    return blocking, warnings


def _load_file(path: Path) -> LoadReport:
    problems: list[Problem] = []
    return LoadReport(Corpus.packed(iter_file(path, problems)), problems)


def iter_file(path: Path, problems: list[Problem]) -> Iterator[FactCheck]:
    """The fact-checks of a ``.jsonl`` or ClaimReview ``.json`` file, one at a time.

    Problems are appended to ``problems`` as they are found; a repeated id keeps the first
    record. A ``.jsonl`` file is streamed (such files hold up to millions of claims).
    """
    name = str(path)
    seen: set[str] = set()
    try:
        with ExitStack() as stack:
            fact_checks: Iterable[FactCheck]
            if path.suffix.lower() == ".jsonl":
                handle = stack.enter_context(path.open(encoding="utf-8"))
                fact_checks = iter_jsonl(handle, name, problems)
            else:
                fact_checks, import_problems = read_import_file(path)
                problems.extend(import_problems)
            for fc in fact_checks:
                if fc.id in seen:
                    message = f"duplicate id {fc.id!r}: already used earlier in this file"
                    problems.append(Problem(name, None, "id", message))
                    continue
                seen.add(fc.id)
                yield fc
    except OSError as error:
        problems.append(Problem(name, None, None, f"cannot read the file: {error.strerror}"))
    except UnicodeDecodeError:
        problems.append(Problem(name, None, None, "not valid UTF-8 (the rest is not loaded)"))


def _read_text(file: Path) -> tuple[str | None, Problem | None]:
    data, problem = read_regular_file(file)
    if data is None:
        return None, problem
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        message = f"not valid UTF-8 (byte 0x{byte}); save the file as UTF-8"
        return None, Problem(str(file), line, None, message)


def _drop_duplicates(
    parsed: list[tuple[str, FactCheck, _Located | None]],
) -> tuple[list[tuple[str, FactCheck, _Located | None]], list[Problem]]:
    first_file: dict[str, str] = {}
    kept = []
    problems = []
    for name, fc, located in parsed:
        if fc.id in first_file:
            line = located.key_line(("id",)) if located else None
            message = f"duplicate id {fc.id!r}: already used by {first_file[fc.id]}"
            problems.append(Problem(name, line, "id", message))
            continue
        first_file[fc.id] = name
        kept.append((name, fc, located))
    return kept, problems


def _check_follow_up_links(
    name: str, fc: FactCheck, located: _Located | None, known: set[str]
) -> tuple[FactCheck, list[Problem]]:
    problems = []
    follow_ups = list(fc.follow_ups)
    for index, follow_up in enumerate(follow_ups):
        if follow_up.claim is None or follow_up.claim in known:
            continue
        line = located.key_line(("follow_ups", index, "claim")) if located else None
        message = f"names {follow_up.claim!r}, which is not in the corpus (link dropped)"
        problems.append(Problem(name, line, f"follow_ups[{index}].claim", message, warning=True))
        follow_ups[index] = follow_up.model_copy(update={"claim": None})
    if not problems:
        return fc, []
    return fc.model_copy(update={"follow_ups": tuple(follow_ups)}), problems
