"""A rebuild after the corpus changed reuses the vectors of the previous index for every
phrasing it already had (issue 15, a faster build): only the changed ones are embedded,
and the answers are those of a build from nothing. Vectors of another model or embedding
code are never reused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core import embedding
from bot.core.library import Library
from bot.paths import PROJECT_ROOT

QUESTIONS = [
    "did the us help the mexican cartels",
    "Zebra quokka?",
    "¿Estados Unidos ayudó a los carteles?",
]


def answers(library: Library) -> list[object]:
    return [[(m.claim_id, m.score) for m in library.matcher.match(q).matches] for q in QUESTIONS]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "claims"
    shutil.copytree(PROJECT_ROOT / "data" / "claims", directory)
    return directory


def change_one_question(corpus: Path) -> None:
    entry = sorted(corpus.glob("*.md"))[0]
    entry.write_text(
        entry.read_text(encoding="utf-8").replace(
            "\nquestion = ", '\nquestion = "Zebra quokka? " \n#', 1
        ),
        encoding="utf-8",
    )


def count_embedded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    embedded: list[str] = []
    model = embedding.shipped()
    real = model.embed

    def counting(texts: list[str]) -> object:
        embedded.extend(texts)
        return real(texts)

    monkeypatch.setattr(model, "embed", counting)
    return embedded


def test_a_changed_corpus_embeds_only_the_changed_phrasing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "index"
    first, _, _ = Library.open(corpus, index)
    phrasings = len(first.matcher._vectors)
    change_one_question(corpus)
    embedded = count_embedded(monkeypatch)
    library, _, outcome = Library.open(corpus, index)
    assert not outcome.reused
    assert embedded == ["zebra quokka"]  # folded
    assert library.matcher.reused_vectors == phrasings - 1
    monkeypatch.undo()
    fresh, _ = Library.load(corpus)
    assert answers(library) == answers(fresh)
    assert (library.matcher._vectors == fresh.matcher._vectors).all()


def test_vectors_of_other_embedding_code_are_not_reused(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "index"
    first, _, _ = Library.open(corpus, index)
    change_one_question(corpus)
    monkeypatch.setattr(embedding, "vector_version", lambda: "another model")
    embedded = count_embedded(monkeypatch)
    library, _, _ = Library.open(corpus, index)
    assert library.matcher.reused_vectors == 0
    assert len(embedded) == len(first.matcher._vectors)
