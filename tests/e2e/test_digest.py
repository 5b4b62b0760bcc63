"""The daily digest end to end: the real bot (discord.py) against the local stand-in.

Time is the test's: every test replaces the digest cog's clock and drives the loop's tick
(:meth:`cogs.digest.Digest.run_due`) itself, except one that lets the real
``tasks.loop`` run on the controlled clock. Covered (issue 5 section 4): three servers in
three timezones, a DST change day, restarts just before and just after the posting time
(and a restart between claim and confirmation), a 429 then success, a deleted channel and a
missing permission reported to the mod-log, and the preview equal to what is posted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.discord_ui import strings
from tests.e2e import harness
from tests.e2e.harness import bot_settings
from tests.standin import StandIn
from tests.standin.world import PLAIN_MEMBER

pytestmark = pytest.mark.e2e

MANAGE_GUILD = 1 << 5
MANAGER = PLAIN_MEMBER | MANAGE_GUILD
EPHEMERAL = 1 << 6
MESSAGES_ROUTE = "/channels/{channel_id}/messages"

CLAIM = """+++
id = "{id}"
question = "{question}"
language = "en"
checked_on = {checked_on}

[[sources]]
number = 1
title = "A source for {id}"
+++

{summary} [1]
"""
CLAIMS = [
    {
        "id": "moon-cheese",
        "question": "Is the moon made of cheese?",
        "checked_on": "2025-01-01",
        "summary": "No: the moon is rock and dust.",
    },
    {
        "id": "octopus-hearts",
        "question": "Does an octopus have three hearts?",
        "checked_on": "2026-06-14",
        "summary": "Yes: two for the gills and one for the body.",
    },
]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Clock:
    """A clock the test sets; the cog reads it through ``cog.clock``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Server:
    guild: Any
    channel: Any
    modlog: Any


@dataclass
class World:
    standin: StandIn
    manager: dict[int, Any]
    servers: list[Server]
    corpus: Path
    state: Path
    database: Path | str
    clock: Clock = field(default_factory=lambda: Clock(utc(2026, 6, 14, 14)))


@asynccontextmanager
async def running_bot(world: World, *, loop: bool = False) -> AsyncIterator[Any]:
    """The real bot on the world's database; the digest cog on the world's clock."""
    settings = bot_settings(
        world.standin,
        corpus=world.corpus,
        database=world.database,
        state=world.state,
        dev_guild_id=world.servers[0].guild.id,
    )

    def use_world_clock(bot: Any) -> None:
        # The clock is in place before the loop's first tick, which waits for the bot to
        # be ready.
        original_setup = bot.setup_hook

        async def setup_hook() -> None:
            await original_setup()
            cog = cog_of(bot)
            cog.clock = world.clock
            if not loop:
                cog.post_due_digests.cancel()

        bot.setup_hook = setup_hook

    async with harness.running_bot(settings, before_start=use_world_clock) as bot:
        # The bot syncs to one development guild; these tests use three.
        for server in world.servers[1:]:
            guild = discord.Object(id=server.guild.id)
            bot.tree.copy_global_to(guild=guild)
            await bot.tree.sync(guild=guild)
        for server in world.servers:
            await world.standin.wait_for_commands("digest", guild=server.guild, within=20)
        yield bot


@pytest.fixture
def world(standin: StandIn, corpus: Path, state: Path, database: Path | str) -> World:
    """Three servers on the shared stand-in (tests/e2e/conftest.py checks its contract)."""
    for claim in CLAIMS:
        (corpus / f"{claim['id']}.md").write_text(CLAIM.format(**claim), encoding="utf-8")
    servers, managers = [], {}
    for name in ("Paris", "Tokyo", "New York"):
        guild = standin.add_guild(name)
        servers.append(
            Server(guild, standin.add_channel(guild, "digest"), standin.add_channel(guild, "log"))
        )
        managers[guild.id] = standin.add_member(guild, "manager", permissions=MANAGER)
    return World(standin, managers, servers, corpus, state, database)


def cog_of(bot: Any) -> Any:
    return bot.get_cog("Digest")


async def private_text(ix: Any) -> str:
    body = await ix.response(within=10)
    assert body["type"] == 4
    assert body["data"]["flags"] & EPHEMERAL
    return str(body["data"].get("content") or "")


async def digest_set(
    world: World, server: Server, timezone: str, time: str = "09:00", **extra: Any
) -> str:
    options = {"channel": server.channel, "time": time, "timezone": timezone, **extra}
    ix = await world.standin.slash(
        server.guild,
        server.channel,
        world.manager[server.guild.id],
        "digest",
        {"set": options},
    )
    return await private_text(ix)


def posted(world: World, server: Server) -> list[dict[str, Any]]:
    return world.standin.channel_messages(server.channel)


