"""/factcheck and autocomplete latency of the real bot against the local Discord stand-in.

The bot is the one ``factdesk run`` builds (``bot.runner.prepare`` + ``make_bot``, JSON logs
to a file), serving a corpus of N claims (default 100,000: the ~33.5k real claims of
``../shared/datasets`` padded with generated variants, see bench/_data.py) written to a
.jsonl file and loaded through ``Library.load``, the bot's own path for an imported corpus.
The stand-in (tests/standin) runs in the same process and event loop, with its checks on.

Phases, in this order:

1. **core**: ``Matcher.match`` / ``Matcher.autocomplete`` called directly on the bot's
   library, one at a time, for the same questions and prefixes (no Discord at all);
2. **cold pass** (reported, not the headline): the questions sent one at a time while the
   stand-in sees each answer body for the first time and validates it against the OpenAPI
   spec (it caches results by body text);
3. **/factcheck sequential**: the same questions, one at a time (the next is sent once the
   answer of the previous has arrived): the baseline;
4. **/factcheck concurrent**: the same questions all dispatched at once (``--concurrency``);
5. **autocomplete**: a cold pass, then sequential, then all at once, for distinct prefixes.

Each latency is taken from the stand-in's clock: from the moment it dispatches
INTERACTION_CREATE to the moment the bot's callback request reaches it (first response:
the answer, a deferral, or autocomplete choices) and, for /factcheck, to the request that
carries the answer itself (the same callback, or the follow-up after a deferral).
Percentiles are nearest-rank. The run fails (exit 1) on any stand-in violation or any
first response later than Discord's 3-second deadline.

    .venv/bin/python bench/speed_bot.py --claims 100000 --concurrency 200 --seed 1
    .venv/bin/python bench/speed_bot.py --claims 2000          # quick, well under 30 s

``--profile`` adds one more burst under cProfile (event-loop thread, by area; not in the
table). ``--defer-after S`` is a what-if: the loaded cog defers after S seconds instead of
its own threshold, so the run no longer measures the bot as shipped (it says so).

Results and the machine they came from: docs/performance-bot.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import math
import os
import platform
import pstats
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
for folder in (PROJECT_ROOT, PROJECT_ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import _data  # noqa: E402
import discord  # noqa: E402
import rapidfuzz  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from bot.logs import configure_logging, reset_logging  # noqa: E402
from bot.runner import make_bot, point_discord_at, prepare  # noqa: E402
from bot.settings import Settings  # noqa: E402
from cogs.factcheck import QUESTION_MAX_CHARS  # noqa: E402
from tests.standin import StandIn  # noqa: E402
from tests.standin.world import PLAIN_MEMBER  # noqa: E402

# Issue 15's targets (through the real bot, the stand-in out of the bot's loop, 100k claims).
SEQUENTIAL_P50_MS = 3.0
BURST_P99_MS = 400.0
STEADY_P99_MS = 100.0
CALLBACK_ROUTE = "/interactions/{interaction_id}/{interaction_token}/callback"
FOLLOWUP_ROUTE = "/webhooks/{webhook_id}/{webhook_token}"
EDIT_ORIGINAL_ROUTE = "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
DEFERRED = 5
NO_MATCH_BUTTON = "fd:req:ask"
# How long the bench waits for any one answer before calling it lost (well past 3 s, so a
# slow answer is measured rather than cut off).
ANSWER_WAIT_SECONDS = 60.0
# Members and channels the questions come from (round robin), like a busy server.
MEMBERS = 40
CHANNELS = 4
# Distinct claims in the "viral" burst: 200 members asking about 5 rumours at once.
VIRAL_DISTINCT = 5
# Let the bot finish what it does after answering (recording the question) between phases.
SETTLE_SECONDS = 0.5
PROFILE_TOP = 15

# Questions no fact-check should answer: everyday oddities, not claims anyone checks.
_ODD_SUBJECTS = (
    "my neighbour's parrot",
    "the office coffee machine",
    "a left-handed violinist",
    "grandma's sourdough starter",
    "the lighthouse keeper's cat",
    "our book club",
    "a tired marathon tortoise",
    "the school's chess robot",
)
_ODD_VERBS = ("hum", "knit", "whistle", "juggle", "alphabetise", "sketch", "paddle", "tidy")
_ODD_OBJECTS = (
    "lullabies in Finnish",
    "paper lanterns",
    "seashell collections",
    "origami cranes",
    "marmalade jars",
    "crossword clues",
    "woollen mittens",
    "kite strings",
)


@dataclass(frozen=True, slots=True)
class Place:
    guild: Any
    channel: Any
    member: Any


@dataclass(frozen=True, slots=True)
class Sample:
    """One interaction as the stand-in saw it; times in ms from dispatch, None if never."""

    first_ms: float | None
    final_ms: float | None
    deferred: bool
    no_match: bool
    interaction_id: int | None = None


@dataclass
class Phase:
    name: str
    samples: list[Sample]
    wall_s: float
    load_before: float
    load_after: float
    # CPU seconds the bot used during the phase: the process's CPU time less the stand-in
    # thread's (served inline, the stand-in's share cannot be told apart and is included).
    bot_cpu_s: float | None = None


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest rank: the p99 of 200 samples is the 3rd slowest (rank 198)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def load_average() -> float:
    return os.getloadavg()[0]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


# --- inputs ---------------------------------------------------------------------------------


def odd_question(rng: random.Random) -> str:
    return (
        f"Does {rng.choice(_ODD_SUBJECTS)} {rng.choice(_ODD_VERBS)} "
        f"{rng.choice(_ODD_OBJECTS)} every {rng.randint(2, 97)} days?"
    )


def factcheck_questions(
    count: int, real: Sequence[_data.ClaimRecord], no_match_share: float, rng: random.Random
) -> list[str]:
    """``count`` distinct questions: real claims retyped (typo, word order), plus odd ones."""
    odd_count = round(count * no_match_share)
    short = [r for r in real if len(r.claim) < QUESTION_MAX_CHARS - 10]
    questions: dict[str, None] = {}  # ordered set
    while len(questions) < count - odd_count:
        questions[_data.paraphrase(rng.choice(short).claim, rng)] = None
    while len(questions) < count:
        questions[odd_question(rng)] = None
    mixed = list(questions)
    rng.shuffle(mixed)
    return mixed


def viral_burst(questions: Sequence[str], count: int, distinct: int) -> list[str]:
    """``count`` questions that are ``distinct`` claims retold with other case and punctuation.

    A rumour makes many members ask the same thing at once, pasted or retyped.
    """
    dressings = (
        lambda q: q,
        lambda q: q.lower(),
        lambda q: q.upper(),
        lambda q: q.rstrip("?.!") + "??",
        lambda q: f"{q} !!! 😱",
        lambda q: f'"{q}"',
    )
    return [
        dressings[(n // distinct) % len(dressings)](questions[n % distinct]) for n in range(count)
    ]


def autocomplete_inputs(count: int, real: list[_data.ClaimRecord], seed: int) -> list[str]:
    """``count`` distinct partial inputs: the first 3-30 characters of claims."""
    prefixes: dict[str, None] = {}
    attempt = 0
    while len(prefixes) < count:
        for prefix in _data.autocomplete_prefixes(count, real, seed=seed + attempt):
            if prefix.strip() and len(prefixes) < count:
                prefixes[prefix] = None
        attempt += 1
    return list(prefixes)


# --- the measured interactions --------------------------------------------------------------


def request_times(standin: StandIn, since: int) -> tuple[dict[str, float], dict[str, float]]:
    """Arrival times (stand-in clock) of the first callback per interaction id and of the
    first follow-up/edit of the original per interaction token, for requests ``since``."""
    callbacks: dict[str, float] = {}
    answers: dict[str, float] = {}
    for record in standin.requests[since:]:
        parts = record.path.split("/")
        if record.route == CALLBACK_ROUTE:
            callbacks.setdefault(parts[2], record.time)
        elif (record.route == FOLLOWUP_ROUTE and record.method == "POST") or (
            record.route == EDIT_ORIGINAL_ROUTE and record.method == "PATCH"
        ):
            answers.setdefault(parts[3], record.time)
    return callbacks, answers


def custom_ids(message: dict[str, Any] | None) -> set[str]:
    if not message:
        return set()
    return {
        str(item.get("custom_id"))
        for row in message.get("components") or []
        for item in row.get("components") or []
    }


async def settle(ix: Any, *, wants_answer: bool) -> dict[str, Any] | None:
    """Wait for the first response and, after a deferral, the answer; the answer message."""
    try:
        body = await ix.response(within=ANSWER_WAIT_SECONDS)
        if body["type"] == DEFERRED and wants_answer:
            (message,) = await ix.followups(1, within=ANSWER_WAIT_SECONDS)
            return dict(message)
        return dict(body.get("data") or {})
    except TimeoutError:
        return None


def samples_of(
    standin: StandIn, since: int, sent: list[Any], answers: list[dict[str, Any] | None]
) -> list[Sample]:
    callbacks, followups = request_times(standin, since)
    samples = []
    for ix, answer in zip(sent, answers, strict=True):
        first = callbacks.get(str(ix.id))
        deferred = bool(ix.callback and ix.callback["type"] == DEFERRED)
        final = followups.get(ix.token) if deferred else first
        samples.append(
            Sample(
                first_ms=None if first is None else (first - ix.created) * 1000,
                final_ms=None if final is None else (final - ix.created) * 1000,
                deferred=deferred,
                no_match=NO_MATCH_BUTTON in custom_ids(answer),
                interaction_id=ix.id,
            )
        )
    return samples


async def send(standin: StandIn, place: Place, text: str, *, autocomplete: bool) -> Any:
    if autocomplete:
        return await standin.autocomplete(
            place.guild,
            place.channel,
            place.member,
            "factcheck",
            {"question": text},
            focused="question",
        )
    return await standin.slash(
        place.guild, place.channel, place.member, "factcheck", {"question": text}
    )


class CpuClock:
    """The bot's CPU time: the whole process's less the stand-in thread's (and less the
    load driver's, which runs on the stand-in's loop). Inline, it includes the stand-in."""

    def __init__(self, standin: StandIn) -> None:
        self.standin = standin

    def now(self) -> float:
        return time.process_time() - (self.standin.cpu_seconds() or 0.0)


async def run_phase(
    name: str,
    standin: StandIn,
    places: list[Place],
    inputs: list[str],
    *,
    autocomplete: bool,
    concurrent: bool,
) -> Phase:
    """One phase, driven from the stand-in's loop (``StandIn.drive``): the members' side
    never runs on the bot's loop when the stand-in has its own thread."""
    return await standin.drive(
        _run_phase(name, standin, places, inputs, autocomplete=autocomplete, concurrent=concurrent)
    )


