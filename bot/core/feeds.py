"""Live ClaimReview feeds, the pure part: a fetched body becomes corpus entries, and feed
entries join the file corpus (issue 17 section 4).

A feed is a URL serving schema.org ClaimReview JSON-LD in any shape
:func:`bot.core.importers.import_claimreview` reads (one object, a list, an ``@graph``, a
Google Fact Check Tools answer) or a schema.org ``DataFeed`` whose ``dataFeedElement`` lists
ClaimReview objects or ``DataFeedItem`` wrappers around them (``item``: one or a list).
Each record becomes a :class:`~bot.core.models.FactCheck` by the importer's own rules, so a
feed entry and an imported file say the same thing; its id is derived from the record's
``@id`` (else its ``url``, else its claim and date), so a feed serving the same record
again gives the same id. A bad record is a :class:`~bot.core.corpus_file.Problem` naming
the feed and the record (``dataFeedElement[2].item[0].datePublished``); the others load.

A body with no usable record at all (not UTF-8, not JSON, no ClaimReview, every record
broken) is :attr:`FeedParse.usable` false: the fetcher then keeps the feed's last good body.

:func:`merge` joins feed entries to the file corpus: a file entry always wins an id clash,
then the feed listed first; each clash is a warning naming both. Nothing here does I/O; the
fetcher is :mod:`bot.feeds`.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.core.corpus import Corpus
from bot.core.corpus_file import Problem
from bot.core.importers import _from_claim_review, _is_claim_review, import_claimreview
from bot.core.library import Library
from bot.core.models import FactCheck

__all__ = [
    "MAX_BACKOFF",
    "MAX_URL_LENGTH",
    "FeedParse",
    "check_feed_url",
    "is_public_address",
    "merge",
    "merged_library",
    "parse_feed",
    "retry_delay",
]

# A failing feed waits twice as long after each failure, but never longer than this.
MAX_BACKOFF = timedelta(hours=12)
MAX_URL_LENGTH = 2000
# Above this many entries a merged corpus is kept packed, like a dataset file.
PACK_ABOVE = 5000
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


@dataclass(frozen=True)
class FeedParse:
    """What one fetched body holds: its entries, and what was wrong with it."""

    url: str
    entries: tuple[FactCheck, ...]
    problems: tuple[Problem, ...]

    @property
    def usable(self) -> bool:
        """Whether the body may replace the feed's last good one (it yields an entry)."""
        return bool(self.entries)


def _is_data_feed(value: Any) -> bool:
    if not isinstance(value, Mapping):
        return False
    kind = value.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "DataFeed" in kinds or (kind is None and isinstance(value.get("dataFeedElement"), list))


def _data_feed(document: Any) -> tuple[str, Mapping[str, Any]] | None:
    """The DataFeed in ``document`` (itself, or a node of its ``@graph``), with its label."""
    if _is_data_feed(document):
        return "", document
    graph = document.get("@graph") if isinstance(document, Mapping) else None
    if isinstance(graph, list):
        for index, node in enumerate(graph):
            if _is_data_feed(node):
                return f"@graph[{index}].", node
    return None


