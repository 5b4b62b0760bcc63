"""Turning fact-checks published elsewhere into :class:`~bot.core.models.FactCheck` entries.

Two inputs are understood:

* schema.org **ClaimReview** JSON-LD, as fact-checkers embed it in their pages: one object,
  a list of objects, or an ``@graph``; also the ``{"claims": [...]}`` answer of Google's
  Fact Check Tools search API.
* **JSONL** with the fields of ``../shared/datasets/*/vclaims.jsonl`` (``id``, ``claim``,
  ``title``, ``subtitle``, ``author``, ``speaker``, ``rating``, ``date``, ``url``).

A record that lacks a required field is reported as a :class:`~bot.core.corpus_file.Problem`
and skipped; the others import. Foreign ids are kept verbatim in ``external_id`` and a
valid slug is derived for ``id`` (see :func:`slug_for`). ``docs/corpus-format.md`` lists
which field lands where.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import ValidationError

from bot.core.corpus_file import Problem, render_fact_check
from bot.core.models import CLAIM_ID_PATTERN, FactCheck

ImportFormat = Literal["claimreview", "jsonl"]
FORMATS: tuple[ImportFormat, ...] = ("claimreview", "jsonl")

# Stands for "no date known" on dataset records that carry none; nobody checked a claim in
# 1970, so a reader cannot mistake it for a real date.
UNDATED = date(1970, 1, 1)
_CLAIM_ID_RE = re.compile(CLAIM_ID_PATTERN)
_MAX_SLUG = 80
_HASH_CHARS = 8
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DAY_MONTH_YEAR_RE = re.compile(r"\b(\d{1,2})\s*([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_MONTH_DAY_YEAR_RE = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b")
# PolitiFact's rating slugs, spelled as PolitiFact prints them.
_RATING_NAMES = {
    "true": "True",
    "mostly-true": "Mostly True",
    "half-true": "Half True",
    "barely-true": "Mostly False",
    "mostly-false": "Mostly False",
    "false": "False",
    "pants-fire": "Pants on Fire",
    "full-flop": "Full Flop",
    "half-flip": "Half Flip",
    "no-flip": "No Flip",
}


# The @id factdesk's ClaimReview export gives an entry it did not import (bot.core.exporters).
FACTDESK_ID_PREFIX = "urn:factdesk:claim:"

# --------------------------------------------------------------------------- helpers


def slug_for(external_id: str, readable: str | None = None) -> str:
    """A valid claim id for a foreign id, stable and distinct for distinct inputs.

    An id that already is a valid slug (and no ``readable`` text is given) is kept as it
    is. Otherwise ``readable`` (default: the id itself) is lowercased, has its accents and
    other characters folded to ``-``, is cut to fit, and gets ``-`` plus 8 hex digits of
    the SHA-1 of the id, so two ids that fold or cut alike stay apart.
    """
    if readable is None and _CLAIM_ID_RE.match(external_id):
        return external_id
    text = external_id if readable is None else readable
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9_]+", "-", folded.lower()).strip("-_")
    digest = hashlib.sha1(external_id.encode("utf-8")).hexdigest()[:_HASH_CHARS]
    base = base[: _MAX_SLUG - _HASH_CHARS - 1].rstrip("-_")
    return f"{base}-{digest}" if base else digest


def _readable_part(external_id: str) -> str:
    """The telling part of a URL-shaped id: its path (``/2024/05/moon-cheese``)."""
    parts = urlsplit(external_id)
    if parts.scheme and parts.netloc:
        return f"{parts.path} {parts.fragment}".strip(" /") or parts.netloc
    return external_id


def parse_loose_date(text: str) -> date | None:
    """The first date in ``text``: ISO ``2019-10-22``, ``22 Oct 2019`` or ``October 22, 2019``."""
    iso = _ISO_DATE_RE.search(text)
    candidates: list[tuple[int, int, int]] = []
    if iso:
        candidates.append((int(iso.group(1)), int(iso.group(2)), int(iso.group(3))))
    for match in _DAY_MONTH_YEAR_RE.finditer(text):
        month = _MONTHS.get(match.group(2).lower())
        if month:
            candidates.append((int(match.group(3)), month, int(match.group(1))))
    for match in _MONTH_DAY_YEAR_RE.finditer(text):
        month = _MONTHS.get(match.group(1).lower())
        if month:
            candidates.append((int(match.group(3)), month, int(match.group(2))))
    for year, month, day in candidates:
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return None


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _text(value: Any) -> str | None:
    """A non-empty stripped string, or ``None``."""
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _name_of(value: Any) -> str | None:
    """The name of a schema.org Person/Organization given as an object, string or list."""
    if isinstance(value, list):
        names = [n for n in (_name_of(v) for v in value) if n]
        return ", ".join(names) or None
    if isinstance(value, Mapping):
        return _text(value.get("name")) or _text(value.get("alternateName"))
    return _text(value)


def _validation_message(error: ValidationError) -> tuple[str | None, str]:
    first = error.errors()[0]
    loc = ".".join(str(part) for part in first.get("loc", ())) or None
    return loc, str(first.get("msg", "invalid"))


# --------------------------------------------------------------------------- JSONL


def import_jsonl(
    lines: Iterable[str], origin: str, undated: date | None = UNDATED
) -> tuple[list[FactCheck], list[Problem]]:
    """Fact-checks from JSONL lines shaped like the ``vclaims.jsonl`` datasets.

    ``id`` and ``claim`` are required. A record without a recognisable ``date`` still
    loads, checked on ``undated`` (the obviously-unknown :data:`UNDATED`), with a problem
    reported, so a dataset keeps every claim; ``undated=None`` skips such records instead.
    """
    problems: list[Problem] = []
    fact_checks = list(iter_jsonl(lines, origin, problems, undated))
    return fact_checks, problems


def iter_jsonl(
    lines: Iterable[str], origin: str, problems: list[Problem], undated: date | None = UNDATED
) -> Iterator[FactCheck]:
    """:func:`import_jsonl` one record at a time, appending problems to ``problems``.

    Nothing is held beyond the current line, so a million-line file can be streamed
    straight into a packed :class:`~bot.core.corpus.Corpus`.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(Problem(origin, number, None, f"invalid JSON: {error.msg}"))
            continue
        if not isinstance(record, dict):
            problems.append(Problem(origin, number, None, "a line must hold one JSON object"))
            continue
        fc, problem = _from_vclaim(record, origin, number, undated)
        if problem is not None:
            problems.append(problem)
        if fc is not None:
            yield fc


