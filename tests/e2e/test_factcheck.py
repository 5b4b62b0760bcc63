"""/factcheck end to end: the real factdesk bot (discord.py) against the local stand-in.

Covers issue 3 section 8. The bot answers from a copy of the bundled corpus plus a few
entries written here for the edge cases (an unanswered follow-up, a huge entry, mentions in
the text). Every request the bot makes is validated by the stand-in against Discord's OpenAPI
spec and the rules the spec leaves out; the fixture fails the test on any violation.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.discord_ui import limits, strings
from bot.logs import configure_logging, reset_logging
from bot.paths import PROJECT_ROOT
from tests.e2e import harness
from tests.e2e.harness import World

pytestmark = pytest.mark.e2e

BUNDLED = PROJECT_ROOT / "data" / "claims"
EPHEMERAL = 1 << 6
SEED_000 = "Did the US help the cartels in Mexico in any way?"
SEED_001 = "How has US drug policy contributed to cartel power in Mexico?"
COMMANDS = ("factcheck", strings.MESSAGE_MENU_NAME)

OCTOPUS = """+++
id = "octopus-hearts"
question = "Does an octopus have three hearts?"
language = "en"
checked_on = 2026-11-01
verdict = "Accurate"

[[sources]]
number = 1
title = "Cephalopod anatomy"
publisher = "A field guide"
url = "https://example.org/octopus"

[[follow_ups]]
question = "Is octopus blood really blue?"
+++

Yes: two hearts pump blood through the gills and a third through the rest of the body [1].
"""

MENTIONS = """+++
id = "mention-bait"
question = "Did @everyone get a free phone from <@&123456789012345678> and <@234567890123456789>?"
language = "en"
checked_on = 2026-11-01
verdict = "False @here"

[[sources]]
number = 1
title = "@everyone read this <@&123456789012345678>"
publisher = "<@234567890123456789>"
+++

No @everyone, no @here and no <@&123456789012345678> or <@!234567890123456789> gave phones away [1].
"""


def huge_entry() -> str:
    """A fact-check with a 10,000-character summary, 40 sources and 12 long sections."""
    sources = "\n".join(
        f'[[sources]]\nnumber = {n}\ntitle = "Source number {n}: {"a very long title " * 8}"\n'
        f'publisher = "Publisher {n}"\nurl = "https://example.org/{n}/{"x" * 150}"\n'
        for n in range(1, 41)
    )
    sentence = "Volcanic outgassing is measured every year by many observatories [3]. "
    summary = (sentence * 200)[:10_000]
    sections = "\n\n".join(
        f"## Section {n} {'with a long heading ' * 12}\n\n{sentence * 60}" for n in range(1, 13)
    )
    return (
        '+++\nid = "huge-entry"\n'
        'question = "Do volcanoes on Io release more sulphur than every volcano on Earth?"\n'
        'language = "en"\nchecked_on = 2026-11-01\nverdict = "Mostly accurate"\n\n'
        f"{sources}\n+++\n\n{summary}\n\n{sections}\n"
    )


@asynccontextmanager
async def running_bot(world: World) -> AsyncIterator[Any]:
    """Start the real bot the way ``factdesk run`` builds it; close it on exit."""
    async with harness.world_bot(world, COMMANDS) as bot:
        yield bot


@pytest.fixture
def world(world: World) -> World:
    """The shared server (tests/e2e/conftest.py) answering from the bundled corpus plus the
    edge cases above; the stand-in fails the test on any request that breaks the contract."""
    shutil.copytree(BUNDLED, world.corpus, dirs_exist_ok=True)
    (world.corpus / "octopus-hearts.md").write_text(OCTOPUS, encoding="utf-8")
    (world.corpus / "mention-bait.md").write_text(MENTIONS, encoding="utf-8")
    (world.corpus / "huge-entry.md").write_text(huge_entry(), encoding="utf-8")
    return world


async def ask(world: World, question: str, **options: Any) -> Any:
    return await world.standin.slash(
        world.guild, world.channel, world.member, "factcheck", {"question": question, **options}
    )


async def answer_message(ix: Any) -> dict[str, Any]:
    """The message that answered ``ix``, whether sent at once or after a deferral."""
    body = await ix.response(within=10)
    if body["type"] == 5:
        (message,) = await ix.followups(1, within=10)
        return dict(message)
    assert body["type"] == 4, body
    original = ix.original()
    assert original is not None
    return dict(original)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [button for row in message.get("components") or [] for button in row["components"]]


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    for candidate in buttons(message):
        if candidate.get("label") == label:
            return candidate
    raise AssertionError(f"no button {label!r} among {[b.get('label') for b in buttons(message)]}")


def title(message: dict[str, Any]) -> str:
    (embed,) = message["embeds"]
    return str(embed["title"])


def embed_text(embed: dict[str, Any]) -> str:
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    parts += [
        (embed.get("footer") or {}).get("text", ""),
        (embed.get("author") or {}).get("name", ""),
    ]
    return "\n".join(p for p in parts if p)


def assert_within_limits(message: dict[str, Any]) -> None:
    """Discord's limits, checked here too so a failure names the part that broke."""
    embeds = message.get("embeds") or []
    for embed in embeds:
        assert len(embed.get("title", "")) <= limits.EMBED_TITLE
        assert len(embed.get("description", "")) <= limits.EMBED_DESCRIPTION
        assert len(embed.get("fields", [])) <= limits.EMBED_FIELDS
        for field in embed.get("fields", []):
            assert len(field["name"]) <= limits.EMBED_FIELD_NAME
            assert len(field["value"]) <= limits.EMBED_FIELD_VALUE
        assert len((embed.get("footer") or {}).get("text", "")) <= limits.EMBED_FOOTER
    total = sum(
        len(e.get("title", ""))
        + len(e.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))
        + len((e.get("footer") or {}).get("text", ""))
        + len((e.get("author") or {}).get("name", ""))
        for e in embeds
    )
    assert total <= limits.EMBEDS_TOTAL_CHARACTERS
    rows = message.get("components") or []
    assert len(rows) <= limits.ACTION_ROWS
    for row in rows:
        assert len(row["components"]) <= limits.BUTTONS_PER_ROW
        for item in row["components"]:
            assert len(item.get("label", "")) <= limits.BUTTON_LABEL
            assert len(item.get("custom_id", "")) <= limits.CUSTOM_ID