async def _run_phase(
    name: str,
    standin: StandIn,
    places: list[Place],
    inputs: list[str],
    *,
    autocomplete: bool,
    concurrent: bool,
) -> Phase:
    load_before = load_average()
    clock = CpuClock(standin)
    cpu_before = clock.now()
    since = len(standin.requests)
    started = time.perf_counter()
    sent: list[Any] = []
    answers: list[dict[str, Any] | None] = []
    if concurrent:
        # Every INTERACTION_CREATE goes out back to back, before any answer is awaited.
        sent = list(
            await asyncio.gather(
                *(
                    send(standin, places[n % len(places)], text, autocomplete=autocomplete)
                    for n, text in enumerate(inputs)
                )
            )
        )
        answers = list(
            await asyncio.gather(*(settle(ix, wants_answer=not autocomplete) for ix in sent))
        )
    else:
        for n, text in enumerate(inputs):
            ix = await send(standin, places[n % len(places)], text, autocomplete=autocomplete)
            sent.append(ix)
            answers.append(await settle(ix, wants_answer=not autocomplete))
    wall = time.perf_counter() - started
    await asyncio.sleep(SETTLE_SECONDS)
    return Phase(
        name,
        samples_of(standin, since, sent, answers),
        wall,
        load_before,
        load_average(),
        bot_cpu_s=clock.now() - cpu_before,
    )


