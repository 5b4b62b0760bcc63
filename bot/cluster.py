"""``factdesk cluster``: N ``factdesk run --shards a-b`` processes on one host, kept running.

The shards ``0 .. shard_count-1`` are split into N contiguous ranges
(:func:`bot.shards.contiguous_ranges`); each range runs in a child process started as
``python -m bot run --shards a-b --shard-count M`` with this process's environment (so the
children share ``FACTDESK_DATABASE``: PostgreSQL for several processes, see docs/deploy.md).
The children write their own logs to the same stdout/stderr; the cluster's own lines start
with ``cluster:``.

- A child that exits is started again after a back-off (1 s, doubling up to 60 s; back to
  1 s once it has run a minute). Exit code 2 (bad settings, no token) would fail again: the
  cluster stops every child and exits 2.
- SIGINT / SIGTERM: every child gets SIGTERM (each closes its connections and marks its
  heartbeat stopped), then the cluster waits for them (SIGKILL after a grace period) and
  exits 0.
- SIGHUP: passed on to every child (each reloads its corpus; on PostgreSQL a reload also
  reaches the others by NOTIFY, which does no harm twice).
- Each child writes its own heartbeat: ``FACTDESK_HEARTBEAT_FILE`` with the shard range
  before the suffix (``var/heartbeat.json`` -> ``var/heartbeat-0-3.json``), so ``factdesk
  health --heartbeat-file`` judges one child, and the children never overwrite each other's.
- Liveness: every ``liveness_every`` seconds the cluster reads each running child's own
  heartbeat; one that has run past its start grace and whose heartbeat is missing, written by
  another process, or older than ``heartbeat_max_age`` is stuck (alive, serving nothing):
  it is killed, and restarted as a child that died. A child that is merely disconnected
  from the gateway is left to reconnect by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.heartbeat import DEFAULT_MAX_AGE_SECONDS, HeartbeatError, read_heartbeat
from bot.shards import contiguous_ranges, format_shard_ids

EXIT_BAD_SETTINGS = 2
BACKOFF_START = 1.0
BACKOFF_MAX = 60.0
# A child that ran this long before it died starts again after BACKOFF_START.
STABLE_AFTER = 60.0
# How long the children get to stop after SIGTERM before they are killed.
STOP_GRACE = 30.0
# How often the cluster reads the children's heartbeats, and how long a (re)started child
# has to write its first one (it loads the corpus and connects first).
LIVENESS_EVERY = 30.0
START_GRACE = 120.0

CommandFor = Callable[[tuple[int, ...], int], Sequence[str]]


def heartbeat_file_for(base: Path, shards: tuple[int, ...]) -> Path:
    """The heartbeat file of the child running ``shards``: ``base`` with the range before
    its suffix (``heartbeat.json`` -> ``heartbeat-0-3.json``)."""
    return base.with_name(f"{base.stem}-{format_shard_ids(shards)}{base.suffix}")


def heartbeat_problem(path: Path, pid: int, now: datetime, max_age: float) -> str | None:
    """Why the heartbeat at ``path`` does not show process ``pid`` alive at ``now``, or None.

    Alive means written by that process at most ``max_age`` seconds ago; whether it is
    connected or its database writable is for ``factdesk health`` to report, not a reason
    to restart it.
    """
    try:
        state = read_heartbeat(path)
    except HeartbeatError as error:
        return str(error)
    if state.pid is not None and state.pid != pid:
        return f"its heartbeat {path} was written by pid {state.pid}, not by it"
    age = (now - state.written_at).total_seconds()
    if age > max_age:
        return f"its heartbeat {path} is {age:.0f} s old (limit {max_age:.0f} s)"
    return None


def _stop_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent dies (PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def run_command(shards: tuple[int, ...], shard_count: int) -> list[str]:
    """The child's command line: this interpreter, ``factdesk run`` on one shard range."""
    return [
        sys.executable,
        "-m",
        "bot",
        "run",
        "--shards",
        format_shard_ids(shards),
        "--shard-count",
        str(shard_count),
    ]


@dataclass
class Child:
    """One shard range and the process that runs it now (None between runs)."""

    number: int
    shards: tuple[int, ...]
    shard_count: int
    heartbeat_file: Path | None = None
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    backoff: float = BACKOFF_START
    started_at: float = 0.0

    @property
    def name(self) -> str:
        return (
            f"process {self.number} (shards {format_shard_ids(self.shards)} of {self.shard_count})"
        )