async def slots(world: World) -> list[tuple[Any, ...]]:
    return await harness.rows(
        world,
        "SELECT guild_id, local_date, status, late FROM digest_slots ORDER BY local_date, guild_id",
    )


async def tick(bot: Any, world: World, at: datetime) -> list[tuple[int, Any, str]]:
    world.clock.now = at
    return list(await cog_of(bot).run_due())


async def test_three_servers_post_at_their_own_local_time(world: World) -> None:
    paris, tokyo, new_york = world.servers
    async with running_bot(world) as bot:
        saved = await digest_set(world, paris, "Europe/Paris")
        assert f"<#{paris.channel.id}>" in saved
        assert "09:00 (Europe/Paris)" in saved
        await digest_set(world, tokyo, "Asia/Tokyo")
        await digest_set(world, new_york, "America/New_York")
        # 2026-06-15, 09:00 local: Tokyo 00:00 UTC, Paris 07:00 UTC, New York 13:00 UTC.
        expected = [
            (utc(2026, 6, 14, 23, 59), []),
            (utc(2026, 6, 15, 0, 0), [tokyo]),
            (utc(2026, 6, 15, 6, 59), []),
            (utc(2026, 6, 15, 7, 0), [paris]),
            (utc(2026, 6, 15, 12, 59), []),
            (utc(2026, 6, 15, 13, 0), [new_york]),
            (utc(2026, 6, 15, 20, 0), []),
        ]
        for at, servers in expected:
            results = await tick(bot, world, at)
            assert sorted(g for g, _, outcome in results if outcome == "posted") == sorted(
                s.guild.id for s in servers
            ), at
        for server in world.servers:
            (message,) = posted(world, server)
            (embed,) = message["embeds"]
            assert embed["title"] == strings.DIGEST_TITLE.format(date="2026-06-15")
            # The fact-check checked on 2026-06-14 is new in every server's digest.
            assert any("Does an octopus have three hearts?" in f["value"] for f in embed["fields"])
            (row,) = message["components"]
            assert [b["custom_id"] for b in row["components"]] == ["fd:dg:octopus-hearts"]
    assert [(status, late) for _, _, status, late in await slots(world)] == [("posted", 0)] * 3
    sent = [r.body for r in world.standin.requests if r.route == MESSAGES_ROUTE]
    assert len(sent) == 3
    assert all(body["allowed_mentions"]["parse"] == [] for body in sent)


async def test_a_fall_back_day_posts_once_and_a_spring_forward_day_after_the_gap(
    world: World,
) -> None:
    _, _, new_york = world.servers
    world.clock.now = utc(2026, 3, 1, 12)
    async with running_bot(world) as bot:
        await digest_set(world, new_york, "America/New_York", "02:30")
        # 2026-03-08: 02:30 does not exist in New York; the clocks jump to 03:00 (07:00 UTC).
        assert await tick(bot, world, utc(2026, 3, 8, 6, 59)) == []
        assert [r[2] for r in await tick(bot, world, utc(2026, 3, 8, 7, 0))] == ["posted"]
        world.clock.now = utc(2026, 10, 31, 12)
        await digest_set(world, new_york, "America/New_York", "01:30")
        # 2026-11-01: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
        assert [r[2] for r in await tick(bot, world, utc(2026, 11, 1, 5, 30))] == ["posted"]
        assert await tick(bot, world, utc(2026, 11, 1, 6, 30)) == []
        assert await tick(bot, world, utc(2026, 11, 1, 23, 0)) == []
    titles = [
        m["embeds"][0]["title"] if m["embeds"] else m["content"] for m in posted(world, new_york)
    ]
    assert len(titles) == 2
    assert "2026-03-08" in titles[0]
    assert "2026-11-01" in titles[1]


async def test_restart_just_before_and_just_after_the_time(world: World) -> None:
    paris = world.servers[0]
    async with running_bot(world) as bot:
        await digest_set(world, paris, "Europe/Paris")
        assert await tick(bot, world, utc(2026, 6, 15, 6, 59)) == []
    # Down over 09:00 Paris time for 30 seconds: on time, posted once.
    world.clock.now = utc(2026, 6, 15, 7, 0) + timedelta(seconds=30)
    async with running_bot(world) as bot:
        assert [r[2] for r in await tick(bot, world, world.clock.now)] == ["posted"]
    # Restarted just after: nothing again, that day or later that day.
    async with running_bot(world) as bot:
        assert await tick(bot, world, utc(2026, 6, 15, 7, 1)) == []
        assert await tick(bot, world, utc(2026, 6, 15, 21, 0)) == []
        await bot.database.record_question(
            guild_id=paris.guild.id,
            channel_id=paris.channel.id,
            user_id=7,
            question="Is the moon made of cheese?",
            claim_id="moon-cheese",
            score=1.0,
            asked_at=utc(2026, 6, 16, 6, 0),
        )
        # Down from before 09:00 on the 16th until 11:00 Paris time: posted once, late.
        late = await tick(bot, world, utc(2026, 6, 16, 9, 0))
        assert [r[2] for r in late] == ["posted"]
        # And a whole day missed by more than the limit is skipped, not posted.
        skipped = await tick(bot, world, utc(2026, 6, 17, 14, 0))
        assert [r[2] for r in skipped] == ["skipped"]
    titles = [m["embeds"][0]["title"] for m in posted(world, paris)]
    assert titles == [
        strings.DIGEST_TITLE.format(date="2026-06-15"),
        strings.DIGEST_TITLE_LATE.format(date="2026-06-16"),
    ]
    assert [(d, s, late) for _, d, s, late in await slots(world)] == [
        ("2026-06-15", "posted", 0),
        ("2026-06-16", "posted", 1),
        ("2026-06-17", "skipped", 1),
    ]


