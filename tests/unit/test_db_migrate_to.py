"""``factdesk db migrate-to URL``: a SQLite database's rows copied into a real PostgreSQL
one, checked by row counts, after which the bot's store reads the same data there and
new rows get new ids; a target that holds data is refused unless --replace."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.store.database import Database
from bot.store.rows import NewFlag
from tests import pg

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
GUILD = 10


def flag(member: int, reason: str) -> NewFlag:
    return NewFlag(
        guild_id=GUILD,
        kind="answer",
        claim_id="moon-cheese",
        flagger_id=member,
        reason=reason,
        channel_id=5,
        message_id=77,
        message_link=f"https://discord.com/channels/{GUILD}/5/77",
    )


async def fill(path: Path) -> None:
    db = await Database.open(path)
    try:
        await db.add_flag(flag(1001, "The samples say otherwise."), now=NOW)
        await db.add_flag(flag(1002, "Ünïcode reason, 'quoted' and \"double\""), now=NOW)
        await db.add_request(GUILD, "Are owls real?", user_id=1003, source="command", now=NOW)
        await db.record_question(
            guild_id=GUILD,
            channel_id=5,
            user_id=1004,
            question="is the moon cheese",
            claim_id="moon-cheese",
            score=0.91,
            asked_at=NOW,
        )
        await db.set_match_threshold(GUILD, 0.8, actor_id=7, now=NOW)
        await db.watch_channel(GUILD, 5, "reply", actor_id=7, now=NOW)
    finally:
        await db.close()


def migrate(*args: str) -> int:
    return main(["db", *args])


@pytest.mark.postgres
async def test_migrate_to_copies_every_row_and_the_store_reads_them(
    tmp_path: Path, postgres_server: pg.Server, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "factdesk.db"
    await fill(source)
    url = await postgres_server.new_database()

    code = await asyncio.to_thread(migrate, "--database", str(source), "migrate-to", url)
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "flags: 2 rows -> 2" in out.out
    assert "now set FACTDESK_DATABASE" in out.out

    db = await Database.open(url)
    try:
        flags = await db.flags(GUILD, "open", limit=10)
        assert sorted(f.reason for f in flags) == sorted(
            ["The samples say otherwise.", "Ünïcode reason, 'quoted' and \"double\""]
        )
        (request,) = await db.requests(GUILD, "open", limit=10)
        assert request.question == "Are owls real?"
        assert await db.match_threshold(GUILD) == pytest.approx(0.8)
        assert [w.channel_id for w in await db.watched_channels(GUILD)] == [5]
        # The copied ids are taken: a new flag gets the next one, not a clash.
        added = await db.add_flag(flag(1005, "A third member disagrees too."), now=NOW)
        assert added.flag is not None
        assert added.flag.id == 3
    finally:
        await db.close()

    # Again, onto a database that now holds data: refused, nothing changed.
    code = await asyncio.to_thread(migrate, "--database", str(source), "migrate-to", url)
    out = capsys.readouterr()
    assert code == 1
    assert "already holds factdesk data" in out.err
    code = await asyncio.to_thread(
        migrate, "--database", str(source), "migrate-to", url, "--replace"
    )
    assert code == 0, capsys.readouterr().err
    db = await Database.open(url)
    try:
        assert len(await db.flags(GUILD, "open", limit=10)) == 2  # the SQLite rows again
    finally:
        await db.close()


async def test_migrate_to_refuses_a_url_source_and_a_non_postgres_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "factdesk.db"
    await fill(source)
    assert migrate("--database", str(source), "migrate-to", str(tmp_path / "other.db")) == 2
    assert "postgresql://" in capsys.readouterr().err
    assert (
        migrate("--database", "postgresql://x@127.0.0.1:1/db", "migrate-to", "postgresql://y@h/d")
        == 2
    )
    assert "copies a SQLite database" in capsys.readouterr().err
