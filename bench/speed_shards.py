"""/factcheck throughput with one bot process and with two, side by side (issue 18).

Real `factdesk run` processes against the stand-in (schema validation off, so it costs
little), sharing one PostgreSQL database (tests/pg.py's throw-away cluster): first one
process running both shards of 2, then two processes of one shard each. The same servers,
members and questions; ``--asks`` slash commands in flight ``--concurrency`` at a time,
after a warm-up. Prints answers per second for each and the ratio (absolute numbers drift
on a shared machine; the ratio is the point).

    .venv/bin/python bench/speed_shards.py --asks 400
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.paths import PROJECT_ROOT
from tests import pg
from tests.standin import StandIn

QUESTION = "Did the US help the cartels in Mexico in any way?"
SERVERS = 20


def environment(standin: StandIn, url: str, scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        FACTDESK_DISCORD_TOKEN=standin.token,
        FACTDESK_DATABASE=url,
        FACTDESK_HEARTBEAT_FILE=str(scratch / "heartbeat.json"),
        FACTDESK_INDEX_DIR=str(scratch / "index"),
        FACTDESK_DISCORD_API_BASE=standin.api_base,
        FACTDESK_DISCORD_GATEWAY_URL=standin.gateway_url,
        FACTDESK_LOG_LEVEL="WARNING",
        FACTDESK_IDENTIFY_INTERVAL="0.6",
    )
    return env


async def ask_all(standin: StandIn, servers: list[Any], asks: int, concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int) -> None:
        guild, channel, member = servers[n % len(servers)]
        async with gate:
            ix = await standin.slash(guild, channel, member, "factcheck", {"question": QUESTION})
            body = await ix.response(within=30)
            if body["type"] == 5:
                await ix.followups(1, within=30)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(asks)))
    return asks / (time.perf_counter() - started)


async def run_mode(
    standin: StandIn, env: dict[str, str], ranges: list[str], servers: list[Any], args: Any
) -> float:
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--shards", r, "--shard-count", "2", env=env
        )
        for r in ranges
    ]
    try:
        await standin.wait_identified(standin_ready_count(standin) + 2, within=120)
        await ask_all(standin, servers, args.concurrency, args.concurrency)  # warm-up
        return await ask_all(standin, servers, args.asks, args.concurrency)
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            await asyncio.wait_for(child.wait(), 60)


def standin_ready_count(standin: StandIn) -> int:
    return sum(1 for i in standin.identifies if i.outcome == "ready")


async def main(args: argparse.Namespace) -> int:
    import tempfile

    server = pg.get_server()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            url = await server.new_database()
            async with StandIn.start(
                schema_validation=False, max_concurrency=2, identify_window=0.5
            ) as standin:
                servers = []
                for n in range(SERVERS):
                    guild = standin.add_guild(f"s{n}", on_shard=(n % 2, 2))
                    servers.append(
                        (guild, standin.add_channel(guild), standin.add_member(guild, "m"))
                    )
                env = environment(standin, url, Path(scratch))
                sync = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "sync", env=env
                )
                await sync.wait()
                one = await run_mode(standin, env, ["0-1"], servers, args)
                two = await run_mode(standin, env, ["0", "1"], servers, args)
    finally:
        if server.cluster is not None:
            server.cluster.stop()
    print(f"1 process  (shards 0-1):  {one:7.1f} answers/s")
    print(f"2 processes (0 and 1):    {two:7.1f} answers/s")
    print(f"ratio 2/1: {two / one:.2f}  ({args.asks} asks, {args.concurrency} in flight)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--asks", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    raise SystemExit(asyncio.run(main(parser.parse_args())))
