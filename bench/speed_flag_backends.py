"""Flag write latency, SQLite against PostgreSQL, one process and two (issue 18, measured).

Each "process" here is a Database of its own (its own connections) in this Python process;
on PostgreSQL two of them writing at once contend for the store's write lock exactly as two
`factdesk run` processes do. Prints p50/p99 of ``add_flag`` (with the cooldown check) and
the writes per second, for SQLite (one file) and PostgreSQL (the throw-away cluster of
tests/pg.py, or FACTDESK_TEST_POSTGRES).

    .venv/bin/python bench/speed_flag_backends.py --flags 2000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.store.database import Database
from bot.store.rows import NewFlag
from tests import pg


async def writer(db: Database, base: int, count: int, latencies: list[float]) -> None:
    for n in range(count):
        flag = NewFlag(
            guild_id=1 + n % 50, kind="answer", claim_id="moon-cheese", flagger_id=base + n
        )
        started = time.perf_counter()
        added = await db.add_flag(flag, cooldown=timedelta(seconds=30))
        latencies.append(time.perf_counter() - started)
        assert added.flag is not None


async def measure(target: Path | str, processes: int, flags: int) -> tuple[float, float, float]:
    dbs = [await Database.open(target) for _ in range(processes)]
    latencies: list[float] = []
    try:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                writer(db, 1_000_000 * (i + 1), flags // processes, latencies)
                for i, db in enumerate(dbs)
            )
        )
        wall = time.perf_counter() - started
    finally:
        for db in dbs:
            await db.close()
    cuts = statistics.quantiles(latencies, n=100)
    return cuts[49] * 1000, cuts[98] * 1000, len(latencies) / wall


async def main(args: argparse.Namespace) -> int:
    server = pg.get_server()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            print(f"{'back-end':<12}{'processes':>10}{'p50 ms':>10}{'p99 ms':>10}{'flags/s':>10}")
            for processes in (1, 2):
                targets: list[tuple[str, Path | str]] = [
                    ("sqlite", Path(scratch) / f"bench-{processes}.db"),
                    ("postgresql", await server.new_database()),
                ]
                for name, target in targets:
                    p50, p99, rate = await measure(target, processes, args.flags)
                    print(f"{name:<12}{processes:>10}{p50:>10.2f}{p99:>10.2f}{rate:>10.0f}")
    finally:
        if server.cluster is not None:
            server.cluster.stop()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--flags", type=int, default=2000, help="flags per run (default 2000)")
    raise SystemExit(asyncio.run(main(parser.parse_args())))
