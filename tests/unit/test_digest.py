"""Building a digest from plain data: ranking, the fact-check date window, caps, quiet days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core.digest import (
    MAX_DISPUTES,
    MAX_FACT_CHECKS,
    TOP_QUESTIONS,
    AskedItem,
    DigestInput,
    FlagItem,
    RequestItem,
    TopQuestion,
    build_digest,
    fact_check_changes,
    rank_questions,
)
from bot.core.models import FactCheck


def fact_check(
    claim_id: str, question: str, checked_on: date, updated_on: date | None = None
) -> FactCheck:
    return FactCheck(
        id=claim_id,
        question=question,
        checked_on=checked_on,
        updated_on=updated_on,
        summary="A summary.",
    )


CORPUS = [
    fact_check("vaccines-autism", "Do vaccines cause autism?", date(2025, 1, 10)),
    fact_check("moon-landing", "Was the moon landing staged?", date(2026, 11, 22)),
    fact_check(
        "cartels-aid",
        "Did the US help the cartels?",
        date(2025, 11, 11),
        updated_on=date(2026, 11, 22),
    ),
    fact_check("five-g", "Does 5G spread viruses?", date(2026, 11, 23)),
]


def window_input(**changes: object) -> DigestInput:
    base: dict[str, object] = {
        "guild_id": 7,
        "local_date": date(2026, 11, 23),
        "window_start_local": datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
        "window_end_local": datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
    }
    base.update(changes)
    return DigestInput(**base)  # type: ignore[arg-type]


def test_questions_rank_by_count_grouping_matched_ones_by_fact_check() -> None:
    asked = [
        AskedItem("do vaccines cause autism", "vaccines-autism"),
        AskedItem("Is the moon landing fake?", "moon-landing"),
        AskedItem("vaccines and autism link?", "vaccines-autism"),
        AskedItem("Is  the sky GREEN?", None),
        AskedItem("is the sky green?", None),
        AskedItem("is the sky green", None),
        AskedItem("   ", None),
    ]
    top = rank_questions(asked, {fc.id: fc.question for fc in CORPUS})
    assert top == [
        TopQuestion("Do vaccines cause autism?", 2, "vaccines-autism"),
        TopQuestion("Is the sky GREEN?", 2, None),
        TopQuestion("Was the moon landing staged?", 1, "moon-landing"),
        TopQuestion("is the sky green", 1, None),
    ]


def test_ties_go_to_the_question_asked_first_and_the_list_is_capped() -> None:
    asked = [AskedItem(f"question {n}", None) for n in range(TOP_QUESTIONS + 3)]
    top = rank_questions(asked, {})
    assert [t.question for t in top] == [f"question {n}" for n in range(TOP_QUESTIONS)]


def test_a_matched_entry_gone_from_the_corpus_shows_the_typed_question() -> None:
    top = rank_questions([AskedItem("old question", "removed-entry")], {})
    assert top == [TopQuestion("old question", 1, "removed-entry")]


def test_fact_checks_dated_in_the_window_are_new_or_updated_newest_first() -> None:
    changes = fact_check_changes(CORPUS, date(2026, 11, 22), date(2026, 11, 23))
    assert [(c.claim_id, c.kind, c.on) for c in changes] == [
        ("moon-landing", "new", date(2026, 11, 22)),
        ("cartels-aid", "updated", date(2026, 11, 22)),
    ]
    # The window's last local date is the next digest's business: each date reported once.
    assert [
        c.claim_id for c in fact_check_changes(CORPUS, date(2026, 11, 23), date(2026, 11, 24))
    ] == ["five-g"]


def test_an_entry_updated_on_its_check_date_is_new_not_updated() -> None:
    same_day = fact_check("x", "X?", date(2026, 11, 22), updated_on=date(2026, 11, 22))
    changes = fact_check_changes([same_day], date(2026, 11, 22), date(2026, 11, 23))
    assert [(c.kind, c.on) for c in changes] == [("new", date(2026, 11, 22))]


def test_build_digest_gathers_every_section() -> None:
    data = window_input(
        asked=[
            AskedItem("vaccines autism?", "vaccines-autism"),
            AskedItem("vaccines autism!", "vaccines-autism"),
            AskedItem("unknown thing", None),
        ],
        flags_opened=[FlagItem(3, "moon-landing", "outdated"), FlagItem(4, None, "rude post")],
        flags_resolved=[FlagItem(1, "cartels-aid", None, "upheld")],
        open_requests=[RequestItem(10, "Is tea healthy?", 1), RequestItem(11, "Is coffee?", 4)],
        open_request_total=9,
        late=True,
    )
    digest = build_digest(data, CORPUS)
    assert digest.late
    assert not digest.is_quiet
    assert digest.questions_asked == 3
    assert digest.top_questions[0] == TopQuestion("Do vaccines cause autism?", 2, "vaccines-autism")
    assert [c.claim_id for c in digest.fact_checks] == ["moon-landing", "cartels-aid"]
    assert [(d.flag_id, d.subject, d.reason) for d in digest.disputes_opened] == [
        (3, "Was the moon landing staged?", "outdated"),
        (4, "rude post", None),
    ]
    assert [(d.subject, d.outcome) for d in digest.disputes_resolved] == [
        ("Did the US help the cartels?", "upheld")
    ]
    assert [r.request_id for r in digest.top_requests] == [11, 10]
    assert digest.open_requests == 9
    # Buttons: matched questions first, then changed fact-checks, each entry once.
    assert digest.claim_ids == ("vaccines-autism", "moon-landing", "cartels-aid")


def test_long_lists_are_capped_with_a_count_of_the_rest() -> None:
    many = [fact_check(f"entry-{n}", f"Entry {n}?", date(2026, 11, 22)) for n in range(14)]
    flags = [FlagItem(n, None, f"reason {n}") for n in range(MAX_DISPUTES + 2)]
    digest = build_digest(window_input(flags_opened=flags, flags_resolved=flags), many)
    assert len(digest.fact_checks) == MAX_FACT_CHECKS
    assert digest.more_fact_checks == 14 - MAX_FACT_CHECKS
    assert len(digest.disputes_opened) == MAX_DISPUTES
    assert digest.more_disputes_opened == 2
    assert digest.more_disputes_resolved == 2


def test_a_day_with_nothing_new_is_quiet_even_with_standing_requests() -> None:
    quiet = build_digest(window_input(), CORPUS[:1])
    assert quiet.is_quiet
    with_requests = build_digest(
        window_input(open_requests=[RequestItem(1, "Still waiting?", 2)]), CORPUS[:1]
    )
    assert with_requests.is_quiet
    assert [r.question for r in with_requests.top_requests] == ["Still waiting?"]
    assert not build_digest(window_input(asked=[AskedItem("a", None)]), []).is_quiet
    assert not build_digest(window_input(), CORPUS).is_quiet  # fact-checks changed
    assert not build_digest(window_input(flags_opened=[FlagItem(1, None, None)]), []).is_quiet
