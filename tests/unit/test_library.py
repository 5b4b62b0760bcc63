"""``Library``: a corpus and the matcher built over it, loaded together."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from bot.core.corpus import Corpus
from bot.core.library import Library
from bot.core.matching import Matcher
from bot.paths import BUNDLED_CORPUS_DIR

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GOOD = FIXTURES / "corpus" / "good"

BROKEN_ENTRY = """+++
id = "half-written"
question = "Is this entry finished?"
checked_on = 2025-13-45
+++

Not yet [1].
"""


@pytest.fixture
def corpus_with_one_broken_file(tmp_path: Path) -> Path:
    for entry in GOOD.glob("*.md"):
        shutil.copy(entry, tmp_path / entry.name)
    (tmp_path / "half-written.md").write_text(BROKEN_ENTRY, encoding="utf-8")
    return tmp_path


def test_broken_file_is_reported_and_the_rest_is_served(corpus_with_one_broken_file: Path) -> None:
    library, problems = Library.load(corpus_with_one_broken_file)
    assert {p.file for p in problems} == {str(corpus_with_one_broken_file / "half-written.md")}
    assert sorted(library.corpus.ids) == ["sun-and-tides", "tides-and-the-moon"]
    assert len(library.matcher) == 2
    best = library.matcher.match("are the tides caused by the moon?").best
    assert best is not None
    assert best.claim_id == "tides-and-the-moon"
    assert library.matcher.match("Is this entry finished?").best is None


def test_every_match_names_an_entry_of_the_corpus() -> None:
    library, _ = Library.load(BUNDLED_CORPUS_DIR)
    for question in ("did the US help the cartels", "STRATFOR emails", "raids in 2014"):
        for match in library.matcher.match(question, k=10).matches:
            assert match.claim_id in library.corpus
    for suggestion in library.matcher.autocomplete(""):
        assert suggestion.claim_id in library.corpus


def test_load_from_a_jsonl_dataset() -> None:
    library, problems = Library.load(FIXTURES / "imports" / "vclaims-sample.jsonl")
    assert problems  # the sample holds broken lines on purpose
    assert len(library.corpus) == len(library.matcher) > 0
    best = library.matcher.match("was the 1969 moon landing filmed in a studio?").best
    assert best is not None
    assert library.corpus.get(best.claim_id) is not None


def test_missing_path_gives_an_empty_library_and_a_problem(tmp_path: Path) -> None:
    library, problems = Library.load(tmp_path / "nowhere")
    assert len(library.corpus) == 0
    assert problems
    assert library.matcher.match("anything at all").matches == ()
    assert library.matcher.autocomplete("") == []


def test_build_uses_the_given_threshold() -> None:
    library, _ = Library.load(GOOD)
    strict = Library.build(library.corpus, threshold=1.01)
    assert isinstance(strict.matcher, Matcher)
    assert strict.matcher.match("Does the Moon cause the ocean tides?").best is None
    assert library.matcher.match("Does the Moon cause the ocean tides?").best is not None


def test_library_is_swapped_whole_never_mutated() -> None:
    library = Library.build(Corpus())
    with pytest.raises(dataclasses.FrozenInstanceError):
        library.corpus = Corpus()  # type: ignore[misc]