async def run_steady(
    name: str,
    standin: StandIn,
    places: list[Place],
    inputs: list[str],
    *,
    rate: float,
    duration: float,
) -> Phase:
    """A steady arrival rate: question n is dispatched at start + n / rate, whether or not
    the earlier ones have been answered (members do not wait for each other)."""
    return await standin.drive(_run_steady(name, standin, places, inputs, rate, duration))


async def _run_steady(
    name: str,
    standin: StandIn,
    places: list[Place],
    inputs: list[str],
    rate: float,
    duration: float,
) -> Phase:
    loop = asyncio.get_running_loop()
    total = int(rate * duration)
    load_before = load_average()
    clock = CpuClock(standin)
    cpu_before = clock.now()
    since = len(standin.requests)

    async def ask(n: int) -> tuple[Any, dict[str, Any] | None]:
        ix = await send(
            standin, places[n % len(places)], inputs[n % len(inputs)], autocomplete=False
        )
        return ix, await settle(ix, wants_answer=True)

    started = time.perf_counter()
    begin = loop.time()
    asked: list[asyncio.Task[tuple[Any, dict[str, Any] | None]]] = []
    for n in range(total):
        delay = begin + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        asked.append(asyncio.create_task(ask(n)))
    done = await asyncio.gather(*asked)
    wall = time.perf_counter() - started
    await asyncio.sleep(SETTLE_SECONDS)
    sent = [ix for ix, _ in done]
    answers = [answer for _, answer in done]
    return Phase(
        name,
        samples_of(standin, since, sent, answers),
        wall,
        load_before,
        load_average(),
        bot_cpu_s=clock.now() - cpu_before,
    )


