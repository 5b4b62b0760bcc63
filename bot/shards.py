"""Shards: which of Discord's gateway shards this process runs, and when each may identify.

Discord routes a server's events to shard ``(guild_id >> 22) % shard_count`` (DMs to shard
0). A process runs some of the shards (``FACTDESK_SHARD_IDS`` / ``--shards``, e.g. ``0-3`` or
``0,2``) of a fixed count (``FACTDESK_SHARD_COUNT`` / ``--shard-count``); several processes,
on one host (``factdesk cluster``) or several, share one PostgreSQL database.

Discord lets a bot start ``max_concurrency`` sessions per 5 s: one per *bucket*
``shard_id % max_concurrency``. discord.py paces the shards of one process (5 s apart);
across processes an :class:`IdentifyGate` does it: before a shard identifies it takes its
bucket's lock and keeps it :data:`IDENTIFY_INTERVAL` seconds, so no other process (or shard
of this one) identifies in that bucket meanwhile. On PostgreSQL the lock is an advisory lock
(``pg_try_advisory_lock``, one key per bucket); on SQLite, whose processes share one host, a
``flock`` on one file per bucket beside the database. A process that dies drops its locks
(the server ends its session; the kernel closes its files).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Discord's window is 5 s per bucket; the margin covers the IDENTIFY's own trip after the
# lock is taken.
IDENTIFY_INTERVAL = 5.5
# How often a waiting shard asks again for a lock another process holds.
POLL_SECONDS = 0.05
# pg advisory lock keys of the identify buckets: this base ("factdesk" + 0x10) + bucket.
IDENTIFY_LOCK_BASE = 0x66616374_64657310
# Discord's limit on one session (a shard holding more servers is closed with 4011).
MAX_GUILDS_PER_SHARD = 2500


class ShardSpecError(ValueError):
    """A shard range or count that cannot be run; the message says why, in one line."""


def parse_shard_ids(text: str) -> tuple[int, ...]:
    """``"0-3"`` -> (0, 1, 2, 3); ``"0,2"`` -> (0, 2); ``"0-1,4"`` -> (0, 1, 4)."""
    ids: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            raise ShardSpecError(f"empty item in shard list {text!r} (write e.g. 0-3 or 0,2)")
        low, dash, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise ShardSpecError(
                f"{part!r} is not a shard id or range (write e.g. 0-3 or 0,2)"
            ) from None
        if first < 0 or last < 0:
            raise ShardSpecError(f"shard ids are 0 or more (got {part!r})")
        if last < first:
            raise ShardSpecError(f"range {part!r} ends before it starts")
        ids.update(range(first, last + 1))
    return tuple(sorted(ids))


def format_shard_ids(ids: tuple[int, ...] | list[int]) -> str:
    """The shortest ``parse_shard_ids`` text for ``ids``: (0, 1, 2, 5) -> ``"0-2,5"``."""
    ordered = sorted(set(ids))
    parts: list[str] = []
    first = 0
    while first < len(ordered):
        last = first
        while last + 1 < len(ordered) and ordered[last + 1] == ordered[last] + 1:
            last += 1
        low, high = ordered[first], ordered[last]
        parts.append(str(low) if low == high else f"{low}-{high}")
        first = last + 1
    return ",".join(parts)


def shard_for(guild_id: int | None, shard_count: int) -> int:
    """The shard Discord sends ``guild_id``'s events to (DMs: shard 0)."""
    if guild_id is None or shard_count <= 1:
        return 0
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class ShardPlan:
    """The shards one process runs, of ``shard_count`` in all."""

    shard_ids: tuple[int, ...]
    shard_count: int

    @classmethod
    def build(cls, shard_ids: str | None, shard_count: int | None) -> ShardPlan | None:
        """The plan for these settings, None when unsharded; :class:`ShardSpecError` if
        they cannot be run (the message names the setting and the fix)."""
        if shard_ids is None and shard_count is None:
            return None
        if shard_count is None:
            raise ShardSpecError(
                "FACTDESK_SHARD_IDS (--shards) needs FACTDESK_SHARD_COUNT (--shard-count):"
                " the shard count is the same in every process"
            )
        if shard_count < 1:
            raise ShardSpecError(f"the shard count must be 1 or more (got {shard_count})")
        ids = parse_shard_ids(shard_ids) if shard_ids is not None else tuple(range(shard_count))
        outside = [shard for shard in ids if shard >= shard_count]
        if outside:
            raise ShardSpecError(
                f"shard {outside[0]} is outside 0-{shard_count - 1} (shard ids run from 0 to"
                f" the shard count {shard_count} less one)"
            )
        return cls(ids, shard_count)

    @property
    def syncs_commands(self) -> bool:
        """Only the process holding shard 0 syncs the command tree (one sync per fleet)."""
        return 0 in self.shard_ids

    def describe(self) -> str:
        return f"shards {format_shard_ids(self.shard_ids)} of {self.shard_count}"


