"""Store write latency: one flag (``Database.add_flag``) on SQLite and on PostgreSQL.

Both back-ends run on this machine in the same run, interleaved in rounds (a block of
flags on one, then the other) so that drift on shared vCPUs hits both alike; each flag is
one write transaction from ``add_flag`` called to ``add_flag`` returned, as a member's
button press costs it. SQLite runs as the bot runs it (WAL, ``synchronous=FULL``);
PostgreSQL is a throw-away cluster started from the installed binaries with its durable
defaults (fsync on), or the server of ``--postgres URL`` (a role that may CREATE DATABASE).
``--writers N`` also measures N coroutines adding flags at once on one ``Database``.

Run: ``.venv/bin/python bench/speed_store.py [--flags 2000] [--rounds 4] [--writers 8]``.
Results and the machine they came from are in docs/performance-store.md.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.store.database import Database  # noqa: E402
from bot.store.rows import NewFlag  # noqa: E402
from tests import pg  # noqa: E402

GUILD = 10


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def flag(member: int) -> NewFlag:
    return NewFlag(GUILD, "answer", "moon-cheese", member, reason="The sources say otherwise.")


async def timed_flags(db: Database, start: int, count: int) -> list[float]:
    times: list[float] = []
    for member in range(start, start + count):
        began = time.perf_counter()
        added = await db.add_flag(flag(member))
        times.append((time.perf_counter() - began) * 1000)
        assert added.flag is not None
    return times


async def concurrent_flags(db: Database, start: int, count: int, writers: int) -> float:
    """Flags per second with ``writers`` coroutines at once."""
    members = iter(range(start, start + count))

    async def writer() -> None:
        for member in members:
            await db.add_flag(flag(member))

    began = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    return count / (time.perf_counter() - began)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server = pg.Server(args.postgres) if args.postgres else pg.start_cluster(durable=True)
    try:
        with tempfile.TemporaryDirectory(prefix="factdesk-bench-") as folder:
            url = await server.new_database()
            databases = {
                "sqlite": await Database.open(Path(folder) / "factdesk.db"),
                "postgresql": await Database.open(url),
            }
            try:
                latencies: dict[str, list[float]] = {name: [] for name in databases}
                per_round = args.flags // args.rounds
                # Warm-up (connections, statement caches), not counted.
                for db in databases.values():
                    await timed_flags(db, 10_000_000, 50)
                for number in range(args.rounds):
                    order = list(databases) if number % 2 == 0 else list(reversed(databases))
                    for name in order:
                        latencies[name] += await timed_flags(
                            databases[name], number * per_round, per_round
                        )
                throughput = {}
                if args.writers > 1:
                    for name, db in databases.items():
                        throughput[name] = await concurrent_flags(
                            db, 20_000_000, args.flags // 2, args.writers
                        )
            finally:
                for db in databases.values():
                    await db.close()
            if server.cluster is None:
                await server.drop_database(url)
    finally:
        if server.cluster is not None:
            server.cluster.stop()
    return {"latencies": latencies, "throughput": throughput}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=2000, help="timed flags per back-end")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved blocks")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writers (1: skip)")
    parser.add_argument("--postgres", metavar="URL", help="use this server, not a new cluster")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    bindir = pg.find_bindir()
    print(
        f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version},"
        f" PostgreSQL binaries {bindir}, {args.flags} flags per back-end in {args.rounds}"
        " interleaved rounds"
    )
    rate_title = f"flags/s x{args.writers}"
    print(f"{'back-end':<12} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {rate_title:>14}")
    for name, times in results["latencies"].items():
        rate = results["throughput"].get(name)
        print(
            f"{name:<12} {percentile(times, 0.5):8.2f} {percentile(times, 0.99):8.2f}"
            f" {statistics.fmean(times):8.2f} {'' if rate is None else f'{rate:14.0f}'}"
        )
    lite, server = results["latencies"]["sqlite"], results["latencies"]["postgresql"]
    print(
        f"PostgreSQL / SQLite: p50 x{percentile(server, 0.5) / percentile(lite, 0.5):.2f},"
        f" p99 x{percentile(server, 0.99) / percentile(lite, 0.99):.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
