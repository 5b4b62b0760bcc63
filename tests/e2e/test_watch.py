"""Watch mode end to end: a manager watches a channel, members talk there, and factdesk
posts a card under a rumour that matches a fact-check, nothing under chat, and not twice;
in modlog mode the moderators get a note instead; without the Message Content intent the
bot still runs and says watch mode is unavailable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import discord
import pytest

from bot.app import FactdeskBot
from bot.discord_ui import strings
from bot.runner import serve
from tests.e2e import harness
from tests.e2e.harness import rows
from tests.e2e.test_moderation import (
    COMMANDS,
    World,
    custom_ids,
    eventually,
    reply_text,
    set_modlog,
    world,
)

pytestmark = pytest.mark.e2e

__all__ = ["world"]  # the fixture: the moon and volcano fact-checks

RUMOUR = "Everyone knows the moon is made of cheese, my uncle saw it in a telescope"
# (no name in it the fact-check lacks: "NASA hides it" would make it another question)
RUMOUR_AGAIN = "lol the moon is made of cheese, look it up, they hide it"
CHAT = "anyone up for pizza after the meeting? I can bring the cheese sticks"
SHORT = "moon cheese lol"
# Below the default watch threshold on purpose: the test sets its own, from the scores.
THRESHOLD = 0.6


def settings_for(world: World, **changes: Any) -> Any:
    settings = harness.world_settings(world)
    return settings.model_copy(
        update={"message_content": True, "watch_threshold": THRESHOLD, **changes}
    )


@asynccontextmanager
async def watching_bot(world: World) -> AsyncIterator[FactdeskBot]:
    world.standin.message_content_granted = True
    async with harness.running_bot(settings_for(world)) as bot:
        await world.standin.wait_for_commands(*COMMANDS, "watch", guild=world.guild, within=20)
        yield bot


async def watch(world: World, channel: Any, mode: str = "reply") -> str:
    ix = await world.standin.slash(
        world.guild,
        world.channel,
        world.manager,
        "watch",
        {"add": {"channel": channel, "mode": mode}},
    )
    return await reply_text(ix)


def replies_to(world: World, channel: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        m
        for m in world.standin.channel_messages(channel)
        if (m.get("message_reference") or {}).get("message_id") == message["id"]
    ]


async def test_a_rumour_in_a_watched_channel_gets_one_card_and_chat_gets_none(
    world: World,
) -> None:
    standin = world.standin
    async with watching_bot(world) as bot:
        matcher = bot.library.matcher
        # What the test is about: the rumours clear the bar and the chat line does not.
        assert matcher.match(RUMOUR).matches[0].score >= THRESHOLD
        assert matcher.match(RUMOUR_AGAIN).matches[0].score >= THRESHOLD
        chat = matcher.match(CHAT).matches
        assert not chat or chat[0].score < THRESHOLD

        assert "Watching" in await watch(world, world.channel)
        rumour = standin.post_message(world.channel, world.member, RUMOUR)
        await eventually(
            lambda: replies_to(world, world.channel, rumour), "a card under the rumour"
        )
        (card,) = replies_to(world, world.channel, rumour)
        assert card["embeds"][0]["title"] == "Context: Is the moon made of cheese?"
        assert custom_ids(card) == [
            "fd:open:moon-cheese",
            "fd:hv:moon-cheese:y",
            "fd:hv:moon-cheese:n",
            "fd:flag:moon-cheese",
        ]
        (sent,) = [
            r.body
            for r in standin.requests
            if r.method == "POST"
            and str((r.body or {}).get("message_reference", {}).get("message_id")) == rumour["id"]
        ]
        assert sent["allowed_mentions"]["parse"] == []  # the card pings nobody

        chat_message = standin.post_message(world.channel, world.member, CHAT)
        short = standin.post_message(world.channel, world.member, SHORT)
        again = standin.post_message(world.channel, world.member, RUMOUR_AGAIN)
        # Nothing is coming for these: give the bot ample time to be wrong.
        await asyncio.sleep(1.5)
        assert replies_to(world, world.channel, chat_message) == []
        assert replies_to(world, world.channel, short) == []
        # The same fact-check within the cooldown: no second card in this channel.
        assert replies_to(world, world.channel, again) == []

        # The card's button opens the full answer for a member, as under any card.
        opened = await standin.click(card, "fd:open:moon-cheese", world.member)
        body = await opened.response(within=10)
        assert body["data"]["embeds"][0]["title"] == "Is the moon made of cheese?"
    assert await rows(world, "SELECT message_id, claim_id, mode FROM watch_cards") == [
        (int(rumour["id"]), "moon-cheese", "reply")
    ]


async def test_an_unwatched_channel_and_a_removed_one_get_no_card(world: World) -> None:
    standin = world.standin
    other = standin.add_channel(world.guild, "random")
    async with watching_bot(world):
        await watch(world, world.channel)
        ix = await standin.slash(
            world.guild,
            world.channel,
            world.manager,
            "watch",
            {"remove": {"channel": world.channel}},
        )
        assert "No longer watching" in await reply_text(ix)
        ix = await standin.slash(world.guild, world.channel, world.manager, "watch", {"list": {}})
        assert strings.WATCH_LIST_EMPTY in await reply_text(ix)
        in_removed = standin.post_message(world.channel, world.member, RUMOUR)
        in_other = standin.post_message(other, world.member, RUMOUR)
        await asyncio.sleep(1.5)
        assert replies_to(world, world.channel, in_removed) == []
        assert replies_to(world, other, in_other) == []
    assert await rows(world, "SELECT COUNT(*) FROM watch_cards") == [(0,)]
    assert await rows(world, "SELECT action FROM audit_log ORDER BY id") == [
        ("watch_added",),
        ("watch_removed",),
    ]


async def test_modlog_mode_notes_the_rumour_for_the_moderators(world: World) -> None:
    standin = world.standin
    async with watching_bot(world):
        await set_modlog(world)
        assert "Watching" in await watch(world, world.channel, "modlog")
        rumour = standin.post_message(world.channel, world.member, RUMOUR)

        def notes() -> list[dict[str, Any]]:
            return [m for m in standin.channel_messages(world.modlog) if "Watch" in m["content"]]

        await eventually(notes, "a watch note in the mod-log")
        (note,) = notes()
        assert "Is the moon made of cheese?" in note["content"]
        assert rumour["id"] in note["content"]  # the jump link to the message
        assert replies_to(world, world.channel, rumour) == []


async def test_watch_is_for_managers(world: World) -> None:
    async with watching_bot(world):
        ix = await world.standin.slash(
            world.guild,
            world.channel,
            world.moderator,
            "watch",
            {"add": {"channel": world.channel}},
        )
        assert "The attempt has been logged" in await reply_text(ix)
    assert await rows(world, "SELECT COUNT(*) FROM watched_channels") == [(0,)]


async def test_without_the_intent_the_bot_runs_and_says_watch_is_unavailable(
    world: World,
) -> None:
    """The operator asked for Message Content but the portal has it off: Discord closes
    the gateway with 4014; factdesk starts again without it and keeps serving."""
    standin = world.standin
    standin.message_content_granted = False
    saved_urls = (
        discord.http.Route.BASE,
        discord.webhook.async_.Route.BASE,
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings_for(world), stop))
    try:
        await standin.wait_for_commands(*COMMANDS, "watch", guild=world.guild, within=30)
        await standin.wait_ready(within=30)
        ix = await standin.slash(
            world.guild, world.channel, world.manager, "watch", {"add": {"channel": world.channel}}
        )
        assert await reply_text(ix) == strings.WATCH_UNAVAILABLE
        # Everything else still works: a member gets an answer.
        ix = await standin.slash(
            world.guild,
            world.channel,
            world.member,
            "factcheck",
            {"question": "Is the moon made of cheese?"},
        )
        body = await ix.response(within=10)
        assert body["type"] in (4, 5)
    finally:
        stop.set()
        await asyncio.wait_for(running, 20)
        (
            discord.http.Route.BASE,
            discord.webhook.async_.Route.BASE,
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
        ) = saved_urls
    assert standin.refused_identifies == 1
    assert await rows(world, "SELECT COUNT(*) FROM watched_channels") == [(0,)]
