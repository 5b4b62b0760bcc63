"""Digest slots shared by several processes: one claim wins, and a claim's lease keeps the
other processes from settling it while it is being posted (0009_digest_slot_lease.sql).

Each "process" is a Database opened on its own on the same target, with a DigestStore of
its own (its own owner name), as two `factdesk run` processes sharing one database are.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.store.database import Database
from bot.store.digest import CLAIM_LEASE, DigestStore
from tests import pg

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 23)


@pytest.fixture
async def two(store_target: Path | str) -> AsyncIterator[tuple[DigestStore, DigestStore]]:
    first = await Database.open(store_target)
    second = await Database.open(store_target)
    try:
        yield DigestStore(first), DigestStore(second)
    finally:
        await first.close()
        await second.close()


async def claim(store: DigestStore, guild_id: int, at: datetime = NOW) -> bool:
    return await store.claim(guild_id, DAY, scheduled_at=at, late=False, channel_id=5, now=at)


async def test_each_slot_is_claimed_by_one_process_only(
    two: tuple[DigestStore, DigestStore],
) -> None:
    a, b = two
    assert a.owner != b.owner
    # 40 servers, both processes claiming every one of them at once.
    results = await asyncio.gather(
        *(claim(store, guild) for guild in range(1, 41) for store in (a, b))
    )
    assert sum(results) == 40
    for guild in range(1, 41):
        slot = await a.slot(guild, DAY)
        assert slot is not None
        assert slot.status == "claimed"
        assert slot.claimed_by in (a.owner, b.owner)
        assert slot.lease_until == NOW + CLAIM_LEASE


async def test_a_live_claim_is_not_settled_by_another_process(
    two: tuple[DigestStore, DigestStore],
) -> None:
    a, b = two
    assert await claim(a, 1)
    # B starts a minute later and looks for abandoned claims: A's is still A's.
    assert await b.unconfirmed_slots(NOW + timedelta(minutes=1)) == []
    # Once its lease ran out (A died), B settles it.
    (slot,) = await b.unconfirmed_slots(NOW + CLAIM_LEASE)
    assert (slot.guild_id, slot.claimed_by) == (1, a.owner)
    # Without a time, every claim (what a one-process tool asks for).
    assert [s.guild_id for s in await b.unconfirmed_slots()] == [1]


async def test_a_claim_from_before_the_lease_is_settled_at_once(
    two: tuple[DigestStore, DigestStore], store_target: Path | str
) -> None:
    a, _ = two
    await pg.raw_write(
        store_target,
        "INSERT INTO digest_slots (guild_id, local_date, status, scheduled_at, late,"
        " channel_id, claimed_at) VALUES (7, '2026-11-23', 'claimed',"
        " '2026-11-23T09:00:00.000+00:00', 0, 5, '2026-11-23T09:00:00.000+00:00')",
    )
    assert [s.guild_id for s in await a.unconfirmed_slots(NOW)] == [7]


async def test_skipped_slots_carry_no_lease(two: tuple[DigestStore, DigestStore]) -> None:
    a, _ = two
    assert await a.claim(
        3, DAY, scheduled_at=NOW, late=True, channel_id=5, now=NOW, status="skipped"
    )
    slot = await a.slot(3, DAY)
    assert slot is not None
    assert slot.lease_until is None
    assert await a.unconfirmed_slots(NOW + CLAIM_LEASE) == []