async def test_a_restart_between_claim_and_confirmation_never_posts_twice(world: World) -> None:
    paris, tokyo, _ = world.servers
    async with running_bot(world) as bot:
        await digest_set(world, paris, "Europe/Paris")
        await digest_set(world, tokyo, "Asia/Tokyo")
        await tick(bot, world, utc(2026, 6, 15, 7, 0))
    assert len(posted(world, paris)) == 1
    assert len(posted(world, tokyo)) == 0  # Tokyo's 09:00 was 7 hours ago: skipped
    # Pretend the bot died after sending Paris's digest but before confirming it, and after
    # claiming Tokyo's next one but before sending it.
    await harness.execute(world, "UPDATE digest_slots SET status = 'claimed', message_ids = NULL")
    await harness.execute(
        world,
        "INSERT INTO digest_slots (guild_id, local_date, status, scheduled_at, late,"
        " channel_id, claimed_at) VALUES (?, '2026-06-16', 'claimed',"
        " '2026-06-16T00:00:00.000+00:00', 0, ?, '2026-06-16T00:00:00.000+00:00')",
        tokyo.guild.id,
        tokyo.channel.id,
    )
    async with running_bot(world) as bot:
        results = await tick(bot, world, utc(2026, 6, 16, 0, 1))
    outcomes = {(g, str(d)): outcome for g, d, outcome in results}
    assert outcomes[(paris.guild.id, "2026-06-15")] == "posted"  # found in its channel
    assert outcomes[(tokyo.guild.id, "2026-06-16")] == "failed"  # not found: not reposted
    assert len(posted(world, paris)) == 1
    assert len(posted(world, tokyo)) == 0
    statuses = {(g, d): s for g, d, s, _ in await slots(world)}
    assert statuses[(paris.guild.id, "2026-06-15")] == "posted"
    assert statuses[(tokyo.guild.id, "2026-06-16")] == "failed"


async def test_a_429_is_waited_out_and_the_digest_posted_once(world: World) -> None:
    paris = world.servers[0]
    async with running_bot(world) as bot:
        await digest_set(world, paris, "Europe/Paris")
        world.standin.inject("POST", MESSAGES_ROUTE, status=429, times=1, retry_after=0.2)
        results = await tick(bot, world, utc(2026, 6, 15, 7, 0))
    assert [r[2] for r in results] == ["posted"]
    assert len(posted(world, paris)) == 1
    attempts = [r.status for r in world.standin.requests if r.route == MESSAGES_ROUTE]
    assert attempts == [429, 200]


async def test_a_deleted_channel_or_missing_permission_is_told_to_the_mod_log(
    world: World,
) -> None:
    paris, tokyo, new_york = world.servers
    async with running_bot(world) as bot:
        for server, zone in ((paris, "Europe/Paris"), (tokyo, "Europe/Paris")):
            await digest_set(world, server, zone)
            await bot.database.set_modlog_channel(
                server.guild.id, server.modlog.id, actor_id=1, now=world.clock.now
            )
        await digest_set(world, new_york, "Europe/Paris")
        # Paris's channel is deleted (an id Discord does not know); Tokyo's bot lost access.
        await harness.execute(
            world, "UPDATE digest_settings SET channel_id = 999 WHERE guild_id = ?", paris.guild.id
        )
        world.standin.set_bot_permissions(tokyo.channel, allowed=False)
        results = await tick(bot, world, utc(2026, 6, 15, 7, 0))
        outcomes = {g: outcome for g, _, outcome in results}
        assert outcomes == {
            paris.guild.id: "failed",
            tokyo.guild.id: "failed",
            new_york.guild.id: "posted",
        }
        assert len(posted(world, new_york)) == 1
        (paris_note,) = world.standin.channel_messages(paris.modlog)
        assert strings.DIGEST_REASON_MISSING_CHANNEL in paris_note["content"]
        (tokyo_note,) = world.standin.channel_messages(tokyo.modlog)
        assert strings.DIGEST_REASON_MISSING_PERMISSION in tokyo_note["content"]
        # Failed is final for the day: the next tick does not retry or repeat the notice.
        assert await tick(bot, world, utc(2026, 6, 15, 7, 1)) == []
    assert len(world.standin.channel_messages(tokyo.modlog)) == 1


