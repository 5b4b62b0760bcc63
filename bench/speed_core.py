"""Speed of the matching core at 1k, 10k, 100k and 1M fact-checks.

For each corpus size, in a fresh process (so peak RSS belongs to that size alone):

* **build**: ``Matcher(entries)`` over ``MatchEntry`` records made straight from the JSON
  lines (no pydantic ``FactCheck``), the path a large corpus can take;
* **RSS**: peak resident memory of that process right after the build, and at its end
  (after the brute-force baseline has held its own copy of the claims);
* **match** and **autocomplete**: per-query latency, p50 and p99, for match queries (half
  CheckThat! dev tweets, half retyped claims of the corpus with a typo) and autocomplete
  prefixes (the first 3-30 characters of claims);
* **long posts**: ``match`` on pasted posts of 2,000 characters (dev tweets around a claim
  of the corpus), p50 and p99;
* **brute force**: rapidfuzz ``process.extract`` over every claim of the same corpus in the
  same process, ``fuzz.WRatio`` with limit 5 for questions and ``fuzz.partial_ratio`` with
  limit 25 for prefixes (choices pre-processed once, the best case for brute force); on
  the big sizes only a sample of the queries (the count is printed);
* **restart**: in another fresh process, ``Library.load`` on a .jsonl file of the same
  claims, the bot's real path on a restart (importer + pydantic + a new index; nothing is
  persisted), with its peak RSS.

Corpus contents (real claims, padded with generated variants past ~33.5k) are described
in bench/_data.py. Results and the machine they came from: docs/performance-core.md.

    .venv/bin/python bench/speed_core.py                       # 1k, 10k, 100k, 1M
    .venv/bin/python bench/speed_core.py --sizes 1k,10k --queries 100
    .venv/bin/python bench/speed_core.py --sizes 100k --profile  # where the time goes
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import math
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data
from rapidfuzz import fuzz, process, utils

from bot.core.library import Library
from bot.core.matching import Matcher

DEFAULT_SIZES = "1k,10k,100k,1M"
# Brute force scans every claim per query: it gets about this many claim comparisons per
# size (so 1M claims -> a handful of queries), never fewer than MIN_BRUTE_QUERIES queries.
BRUTE_BUDGET = 2_000_000
MIN_BRUTE_QUERIES = 5
PROFILE_LINES = 18
# Pasted posts of 2,000 characters are timed separately (fewer of them: they are rarer).
MIN_POSTS = 20


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale != 1 else text
    return int(float(number) * scale)


def size_label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(samples: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (p99 of 300 samples is the 3rd slowest)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def timed_ms(
    call: Callable[[str], object],
    inputs: Sequence[str],
    before_each: Callable[[], object] | None = None,
) -> list[float]:
    times = []
    for item in inputs:
        if before_each is not None:
            before_each()
        start = time.perf_counter()
        call(item)
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(times),
        "p50_ms": round(percentile(times, 0.50), 2),
        "p99_ms": round(percentile(times, 0.99), 2),
    }


# --- child processes ------------------------------------------------------------------------


def measure(size: int, query_count: int) -> dict[str, Any]:
    real = _data.real_claims()
    start = time.perf_counter()
    matcher = Matcher(record.match_entry() for record in _data.iter_claims(size, real))
    build_s = time.perf_counter() - start
    rss_after_build = peak_rss_mb()

    in_corpus = real[: min(size, len(real))]
    questions = _data.match_queries(query_count, in_corpus)
    prefixes = _data.autocomplete_prefixes(query_count, in_corpus)
    matcher.match(questions[0])  # first call pays for lazy SQLite set-up
    matcher.autocomplete(prefixes[0])
    # The matcher remembers recent answers; forgetting them before each query times the
    # matching itself even if a question repeats.
    match_times = timed_ms(matcher.match, questions, matcher.forget_recent)
    autocomplete_times = timed_ms(matcher.autocomplete, prefixes)
    posts = _data.long_posts(max(MIN_POSTS, query_count // 5), in_corpus)
    post_times = timed_ms(matcher.match, posts, matcher.forget_recent)

    choices = [utils.default_process(r.claim) for r in _data.iter_claims(size, real)]
    brute_count = min(query_count, max(MIN_BRUTE_QUERIES, BRUTE_BUDGET // size))

    def brute_match(question: str) -> object:
        query = utils.default_process(question)
        return process.extract(query, choices, scorer=fuzz.WRatio, processor=None, limit=5)

    def brute_autocomplete(prefix: str) -> object:
        query = utils.default_process(prefix)
        return process.extract(query, choices, scorer=fuzz.partial_ratio, processor=None, limit=25)

    brute_match_times = timed_ms(brute_match, questions[:brute_count])
    brute_autocomplete_times = timed_ms(brute_autocomplete, prefixes[:brute_count])
    return {
        "size": size,
        "indexed": len(matcher),
        "build_s": round(build_s, 2),
        "rss_after_build_mb": round(rss_after_build),
        "rss_peak_mb": round(peak_rss_mb()),
        "match": summary(match_times),
        "autocomplete": summary(autocomplete_times),
        "long_post": summary(post_times),
        "brute_match": summary(brute_match_times),
        "brute_autocomplete": summary(brute_autocomplete_times),
    }


def restart(size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="factdesk-speed-") as folder:
        path = Path(folder) / f"claims-{size_label(size)}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for record in _data.iter_claims(size):
                out.write(record.json_line() + "\n")
        rss_before = peak_rss_mb()
        start = time.perf_counter()
        library, problems = Library.load(path)
        load_s = time.perf_counter() - start
        return {
            "size": size,
            "loaded": len(library.corpus),
            "problems": len(problems),
            "restart_s": round(load_s, 2),
            "restart_rss_mb": round(peak_rss_mb()),
            "rss_before_load_mb": round(rss_before),
        }


def profile(size: int, query_count: int) -> str:
    real = _data.real_claims()
    matcher = Matcher(record.match_entry() for record in _data.iter_claims(size, real))
    in_corpus = real[: min(size, len(real))]
    questions = _data.match_queries(query_count, in_corpus)
    prefixes = _data.autocomplete_prefixes(query_count, in_corpus)
    report = io.StringIO()
    for name, call, inputs in (
        ("match", matcher.match, questions),
        ("autocomplete", matcher.autocomplete, prefixes),
    ):
        profiler = cProfile.Profile()
        profiler.enable()
        for item in inputs:
            call(item)
        profiler.disable()
        report.write(f"\n=== {name}, {size_label(size)} claims, {len(inputs)} queries ===\n")
        stats = pstats.Stats(profiler, stream=report)
        stats.sort_stats("tottime").print_stats(PROFILE_LINES)
    return report.getvalue()


# --- the parent -----------------------------------------------------------------------------


def run_child(*arguments: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def code_fingerprint() -> str:
    """Which matcher was measured: the lead tunes it, so numbers name the exact files."""
    root = Path(__file__).resolve().parents[1]
    parts = []
    for name in ("bot/core/matching.py", "bot/core/text.py"):
        digest = hashlib.sha1((root / name).read_bytes()).hexdigest()[:10]
        parts.append(f"{name} sha1 {digest}")
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return ", ".join(parts) + (f", git HEAD {head}" if head else "")


def table(results: list[dict[str, Any]]) -> str:
    header = (
        "| claims | build s | restart s | RSS MB (build / peak / restart) "
        "| match p50 / p99 ms | 2,000-char post p50 / p99 ms | brute WRatio p50 / p99 ms (n) "
        "| autocomplete p50 / p99 ms | brute partial_ratio p50 / p99 ms (n) |"
    )
    lines = [header, "|" + "---|" * 9]
    for r in results:
        restart_s = f"{r['restart_s']}" if "restart_s" in r else "-"
        restart_rss = f"{r['restart_rss_mb']}" if "restart_rss_mb" in r else "-"
        m, a, p = r["match"], r["autocomplete"], r["long_post"]
        bm, ba = r["brute_match"], r["brute_autocomplete"]
        lines.append(
            f"| {size_label(r['size'])} | {r['build_s']} | {restart_s} "
            f"| {r['rss_after_build_mb']} / {r['rss_peak_mb']} / {restart_rss} "
            f"| {m['p50_ms']} / {m['p99_ms']} | {p['p50_ms']} / {p['p99_ms']} "
            f"| {bm['p50_ms']} / {bm['p99_ms']} ({bm['n']}) "
            f"| {a['p50_ms']} / {a['p99_ms']} | {ba['p50_ms']} / {ba['p99_ms']} ({ba['n']}) |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"default {DEFAULT_SIZES}")
    parser.add_argument("--queries", type=int, default=300, help="per size and kind")
    parser.add_argument("--skip-restart", action="store_true", help="no Library.load timing")
    parser.add_argument("--profile", action="store_true", help="cProfile the queries instead")
    parser.add_argument("--json-out", type=Path, help="also write the results as JSON")
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "SIZE", "QUERIES"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    _data.require_datasets()

    if args.child:
        mode, size, queries = args.child[0], int(args.child[1]), int(args.child[2])
        if mode == "measure":
            print(json.dumps(measure(size, queries)))
        elif mode == "restart":
            print(json.dumps(restart(size)))
        return 0

    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.profile:
        for size in sizes:
            print(profile(size, args.queries))
        return 0
    results = []
    for size in sizes:
        print(f"{size_label(size)}: measuring ...", file=sys.stderr, flush=True)
        result = run_child("measure", str(size), str(args.queries))
        if not args.skip_restart:
            print(f"{size_label(size)}: restart ...", file=sys.stderr, flush=True)
            result.update(run_child("restart", str(size), "0"))
        print(json.dumps(result), file=sys.stderr, flush=True)
        results.append(result)
    print(f"measured: {code_fingerprint()}; python {sys.version.split()[0]}")
    print(table(results))
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
