"""Corrections (issue 17 section 3): what counts as one, who is told, how it renders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.core.corrections import Correction, corrections
from bot.core.digest import CorrectionItem, build_digest
from bot.core.models import FactCheck
from bot.discord_ui import embeds, strings
from bot.discord_ui.digest import render_digest
from bot.store.database import Database
from tests.unit.test_digest import CORPUS, window_input

SEEN, UNSEEN = 10, 11
CHANGE = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def entry(claim_id: str, verdict: str | None, summary: str) -> FactCheck:
    return FactCheck(
        id=claim_id,
        question=f"{claim_id}?",
        checked_on=date(2026, 1, 1),
        verdict=verdict,
        summary=summary,
    )


def test_a_changed_verdict_or_summary_is_a_correction_and_spacing_or_new_entries_are_not() -> None:
    old = dict(
        moon=entry("moon", "False", "Rock and dust."),
        tides=entry("tides", "True", "The moon pulls."),
        sun=entry("sun", "True", "Hot."),
    )
    new = [
        entry("moon", "Misleading", "Rock and dust."),
        entry("tides", "True", "The  moon\npulls."),
        entry("sun", "True", "Very hot."),
        entry("new", "True", "Brand new."),
    ]
    assert corrections(old, new) == [
        Correction("moon", "False", "Misleading", False),
        Correction("sun", "True", "True", True),
    ]


async def test_the_digest_lists_corrections_only_for_servers_that_saw_the_old_version(
    store_target: Path | str,
) -> None:
    db = await Database.open(store_target)
    try:
        await db.record_question(
            guild_id=SEEN,
            channel_id=1,
            user_id=5,
            question="q",
            claim_id="moon",
            score=1.0,
            asked_at=CHANGE - timedelta(days=3),
        )
        await db.record_question(
            guild_id=UNSEEN,
            channel_id=1,
            user_id=5,
            question="q",
            claim_id="moon",
            score=1.0,
            asked_at=CHANGE - timedelta(days=45),  # too long before the change
        )
        await db.record_corrections([Correction("moon", "False", "Misleading", False)], now=CHANGE)
        window = (CHANGE - timedelta(hours=12), CHANGE + timedelta(hours=12))
        (seen,) = await db.corrections_seen(SEEN, *window)
        assert (seen.claim_id, seen.new_verdict, seen.summary_changed) == (
            "moon",
            "Misleading",
            False,
        )
        assert await db.corrections_seen(UNSEEN, *window) == []
        later = (CHANGE + timedelta(days=1), CHANGE + timedelta(days=2))
        assert await db.corrections_seen(SEEN, *later) == [], "listed in one digest only"
        latest = await db.latest_correction("moon")
        assert latest is not None
        assert latest.changed_at == CHANGE
    finally:
        await db.close()


def test_corrections_render_as_an_updated_section_and_an_updated_on_date() -> None:
    items = [
        CorrectionItem("cartels-aid", "Unproven", "Partly true", False),
        CorrectionItem("five-g", "False", "False", True),
        CorrectionItem("gone", "x", "y", False),
    ]
    digest = build_digest(window_input(corrections=items), CORPUS)
    assert not digest.is_quiet
    assert [c.claim_id for c in digest.corrections] == ["cartels-aid", "five-g"]
    assert "cartels-aid" in digest.claim_ids
    (message,) = render_digest(digest, {fc.id: fc.question for fc in CORPUS}, "note")
    fields = {f.name: f.value for f in message.embeds[0].fields}
    assert fields[strings.DIGEST_CORRECTIONS].splitlines() == [
        "• Did the US help the cartels?: verdict Unproven → Partly true",
        "• Does 5G spread viruses?: the summary was revised",
    ]
    fc = CORPUS[0]
    shown = embeds.answer_embed(fc, corrected_on=date(2026, 11, 30)).fields[0].value
    assert shown == "2025-01-10 · Updated on 2026-11-30"
    assert embeds.answer_embed(fc).fields[0].value == "2025-01-10"


def test_two_packed_corpora_are_compared_without_decoding_their_unchanged_records() -> None:
    from bot.core.corpus import Corpus

    # More records than the packer samples for its dictionary, so both corpora pack
    # with one dictionary learnt from the same first records.
    before = [entry(f"claim-{n:04d}", "False", f"Summary number {n}.") for n in range(400)]
    after = list(before)
    after[7] = entry("claim-0007", "True", "Summary number 7.")
    after[300] = entry("claim-0300", "False", "A rewritten summary.")
    after.append(entry("claim-9999", "True", "Brand new."))
    old, new = Corpus.packed(before), Corpus.packed(after)
    assert new.same_record(old, "claim-0001")
    assert not new.same_record(old, "claim-0007")
    assert not new.same_record(old, "claim-9999")

    found = corrections(old, new)
    assert found == [
        Correction("claim-0007", "False", "True", summary_changed=False),
        Correction("claim-0300", "False", "False", summary_changed=True),
    ]
    # The same answer as comparing every decoded record.
    assert found == corrections(old, list(new))
    # Unpacked corpora (a directory of files) take the plain comparison.
    assert corrections(Corpus(before), Corpus(after)) == found