def override_defer_after(seconds: float) -> None:
    """What-if: change the loaded cog's deferral threshold (not the bot as shipped).

    ``load_extension`` executes cogs/factcheck.py as a fresh module, so the patch must go
    to the module in ``sys.modules`` after the bot has loaded it; the cog reads the global
    on every answer.
    """
    loaded = sys.modules["cogs.factcheck"]
    print(
        f"WHAT-IF RUN: the cog defers after {seconds} s instead of {loaded.DEFER_AFTER_SECONDS} s"
    )
    loaded.DEFER_AFTER_SECONDS = seconds  # type: ignore[attr-defined]


def core_phase(name: str, call: Any, inputs: list[str]) -> Phase:
    load_before = load_average()
    samples = []
    started = time.perf_counter()
    for item in inputs:
        begin = time.perf_counter()
        call(item)
        elapsed = (time.perf_counter() - begin) * 1000
        samples.append(Sample(elapsed, elapsed, deferred=False, no_match=False))
    return Phase(name, samples, time.perf_counter() - started, load_before, load_average())


# Where the event loop's time goes, by the file a function lives in (first match wins).
_AREAS = (
    ("tests/standin", "stand-in (server, rules, recording)"),
    ("jsonschema", "stand-in: OpenAPI validation (jsonschema)"),
    ("referencing", "stand-in: OpenAPI validation (jsonschema)"),
    ("rpds", "stand-in: OpenAPI validation (jsonschema)"),
    ("/discord/", "discord.py"),
    ("aiohttp", "aiohttp / yarl / multidict (HTTP + websocket)"),
    ("yarl", "aiohttp / yarl / multidict (HTTP + websocket)"),
    ("multidict", "aiohttp / yarl / multidict (HTTP + websocket)"),
    ("structlog", "logging (structlog + stdlib)"),
    ("logging", "logging (structlog + stdlib)"),
    ("aiosqlite", "database (aiosqlite)"),
    ("/bot/", "factdesk (bot/, cogs/)"),
    ("/cogs/", "factdesk (bot/, cogs/)"),
    ("json", "json"),
    ("asyncio", "asyncio + selectors"),
    ("selectors", "asyncio + selectors"),
)


