"""Moderation end to end: the real factdesk bot (discord.py) against the local stand-in.

Covers issue 4 section 8: refusals on every moderator command and button, the whole flag
flow with the modal, uphold -> the notice on the next answer, a restart keeping flags,
requests, settings and working buttons, 100 concurrent flags, odd inputs, requests and the
corpus reload. Each test writes its own small corpus so it does not depend on the bundled one.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.discord_ui import strings
from tests.e2e import harness
from tests.e2e.harness import World, rows
from tests.standin.world import PLAIN_MEMBER

pytestmark = pytest.mark.e2e

MANAGE_MESSAGES = 1 << 13
MANAGE_GUILD = 1 << 5
MODERATOR = PLAIN_MEMBER | MANAGE_MESSAGES
MANAGER = PLAIN_MEMBER | MANAGE_MESSAGES | MANAGE_GUILD
EPHEMERAL = 1 << 6
MODAL = 9
COMMANDS = ("flags", "requests", "request", "settings", "corpus", "Flag disputed claim")

CLAIM = """+++
id = "{id}"
question = "{question}"
language = "en"
checked_on = 2026-11-01
verdict = "{verdict}"

[[sources]]
number = 1
title = "A source for {id}"
+++

{summary} [1]

## Details

More about it [1].
"""
MOON = {
    "id": "moon-cheese",
    "question": "Is the moon made of cheese?",
    "verdict": "False",
    "summary": "No: the moon is rock and dust. Samples brought back prove it.",
}
VOLCANO = {
    "id": "volcano-emissions",
    "question": "Do volcanoes emit more CO2 than humans?",
    "verdict": "False",
    "summary": "No: human emissions are about a hundred times larger. Measurements agree.",
}
OCTOPUS = {
    "id": "octopus-hearts",
    "question": "Does an octopus have three hearts?",
    "verdict": "True",
    "summary": "Yes: two pump blood through the gills and one through the body.",
}


def write_claim(directory: Path, claim: dict[str, str]) -> None:
    (directory / f"{claim['id']}.md").write_text(CLAIM.format(**claim), encoding="utf-8")


@asynccontextmanager
async def running_bot(world: World) -> AsyncIterator[Any]:
    """Start the real bot on the world's database and corpus; close it on exit."""
    async with harness.world_bot(world, COMMANDS) as bot:
        yield bot


@pytest.fixture
def world(world: World) -> World:
    """The shared server (tests/e2e/conftest.py) answering from two fact-checks."""
    write_claim(world.corpus, MOON)
    write_claim(world.corpus, VOLCANO)
    return world


async def reply_text(ix: Any) -> str:
    """The private reply's text, whether sent directly or after a deferral."""
    body = await ix.response(within=10)
    if body["type"] == 4:
        assert body["data"].get("flags", 0) & EPHEMERAL
        return str(body["data"].get("content") or "")
    assert body["type"] == 5
    (message,) = await ix.followups(1, within=10)
    assert message["flags"] & EPHEMERAL
    return str(message.get("content") or "")


async def reply_embed(ix: Any) -> dict[str, Any]:
    body = await ix.response(within=10)
    assert body["type"] == 4
    (embed,) = body["data"]["embeds"]
    return dict(embed)


async def modlog_posts(world: World, count: int) -> list[dict[str, Any]]:
    """The mod-log's posts once there are ``count``: the bot posts them after replying."""
    for _ in range(200):
        posts = world.standin.channel_messages(world.modlog)
        if len(posts) >= count:
            return posts
        await asyncio.sleep(0.025)
    raise AssertionError(f"expected {count} mod-log posts, found {len(posts)}")


async def eventually(check: Any, what: str) -> None:
    """Wait (up to 5 s) for work the bot does after its reply, such as editing a post.

    ``check`` returns a truth value, or an awaitable of one (a look at the database)."""
    for _ in range(200):
        seen = check()
        if inspect.isawaitable(seen):
            seen = await seen
        if seen:
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"never happened: {what}")


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [
        button["custom_id"]
        for row in message.get("components") or []
        for button in row["components"]
        if "custom_id" in button
    ]