async def test_the_preview_equals_what_is_posted(world: World) -> None:
    paris = world.servers[0]
    manager = world.manager[paris.guild.id]
    async with running_bot(world) as bot:
        await digest_set(world, paris, "Europe/Paris")
        for n, claim in enumerate(["moon-cheese", "moon-cheese", None]):
            await bot.database.record_question(
                guild_id=paris.guild.id,
                channel_id=paris.channel.id,
                user_id=50 + n,
                question=f"question @everyone {n}",
                claim_id=claim,
                score=0.9,
                asked_at=utc(2026, 6, 15, 6, 0),
            )
        await bot.database.add_request(
            paris.guild.id, "Do cats dream?", user_id=51, source="command"
        )
        world.clock.now = utc(2026, 6, 15, 7, 0)
        ix = await world.standin.slash(
            paris.guild, paris.channel, manager, "digest", {"preview": {}}
        )
        body = await ix.response(within=10)
        assert body["type"] == 5
        (preview,) = await ix.followups(1, within=10)
        assert preview["flags"] & EPHEMERAL
        assert posted(world, paris) == []
        await tick(bot, world, world.clock.now)
    (message,) = posted(world, paris)
    assert message["embeds"] == preview["embeds"]
    assert message["components"] == preview["components"]
    fields = {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}
    assert fields[strings.DIGEST_TOP_QUESTIONS].startswith("1. Is the moon made of cheese? (2×)")
    assert "@everyone" not in str(message["embeds"])
    assert "Do cats dream?" in fields[strings.DIGEST_REQUESTS]
    # octopus-hearts was checked on 2026-06-14, inside the window; moon-cheese long before.
    assert fields[strings.DIGEST_FACT_CHECKS] == strings.DIGEST_FACT_CHECK_NEW.format(
        question="Does an octopus have three hearts?", on="2026-06-14"
    )


async def test_the_loop_posts_by_itself_on_the_injected_clock(world: World) -> None:
    paris = world.servers[0]
    async with running_bot(world, loop=True) as bot:
        cog = cog_of(bot)
        cog.post_due_digests.change_interval(seconds=0.05)
        await digest_set(world, paris, "Europe/Paris")
        world.clock.now = utc(2026, 6, 15, 7, 0)
        for _ in range(200):
            if posted(world, paris):
                break
            await asyncio.sleep(0.025)
        await asyncio.sleep(0.3)  # a few more ticks: still one digest
    assert len(posted(world, paris)) == 1


async def test_settings_commands_and_their_refusals(world: World) -> None:
    paris = world.servers[0]
    standin = world.standin
    manager = world.manager[paris.guild.id]
    member = standin.add_member(paris.guild, "member")
    async with running_bot(world):
        assert "25:00" in await digest_set(world, paris, "Europe/Paris", "25:00")
        assert "HH:MM" in await digest_set(world, paris, "Europe/Paris", "nine")
        assert "Mars/Olympus" in await digest_set(world, paris, "Mars/Olympus")
        ix = await standin.autocomplete(
            paris.guild,
            paris.channel,
            manager,
            "digest",
            {"set": {"timezone": "new york"}},
            focused="timezone",
        )
        choices = (await ix.response(within=10))["data"]["choices"]
        assert choices[0] == {"name": "America/New_York", "value": "America/New_York"}
        ix = await standin.autocomplete(
            paris.guild,
            paris.channel,
            manager,
            "digest",
            {"set": {"timezone": "a"}},
            focused="timezone",
        )
        assert len((await ix.response(within=10))["data"]["choices"]) == 25

        async def run(who: Any, sub: str) -> str:
            ix = await standin.slash(paris.guild, paris.channel, who, "digest", {sub: {}})
            return await private_text(ix)

        assert await run(manager, "show") == strings.DIGEST_NOT_SET
        assert await run(member, "show") == strings.DIGEST_NEEDS_MANAGE_SERVER
        assert await run(member, "off") == strings.DIGEST_NEEDS_MANAGE_SERVER
        await digest_set(world, paris, "Asia/Tokyo", "07:45", quiet_day="skip")
        shown = await run(manager, "show")
        assert "07:45 (Asia/Tokyo)" in shown
        assert strings.DIGEST_QUIET_SHOWN["skip"] in shown
        assert await run(manager, "off") == strings.DIGEST_TURNED_OFF
        assert await run(manager, "off") == strings.DIGEST_WAS_OFF
        assert strings.DIGEST_STATE_OFF in await run(manager, "show")