def top_functions(profiler: cProfile.Profile, count: int) -> list[tuple[str, float]]:
    """The ``count`` functions with the most own time, as "file:function"."""
    stats: Any = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:count]
    return [(f"{Path(filename).name}:{function}", row[2]) for (filename, _, function), row in rows]


def profile_by_area(profiler: cProfile.Profile) -> list[tuple[str, float]]:
    """Own time (tottime) of every profiled function, summed by area, largest first."""
    stats: Any = pstats.Stats(profiler)
    totals: dict[str, float] = {}
    for (filename, _, function), row in stats.stats.items():
        own = row[2]
        where = filename.replace(os.sep, "/")
        area = next((name for key, name in _AREAS if key in where), None)
        if area is None and filename == "~":
            # C functions: the epoll wait is the loop idle (or waiting for the GIL).
            area = "event loop waiting (epoll)" if "epoll" in function else "C built-ins"
        totals[area or "other Python"] = totals.get(area or "other Python", 0.0) + own
    return sorted(totals.items(), key=lambda item: -item[1])


# --- report ---------------------------------------------------------------------------------


def cell(values: list[float]) -> str:
    if not values:
        return f"{'-':>8} {'-':>8} {'-':>8}"
    return f"{percentile(values, 0.50):8.1f} {percentile(values, 0.99):8.1f} {max(values):8.1f}"


def handler_times(log_text: str) -> dict[int, float]:
    """interaction id -> the bot's own ``latency_ms`` from its one "interaction" log line."""
    times = {}
    for line in log_text.splitlines():
        with contextlib.suppress(ValueError):
            event = json.loads(line)
            if event.get("event") == "interaction" and "latency_ms" in event:
                times[int(event["interaction_id"])] = float(event["latency_ms"])
    return times


def print_table(phases: list[Phase], handler: dict[int, float]) -> None:
    header = (
        f"{'phase':<38} {'n':>4} | {'first response ms':^26} | {'answer ms':^26} |"
        f" {'in handler ms':^17} | {'defer':>5} {'nomatch':>7} {'lost':>4} {'wall s':>7}"
        f" {'cpu ms/ix':>9} {'load':>9}"
    )
    print(header)
    print(
        f"{'':<38} {'':>4} | {'p50':>8} {'p99':>8} {'max':>8} | {'p50':>8} {'p99':>8}"
        f" {'max':>8} | {'p50':>8} {'p99':>8} |"
    )
    print("-" * len(header))
    for phase in phases:
        first = [s.first_ms for s in phase.samples if s.first_ms is not None]
        final = [s.final_ms for s in phase.samples if s.final_ms is not None]
        lost = sum(1 for s in phase.samples if s.first_ms is None)
        inside = [handler[s.interaction_id] for s in phase.samples if s.interaction_id in handler]
        inside_cell = (
            f"{percentile(inside, 0.50):8.1f} {percentile(inside, 0.99):8.1f}"
            if inside
            else f"{'-':>8} {'-':>8}"
        )
        cpu_cell = (
            "-"
            if phase.bot_cpu_s is None or not phase.samples
            else f"{1000 * phase.bot_cpu_s / len(phase.samples):.2f}"
        )
        print(
            f"{phase.name:<38} {len(phase.samples):>4} | {cell(first)} | {cell(final)} |"
            f" {inside_cell} | {sum(s.deferred for s in phase.samples):>5}"
            f" {sum(s.no_match for s in phase.samples):>7} {lost:>4} {phase.wall_s:>7.2f}"
            f" {cpu_cell:>9} {phase.load_before:>4.2f}>{phase.load_after:<4.2f}"
        )


