"""The heartbeat file: how the running bot tells ``factdesk health`` that it is well.

Every ~30 s the bot writes a small JSON file (``FACTDESK_HEARTBEAT_FILE``) saying when it was
written, whether the gateway connection is up and whether the database accepts writes.
``factdesk health`` (and so Docker's HEALTHCHECK) reads it from another process: a file is the
one channel that works without a port, a socket or Discord. The file is replaced atomically
(temp file + ``os.replace``), so a reader never sees half of it.

Reading and judging (:func:`read_heartbeat`, :func:`assess`) are pure and take the clock as an
argument; only :class:`Heartbeat` touches the bot and the database.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store.database import Database

# Three missed beats (the bot writes every 30 s) before the bot counts as stuck or gone.
DEFAULT_MAX_AGE_SECONDS = 90.0
# Below this much free space SQLite's next write (or its WAL checkpoint) may fail.
MIN_FREE_BYTES = 1024 * 1024
FORMAT_VERSION = 1


class HeartbeatError(Exception):
    """The heartbeat file is missing or unreadable; the message says which."""


@dataclass(frozen=True)
class HeartbeatState:
    """One heartbeat, as written by the bot."""

    written_at: datetime
    connected: bool
    database_writable: bool
    database_problem: str | None = None
    latency_ms: float | None = None
    pid: int | None = None
    # Written once when the bot shuts down: `factdesk health` then says "stopped" at once
    # instead of "healthy" until the heartbeat is too old.
    stopped: bool = False

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": FORMAT_VERSION,
                "written_at": self.written_at.astimezone(UTC).isoformat(),
                "connected": self.connected,
                "database_writable": self.database_writable,
                "database_problem": self.database_problem,
                "latency_ms": self.latency_ms,
                "pid": self.pid,
                "stopped": self.stopped,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> HeartbeatState:
        """Parse :meth:`to_json`'s output; raises :class:`HeartbeatError` on anything else."""
        try:
            data: Any = json.loads(text)
            written_at = datetime.fromisoformat(data["written_at"])
            connected = data["connected"]
            writable = data["database_writable"]
        except (ValueError, KeyError, TypeError) as error:
            raise HeartbeatError(f"not a heartbeat file ({error})") from error
        if written_at.tzinfo is None or not isinstance(connected, bool):
            raise HeartbeatError("not a heartbeat file (bad written_at or connected)")
        if not isinstance(writable, bool):
            raise HeartbeatError("not a heartbeat file (bad database_writable)")
        problem = data.get("database_problem")
        latency = data.get("latency_ms")
        pid = data.get("pid")
        return cls(
            written_at=written_at,
            connected=connected,
            database_writable=writable,
            database_problem=problem if isinstance(problem, str) else None,
            latency_ms=float(latency) if isinstance(latency, int | float) else None,
            pid=pid if isinstance(pid, int) else None,
            stopped=data.get("stopped") is True,
        )


@dataclass(frozen=True)
class Health:
    """The verdict of :func:`assess`: healthy or not, and the one line that says why."""

    healthy: bool
    summary: str


def write_heartbeat(path: Path, state: HeartbeatState) -> None:
    """Replace ``path`` with ``state`` atomically (creating its directory when missing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temp file sits in the same directory so os.replace is a rename, never a copy.
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(state.to_json())
            handle.write("\n")
        # Readable by another user (the health check may run as someone else).
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def read_heartbeat(path: Path) -> HeartbeatState:
    """The heartbeat at ``path``; raises :class:`HeartbeatError` when missing or unreadable."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise HeartbeatError(f"no heartbeat file at {path} (is the bot running?)") from error
    except (OSError, UnicodeDecodeError) as error:
        raise HeartbeatError(f"cannot read {path}: {error}") from error
    return HeartbeatState.from_json(text)


