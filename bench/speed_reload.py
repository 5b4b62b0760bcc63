"""/factcheck latency while the corpus reloads: the index built in a child process against
the same build in a thread of the bot (issue 15 §3: p99 during a reload <= 2x without).

One bot (``bot.runner.prepare`` + ``make_bot``) on a corpus of N claims (bench/_data.py,
written to a .jsonl file), the stand-in in its own thread (the members' side never runs on
the bot's loop), and a steady arrival rate of distinct /factcheck questions. Phases:

1. **quiet**: the steady rate for ``--quiet`` seconds, no reload (the baseline);
2. **reload, child** (as shipped): ``--changed`` claims are appended to the corpus file, so
   its index must be rebuilt, and the bot's own reload (``bot.reload.reload_corpus``, what
   ``/corpus reload`` and SIGHUP call) runs while the questions keep arriving; the rebuild
   happens in a child process (bot/index_build.py);
3. **reload, thread** (the way before it): the same with the build forced into a thread of
   the bot's process (``CHILD_BUILD_MIN_BYTES`` raised above the corpus size).

The questions of a reload phase are sent from two seconds before the reload starts until
it ends; only those dispatched while it ran are counted. Latencies come from the stand-in's
clock (INTERACTION_CREATE dispatched -> the bot's callback request received, and -> the
request carrying the answer). Percentiles are nearest-rank.

    .venv/bin/python bench/speed_reload.py --claims 100000 --rate 20 --seed 1
    .venv/bin/python bench/speed_reload.py --claims 20000 --rate 20 --quiet 10   # quicker

Results: docs/performance-bot.md ("Answers during a reload").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "bench"))

import _data  # noqa: E402
import speed_bot  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from bot import index_build  # noqa: E402
from bot.logs import configure_logging, reset_logging  # noqa: E402
from bot.reload import reload_corpus  # noqa: E402
from bot.runner import make_bot, point_discord_at, prepare  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.standin import StandIn  # noqa: E402
from tests.standin.world import PLAIN_MEMBER  # noqa: E402

LEAD_SECONDS = 2.0
MEMBERS = 40
CHANNELS = 4


@dataclass
class Timed:
    created: float  # stand-in clock (time.monotonic) at dispatch
    first_ms: float | None
    final_ms: float | None


@dataclass
class Result:
    name: str
    samples: list[Timed]
    window: tuple[float, float]  # the reload's start and end, time.monotonic
    load: tuple[float, float]

    def counted(self) -> list[Timed]:
        start, end = self.window
        return [s for s in self.samples if start <= s.created <= end]


def cell(values: list[float | None]) -> str:
    got = [v for v in values if v is not None]
    if not got:
        return "-"
    missing = len(values) - len(got)
    text = (
        f"{speed_bot.percentile(got, 0.5):,.1f} / {speed_bot.percentile(got, 0.99):,.1f}"
        f" / {max(got):,.1f}"
    )
    return text + (f" ({missing} never)" if missing else "")


def append_claims(corpus: Path, count: int, tag: str) -> None:
    """``count`` new claims at the end of the corpus file: its index must be rebuilt."""
    with corpus.open("a", encoding="utf-8") as out:
        for n in range(count):
            record = _data.ClaimRecord(
                id=f"bench-reload-{tag}-{n}",
                claim=f"The {tag} council approved reload test measure number {n}.",
                title=f"Did the {tag} council approve measure {n}?",
                date="2026-12-01",
            )
            out.write(record.json_line() + "\n")


async def _steady(
    standin: StandIn,
    places: list[speed_bot.Place],
    questions: list[str],
    rate: float,
    until: Callable[[], bool],
) -> list[Timed]:
    """Questions at ``rate`` per second until ``until()`` (run on the stand-in's loop)."""
    loop = asyncio.get_running_loop()
    since = len(standin.requests)

    async def ask(n: int) -> tuple[Any, dict[str, Any] | None]:
        place = places[n % len(places)]
        ix = await speed_bot.send(standin, place, questions[n % len(questions)], autocomplete=False)
        return ix, await speed_bot.settle(ix, wants_answer=True)

    begin = loop.time()
    asked: list[asyncio.Task[tuple[Any, dict[str, Any] | None]]] = []
    n = 0
    while not until():
        delay = begin + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        asked.append(asyncio.create_task(ask(n)))
        n += 1
    done = await asyncio.gather(*asked)
    await asyncio.sleep(speed_bot.SETTLE_SECONDS)
    sent = [ix for ix, _ in done]
    samples = speed_bot.samples_of(standin, since, sent, [answer for _, answer in done])
    return [Timed(ix.created, s.first_ms, s.final_ms) for ix, s in zip(sent, samples, strict=True)]


async def quiet_phase(
    standin: StandIn,
    places: list[speed_bot.Place],
    questions: list[str],
    rate: float,
    seconds: float,
) -> Result:
    load = os.getloadavg()[0]
    start = time.monotonic()
    samples = await standin.drive(
        _steady(standin, places, questions, rate, lambda: time.monotonic() > start + seconds)
    )
    return Result(
        "no reload (baseline)", samples, (start, start + seconds), (load, os.getloadavg()[0])
    )


async def reload_phase(
    name: str,
    bot: Any,
    standin: StandIn,
    places: list[speed_bot.Place],
    questions: list[str],
    rate: float,
) -> tuple[Result, bool, int, list[str]]:
    finished = threading.Event()
    load = os.getloadavg()[0]
    driver = asyncio.ensure_future(
        standin.drive(_steady(standin, places, questions, rate, finished.is_set))
    )
    await asyncio.sleep(LEAD_SECONDS)
    start = time.monotonic()
    try:
        outcome = await reload_corpus(bot)
    finally:
        end = time.monotonic()
        finished.set()
    samples = await driver
    return (
        Result(name, samples, (start, end), (load, os.getloadavg()[0])),
        outcome.reloaded,
        outcome.count,
        outcome.problems,
    )


async def bench(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    real = _data.real_claims()
    in_corpus = real[: min(args.claims, len(real))]
    # Distinct questions (the answer memory never serves them), a share with no match.
    questions = speed_bot.factcheck_questions(6000, in_corpus, args.no_match_share, rng)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC; {speed_bot.machine_facts()}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results: list[tuple[Result, float]] = []
    with tempfile.TemporaryDirectory(prefix="factdesk-speed-reload-") as directory:
        folder = Path(directory)
        corpus_file = folder / "claims.jsonl"
        _data.write_corpus(corpus_file, args.claims)
        log_file = folder / "bot.log"
        with log_file.open("w", encoding="utf-8") as log_stream:
            configure_logging(log_format="json", level="INFO", stream=log_stream)
            async with StandIn.start(own_thread=True) as standin:
                guild = standin.add_guild("Reload")
                channels = [standin.add_channel(guild, f"chat-{n}") for n in range(CHANNELS)]
                members = [
                    standin.add_member(guild, f"member-{n}", permissions=PLAIN_MEMBER)
                    for n in range(MEMBERS)
                ]
                places = [
                    speed_bot.Place(guild, channels[n % CHANNELS], m) for n, m in enumerate(members)
                ]
                settings = Settings(
                    _env_file=None,  # type: ignore[call-arg]
                    discord_token=SecretStr(standin.token),
                    database=folder / "bench.db",
                    corpus_dir=corpus_file,
                    dev_guild_id=guild.id,
                    discord_api_base=standin.api_base,
                    discord_gateway_url=standin.gateway_url,
                    heartbeat_file=folder / "heartbeat.json",
                    log_format="json",
                )
                started = time.perf_counter()
                with contextlib.redirect_stderr(io.StringIO()):
                    resources = await prepare(settings)
                print(
                    f"corpus: {len(resources.library.corpus)} fact-checks, first start (build"
                    f" and save the index) {time.perf_counter() - started:.1f} s"
                )
                point_discord_at(standin.api_base, standin.gateway_url)
                bot = make_bot(settings, resources)
                runner = asyncio.create_task(bot.start(standin.token))
                try:
                    await asyncio.wait_for(bot.wait_until_ready(), 60)
                    await standin.wait_for_commands("factcheck", guild=guild, within=60)
                    # Warm: the stand-in validates each new answer body once.
                    # Each phase asks questions no earlier phase asked, and starts with the
                    # matcher's memory of recent answers empty, so nothing is a lookup.
                    await quiet_phase(standin, places, questions[:200], args.rate, 5)
                    bot.library.matcher.forget_recent()
                    quiet = await quiet_phase(
                        standin, places, questions[200:1400], args.rate, args.quiet
                    )
                    results.append((quiet, args.quiet))
                    shipped_minimum = index_build.CHILD_BUILD_MIN_BYTES
                    for name, minimum, asked in (
                        ("reload, index built in a child (shipped)", shipped_minimum, (1400, 3400)),
                        ("reload, index built in a thread (before)", 1 << 62, (3400, 6000)),
                    ):
                        index_build.CHILD_BUILD_MIN_BYTES = minimum
                        bot.library.matcher.forget_recent()
                        append_claims(corpus_file, args.changed, name.split(",")[1].split()[-1])
                        result, reloaded, count, problems = await reload_phase(
                            name, bot, standin, places, questions[asked[0] : asked[1]], args.rate
                        )
                        took = result.window[1] - result.window[0]
                        print(f"{name}: reloaded={reloaded}, {count} fact-checks, {took:.1f} s")
                        if not reloaded:
                            print("reload refused:", *problems[:5], sep="\n  ")
                            return 1
                        results.append((result, took))
                    index_build.CHILD_BUILD_MIN_BYTES = shipped_minimum
                finally:
                    await bot.close()
                    await asyncio.wait_for(runner, 30)
                    await resources.database.close()
                violations = standin.violations
            reset_logging()

    print()
    print(
        "| phase | s | questions counted | first response p50 / p99 / max ms |"
        " answer p50 / p99 / max ms | load before>after |"
    )
    print("|---|---|---|---|---|---|")
    for result, seconds in results:
        counted = result.counted()
        print(
            f"| {result.name} | {seconds:.1f} | {len(counted)} |"
            f" {cell([s.first_ms for s in counted])} | {cell([s.final_ms for s in counted])} |"
            f" {result.load[0]:.2f}>{result.load[1]:.2f} |"
        )
    base = [s.first_ms for s in results[0][0].counted() if s.first_ms is not None]
    base_p99 = speed_bot.percentile(base, 0.99)
    for result, _ in results[1:]:
        firsts = [s.first_ms for s in result.counted() if s.first_ms is not None]
        if firsts:
            ratio = speed_bot.percentile(firsts, 0.99) / base_p99
            print(f"{result.name}: first-response p99 {ratio:.2f}x the baseline's (target <= 2x)")
    print(f"stand-in violations: {len(violations)}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if violations else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000, help="corpus size")
    parser.add_argument("--rate", type=float, default=20.0, help="questions per second")
    parser.add_argument("--quiet", type=float, default=30.0, help="seconds of the baseline")
    parser.add_argument("--changed", type=int, default=100, help="claims added per reload")
    parser.add_argument("--no-match-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    return asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