def machine_facts() -> str:
    memory = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    return (
        f"nproc {os.cpu_count()}, RAM {memory}, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, discord.py {discord.__version__}, "
        f"rapidfuzz {rapidfuzz.__version__}, SQLite {sqlite3.sqlite_version}"
    )


# --- the run --------------------------------------------------------------------------------


@dataclass
class ModeRun:
    """Everything one stand-in placement (thread or inline) measured."""

    mode: str
    phases: list[Phase]
    interactions: int
    late: int
    violations: list[Any]
    deadline: float
    # (name, by area, hottest functions) per profiled phase.
    profiles: list[tuple[str, list[tuple[str, float]], list[tuple[str, float]]]]


STANDIN_MODES = {
    "thread": "stand-in on its own thread and event loop (the load driver too)",
    "inline": "stand-in on the bot's event loop (the old set-up: its cost counts as the bot's)",
}


async def run_mode(
    mode: str,
    args: argparse.Namespace,
    folder: Path,
    resources: Any,
    questions: list[str],
    prefixes: list[str],
    steady_inputs: list[str],
) -> ModeRun:
    library = resources.library
    phases: list[Phase] = []
    profiles: list[tuple[str, list[tuple[str, float]], list[tuple[str, float]]]] = []
    async with StandIn.start(own_thread=mode == "thread") as standin:
        guild = standin.add_guild("Speed")
        channels = [standin.add_channel(guild, f"chat-{n}") for n in range(CHANNELS)]
        members = [
            standin.add_member(guild, f"member-{n}", permissions=PLAIN_MEMBER)
            for n in range(MEMBERS)
        ]
        places = [Place(guild, channels[n % CHANNELS], m) for n, m in enumerate(members)]
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            discord_token=SecretStr(standin.token),
            database=folder / "bench.db",
            corpus_dir=folder / "claims.jsonl",
            dev_guild_id=guild.id,
            discord_api_base=standin.api_base,
            discord_gateway_url=standin.gateway_url,
            heartbeat_file=folder / "heartbeat.json",
            log_format="json",
        )
        point_discord_at(standin.api_base, standin.gateway_url)
        bot = make_bot(settings, resources)
        runner = asyncio.create_task(bot.start(standin.token))
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 60)
            await standin.wait_for_commands("factcheck", guild=guild, within=60)
            if args.defer_after is not None:
                override_defer_after(args.defer_after)
            n = len(questions)
            viral = viral_burst(questions, n, VIRAL_DISTINCT)
            plan: list[tuple[str, list[str], bool, bool]] = [
                ("/factcheck sequential, cold stand-in", questions, False, False),
                ("/factcheck sequential", questions, False, False),
                (f"/factcheck {n} concurrent", questions, False, True),
                (
                    f"/factcheck {n} concurrent, {VIRAL_DISTINCT} questions retold",
                    viral,
                    False,
                    True,
                ),
            ]
            if args.autocomplete:
                plan += [
                    ("autocomplete sequential, cold stand-in", prefixes, True, False),
                    ("autocomplete sequential", prefixes, True, False),
                    (f"autocomplete {len(prefixes)} concurrent", prefixes, True, True),
                ]
            for name, inputs, autocomplete, concurrent in plan:
                # Every phase starts with no remembered answers, so the same
                # questions asked again in a later phase are matched again.
                library.matcher.forget_recent()
                phases.append(
                    await run_phase(
                        name,
                        standin,
                        places,
                        inputs,
                        autocomplete=autocomplete,
                        concurrent=concurrent,
                    )
                )
            if args.rate and args.duration:
                library.matcher.forget_recent()
                phases.append(
                    await run_steady(
                        f"/factcheck steady {args.rate:g}/s for {args.duration:g} s",
                        standin,
                        places,
                        steady_inputs,
                        rate=args.rate,
                        duration=args.duration,
                    )
                )
            if args.profile:
                # Extra, unreported phases under cProfile (which slows them down). cProfile
                # sees the thread that enables it: the bot's loop (the stand-in's thread
                # and the matcher's worker threads are not in it).
                for label, concurrent in (("sequential", False), ("burst", True)):
                    library.matcher.forget_recent()
                    profiler = cProfile.Profile()
                    profiler.enable()
                    await run_phase(
                        "profiled",
                        standin,
                        places,
                        questions,
                        autocomplete=False,
                        concurrent=concurrent,
                    )
                    profiler.disable()
                    profiles.append(
                        (label, profile_by_area(profiler), top_functions(profiler, PROFILE_TOP))
                    )
        finally:
            await bot.close()
            await asyncio.wait_for(runner, 30)
        interactions = list(standin.interactions.values())
        late = [
            ix
            for ix in interactions
            if ix.latency is None or ix.latency > standin.response_deadline
        ]
        return ModeRun(
            mode,
            phases,
            len(interactions),
            len(late),
            standin.violations,
            standin.response_deadline,
            profiles,
        )


