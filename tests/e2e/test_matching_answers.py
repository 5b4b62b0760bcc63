"""What a member gets for the questions issue 14 is about, through the real bot and the
Discord stand-in, from the bundled corpus: synonyms and Spanish reach the US-aid
fact-check; a question about another country gets "No fact-check found", the nearest
entries and the request button, never the US-aid answer; and the DEA/Sinaloa post of
issue 12, pasted into the message menu, as it stands today (below the threshold: the
member is offered the right fact-check as the nearest, not answered; docs/quality.md)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from bot.discord_ui import custom_ids, strings
from bot.paths import PROJECT_ROOT
from tests.e2e import harness
from tests.e2e.harness import World
from tests.e2e.test_factcheck import answer_message, title
from tests.e2e.test_seams import ask, public_answer

pytestmark = pytest.mark.e2e

US_AID = "Did the US help the cartels in Mexico in any way?"
DEA_POST = (
    "Everyone knows the DEA let the Sinaloa cartel smuggle drugs into the US in exchange "
    "for intel on their rivals"
)


@pytest.fixture
def world(world: World) -> World:
    shutil.copytree(PROJECT_ROOT / "data" / "claims", world.corpus, dirs_exist_ok=True)
    return world


def ids_of(message: dict[str, Any]) -> list[str]:
    return [
        str(item.get("custom_id"))
        for row in message.get("components") or []
        for item in row["components"]
        if item.get("custom_id")
    ]


def nearest_field(message: dict[str, Any]) -> str:
    (embed,) = message["embeds"]
    fields = [f for f in embed.get("fields", []) if f["name"] == strings.NO_MATCH_NEAREST_FIELD]
    assert fields, embed
    return str(fields[0]["value"])


@pytest.mark.parametrize(
    "question",
    [
        "Has Washington ever assisted Mexican drug gangs?",
        "was the american government aiding the narcos",
        "Did the United States aid drug cartels in Mexico?",
        "¿Ayudó EE. UU. a los cárteles mexicanos?",
    ],
)
async def test_a_synonym_or_spanish_question_gets_the_us_aid_answer(
    world: World, question: str
) -> None:
    async with harness.world_bot(world, ("factcheck",)):
        answer = await public_answer(await ask(world, question))
    assert title(answer) == US_AID
    assert "fd:flag:us-aid-to-cartels" in ids_of(answer)


@pytest.mark.parametrize(
    "question", ["Did Russia help the Mexican cartels?", "Did the US help Ukraine?"]
)
async def test_another_countrys_question_is_not_answered_with_the_us_aid_entry(
    world: World, question: str
) -> None:
    async with harness.world_bot(world, ("factcheck",)):
        answer = await public_answer(await ask(world, question))
    assert title(answer) == strings.NO_MATCH_TITLE
    assert "fd:flag:us-aid-to-cartels" not in ids_of(answer)
    assert any(custom_ids.REQUEST_ASKED.fullmatch(i) for i in ids_of(answer)), ids_of(answer)


async def test_the_dea_post_in_the_message_menu_offers_the_us_aid_entry_first(
    world: World,
) -> None:
    async with harness.world_bot(world, ("factcheck", strings.MESSAGE_MENU_NAME)):
        target = world.standin.post_message(world.channel, world.member, DEA_POST)
        ix = await world.standin.message_command(
            world.guild, world.channel, world.member, strings.MESSAGE_MENU_NAME, target
        )
        private = await answer_message(ix)
    # Target (issues 12 and 14): answered with the US-aid fact-check. Today: not answered,
    # and that fact-check is the first one offered.
    assert title(private) == strings.NO_MATCH_TITLE
    assert nearest_field(private).startswith(f"1. {US_AID}")