async def set_modlog(world: World) -> None:
    ix = await world.standin.slash(
        world.guild,
        world.channel,
        world.manager,
        "settings",
        {"modlog": {"channel": world.modlog.id}},
    )
    assert str(world.modlog.id) in await reply_text(ix)


async def flag_message(world: World, text: str) -> tuple[str, dict[str, Any] | None]:
    """A moderator runs "Flag disputed claim"; their reply and the public card, if any."""
    target = world.standin.post_message(world.channel, world.member, text)
    before = len(world.standin.channel_messages(world.channel))
    ix = await world.standin.message_command(
        world.guild, world.channel, world.moderator, strings.MOD_FLAG_MENU_NAME, target
    )
    answer = await reply_text(ix)
    after = world.standin.channel_messages(world.channel)
    return answer, (after[-1] if len(after) > before else None)


async def submit_flag(world: World, card: dict[str, Any], member: Any, reason: str) -> str:
    ix = await world.standin.click(card, "fd:flag:moon-cheese", member)
    body = await ix.response(within=10)
    if body["type"] != MODAL:
        return str(body["data"].get("content"))
    modal = body["data"]
    assert modal["custom_id"].startswith("fd:flag:form:")
    submitted = await world.standin.submit_modal(
        world.guild, world.channel, member, modal["custom_id"], {"reason": reason}
    )
    return await reply_text(submitted)


async def test_moderator_commands_and_buttons_refuse_plain_members(world: World) -> None:
    standin = world.standin
    async with running_bot(world):
        await set_modlog(world)
        _, card = await flag_message(world, "the moon is made of cheese, really")
        assert card is not None
        (post,) = await modlog_posts(world, 1)
        attempts = [
            ("flags", {"list": {}}),
            ("flags", {"show": {"id": 1}}),
            ("flags", {"resolve": {"id": 1, "outcome": "upheld", "note": "sure"}}),
            ("flags", {"history": {"id": 1}}),
            ("flags", {"disputes": {}}),
            ("flags", {"clear": {"claim": "moon-cheese", "note": "x"}}),
            ("requests", {"list": {}}),
            ("requests", {"close": {"id": 1, "note": "x"}}),
            ("settings", {"modlog": {"channel": world.channel.id}}),
            ("settings", {"threshold": {"threshold": 0.9}}),
            ("settings", {"show": {}}),
            ("corpus", {"reload": {}}),
        ]
        for name, options in attempts:
            ix = await standin.slash(world.guild, world.channel, world.member, name, options)
            assert "The attempt has been logged" in await reply_text(ix), (name, options)
        target = standin.post_message(world.channel, world.member, "the moon is cheese")
        ix = await standin.message_command(
            world.guild, world.channel, world.member, strings.MOD_FLAG_MENU_NAME, target
        )
        assert "Manage Messages" in await reply_text(ix)
        for custom_id in custom_ids(post):
            ix = await standin.click(post, custom_id, world.member)
            assert "Manage Messages" in await reply_text(ix)
        # A moderator (Manage Messages only) may not change settings either.
        ix = await standin.slash(
            world.guild, world.channel, world.moderator, "settings", {"modlog": {"channel": 1}}
        )
        assert "Manage Server" in await reply_text(ix)
    refused = await rows(world, "SELECT actor_id FROM audit_log WHERE action = 'refused'")
    assert len(refused) == len(attempts) + 1 + len(custom_ids(post)) + 1
    assert {r[0] for r in refused} == {world.member.user.id, world.moderator.user.id}
    # Nothing the plain member tried changed anything.
    assert await rows(world, "SELECT status FROM flags") == [("open",)]