def report_mode(run: ModeRun, handler: dict[int, float], args: argparse.Namespace) -> None:
    print(f"\n== --standin {run.mode}: {STANDIN_MODES[run.mode]}")
    print(f"{args.claims} claims, seed {args.seed}, peak RSS {peak_rss_mb():.0f} MB")
    print_table(run.phases, handler)
    print(
        f"interactions dispatched {run.interactions}; first responses later than"
        f" {run.deadline:.0f} s or missing: {run.late}; stand-in violations:"
        f" {len(run.violations)}"
    )
    for violation in run.violations[:10]:
        print(f"  violation: {violation}")
    for phase in run.phases:
        first = [s.first_ms for s in phase.samples if s.first_ms is not None]
        if not first or not phase.name.startswith("/factcheck"):
            continue
        if phase.name == "/factcheck sequential":
            target, what = SEQUENTIAL_P50_MS, "p50"
            value = percentile(first, 0.50)
        elif phase.name.endswith("concurrent"):
            target, what = BURST_P99_MS, "p99"
            value = percentile(first, 0.99)
        elif "steady" in phase.name:
            target, what = STEADY_P99_MS, "p99"
            value = percentile(first, 0.99)
            answered = sum(1 for s in phase.samples if s.final_ms is not None)
            if phase.bot_cpu_s:
                print(
                    f"steady: {answered / phase.wall_s:.1f} answers/s over {phase.wall_s:.1f} s;"
                    f" the bot used {phase.bot_cpu_s:.2f} CPU s ="
                    f" {phase.bot_cpu_s / phase.wall_s:.2f} cores,"
                    f" so {answered / phase.bot_cpu_s:.0f} answers per CPU second (per core)"
                )
        else:
            continue
        verdict = "met" if value <= target else "MISSED"
        print(
            f"target ({run.mode}): {phase.name} first response {what} <= {target:.0f} ms:"
            f" {value:.1f} ms, {verdict}"
        )
    for label, areas, hottest in run.profiles:
        total = sum(seconds for _, seconds in areas) or 1.0
        print(
            f"\nprofile ({run.mode}) of one more {label} pass of {len(args.questions)}"
            f" questions, bot's event-loop thread only: {total:.2f} s of own time"
        )
        for area, seconds in areas:
            print(f"  {area:<48} {seconds:6.2f} s {100 * seconds / total:5.1f}%")
        print("hottest functions (own time):")
        for function, seconds in hottest:
            print(f"  {function[:70]:<72} {seconds:6.3f} s")


