"""Was this helpful? end to end: votes on answers and context cards, the tally a member sees,
the optional reason, a change of vote across a restart, ``/stats claims``, and every button
of the fullest bundled answer, all read from what the stand-in shows."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.core.corpus import load_corpus
from bot.discord_ui import strings
from bot.paths import PROJECT_ROOT
from tests.e2e import harness
from tests.e2e.harness import World, rows
from tests.e2e.test_moderation import MOON, VOLCANO, reply_text, write_claim
from tests.e2e.test_seams import (
    MODAL,
    any_reply,
    button_ids,
    flag_through_the_form,
    label_of,
    public_answer,
)

pytestmark = pytest.mark.e2e

COMMANDS = (
    "factcheck",
    "stats",
    "flags",
    "digest",
    strings.MESSAGE_MENU_NAME,
    strings.MOD_FLAG_MENU_NAME,
)
HELPFUL = "fd:hv:moon-cheese:y"
NOT_HELPFUL = "fd:hv:moon-cheese:n"


@pytest.fixture
def world(world: World) -> World:
    write_claim(world.corpus, MOON)
    write_claim(world.corpus, VOLCANO)
    return world


@asynccontextmanager
async def running_bot(world: World) -> AsyncIterator[Any]:
    async with harness.world_bot(world, COMMANDS) as bot:
        yield bot


async def ask(world: World, question: str, member: Any = None) -> dict[str, Any]:
    ix = await world.standin.slash(
        world.guild, world.channel, member or world.member, "factcheck", {"question": question}
    )
    return await public_answer(ix)


async def private_message(ix: Any) -> dict[str, Any]:
    """The private reply as the stored message (with its id, to click its buttons)."""
    body = await ix.response(within=10)
    if body["type"] == 5:
        (message,) = await ix.followups(1, within=10)
        return dict(message)
    return dict(await ix.wait_original(within=10))


def tally(helpful: int, not_helpful: int) -> str:
    return strings.VOTE_TALLY.format(helpful=helpful, not_helpful=not_helpful)


async def test_vote_change_the_vote_across_a_restart_and_see_the_tally(world: World) -> None:
    standin = world.standin
    other = standin.add_member(world.guild, "other")
    async with running_bot(world):
        answer = await ask(world, "Is the moon made of cheese?")
        assert label_of(answer, HELPFUL) == strings.VOTE_HELPFUL_BUTTON
        assert label_of(answer, NOT_HELPFUL) == strings.VOTE_NOT_HELPFUL_BUTTON

        first = await reply_text(await standin.click(answer, HELPFUL, world.member))
        assert first == strings.VOTE_HELPFUL_RECORDED.format(tally=tally(1, 0))
        again = await reply_text(await standin.click(answer, HELPFUL, world.member))
        assert again == strings.VOTE_HELPFUL_SAME.format(tally=tally(1, 0))

        # Not helpful: privately, the tally, "Tell us why" and "Flag as disputed".
        ix = await standin.click(answer, NOT_HELPFUL, other)
        shown = await private_message(ix)
        assert shown["flags"] & (1 << 6)
        assert tally(1, 1) in shown["content"]
        assert button_ids(shown) == ["fd:hvw:moon-cheese", "fd:flag:moon-cheese"]

        why = await standin.click(shown, "fd:hvw:moon-cheese", other)
        body = await why.response(within=10)
        assert body["type"] == MODAL
        form = body["data"]["custom_id"]
    votes = await rows(world, "SELECT user_id, helpful FROM claim_votes")
    assert sorted(votes) == sorted([(world.member.id, 1), (other.id, 0)])

    async with running_bot(world):
        # The reason form opened before the restart submits after it.
        saved = await standin.submit_modal(
            world.guild, world.channel, other, form, {"reason": "It skips the @everyone samples"}
        )
        assert await reply_text(saved) == strings.VOTE_REASON_SAVED
        # The first member changes their mind on the answer sent before the restart.
        changed = await any_reply(await standin.click(answer, NOT_HELPFUL, world.member))
        assert changed["content"].startswith(
            strings.VOTE_NOT_HELPFUL_CHANGED.format(tally=tally(0, 2)).split("\n")[0]
        )

        stats = await standin.slash(
            world.guild, world.channel, world.moderator, "stats", {"claims": {}}
        )
        (embed,) = (await any_reply(stats))["embeds"]
        refused = await standin.slash(
            world.guild, world.channel, world.member, "stats", {"claims": {}}
        )
        assert "Manage Messages" in await reply_text(refused)
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "1. Is the moon made of cheese? (1×)" in fields[strings.STATS_MOST_ASKED]
    assert (
        "Is the moon made of cheese?: 0 of 2 found it helpful (0%)"
        in (fields[strings.STATS_LEAST_HELPFUL])
    )
    assert await rows(world, "SELECT COUNT(*), SUM(helpful) FROM claim_votes") == [(2, 0)]
    assert await rows(world, "SELECT reason FROM claim_votes WHERE reason IS NOT NULL") == [
        ("It skips the @everyone samples",)
    ]


async def test_a_context_card_carries_the_vote_buttons(world: World) -> None:
    standin = world.standin
    async with running_bot(world):
        target = standin.post_message(world.channel, world.member, "the moon is made of cheese")
        ix = await standin.message_command(
            world.guild, world.channel, world.moderator, strings.MOD_FLAG_MENU_NAME, target
        )
        await reply_text(ix)
        (card,) = [m for m in standin.channel_messages(world.channel) if m.get("embeds")]
        assert button_ids(card) == [
            "fd:open:moon-cheese",
            HELPFUL,
            NOT_HELPFUL,
            "fd:flag:moon-cheese",
        ]
        voted = await reply_text(await standin.click(card, HELPFUL, world.member))
    assert voted == strings.VOTE_HELPFUL_RECORDED.format(tally=tally(1, 0))


async def test_the_fullest_bundled_answer_shows_every_button_within_discords_rows(
    world: World,
) -> None:
    """Post in channel, Sources, Full analysis, every follow-up, Helpful, Not helpful and
    Flag: counted on the message the member sees (Discord allows 5 rows of 5)."""
    for path in (PROJECT_ROOT / "data" / "claims").glob("*.md"):
        shutil.copy(path, world.corpus / path.name)
    corpus = load_corpus(world.corpus).corpus
    fullest = max(corpus, key=lambda fc: len(fc.follow_ups))
    standin = world.standin
    async with running_bot(world):
        target = standin.post_message(world.channel, world.member, fullest.question)
        ix = await standin.message_command(
            world.guild, world.channel, world.member, strings.MESSAGE_MENU_NAME, target
        )
        await ix.response(within=10)
        message = await ix.wait_original(within=10)
    assert message["embeds"][0]["title"] == fullest.question
    components = message["components"]
    assert len(components) <= 5
    assert all(len(row["components"]) <= 5 for row in components)
    ids = button_ids(message)
    follow_ups = [i for i in ids if i.startswith("fd:fu:")]
    assert len(follow_ups) == len(fullest.follow_ups) == 5
    expected = 3 + len(fullest.follow_ups) + 3  # row 0, the follow-ups, the feedback row
    assert len(ids) == expected, ids
    assert [i.split(":")[1] for i in ids if not i.startswith("fd:fu:")] == [
        "src",
        "full",
        "post",
        "hv",
        "hv",
        "flag",
    ]


async def test_moderators_see_the_helpful_share_on_a_flag_and_in_the_digest(world: World) -> None:
    standin = world.standin
    other = standin.add_member(world.guild, "other")
    async with running_bot(world):
        answer = await ask(world, "Is the moon made of cheese?")
        await reply_text(await standin.click(answer, NOT_HELPFUL, world.member))
        await reply_text(await standin.click(answer, HELPFUL, other))
        told = await flag_through_the_form(world, answer, world.member, "The samples disagree.")
        assert "#1 is recorded" in told
        shown = await standin.slash(
            world.guild, world.channel, world.moderator, "flags", {"show": {"id": 1}}
        )
        (flag,) = (await any_reply(shown))["embeds"]
        preview = await standin.slash(
            world.guild, world.channel, world.manager, "digest", {"preview": {}}
        )
        (digest,) = (await preview.followups(1, within=10))[0]["embeds"]
    fields = {f["name"]: f["value"] for f in flag["fields"]}
    assert fields[strings.FLAG_HELPFUL_FIELD] == "1 of 2 found it helpful (50%)"
    sections = {f["name"]: f["value"] for f in digest["fields"]}
    assert sections[strings.DIGEST_LEAST_HELPFUL] == "• Is the moon made of cheese?: 1 of 2 helpful"
