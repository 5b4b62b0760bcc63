"""Reads never queue behind writes: another process holding the write lock blocks writes only."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import bot.store.database as database_module
from bot.store.backends import WRITE_LOCK_KEY
from bot.store.database import Database
from bot.store.rows import NewFlag

GUILD, MEMBER = 10, 1001


async def test_reads_answer_while_another_process_holds_the_write_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long busy timeout, so the waiting write cannot give up however slow the machine.
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_MS", 120_000)
    path = tmp_path / "factdesk.db"
    db = await Database.open(path)
    holder = sqlite3.connect(path, timeout=0)
    try:
        added = await db.add_flag(NewFlag(GUILD, "answer", "moon", MEMBER, reason="before"))
        assert added.flag is not None
        holder.execute("BEGIN IMMEDIATE")  # a backup or a sqlite3 shell, say

        # A write now waits for the lock (up to the busy timeout)...
        write = asyncio.create_task(
            db.add_flag(NewFlag(GUILD, "answer", "owls", MEMBER, reason="during"))
        )
        await asyncio.sleep(0)
        # ...and reads issued behind it complete while the lock is still held.
        flags = await db.flags(GUILD)
        count = await db.count_flags(GUILD)
        request_page = await db.requests(GUILD)
        assert holder.in_transaction, "the lock was held throughout the reads"
        assert not write.done(), "the write is still waiting for the lock"
        assert [f.reason for f in flags] == ["before"]
        assert count == 1
        assert request_page == []

        holder.rollback()
        written = await write
        assert written.flag is not None
        assert [f.reason for f in await db.flags(GUILD)] == ["during", "before"]
    finally:
        holder.close()
        await db.close()


@pytest.mark.postgres
async def test_postgres_reads_answer_while_another_process_holds_the_write_lock(
    postgres_server: Any,
) -> None:
    import asyncpg

    url = await postgres_server.new_database()
    db = await Database.open(url)
    # Another bot process in the middle of a write holds the store's advisory write lock.
    holder = await asyncpg.connect(url)
    try:
        added = await db.add_flag(NewFlag(GUILD, "answer", "moon", MEMBER, reason="before"))
        assert added.flag is not None
        await holder.execute("SELECT pg_advisory_lock($1)", WRITE_LOCK_KEY)

        write = asyncio.create_task(
            db.add_flag(NewFlag(GUILD, "answer", "owls", MEMBER, reason="during"))
        )
        await asyncio.sleep(0)
        flags = await db.flags(GUILD)
        count = await db.count_flags(GUILD)
        assert not write.done(), "the write waits for the other process's lock"
        assert [f.reason for f in flags] == ["before"]
        assert count == 1

        await holder.execute("SELECT pg_advisory_unlock($1)", WRITE_LOCK_KEY)
        written = await write
        assert written.flag is not None
        assert [f.reason for f in await db.flags(GUILD)] == ["during", "before"]
    finally:
        await holder.close()
        await db.close()


async def test_a_read_sees_what_was_just_committed(store_target: Path | str) -> None:
    db = await Database.open(store_target)
    try:
        request = await db.add_request(GUILD, "Are owls real?", user_id=MEMBER, source="command")
        assert await db.request(GUILD, request.request.id) == request.request
    finally:
        await db.close()


async def test_the_read_connection_cannot_write(store_target: Path | str) -> None:
    db = await Database.open(store_target)
    refusal = "read-only transaction" if isinstance(store_target, str) else "readonly"
    try:
        async with db.reading() as conn:
            with pytest.raises(Exception, match=refusal):
                await conn.execute("DELETE FROM flags")
    finally:
        await db.close()


async def test_a_write_past_the_busy_timeout_raises_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "factdesk.db"
    db = await Database.open(path)
    holder = sqlite3.connect(path, timeout=0)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await db.add_request(GUILD, "Are owls real?", user_id=MEMBER, source="command")
        assert await db.count_requests(GUILD) == 0
        holder.rollback()
        # The lock is free again: the store is not left in a half-open transaction.
        added = await db.add_request(GUILD, "Are owls real?", user_id=MEMBER, source="command")
        assert added.created
    finally:
        holder.close()
        await db.close()


@pytest.mark.postgres
async def test_a_dropped_postgres_connection_costs_one_write_not_every_later_one(
    postgres_server: Any,
) -> None:
    import asyncpg

    url = await postgres_server.new_database()
    db = await Database.open(url)
    admin = await asyncpg.connect(url)
    try:
        # The server ends every other session, as a restart or a failover would.
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        outcomes = []
        for member in (1, 2):
            try:
                added = await db.add_flag(NewFlag(GUILD, "answer", "moon", member))
                outcomes.append(added.flag is not None)
            except Exception:  # whatever asyncpg raises for the dead connection
                outcomes.append(False)
        assert outcomes[-1], "the write after the drop succeeds on a new connection"
        assert await db.count_flags(GUILD) == sum(outcomes)
    finally:
        await admin.close()
        await db.close()


async def test_a_write_cancelled_at_its_begin_leaves_no_transaction_open(tmp_path: Path) -> None:
    # A bot closed while a cog's start-up write waits for BEGIN (aiosqlite runs it on its
    # thread anyway) left the connection inside a transaction: every later write failed
    # "cannot start a transaction within a transaction".
    db = await Database.open(tmp_path / "f.db")
    try:

        async def write() -> None:
            async with db.transaction() as conn:
                await conn.execute("SELECT 1")

        task = asyncio.create_task(write())
        await asyncio.sleep(0)  # the BEGIN is now queued on aiosqlite's thread
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await db.add_request(1, "Still writable?", user_id=2, source="command")
        assert await db.count_requests(1) == 1
    finally:
        await db.close()
