"""A restart opens the saved matching index (issue 15) and members get the same answers;
a corpus changed while the bot was down is indexed anew, never answered from the old
index."""

from __future__ import annotations

import pytest

from tests.e2e.test_moderation import MOON, World, running_bot, world, write_claim
from tests.e2e.test_seams import ask, public_answer

pytestmark = pytest.mark.e2e

__all__ = ["world"]


def title(message: dict[str, object]) -> str:
    embeds = message["embeds"]
    assert isinstance(embeds, list)
    return str(embeds[0]["title"])


async def test_a_restart_answers_from_the_saved_index(world: World) -> None:
    index = world.state / "index"
    async with running_bot(world):
        assert title(await public_answer(await ask(world, "is the moon cheese"))) == (
            "Is the moon made of cheese?"
        )
    (saved,) = index.glob("library-*.index")
    written = saved.stat().st_mtime_ns

    async with running_bot(world):
        assert title(await public_answer(await ask(world, "is the moon cheese"))) == (
            "Is the moon made of cheese?"
        )
    assert [p.name for p in index.glob("library-*.index")] == [saved.name]
    assert saved.stat().st_mtime_ns == written  # opened, not built again

    # Edited while the bot was down: the new wording is what members get.
    write_claim(world.corpus, {**MOON, "question": "Is the moon a giant wheel of gouda?"})
    async with running_bot(world):
        assert title(await public_answer(await ask(world, "is the moon a wheel of gouda"))) == (
            "Is the moon a giant wheel of gouda?"
        )
    (rebuilt,) = index.glob("library-*.index")
    assert rebuilt.name != saved.name
