"""Live ClaimReview feeds end to end, through the stand-in and a local HTTP server: a
manager adds a feed, the next fetch brings its fact-check, and a member's /factcheck now
gets it with the feed's source link; a broken feed body keeps the old corpus serving and
the mod-log gets one note however often it is fetched; a restart serves the feed's
entries with the feed server gone; a member who asked is told when a feed answers them.

Fetches are driven by calling the feeds cog's ``run_once`` with a clock, never by waiting
for the loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest

from bot import i18n
from bot.app import FactdeskBot
from bot.discord_ui import strings
from bot.store.base import utcnow
from tests.e2e import harness
from tests.e2e.harness import World, rows
from tests.e2e.test_language import set_language
from tests.e2e.test_moderation import MOON, eventually, reply_text, set_modlog, write_claim
from tests.e2e.test_seams import ask, public_answer
from tests.feedserver import FeedServer, claim_review

pytestmark = pytest.mark.e2e

COMMANDS = ("feeds", "factcheck", "settings", "request")
PENGUINS = "Can penguins fly over the Alps in winter?"
PENGUIN_URL = "https://factcheck.example.org/2026/12/feed-claim-1"


def prefix(template: str) -> str:
    """A message's text before its first placeholder (what a reply starts with)."""
    return template.split("{", 1)[0]


@pytest.fixture
def world(world: World) -> World:
    """The shared server answering only MOON from its files."""
    write_claim(world.corpus, MOON)
    return world


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer().running() as running:
        yield running


@asynccontextmanager
async def feeds_bot(world: World, **changes: Any) -> AsyncIterator[FactdeskBot]:
    settings = harness.world_settings(world).model_copy(
        update={"feeds_managers": True, "feeds_allow_private": True, **changes}
    )
    async with harness.running_bot(settings) as bot:
        await world.standin.wait_for_commands(*COMMANDS, guild=world.guild, within=20)
        yield bot


def cog(bot: FactdeskBot) -> Any:
    found = bot.get_cog("Feeds")
    assert found is not None
    return found


async def feeds(
    world: World, member: Any, subcommand: str, *, locale: str = "en-US", **options: Any
) -> Any:
    return await world.standin.slash(
        world.guild, world.channel, member, "feeds", {subcommand: options}, locale=locale
    )


def modlog_texts(world: World) -> list[str]:
    return [str(m.get("content") or "") for m in world.standin.channel_messages(world.modlog)]


async def test_an_added_feed_brings_a_fact_check_that_members_then_get(
    world: World, server: FeedServer
) -> None:
    server.serve(
        "/claims.json",
        {
            "@type": "DataFeed",
            "dataFeedElement": [{"@type": "DataFeedItem", "item": claim_review(1, PENGUINS)}],
        },
        etag='"v1"',
    )
    url = server.url("/claims.json")
    async with feeds_bot(world) as bot:
        before = await public_answer(await ask(world, PENGUINS))
        assert all(e.get("title") != PENGUINS for e in before.get("embeds") or [])

        added = await reply_text(await feeds(world, world.manager, "add", url=url))
        assert added.startswith(prefix(strings.FEEDS_ADDED))
        await cog(bot).run_once()
        feed = await bot.database.feed(url)
        assert feed is not None
        assert (feed.last_status, feed.entry_count) == ("ok", 1)

        answer = await public_answer(await ask(world, PENGUINS))
        (embed,) = answer["embeds"]
        assert embed["title"] == PENGUINS
        shown = str(answer)
        assert PENGUIN_URL in shown  # the answer links the feed's source
        assert "Example Feed Desk" in shown
        # the file entry still answers
        moon = await public_answer(await ask(world, "Is the moon made of cheese?"))
        assert moon["embeds"][0]["title"] == MOON["question"]

        listing = await world.standin.slash(
            world.guild, world.channel, world.manager, "feeds", {"list": {}}
        )
        body = await listing.response(within=10)
        if body["type"] == 5:
            (message,) = await listing.followups(1, within=10)
            listed = message["embeds"][0]["description"]
        else:
            listed = body["data"]["embeds"][0]["description"]
        assert strings.FEEDS_ENTRIES(1).format(count=1) in listed
        assert strings.FEEDS_STATUS["ok"] in listed
        assert f"<@{world.manager.id}>" in listed

    assert await rows(
        world, "SELECT action, target_id FROM audit_log WHERE target_type = 'feed'"
    ) == [("feed_added", url)]


