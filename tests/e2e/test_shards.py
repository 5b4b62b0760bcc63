"""Sharded bot processes sharing one PostgreSQL database (issue 18 §2-3).

Each "process" is a whole sharded factdesk bot (``ShardedFactdeskBot``: its own settings,
database connections and gateway sessions), both in this test process against one stand-in,
which routes every server's events to the session of shard ``(guild_id >> 22) % 4`` and
checks the identify rate. Over ten servers: every /factcheck is answered once, by the
process holding the server's shard; only the process holding shard 0 syncs commands; both
processes run the digest tick at the same instant, each for its own servers only, and each
server's digest is posted once, even when both believe every server is theirs;
a corpus reload in one process reaches the other (LISTEN/NOTIFY). And the issue's numbers:
three processes of two shards over 60 servers, each server answered once by its process, 60
digests each posted once, 300 concurrent flags from members spread over the processes, none
lost and none duplicated.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
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
from tests.e2e.test_digest import Clock
from tests.standin import Channel, Guild, Member, StandIn
from tests.standin.world import PLAIN_MEMBER

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

SHARD_COUNT = 4
RANGES = ("0-1", "2-3")
SERVERS = 10
EPHEMERAL = 1 << 6
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


@dataclass
class Server:
    guild: Guild
    channel: Channel
    digest: Channel
    member: Member
    manager: Member
    others: list[Member]


@dataclass
class Fleet:
    standin: StandIn
    servers: list[Server]
    bots: list[Any]
    handled: list[tuple[int, int]]  # (guild id, index of the bot that got the interaction)
    corpus: Path
    clock: Clock
    database: str
    shard_count: int = SHARD_COUNT

    def owner(self, guild: Guild) -> int:
        shard = shard_for(guild.id, self.shard_count)
        return next(i for i, bot in enumerate(self.bots) if shard in bot.shard_ids)


@asynccontextmanager
async def fleet_of(
    url: str,
    tmp_path: Path,
    *,
    ranges: tuple[str, ...] = RANGES,
    shard_count: int = SHARD_COUNT,
    servers: int = SERVERS,
    members: int = 0,
) -> AsyncIterator[Fleet]:
    """``len(ranges)`` sharded bots on one database, ``servers`` servers spread evenly over
    the shards, each with ``members`` more members for the tests that need many."""
    corpus = tmp_path / "claims"
    corpus.mkdir()
    write_claim(corpus, "moon-cheese", "Is the moon made of cheese?", "No: rock and dust.")
    clock = Clock(datetime(2026, 6, 14, 14, 0, tzinfo=UTC))
    async with StandIn.start(max_concurrency=1, identify_window=WINDOW) as standin:
        world = []
        for n in range(servers):
            guild = standin.add_guild(f"Server {n}", on_shard=(n % shard_count, shard_count))
            world.append(
                Server(
                    guild,
                    standin.add_channel(guild, "general"),
                    standin.add_channel(guild, "digest"),
                    standin.add_member(guild, "member"),
                    standin.add_member(guild, "manager", permissions=MANAGER),
                    [standin.add_member(guild, f"member-{m}") for m in range(members)],
                )
            )
        handled: list[tuple[int, int]] = []
        async with AsyncExitStack() as stack:
            bots = []
            for index, shards in enumerate(ranges):
                settings = Settings(
                    _env_file=None,  # type: ignore[call-arg]
                    discord_token=SecretStr(standin.token),
                    database=url,
                    corpus_dir=corpus,
                    dev_guild_id=world[0].guild.id,
                    discord_api_base=standin.api_base,
                    discord_gateway_url=standin.gateway_url,
                    heartbeat_file=tmp_path / f"heartbeat-{index}.json",
                    index_dir=tmp_path / f"index-{index}",
                    shard_ids=shards,
                    shard_count=shard_count,
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
            await standin.wait_ready(within=60)
            # As `factdesk sync` would: the commands everywhere, once.
            await bots[0].tree.sync()
            await standin.wait_for_commands("factcheck", "digest", "corpus", within=20)
            yield Fleet(standin, world, bots, handled, corpus, clock, url, shard_count)
        standin.assert_no_violations()


@pytest.fixture
async def fleet(postgres_url: str, tmp_path: Path) -> AsyncIterator[Fleet]:
    async with fleet_of(postgres_url, tmp_path) as built:
        yield built


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

    await answer_everywhere_once(fleet)
    assert {index for _, index in fleet.handled} == {0, 1}


async def answer_everywhere_once(fleet: Fleet) -> list[dict[str, Any]]:
    """/factcheck in every server at once: each answered, by the process of its shard."""
    standin = fleet.standin
    asked = await asyncio.gather(
        *(
            standin.slash(
                s.guild,
                s.channel,
                s.member,
                "factcheck",
                {"question": "Is the moon made of cheese?"},
            )
            for s in fleet.servers
        )
    )
    answers = list(await asyncio.gather(*(answer_of(ix) for ix in asked)))
    for answer in answers:
        assert answer["embeds"][0]["title"] == "Is the moon made of cheese?"
    assert sorted(fleet.handled) == sorted(
        (s.guild.id, fleet.owner(s.guild)) for s in fleet.servers
    )
    return answers


DUE = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


async def set_every_digest(fleet: Fleet) -> list[Any]:
    """A daily digest at 09:00 UTC in every server; the processes' digest cogs."""
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
    return [bot.get_cog("Digest") for bot in fleet.bots]


