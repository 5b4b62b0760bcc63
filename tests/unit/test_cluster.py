"""The cluster supervisor (bot.cluster) with stand-in children: small Python scripts that
behave like a `factdesk run` that dies, fails on its settings, or ignores SIGTERM."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
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