async def test_a_broken_feed_keeps_the_old_corpus_and_the_modlog_hears_once(
    world: World, server: FeedServer
) -> None:
    server.serve("/claims.json", [claim_review(1, PENGUINS)])
    url = server.url("/claims.json")
    async with feeds_bot(world) as bot:
        await set_modlog(world)
        await reply_text(await feeds(world, world.manager, "add", url=url))
        now = utcnow()
        await cog(bot).run_once(now)
        corpus = bot.library.corpus
        assert len(corpus) == 2

        server.serve("/claims.json", raw=b'{"@type": "DataFeed", "dataFeedElement": [{"oops"')
        for attempt in range(1, 4):
            (outcome,) = await cog(bot).run_once(now + timedelta(days=attempt))
            assert outcome.status == "failed"
        assert bot.library.corpus is corpus  # never reloaded, never replaced
        answer = await public_answer(await ask(world, PENGUINS))
        assert answer["embeds"][0]["title"] == PENGUINS

        heading = prefix(strings.FEEDS_PROBLEM_NOTE)
        await eventually(lambda: any(heading in t for t in modlog_texts(world)), "a note")
        notes = [t for t in modlog_texts(world) if heading in t]
        assert len(notes) == 1
        assert "invalid JSON" in notes[0]
        feed_list = await feeds(world, world.manager, "list")
        await feed_list.response(within=10)


async def test_a_restart_serves_the_feed_without_the_network(world: World) -> None:
    async with FeedServer().running() as server:
        server.serve("/claims.json", [claim_review(1, PENGUINS)])
        async with feeds_bot(world) as bot:
            await reply_text(
                await feeds(world, world.manager, "add", url=server.url("/claims.json"))
            )
            await cog(bot).run_once()
    # the feed server is gone; the stored body still serves
    async with feeds_bot(world) as bot:
        assert len(bot.library.corpus) == 2
        answer = await public_answer(await ask(world, PENGUINS))
        assert answer["embeds"][0]["title"] == PENGUINS


async def test_a_member_who_asked_is_told_when_a_feed_answers(
    world: World, server: FeedServer
) -> None:
    server.serve("/claims.json", [claim_review(1, PENGUINS)])
    async with feeds_bot(world) as bot:
        ix = await world.standin.slash(
            world.guild, world.channel, world.member, "request", {"question": PENGUINS}
        )
        assert "request #1" in await reply_text(ix)
        await reply_text(await feeds(world, world.manager, "add", url=server.url("/claims.json")))
        await cog(bot).run_once()
        footer = strings.NOTIFY_FOOTER.format(request_id=1)

        def told() -> list[dict[str, Any]]:
            return [
                m
                for m in world.standin.channel_messages(world.channel)
                if any((e.get("footer") or {}).get("text") == footer for e in m.get("embeds") or [])
            ]

        await eventually(lambda: len(told()) == 1, "the member is told")
        (message,) = told()
        assert [m["id"] for m in message["mentions"]] == [str(world.member.id)]


async def test_only_the_owner_changes_feeds_unless_managers_are_allowed(
    world: World, server: FeedServer
) -> None:
    url = server.url("/claims.json")
    async with feeds_bot(world, feeds_managers=False):
        refused = await reply_text(await feeds(world, world.manager, "add", url=url))
        assert refused == strings.FEEDS_OWNER_ONLY
    async with feeds_bot(world, feeds_managers=False, owner_ids=[world.manager.id]):
        assert (await reply_text(await feeds(world, world.manager, "add", url=url))).startswith(
            "Added"
        )


async def test_a_refused_url_is_named_and_member_text_is_escaped(world: World) -> None:
    async with feeds_bot(world, feeds_allow_private=False):
        local = await reply_text(
            await feeds(world, world.manager, "add", url="http://127.0.0.1:9/feed")
        )
        assert local.startswith(prefix(strings.FEEDS_REFUSED_URL))
        ftp = await reply_text(
            await feeds(world, world.manager, "add", url="ftp://x.org/@everyone")
        )
        assert "only http:// and https://" in ftp
        odd = "https://example.org/**bold**/@everyone"
        added = await reply_text(await feeds(world, world.manager, "add", url=odd))
        assert "\\*\\*bold\\*\\*" in added
        assert "@everyone" not in added


