"""Near-duplicate detection for fact-check requests (pure; rapidfuzz).

Two members asking "Is the moon made of cheese?" and "is the Moon made of cheese??" want
the same fact-check, so their requests merge into one with two askers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz, process

# token_sort_ratio at or above this merges two requests. Chosen by hand on paraphrases:
# word order and punctuation changes score ~95-100, a different subject stays below ~80.
NEAR_DUPLICATE_SCORE = 88.0


def normalise(question: str) -> str:
    """Lowercase words only: no accents, punctuation, zero-width or direction marks."""
    decomposed = unicodedata.normalize("NFKD", question.casefold())
    kept = [
        ch if ch.isalnum() else " "
        for ch in decomposed
        if unicodedata.category(ch) not in {"Mn", "Cf"}
    ]
    return " ".join("".join(kept).split())


def near_duplicate(question: str, candidates: Iterable[tuple[int, str]]) -> int | None:
    """The id of the candidate ``(id, question)`` closest to ``question``, if close enough."""
    wanted = normalise(question)
    choices = {request_id: normalise(text) for request_id, text in candidates}
    if not wanted or not choices:
        return None
    best = process.extractOne(
        wanted, choices, scorer=fuzz.token_sort_ratio, score_cutoff=NEAR_DUPLICATE_SCORE
    )
    return None if best is None else int(best[2])
