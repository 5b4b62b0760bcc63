"""The corpus as schema.org ClaimReview JSON-LD (``factdesk corpus export``), pure.

One ``ClaimReview`` per fact-check with a verdict (ClaimReview requires a rating), in one
document with an ``@graph``, which :func:`bot.core.importers.import_claimreview` reads
back. What ClaimReview carries survives the round trip: the id (an ``@id`` of
``urn:factdesk:claim:<id>``, or the id it was imported from), question (``claimReviewed``),
dates (``datePublished``, ``dateModified``), verdict (``reviewRating.alternateName``),
summary (``reviewBody``), language (``inLanguage``), claimant (``itemReviewed.author``),
the first source as the review itself (``name``, ``author``, ``url``) and the others as the
claim's ``appearance`` list. Sections, follow-ups, aliases and tags have no place in
ClaimReview and are not exported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.core.importers import FACTDESK_ID_PREFIX
from bot.core.models import FactCheck, Source

SCHEMA = "https://schema.org"


def _named(kind: str, name: str | None) -> dict[str, Any] | None:
    return None if name is None else {"@type": kind, "name": name}


def _appearance(source: Source) -> dict[str, Any]:
    entry: dict[str, Any] = {"@type": "CreativeWork", "headline": source.title}
    entry["name"] = source.title
    if source.publisher is not None:
        entry["author"] = _named("Organization", source.publisher)
    if source.published is not None:
        entry["datePublished"] = source.published.isoformat()
    if source.url is not None:
        entry["url"] = str(source.url)
    return entry


def claim_review(fc: FactCheck) -> dict[str, Any] | None:
    """One fact-check as a ClaimReview node; None when it has no verdict to rate."""
    if fc.verdict is None:
        return None
    sources = sorted(fc.sources, key=lambda s: s.number)
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "@id": fc.external_id or f"{FACTDESK_ID_PREFIX}{fc.id}",
        "claimReviewed": fc.question,
        "datePublished": fc.checked_on.isoformat(),
        "reviewRating": {"@type": "Rating", "alternateName": fc.verdict},
        "reviewBody": fc.summary,
        "inLanguage": fc.language,
    }
    if fc.updated_on is not None:
        review["dateModified"] = fc.updated_on.isoformat()
    if sources:
        first = sources[0]
        review["name"] = first.title
        if first.publisher is not None:
            review["author"] = _named("Organization", first.publisher)
        if first.url is not None:
            review["url"] = str(first.url)
    item: dict[str, Any] = {"@type": "Claim"}
    if fc.claimant is not None:
        item["author"] = _named("Person", fc.claimant)
    if len(sources) > 1:
        item["appearance"] = [_appearance(source) for source in sources[1:]]
    review["itemReviewed"] = item
    return review


def export_claimreview(corpus: Iterable[FactCheck]) -> tuple[dict[str, Any], list[str]]:
    """The JSON-LD document, and the ids left out (no verdict)."""
    graph: list[dict[str, Any]] = []
    skipped: list[str] = []
    for fc in corpus:
        node = claim_review(fc)
        if node is None:
            skipped.append(fc.id)
        else:
            graph.append(node)
    return {"@context": SCHEMA, "@graph": graph}, skipped