@dataclass
class Cluster:
    """The supervisor; :meth:`run` returns the exit code."""

    processes: int
    shard_count: int
    command_for: CommandFor = run_command
    say: Callable[[str], None] = field(default=lambda line: print(line, flush=True))
    backoff_start: float = BACKOFF_START
    backoff_max: float = BACKOFF_MAX
    stable_after: float = STABLE_AFTER
    stop_grace: float = STOP_GRACE
    # The children's FACTDESK_HEARTBEAT_FILE, before the range is added (None: the children
    # keep their environment's, and the cluster checks no heartbeat).
    heartbeat_file: Path | None = None
    liveness_every: float = LIVENESS_EVERY
    start_grace: float = START_GRACE
    heartbeat_max_age: float = DEFAULT_MAX_AGE_SECONDS
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        ranges = contiguous_ranges(self.processes, self.shard_count)
        self.children = [
            Child(
                n + 1,
                shards,
                self.shard_count,
                heartbeat_file=(
                    None
                    if self.heartbeat_file is None
                    else heartbeat_file_for(self.heartbeat_file, shards)
                ),
                backoff=self.backoff_start,
            )
            for n, shards in enumerate(ranges)
        ]
        self._stop = asyncio.Event()
        self._code = 0

    def stop(self) -> None:
        """Stop every child and end :meth:`run` (what SIGINT and SIGTERM do)."""
        self._stop.set()

    def hang_up(self) -> None:
        """Pass a SIGHUP on to every running child (each reloads its corpus)."""
        for child in self.children:
            if child.process is not None and child.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(signal.SIGHUP)
        self.say("cluster: SIGHUP passed on to every process")

    async def run(self, *, signals: bool = True) -> int:
        loop = asyncio.get_running_loop()
        if signals:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self.stop)
            loop.add_signal_handler(signal.SIGHUP, self.hang_up)
        self.say(
            f"cluster: {self.processes} processes for {self.shard_count} shards: "
            + ", ".join(format_shard_ids(c.shards) for c in self.children)
        )
        supervisors = [asyncio.create_task(self._supervise(child)) for child in self.children]
        if self.heartbeat_file is not None:
            supervisors.append(asyncio.create_task(self._watch_liveness()))
        try:
            await self._stop.wait()
        finally:
            await self._stop_children()
            for task in supervisors:
                task.cancel()
            await asyncio.gather(*supervisors, return_exceptions=True)
            if signals:
                for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                    loop.remove_signal_handler(signum)
        self.say(f"cluster: stopped (exit {self._code})")
        return self._code

    async def _start(self, child: Child) -> asyncio.subprocess.Process:
        command = list(self.command_for(child.shards, child.shard_count))
        environment = None
        if child.heartbeat_file is not None:
            environment = {**os.environ, "FACTDESK_HEARTBEAT_FILE": str(child.heartbeat_file)}
        # Its own process group: a Ctrl-C in the terminal reaches the cluster only, which
        # then stops the children in order. And if the cluster itself is killed, the
        # kernel sends each child SIGTERM (Linux), so no shard is left running unsupervised.
        process = await asyncio.create_subprocess_exec(
            *command, start_new_session=True, preexec_fn=_stop_with_parent, env=environment
        )
        child.process = process
        child.starts += 1
        child.started_at = time.monotonic()
        verb = "started" if child.starts == 1 else "restarted"
        self.say(f"cluster: {child.name} {verb}, pid {process.pid}")
        return process

    async def _supervise(self, child: Child) -> None:
        while not self._stop.is_set():
            process = await self._start(child)
            code = await process.wait()
            if self._stop.is_set():
                return
            ran = time.monotonic() - child.started_at
            if code == EXIT_BAD_SETTINGS:
                self.say(
                    f"cluster: {child.name} exited with code 2 (its settings are unusable:"
                    " see its error above); stopping every process"
                )
                self._code = EXIT_BAD_SETTINGS
                self._stop.set()
                return
            if ran >= self.stable_after:
                child.backoff = self.backoff_start
            wait = child.backoff
            child.backoff = min(child.backoff * 2, self.backoff_max)
            self.say(
                f"cluster: {child.name} exited with code {code} after {ran:.0f} s;"
                f" restarting in {wait:g} s"
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), wait)

    def stuck_children(self) -> list[tuple[Child, str]]:
        """The running children past their start grace whose own heartbeat does not show
        them alive, each with the reason."""
        stuck = []
        now = self.clock()
        for child in self.children:
            process = child.process
            if child.heartbeat_file is None or process is None or process.returncode is not None:
                continue
            if time.monotonic() - child.started_at < self.start_grace:
                continue
            problem = heartbeat_problem(
                child.heartbeat_file, process.pid, now, self.heartbeat_max_age
            )
            if problem is not None:
                stuck.append((child, problem))
        return stuck

    async def _watch_liveness(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.liveness_every)
            if self._stop.is_set():
                return
            for child, problem in self.stuck_children():
                assert child.process is not None
                self.say(f"cluster: {child.name} is stuck ({problem}): killed")
                with contextlib.suppress(ProcessLookupError):
                    child.process.kill()  # its supervisor restarts it after the back-off

    async def _stop_children(self) -> None:
        running = [
            c for c in self.children if c.process is not None and c.process.returncode is None
        ]
        for child in running:
            assert child.process is not None
            with contextlib.suppress(ProcessLookupError):
                child.process.terminate()
        if running:
            self.say(f"cluster: stopping {len(running)} processes")

        async def settle(child: Child) -> None:
            assert child.process is not None
            try:
                await asyncio.wait_for(child.process.wait(), self.stop_grace)
            except TimeoutError:
                self.say(f"cluster: {child.name} did not stop in {self.stop_grace:g} s: killed")
                with contextlib.suppress(ProcessLookupError):
                    child.process.kill()
                await child.process.wait()

        await asyncio.gather(*(settle(child) for child in running))
