"""Restart time with and without the persisted index (issue 15), in fresh processes.

    .venv/bin/python bench/speed_restart.py [--sizes 10k,100k] [--repeat 3]
    .venv/bin/python bench/speed_restart.py --sizes 1M --repeat 2 --skip-baseline --work /tmp/r1m

For each size it writes a dataset file of that many claims (the real-claims dataset,
scaled up as bench/speed_core.py does), then times, each in a new Python process so
nothing is warm: the baseline (``Library.load``: parse and build, what every start did
before), the first start with an index directory (build, then save), and starts that open
the saved index (``Library.open``). It prints median and worst seconds and the peak RSS of
each, and the saved index's size. ``--work DIR`` keeps the dataset file and the index
there between runs (a 1M dataset takes a while to write); ``--skip-baseline`` leaves out
the baseline (at 1M it is minutes per run).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data

CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from bot.core.library import Library
started = time.perf_counter()
if {mode!r} == "baseline":
    library, _ = Library.load(Path({corpus!r}))
    reused = False
else:
    library, _, outcome = Library.open(Path({corpus!r}), Path({index!r}))
    reused = outcome.reused
library.matcher.match("did the cdc say masks do not work")
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# what the process holds now: resident, and of it what is file-backed (shared, reclaimable)
status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
now = int(status["VmRSS"].split()[0]) / 1024
file_backed = int(status.get("RssFile", "0 kB").split()[0]) / 1024
claims = len(library.corpus)
print(json.dumps({{"seconds": seconds, "rss_mb": rss, "now_mb": now, "file_mb": file_backed,
    "reused": reused, "claims": claims}}))
"""


def run(mode: str, corpus: Path, index: Path) -> dict[str, float]:
    root = str(Path(__file__).resolve().parents[1])
    code = CHILD.format(root=root, mode=mode, corpus=str(corpus), index=str(index))
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 0)
    return int(float(text[:-1]) * scale) if scale else int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="keep files here between runs")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    _data.require_datasets()
    real = _data.real_claims()
    print(
        "| claims | baseline: build s (median / worst), RSS MB | first start: build + save s |"
        " restart from index s (median / worst), peak RSS MB | RSS after the restart MB"
        " (file-backed of it) | index MB |"
    )
    print("|---|---|---|---|---|---|")
    for size in (parse_size(s) for s in args.sizes.split(",")):
        with contextlib.ExitStack() as stack:
            if args.work is None:
                work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            else:
                work = args.work / str(size)
                work.mkdir(parents=True, exist_ok=True)
            corpus = _data.write_corpus(work / "claims.jsonl", size, real)
            index = work / "index"
            baseline = (
                []
                if args.skip_baseline
                else [run("baseline", corpus, index) for _ in range(args.repeat)]
            )
            first = run("open", corpus, index)
            warm = [run("open", corpus, index) for _ in range(args.repeat)]
            assert all(w["reused"] for w in warm)
            index_mb = sum(p.stat().st_size for p in index.rglob("*") if p.is_file()) / 1e6

            def cell(rows: list[dict[str, float]]) -> str:
                if not rows:
                    return "not run"
                times = [r["seconds"] for r in rows]
                rss = max(r["rss_mb"] for r in rows)
                return f"{statistics.median(times):.2f} / {max(times):.2f}, {rss:.0f}"

            built = "reused" if first["reused"] else f"{first['seconds']:.2f}"
            now = max(w["now_mb"] for w in warm)
            file_backed = max(w["file_mb"] for w in warm)
            print(
                f"| {size:,} | {cell(baseline)} | {built} |"
                f" {cell(warm)} | {now:.0f} ({file_backed:.0f}) | {index_mb:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
