"""Every fact-check shipped in ``data/claims`` loads cleanly and can be found by its question.

The bundled corpus is data, but the bot serves it as is: a broken file, a follow-up button
that leads nowhere or an entry whose own question finds another answer would reach members
directly. Problems are reported all at once, so one run lists everything to fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.corpus import LoadReport, load_corpus, parse_fact_check
from bot.core.library import Library
from bot.core.models import FactCheck
from bot.paths import PROJECT_ROOT

CLAIMS_DIR = PROJECT_ROOT / "data" / "claims"
CLAIM_FILES = sorted(CLAIMS_DIR.glob("*.md"))
MINIMUM_ENTRIES = 10

# The seed fact-check's fifth "dive deeper" question is the question of the second seed.
SEED_ENTRY = "us-aid-to-cartels"
SEED_FIFTH_FOLLOW_UP = "us-drug-policy-cartel-power"
SPANISH_SEED_QUESTION = "¿Ayudó EE. UU. a los cárteles?"


@pytest.fixture(scope="module")
def report() -> LoadReport:
    return load_corpus(CLAIMS_DIR)


@pytest.fixture(scope="module")
def library(report: LoadReport) -> Library:
    return Library.build(report.corpus)


def _parsed_as_written(path: Path) -> FactCheck:
    """The entry as its file states it, before the loader drops links it cannot resolve."""
    fact_check, problems = parse_fact_check(path.read_text(encoding="utf-8"), str(path))
    assert fact_check is not None, "\n".join(str(problem) for problem in problems)
    return fact_check


def test_corpus_loads_without_problems(report: LoadReport) -> None:
    listed = "\n".join(str(problem) for problem in report.problems)
    assert report.ok, f"{len(report.problems)} problem(s) in {CLAIMS_DIR}:\n{listed}"


def test_corpus_has_enough_entries(report: LoadReport) -> None:
    assert len(CLAIM_FILES) >= MINIMUM_ENTRIES
    assert len(report.corpus) == len(CLAIM_FILES)


def test_files_are_named_after_their_id() -> None:
    misnamed = [
        f"{path.name}: id is {fc.id!r}"
        for path in CLAIM_FILES
        if (fc := _parsed_as_written(path)).id != path.stem
    ]
    assert not misnamed, "\n".join(misnamed)


def test_every_follow_up_link_names_an_entry(report: LoadReport) -> None:
    known = set(report.corpus.ids)
    dangling = [
        f"{path.name}: follow-up {position} -> {follow_up.claim!r}"
        for path in CLAIM_FILES
        for position, follow_up in enumerate(_parsed_as_written(path).follow_ups, start=1)
        if follow_up.claim is not None and follow_up.claim not in known
    ]
    assert not dangling, "\n".join(dangling)


def test_seed_fifth_follow_up_links_to_drug_policy_entry(report: LoadReport) -> None:
    entry = report.corpus.get(SEED_ENTRY)
    assert entry is not None
    assert len(entry.follow_ups) >= 5
    assert entry.follow_ups[4].claim == SEED_FIFTH_FOLLOW_UP


def test_every_entry_cites_titled_and_published_sources(report: LoadReport) -> None:
    missing: list[str] = []
    for fc in report.corpus:
        if not fc.sources:
            missing.append(f"{fc.id}: no sources")
        for source in fc.sources:
            if not source.title.strip():
                missing.append(f"{fc.id}: source [{source.number}] has no title")
            if not (source.publisher or "").strip():
                missing.append(f"{fc.id}: source [{source.number}] has no publisher")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("path", CLAIM_FILES, ids=[path.stem for path in CLAIM_FILES])
def test_entry_question_finds_the_entry(library: Library, path: Path) -> None:
    entry = _parsed_as_written(path)
    best = library.matcher.match(entry.question).best
    assert best is not None, f"{entry.question!r} matched nothing"
    assert best.claim_id == entry.id, f"{entry.question!r} matched {best.claim_id}"


def test_spanish_question_finds_the_seed_entry(library: Library) -> None:
    best = library.matcher.match(SPANISH_SEED_QUESTION).best
    assert best is not None
    assert best.claim_id == SEED_ENTRY


def test_a_linked_follow_up_asked_as_a_question_finds_its_entry(
    report: LoadReport, library: Library
) -> None:
    # `factdesk ask` tells the reader to ask a linked follow-up's question: it must lead
    # to the entry the link names, not to a neighbour.
    astray = []
    for fc in report.corpus:
        for follow_up in fc.follow_ups:
            if follow_up.claim is None:
                continue
            best = library.matcher.match(follow_up.question).best
            if best is None or best.claim_id != follow_up.claim:
                found = best.claim_id if best else "no match"
                astray.append(f"{fc.id}: {follow_up.question!r} -> {found}, not {follow_up.claim}")
    assert not astray, "\n".join(astray)
