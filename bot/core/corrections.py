"""Which fact-checks a new corpus corrects: pure comparison of two corpora by id.

A correction is a change members would read differently: the verdict, or the summary (its
text with spacing normalised). New and removed entries are not corrections; edits to
sources or sections alone are not either (the answer's substance is the same).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.core.corpus import Corpus
from bot.core.models import FactCheck


class Lookup(Protocol):
    def get(self, claim_id: str) -> FactCheck | None: ...


@dataclass(frozen=True)
class Correction:
    claim_id: str
    old_verdict: str | None
    new_verdict: str | None
    summary_changed: bool


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def corrections(old: Lookup, new: Iterable[FactCheck]) -> list[Correction]:
    """Entries of ``new`` whose verdict or summary differs from the same id in ``old``."""
    if isinstance(old, Corpus) and isinstance(new, Corpus):
        # Two packed corpora: most records are byte-identical and need no decoding (a
        # reload at 100k claims decoded every one, for seconds of the bot's GIL).
        changed = (
            fc
            for claim_id in new.ids
            if not new.same_record(old, claim_id)
            if (fc := new.get(claim_id)) is not None
        )
        return _compare(old, changed)
    return _compare(old, new)


def _compare(old: Lookup, new: Iterable[FactCheck]) -> list[Correction]:
    found: list[Correction] = []
    for fc in new:
        before = old.get(fc.id)
        if before is None:
            continue
        verdict_changed = _text(before.verdict) != _text(fc.verdict)
        summary_changed = _text(before.summary) != _text(fc.summary)
        if verdict_changed or summary_changed:
            found.append(Correction(fc.id, before.verdict, fc.verdict, summary_changed))
    return found
