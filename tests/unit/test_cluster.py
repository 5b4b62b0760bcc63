"""The cluster supervisor (bot.cluster) with stand-in children: small Python scripts that
behave like a `factdesk run` that dies, fails on its settings, or ignores SIGTERM."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bot.cli import main
from bot.cluster import Cluster, run_command
from bot.shards import ShardSpecError

# Exits 1 the first time it runs for a range (marker file absent), then runs until SIGTERM;
# writes "hup" to the range's file on SIGHUP.
CHILD = """
import pathlib, signal, sys, time
home, shards, mode = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
marker = home / f"ran-{shards}"
first = not marker.exists()
marker.write_text("1")
if mode == "bad":
    sys.exit(2)
if mode == "crash-once" and first:
    sys.exit(1)
signal.signal(signal.SIGHUP, lambda *_: (home / f"hup-{shards}").write_text("hup"))
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
(home / f"up-{shards}").write_text("up")
while True:
    time.sleep(0.05)
"""


class Lines:
    """The cluster's output, awaitable line by line."""

    def __init__(self) -> None:
        self.all: list[str] = []
        self._queue: asyncio.Queue[str] = asyncio.Queue()

    def __call__(self, line: str) -> None:
        self.all.append(line)
        self._queue.put_nowait(line)

    async def until(self, text: str, within: float = 30.0) -> str:
        async def find() -> str:
            while True:
                line = await self._queue.get()
                if text in line:
                    return line

        return await asyncio.wait_for(find(), within)


def cluster(tmp_path: Path, mode: str, lines: Lines, **options: float) -> Cluster:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")

    def command_for(shards: tuple[int, ...], count: int) -> Sequence[str]:
        name = "-".join(map(str, shards))
        return [sys.executable, str(script), str(tmp_path), name, mode]

    return Cluster(2, 4, command_for=command_for, say=lines, backoff_start=0.05, **options)


def test_the_child_command_is_factdesk_run_on_a_range() -> None:
    assert run_command((2, 3), 4)[1:] == [
        "-m",
        "bot",
        "run",
        "--shards",
        "2-3",
        "--shard-count",
        "4",
    ]


def test_ranges_are_contiguous_and_checked() -> None:
    assert [c.shards for c in Cluster(3, 8).children] == [(0, 1, 2), (3, 4, 5), (6, 7)]
    with pytest.raises(ShardSpecError):
        Cluster(3, 2)


def test_the_cli_refuses_more_processes_than_shards(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cluster", "--processes", "3", "--shard-count", "2"]) == 2
    assert "3 processes need at least 3 shards" in capsys.readouterr().err


async def test_a_child_that_dies_is_restarted_and_all_stop_on_request(tmp_path: Path) -> None:
    lines = Lines()
    supervisor = cluster(tmp_path, "crash-once", lines)
    running = asyncio.create_task(supervisor.run(signals=False))
    await lines.until("exited with code 1")
    await lines.until("restarted")
    await lines.until("restarted")
    assert {c.starts for c in supervisor.children} == {2}
    # Both ranges run now.
    for child in supervisor.children:
        assert child.process is not None
        assert child.process.returncode is None
    processes = [c.process for c in supervisor.children]
    supervisor.stop()
    assert await asyncio.wait_for(running, 30) == 0
    assert all(p is not None and p.returncode is not None for p in processes)
    assert lines.all[-1] == "cluster: stopped (exit 0)"


async def test_sighup_is_passed_on_to_every_child(tmp_path: Path) -> None:
    lines = Lines()
    supervisor = cluster(tmp_path, "steady", lines)
    running = asyncio.create_task(supervisor.run(signals=False))
    await lines.until("process 2 (shards 2-3 of 4) started")
    for name in ("0-1", "2-3"):
        await wait_for_file(tmp_path / f"up-{name}")
    supervisor.hang_up()
    for name in ("0-1", "2-3"):
        await wait_for_file(tmp_path / f"hup-{name}")
    supervisor.stop()
    assert await asyncio.wait_for(running, 30) == 0


async def test_bad_settings_stop_the_whole_cluster_with_exit_2(tmp_path: Path) -> None:
    lines = Lines()
    supervisor = cluster(tmp_path, "bad", lines)
    assert await asyncio.wait_for(supervisor.run(signals=False), 30) == 2
    assert any("exited with code 2" in line for line in lines.all)
    assert all(c.starts == 1 for c in supervisor.children)


async def test_a_child_ignoring_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    lines = Lines()
    supervisor = cluster(tmp_path, "stubborn", lines, stop_grace=0.5)
    running = asyncio.create_task(supervisor.run(signals=False))
    for name in ("0-1", "2-3"):
        await wait_for_file(tmp_path / f"up-{name}")
    supervisor.stop()
    assert await asyncio.wait_for(running, 30) == 0
    assert sum("did not stop" in line for line in lines.all) == 2


async def wait_for_file(path: Path, within: float = 30.0) -> None:
    """A child wrote ``path`` (a child process has no way to wake this loop directly)."""

    async def poll() -> None:
        while True:
            if await asyncio.to_thread(path.exists):
                return
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), within)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
async def test_children_stop_when_the_cluster_is_killed(tmp_path: Path) -> None:
    """A SIGKILLed cluster leaves no shard running: the kernel sends its children SIGTERM."""
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    launcher = tmp_path / "launcher.py"
    launcher.write_text(
        "import asyncio, sys\n"
        "from bot.cluster import Cluster\n"
        f"cmd = lambda shards, n: [sys.executable, {str(script)!r}, {str(tmp_path)!r},"
        " '-'.join(map(str, shards)), 'steady']\n"
        "asyncio.run(Cluster(2, 2, command_for=cmd).run())\n",
        encoding="utf-8",
    )
    cluster = await asyncio.create_subprocess_exec(
        sys.executable, str(launcher), stdout=asyncio.subprocess.PIPE
    )
    assert cluster.stdout is not None
    pids = []
    while len(pids) < 2:
        line = (await asyncio.wait_for(cluster.stdout.readline(), 30)).decode()
        if "pid " in line:
            pids.append(int(line.rsplit("pid ", 1)[1]))
    cluster.kill()
    # (The wait ends once every holder of its stdout, the children too, has gone.)
    await asyncio.wait_for(cluster.wait(), 30)
    for pid in pids:
        await wait_until_gone(pid)