def _feed_records(
    prefix: str, feed: Mapping[str, Any], url: str, problems: list[Problem]
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    elements = feed.get("dataFeedElement")
    if not isinstance(elements, list):
        problems.append(Problem(url, None, f"{prefix}dataFeedElement", "missing (a list)"))
        return
    for index, element in enumerate(elements):
        label = f"{prefix}dataFeedElement[{index}]"
        if _is_claim_review(element):
            yield label, element
            continue
        inner = element.get("item") if isinstance(element, Mapping) else None
        items = inner if isinstance(inner, list) else [inner]
        found = False
        for position, item in enumerate(items):
            if _is_claim_review(item):
                found = True
                where = (
                    f"{label}.item" if not isinstance(inner, list) else f"{label}.item[{position}]"
                )
                yield where, item
        if not found:
            message = 'not a ClaimReview (nor a DataFeedItem whose "item" is one)'
            problems.append(Problem(url, None, label, message))


def parse_feed(body: bytes | str, url: str) -> FeedParse:
    """The entries of one fetched feed body; ``url`` names the feed in every problem."""
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            return FeedParse(url, (), (Problem(url, None, None, "not valid UTF-8"),))
    else:
        text = body
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return FeedParse(url, (), (Problem(url, error.lineno, None, f"invalid JSON: {error.msg}"),))
    except RecursionError:
        return FeedParse(url, (), (Problem(url, None, None, "invalid JSON: nested too deeply"),))
    found = _data_feed(document)
    if found is None:
        entries, problems = import_claimreview(document, url)
    else:
        problems = []
        entries = []
        for label, record in _feed_records(found[0], found[1], url, problems):
            fc, problem = _from_claim_review(record, url, label)
            if fc is not None:
                entries.append(fc)
            if problem is not None:
                problems.append(problem)
    unique, duplicates = _drop_repeats(entries, url)
    problems.extend(duplicates)
    if not unique and not problems:
        problems.append(Problem(url, None, None, "no ClaimReview found"))
    return FeedParse(url, tuple(unique), tuple(problems))


def _drop_repeats(entries: Iterable[FactCheck], url: str) -> tuple[list[FactCheck], list[Problem]]:
    """The first record of each id; a later one with the same id is a warning."""
    kept: dict[str, FactCheck] = {}
    problems: list[Problem] = []
    for fc in entries:
        if fc.id in kept:
            message = f"a second record with id {fc.id!r}: the first one is served"
            problems.append(Problem(url, None, "id", message, warning=True))
            continue
        kept[fc.id] = fc
    return list(kept.values()), problems


def merge(
    file_entries: Iterable[FactCheck], feeds: Sequence[FeedParse]
) -> tuple[list[FactCheck], list[Problem]]:
    """The file entries and every feed's, one entry per id: a file entry wins a clash,
    then the feed listed first. Each clash is a warning on the losing feed."""
    merged: dict[str, FactCheck] = {fc.id: fc for fc in file_entries}
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for feed in feeds:
        for fc in feed.entries:
            if fc.id in merged:
                winner = owner.get(fc.id)
                where = "the corpus files" if winner is None else f"the feed {winner}"
                message = f"id {fc.id!r} is also in {where}, whose entry is served"
                problems.append(Problem(feed.url, None, "id", message, warning=True))
                continue
            merged[fc.id] = fc
            owner[fc.id] = feed.url
    return list(merged.values()), problems


def merged_library(library: Library, feeds: Sequence[FeedParse]) -> tuple[Library, list[Problem]]:
    """``library`` with the feeds' entries joined (:func:`merge`), matcher rebuilt over all
    of them; ``library`` itself when no feed has an entry (its saved index stays in use)."""
    if not any(feed.entries for feed in feeds):
        return library, []
    entries, problems = merge(library.corpus, feeds)
    # A dataset-sized corpus stays packed (a tenth of the memory, docs/performance-core.md).
    corpus = Corpus.packed(entries) if len(entries) > PACK_ABOVE else Corpus(entries)
    return Library.build(corpus, threshold=library.matcher.threshold), problems


def retry_delay(interval: timedelta, failures: int) -> timedelta:
    """How long a feed waits before its next fetch after ``failures`` failures in a row:
    the interval, then twice as long after each further failure, at most
    :data:`MAX_BACKOFF` (never shorter than the interval)."""
    if failures <= 0:
        return interval
    # 2**n grows past any bound quickly: cap the exponent before multiplying.
    factor = 2 ** min(failures - 1, 32)
    return max(interval, min(interval * factor, MAX_BACKOFF))


def is_public_address(address: str) -> bool:
    """Whether an IP address is a public one (not loopback, private, link-local, ...)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_feed_url(url: str, *, allow_private: bool = False) -> str | None:
    """Why ``url`` cannot be a feed, or None when it can.

    Only ``http``/``https`` URLs with a host, no user name or password; unless
    ``allow_private``, not ``localhost`` nor a literal address that is not public. A host
    *name* is checked again where it resolves (:mod:`bot.feeds`), since only DNS knows.
    """
    if len(url) > MAX_URL_LENGTH:
        return f"a feed URL may be at most {MAX_URL_LENGTH} characters"
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return "a URL has no spaces or control characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "only http:// and https:// URLs can be feeds"
    if not host:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "a feed URL may not carry a user name or password"
    if allow_private:
        return None
    name = host.rstrip(".").lower()
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return "feeds on this machine (localhost) are not allowed"
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return None  # a name: checked where it resolves
    if not is_public_address(name):
        return "feeds on private, loopback or link-local addresses are not allowed"
    return None