async def test_flag_flow_uphold_shows_the_notice_then_clear_removes_it(world: World) -> None:
    standin = world.standin
    async with running_bot(world):
        await set_modlog(world)
        answer, card = await flag_message(world, "The moon is made of cheese!!")
        assert "context card" in answer
        assert card is not None
        assert card["message_reference"]["message_id"]
        (embed,) = card["embeds"]
        assert "Is the moon made of cheese?" in embed["title"]
        assert embed["description"].startswith("**Verdict:** False\nNo: the moon is rock")
        assert [f["name"] for f in embed["fields"]] == [strings.CHECKED_ON_FIELD]
        assert custom_ids(card) == [
            "fd:open:moon-cheese",
            "fd:hv:moon-cheese:y",
            "fd:hv:moon-cheese:n",
            "fd:flag:moon-cheese",
        ]

        # A member disputes the card's fact-check through the modal.
        reason = "Samples were from Earth, see the 2026 paper."
        assert "#2" in await submit_flag(world, card, world.member, reason)
        posts = await modlog_posts(world, 2)
        assert len(posts) == 2  # the moderator's message flag, then the member's flag
        member_post = posts[-1]
        assert member_post["embeds"][0]["title"] == "Flag #2"
        assert custom_ids(member_post) == ["fd:mod:up:2", "fd:mod:dis:2"]
        # A second flag on the same fact-check is refused politely.
        assert "already flagged" in await submit_flag(world, card, world.member, reason)

        # Uphold from the mod-log button, with the note in a modal.
        ix = await standin.click(member_post, "fd:mod:up:2", world.moderator)
        modal = await ix.response()
        assert modal["type"] == MODAL
        submitted = await standin.submit_modal(
            world.guild,
            world.channel,
            world.moderator,
            modal["data"]["custom_id"],
            {"note": "Source 1 was retracted"},
        )
        assert "upheld" in await reply_text(submitted)
        await eventually(
            lambda: custom_ids(standin.message(member_post["id"]) or {}) == [],
            "the mod-log post loses its buttons",
        )

        # The next answer for that claim in this server carries the notice.
        _, second_card = await flag_message(world, "is the moon cheese")
        assert second_card is not None
        fields = second_card["embeds"][0]["fields"]
        assert fields[0]["name"] == strings.MOD_DISPUTED_NOTICE
        assert "Source 1 was retracted" in fields[0]["value"]

        ix = await standin.slash(
            world.guild, world.channel, world.moderator, "flags", {"disputes": {}}
        )
        assert "`moon-cheese`" in (await reply_embed(ix))["description"]
        ix = await standin.slash(
            world.guild, world.channel, world.moderator, "flags", {"history": {"id": 2}}
        )
        history = (await reply_embed(ix))["description"]
        assert f"flagged by <@{world.member.user.id}>" in history
        assert "upheld: Source 1 was retracted" in history

        ix = await standin.slash(
            world.guild,
            world.channel,
            world.moderator,
            "flags",
            {"clear": {"claim": "moon-cheese", "note": "Corpus fixed"}},
        )
        assert "cleared" in await reply_text(ix)
        _, third_card = await flag_message(world, "moon made of cheese?")
        assert third_card is not None
        names = [f["name"] for f in third_card["embeds"][0]["fields"]]
        assert strings.MOD_DISPUTED_NOTICE not in names


async def test_dismiss_and_message_without_match_queue_a_request(world: World) -> None:
    standin = world.standin
    async with running_bot(world):
        await set_modlog(world)
        answer, card = await flag_message(world, "Bananas are secretly blue inside")
        assert card is None
        assert "request #1" in answer
        kinds = [p["embeds"][0]["title"] for p in await modlog_posts(world, 2)]
        assert kinds == ["Request #1", "Flag #1"]
        ix = await standin.slash(
            world.guild,
            world.channel,
            world.moderator,
            "flags",
            {"resolve": {"id": 1, "outcome": "dismissed", "note": "joke"}},
        )
        assert "dismissed" in await reply_text(ix)
        ix = await standin.slash(
            world.guild,
            world.channel,
            world.moderator,
            "flags",
            {"resolve": {"id": 1, "outcome": "upheld", "note": "again"}},
        )
        assert "no open flag #1" in await reply_text(ix)
        ix = await standin.slash(
            world.guild, world.channel, world.moderator, "flags", {"list": {"status": "dismissed"}}
        )
        assert "**#1** dismissed" in (await reply_embed(ix))["description"]


async def test_a_mod_log_the_bot_cannot_post_in_loses_no_flag(world: World) -> None:
    async with running_bot(world):
        await set_modlog(world)
        world.standin.set_bot_permissions(world.modlog, allowed=False)
        answer, card = await flag_message(world, "the moon is made of cheese")
        assert card is not None
        assert "#1" in answer
        assert "recorded" in await submit_flag(world, card, world.member, "It is not cheese!!")
    assert world.standin.channel_messages(world.modlog) == []
    assert await rows(world, "SELECT id, modlog_message_id FROM flags ORDER BY id") == [
        (1, None),
        (2, None),
    ]


