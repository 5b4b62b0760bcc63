"""The corpus the bot serves together with the matcher built over it.

The two always travel together: a reload builds a new :class:`Library` off to the side and
the bot swaps its reference in one assignment, so no request ever sees a corpus with the
matcher of another.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core.corpus import Corpus, Problem, load_corpus
from bot.core.matching import DEFAULT_THRESHOLD, Matcher


@dataclass(frozen=True, slots=True)
class Library:
    """A corpus and its matcher."""

    corpus: Corpus
    matcher: Matcher

    @classmethod
    def build(cls, corpus: Corpus, *, threshold: float = DEFAULT_THRESHOLD) -> Library:
        return cls(corpus, Matcher.from_corpus(corpus, threshold=threshold))

    @classmethod
    def load(
        cls, path: Path, *, threshold: float = DEFAULT_THRESHOLD
    ) -> tuple[Library, list[Problem]]:
        """Load ``path`` (a directory of entries, or a .jsonl/.json file) and index it.

        Broken files are left out and returned as problems; the rest is served.
        """
        report = load_corpus(path)
        return cls.build(report.corpus, threshold=threshold), report.problems
