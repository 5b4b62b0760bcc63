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


def no_match_quality(
    library: Library, queries: dict[str, str], qrels: dict[str, set[str]], threshold: float
) -> tuple[float, float]:
    """(recall at the threshold on the full corpus, false-match rate with gold held out)."""
    to_external = external_ids(library.corpus)
    judged = [q for q in queries if q in qrels]
    recalled = 0
    for query_id in judged:
        best = library.matcher.match(queries[query_id]).matches[:1]
        if best and best[0].score >= threshold and to_external[best[0].claim_id] in qrels[query_id]:
            recalled += 1
    gold = set().union(*(qrels[q] for q in judged))
    held_out = Corpus([fc for fc in library.corpus if (fc.external_id or fc.id) not in gold])
    matcher = Matcher.from_corpus(held_out, threshold=threshold)
    false_matches = sum(matcher.match(queries[q]).best is not None for q in judged)
    n = len(judged) or 1
    return recalled / n, false_matches / n


def sweep(
    library: Library, queries: dict[str, str], qrels: dict[str, set[str]]
) -> list[tuple[float, float, float]]:
    """(threshold, recall, false-match rate) for thresholds 0.30 to 0.80."""
    to_external = external_ids(library.corpus)
    judged = [q for q in queries if q in qrels]
    gold = set().union(*(qrels[q] for q in judged))
    held_out = Matcher.from_corpus(
        Corpus([fc for fc in library.corpus if (fc.external_id or fc.id) not in gold])
    )
    top_full = {q: library.matcher.match(queries[q]).matches[:1] for q in judged}
    top_held = {q: held_out.match(queries[q]).matches[:1] for q in judged}
    rows = []
    for step in range(30, 81, 5):
        threshold = step / 100
        recall = sum(
            bool(m) and m[0].score >= threshold and to_external[m[0].claim_id] in qrels[q]
            for q, m in top_full.items()
        )
        false = sum(bool(m) and m[0].score >= threshold for m in top_held.values())
        rows.append((threshold, recall / len(judged), false / len(judged)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "dev", "both"), default="both")
    parser.add_argument("--sweep", action="store_true", help="print a threshold sweep")
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
    to_external = external_ids(library.corpus)
    bm25 = BM25({to_external[fc.id]: " ".join([fc.question, *fc.aliases]) for fc in library.corpus})
    ours = matcher_ranker(library.matcher, to_external)
    splits = ["train", "dev"] if args.split == "both" else [args.split]
    print(f"\n| split | system | MAP@1 | MAP@5 | MRR@{RANK_DEPTH} | top-1 right |")
    print("|---|---|---|---|---|---|")
    for split in splits:
        queries, qrels = read_queries(split), read_qrels(split)
        for name, ranker in (("BM25 baseline", bm25.rank), ("factdesk", ours)):
            s = evaluate(ranker, queries, qrels)
            cells = " | ".join(f"{v:.3f}" for v in (s.map1, s.map5, s.mrr, s.top1))
            print(f"| {split} | {name} | {cells} |")
    threshold = library.matcher.threshold
    print(f"\nthreshold {threshold}:")
    for split in splits:
        queries, qrels = read_queries(split), read_qrels(split)
        recall, false = no_match_quality(library, queries, qrels, threshold)
        print(
            f"  {split}: recall at threshold {recall:.3f}, "
            f"false matches (gold held out) {false:.3f}"
        )
        if args.sweep:
            print("  | threshold | recall | false matches |")
            for row in sweep(library, queries, qrels):
                print(f"  | {row[0]:.2f} | {row[1]:.3f} | {row[2]:.3f} |")
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