def contiguous_ranges(processes: int, shard_count: int) -> list[tuple[int, ...]]:
    """``shard_count`` shards split into ``processes`` contiguous ranges, as even as can be
    (the first ones one longer): (3, 8) -> 0-2, 3-5, 6-7."""
    if processes < 1:
        raise ShardSpecError(f"--processes must be 1 or more (got {processes})")
    if shard_count < processes:
        raise ShardSpecError(
            f"{processes} processes need at least {processes} shards (got --shard-count"
            f" {shard_count}): each process runs one shard or more"
        )
    size, extra = divmod(shard_count, processes)
    ranges: list[tuple[int, ...]] = []
    start = 0
    for index in range(processes):
        length = size + (1 if index < extra else 0)
        ranges.append(tuple(range(start, start + length)))
        start += length
    return ranges


# --- the identify gate -------------------------------------------------------------------


class IdentifyGate(ABC):
    """One identify at a time per bucket, across every process sharing the lock space.

    :meth:`wait_turn` returns when ``shard_id`` may identify now; the bucket stays taken for
    ``interval`` seconds after that (the caller identifies at once), then is given back.
    """

    def __init__(self, interval: float = IDENTIFY_INTERVAL) -> None:
        self.interval = interval
        # Shards of this process in one bucket queue here first (the cross-process locks
        # below are re-entrant or per-file, not per coroutine).
        self._local: dict[int, asyncio.Lock] = {}
        self._releases: set[asyncio.Task[None]] = set()
        self._taken: set[int] = set()

    async def wait_turn(self, shard_id: int, max_concurrency: int = 1) -> int:
        """Take ``shard_id``'s bucket; returns the bucket."""
        bucket = shard_id % max(1, max_concurrency)
        local = self._local.setdefault(bucket, asyncio.Lock())
        await local.acquire()
        try:
            await self._acquire(bucket)
        except BaseException:
            local.release()
            raise
        self._taken.add(bucket)
        task = asyncio.get_running_loop().create_task(self._release_later(bucket))
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)
        return bucket

    async def _release_later(self, bucket: int) -> None:
        await asyncio.sleep(self.interval)
        await self._give_back(bucket)

    async def _give_back(self, bucket: int) -> None:
        if bucket not in self._taken:
            return
        self._taken.discard(bucket)
        try:
            await self._release(bucket)
        finally:
            self._local[bucket].release()

    @abstractmethod
    async def _acquire(self, bucket: int) -> None: ...

    @abstractmethod
    async def _release(self, bucket: int) -> None: ...

    async def close(self) -> None:
        """Give back every bucket now (the process is stopping)."""
        for task in list(self._releases):
            task.cancel()
        await asyncio.gather(*self._releases, return_exceptions=True)
        for bucket in list(self._taken):
            with contextlib.suppress(Exception):
                await self._give_back(bucket)
        await self._close()

    async def _close(self) -> None:
        return None


class FileIdentifyGate(IdentifyGate):
    """Buckets as ``flock``ed files in ``directory``: for processes on one host (SQLite)."""

    def __init__(self, directory: Path, interval: float = IDENTIFY_INTERVAL) -> None:
        super().__init__(interval)
        self.directory = directory
        self._held: dict[int, int] = {}

    def _try(self, bucket: int) -> int | None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.directory / f"identify-{bucket}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        return fd

    async def _acquire(self, bucket: int) -> None:
        # Another process holds it: a file lock has nothing to wait on but time.
        while True:
            fd = self._try(bucket)
            if fd is not None:
                self._held[bucket] = fd
                return
            await asyncio.sleep(POLL_SECONDS)

    async def _release(self, bucket: int) -> None:
        fd = self._held.pop(bucket, None)
        if fd is not None:
            os.close(fd)  # closing the file releases its flock


class PostgresIdentifyGate(IdentifyGate):
    """Buckets as PostgreSQL session advisory locks, on one connection of this gate's own."""

    def __init__(self, url: str, interval: float = IDENTIFY_INTERVAL) -> None:
        super().__init__(interval)
        self.url = url
        self._conn: Any = None
        self._statement = asyncio.Lock()

    async def _connection(self) -> Any:
        if self._conn is None or self._conn.is_closed():
            import asyncpg

            self._conn = await asyncpg.connect(self.url)
        return self._conn

    async def _acquire(self, bucket: int) -> None:
        key = IDENTIFY_LOCK_BASE + bucket
        while True:
            async with self._statement:
                conn = await self._connection()
                if await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
                    return
            await asyncio.sleep(POLL_SECONDS)

    async def _release(self, bucket: int) -> None:
        async with self._statement:
            if self._conn is not None and not self._conn.is_closed():
                await self._conn.fetchval(
                    "SELECT pg_advisory_unlock($1)", IDENTIFY_LOCK_BASE + bucket
                )

    async def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None


def identify_gate_for(database: Path | str, interval: float = IDENTIFY_INTERVAL) -> IdentifyGate:
    """The gate for this database: advisory locks on PostgreSQL, files beside SQLite."""
    if isinstance(database, str):
        return PostgresIdentifyGate(database, interval)
    return FileIdentifyGate(database.parent / "identify-locks", interval)