async def request_rows(world: World) -> list[str]:
    return [
        row[0] for row in await harness.rows(world, "SELECT question FROM requests ORDER BY id")
    ]


# --- the tests ------------------------------------------------------------------------------


async def test_commands_sync_with_autocomplete_and_the_message_menu(world: World) -> None:
    async with running_bot(world):
        registered = {c["name"]: c for c in world.standin.commands(guild=world.guild)}
    factcheck = registered["factcheck"]
    question = next(o for o in factcheck["options"] if o["name"] == "question")
    assert question["autocomplete"] is True
    assert registered[strings.MESSAGE_MENU_NAME]["type"] == 3  # message context menu
    # Synced commands went through the stand-in's schema check (the fixture asserts none
    # failed); make sure the sync request really was there to check.
    assert any(r.method == "PUT" and "commands" in r.path for r in world.standin.requests)


@pytest.mark.parametrize("question", [SEED_000, SEED_001], ids=["seed-000", "seed-001"])
async def test_the_seed_questions_are_answered_with_sources_and_follow_ups(
    world: World, question: str
) -> None:
    follow_ups = 5  # both seed pages end with five "Want to dive deeper?" questions
    async with running_bot(world):
        ix = await ask(world, question)
        message = await answer_message(ix)
    assert not message["flags"] & EPHEMERAL  # public by default
    (embed,) = message["embeds"]
    assert embed["title"] == question
    names = [field["name"] for field in embed["fields"]]
    assert strings.CHECKED_ON_FIELD in names
    sources = next(f["value"] for f in embed["fields"] if f["name"] == strings.SOURCES_FIELD)
    assert sources.startswith("**[1]** ")
    deeper = next(f["value"] for f in embed["fields"] if f["name"] == strings.FOLLOW_UPS_FIELD)
    assert len(deeper.splitlines()) == follow_ups
    assert embed["footer"]["text"] == strings.DISCLAIMER
    labels = [b["label"] for b in buttons(message)]
    assert labels[:2] == [strings.BUTTON_SOURCES, strings.BUTTON_FULL_ANALYSIS]
    # The follow-ups, then Helpful, Not helpful and "Flag as disputed" (in a server) on the
    # row after them.
    assert len(labels) == 2 + follow_ups + 3
    assert labels[-3:] == [
        strings.VOTE_HELPFUL_BUTTON,
        strings.VOTE_NOT_HELPFUL_BUTTON,
        strings.MOD_FLAG_BUTTON,
    ]
    callback = next(r for r in world.standin.requests if r.path.endswith("/callback"))
    assert callback.body["data"]["allowed_mentions"] == {"parse": []}
    assert_within_limits(message)