def owned_by(fleet: Fleet) -> list[set[int]]:
    """For each process, the ids of the servers on its shards."""
    return [
        {s.guild.id for s in fleet.servers if fleet.owner(s.guild) == index}
        for index in range(len(fleet.bots))
    ]


async def post_every_digest_once(fleet: Fleet, *, contested: bool = False) -> None:
    """Every process ticks at the same instant; each server's digest is posted once.

    Each process lists only its own servers; ``contested`` makes every process believe
    every server is its own (as while a new shard count is rolled out one process at a
    time), so that only the slot's claim keeps a digest from going out twice.
    """
    standin = fleet.standin
    cogs = await set_every_digest(fleet)
    if contested:
        for cog in cogs:
            cog.store.shards = None
    fleet.clock.now = DUE
    results = await asyncio.gather(*(cog.run_due(DUE) for cog in cogs))
    posted = [g for outcomes in results for g, _, outcome in outcomes if outcome == "posted"]
    assert sorted(posted) == sorted(s.guild.id for s in fleet.servers)
    if contested:
        # The others found it taken: at the claim ("taken"), or already when they read
        # which slots were due (then not listed at all), depending on how they interleave.
        outcomes = {outcome for outcomes in results for _, _, outcome in outcomes}
        assert outcomes <= {"posted", "taken"}
    else:
        # Each process handled exactly its own servers, and nothing was contested.
        assert [{g for g, _, _ in outcomes} for outcomes in results] == owned_by(fleet)
        assert {outcome for outcomes in results for _, _, outcome in outcomes} == {"posted"}
    for server in fleet.servers:
        assert len(standin.channel_messages(server.digest)) == 1
    # A later tick in any process finds nothing left to do, nor to reconcile.
    again = await asyncio.gather(*(cog.run_due(DUE) for cog in cogs))
    assert again == [[] for _ in cogs]
    rows = await pg.raw_rows(fleet.database, "SELECT status FROM digest_slots")
    assert sorted(rows) == [("posted",)] * len(fleet.servers)


async def test_a_digest_due_everywhere_is_posted_once_per_server(fleet: Fleet) -> None:
    await post_every_digest_once(fleet, contested=True)


async def test_each_process_lists_only_the_digests_of_its_own_servers(fleet: Fleet) -> None:
    cogs = await set_every_digest(fleet)
    mine = owned_by(fleet)
    assert all(mine)  # both processes have servers
    assert set.union(*mine) == {s.guild.id for s in fleet.servers}
    for cog, own in zip(cogs, mine, strict=True):
        assert {c.guild_id for c in await cog.store.enabled_configs()} == own
    await post_every_digest_once(fleet)
    since = DUE.date()
    for cog, own in zip(cogs, mine, strict=True):
        assert {g for g, _ in await cog.store.taken_slots(since)} == own
    # Every slot left claimed, as by processes that all died before confirming: each
    # process is to settle only its own servers' (the others' are theirs to settle).
    await pg.raw_write(fleet.database, "UPDATE digest_slots SET status = 'claimed'")
    for cog, own in zip(cogs, mine, strict=True):
        assert {slot.guild_id for slot in await cog.store.unconfirmed_slots()} == own


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


async def flag(fleet: Fleet, server: Server, answer: dict[str, Any], member: Member) -> str:
    standin = fleet.standin
    ix = await standin.click(answer, "fd:flag:moon-cheese", member)
    body = await ix.response(within=30)
    assert body["type"] == 9, body
    submitted = await standin.submit_modal(
        server.guild,
        server.channel,
        member,
        body["data"]["custom_id"],
        {"reason": f"{member.name} disagrees"},
        message=answer,
    )
    reply = await submitted.response(within=30)
    if reply["type"] == 5:
        (message,) = await submitted.followups(1, within=30)
        return str(message.get("content") or "")
    assert reply["data"]["flags"] & EPHEMERAL
    return str(reply["data"].get("content") or "")


async def test_three_processes_of_two_shards_over_sixty_servers(
    postgres_url: str, tmp_path: Path
) -> None:
    async with fleet_of(
        postgres_url,
        tmp_path,
        ranges=("0-1", "2-3", "4-5"),
        shard_count=6,
        servers=60,
        members=5,
    ) as fleet:
        assert sorted(fleet.standin.sessions()) == list(range(6))
        assert all(count == 10 for count in fleet.standin.sessions().values())
        answers = await answer_everywhere_once(fleet)
        assert {index for _, index in fleet.handled} == {0, 1, 2}
        await post_every_digest_once(fleet)
        # 300 flags at once: five members in each of the 60 servers flag its answer.
        before = len(fleet.handled)
        replies = await asyncio.gather(
            *(
                flag(fleet, server, answer, member)
                for server, answer in zip(fleet.servers, answers, strict=True)
                for member in server.others
            )
        )
        assert all("is recorded" in reply for reply in replies), replies[:3]
        rows = await pg.raw_rows(
            fleet.database, "SELECT id, guild_id, flagger_id, message_id FROM flags"
        )
        assert len(rows) == 300
        assert len({row[0] for row in rows}) == 300
        expected = {
            (server.guild.id, member.id, int(answer["id"]))
            for server, answer in zip(fleet.servers, answers, strict=True)
            for member in server.others
        }
        assert {(row[1], row[2], row[3]) for row in rows} == expected
        # Every flag was taken by the process holding its server's shard.
        owners = {s.guild.id: fleet.owner(s.guild) for s in fleet.servers}
        flagged = fleet.handled[before:]
        assert len(flagged) == 600  # the button, then the form
        assert all(index == owners[guild] for guild, index in flagged)
