"""Matching quality on CheckThat! 2022 Task 2A (tweets -> the Snopes fact-check verifying them).

Reports, for train and dev: MAP@1, MAP@5, MRR@10 and top-1 accuracy of factdesk's matcher,
beside a plain Okapi BM25 (k1 1.2, b 0.75, claim + title) computed in the same run; then
"no match" quality at the matcher's threshold: recall (the right fact-check is the answer)
on the full corpus, and false matches once the gold claims of the queries are held out.

    .venv/bin/python bench/quality.py                  # train and dev
    .venv/bin/python bench/quality.py --split dev --sweep   # thresholds 0.30..0.80

The corpus goes through the same loader the bot uses (``Library.load`` on vclaims.jsonl).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bot.core import text
from bot.core.corpus import Corpus
from bot.core.library import Library
from bot.core.matching import Matcher
from bot.paths import PROJECT_ROOT

DATASET = PROJECT_ROOT.parent / "shared" / "datasets" / "checkthat-2022-2a"
RANK_DEPTH = 10

Ranker = Callable[[str], list[str]]


@dataclass(frozen=True)
class Scores:
    map1: float
    map5: float
    mrr: float
    top1: float


def read_queries(split: str) -> dict[str, str]:
    queries: dict[str, str] = {}
    for line in (DATASET / f"queries-{split}.tsv").read_text(encoding="utf-8").splitlines():
        query_id, _, tweet = line.partition("\t")
        if query_id and tweet and query_id != "iclaim_id":
            queries[query_id] = tweet
    return queries


def read_qrels(split: str) -> dict[str, set[str]]:
    relevant: dict[str, set[str]] = defaultdict(set)
    for line in (DATASET / f"qrels-{split}.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] != "0":
            relevant[parts[0]].add(parts[2])
    return relevant


def average_precision(ranked: Sequence[str], relevant: set[str], depth: int) -> float:
    hits, total = 0, 0.0
    for rank, claim in enumerate(ranked[:depth], start=1):
        if claim in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), depth) if relevant else 0.0


def evaluate(rank: Ranker, queries: dict[str, str], qrels: dict[str, set[str]]) -> Scores:
    map1 = map5 = mrr = top1 = 0.0
    judged = [q for q in queries if q in qrels]
    for query_id in judged:
        ranked = rank(queries[query_id])
        relevant = qrels[query_id]
        map1 += average_precision(ranked, relevant, 1)
        map5 += average_precision(ranked, relevant, 5)
        mrr += next((1 / r for r, c in enumerate(ranked[:RANK_DEPTH], 1) if c in relevant), 0.0)
        top1 += bool(ranked) and ranked[0] in relevant
    n = len(judged) or 1
    return Scores(map1 / n, map5 / n, mrr / n, top1 / n)


class BM25:
    """Okapi BM25 over claim + title: the reference point the dataset's README quotes."""

    def __init__(self, documents: dict[str, str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.length: dict[str, int] = {}
        for doc_id, body in documents.items():
            words = text.fold(body).split()
            self.length[doc_id] = len(words)
            for word, count in Counter(words).items():
                self.postings[word].append((doc_id, count))
        self.average = sum(self.length.values()) / max(1, len(self.length))
        self.count = len(self.length)

    def rank(self, query: str) -> list[str]:
        scores: dict[str, float] = defaultdict(float)
        for word in set(text.fold(query).split()):
            postings = self.postings.get(word, [])
            if not postings:
                continue
            idf = math.log(1 + (self.count - len(postings) + 0.5) / (len(postings) + 0.5))
            for doc_id, count in postings:
                norm = self.k1 * (1 - self.b + self.b * self.length[doc_id] / self.average)
                scores[doc_id] += idf * count * (self.k1 + 1) / (count + norm)
        return sorted(scores, key=lambda d: -scores[d])[:RANK_DEPTH]


def external_ids(corpus: Corpus) -> dict[str, str]:
    return {fc.id: fc.external_id or fc.id for fc in corpus}


def matcher_ranker(matcher: Matcher, to_external: dict[str, str]) -> Ranker:
    def rank(query: str) -> list[str]:
        return [to_external[m.claim_id] for m in matcher.match(query, k=RANK_DEPTH).matches]

    return rank


@dataclass(frozen=True)
class TopOutcome:
    """One query's top answer: its probability and whether it is right on the full corpus,
    and the top's probability once the gold claims are held out (then never right)."""

    full: float
    right: bool
    held: float


def top_outcomes(
    library: Library, held_out: Matcher, queries: dict[str, str], qrels: dict[str, set[str]]
) -> list[TopOutcome]:
    to_external = external_ids(library.corpus)
    out = []
    for query_id in (q for q in queries if q in qrels):
        full = library.matcher.match(queries[query_id], k=1).matches
        held = held_out.match(queries[query_id], k=1).matches
        out.append(
            TopOutcome(
                full[0].score if full else 0.0,
                bool(full) and to_external[full[0].claim_id] in qrels[query_id],
                held[0].score if held else 0.0,
            )
        )
    return out


def rates(outcomes: Sequence[TopOutcome], threshold: float) -> tuple[float, float]:
    """(confident and right, false matches with the gold held out) at ``threshold``."""
    n = len(outcomes) or 1
    right = sum(o.right and o.full >= threshold for o in outcomes)
    false = sum(o.held >= threshold for o in outcomes)
    return right / n, false / n


def reliability(outcomes: Sequence[TopOutcome], bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean probability, share right, count) per probability bin, over the top answers on
    the full corpus and with the gold held out (as if half the questions had a fact-check)."""
    pairs = [(o.full, o.right) for o in outcomes] + [(o.held, False) for o in outcomes]
    rows = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        chosen = [(p, r) for p, r in pairs if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if chosen:
            mean = sum(p for p, _ in chosen) / len(chosen)
            rows.append((mean, sum(r for _, r in chosen) / len(chosen), len(chosen)))
    return rows


def plot(curves: dict[str, tuple[Sequence[TopOutcome], float]], title: str, out: Path) -> None:
    """A reliability diagram and a confident-and-right vs false-match curve, one line per
    scorer (matplotlib: a dev dependency, needed only here)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6))
    left.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
    for name, (outcomes, threshold) in curves.items():
        rows = reliability(outcomes)
        left.plot([r[0] for r in rows], [r[1] for r in rows], marker="o", label=name)
        points = [rates(outcomes, t / 100) for t in range(0, 101)]
        line = right.plot([p[1] for p in points], [p[0] for p in points], label=name)
        at = rates(outcomes, threshold)
        right.plot(
            [at[1]], [at[0]], marker="s", color=line[0].get_color(), label=f"{name} at {threshold}"
        )
    left.set(xlabel="probability of the top answer", ylabel="share right", title="reliability")
    right.set(
        xlabel="false matches (gold held out)",
        ylabel="confident and right",
        title="right vs false by threshold",
        xlim=(0, 0.3),
    )
    right.axvline(0.02, color="grey", linestyle=":")
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=90)
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "dev", "both"), default="both")
    parser.add_argument("--sweep", action="store_true", help="print a threshold sweep")
    parser.add_argument(
        "--plots", type=Path, help="write reliability / right-vs-false PNGs to this directory"
    )
    args = parser.parse_args()
    if not DATASET.is_dir():
        print(f"error: dataset not found at {DATASET}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    library, problems = Library.load(DATASET / "vclaims.jsonl")
    print(
        f"corpus: {len(library.corpus)} claims loaded and indexed in "
        f"{time.perf_counter() - started:.2f} s ({len(problems)} load problems)"
    )
    # The old hand-tuned blend beside the learned scorer, same corpus, same run.
    old = Library(library.corpus, Matcher.from_corpus(library.corpus, scorer=None))
    to_external = external_ids(library.corpus)
    bm25 = BM25({to_external[fc.id]: " ".join([fc.question, *fc.aliases]) for fc in library.corpus})
    systems = {"factdesk learned": library, "factdesk old blend": old}
    splits = ["train", "dev"] if args.split == "both" else [args.split]
    print(f"\n| split | system | MAP@1 | MAP@5 | MRR@{RANK_DEPTH} | top-1 right |")
    print("|---|---|---|---|---|---|")
    for split in splits:
        queries, qrels = read_queries(split), read_qrels(split)
        rankers: dict[str, Ranker] = {"BM25 baseline": bm25.rank}
        for name, lib in systems.items():
            rankers[name] = matcher_ranker(lib.matcher, to_external)
        for name, ranker in rankers.items():
            s = evaluate(ranker, queries, qrels)
            cells = " | ".join(f"{v:.3f}" for v in (s.map1, s.map5, s.mrr, s.top1))
            print(f"| {split} | {name} | {cells} |")
    print("\n| split | system | threshold | confident and right | false matches (gold held out) |")
    print("|---|---|---|---|---|")
    for split in splits:
        queries, qrels = read_queries(split), read_qrels(split)
        judged = [q for q in queries if q in qrels]
        gold = set().union(*(qrels[q] for q in judged))
        kept = Corpus([fc for fc in library.corpus if (fc.external_id or fc.id) not in gold])
        curves: dict[str, tuple[Sequence[TopOutcome], float]] = {}
        for name, lib in systems.items():
            held = Matcher.from_corpus(kept, scorer=None if lib is old else "shipped")
            outcomes = top_outcomes(lib, held, queries, qrels)
            threshold = lib.matcher.threshold
            right, false = rates(outcomes, threshold)
            print(f"| {split} | {name} | {threshold} | {right:.3f} | {false:.3f} |")
            curves[name] = (outcomes, threshold)
            if args.sweep:
                for step in range(30, 96, 5):
                    r, f = rates(outcomes, step / 100)
                    print(f"|  |  | {step / 100:.2f} | {r:.3f} | {f:.3f} |")
        if args.plots:
            if split == "train":
                # the learned scorer on its own training split: scored out of fold
                curves["factdesk learned"] = (cross_validated_tweets(), library.matcher.threshold)
            label = "train (learned: 5-fold cross-validated)" if split == "train" else split
            plot(curves, f"CheckThat! 2022 2A {label}", args.plots / f"calibration-{split}.png")
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 0


def cross_validated_tweets() -> list[TopOutcome]:
    """The train tweets' outcomes under models fitted on the other folds, calibrated as the
    shipped model is (bench/train_scorer.py)."""
    import train_scorer

    data = train_scorer.collect("train")
    outcomes = train_scorer.cross_validated_outcomes(data)
    final = train_scorer.calibrated(outcomes, train_scorer.calibrate(outcomes))
    return [TopOutcome(o.full, o.right, o.held) for o in final if o.source == "tweet"]


if __name__ == "__main__":
    raise SystemExit(main())
