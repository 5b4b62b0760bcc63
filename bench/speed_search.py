"""``factdesk search --queries`` over 1,000 CheckThat! tweets, against rapidfuzz brute force
over the same claims in the same run (issue 15).

    .venv/bin/python bench/speed_search.py [--size 100k] [--brute 40] [--work DIR]

It writes a dataset file of ``size`` claims (bench/_data.py: the real claims, then
variants), builds its index once (``factdesk corpus build``), then runs, each in a fresh
process, ``factdesk search --queries`` with the 1,000 tweets (CheckThat! 2022 2A dev, then
train) and with the first tweet alone; their difference over 999 is the time per question
with the start-up (opening the index, loading the model) subtracted. Brute force is
rapidfuzz ``process.extract(WRatio, limit 5)`` over every claim, choices cleaned once
beforehand (its best case); it scans everything, so only ``--brute`` of the tweets, spread
over the file, are timed, and in the same process ``Matcher.match`` is timed on those same
tweets (the matcher's memory of recent answers cleared before each) for the ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data

ROOT = Path(__file__).resolve().parents[1]
TWEETS = 1000

BRUTE = """
import json, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from rapidfuzz import fuzz, process, utils
from bot.core.library import Library
library, _, outcome = Library.open(Path({corpus!r}), Path({index!r}))
assert outcome.reused, outcome.reason
claims = [json.loads(line)["claim"] for line in open({corpus!r}, encoding="utf-8")]
choices = [utils.default_process(c) for c in claims]
tweets = json.load(open({sample!r}, encoding="utf-8"))
ours, brute = [], []
for tweet in tweets:
    library.matcher.forget_recent()
    started = time.perf_counter()
    library.matcher.match(tweet, k=5)
    ours.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    process.extract(utils.default_process(tweet), choices, scorer=fuzz.WRatio,
                    processor=None, limit=5)
    brute.append((time.perf_counter() - started) * 1000)
print(json.dumps({{"ours": ours, "brute": brute}}))
"""


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 0)
    return int(float(text[:-1]) * scale) if scale else int(text)


def tweets(count: int) -> list[tuple[str, str]]:
    found = []
    for name in ("queries-dev.tsv", "queries-train.tsv"):
        for line in (_data.CHECKTHAT / name).read_text(encoding="utf-8").splitlines():
            query_id, tab, tweet = line.partition("\t")
            if tab and tweet.strip() and query_id != "iclaim_id":
                found.append((query_id, " ".join(tweet.split())))
    return found[:count]


def factdesk(*argv: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")}
    env["PYTHONPATH"] = str(ROOT)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"factdesk {' '.join(argv)} failed:\n{done.stderr}")
    return seconds, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--brute", type=int, default=40, help="tweets timed by brute force")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each search command")
    parser.add_argument("--work", type=Path, default=None, help="keep files here between runs")
    args = parser.parse_args()
    _data.require_datasets()
    size = parse_size(args.size)
    queries = tweets(TWEETS)
    with contextlib.ExitStack() as stack:
        if args.work is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        else:
            work = args.work / str(size)
            work.mkdir(parents=True, exist_ok=True)
        corpus = _data.write_corpus(work / "claims.jsonl", size)
        index = work / "index"
        build_seconds, _ = factdesk(
            "corpus", "build", "--corpus", str(corpus), "--index-dir", str(index)
        )
        every = work / "tweets.tsv"
        every.write_text("".join(f"{i}\t{t}\n" for i, t in queries), encoding="utf-8")
        one = work / "one.tsv"
        one.write_text(f"{queries[0][0]}\t{queries[0][1]}\n", encoding="utf-8")
        base = ("search", "--corpus", str(corpus), "--index-dir", str(index), "--queries")
        full_runs, start_runs = [], []
        for _ in range(args.repeat):
            seconds, out = factdesk(*base, str(every))
            assert len(out.splitlines()) == len(queries), "one JSON line per tweet"
            full_runs.append(seconds)
            start_runs.append(factdesk(*base, str(one))[0])
        full, start = min(full_runs), min(start_runs)
        per_question = (full - start) / (len(queries) - 1) * 1000
        step = max(1, len(queries) // args.brute)
        sample = work / "sample.json"
        sample.write_text(json.dumps([t for _, t in queries[::step][: args.brute]]))
        code = BRUTE.format(
            root=str(ROOT), corpus=str(corpus), index=str(index), sample=str(sample)
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        timed = json.loads(done.stdout.strip().splitlines()[-1])
    ours, brute = timed["ours"], timed["brute"]
    print(f"claims {size:,}, tweets {len(queries)}; corpus build (or reuse) {build_seconds:.1f} s")
    print(
        f"search --queries: all tweets {full:.2f} s, one tweet {start:.2f} s (start-up); "
        f"runs {[round(s, 2) for s in full_runs]} / {[round(s, 2) for s in start_runs]}"
    )
    print(f"per question, start-up subtracted: {per_question:.2f} ms")
    print(
        f"same {len(ours)} tweets in one process: match mean {statistics.mean(ours):.2f} ms"
        f" (p50 {statistics.median(ours):.2f}), brute force WRatio mean"
        f" {statistics.mean(brute):.0f} ms (p50 {statistics.median(brute):.0f})"
    )
    print(
        f"brute force / search: {statistics.mean(brute) / per_question:.0f}x against the CLI's "
        f"per-question time, {statistics.mean(brute) / statistics.mean(ours):.0f}x against "
        "match on the same tweets"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
