"""Shard ranges, plans, the split into processes, and the identify gate (bot.shards)."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from bot.shards import (
    FileIdentifyGate,
    IdentifyGate,
    PostgresIdentifyGate,
    ShardPlan,
    ShardSpecError,
    contiguous_ranges,
    format_shard_ids,
    parse_shard_ids,
    shard_for,
)
from tests.standin import shard_for as standin_shard_for


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("0-3", (0, 1, 2, 3)),
        ("0,2", (0, 2)),
        ("0-1,4", (0, 1, 4)),
        ("5", (5,)),
        (" 2 - 3 , 0 ", (0, 2, 3)),
        ("3,1,1-2", (1, 2, 3)),
    ],
)
def test_shard_lists_parse(text: str, ids: tuple[int, ...]) -> None:
    assert parse_shard_ids(text) == ids
    assert parse_shard_ids(format_shard_ids(ids)) == ids


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty item"),
        ("0,,1", "empty item"),
        ("a-b", "not a shard id or range"),
        ("3-1", "ends before it starts"),
        ("-1", "not a shard id or range"),
        ("1.5", "not a shard id or range"),
    ],
)
def test_bad_shard_lists_say_why(text: str, says: str) -> None:
    with pytest.raises(ShardSpecError, match=says):
        parse_shard_ids(text)


def test_format_writes_ranges() -> None:
    assert format_shard_ids([0, 1, 2, 5, 7, 8]) == "0-2,5,7-8"


def test_plans() -> None:
    assert ShardPlan.build(None, None) is None
    assert ShardPlan.build("0-3", 8) == ShardPlan((0, 1, 2, 3), 8)
    assert ShardPlan.build(None, 3) == ShardPlan((0, 1, 2), 3)
    plan = ShardPlan.build("2-3", 4)
    assert plan is not None
    assert not plan.syncs_commands
    assert plan.describe() == "shards 2-3 of 4"
    with pytest.raises(ShardSpecError, match="needs FACTDESK_SHARD_COUNT"):
        ShardPlan.build("0-1", None)
    with pytest.raises(ShardSpecError, match="shard 8 is outside 0-7"):
        ShardPlan.build("6-8", 8)
    with pytest.raises(ShardSpecError, match="1 or more"):
        ShardPlan.build(None, 0)


def test_contiguous_ranges_cover_every_shard_once() -> None:
    assert contiguous_ranges(3, 8) == [(0, 1, 2), (3, 4, 5), (6, 7)]
    assert contiguous_ranges(2, 4) == [(0, 1), (2, 3)]
    assert contiguous_ranges(1, 1) == [(0,)]
    for processes in range(1, 7):
        for count in range(processes, 20):
            ranges = contiguous_ranges(processes, count)
            assert [s for r in ranges for s in r] == list(range(count))
            assert max(map(len, ranges)) - min(map(len, ranges)) <= 1
    with pytest.raises(ShardSpecError, match="at least 3 shards"):
        contiguous_ranges(3, 2)
    with pytest.raises(ShardSpecError, match="1 or more"):
        contiguous_ranges(0, 2)


def test_routing_is_discords_formula_on_both_sides() -> None:
    for guild_id in (0, 1 << 22, (5 << 22) | 77, 1_578_019_302_575_964_347):
        for count in (1, 2, 3, 8):
            assert shard_for(guild_id, count) == (guild_id >> 22) % count
            assert standin_shard_for(guild_id, count) == shard_for(guild_id, count)
    assert shard_for(None, 8) == 0


def test_settings_refuse_a_bad_shard_list() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="ends before it starts"):
        Settings(_env_file=None, shard_ids="3-1", shard_count=4)  # type: ignore[call-arg]


def test_run_refuses_a_bad_range_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("FACTDESK_SHARD_IDS", "FACTDESK_SHARD_COUNT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FACTDESK_DISCORD_TOKEN", "x")
    assert main(["run", "--shards", "0-9", "--shard-count", "4"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: shard 4 is outside 0-3 (shard ids run from 0 to the shard count 4 less one)"
    )
    assert main(["run", "--shards", "0-1"]) == 2
    assert "needs FACTDESK_SHARD_COUNT" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "--shards", "1-0", "--shard-count", "4"])
    assert "ends before it starts" in capsys.readouterr().err


# --- the identify gate --------------------------------------------------------------------


async def turns(gates: list[IdentifyGate], shards: list[int], max_concurrency: int) -> list[float]:
    """When each shard got its turn (every gate a process of its own), in order of shards."""
    started = time.monotonic()

    async def one(gate: IdentifyGate, shard: int) -> float:
        await gate.wait_turn(shard, max_concurrency)
        return time.monotonic() - started

    try:
        return list(
            await asyncio.gather(*(one(gates[i % len(gates)], s) for i, s in enumerate(shards)))
        )
    finally:
        for gate in gates:
            await gate.close()


def spaced(times: list[float], interval: float) -> bool:
    ordered = sorted(times)
    return all(b - a >= interval * 0.99 for a, b in itertools.pairwise(ordered))


async def check_gate(make: object) -> None:
    interval = 0.3
    # Two "processes", four shards, one bucket: every turn an interval after the last.
    gates = [make(interval), make(interval)]  # type: ignore[operator]
    assert spaced(await turns(gates, [0, 1, 2, 3], 1), interval)
    # Two buckets: 2 an interval after 0, 3 an interval after 1.
    gates = [make(interval), make(interval)]  # type: ignore[operator]
    times = await turns(gates, [0, 1, 2, 3], 2)
    assert spaced([times[0], times[2]], interval)
    assert spaced([times[1], times[3]], interval)
    # Another bucket does not wait for a taken one (held a minute here).
    first, second = make(60.0), make(60.0)  # type: ignore[operator]
    try:
        assert await first.wait_turn(0, 2) == 0
        assert await asyncio.wait_for(second.wait_turn(1, 2), 10) == 1
    finally:
        await first.close()
        await second.close()


async def test_the_file_gate_spaces_one_bucket_across_processes(tmp_path: Path) -> None:
    await check_gate(lambda interval: FileIdentifyGate(tmp_path / "locks", interval))


async def test_a_closed_gate_gives_its_bucket_back_at_once(tmp_path: Path) -> None:
    first = FileIdentifyGate(tmp_path, 60.0)
    await first.wait_turn(0)
    await first.close()  # the process stopped: its lock goes with it
    second = FileIdentifyGate(tmp_path, 60.0)
    await asyncio.wait_for(second.wait_turn(0), 10)
    await second.close()


@pytest.mark.postgres
async def test_the_postgres_gate_spaces_one_bucket_across_processes(postgres_url: str) -> None:
    await check_gate(lambda interval: PostgresIdentifyGate(postgres_url, interval))
