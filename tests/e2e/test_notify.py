"""Telling the people who asked, end to end: a member requests a fact-check, a corpus reload
brings one that answers it, and each asker sees exactly one notification where they asked
(pinging only them) or by DM, also when the bot restarts between the reload and the send,
or between the send and recording it. Read from what the stand-in shows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.discord_ui import strings
from tests.e2e import harness
from tests.e2e.harness import World, execute, rows
from tests.e2e.test_moderation import MOON, VOLCANO, eventually, reply_text, write_claim
from tests.e2e.test_seams import public_answer

pytestmark = pytest.mark.e2e

COMMANDS = ("request", "corpus", "settings")
ASKED = "Do volcanoes emit more CO2 than *humans*?"
FOOTER = strings.NOTIFY_FOOTER.format(request_id=1)


@pytest.fixture
def world(world: World) -> World:
    """The shared server answering only MOON at first; VOLCANO arrives with a reload."""
    write_claim(world.corpus, MOON)
    return world


@asynccontextmanager
async def running_bot(
    world: World, *, before_start: Callable[[Any], None] | None = None
) -> AsyncIterator[Any]:
    async with harness.world_bot(world, COMMANDS, before_start=before_start) as bot:
        yield bot


async def request(world: World, member: Any, question: str, **options: Any) -> str:
    channel = options.pop("channel", world.channel)
    ix = await world.standin.slash(
        world.guild, channel, member, "request", {"question": question, **options}
    )
    return await reply_text(ix)


async def reload(world: World) -> str:
    write_claim(world.corpus, VOLCANO)
    ix = await world.standin.slash(
        world.guild, world.channel, world.manager, "corpus", {"reload": {}}
    )
    return await reply_text(ix)


def notifications_in(world: World, channel: Any) -> list[dict[str, Any]]:
    return [
        m
        for m in world.standin.channel_messages(channel)
        if any((e.get("footer") or {}).get("text") == FOOTER for e in m.get("embeds") or [])
    ]


async def statuses(world: World) -> list[tuple[Any, ...]]:
    return await rows(world, "SELECT user_id, status, note FROM notifications ORDER BY id")


async def settled(world: World, count: int | None = None) -> bool:
    """Every notification sent or given up (and, if ``count``, that many of them)."""
    found = await statuses(world)
    if count is not None and len(found) != count:
        return False
    return all(status not in ("pending", "sending") for _, status, _ in found)


async def test_each_asker_is_told_once_where_they_asked_pinging_only_them(world: World) -> None:
    standin = world.standin
    second = standin.add_channel(world.guild, "second")
    elsewhere = standin.add_member(world.guild, "elsewhere")
    quiet = standin.add_member(world.guild, "quiet")
    leaver = standin.add_member(world.guild, "leaver")
    async with running_bot(world):
        assert "request #1" in await request(world, world.member, ASKED)
        merged = await request(
            world, elsewhere, "do volcanoes emit more CO2 than humans??", channel=second
        )
        assert "(#1)" in merged
        no_notice = await request(
            world, quiet, "Do volcanoes emit more CO2 than humans", notify=False
        )
        assert no_notice.endswith(strings.REQ_NO_NOTIFY_NOTE)
        await request(world, leaver, "Do volcanoes emit more co2 than humans?")
        standin.remove_member(world.guild, leaver)

        assert "1 open requests are now answered" in await reload(world)
        await eventually(lambda: settled(world, 3), "sent")
        # A second reload answers nothing new and tells nobody again.
        assert "0 open requests are now answered" in await reload(world)

    (told,) = notifications_in(world, world.channel)
    assert told["content"] == f"<@{world.member.id}> the fact-check you asked for is ready."
    assert [m["id"] for m in told["mentions"]] == [str(world.member.id)]
    (embed,) = told["embeds"]
    assert embed["title"] == VOLCANO["question"]
    # The member's words are quoted as text: their Markdown does not render.
    assert embed["description"] == "You asked:\n> Do volcanoes emit more CO2 than \\*humans\\*?"
    assert [b["custom_id"] for r in told["components"] for b in r["components"]] == [
        "fd:open:volcano-emissions"
    ]
    (elsewhere_told,) = notifications_in(world, second)
    assert [m["id"] for m in elsewhere_told["mentions"]] == [str(elsewhere.id)]
    sends = [
        r.body
        for r in standin.requests
        if r.method == "POST"
        and r.route == "/channels/{channel_id}/messages"
        and r.body
        and r.body.get("embeds")
        and r.body["embeds"][0].get("footer", {}).get("text") == FOOTER
    ]
    assert [b["allowed_mentions"] for b in sends] == [
        {"parse": [], "users": [world.member.id]},
        {"parse": [], "users": [elsewhere.id]},
    ]
    assert await statuses(world) == [
        (world.member.id, "sent", None),
        (elsewhere.id, "sent", None),
        (leaver.id, "skipped", "member left the server"),
    ]


async def test_a_server_set_to_dm_tells_by_direct_message_and_off_tells_nobody(
    world: World,
) -> None:
    standin = world.standin
    async with running_bot(world):
        ix = await standin.slash(
            world.guild, world.channel, world.manager, "settings", {"notify": {"mode": "dm"}}
        )
        assert await reply_text(ix) == strings.SETTINGS_NOTIFY_SET["dm"]
        await request(world, world.member, ASKED)
        await reload(world)
        await eventually(lambda: standin.dm_messages(world.member) != [], "the DM")
        await eventually(lambda: settled(world), "recorded")

        ix = await standin.slash(
            world.guild, world.channel, world.manager, "settings", {"notify": {"mode": "off"}}
        )
        assert await reply_text(ix) == strings.SETTINGS_NOTIFY_SET["off"]
        await request(world, world.member, "Does an octopus have three hearts?")
        (world.corpus / "octopus.md").write_text(
            (world.corpus / "volcano-emissions.md")
            .read_text()
            .replace("volcano-emissions", "octopus-hearts")
            .replace(VOLCANO["question"], "Does an octopus have three hearts?"),
            encoding="utf-8",
        )
        assert "1 open requests are now answered" in await reload(world)
    (dm,) = standin.dm_messages(world.member)
    assert dm["content"] == "The fact-check you asked for in **Test Guild** is ready."
    assert dm["embeds"][0]["title"] == VOLCANO["question"]
    assert notifications_in(world, world.channel) == []
    assert await rows(world, "SELECT mode, status FROM notifications") == [("dm", "sent")]
    audit = await rows(world, "SELECT note FROM audit_log WHERE action = 'set_notify'")
    assert audit == [("dm",), ("off",)]


async def test_a_restart_between_the_reload_and_the_send_tells_the_member_exactly_once(
    world: World,
) -> None:
    """The reload commits the owed notification, and the bot stops before sending it (here
    the notify cog never runs in the first process). The next start sends it once; a start
    after a stop between the send and recording it finds the message and sends nothing."""

    def without_notify(bot: Any) -> None:
        original = bot.setup_hook

        async def setup_hook() -> None:
            await original()
            await bot.remove_cog("Notify")

        bot.setup_hook = setup_hook

    async with running_bot(world, before_start=without_notify):
        await request(world, world.member, ASKED)
        assert "1 open requests are now answered" in await reload(world)
    assert await statuses(world) == [(world.member.id, "pending", None)]
    assert notifications_in(world, world.channel) == []

    async with running_bot(world):
        await eventually(lambda: settled(world), "the owed notification is sent")
    assert [s for _, s, _ in await statuses(world)] == ["sent"]
    (told,) = notifications_in(world, world.channel)

    # As if the bot had died after sending and before recording it.
    await execute(world, "UPDATE notifications SET status = 'sending', message_id = NULL")
    async with running_bot(world):
        await eventually(lambda: settled(world), "the interrupted notification is settled")
    assert await rows(world, "SELECT status, message_id FROM notifications") == [
        ("sent", int(told["id"]))
    ]
    assert len(notifications_in(world, world.channel)) == 1


async def test_a_corrected_fact_check_says_updated_and_is_in_the_digest_of_a_server_that_saw_it(
    world: World,
) -> None:
    """Issue 17 section 3: a reload changes MOON's verdict. The answer then says "Updated
    on" today, and this server (which was shown the old version) gets it in its digest."""
    standin = world.standin
    async with harness.world_bot(world, (*COMMANDS, "factcheck", "digest")):
        ask = await standin.slash(
            world.guild, world.channel, world.member, "factcheck", {"question": MOON["question"]}
        )
        before = await public_answer(ask)
        write_claim(world.corpus, {**MOON, "verdict": "Misleading"})
        await reload(world)
        again = await standin.slash(
            world.guild, world.channel, world.member, "factcheck", {"question": MOON["question"]}
        )
        after = await public_answer(again)
        preview = await standin.slash(
            world.guild, world.channel, world.manager, "digest", {"preview": {}}
        )
        (digest,) = (await preview.followups(1, within=10))[0]["embeds"]
    checked = [f["value"] for f in before["embeds"][0]["fields"] if f["name"] == "Checked on"]
    assert checked == ["2026-11-01"]
    today = datetime.now(UTC).date().isoformat()
    checked = [f["value"] for f in after["embeds"][0]["fields"] if f["name"] == "Checked on"]
    assert checked == [f"2026-11-01 · Updated on {today}"]
    assert after["embeds"][0]["description"].startswith("**Verdict:** Misleading")
    sections = {f["name"]: f["value"] for f in digest["fields"]}
    assert sections[strings.DIGEST_CORRECTIONS] == (
        "• Is the moon made of cheese?: verdict False → Misleading"
    )
    assert await rows(
        world, "SELECT claim_id, old_verdict, new_verdict FROM claim_corrections"
    ) == [("moon-cheese", "False", "Misleading")]