def assess(state: HeartbeatState, now: datetime, max_age_seconds: float) -> Health:
    """Whether ``state`` shows a healthy bot at ``now``: fresh, connected, database writable."""
    age = (now - state.written_at).total_seconds()
    age_text = f"heartbeat {age:.0f}s old"
    if state.stopped:
        when = state.written_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return Health(False, f"stopped: the bot shut down at {when}")
    if age > max_age_seconds:
        return Health(False, f"unhealthy: {age_text} (limit {max_age_seconds:.0f}s): bot stuck?")
    if age < -max_age_seconds:
        return Health(False, f"unhealthy: heartbeat written {-age:.0f}s in the future (clock?)")
    problems = []
    if not state.connected:
        problems.append("not connected to the Discord gateway")
    if not state.database_writable:
        problems.append(f"database not writable ({state.database_problem or 'unknown reason'})")
    if problems:
        return Health(False, f"unhealthy: {'; '.join(problems)} ({age_text})")
    latency = "" if state.latency_ms is None else f", gateway latency {state.latency_ms:.0f}ms"
    return Health(True, f"healthy: connected, database writable, {age_text}{latency}")


def filesystem_write_problem(database_file: Path) -> str | None:
    """Why the database file cannot take writes as far as the filesystem tells, or None."""
    database_file = Path(database_file)
    directory = database_file.parent
    # SQLite creates -wal/-journal files beside the database, so the directory matters too.
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"directory {directory} is not writable by this user"
    if database_file.exists() and not os.access(database_file, os.W_OK):
        return f"{database_file} is read-only for this user"
    try:
        free = shutil.disk_usage(directory).free
    except OSError as error:
        return f"cannot check free space in {directory}: {error}"
    if free < MIN_FREE_BYTES:
        return f"only {free} bytes free in {directory}"
    return None


async def database_write_problem(database: Database) -> str | None:
    """Why ``database`` cannot take writes right now, or None when it can.

    Takes SQLite's write lock (``BEGIN IMMEDIATE`` through the store's own transaction) and
    releases it at once: this fails when another process holds the lock past the busy
    timeout or the file is gone bad, and writes nothing. The filesystem checks add what a
    lock cannot see: permissions and a full disk.
    """
    try:
        async with database.transaction():
            pass
    except Exception as error:
        return f"cannot take the write lock: {error}"
    # A PostgreSQL server has no file here: the transaction above is the whole check.
    return None if database.path is None else filesystem_write_problem(database.path)


def gateway_state(bot: Any) -> tuple[bool, float | None]:
    """Whether ``bot`` (a discord.py client) is connected now, and its latency in ms."""
    websocket = getattr(bot, "ws", None)
    shards = getattr(bot, "shards", None)
    if isinstance(shards, dict) and shards:
        # An AutoShardedBot has no one websocket: connected when every shard is.
        open_now = all(not shard.is_closed() for shard in shards.values())
    else:
        open_now = websocket is not None and websocket.open
    connected = bool(bot.is_ready() and not bot.is_closed() and open_now)
    latency = float(bot.latency)
    latency_ms = round(latency * 1000, 1) if connected and math.isfinite(latency) else None
    return connected, latency_ms


class Heartbeat:
    """Writes the bot's heartbeat to ``path``; the bot calls :meth:`beat` every ~30 s."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    async def beat(self, bot: Any, now: datetime | None = None) -> HeartbeatState:
        """Check ``bot``'s gateway and database, write the heartbeat, return what was written."""
        connected, latency_ms = gateway_state(bot)
        problem = await database_write_problem(bot.database)
        state = HeartbeatState(
            written_at=now or datetime.now(UTC),
            connected=connected,
            database_writable=problem is None,
            database_problem=problem,
            latency_ms=latency_ms,
            pid=os.getpid(),
        )
        write_heartbeat(self.path, state)
        return state

    def mark_stopped(self, now: datetime | None = None) -> HeartbeatState:
        """Write the last heartbeat, saying the bot has stopped (called on shutdown)."""
        state = HeartbeatState(
            written_at=now or datetime.now(UTC),
            connected=False,
            database_writable=False,
            database_problem="not checked: the bot stopped",
            pid=os.getpid(),
            stopped=True,
        )
        write_heartbeat(self.path, state)
        return state
