"""How much memory building the matcher keeps, with the real embedding model and with zero
vectors in its place (the rest of the matcher alike), in fresh processes.

    .venv/bin/python bench/memory_build.py [--size 100000]

Prints, for each, the growth of the resident set over building ``Matcher`` from ``size``
claims (bench/_data.py: the real claims, then variants of them) and the vectors' own bytes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import gc, sys
sys.path.insert(0, {bench!r}); sys.path.insert(0, {root!r})
import numpy as np
import _data
from bot.core import embedding
from bot.core.matching import Matcher, MatchEntry

def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

records = list(_data.iter_claims({size}))
entries = [MatchEntry(r.id, r.claim, (r.title,) if r.title else (), r.subtitle) for r in records]
if {zero!r}:
    class Zero:
        def embed(self, texts):
            return np.zeros((len(texts), embedding.DIMENSIONS), dtype=np.float32)
    embedding.shipped = lambda: Zero()
else:
    embedding.shipped()  # the model itself is not part of the build
gc.collect()
before = rss()
matcher = Matcher(entries)
gc.collect()
print(round(rss() - before), round(matcher._vectors.nbytes / 2**20), len(matcher._vectors))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    print("| vectors | RSS kept by the build, MB | vectors' own MB | phrasings |")
    print("|---|---|---|---|")
    for label, zero in (("WordLlama", False), ("zero (baseline)", True)):
        code = CHILD.format(bench=str(ROOT / "bench"), root=str(ROOT), size=args.size, zero=zero)
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
        print(f"| {label} | {out[0]} | {out[1]} | {out[2]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
