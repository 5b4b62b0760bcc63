"""Build time of the index from nothing, and after a corpus changed by a few entries (the
previous index's vectors reused for every phrasing it already had), in fresh processes.

    .venv/bin/python bench/speed_rebuild.py [--size 100k] [--changed 100]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from bot.core import embedding
from bot.core.library import Library
embedding.shipped()  # the model's load is start-up, not build
started = time.perf_counter()
library, _, outcome = Library.open(Path({corpus!r}), Path({index!r}))
print(json.dumps({{"seconds": time.perf_counter() - started, "reused": outcome.reused,
    "reused_vectors": library.matcher.reused_vectors, "phrasings": len(library.matcher._vectors)}}))
"""


def run(corpus: Path, index: Path) -> dict[str, float]:
    code = CHILD.format(root=str(ROOT), corpus=str(corpus), index=str(index))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--changed", type=int, default=100)
    args = parser.parse_args()
    text = args.size.lower()
    size = int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)
    records = list(_data.iter_claims(size))
    with tempfile.TemporaryDirectory() as work:
        corpus, index = Path(work) / "claims.jsonl", Path(work) / "index"
        corpus.write_text("".join(r.json_line() + "\n" for r in records), encoding="utf-8")
        fresh = run(corpus, index)
        step = max(1, size // args.changed)
        lines = [r.json_line() for r in records]
        for i in range(0, size, step)[: args.changed]:
            record = json.loads(lines[i])
            record["claim"] = f"Reworded: {record['claim']} (update {i})"
            lines[i] = json.dumps(record, ensure_ascii=False)
        corpus.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        again = run(corpus, index)
    print("| build | s | vectors reused / phrasings |")
    print("|---|---|---|")
    print(f"| {size:,} claims from nothing | {fresh['seconds']:.1f} | 0 / {fresh['phrasings']:,} |")
    print(
        f"| after {args.changed} claims changed | {again['seconds']:.1f} |"
        f" {again['reused_vectors']:,} / {again['phrasings']:,} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
