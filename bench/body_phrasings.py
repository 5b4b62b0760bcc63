"""What if the matcher read the fact-checks' body as phrasings? (a rejected idea, kept measured)

The DEA/Sinaloa post of issue 12 is not answered: its words ("intel on their rivals") are in
the US-aid fact-check's section on the alleged deal, not in its question or aliases. This
bench adds sentences of each bundled fact-check's body to its phrasings and reports, over
tests/fixtures/paraphrases.jsonl, the answerable paraphrases answered right and wrong, the
near-misses answered (each should be refused), and what the DEA post gets:

    .venv/bin/python bench/body_phrasings.py

Variants: ``none`` (as shipped), ``first`` (the first sentence of each section), ``sections``
(every sentence of every section). Results: docs/quality.md ("Reading the body").
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.library import Library
from bot.core.matching import MatchEntry, Matcher
from bot.core.models import FactCheck
from bot.paths import PROJECT_ROOT

PARAPHRASES = PROJECT_ROOT / "tests" / "fixtures" / "paraphrases.jsonl"
DEA_POST = (
    "Everyone knows the DEA let the Sinaloa cartel smuggle drugs into the US in exchange"
    " for intel on their rivals"
)
CITATION = re.compile(r"\s*\[\d+\]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def body_sentences(fc: FactCheck, variant: str) -> tuple[str, ...]:
    if variant == "none":
        return ()
    found: list[str] = []
    for section in fc.sections:
        sentences = [s for s in SENTENCE_END.split(CITATION.sub("", section.body)) if s.strip()]
        found.extend(sentences[:1] if variant == "first" else sentences)
    return tuple(found)


def main() -> int:
    library, problems = Library.load(PROJECT_ROOT / "data" / "claims")
    if problems:
        print(*problems, sep="\n", file=sys.stderr)
        return 1
    cases = [json.loads(line) for line in PARAPHRASES.read_text("utf-8").splitlines() if line]
    answerable = [c for c in cases if c["expect"] is not None]
    near_misses = [c for c in cases if c["expect"] is None]
    header = (
        f"| variant | paraphrases right / wrong (of {len(answerable)}) |"
        f" near-misses answered (of {len(near_misses)}) | DEA post |"
    )
    print(header)
    print("|---|---|---|---|")
    for variant in ("none", "first", "sections"):
        entries = []
        for fc in library.corpus:
            plain = MatchEntry.of(fc)
            extra = body_sentences(fc, variant)
            entries.append(MatchEntry(fc.id, fc.question, plain.aliases + extra, plain.context))
        matcher = Matcher(entries)

        def answer(question: str, matcher: Matcher = matcher) -> str | None:
            best = matcher.match(question).best
            return None if best is None else best.claim_id

        right = sum(answer(c["question"]) == c["expect"] for c in answerable)
        wrong = sum(answer(c["question"]) not in (None, c["expect"]) for c in answerable)
        answered_near = [c["question"] for c in near_misses if answer(c["question"]) is not None]
        dea = matcher.match(DEA_POST)
        top = dea.matches[0]
        verdict = "answered" if dea.best is not None else "not answered"
        print(
            f"| {variant} | {right} / {wrong} | {len(answered_near)} {answered_near} |"
            f" {verdict}; first {top.claim_id} at {top.score:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