async def wait_until_gone(pid: int, within: float = 30.0) -> None:
    async def poll() -> None:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            # A zombie (exited, not yet reaped by init) counts as gone.
            try:
                status = await asyncio.to_thread(Path(f"/proc/{pid}/stat").read_text)
            except FileNotFoundError:
                return
            if status.split(")")[-1].split()[0] == "Z":
                return
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), within)


# Beats into its own FACTDESK_HEARTBEAT_FILE every 0.05 s; but the first run of range 2-3 is
# stuck: it writes no heartbeat ("silent") or one an hour old ("stale") and hangs.
BEATING_CHILD = """
import datetime, json, os, pathlib, sys, time
home, shards, mode = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
beat = pathlib.Path(os.environ["FACTDESK_HEARTBEAT_FILE"])
marker = home / f"ran-{shards}"
first = not marker.exists()
marker.write_text("1")

def write(age):
    at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=age)
    state = {"version": 1, "written_at": at.isoformat(), "connected": True,
             "database_writable": True, "pid": os.getpid()}
    beat.with_suffix(".tmp").write_text(json.dumps(state))
    beat.with_suffix(".tmp").replace(beat)

if first and shards == "2-3":
    if mode == "stale":
        write(3600)
    while True:
        time.sleep(0.05)
while True:
    write(0)
    time.sleep(0.05)
"""


@pytest.mark.parametrize("mode", ["silent", "stale"])
async def test_each_child_beats_into_its_own_file_and_a_stuck_one_is_restarted(
    tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FACTDESK_HEARTBEAT_FILE", raising=False)
    script = tmp_path / "child.py"
    script.write_text(BEATING_CHILD, encoding="utf-8")

    def command_for(shards: tuple[int, ...], count: int) -> Sequence[str]:
        return [sys.executable, str(script), str(tmp_path), "-".join(map(str, shards)), mode]

    lines = Lines()
    state = tmp_path / "state"
    state.mkdir()
    supervisor = Cluster(
        2,
        4,
        command_for=command_for,
        say=lines,
        backoff_start=0.05,
        heartbeat_file=state / "heartbeat.json",
        liveness_every=0.1,
        start_grace=0.5,
        # Far above the 0.05 s beat: only a child that writes nothing is ever late.
        heartbeat_max_age=60,
    )
    running = asyncio.create_task(supervisor.run(signals=False))
    try:
        stuck = await lines.until("is stuck")
        assert stuck.startswith("cluster: process 2 (shards 2-3 of 4) is stuck (")
        reason = "no heartbeat file" if mode == "silent" else "is 3600 s old"
        assert reason in stuck
        await lines.until("process 2 (shards 2-3 of 4) restarted")
        # Each child's own file, written by that child (the restarted one by its new pid).
        first, second = supervisor.children
        for child, name in ((first, "heartbeat-0-1.json"), (second, "heartbeat-2-3.json")):
            assert child.heartbeat_file == state / name
            assert child.process is not None
            pid = child.process.pid
            await wait_for(lambda f=child.heartbeat_file, p=pid: pid_in(f) == p)
        assert not (state / "heartbeat.json").exists()
        assert first.starts == 1  # the beating child was never taken for stuck
    finally:
        supervisor.stop()
    assert await asyncio.wait_for(running, 30) == 0


def pid_in(path: Path) -> int | None:
    from bot.heartbeat import HeartbeatError, read_heartbeat

    try:
        return read_heartbeat(path).pid
    except HeartbeatError:
        return None


async def wait_for(check: Callable[[], bool], within: float = 30.0) -> None:
    """``check`` holds (a child's file is written: another process cannot wake this loop)."""

    async def poll() -> None:
        while True:
            if check():
                return
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), within)


def test_heartbeat_problem_names_what_is_wrong(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.cluster import heartbeat_problem
    from bot.heartbeat import HeartbeatState, write_heartbeat

    path = tmp_path / "heartbeat-0-3.json"
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert "no heartbeat file" in str(heartbeat_problem(path, 7, now, 90))
    write_heartbeat(path, HeartbeatState(now - timedelta(seconds=30), False, False, pid=7))
    assert heartbeat_problem(path, 7, now, 90) is None  # disconnected, not stuck
    assert "written by pid 7, not by it" in str(heartbeat_problem(path, 8, now, 90))
    assert "is 30 s old (limit 20 s)" in str(heartbeat_problem(path, 7, now, 20))