async def test_spanish_question_with_accents_finds_the_same_fact_check(world: World) -> None:
    async with running_bot(world):
        message = await answer_message(await ask(world, "¿Ayudó EE. UU. a los cárteles?"))
    assert title(message) == SEED_000


async def test_private_option_answers_ephemerally(world: World) -> None:
    async with running_bot(world):
        message = await answer_message(await ask(world, SEED_001, private=True))
    assert message["flags"] & EPHEMERAL
    assert title(message) == SEED_001


async def test_autocomplete_suggests_questions_and_a_choice_opens_its_fact_check(
    world: World,
) -> None:
    async with running_bot(world):
        ix = await world.standin.autocomplete(
            world.guild,
            world.channel,
            world.member,
            "factcheck",
            {"question": "cart"},
            focused="question",
        )
        body = await ix.response(within=5)
        assert body["type"] == 8
        choices = body["data"]["choices"]
        assert 1 <= len(choices) <= limits.AUTOCOMPLETE_CHOICES
        assert all(1 <= len(c["name"]) <= limits.CHOICE_NAME for c in choices)
        assert all(1 <= len(c["value"]) <= limits.CHOICE_NAME for c in choices)
        chosen = next(c for c in choices if c["name"] == SEED_000)
        # The member picks the suggestion: Discord sends its value as the option.
        message = await answer_message(await ask(world, chosen["value"]))
    assert title(message) == SEED_000


async def test_a_follow_up_the_corpus_answers_opens_that_fact_check(world: World) -> None:
    async with running_bot(world):
        answer = await answer_message(await ask(world, SEED_000))
        fifth = buttons(answer)[2 + 4]  # after Sources and Full analysis
        assert fifth["label"] == limits.shorten(SEED_001, limits.BUTTON_LABEL)
        opened = await world.standin.click(answer, fifth["custom_id"], world.member)
        message = await answer_message(opened)
    assert message["flags"] & EPHEMERAL
    assert title(message) == SEED_001


async def test_an_unanswered_follow_up_says_so_and_takes_a_request(world: World) -> None:
    async with running_bot(world):
        answer = await answer_message(await ask(world, "how many hearts does an octopus have"))
        assert title(answer) == "Does an octopus have three hearts?"
        fields = {f["name"]: f["value"] for f in answer["embeds"][0]["fields"]}
        # A source with a URL is a link.
        assert "[Cephalopod anatomy](https://example.org/octopus)" in fields[strings.SOURCES_FIELD]
        follow_up = button(answer, "Is octopus blood really blue?")
        opened = await answer_message(
            await world.standin.click(answer, follow_up["custom_id"], world.member)
        )
        assert title(opened) == strings.FOLLOW_UP_UNANSWERED_TITLE
        assert "Is octopus blood really blue?" in opened["embeds"][0]["description"]
        request = button(opened, strings.BUTTON_REQUEST)
        thanks = await world.standin.click(opened, request["custom_id"], world.member)
        body = await thanks.response(within=5)
    assert body["data"]["content"] == strings.REQUEST_RECEIVED
    assert body["data"]["flags"] & EPHEMERAL
    assert await request_rows(world) == ["Is octopus blood really blue?"]


async def test_no_match_says_so_shows_the_nearest_and_takes_a_request(world: World) -> None:
    question = "What is the airspeed velocity of an unladen swallow?"
    async with running_bot(world):
        answer = await answer_message(await ask(world, question))
        (embed,) = answer["embeds"]
        assert embed["title"] == strings.NO_MATCH_TITLE
        assert question in embed["description"]
        nearest = [b for b in buttons(answer) if b["custom_id"].startswith("fd:open:")]
        assert len(nearest) <= 3
        request = button(answer, strings.BUTTON_REQUEST)
        thanks = await world.standin.click(answer, request["custom_id"], world.member)
        assert (await thanks.response(within=5))["data"]["content"] == strings.REQUEST_RECEIVED
    assert await request_rows(world) == [question]


