"""The stand-in's shards: several gateway sessions at once, Discord's routing and its
limits on session starts, checked with plain discord.py ``AutoShardedClient``s."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import aiohttp
import discord
import pytest

from bot.runner import point_discord_at
from tests.standin import StandIn, shard_for

pytestmark = pytest.mark.e2e


@contextmanager
def pointed_at(standin: StandIn) -> Iterator[None]:
    saved = (
        discord.http.Route.BASE,
        discord.webhook.async_.Route.BASE,
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    point_discord_at(standin.api_base, standin.gateway_url)
    try:
        yield
    finally:
        (
            discord.http.Route.BASE,
            discord.webhook.async_.Route.BASE,
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
        ) = saved


class ShardClient(discord.AutoShardedClient):
    """Records which server's messages reached which of its shards."""

    def __init__(self, shard_ids: list[int], shard_count: int, hold: float = 0.0) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True
        super().__init__(
            shard_ids=shard_ids,
            shard_count=shard_count,
            intents=intents,
            guild_ready_timeout=0.05,
        )
        self.hold = hold
        self.seen: list[tuple[int, int | None]] = []
        self.inbox: asyncio.Queue[int] | None = None

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # The test decides the pacing (discord.py's default waits 5 s between shards).
        await asyncio.sleep(0 if initial else self.hold)

    async def on_message(self, message: discord.Message) -> None:
        assert message.guild is not None
        self.seen.append((message.guild.id, message.guild.shard_id))
        if self.inbox is not None:
            self.inbox.put_nowait(message.guild.id)


@asynccontextmanager
async def running(client: ShardClient, standin: StandIn) -> AsyncIterator[ShardClient]:
    task = asyncio.create_task(client.start(standin.token))
    try:
        await asyncio.wait_for(client.wait_until_ready(), 20)
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 10)


def test_routing_formula() -> None:
    assert shard_for(None, 4) == 0
    assert shard_for(1 << 22, 4) == 1
    assert shard_for((7 << 22) | 12345, 4) == 3
    assert shard_for(123 << 22, 1) == 0


async def test_gateway_bot_reports_shards_and_the_session_start_limit() -> None:
    async with StandIn.start(max_concurrency=4, session_start_total=50) as standin:
        for _ in range(3):
            standin.add_guild()
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                standin.api_base + "/gateway/bot",
                headers={"Authorization": f"Bot {standin.token}"},
            ) as response,
        ):
            body = await response.json()
        assert body["shards"] == 1
        assert body["session_start_limit"] == {
            "total": 50,
            "remaining": 50,
            "reset_after": 86_400_000,
            "max_concurrency": 4,
        }
        assert standin.violations == []


async def test_two_processes_of_two_shards_each_get_only_their_servers() -> None:
    async with StandIn.start(max_concurrency=4) as standin:
        guilds = [standin.add_guild(f"g{n}", on_shard=(n % 4, 4)) for n in range(8)]
        channels = {guild.id: standin.add_channel(guild) for guild in guilds}
        members = {guild.id: standin.add_member(guild, "alice") for guild in guilds}
        with pointed_at(standin):
            async with (
                running(ShardClient([0, 1], 4), standin) as low,
                running(ShardClient([2, 3], 4), standin) as high,
            ):
                await standin.wait_ready(within=20)
                assert standin.sessions() == {0: 2, 1: 2, 2: 2, 3: 2}
                assert {g.id for g in low.guilds} == {g.id for g in guilds if (g.id >> 22) % 4 < 2}
                assert {g.id for g in high.guilds} == {
                    g.id for g in guilds if (g.id >> 22) % 4 >= 2
                }
                inbox: asyncio.Queue[int] = asyncio.Queue()
                low.inbox = high.inbox = inbox
                for guild in guilds:
                    standin.post_message(channels[guild.id], members[guild.id], "hello")
                arrived = [await asyncio.wait_for(inbox.get(), 10) for _ in guilds]
                assert sorted(arrived) == sorted(g.id for g in guilds)
        expected = {guild.id: shard_for(guild.id, 4) for guild in guilds}
        assert dict(low.seen) | dict(high.seen) == expected
        assert len(low.seen) == len(high.seen) == 4
        assert all(shard < 2 for _, shard in low.seen)
        assert [i.outcome for i in standin.identifies] == ["ready"] * 4
        assert standin.session_start_remaining == 996
        standin.assert_no_violations()