async def test_restart_keeps_flags_requests_settings_and_buttons(world: World) -> None:
    standin = world.standin
    async with running_bot(world):
        await set_modlog(world)
        _, card = await flag_message(world, "the moon is cheese")
        assert card is not None
        ix = await standin.slash(
            world.guild, world.channel, world.member, "request", {"question": "Are cats liquid?"}
        )
        assert "request #1" in await reply_text(ix)
        posts = await modlog_posts(world, 2)
    flag_post = next(p for p in posts if p["embeds"][0]["title"] == "Flag #1")
    request_post = next(p for p in posts if p["embeds"][0]["title"] == "Request #1")

    async with running_bot(world):
        ix = await standin.slash(
            world.guild, world.channel, world.manager, "settings", {"show": {}}
        )
        shown = await reply_text(ix)
        assert f"<#{world.modlog.id}>" in shown
        assert "**Open flags:** 1" in shown
        assert "**Open requests:** 1" in shown
        ix = await standin.click(flag_post, "fd:mod:dis:1", world.moderator)
        modal = await ix.response()
        submitted = await standin.submit_modal(
            world.guild, world.channel, world.moderator, modal["data"]["custom_id"], {"note": "ok"}
        )
        assert "dismissed" in await reply_text(submitted)
        ix = await standin.click(request_post, "fd:mod:close:1", world.moderator)
        modal = await ix.response()
        submitted = await standin.submit_modal(
            world.guild, world.channel, world.moderator, modal["data"]["custom_id"], {"note": "no"}
        )
        assert "closed" in await reply_text(submitted)
        # The card's buttons from before the restart work too.
        ix = await standin.click(card, "fd:flag:moon-cheese", world.member)
        assert (await ix.response())["type"] == MODAL
    assert await rows(world, "SELECT status FROM flags") == [("dismissed",)]
    assert await rows(world, "SELECT status, close_note FROM requests") == [("closed", "no")]


async def test_hundred_concurrent_flags_lose_none_and_duplicate_none(world: World) -> None:
    standin = world.standin
    members = [standin.add_member(world.guild, f"m{i}") for i in range(100)]
    async with running_bot(world):
        _, card = await flag_message(world, "the moon is made of cheese")
        assert card is not None

        async def flag_twice(member: Any) -> list[str]:
            first = asyncio.create_task(
                submit_flag(world, card, member, "Because the samples disagree.")
            )
            second = asyncio.create_task(
                submit_flag(world, card, member, "Because the samples disagree, again.")
            )
            return [await first, await second]

        answers = await asyncio.gather(*(flag_twice(m) for m in members))
    recorded = [a for pair in answers for a in pair if "is recorded" in a]
    refused = [a for pair in answers for a in pair if "already flagged" in a or "wait" in a]
    assert len(recorded) == 100
    assert len(refused) == 100
    stored = await rows(
        world, "SELECT flagger_id, COUNT(*) FROM flags WHERE kind = 'answer' GROUP BY 1"
    )
    assert len(stored) == 100
    assert {count for _, count in stored} == {1}
    assert {flagger for flagger, _ in stored} == {m.user.id for m in members}


ODD_REASONS = [
    # (reason, what the member is told, stored?)
    ("", "at least 10", False),
    ("\u200b" * 30, "at least 10", False),
    ("x" * 10_000, "under 500", False),
    ("\u202eThis is reversed text with **markdown** and <@1234567890123456789>", "recorded", True),
    ("@everyone look: `code` and __underline__ ~~gone~~ \u200b!", "recorded", True),
]