async def test_message_menu_answers_privately_and_posts_a_reply_on_request(world: World) -> None:
    rumour = "BREAKING: the US secretly helped the cartels in Mexico!!! @everyone share this"
    async with running_bot(world):
        target = world.standin.post_message(world.channel, world.member, rumour)
        ix = await world.standin.message_command(
            world.guild, world.channel, world.member, strings.MESSAGE_MENU_NAME, target
        )
        private = await answer_message(ix)
        assert private["flags"] & EPHEMERAL
        assert title(private) == SEED_000
        post = button(private, strings.BUTTON_POST)
        clicked = await world.standin.click(private, post["custom_id"], world.member)
        body = await clicked.response(within=5)
        assert body["type"] == 7  # the private answer is updated to say it was posted
        assert body["data"]["content"] == strings.POSTED_IN_CHANNEL
        (reply,) = [
            m for m in world.standin.channel_messages(world.channel) if m["id"] != target["id"]
        ]
    assert reply["message_reference"]["message_id"] == target["id"]
    assert title(reply) == SEED_000
    posted = next(r for r in world.standin.requests if r.path.endswith("/messages"))
    assert posted.body["allowed_mentions"] == {"parse": []}


async def test_a_message_without_text_gets_a_polite_answer(world: World) -> None:
    async with running_bot(world):
        target = world.standin.post_message(world.channel, world.member, "   ")
        ix = await world.standin.message_command(
            world.guild, world.channel, world.member, strings.MESSAGE_MENU_NAME, target
        )
        body = await ix.response(within=5)
    assert body["data"]["content"] == strings.MESSAGE_HAS_NO_TEXT
    assert body["data"]["flags"] & EPHEMERAL


async def test_buttons_sent_before_a_restart_still_work_after_it(world: World) -> None:
    async with running_bot(world):
        answer = await answer_message(await ask(world, SEED_000))
    async with running_bot(world):  # a new process's worth of objects: nothing carried over
        sources = await world.standin.click(
            answer, button(answer, strings.BUTTON_SOURCES)["custom_id"], world.member
        )
        page = await answer_message(sources)
        follow_up = await world.standin.click(answer, buttons(answer)[6]["custom_id"], world.member)
        opened = await answer_message(follow_up)
    assert title(page) == strings.SOURCES_TITLE.format(question=SEED_000)[: limits.EMBED_TITLE]
    assert title(opened) == SEED_001


async def test_a_huge_entry_renders_and_pages_within_every_limit(world: World) -> None:
    async with running_bot(world):
        answer = await answer_message(await ask(world, "volcanoes on Io release sulphur"))
        assert_within_limits(answer)
        assert answer["embeds"][0]["title"].startswith("Do volcanoes on Io")
        seen_sources: set[str] = set()
        for kind, label in (("src", strings.BUTTON_SOURCES), ("full", "Full analysis")):
            message = await answer_message(
                await world.standin.click(answer, button(answer, label)["custom_id"], world.member)
            )
            pages = 1
            while True:
                assert_within_limits(message)
                if kind == "src":
                    seen_sources.update(
                        re.findall(r"^\*\*\[(\d+)\]\*\*", message["embeds"][0]["description"], re.M)
                    )
                next_button = next(
                    (b for b in buttons(message) if b["label"] == strings.BUTTON_NEXT), None
                )
                if next_button is None or next_button.get("disabled"):
                    break
                clicked = await world.standin.click(message, next_button["custom_id"], world.member)
                assert (await clicked.response(within=5))["type"] == 7  # edited in place
                message = clicked.original()
                pages += 1
                assert pages < 60, "paging never ends"
            assert pages > 1, f"{kind}: a huge entry should need more than one page"
    assert seen_sources == {str(n) for n in range(1, 41)}