def _from_vclaim(
    record: Mapping[str, Any], origin: str, line: int, undated: date | None
) -> tuple[FactCheck | None, Problem | None]:
    external_id = _text(record.get("id")) if isinstance(record.get("id"), str) else None
    if isinstance(record.get("id"), int):
        external_id = str(record["id"])
    claim = _text(record.get("claim"))
    for name, value in (("id", external_id), ("claim", claim)):
        if value is None:
            return None, Problem(origin, line, name, "missing (required)")
    assert external_id is not None
    assert claim is not None
    raw_date = record.get("date")
    checked_on = parse_loose_date(raw_date) if isinstance(raw_date, str) else None
    date_problem = None
    if checked_on is None:
        message = "missing" if not raw_date else f"no date in {_clip(raw_date)!r}"
        if undated is None:
            return None, Problem(origin, line, "date", message)
        date_problem = Problem(
            origin,
            line,
            "date",
            f"{message}: loaded as checked on {undated.isoformat()}",
            warning=True,
        )
        checked_on = undated

    title = _text(record.get("title"))
    subtitle = _text(record.get("subtitle"))
    url = _text(record.get("url"))
    author = _text(record.get("author"))
    # A dataset record carries a headline, not an analysis: the headline (and a subtitle
    # that says more than "Rumor: <the claim>") is the closest thing to a summary.
    paragraphs = [title or claim]
    if subtitle and not subtitle.lower().startswith("rumor:") and subtitle != title:
        paragraphs.append(subtitle)
    source: dict[str, Any] = {"number": 1, "title": title or claim}
    if author:
        source["publisher"] = author
    if url:
        source["url"] = url
    rating = _text(record.get("rating"))
    data: dict[str, Any] = {
        "id": slug_for(external_id),
        "external_id": external_id,
        "question": claim,
        "checked_on": checked_on,
        "verdict": _RATING_NAMES.get(rating.lower(), rating) if rating else None,
        "claimant": _text(record.get("speaker")),
        "summary": "\n\n".join(paragraphs),
        "sources": [source],
        "aliases": [title] if title and title != claim else [],
    }
    try:
        return FactCheck.model_validate(data), date_problem
    except ValidationError as error:
        where, message = _validation_message(error)
        if where and where.startswith("sources.0.url"):
            # a malformed link should not cost the claim: keep it without the link
            source.pop("url", None)
            try:
                kept = Problem(origin, line, "url", message, warning=True)
                return FactCheck.model_validate(data), kept
            except ValidationError as again:
                where, message = _validation_message(again)
        return None, Problem(origin, line, where, message)


