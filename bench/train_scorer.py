"""Train the matcher's learned scorer (bot/core/scorer_weights.json) on CheckThat! 2022 2A train.

    .venv/bin/python bench/train_scorer.py            # writes bot/core/scorer_weights.json
    .venv/bin/python bench/train_scorer.py --check    # retrains, fails if the file differs

Examples, all from the **train** split (dev is never read here):

- positives: each query's gold fact-checks among the matcher's candidates;
- negatives: the other candidates (the best ``PER_LIST`` by the old lexical score), and the
  best candidates once the train gold claims are held out of the corpus (what a question
  whose fact-check does not exist sees);
- entity swaps: the query with one of its names/numbers that the gold fact-check mentions
  replaced by a name from another train query, paired with that gold fact-check and
  labelled "does not answer" ("Did Russia help the cartels?" vs the US entry).

The model is an L2 logistic regression fitted by Newton's method (bot/core/scorer.py), so the
same data gives the same weights. The threshold written with the weights is the lowest
probability at which, in 5-fold cross-validation over the train queries, false matches with
the gold held out stay under ``FALSE_MATCH_TARGET``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality import DATASET, read_qrels, read_queries  # noqa: E402

from bot.core import scorer, text  # noqa: E402
from bot.core.corpus import Corpus  # noqa: E402
from bot.core.library import Library  # noqa: E402
from bot.core.matching import (  # noqa: E402
    CONTEXT_CHARS,
    LEXICAL_FEATURE,
    SHORT_QUESTION_TERMS,
    Matcher,
)

PER_LIST = 15
SEED = 14
FOLDS = 5
L2 = 1.0
AUGMENTED_WEIGHT = 0.5  # entity swaps and their originals count half a real example
FALSE_MATCH_TARGET = 0.015  # under the 2%, with room for dev to differ
_WORD_RE = re.compile(r"[A-Za-z0-9]+")


@dataclass
class QueryData:
    query_id: str
    full: list[tuple[str, list[float]]]  # (external id, features), every candidate
    held: list[tuple[str, list[float]]]
    gold: set[str]
    swaps: list[list[float]] = field(default_factory=list)
    originals: list[list[float]] = field(default_factory=list)


def top_by_lexical(rows: list[tuple[str, list[float]]], n: int) -> list[tuple[str, list[float]]]:
    return sorted(rows, key=lambda r: -r[1][LEXICAL_FEATURE])[:n]


def collect(split: str = "train") -> list[QueryData]:
    library, _ = Library.load(DATASET / "vclaims.jsonl", scorer=None)
    queries, qrels = read_queries(split), read_qrels(split)
    judged = [q for q in queries if q in qrels]
    to_ext = {fc.id: fc.external_id or fc.id for fc in library.corpus}
    by_ext = {fc.external_id or fc.id: fc for fc in library.corpus}
    gold_all = set().union(*(qrels[q] for q in judged))
    held_matcher = Matcher.from_corpus(
        Corpus([fc for fc in library.corpus if (fc.external_id or fc.id) not in gold_all]),
        scorer=None,
    )
    # names written with a capital in the train queries: the pool swaps draw from
    pool = sorted(
        {
            w
            for q in judged
            for w in _WORD_RE.findall(queries[q])
            if w[0].isupper() and len(w) > 3 and w.lower() not in text.STOPWORDS
        }
    )
    rng = random.Random(SEED)
    data: list[QueryData] = []
    for query_id in judged:
        question = queries[query_id]
        full = [(to_ext[c], f) for c, f in library.matcher.features(question)]
        held = [(to_ext[c], f) for c, f in held_matcher.features(question)]
        item = QueryData(query_id, full, held, qrels[query_id])
        for gold in sorted(qrels[query_id]):
            fc = by_ext.get(gold)
            if fc is None:
                continue
            said = set(text.terms(" ".join([fc.question, *fc.aliases, fc.summary[:CONTEXT_CHARS]])))
            # the tweet, and the fact-check's own claim (short, like a member's question);
            # a swapped claim comes with the claim itself as a positive, so that the pair
            # differs only in the name
            # Only short claims: the swap teaches what a missing name means in a member's
            # question; in long tweets (swapped too in an earlier design) it cost recall.
            if len(text.terms(fc.question)) > SHORT_QUESTION_TERMS:
                continue
            for source in (fc.question,):
                swapped = swap_entity(source, said, pool, rng)
                if swapped is None:
                    continue
                for claim, values in library.matcher.features(swapped):
                    if to_ext[claim] == gold:
                        item.swaps.append(values)
                if source is fc.question:
                    for claim, values in library.matcher.features(source):
                        if to_ext[claim] == gold:
                            item.originals.append(values)
        data.append(item)
    return data


def swap_entity(
    question: str, said: set[str], pool: Sequence[str], rng: random.Random
) -> str | None:
    """``question`` with one of its names that the fact-check mentions replaced by a name it
    does not, or None when the question names nothing the fact-check does."""
    names = [n for n in text.entities(question) if n in said]
    words = [w for w in _WORD_RE.findall(question) if text.stem(w.lower()) in names]
    if not words:
        return None
    original = rng.choice(words)
    replacement = rng.choice([w for w in pool if text.stem(w.lower()) not in said])
    return re.sub(rf"\b{re.escape(original)}\b", replacement, question)


def examples(data: Sequence[QueryData]) -> tuple[list[list[float]], list[int], list[float]]:
    rows: list[list[float]] = []
    labels: list[int] = []
    weights: list[float] = []
    for item in data:
        for ext, values in top_by_lexical(item.full, PER_LIST):
            rows.append(values)
            labels.append(int(ext in item.gold))
            weights.append(1.0)
        for ext, values in top_by_lexical(item.held, PER_LIST):
            rows.append(values)
            labels.append(int(ext in item.gold))
            weights.append(1.0)
        for values in item.swaps:
            rows.append(values)
            labels.append(0)
            weights.append(AUGMENTED_WEIGHT)
        for values in item.originals:
            rows.append(values)
            labels.append(1)
            weights.append(AUGMENTED_WEIGHT)
    return rows, labels, weights


def top(model: scorer.Scorer, rows: list[tuple[str, list[float]]]) -> tuple[str, float] | None:
    scored = [(ext, model.probability(values)) for ext, values in rows]
    return max(scored, key=lambda s: s[1]) if scored else None


def cross_validated_tops(
    data: Sequence[QueryData],
) -> list[tuple[QueryData, tuple[str, float] | None, tuple[str, float] | None]]:
    """Each query's top (id, probability) on the full and held-out corpus, scored by a
    model that did not see that query."""
    out = []
    for fold in range(FOLDS):
        fit_on = [d for i, d in enumerate(data) if i % FOLDS != fold]
        weights, bias = scorer.fit(*examples(fit_on), l2=L2)
        model = scorer.Scorer(weights, bias, 0.5)
        for i, item in enumerate(data):
            if i % FOLDS == fold:
                out.append((item, top(model, item.full), top(model, item.held)))
    return out


def choose_threshold(tops: Sequence[tuple[QueryData, object, object]]) -> float:
    n = len(tops)
    for step in range(5, 96):
        threshold = step / 100
        false = sum(1 for _, _, h in tops if h is not None and h[1] >= threshold)  # type: ignore[index]
        if false / n <= FALSE_MATCH_TARGET:
            return threshold
    return 0.95


def report(tops: Sequence[tuple[QueryData, object, object]], threshold: float) -> str:
    n = len(tops)
    right = sum(
        1
        for item, f, _ in tops
        if f is not None and f[1] >= threshold and f[0] in item.gold  # type: ignore[index]
    )
    false = sum(1 for _, _, h in tops if h is not None and h[1] >= threshold)  # type: ignore[index]
    return (
        f"train 5-fold CV at threshold {threshold:.2f}: confident and right {right / n:.3f}, "
        f"false matches (gold held out) {false / n:.3f} ({n} queries)"
    )


def train(data: Sequence[QueryData]) -> tuple[scorer.Scorer, str]:
    tops = cross_validated_tops(data)
    threshold = choose_threshold(tops)
    weights, bias = scorer.fit(*examples(data), l2=L2)
    return scorer.Scorer(weights, bias, threshold), report(tops, threshold)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the weights file differs")
    parser.add_argument("--out", type=Path, default=scorer.WEIGHTS_FILE)
    args = parser.parse_args()
    if not DATASET.is_dir():
        print(f"error: dataset not found at {DATASET}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    data = collect("train")
    rows, labels, _ = examples(data)
    print(
        f"{len(data)} train queries, {len(rows)} examples ({sum(labels)} positive, "
        f"{sum(len(d.swaps) for d in data)} entity swaps) in {time.perf_counter() - started:.0f} s"
    )
    model, summary = train(data)
    print(summary)
    for name, weight in zip(scorer.FEATURES, model.weights, strict=True):
        print(f"  {name:22s} {weight:+.3f}")
    print(f"  {'bias':22s} {model.bias:+.3f}")
    body = json.dumps(model.to_json(), indent=1) + "\n"
    if args.check:
        same = args.out.read_text(encoding="utf-8") == body
        print("weights file reproduces" if same else "weights file DIFFERS from a retrain")
        return 0 if same else 1
    args.out.write_text(body, encoding="utf-8")
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s total")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
