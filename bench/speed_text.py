"""Folding and stemming speed: bot/core/text.py against its pre-issue-15 baseline
(bench/text_reference.py), interleaved in one run so machine noise hits both alike.

    .venv/bin/python bench/speed_text.py [--claims 100000] [--rounds 5]

Prints, per implementation, the median and worst of ``--rounds`` timings of ``terms()``
over the same texts (claim, title and subtitle of the real-claims dataset, scaled to
``--claims`` as bench/speed_core.py does), and the per-text p50/p99 of one round.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import text_reference
from bench._data import iter_claims, require_datasets
from bot.core import text


def one_round(terms: Callable[[str], list[str]], texts: list[str]) -> tuple[float, list[float]]:
    each: list[float] = []
    clock = time.perf_counter
    started = clock()
    for item in texts:
        before = clock()
        terms(item)
        each.append(clock() - before)
    return clock() - started, each


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    require_datasets()
    texts = [" ".join((r.claim, r.title, r.subtitle or "")) for r in iter_claims(args.claims)]
    implementations = {"baseline": text_reference.terms, "current": text.terms}
    totals: dict[str, list[float]] = {name: [] for name in implementations}
    per_text: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for name, terms in implementations.items():
            total, each = one_round(terms, texts)
            totals[name].append(total)
            per_text[name] = each
    print(f"terms() over {len(texts):,} texts, {args.rounds} rounds, interleaved")
    print("| implementation | round median s | round worst s | per text p50 / p99 us |")
    print("|---|---|---|---|")
    for name in implementations:
        each = per_text[name]
        print(
            f"| {name} | {statistics.median(totals[name]):.2f} | {max(totals[name]):.2f} |"
            f" {percentile(each, 0.5) * 1e6:.0f} / {percentile(each, 0.99) * 1e6:.0f} |"
        )
    speedup = statistics.median(totals["baseline"]) / statistics.median(totals["current"])
    print(f"median speed-up: {speedup:.2f}x")


if __name__ == "__main__":
    main()
