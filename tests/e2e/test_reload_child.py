"""A reload of a big corpus builds its index in a child process (bot.index_build) and the
bot then serves it: what the member asks after the reload is answered from the new corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import index_build
from tests.e2e.test_moderation import MOON, OCTOPUS, World, reply_text, running_bot, write_claim
from tests.e2e.test_moderation import world as world  # the fixture, re-exported
from tests.e2e.test_seams import ask, public_answer

pytestmark = pytest.mark.e2e


async def test_a_reload_built_in_a_child_serves_the_new_corpus(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The world's two-entry corpus is far below the size that earns a child: lower the bar.
    monkeypatch.setattr(index_build, "CHILD_BUILD_MIN_BYTES", 0)
    built_by_child: list[bool] = []
    prebuild = index_build.prebuild

    async def spied(corpus: Path, index_dir: Path, **options: int | None) -> bool:
        built_by_child.append(await prebuild(corpus, index_dir, **options))
        return built_by_child[-1]

    monkeypatch.setattr(index_build, "prebuild", spied)
    async with running_bot(world):
        before = await public_answer(await ask(world, "does an octopus have three hearts"))
        assert before["embeds"][0]["title"] != OCTOPUS["question"]

        write_claim(world.corpus, OCTOPUS)
        ix = await world.standin.slash(
            world.guild, world.channel, world.manager, "corpus", {"reload": {}}
        )
        assert "3 fact-checks" in await reply_text(ix)
        assert built_by_child == [True]

        after = await public_answer(await ask(world, "does an octopus have three hearts"))
        assert after["embeds"][0]["title"] == OCTOPUS["question"]
        moon = await public_answer(await ask(world, "is the moon cheese"))
        assert moon["embeds"][0]["title"] == MOON["question"]
