"""Digest load: 1,000 servers due at the same minute.

Measures, for N servers (default 1,000) with a day of activity each:

* ``build``: the pure part, building and rendering every digest from plain data (no
  database, no Discord), per digest;
* ``compose``: the same through SQLite, the way the cog does it (the window's queries on a
  database holding every server's day, then build and render), per digest and in all;
* ``post`` (unless ``--build-only``): the real bot against the local Discord stand-in,
  message creation limited to 50 per second like Discord's global limit (429 with
  Retry-After beyond it): one tick of the digest loop posts every server's digest, while a
  member runs ``/factcheck`` every 50 ms; its response latency (dispatch to the first
  callback) is compared with the same load before the digests start.

Run: ``.venv/bin/python bench/digest_load.py [--guilds 1000] [--build-only]``.
Results and the machine they came from are in docs/performance-digest.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.core.digest import (  # noqa: E402
    TOP_REQUESTS,
    AskedItem,
    DigestInput,
    FlagItem,
    RequestItem,
    build_digest,
)
from bot.core.models import FactCheck  # noqa: E402
from bot.core.schedule import DEFAULT_POST_TIME  # noqa: E402
from bot.discord_ui.digest import render_digest  # noqa: E402
from bot.store.database import Database  # noqa: E402
from bot.store.digest import DigestStore  # noqa: E402
from bot.store.rows import NewFlag  # noqa: E402

POSTED_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MESSAGES_ROUTE = "/channels/{channel_id}/messages"
DISCORD_GLOBAL_PER_SECOND = 50
ASK_EVERY_SECONDS = 0.05
BASELINE_ASKS = 100
SINCE = POSTED_AT - timedelta(days=1)
CORPUS_SIZE = 300


def synthetic_corpus(rng: random.Random) -> list[FactCheck]:
    """Entries with realistic question lengths; a few dated inside the window."""
    entries = []
    for n in range(CORPUS_SIZE):
        checked = date(2026, 11, 22) if n % 60 == 0 else date(2025, 1, 1) + timedelta(days=n)
        words = " ".join(
            rng.choice(["claim", "vaccine", "election", "cartel", "moon"]) for _ in range(12)
        )
        entries.append(
            FactCheck(
                id=f"entry-{n}",
                question=f"Is it true that {words}?",
                checked_on=checked,
                summary="S.",
            )
        )
    return entries


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{label}: n={len(ms)} median={statistics.median(ms):.2f} ms "
        f"p99={percentile(ms, 0.99):.2f} ms max={max(ms):.2f} ms total={sum(ms) / 1000:.2f} s"
    )


def pure_inputs(guild_ids: list[int], questions: int, rng: random.Random) -> list[DigestInput]:
    inputs = []
    for guild in guild_ids:
        asked = [
            AskedItem(f"question {rng.randrange(60)}", f"entry-{rng.randrange(CORPUS_SIZE)}")
            if rng.random() < 0.7
            else AskedItem(f"unmatched {rng.randrange(30)}", None)
            for _ in range(questions)
        ]
        inputs.append(
            DigestInput(
                guild_id=guild,
                local_date=POSTED_AT.date(),
                window_start_local=SINCE,
                window_end_local=POSTED_AT,
                asked=asked,
                flags_opened=[FlagItem(n, f"entry-{n}", "reason") for n in range(guild % 4)],
                flags_resolved=[FlagItem(9, None, "spam", "dismissed")] if guild % 3 == 0 else [],
                open_requests=[RequestItem(n, f"Request {n}?", 1 + n % 3) for n in range(3)],
                open_request_total=3,
            )
        )
    return inputs


def bench_build(inputs: list[DigestInput], corpus: list[FactCheck]) -> list[float]:
    questions = {fc.id: fc.question for fc in corpus}
    timings = []
    for data in inputs:
        started = time.perf_counter()
        digest = build_digest(data, corpus)
        render_digest(digest, {c: questions[c] for c in digest.claim_ids}, "note")
        timings.append(time.perf_counter() - started)
    return timings


async def seed(db: Database, inputs: list[DigestInput], rng: random.Random) -> None:
    """Write every server's day in one transaction per table (seeding is not measured)."""
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO asked_questions (guild_id, channel_id, user_id, question, claim_id,"
            " score, asked_at) VALUES (?, 1, 2, ?, ?, 0.9, ?)",
            [
                (
                    data.guild_id,
                    item.question,
                    item.claim_id,
                    (SINCE + timedelta(seconds=rng.randrange(86_400))).isoformat(
                        timespec="milliseconds"
                    ),
                )
                for data in inputs
                for item in data.asked
            ],
        )
    for data in inputs[:: max(1, len(inputs) // 100)]:
        await db.add_flag(
            NewFlag(data.guild_id, "answer", "entry-1", flagger_id=3),
            now=SINCE + timedelta(hours=1),
        )
        await db.add_request(data.guild_id, "Is tea healthy?", user_id=3, source="command")


async def bench_compose(
    inputs: list[DigestInput], corpus: list[FactCheck], rng: random.Random
) -> tuple[list[float], float]:
    questions = {fc.id: fc.question for fc in corpus}
    with tempfile.TemporaryDirectory() as directory:
        db = await Database.open(Path(directory) / "bench.db")
        try:
            await seed(db, inputs, rng)
            store = DigestStore(db)
            timings = []
            wall = time.perf_counter()
            for data in inputs:
                started = time.perf_counter()
                activity = await store.activity(
                    data.guild_id, SINCE, POSTED_AT, top_requests=TOP_REQUESTS
                )
                digest = build_digest(
                    DigestInput(
                        guild_id=data.guild_id,
                        local_date=data.local_date,
                        window_start_local=SINCE,
                        window_end_local=POSTED_AT,
                        asked=activity.asked,
                        flags_opened=activity.flags_opened,
                        flags_resolved=activity.flags_resolved,
                        open_requests=activity.open_requests,
                        open_request_total=activity.open_request_total,
                    ),
                    corpus,
                )
                render_digest(digest, {c: questions[c] for c in digest.claim_ids}, "note")
                timings.append(time.perf_counter() - started)
            return timings, time.perf_counter() - wall
        finally:
            await db.close()


async def ask_factcheck(
    standin: Any, place: tuple[Any, Any, Any], stop: asyncio.Event
) -> list[float]:
    """Run /factcheck every ASK_EVERY_SECONDS until ``stop``; the response latencies."""
    guild, channel, member = place
    pending = []
    questions = ["Is the moon made of cheese?", "Did the US help the cartels?", "vaccines"]
    n = 0
    while not stop.is_set():
        ix = await standin.slash(
            guild, channel, member, "factcheck", {"question": questions[n % 3]}
        )
        pending.append(ix)
        n += 1
        await asyncio.sleep(ASK_EVERY_SECONDS)
    latencies = []
    for ix in pending:
        await ix.response(within=30)
        latencies.append(ix.latency)
    return latencies


async def bench_post(guilds: int, questions: int, rng: random.Random) -> None:
    """Post every server's digest through the real bot and the stand-in."""
    from pydantic import SecretStr

    from bot.runner import make_bot, prepare
    from bot.settings import Settings
    from bot.store.digest import DigestStore
    from tests.standin import StandIn
    from tests.standin.world import PLAIN_MEMBER

    with tempfile.TemporaryDirectory() as directory:
        async with StandIn.start() as standin:
            ask_guild = standin.add_guild("Askers")
            place = (
                ask_guild,
                standin.add_channel(ask_guild, "general"),
                standin.add_member(ask_guild, "asker", permissions=PLAIN_MEMBER),
            )
            servers = []
            for n in range(guilds):
                guild = standin.add_guild(f"Server {n}")
                servers.append((guild, standin.add_channel(guild, "digest")))
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                discord_token=SecretStr(standin.token),
                database=Path(directory) / "bench.db",
                dev_guild_id=ask_guild.id,
                discord_api_base=standin.api_base,
                discord_gateway_url=standin.gateway_url,
                heartbeat_file=Path(directory) / "heartbeat.json",
            )
            resources = await prepare(settings)
            bot = make_bot(settings, resources)
            runner = asyncio.create_task(bot.start(standin.token))
            try:
                await asyncio.wait_for(bot.wait_until_ready(), 120)
                await standin.wait_for_commands("factcheck", guild=ask_guild, within=60)
                cog: Any = bot.get_cog("Digest")
                cog.post_due_digests.cancel()  # this benchmark is the loop's tick
                store = DigestStore(resources.database)
                set_up = POSTED_AT - timedelta(days=2)
                for guild, channel in servers:
                    await store.save_config(
                        guild.id,
                        channel_id=channel.id,
                        post_time=DEFAULT_POST_TIME,
                        timezone="UTC",
                        quiet_day="note",
                        actor_id=None,
                        now=set_up,
                    )
                inputs = pure_inputs([guild.id for guild, _ in servers], questions, rng)
                await seed(resources.database, inputs, rng)
                standin.rate_limit("POST", MESSAGES_ROUTE, per_second=DISCORD_GLOBAL_PER_SECOND)

                stop = asyncio.Event()
                asker = asyncio.create_task(ask_factcheck(standin, place, stop))
                await asyncio.sleep(BASELINE_ASKS * ASK_EVERY_SECONDS)
                stop.set()
                baseline = await asker

                stop = asyncio.Event()
                asker = asyncio.create_task(ask_factcheck(standin, place, stop))
                started = time.perf_counter()
                results = await cog.run_due(POSTED_AT + timedelta(seconds=5))
                wall = time.perf_counter() - started
                stop.set()
                during = await asker
            finally:
                await bot.close()
                await asyncio.wait_for(runner, 30)
                await resources.database.close()
            outcomes: dict[str, int] = {}
            for _, _, outcome in results:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            statuses = [r.status for r in standin.requests if r.route == MESSAGES_ROUTE]
            posted_channels = sum(1 for _, channel in servers if standin.channel_messages(channel))
            print(
                f"posted {guilds} digests in {wall:.1f} s ({guilds / wall:.1f}/s); outcomes "
                f"{outcomes}; channels with a digest {posted_channels}; "
                f"POSTs {statuses.count(200)} ok, {statuses.count(429)} answered 429"
            )
            report("/factcheck latency, baseline", baseline)
            report("/factcheck latency, during the digests", during)
            print(f"stand-in violations: {len(standin.violations)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--guilds", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=40, help="questions per server per day")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--build-only", action="store_true", help="skip the stand-in phase")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    corpus = synthetic_corpus(rng)
    inputs = pure_inputs(list(range(args.guilds)), args.questions, rng)
    print(f"{args.guilds} servers, {args.questions} questions each, corpus of {len(corpus)}")
    report("build+render (pure)", bench_build(inputs, corpus))
    timings, wall = asyncio.run(bench_compose(inputs, corpus, rng))
    report("query+build+render (SQLite)", timings)
    print(f"all {args.guilds} digests composed in {wall:.2f} s")
    if not args.build_only:
        asyncio.run(bench_post(args.guilds, args.questions, rng))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
