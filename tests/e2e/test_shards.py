"""Two bot processes of two shards each, sharing one PostgreSQL database (issue 18 §2-3).

Each "process" is a whole sharded factdesk bot (``ShardedFactdeskBot``: its own settings,
database connections and gateway sessions), both in this test process against one stand-in,
which routes every server's events to the session of shard ``(guild_id >> 22) % 4`` and
checks the identify rate. Over ten servers: every /factcheck is answered once, by the
process holding the server's shard; only the process holding shard 0 syncs commands; both
processes run the digest tick at the same instant and each server's digest is posted once;
a corpus reload in one process reaches the other (LISTEN/NOTIFY).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest
from pydantic import SecretStr

from bot.settings import Settings
from bot.shards import shard_for
from tests import pg
from tests.e2e import harness
from tests.standin import Channel, Guild, Member, StandIn
from tests.standin.world import PLAIN_MEMBER

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

SHARD_COUNT = 4
RANGES = ("0-1", "2-3")
SERVERS = 10
MANAGER = PLAIN_MEMBER | (1 << 5) | (1 << 13)
# The stand-in's identify window and the bots' hold on a bucket (Discord: 5 s and 5.5 s).
WINDOW, HOLD = 0.5, 0.8
GUILD_COMMANDS = "/applications/{application_id}/guilds/{guild_id}/commands"

CLAIM = """+++
id = "{id}"
question = "{question}"
language = "en"
checked_on = 2026-06-14

[[sources]]
number = 1
title = "A source for {id}"
+++

{summary} [1]
"""


def write_claim(corpus: Path, claim_id: str, question: str, summary: str) -> None:
    text = CLAIM.format(id=claim_id, question=question, summary=summary)
    (corpus / f"{claim_id}.md").write_text(text, encoding="utf-8")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Server:
    guild: Guild
    channel: Channel
    digest: Channel
    member: Member
    manager: Member


@dataclass
class Fleet:
    standin: StandIn
    servers: list[Server]
    bots: list[Any]
    handled: list[tuple[int, int]]  # (guild id, index of the bot that got the interaction)
    corpus: Path
    clock: Clock

    def owner(self, guild: Guild) -> int:
        shard = shard_for(guild.id, SHARD_COUNT)
        return next(i for i, bot in enumerate(self.bots) if shard in bot.shard_ids)


@pytest.fixture
async def postgres_url(postgres_server: pg.Server) -> AsyncIterator[str]:
    url = await postgres_server.new_database()
    yield url
    if postgres_server.cluster is None:
        await postgres_server.drop_database(url)


@pytest.fixture
async def fleet(postgres_url: str, tmp_path: Path) -> AsyncIterator[Fleet]:
    corpus = tmp_path / "claims"
    corpus.mkdir()
    write_claim(corpus, "moon-cheese", "Is the moon made of cheese?", "No: rock and dust.")
    clock = Clock(datetime(2026, 6, 14, 14, 0, tzinfo=UTC))
    async with StandIn.start(max_concurrency=1, identify_window=WINDOW) as standin:
        servers = []
        for n in range(SERVERS):
            guild = standin.add_guild(f"Server {n}", on_shard=(n % SHARD_COUNT, SHARD_COUNT))
            servers.append(
                Server(
                    guild,
                    standin.add_channel(guild, "general"),
                    standin.add_channel(guild, "digest"),
                    standin.add_member(guild, "member"),
                    standin.add_member(guild, "manager", permissions=MANAGER),
                )
            )
        handled: list[tuple[int, int]] = []
        async with AsyncExitStack() as stack:
            bots = []
            for index, shards in enumerate(RANGES):
                settings = Settings(
                    _env_file=None,  # type: ignore[call-arg]
                    discord_token=SecretStr(standin.token),
                    database=postgres_url,
                    corpus_dir=corpus,
                    dev_guild_id=servers[0].guild.id,
                    discord_api_base=standin.api_base,
                    discord_gateway_url=standin.gateway_url,
                    heartbeat_file=tmp_path / f"heartbeat-{index}.json",
                    index_dir=tmp_path / f"index-{index}",
                    shard_ids=shards,
                    shard_count=SHARD_COUNT,
                    identify_interval=HOLD,
                )
                bot = await stack.enter_async_context(
                    harness.running_bot(settings, before_start=on_clock(clock))
                )

                async def seen(interaction: discord.Interaction, index: int = index) -> None:
                    assert interaction.guild_id is not None
                    handled.append((interaction.guild_id, index))

                bot.add_listener(seen, "on_interaction")
                bots.append(bot)
            await standin.wait_ready(within=30)
            # As `factdesk sync` would: the commands everywhere, once.
            await bots[0].tree.sync()
            await standin.wait_for_commands("factcheck", "digest", "corpus", within=20)
            yield Fleet(standin, servers, bots, handled, corpus, clock)
        standin.assert_no_violations()


def on_clock(clock: Clock) -> Any:
    """Put the digest cog on the test's clock and drive its ticks by hand."""

    def adjust(bot: Any) -> None:
        original = bot.setup_hook

        async def setup_hook() -> None:
            await original()
            cog = bot.get_cog("Digest")
            cog.clock = clock
            cog.post_due_digests.cancel()

        bot.setup_hook = setup_hook

    return adjust