async def test_removing_a_feed_takes_its_fact_checks_away_and_a_configured_one_stays(
    world: World, server: FeedServer
) -> None:
    server.serve("/added.json", [claim_review(1, PENGUINS)])
    server.serve("/configured.json", [claim_review(2, "Do koalas drink sea water daily?")])
    configured = server.url("/configured.json")
    async with feeds_bot(world, feeds=[configured]) as bot:
        added = server.url("/added.json")
        await reply_text(await feeds(world, world.manager, "add", url=added))
        # The loop may have fetched the configured feed already; after this pass both are in.
        await cog(bot).run_once()
        for url in (added, configured):
            feed = await bot.database.feed(url)
            assert feed is not None
            assert (feed.last_status, feed.entry_count) == ("ok", 1)
        assert len(bot.library.corpus) == 3

        refused = await reply_text(await feeds(world, world.manager, "remove", url=configured))
        assert "FACTDESK_FEEDS" in refused
        removed = await reply_text(await feeds(world, world.manager, "remove", url=added))
        assert removed.startswith(prefix(strings.FEEDS_REMOVED))
        assert len(bot.library.corpus) == 2
        answer = await public_answer(await ask(world, PENGUINS))
        assert all(e.get("title") != PENGUINS for e in answer.get("embeds") or [])
        koala = await public_answer(await ask(world, "Do koalas drink sea water daily?"))
        assert koala["embeds"][0]["title"] == "Do koalas drink sea water daily?"
        missing = await reply_text(await feeds(world, world.manager, "remove", url=added))
        assert missing == strings.FEEDS_NOT_FOUND.format(url=added)

    assert await rows(
        world, "SELECT action FROM audit_log WHERE target_type = 'feed' ORDER BY id"
    ) == [("feed_added",), ("feed_removed",)]


async def test_a_feed_that_changes_a_verdict_records_a_correction_and_answers_say_updated(
    world: World, server: FeedServer
) -> None:
    server.serve("/claims.json", [claim_review(1, PENGUINS)])
    async with feeds_bot(world) as bot:
        await reply_text(await feeds(world, world.manager, "add", url=server.url("/claims.json")))
        now = utcnow()
        await cog(bot).run_once(now)
        server.serve(
            "/claims.json",
            [claim_review(1, PENGUINS, reviewRating={"alternateName": "Misleading"})],
        )
        await cog(bot).run_once(now + timedelta(hours=1))
        answer = await public_answer(await ask(world, PENGUINS))
        shown = str(answer)
        assert "Misleading" in shown
        assert "Updated on" in shown
    assert await rows(world, "SELECT old_verdict, new_verdict FROM claim_corrections") == [
        ("False", "Misleading")
    ]


async def test_a_spanish_member_and_a_spanish_server_hear_about_feeds_in_spanish(
    world: World, server: FeedServer
) -> None:
    server.serve("/claims.json", [claim_review(1, PENGUINS)])
    url = server.url("/claims.json")
    with i18n.speaking("es"):
        added_es = prefix(strings.FEEDS_ADDED)
        entries_es = strings.FEEDS_ENTRIES(1).format(count=1)
        title_es = strings.FEEDS_LIST_TITLE
        heading_es = prefix(strings.FEEDS_PROBLEM_NOTE)
        ftp_es = strings.FEEDS_REFUSED_URL.format(
            reason=strings.FEEDS_URL_REASONS["only http:// and https:// URLs can be feeds"]
        )
    heading_en = prefix(strings.FEEDS_PROBLEM_NOTE)
    assert heading_es != heading_en
    async with feeds_bot(world) as bot:
        await set_modlog(world)
        await set_language(world, "es")
        # The reply follows the member's client language ...
        added = await reply_text(await feeds(world, world.manager, "add", locale="es-ES", url=url))
        assert added.startswith(added_es)
        ftp = await feeds(world, world.manager, "add", locale="es-ES", url="ftp://x.org/f")
        assert await reply_text(ftp) == ftp_es
        await cog(bot).run_once(utcnow())
        listing = await feeds(world, world.manager, "list", locale="es-419")
        body = await listing.response(within=10)
        if body["type"] == 5:
            (message,) = await listing.followups(1, within=10)
            (embed,) = message["embeds"]
        else:
            (embed,) = body["data"]["embeds"]
        assert embed["title"] == title_es
        assert entries_es in embed["description"]
        # ... and an English-speaking member is answered in English on the same server.
        english = await reply_text(await feeds(world, world.manager, "remove", url=url + "x"))
        assert english == strings.FEEDS_NOT_FOUND.format(url=url + "x")

        # The mod-log note is the server's: in Spanish, whoever added the feed.
        server.serve("/claims.json", raw=b'{"@type": "DataFeed", "dataFeedElement": [{"oops"')
        await cog(bot).run_once(utcnow() + timedelta(days=1))
        await eventually(lambda: any(heading_es in t for t in modlog_texts(world)), "a note")
        assert not any(heading_en in t for t in modlog_texts(world))
