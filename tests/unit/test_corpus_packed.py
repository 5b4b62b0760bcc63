"""The packed corpus: dataset files held as compressed JSON, read back on demand.

It must behave exactly like the corpus of objects (same ids, order, entries, lookups and
date ranges), for corpora both smaller and larger than the sample its compression
dictionary is learnt from.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.core.corpus import Corpus, load_corpus
from bot.core.library import Library
from bot.core.models import FactCheck, FollowUp, Source

START = date(2024, 1, 1)


def make(number: int) -> FactCheck:
    """A varied fact-check: optional fields set on some entries only."""
    checked = START + timedelta(days=number % 400)
    return FactCheck(
        id=f"claim-{number:05d}",
        question=f"Did event number {number} happen in town {number % 37}? ¿Pasó en la ciudad?",
        checked_on=checked,
        updated_on=checked + timedelta(days=30) if number % 5 == 0 else None,
        verdict=["False", "Misleading", None][number % 3],
        summary=f"Records show event {number} did not happen as described [1].",
        sources=(Source(number=1, title=f"Record {number}", publisher="Town hall"),),
        follow_ups=(FollowUp(question=f"What happened in town {number % 37}?"),),
        aliases=(f"event {number} town",) if number % 2 else (),
        tags=("towns",),
    )


@pytest.mark.parametrize("count", [0, 1, 40, 3000], ids=lambda n: f"{n}-entries")
def test_packed_corpus_behaves_like_the_corpus_of_objects(count: int) -> None:
    entries = [make(n) for n in range(count)]
    # Arrival order must not matter: both are iterated in id order.
    eager, packed = Corpus(entries), Corpus.packed(reversed(entries))
    assert len(packed) == len(eager) == count
    assert packed.ids == eager.ids
    # 3,000 is past the cache of decoded entries, so some come back from their bytes twice.
    assert list(packed) == list(eager)
    assert list(packed) == list(eager)
    for fc in entries[:: max(1, count // 50)]:
        assert fc.id in packed
        assert packed.get(fc.id) == fc
    assert "no-such-claim" not in packed
    assert packed.get("no-such-claim") is None


def test_packed_entries_take_a_fraction_of_their_json() -> None:
    entries = [make(n) for n in range(3000)]
    packed = Corpus.packed(entries)
    raw = sum(len(fc.model_dump_json(exclude_defaults=True)) for fc in entries)
    stored = sum(len(item) for item in packed._items if isinstance(item, bytes))
    assert stored < raw * 0.5, (stored, raw)


def test_packed_corpus_refuses_a_repeated_id() -> None:
    with pytest.raises(ValueError, match="claim-00001"):
        Corpus.packed([make(1), make(2), make(1)])


@pytest.mark.parametrize("kind", ["objects", "packed"])
def test_changed_between_finds_entries_checked_or_updated_in_the_window(kind: str) -> None:
    entries = [make(n) for n in range(800)]
    corpus = Corpus(entries) if kind == "objects" else Corpus.packed(entries)
    first, end = START + timedelta(days=100), START + timedelta(days=103)
    expected = [
        fc
        for fc in entries
        if first <= fc.checked_on < end or (fc.updated_on and first <= fc.updated_on < end)
    ]
    found = corpus.changed_between(first, end)
    assert found == sorted(expected, key=lambda fc: fc.id)
    assert {fc.checked_on for fc in found} >= {first, first + timedelta(days=2)}
    assert all(fc.checked_on != end for fc in found if fc.updated_on is None)
    assert corpus.changed_between(end, end) == []


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_a_jsonl_dataset_loads_packed_and_keeps_the_first_of_a_repeated_id(
    tmp_path: Path,
) -> None:
    records: list[dict[str, object]] = [
        {"id": f"v{n}", "claim": f"Claim number {n} about bridges", "date": "2020-05-01"}
        for n in range(400)
    ]
    records.append({"id": "v7", "claim": "A second record with the id v7", "date": "2021-01-01"})
    report = load_corpus(write_jsonl(tmp_path / "claims.jsonl", records))
    assert len(report.corpus) == 400
    first_v7 = report.corpus.get("v7")
    assert first_v7 is not None
    assert first_v7.question == "Claim number 7 about bridges"
    (duplicate,) = report.problems
    assert duplicate.field == "id"
    assert "v7" in duplicate.message


def test_library_from_a_dataset_file_equals_one_built_from_the_same_entries(
    tmp_path: Path,
) -> None:
    records: list[dict[str, object]] = [
        {
            "id": f"r{n}",
            "claim": f"The {w} bridge in {c} was closed in {1990 + n}",
            "date": "2020-03-04",
        }
        for n, (w, c) in enumerate(
            (w, c) for w in ("red", "old", "iron", "stone") for c in ("Lyon", "Oslo", "Lima")
        )
    ]
    path = write_jsonl(tmp_path / "bridges.jsonl", records)
    streamed, problems = Library.load(path)
    assert problems == []
    built = Library.build(Corpus(list(streamed.corpus)))
    for question in ("was the iron bridge in oslo closed", "stone bridge lima 1999"):
        assert streamed.matcher.match(question) == built.matcher.match(question)
    best = streamed.matcher.match("was the iron bridge in oslo closed").best
    assert best is not None
    fc = streamed.corpus.get(best.claim_id)
    assert fc is not None
    assert "iron bridge in Oslo" in fc.question