async def answer_of(ix: Any) -> dict[str, Any]:
    body = await ix.response(within=15)
    if body["type"] == 5:
        (message,) = await ix.followups(1, within=15)
        return dict(message)
    assert body["type"] == 4, body
    return dict(await ix.wait_original(within=15))


async def test_each_server_is_served_by_its_shard_once(fleet: Fleet) -> None:
    standin = fleet.standin
    # Both processes run their two shards; each session holds only its shard's servers.
    assert [bot.shard_ids for bot in fleet.bots] == [[0, 1], [2, 3]]
    assert sorted(standin.sessions()) == [0, 1, 2, 3]
    for index, bot in enumerate(fleet.bots):
        assert {g.id for g in bot.guilds} == {
            s.guild.id for s in fleet.servers if fleet.owner(s.guild) == index
        }
    # The identifies: one per shard, all accepted (the stand-in refuses a second one in a
    # bucket within its window, and the fixture fails on any violation).
    assert sorted((i.shard_id, i.outcome) for i in standin.identifies) == [
        (shard, "ready") for shard in range(SHARD_COUNT)
    ]
    # Only the process holding shard 0 synced to the development server at start.
    assert [r.status for r in standin.requests if r.route == GUILD_COMMANDS] == [200]

    asked = [
        await standin.slash(
            s.guild, s.channel, s.member, "factcheck", {"question": "Is the moon made of cheese?"}
        )
        for s in fleet.servers
    ]
    for ix in asked:
        answer = await answer_of(ix)
        assert answer["embeds"][0]["title"] == "Is the moon made of cheese?"
    assert sorted(fleet.handled) == sorted(
        (s.guild.id, fleet.owner(s.guild)) for s in fleet.servers
    )
    assert {index for _, index in fleet.handled} == {0, 1}


async def test_a_digest_due_everywhere_is_posted_once_per_server(fleet: Fleet) -> None:
    standin = fleet.standin
    for server in fleet.servers:
        ix = await standin.slash(
            server.guild,
            server.digest,
            server.manager,
            "digest",
            {"set": {"channel": server.digest, "time": "09:00", "timezone": "UTC"}},
        )
        assert (await ix.response(within=15))["type"] == 4
    cogs = [bot.get_cog("Digest") for bot in fleet.bots]
    due = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
    fleet.clock.now = due
    # Both processes believe every server's digest is theirs, at the same instant.
    results = await asyncio.gather(*(cog.run_due(due) for cog in cogs))
    posted = [
        guild for outcomes in results for guild, _, outcome in outcomes if outcome == "posted"
    ]
    assert sorted(posted) == sorted(s.guild.id for s in fleet.servers)
    taken = [g for outcomes in results for g, _, outcome in outcomes if outcome == "taken"]
    assert len(posted) + len(taken) == 2 * SERVERS
    for server in fleet.servers:
        assert len(standin.channel_messages(server.digest)) == 1
    # A later tick in either process finds nothing left to do, nor to reconcile.
    again = await asyncio.gather(*(cog.run_due(due) for cog in cogs))
    assert again == [[], []]


async def test_a_corpus_reload_in_one_process_reaches_the_other(fleet: Fleet) -> None:
    standin = fleet.standin
    first = next(s for s in fleet.servers if fleet.owner(s.guild) == 0)
    other = next(s for s in fleet.servers if fleet.owner(s.guild) == 1)
    write_claim(fleet.corpus, "octopus-hearts", "Does an octopus have three hearts?", "Yes: three.")
    followed = asyncio.ensure_future(
        fleet.bots[1].wait_for("corpus_reloaded", check=bool, timeout=30)
    )
    ix = await standin.slash(first.guild, first.channel, first.manager, "corpus", {"reload": {}})
    reply = await answer_of(ix)
    assert "2" in (reply.get("content") or "")
    await followed  # the other process reloaded because this one said so
    assert fleet.bots[1].library.corpus.get("octopus-hearts") is not None
    ix = await standin.slash(
        other.guild,
        other.channel,
        other.member,
        "factcheck",
        {"question": "Does an octopus have three hearts?"},
    )
    answer = await answer_of(ix)
    assert answer["embeds"][0]["title"] == "Does an octopus have three hearts?"
    assert (other.guild.id, 1) in fleet.handled