async def test_mentions_inside_a_claim_ping_nobody(world: World) -> None:
    async with running_bot(world):
        answer = await answer_message(await ask(world, "did everyone get a free phone"))
    shown = embed_text(answer["embeds"][0])
    assert "free phone" in shown
    # First lock: the stand-in fails the test for any message sent without
    # allowed_mentions {"parse": []}; the answer's callback carried it explicitly.
    callback = next(r for r in world.standin.requests if r.path.endswith("/callback"))
    assert callback.body["data"]["allowed_mentions"] == {"parse": []}
    # Second lock: echoed text does not even render as a live mention.
    for live in (
        "@everyone",
        "@here",
        "<@&123456789012345678>",
        "<@234567890123456789>",
        "<@!234567890123456789>",
    ):
        assert live not in shown


async def test_a_failing_handler_gives_a_private_error_id_and_logs_the_traceback(
    world: World,
) -> None:
    stream = io.StringIO()
    configure_logging(log_format="json", level="INFO", stream=stream)
    try:
        async with running_bot(world) as bot:

            def broken_match(question: str, k: int = 5) -> Any:
                raise RuntimeError("index file went missing")

            working_match = bot.library.matcher.match
            bot.library.matcher.match = broken_match
            ix = await ask(world, "anything at all about cartels")
            body = await ix.response(within=10)
            if body["type"] == 5:
                (reply,) = await ix.followups(1, within=10)
                content, flags = reply["content"], reply["flags"]
            else:
                content, flags = body["data"]["content"], body["data"]["flags"]
            # The bot keeps serving after the failure.
            bot.library.matcher.match = working_match
            assert title(await answer_message(await ask(world, SEED_001))) == SEED_001
    finally:
        reset_logging()
    assert flags & EPHEMERAL
    error_id = content.split("`")[1]
    assert content == strings.ERROR_MESSAGE.format(error_id=error_id)
    events = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    (failure,) = [e for e in events if e.get("error_id") == error_id]
    assert "RuntimeError: index file went missing" in failure["exception"]
    assert "index file went missing" not in content  # no internals in the member's reply
    logged = [e for e in events if e["event"] == "interaction" and e["command"] == "factcheck"]
    assert [e["failed"] for e in logged] == [True, False]  # each interaction logged once
    assert logged[1]["guild_id"] == world.guild.id
    assert logged[1]["user_id"] == world.member.id
    assert logged[1]["claim_id"] == "us-drug-policy-cartel-power"
    assert logged[1]["latency_ms"] >= 0
    assert 0 < logged[1]["score"] <= 1


async def test_a_429_on_the_callback_is_waited_out(world: World) -> None:
    async with running_bot(world):
        world.standin.inject(
            "POST",
            "/interactions/{interaction_id}/{interaction_token}/callback",
            status=429,
            times=1,
            retry_after=0.05,
        )
        message = await answer_message(await ask(world, SEED_000))
    assert title(message) == SEED_000
    statuses = [r.status for r in world.standin.requests if r.path.endswith("/callback")]
    assert statuses == [429, 200]


async def test_a_500_on_the_callback_is_retried_within_the_deadline(world: World) -> None:
    async with running_bot(world):
        world.standin.inject(
            "POST",
            "/interactions/{interaction_id}/{interaction_token}/callback",
            status=500,
            times=1,
        )
        ix = await ask(world, SEED_001)
        message = await answer_message(ix)
    assert title(message) == SEED_001
    statuses = [r.status for r in world.standin.requests if r.path.endswith("/callback")]
    assert statuses == [500, 200]
    assert ix.latency is not None
    assert ix.latency < limits.INITIAL_RESPONSE_SECONDS


async def test_a_dropped_gateway_is_resumed_and_answers_continue(world: World) -> None:
    async with running_bot(world):
        await world.standin.drop_gateway(code=4000)
        await world.standin.wait_resumed(within=15)
        message = await answer_message(await ask(world, SEED_001))
    assert title(message) == SEED_001
    assert world.standin.resume_count == 1


async def test_an_empty_question_gets_a_polite_private_answer(world: World) -> None:
    async with running_bot(world):
        body = await (await ask(world, "   ")).response(within=5)
    assert body["data"]["content"] == strings.EMPTY_QUESTION
    assert body["data"]["flags"] & EPHEMERAL