# --------------------------------------------------------------------------- ClaimReview


def import_claimreview(document: Any, origin: str) -> tuple[list[FactCheck], list[Problem]]:
    """Fact-checks from ClaimReview JSON-LD (object, list, ``@graph``) or a Google answer.

    Required per record: ``claimReviewed``, ``datePublished`` and a ``reviewRating`` with
    an ``alternateName`` (or ``textualRating``). Problems name the record as ``[n]``.
    """
    fact_checks: list[FactCheck] = []
    problems: list[Problem] = []
    for label, record in _claim_reviews(document, problems, origin):
        fc, problem = _from_claim_review(record, origin, label)
        if fc is not None:
            fact_checks.append(fc)
        if problem is not None:
            problems.append(problem)
    return fact_checks, problems


def _is_claim_review(value: Any) -> bool:
    if not isinstance(value, Mapping):
        return False
    kind = value.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "ClaimReview" in kinds


def _claim_reviews(
    document: Any, problems: list[Problem], origin: str
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(document, Mapping) and isinstance(document.get("claims"), list):
        yield from _google_claims(document["claims"])
        return
    if isinstance(document, Mapping) and isinstance(document.get("@graph"), list):
        # a page's graph also holds its WebPage, Organization, ... nodes: skip those
        for index, node in enumerate(document["@graph"]):
            if _is_claim_review(node):
                yield f"@graph[{index}]", node
        return
    records = document if isinstance(document, list) else [document]
    for index, record in enumerate(records):
        if _is_claim_review(record):
            yield f"[{index}]", record
        elif isinstance(record, Mapping) and isinstance(record.get("@graph"), list):
            for inner, node in enumerate(record["@graph"]):
                if _is_claim_review(node):
                    yield f"[{index}].@graph[{inner}]", node
        else:
            message = 'not a ClaimReview (its @type must be "ClaimReview")'
            problems.append(Problem(origin, None, f"[{index}]", message))


def _google_claims(claims: list[Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Google Fact Check Tools' ``claims[].claimReview[]`` reshaped as ClaimReview records."""
    for index, claim in enumerate(claims):
        if not isinstance(claim, Mapping):
            continue
        reviews = claim.get("claimReview")
        for inner, review in enumerate(reviews if isinstance(reviews, list) else []):
            if not isinstance(review, Mapping):
                continue
            yield (
                f"claims[{index}].claimReview[{inner}]",
                {
                    "@type": "ClaimReview",
                    "claimReviewed": claim.get("text"),
                    "itemReviewed": {"author": claim.get("claimant")},
                    "datePublished": review.get("reviewDate"),
                    "reviewRating": {"alternateName": review.get("textualRating")},
                    "publisher": review.get("publisher"),
                    "url": review.get("url"),
                    "name": review.get("title"),
                    "inLanguage": review.get("languageCode"),
                },
            )


def _from_claim_review(
    record: Mapping[str, Any], origin: str, label: str
) -> tuple[FactCheck | None, Problem | None]:
    def problem(name: str | None, message: str) -> Problem:
        return Problem(origin, None, f"{label}.{name}" if name else label, message)

    question = _text(record.get("claimReviewed"))
    if question is None:
        return None, problem("claimReviewed", "missing (required)")
    raw_date = record.get("datePublished")
    checked_on = parse_loose_date(raw_date) if isinstance(raw_date, str) else None
    if checked_on is None:
        message = "missing (required)" if not raw_date else f"no date in {raw_date!r}"
        return None, problem("datePublished", message)
    rating = record.get("reviewRating")
    verdict = None
    if isinstance(rating, Mapping):
        verdict = _text(rating.get("alternateName")) or _text(rating.get("textualRating"))
    if verdict is None:
        return None, problem("reviewRating.alternateName", "missing (required)")

    url = _text(record.get("url"))
    reviewer = _name_of(record.get("author")) or _name_of(record.get("publisher"))
    headline = _text(record.get("name")) or _text(record.get("headline"))
    modified = record.get("dateModified")
    updated_on = parse_loose_date(modified) if isinstance(modified, str) else None
    if updated_on is not None and updated_on < checked_on:
        updated_on = None

    item = record.get("itemReviewed")
    item = item if isinstance(item, Mapping) else {}
    claimant = _name_of(item.get("author"))
    sources: list[dict[str, Any]] = [
        {
            "number": 1,
            "title": headline or f"Fact-check: {question}",
            "publisher": reviewer,
            "published": checked_on,
            "url": url,
        }
    ]
    for appearance in _appearances(item):
        sources.append({"number": len(sources) + 1, **appearance})

    body = _text(record.get("reviewBody")) or _text(record.get("description"))
    who = reviewer or "The fact-checker"
    summary = body or f"{who} rated this claim: {verdict}."
    external_id = _text(record.get("@id")) or url
    language = _text(record.get("inLanguage"))
    if external_id is not None:
        claim_id = slug_for(external_id, _readable_part(external_id))
        # factdesk's own export names its entries by id (bot.core.exporters).
        own = external_id.removeprefix(FACTDESK_ID_PREFIX)
        if own != external_id and _CLAIM_ID_RE.match(own):
            claim_id, external_id = own, None
    else:
        claim_id = slug_for(f"{question} {checked_on.isoformat()}", question)
    data: dict[str, Any] = {
        "id": claim_id,
        "external_id": external_id,
        "question": question,
        "language": language if language and _LANGUAGE_RE.match(language) else "en",
        "checked_on": checked_on,
        "updated_on": updated_on,
        "verdict": verdict,
        "claimant": claimant,
        "summary": summary,
        "sources": sources,
    }
    try:
        return FactCheck.model_validate(data), None
    except ValidationError as error:
        where, message = _validation_message(error)
        return None, problem(where, message)


def _appearances(item: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Where the reviewed claim appeared, as sources (links only; the names may be absent)."""
    raw = item.get("appearance") or item.get("firstAppearance")
    for entry in raw if isinstance(raw, list) else [raw]:
        if isinstance(entry, str) and entry.strip():
            yield {"title": "Where the claim appeared", "url": entry.strip()}
        elif isinstance(entry, Mapping) and (_text(entry.get("url")) or _text(entry.get("name"))):
            published = entry.get("datePublished")
            yield {
                "title": _text(entry.get("headline"))
                or _text(entry.get("name"))
                or "Where the claim appeared",
                "publisher": _name_of(entry.get("author")) or _name_of(entry.get("publisher")),
                "published": parse_loose_date(published) if isinstance(published, str) else None,
                "url": _text(entry.get("url")),
            }


# --------------------------------------------------------------------------- files


def guess_format(path: Path) -> ImportFormat:
    return "jsonl" if path.suffix.lower() == ".jsonl" else "claimreview"


def read_import_file(
    path: Path, import_format: ImportFormat | None = None, undated: date | None = UNDATED
) -> tuple[list[FactCheck], list[Problem]]:
    """Every fact-check a ClaimReview ``.json`` or ``.jsonl`` file holds, and the problems."""
    import_format = import_format or guess_format(path)
    name = str(path)
    try:
        with path.open(encoding="utf-8") as handle:
            if import_format == "jsonl":
                return import_jsonl(handle, name, undated)
            document = json.load(handle)
    except OSError as error:
        return [], [Problem(name, None, None, f"cannot read the file: {error.strerror}")]
    except UnicodeDecodeError:
        return [], [Problem(name, None, None, "not valid UTF-8")]
    except json.JSONDecodeError as error:
        return [], [Problem(name, error.lineno, None, f"invalid JSON: {error.msg}")]
    return import_claimreview(document, name)


def write_fact_checks(
    fact_checks: Iterable[FactCheck], out_dir: Path, overwrite: bool = False
) -> tuple[list[Path], list[Problem]]:
    """One ``<id>.md`` per fact-check in ``out_dir``; existing files are kept unless told."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for fc in fact_checks:
        target = out_dir / f"{fc.id}.md"
        if fc.id in seen:
            problems.append(Problem(str(target), None, "id", f"duplicate id {fc.id!r}: skipped"))
            continue
        seen.add(fc.id)
        if target.exists() and not overwrite:
            message = "already exists (use --force to replace it)"
            problems.append(Problem(str(target), None, None, message))
            continue
        target.write_text(render_fact_check(fc), encoding="utf-8")
        written.append(target)
    return written, problems
