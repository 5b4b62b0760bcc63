"""The corpus the bot serves together with the matcher built over it.

The two always travel together: a reload builds a new :class:`Library` off to the side and
the bot swaps its reference in one assignment, so no request ever sees a corpus with the
matcher of another.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from bot.core import index_store
from bot.core.corpus import DATASET_SUFFIXES, Corpus, CorpusPacker, Problem, iter_file, load_corpus
from bot.core.index_store import Outcome
from bot.core.matching import (
    EmptyQuestionError,
    MatchEntry,
    Matcher,
    ScorerChoice,
)
from bot.core.models import FactCheck


@dataclass(frozen=True, slots=True)
class Library:
    """A corpus and its matcher."""

    corpus: Corpus
    matcher: Matcher

    @classmethod
    def build(
        cls,
        corpus: Corpus,
        *,
        threshold: float | None = None,
        scorer: ScorerChoice = "shipped",
        vectors_from: Matcher | None = None,
    ) -> Library:
        """``threshold`` defaults to the scorer's (:data:`DEFAULT_THRESHOLD` for the shipped
        one); ``scorer=None`` uses the old hand-tuned score (for comparisons);
        ``vectors_from``, a matcher built before, lends the vectors of the phrasings it
        shares (only the new ones are embedded)."""
        matcher = Matcher.from_corpus(
            corpus, threshold=threshold, scorer=scorer, vectors_from=vectors_from
        )
        return cls(corpus, matcher)

    @classmethod
    def load(
        cls,
        path: Path,
        *,
        threshold: float | None = None,
        scorer: ScorerChoice = "shipped",
        vectors_from: Matcher | None = None,
    ) -> tuple[Library, list[Problem]]:
        """Load ``path`` (a directory of entries, or a .jsonl/.json file) and index it.

        Broken files are left out and returned as problems; the rest is served.
        """
        path = Path(path)
        if not (path.is_file() and path.suffix.lower() in DATASET_SUFFIXES):
            report = load_corpus(path)
            library = cls.build(
                report.corpus, threshold=threshold, scorer=scorer, vectors_from=vectors_from
            )
            return library, report.problems
        # A dataset file: pack and index each fact-check in one pass, so a million claims
        # are never all held as objects at once.
        problems: list[Problem] = []
        packer = CorpusPacker()

        def entries() -> Iterator[MatchEntry]:
            for fc in iter_file(path, problems):
                packer.add(fc)
                yield MatchEntry.of(fc)

        matcher = Matcher(entries(), threshold=threshold, scorer=scorer, vectors_from=vectors_from)
        return cls(packer.finish(), matcher), problems

    @classmethod
    def open(
        cls, path: Path, index_dir: Path, *, threshold: float | None = None
    ) -> tuple[Library, list[Problem], Outcome]:
        """:meth:`load`, through the persisted index in ``index_dir``: a corpus indexed
        before (same bytes, same code) opens from its saved index instead of being built."""
        path = Path(path)

        def build(older: object) -> tuple[Library, list[Problem]]:
            # an older index of this directory lends the vectors of unchanged phrasings
            before = older[0].matcher if _is_saved_library(older) else None
            return cls.load(path, threshold=threshold, vectors_from=before)

        (library, problems), outcome = index_store.open_or_build(path, index_dir, build)
        if threshold is not None:
            library.matcher.threshold = threshold
        return library, list(problems), outcome

    def answer(self, question: str) -> FactCheck | None:
        """The fact-check that answers ``question`` confidently, if any (blocking: call it
        from a worker thread in the bot)."""
        if not question.strip():
            return None
        try:
            best = self.matcher.match(question).best
        except EmptyQuestionError:  # nothing left after normalisation
            return None
        return None if best is None else self.corpus.get(best.claim_id)

    def find_answer(self, question: str) -> str | None:
        """The claim id of :meth:`answer`, or None."""
        found = self.answer(question)
        return None if found is None else found.id


def _is_saved_library(value: object) -> TypeGuard[tuple[Library, list[Problem]]]:
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], Library)