async def test_an_invalid_shard_is_closed_with_4010() -> None:
    async with StandIn.start() as standin:
        standin.add_guild()
        with pointed_at(standin):
            client = ShardClient([2], 2)
            with pytest.raises(discord.ConnectionClosed) as closed:
                await asyncio.wait_for(client.start(standin.token), 20)
            await client.close()
        assert closed.value.code == 4010
        assert [i.outcome for i in standin.identifies] == ["invalid shard"]
        assert "refused" in str(standin.violations[0])


async def test_too_few_shards_for_the_servers_is_closed_with_4011() -> None:
    async with StandIn.start(guilds_per_session=2) as standin:
        for n in range(3):
            standin.add_guild(f"g{n}", on_shard=(0, 2))
        with pointed_at(standin):
            client = ShardClient([0, 1], 2)
            with pytest.raises(discord.ConnectionClosed) as closed:
                await asyncio.wait_for(client.start(standin.token), 20)
            await client.close()
        assert closed.value.code == 4011
        assert standin.identifies[0].outcome == "sharding required"


async def test_identifies_in_one_bucket_within_the_window_are_refused() -> None:
    async with StandIn.start(max_concurrency=1, identify_window=0.5) as standin:
        standin.add_guild()
        with pointed_at(standin):
            # No wait between the shards: the second IDENTIFY comes too soon (op 9), and
            # discord.py identifies it again after its own pause.
            async with running(ShardClient([0, 1], 2, hold=0.0), standin):
                await standin.wait_ready(within=20)
        outcomes = [(i.shard_id, i.outcome) for i in standin.identifies]
        assert outcomes[:2] == [(0, "ready"), (1, "rate")]
        assert "within 0.5 s" in str(standin.violations[0])


async def test_identifies_paced_by_the_window_or_in_other_buckets_pass() -> None:
    async with StandIn.start(max_concurrency=1, identify_window=0.3) as standin:
        standin.add_guild()
        with pointed_at(standin):
            async with running(ShardClient([0, 1], 2, hold=0.4), standin):
                await standin.wait_ready(within=20)
        standin.assert_no_violations()
    async with StandIn.start(max_concurrency=2, identify_window=5.0) as standin:
        standin.add_guild()
        with pointed_at(standin):
            async with running(ShardClient([0, 1], 2, hold=0.0), standin):
                await standin.wait_ready(within=20)
        standin.assert_no_violations()
        assert [i.outcome for i in standin.identifies] == ["ready", "ready"]


async def test_the_daily_session_start_limit_counts_every_identify() -> None:
    async with StandIn.start(max_concurrency=2, session_start_total=1) as standin:
        standin.add_guild()
        with pointed_at(standin):
            client = ShardClient([0, 1], 2)
            with pytest.raises(discord.ConnectionClosed) as closed:
                await asyncio.wait_for(client.start(standin.token), 20)
            await client.close()
        assert closed.value.code == 4004
        assert [i.outcome for i in standin.identifies] == ["ready", "daily limit"]
        assert standin.session_start_remaining == 0


async def test_two_live_sessions_for_one_shard_are_a_violation() -> None:
    async with StandIn.start(max_concurrency=2, identify_window=0.2) as standin:
        standin.add_guild()
        with pointed_at(standin):
            # The second process was given an overlapping range: shard 0 once more.
            async with (
                running(ShardClient([0], 2), standin),
                running(ShardClient([0, 1], 2, hold=0.3), standin),
            ):
                pass
        (violation,) = [v for v in standin.violations if "while its session is live" in str(v)]
        assert "shard 0" in str(violation)
