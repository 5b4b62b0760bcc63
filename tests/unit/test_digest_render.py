"""Rendering a digest for Discord: limits, buttons, mentions, quiet days and late digests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.digest import (
    AskedItem,
    Digest,
    DigestInput,
    FactCheckChange,
    FlagItem,
    RequestItem,
    TopQuestion,
    build_digest,
)
from bot.core.models import FactCheck
from bot.discord_ui import limits, strings
from bot.discord_ui.digest import (
    DIGEST_CUSTOM_ID,
    is_digest_text,
    message_nonce,
    render_digest,
)

DAY = date(2026, 11, 23)


def window(**changes: object) -> DigestInput:
    base: dict[str, object] = {
        "guild_id": 7,
        "local_date": DAY,
        "window_start_local": datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
        "window_end_local": datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
    }
    base.update(changes)
    return DigestInput(**base)  # type: ignore[arg-type]


def corpus(count: int, question_chars: int = 40) -> list[FactCheck]:
    return [
        FactCheck(
            id=f"entry-{n}",
            question=f"Question {n} " + "x" * question_chars + "?",
            checked_on=date(2026, 11, 22),
            summary="Summary.",
        )
        for n in range(count)
    ]


def check_limits(messages: list) -> None:
    for message in messages:
        payloads = [embed.to_dict() for embed in message.embeds]
        assert limits.message_embed_problems(payloads) == []
        assert len(message.content or "") <= limits.MESSAGE_CONTENT
        assert len(message.buttons) <= limits.ACTION_ROWS * limits.BUTTONS_PER_ROW
        for button in message.buttons:
            assert limits.fits_custom_id(button.custom_id)
            assert DIGEST_CUSTOM_ID.fullmatch(button.custom_id)
            assert 1 <= len(button.label) <= limits.BUTTON_LABEL
            assert button.row is not None
            assert 0 <= button.row < limits.ACTION_ROWS


def test_a_busy_digest_renders_every_section_within_limits() -> None:
    entries = corpus(12)
    data = window(
        asked=[AskedItem("q", f"entry-{n % 6}") for n in range(30)]
        + [AskedItem("ping @everyone now", None)],
        flags_opened=[FlagItem(n, f"entry-{n}", None) for n in range(3)],
        flags_resolved=[FlagItem(9, None, "spam <@123456789012345678>", "dismissed")],
        open_requests=[RequestItem(1, "Is tea healthy?", 3)],
        open_request_total=8,
    )
    digest = build_digest(data, entries)
    questions = {fc.id: fc.question for fc in entries}
    messages = render_digest(digest, questions, "note")
    check_limits(messages)
    assert len(messages) == 1
    embed = messages[0].embeds[0]
    assert embed.title == strings.DIGEST_TITLE.format(date="2026-11-23")
    assert embed.footer.text == strings.DIGEST_FOOTER.format(date="2026-11-23")
    names = [f.name for f in embed.fields]
    assert names == [
        strings.DIGEST_TOP_QUESTIONS,
        strings.DIGEST_FACT_CHECKS,
        strings.DIGEST_DISPUTES_OPENED,
        strings.DIGEST_DISPUTES_RESOLVED,
        strings.DIGEST_REQUESTS,
    ]
    text = str([f.value for f in embed.fields])
    assert "@everyone" not in text
    assert "<@123456789012345678>" not in text
    assert "8 requests open in all." in text
    assert [b.custom_id for b in messages[0].buttons][:2] == ["fd:dg:entry-0", "fd:dg:entry-1"]
    assert len(messages[0].buttons) == len(set(b.custom_id for b in messages[0].buttons))


def test_a_late_digest_says_so() -> None:
    digest = build_digest(window(asked=[AskedItem("q", None)], late=True), [])
    embed = render_digest(digest, {}, "note")[0].embeds[0]
    assert embed.title == strings.DIGEST_TITLE_LATE.format(date="2026-11-23")
    assert strings.DIGEST_LATE_NOTE in (embed.description or "")


def test_a_quiet_day_posts_a_note_or_nothing() -> None:
    quiet = build_digest(window(), [])
    note = render_digest(quiet, {}, "note")
    assert [(m.content, m.embeds, m.buttons) for m in note] == [
        (strings.DIGEST_QUIET_NOTE.format(date="2026-11-23"), [], [])
    ]
    assert render_digest(quiet, {}, "skip") == []


def oversized_digest(text_chars: int) -> Digest:
    long = "word " * (text_chars // 5)
    return Digest(
        guild_id=1,
        local_date=DAY,
        late=False,
        questions_asked=99,
        top_questions=tuple(TopQuestion(long, 9, f"c-{n}") for n in range(5)),
        fact_checks=tuple(FactCheckChange(f"f-{n}", long, "new", DAY) for n in range(10)),
        more_fact_checks=40,
        top_requests=tuple(RequestItem(n, long, 2) for n in range(5)),
        open_requests=50,
        claim_ids=tuple(f"c-{n}" for n in range(5)) + tuple("f" * 70 + str(n) for n in range(30)),
    )


@settings(max_examples=30, deadline=None)
@given(text_chars=st.integers(1, 3000))
def test_any_length_of_text_stays_within_limits(text_chars: int) -> None:
    digest = oversized_digest(text_chars)
    questions = {claim_id: "label " * 40 for claim_id in digest.claim_ids}
    messages = render_digest(digest, questions, "note")
    check_limits(messages)
    # Buttons only under the last message, and at most 25 of them.
    assert all(not m.buttons for m in messages[:-1])
    assert len(messages[-1].buttons) == limits.ACTION_ROWS * limits.BUTTONS_PER_ROW


def test_sections_past_the_message_budget_move_to_a_continued_message() -> None:
    digest = oversized_digest(3000)
    one = render_digest(digest, {}, "note")
    assert len(one) == 1
    assert len(one[0].embeds[0]) <= limits.EMBEDS_TOTAL_CHARACTERS
    # Three fields of 800-1,024 characters cannot share a 1,900-character budget.
    split = render_digest(digest, {}, "note", message_budget=1900)
    assert len(split) == 3
    assert [f.name for m in split for f in m.embeds[0].fields] == [
        f.name for f in one[0].embeds[0].fields
    ]
    assert split[1].embeds[0].title == strings.DIGEST_TITLE_CONTINUED.format(date="2026-11-23")
    assert all(len(m.embeds[0]) <= 1900 for m in split)
    assert [bool(m.buttons) for m in split] == [False, False, True]


def test_nonces_are_short_and_distinct() -> None:
    nonces = {message_nonce(g, DAY, p) for g in range(50) for p in range(3)}
    assert len(nonces) == 150
    assert all(len(n) <= 25 for n in nonces)


def test_digest_text_is_recognised_only_for_its_own_date() -> None:
    footer = strings.DIGEST_FOOTER.format(date="2026-11-23")
    quiet = strings.DIGEST_QUIET_NOTE.format(date="2026-11-23")
    assert is_digest_text("", [None, footer], DAY)
    assert is_digest_text(quiet, [], DAY)
    assert not is_digest_text("", [footer], date(2026, 11, 24))
    assert not is_digest_text(quiet, [], date(2026, 11, 22))
    assert not is_digest_text("hello", ["another footer"], DAY)


def test_member_markdown_in_the_most_asked_list_is_shown_as_text() -> None:
    bait = "[Claim your free Nitro here](https://evil.example/login) # heading ```"
    digest = build_digest(window(asked=[AskedItem(bait, None), AskedItem(bait, None)]), [])
    embed = render_digest(digest, {}, "note")[0].embeds[0]
    (most_asked,) = [f.value for f in embed.fields if f.name == strings.DIGEST_TOP_QUESTIONS]
    assert most_asked is not None
    assert "[Claim your free Nitro here](" not in most_asked
    assert "\\[Claim your free Nitro here\\]" in most_asked
    assert "```" not in most_asked