async def test_odd_reasons_are_refused_or_stored_cleanly(world: World) -> None:
    members = [world.standin.add_member(world.guild, f"odd{i}") for i in range(len(ODD_REASONS))]
    async with running_bot(world):
        await set_modlog(world)
        _, card = await flag_message(world, "moon made of cheese")
        assert card is not None
        for member, (reason, expected, _) in zip(members, ODD_REASONS, strict=True):
            assert expected in await submit_flag(world, card, member, reason), reason[:40]
        stored = [reason.strip() for reason, _, kept in ODD_REASONS if kept]
        # The moderator's message flag, then one post per stored flag.
        posts = await modlog_posts(world, 1 + len(stored))
    reasons = await rows(world, "SELECT reason FROM flags WHERE kind = 'answer' ORDER BY id")
    assert reasons == [(reason,) for reason in stored]
    assert len(posts) == 1 + len(stored)
    for post in posts:
        # Echoed mentions are inert (allowed_mentions is checked by the stand-in itself).
        text = str(post["embeds"])
        assert "@everyone" not in text
        assert "<@1234567890123456789>" not in text


async def test_requests_merge_close_and_reload_answers_them(world: World) -> None:
    standin = world.standin
    other = standin.add_member(world.guild, "other")
    async with running_bot(world) as bot:
        await set_modlog(world)
        ix = await standin.slash(
            world.guild,
            world.channel,
            world.member,
            "request",
            {"question": "Does an octopus have three hearts?"},
        )
        assert "request #1" in await reply_text(ix)
        ix = await standin.slash(
            world.guild,
            world.channel,
            other,
            "request",
            {"question": "Does an octopus REALLY have three hearts??"},
        )
        assert "2 asking" in await reply_text(ix)
        ix = await standin.slash(
            world.guild, world.channel, world.member, "request", {"question": "Is the moon cheese?"}
        )
        assert "already has a fact-check" in await reply_text(ix)
        ix = await standin.slash(
            world.guild, world.channel, world.member, "request", {"question": "Why is grass green?"}
        )
        assert "request #2" in await reply_text(ix)
        ix = await standin.slash(
            world.guild, world.channel, world.moderator, "requests", {"list": {}}
        )
        listing = (await reply_embed(ix))["description"]
        assert listing.index("#1") < listing.index("#2")
        assert "2 asking" in listing
        ix = await standin.slash(
            world.guild,
            world.channel,
            world.moderator,
            "requests",
            {"close": {"id": 2, "note": "Out of scope"}},
        )
        assert "closed" in await reply_text(ix)

        # A broken corpus keeps the old one serving and names the file and field.
        (world.corpus / "broken.md").write_text('+++\nid = "Bad Id"\n+++\n', encoding="utf-8")
        ix = await standin.slash(
            world.guild, world.channel, world.manager, "corpus", {"reload": {}}
        )
        refusal = await reply_text(ix)
        assert "NOT reloaded" in refusal
        assert "broken.md" in refusal
        assert len(bot.library.corpus) == 2
        (world.corpus / "broken.md").unlink()

        # A follow-up naming a missing fact-check only warns: the entry loads without it.
        octopus = CLAIM.format(**OCTOPUS).replace(
            "+++\n\n", '[[follow_ups]]\nquestion = "Squid too?"\nclaim = "squid-hearts"\n+++\n\n'
        )
        (world.corpus / "octopus-hearts.md").write_text(octopus, encoding="utf-8")
        ix = await standin.slash(
            world.guild, world.channel, world.manager, "corpus", {"reload": {}}
        )
        reloaded = await reply_text(ix)
        assert "3 fact-checks" in reloaded
        assert "1 warnings" in reloaded
        assert "squid-hearts" in reloaded
        assert len(bot.library.corpus) == 3

        # SIGHUP reloads too (the handler is installed on the running loop).
        blood = {**OCTOPUS, "id": "octopus-blood", "question": "Is octopus blood blue?"}
        write_claim(world.corpus, blood)
        os.kill(os.getpid(), signal.SIGHUP)
        await eventually(lambda: len(bot.library.corpus) == 4, "SIGHUP reloads the corpus")
    assert await rows(world, "SELECT id, status, answered_claim_id FROM requests ORDER BY id") == [
        (1, "answered", "octopus-hearts"),
        (2, "closed", None),
    ]
    modlog_text = [p["content"] for p in world.standin.channel_messages(world.modlog)]
    assert any("octopus-hearts" in (text or "") for text in modlog_text)