async def bench(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    real = _data.real_claims()
    in_corpus = real[: min(args.claims, len(real))]
    questions = factcheck_questions(args.concurrency, in_corpus, args.no_match_share, rng)
    args.questions = questions
    prefixes = autocomplete_inputs(args.autocomplete, in_corpus, seed=args.seed)
    steady_count = int(args.rate * args.duration) if args.rate and args.duration else 0
    # Distinct questions for the steady phase, so the answer memory does not serve it.
    steady_inputs = (
        factcheck_questions(steady_count, in_corpus, args.no_match_share, rng)
        if steady_count
        else []
    )
    modes = ["inline", "thread"] if args.standin == "both" else [args.standin]
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC; {machine_facts()}")
    print(f"event loop: {type(asyncio.get_running_loop()).__module__}; stand-in: {modes}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    with tempfile.TemporaryDirectory(prefix="factdesk-speed-bot-") as directory:
        folder = Path(directory)
        corpus_file = folder / "claims.jsonl"
        _data.write_corpus(corpus_file, args.claims)
        log_file = folder / "bot.log"
        runs: list[ModeRun] = []
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database=folder / "bench.db",
            corpus_dir=corpus_file,
            heartbeat_file=folder / "heartbeat.json",
            log_format="json",
        )
        with log_file.open("w", encoding="utf-8") as log_stream:
            # As `factdesk run` does: JSON lines, here to a file instead of stderr.
            configure_logging(log_format="json", level="INFO", stream=log_stream)
            warnings = io.StringIO()
            started = time.perf_counter()
            with contextlib.redirect_stderr(warnings):
                resources = await prepare(settings)
            load_s = time.perf_counter() - started
            library = resources.library
            try:
                print(
                    f"corpus: {len(library.corpus)} fact-checks loaded from .jsonl in "
                    f"{load_s:.1f} s ({warnings.getvalue().count('warning:')} load warnings, "
                    f"e.g. records without a date); peak RSS {peak_rss_mb():.0f} MB"
                )
                core = [core_phase("core Matcher.match (direct)", library.matcher.match, questions)]
                library.matcher.forget_recent()
                core.append(
                    core_phase(
                        "core Matcher.autocomplete (direct)", library.matcher.autocomplete, prefixes
                    )
                )
                for mode in modes:
                    runs.append(
                        await run_mode(
                            mode, args, folder, resources, questions, prefixes, steady_inputs
                        )
                    )
            finally:
                await resources.database.close()
                reset_logging()
        handler = handler_times(log_file.read_text(encoding="utf-8"))

    print()
    print_table(core, handler)
    for run in runs:
        report_mode(run, handler, args)
    print(
        "\nfirst response = INTERACTION_CREATE dispatched -> the bot's callback request"
        " received by the stand-in; answer = -> the request carrying the answer"
        " (the callback itself, or the follow-up after a deferral); in handler = the"
        " bot's own logged latency_ms (its handler's start to its end, after recording"
        " the question); cpu ms/ix = the process's CPU time less the stand-in thread's,"
        " per interaction (inline: the stand-in's included); load = 1-min load"
        " average before>after the phase"
    )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    failed = any(run.late or run.violations for run in runs)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000, help="corpus size")
    parser.add_argument(
        "--concurrency", type=int, default=200, help="/factcheck questions sent at once"
    )
    parser.add_argument("--autocomplete", type=int, default=200, help="autocomplete inputs")
    parser.add_argument(
        "--no-match-share", type=float, default=0.1, help="share of made-up questions"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--standin",
        choices=("thread", "inline", "both"),
        default="thread",
        help="where the stand-in runs: its own thread and loop (default), the bot's loop"
        " (the old set-up), or both one after the other in this run",
    )
    parser.add_argument(
        "--rate", type=float, default=0.0, help="steady phase: questions per second (0: none)"
    )
    parser.add_argument("--duration", type=float, default=30.0, help="steady phase: seconds")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop (must be installed)")
    parser.add_argument(
        "--defer-after",
        type=float,
        default=None,
        help="what-if: override the cog's DEFER_AFTER_SECONDS for this run",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile one more sequential pass and one more burst (bot's event loop)",
    )
    args = parser.parse_args()
    _data.require_datasets()
    if args.uvloop:
        import uvloop

        return uvloop.run(bench(args))
    return asyncio.run(bench(args))


if __name__ == "__main__":
    raise SystemExit(main())
