"""A server's own match threshold, end to end: a manager sets it, and the next answer a
member gets in that server follows it (and only in that server's answers)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.discord_ui import strings
from tests.e2e import harness
from tests.e2e.harness import rows
from tests.e2e.test_moderation import World, reply_text, running_bot, world
from tests.e2e.test_seams import ask, public_answer
from tests.standin.server import OptionRefused

pytestmark = pytest.mark.e2e

__all__ = ["world"]  # the fixture: the moon and volcano fact-checks

# A paraphrase of the moon fact-check, not its own words.
PARAPHRASE = "is the moon cheese"
STRICT = 0.95


async def set_threshold(world: World, value: float | None) -> str:
    options: dict[str, Any] = {} if value is None else {"threshold": value}
    ix = await world.standin.slash(
        world.guild, world.channel, world.manager, "settings", {"threshold": options}
    )
    return await reply_text(ix)


def title(message: dict[str, Any]) -> str:
    (embed,) = message["embeds"]
    return str(embed["title"])


async def test_a_servers_own_threshold_decides_whether_factdesk_answers(world: World) -> None:
    async with running_bot(world) as bot:
        matcher = bot.library.matcher
        score = matcher.match(PARAPHRASE).matches[0].score
        # What this test is about: a question the default answers and the strict one refuses.
        assert matcher.threshold <= score < STRICT, score

        assert title(await public_answer(await ask(world, PARAPHRASE))) == (
            "Is the moon made of cheese?"
        )

        assert "95%" in await set_threshold(world, STRICT)
        refused = await public_answer(await ask(world, PARAPHRASE))
        assert title(refused) == strings.NO_MATCH_TITLE
        # The nearest is still offered, so the member can open it themselves.
        assert "Is the moon made of cheese?" in str(refused["embeds"][0]["fields"])

        ix = await world.standin.slash(
            world.guild, world.channel, world.moderator, "settings", {"show": {}}
        )
        assert "95% (this server's own)" in await reply_text(ix)

        assert "default" in await set_threshold(world, None)
        assert title(await public_answer(await ask(world, PARAPHRASE))) == (
            "Is the moon made of cheese?"
        )

    assert await rows(world, "SELECT action, note FROM audit_log ORDER BY id") == [
        ("set_threshold", "0.95"),
        ("set_threshold", None),
    ]


async def test_a_threshold_outside_the_range_cannot_be_sent(world: World) -> None:
    async with running_bot(world):
        # The synced option carries the range, so Discord's client (and the stand-in, like
        # it) refuses 0.1 before the bot ever sees it.
        with pytest.raises(OptionRefused):
            await world.standin.slash(
                world.guild,
                world.channel,
                world.manager,
                "settings",
                {"threshold": {"threshold": 0.1}},
            )
    assert await rows(world, "SELECT COUNT(*) FROM audit_log") == [(0,)]


async def test_the_operators_threshold_is_every_servers_default(world: World) -> None:
    settings = harness.world_settings(world).model_copy(update={"match_threshold": STRICT})
    async with harness.running_bot(settings) as bot:
        await world.standin.wait_for_commands("factcheck", guild=world.guild, within=20)
        assert bot.library.matcher.threshold == STRICT
        # the paraphrase the shipped default answers (the test above) is refused here
        refused = await public_answer(await ask(world, PARAPHRASE))
        assert title(refused) == strings.NO_MATCH_TITLE
        # and the fact-check's own question still clears it
        answered = await public_answer(await ask(world, "Is the moon made of cheese?"))
        assert title(answered) == "Is the moon made of cheese?"
